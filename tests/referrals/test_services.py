"""Resource referrals: dated, followed up, audited, and only to resources still listed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.core.errors import DomainError
from tandem.core.models import AuditAction, AuditEvent
from tandem.referrals import services
from tandem.referrals.models import CommunityResource, ReferralStatus
from tests.builders import make_patient, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _resource(**kw: object) -> CommunityResource:
    return CommunityResource.objects.create(name="Harbor Housing Help", category="housing", **kw)


def test_referral_is_recorded_as_sent_and_audited_against_the_patient() -> None:
    patient, cm = make_patient(), make_user()
    referral = services.refer(
        patient, resource=_resource(), by=cm, on=TODAY, follow_up_on=TODAY + timedelta(days=14), note="Rent"
    )
    assert referral.status == ReferralStatus.SENT and referral.made_on == TODAY
    event = AuditEvent.objects.get(action=AuditAction.CREATE, resource_type="referrals.ResourceReferral")
    assert event.patient_id == patient.pk
    assert "note" in event.fields


def test_follow_up_cannot_precede_the_referral() -> None:
    with pytest.raises(DomainError, match="follow-up date"):
        services.refer(
            make_patient(), resource=_resource(), by=None, on=TODAY, follow_up_on=TODAY - timedelta(1)
        )


def test_inactive_resources_are_refused() -> None:
    with pytest.raises(DomainError, match="no longer listed"):
        services.refer(make_patient(), resource=_resource(active=False), by=None)
