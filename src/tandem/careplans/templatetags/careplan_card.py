"""The care plan card on the patient page, which the patient view itself knows nothing about."""

from __future__ import annotations

from typing import Any

from django import template

from tandem.careplans import services
from tandem.patients.models import Patient

register = template.Library()


@register.inclusion_tag("careplans/_card_body.html")
def careplan_card(patient: Patient) -> dict[str, Any]:
    """Only rendered inside the patient page, which has already checked access and audited the view."""
    plan = services.current_plan(patient)
    if plan is None:
        return {"patient": patient, "plan": None}
    return {
        "patient": patient,
        "plan": plan,
        "goals": services.open_goals(plan)[:3],
        "prompt": services.next_goal_prompt(plan),
        "share": round(services.you_do_share(plan) * 100),
    }
