"""The community card on the patient page, which the patient view itself knows nothing about."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from tandem.patients.models import Patient
from tandem.referrals.models import OPEN_REFERRAL_STATUSES, ResourceReferral

register = template.Library()


@register.inclusion_tag("referrals/_card_body.html")
def referrals_card(patient: Patient) -> dict[str, Any]:
    """Only rendered inside the patient page, which has already checked access and audited the view."""
    referrals = ResourceReferral.objects.filter(patient=patient).select_related("resource")
    open_statuses = [s.value for s in OPEN_REFERRAL_STATUSES]
    return {
        "patient": patient,
        "open_referrals": [r for r in referrals if r.status in open_statuses],
        "closed_count": sum(1 for r in referrals if r.status not in open_statuses),
        "groups": patient.peer_group_memberships.filter(left_on__isnull=True).select_related("group"),
        "today": timezone.localdate(),
    }
