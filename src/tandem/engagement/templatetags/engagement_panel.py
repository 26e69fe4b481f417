"""The engagement card on the patient page, which the patient view itself knows nothing about."""

from __future__ import annotations

from typing import Any

from django import template

from tandem.engagement.models import Consent, OutreachAttempt, Referral, WarmHandoff
from tandem.patients.models import Patient
from tandem.programs.models import Episode, EpisodeStatus
from tandem.referrals.models import ResourceReferral

register = template.Library()


@register.inclusion_tag("engagement/_panel_body.html")
def engagement_panel(patient: Patient) -> dict[str, Any]:
    """Only rendered inside the patient page, which has already checked access and audited the view."""
    episodes = list(Episode.objects.filter(patient=patient).select_related("program", "assigned_to"))
    actionable = [e for e in episodes if e.status in (EpisodeStatus.CANDIDATE, EpisodeStatus.OUTREACH)]
    return {
        "patient": patient,
        "actionable": actionable,
        "declined": [e for e in episodes if e.status == EpisodeStatus.DECLINED],
        "attempts": OutreachAttempt.objects.filter(episode__patient=patient).select_related(
            "made_by", "episode__program", "resource_referral__resource"
        ),
        "consents": Consent.objects.filter(episode__patient=patient).select_related("episode__program"),
        "handoffs": WarmHandoff.objects.filter(episode__patient=patient).select_related(
            "from_user", "to_user"
        ),
        "referrals_in": Referral.objects.filter(patient=patient).select_related("program"),
        "resource_referrals": ResourceReferral.objects.filter(patient=patient).select_related("resource"),
    }
