"""Assessment pages: progress over 30 days, domain entries, instruments and their trends."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from tandem.accounts.models import User
from tandem.assessment import services
from tandem.assessment.charts import trend_svg
from tandem.assessment.domains import PROMPTS
from tandem.assessment.forms import DomainForm, InstrumentForm
from tandem.assessment.instruments import UnknownInstrument, all_instruments, get
from tandem.assessment.models import Domain, DomainEntry, InstrumentResponse
from tandem.assessment.reassessment import reassessment_due
from tandem.core import audit
from tandem.core.errors import DomainError
from tandem.core.permissions import CLINICAL_ROLES, patient_or_denial, role_required
from tandem.programs.models import EpisodeStatus
from tandem.programs.services import current_episode

CHARTS = {
    "phq9": ("PHQ-9 total (0-27)", 27, [(10, "10 moderate"), (20, "20 severe")]),
    "gad7": ("GAD-7 total (0-21)", 21, [(10, "10 moderate"), (15, "15 severe")]),
    "phq2": ("PHQ-2 total (0-6)", 6, [(3, "3 positive")]),
}


@role_required(*CLINICAL_ROLES)
def overview(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    patient = found
    audit.record_view(patient, detail="assessment")
    episode = current_episode(patient)
    entries = (
        DomainEntry.objects.filter(episode=episode).select_related("recorded_by")
        if episode
        else DomainEntry.objects.none()
    )
    by_domain: dict[str, list[DomainEntry]] = {d: [] for d in Domain.values}
    for entry in entries:
        by_domain[entry.domain].append(entry)
    progress = services.progress(episode) if episode and episode.status == EpisodeStatus.ENROLLED else None
    due_again = reassessment_due(episode) if episode else []
    domains = [
        {
            "value": value,
            "label": label,
            "entries": by_domain[value],
            "complete": progress is not None and value in progress.completed_domains,
        }
        for value, label in Domain.choices
    ]
    responses = list(InstrumentResponse.objects.filter(patient=patient).select_related("recorded_by"))
    charts = []
    for inst_id, (title, y_max, bands) in CHARTS.items():
        pts = [
            (r.administered_on, float(r.total))
            for r in responses
            if r.instrument == inst_id and r.total is not None
        ]
        if pts:
            charts.append(mark_safe(trend_svg(title, pts, y_max=y_max, bands=bands)))
    promis = [r for r in responses if r.instrument == "promis10"]
    for title, attr in (
        ("PROMIS physical health T-score", "physical_t"),
        ("PROMIS mental health T-score", "mental_t"),
    ):
        pts = [(r.administered_on, float(getattr(r, attr))) for r in promis if getattr(r, attr) is not None]
        if pts:
            charts.append(
                mark_safe(trend_svg(title, pts, y_min=10, y_max=80, bands=[(50, "50 = US average")]))
            )
    return render(
        request,
        "assessment/overview.html",
        {
            "patient": patient,
            "episode": episode,
            "progress": progress,
            "domains": domains,
            "responses": list(reversed(responses)),
            "charts": charts,
            "due_again": due_again,
            "instruments": all_instruments(),
        },
    )


@role_required(*CLINICAL_ROLES)
def domain_entry(request: HttpRequest, public_id: UUID, domain: str) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    patient = found
    if domain not in PROMPTS:
        raise Http404("No such assessment domain")
    episode = current_episode(patient)
    if episode is None or episode.status != EpisodeStatus.ENROLLED:
        raise DomainError("The assessment starts once the person is enrolled.")
    form = DomainForm(request.POST or None, domain=domain, initial={"recorded_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        user = request.user
        assert isinstance(user, User)
        services.record_domain(
            episode,
            domain,
            by=user,
            responses=form.responses(),
            declined_items=form.declined(),
            notes=form.cleaned_data["notes"],
            complete=form.cleaned_data["complete"],
            on=form.cleaned_data["recorded_on"],
        )
        messages.success(request, f"Saved: {Domain(domain).label}.")
        return redirect("assessment:overview", public_id=patient.public_id)
    previous = DomainEntry.objects.filter(episode=episode, domain=domain).select_related("recorded_by")
    return render(
        request,
        "assessment/domain_form.html",
        {
            "patient": patient,
            "form": form,
            "domain_label": Domain(domain).label,
            "previous": previous,
        },
    )


@role_required(*CLINICAL_ROLES)
def instrument_entry(request: HttpRequest, public_id: UUID, instrument_id: str) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    patient = found
    try:
        instrument = get(instrument_id)
    except UnknownInstrument as exc:
        raise Http404("No such instrument") from exc
    form = InstrumentForm(
        request.POST or None, instrument=instrument, initial={"administered_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        user = request.user
        assert isinstance(user, User)
        response = services.record_instrument(
            patient,
            instrument.id,
            form.answers(),
            by=user,
            episode=current_episode(patient),
            on=form.cleaned_data["administered_on"],
        )
        summary = _summary(response)
        if services.SAFETY_FLAG in response.flags:
            messages.error(
                request,
                f"{summary}. Safety alert: item 9 was answered above 0. Urgent tasks were created for "
                "the care manager and the supervisor; check on the person today.",
            )
        else:
            messages.success(request, summary)
        return redirect("assessment:overview", public_id=patient.public_id)
    return render(
        request,
        "assessment/instrument_form.html",
        {
            "patient": patient,
            "form": form,
            "instrument": instrument,
        },
    )


def _summary(r: InstrumentResponse) -> str:
    parts: list[Any] = [r.instrument.upper()]
    if r.total is not None:
        parts.append(f"total {r.total}")
    if r.band:
        parts.append(r.band.replace("_", " "))
    if r.physical_t is not None:
        parts.append(f"physical T {r.physical_t:g}, mental T {r.mental_t:g}")
    if r.positive_domains:
        parts.append("positive: " + ", ".join(d.replace("_", " ") for d in r.positive_domains))
    return " · ".join(str(p) for p in parts)
