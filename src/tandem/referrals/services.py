"""Making a referral to a community resource."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from tandem.accounts.models import User
from tandem.core.errors import DomainError
from tandem.patients.models import Patient
from tandem.referrals.models import CommunityResource, ResourceReferral


def refer(
    patient: Patient,
    *,
    resource: CommunityResource,
    by: User | None,
    on: date | None = None,
    follow_up_on: date | None = None,
    note: str = "",
) -> ResourceReferral:
    """Record a referral; the follow-up date is what makes someone check the loop was closed."""
    made_on = on or timezone.localdate()
    if not resource.active:
        raise DomainError(f"{resource.name} is no longer listed as an active resource.")
    if follow_up_on is not None and follow_up_on < made_on:
        raise DomainError("The follow-up date cannot be before the referral was made.")
    return ResourceReferral.objects.create(
        patient=patient,
        resource=resource,
        made_on=made_on,
        follow_up_on=follow_up_on,
        made_by=by,
        note=note,
    )
