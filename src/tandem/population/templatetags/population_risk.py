"""The Risk card on the patient page: the person's scores across stratification runs."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from tandem.assessment.charts import trend_svg
from tandem.patients.models import Patient
from tandem.population.runs import trajectory

register = template.Library()


@register.inclusion_tag("population/_risk_card.html")
def risk_card(patient: Patient) -> dict[str, Any]:
    """Only rendered inside the patient page, which has already checked access and audited the view."""
    points = trajectory(patient)
    series = [(p["as_of"], float(p["hcc"])) for p in points if p["hcc"] is not None]
    chart = None
    if len(series) > 1:
        top = max(v for _, v in series)
        chart = mark_safe(
            trend_svg("CMS-HCC V28 score across runs", series, y_max=max(1.0, round(top + 0.5)))
        )
    return {"points": points, "chart": chart}
