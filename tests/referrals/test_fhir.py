"""A referral exported as an SDOHCC ServiceRequest plus a referral-management Task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.referrals import services
from tandem.referrals.fhir import to_fhir
from tests.referrals.builders import make_caseload, make_resource

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_sent_referral_is_an_active_request_with_a_requested_task() -> None:
    c = make_caseload()
    r = services.refer(
        c.patient, resource=make_resource(), by=c.care_manager, on=TODAY, follow_up_on=TODAY + timedelta(7)
    )
    out = to_fhir(r)
    sr, task = out["ServiceRequest"], out["Task"]
    assert sr["status"] == "active" and sr["intent"] == "order"
    assert sr["category"][0]["coding"][0]["code"] == "food-insecurity"
    assert sr["subject"] == {"reference": f"Patient/{c.patient.public_id}"}
    assert task["intent"] == "order" and task["code"]["coding"][0]["code"] == "fulfill"
    assert task["focus"] == {"reference": f"ServiceRequest/{sr['id']}"} and task["status"] == "requested"
    assert task["for"] == sr["subject"] and task["restriction"]["period"]["end"] == str(TODAY + timedelta(7))
    assert c.patient.family_name not in repr(out)


def test_declined_referral_carries_its_reason_and_revokes_the_request() -> None:
    c = make_caseload()
    r = services.refer(c.patient, resource=make_resource(category="legal"), by=c.care_manager)
    r = services.update_status(r, to="declined", by=c.care_manager, note="Over the income limit")
    out = to_fhir(r)
    assert out["ServiceRequest"]["status"] == "revoked"
    assert out["ServiceRequest"]["category"][0]["coding"][0]["code"] == "sdoh-category-unspecified"
    assert out["Task"]["status"] == "rejected"
    assert out["Task"]["statusReason"] == {"text": "Over the income limit"}
    assert "restriction" not in out["Task"]
