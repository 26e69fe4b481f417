"""The caseload card on the patient page, which the patient view itself knows nothing about."""

from __future__ import annotations

from typing import Any

from django import template

from tandem.caseload import graduation, services
from tandem.caseload.models import CareEvent, Contact, GraduationHandoff, StaffFlag
from tandem.patients.models import Patient
from tandem.programs.models import CareManagerAssignment, EpisodeStatus, TierChange

register = template.Library()


@register.inclusion_tag("caseload/_panel_body.html", takes_context=True)
def caseload_panel(context: Any, patient: Patient) -> dict[str, Any]:
    """Only rendered inside the patient page, which has already checked access and audited the view."""
    episode = patient.episodes.filter(status=EpisodeStatus.ENROLLED).select_related("program").first()
    user = context.get("user")
    return {
        "patient": patient,
        "episode": episode,
        "is_supervisor": getattr(user, "role", "") == "supervisor",
        "next_contact": services.next_contact(episode) if episode else None,
        "readiness": graduation.readiness(episode) if episode else None,
        "contacts": Contact.objects.filter(patient=patient).prefetch_related("staff")[:10],
        "care_events": CareEvent.objects.filter(patient=patient)[:10],
        "tier_history": TierChange.objects.filter(episode__patient=patient).select_related(
            "changed_by", "episode"
        ),
        "assignments": CareManagerAssignment.objects.filter(episode__patient=patient).select_related(
            "care_manager", "assigned_by", "episode__program"
        ),
        "graduations": GraduationHandoff.objects.filter(episode__patient=patient).select_related(
            "episode__program"
        ),
        "open_flags": StaffFlag.objects.filter(patient=patient, agenda_item__isnull=True).select_related(
            "flagged_by"
        ),
    }
