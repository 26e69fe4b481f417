"""Population pages for analysts and supervisors: overview, runs, a run's candidates and its export.

People appear by pseudonymous id only. Supervisors additionally get a link to the patient page for
patients they may open (their teams'), decided by `visible_patients`, never by role alone.
"""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe

from tandem.accounts.models import Role
from tandem.core import audit
from tandem.core.models import AuditAction
from tandem.core.permissions import role_required, visible_patients

from . import charts
from .criteria_config import CriteriaError, parse
from .evaluation_view import evaluation
from .models import RiskScore, StratificationRun
from .stratify import COMPLEXITY_LABELS, EXCLUSION_LABELS, FLAG_LABELS

ROLES = (Role.ANALYST, Role.SUPERVISOR)


def _latest_run() -> StratificationRun | None:
    return (
        StratificationRun.objects.filter(finished_at__isnull=False).order_by("-as_of", "-started_at").first()
    )


def _summary_from_rows(run: StratificationRun) -> dict[str, Any]:
    """Runs recorded before the summary was kept stored a RiskScore for everyone: summarise those."""
    rows = list(
        RiskScore.objects.filter(run=run).values_list(
            "allowed_12m", "ip_admits_12m", "ed_visits_12m", "hcc_v28_normalized"
        )
    )
    return charts.overview_summary(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows if r[3] is not None],
    )


@role_required(*ROLES)
def overview(request: HttpRequest) -> HttpResponse:
    run = _latest_run()
    ctx: dict[str, Any] = {"run": run, "evaluation": evaluation()}
    if run is not None:
        summary = run.summary or _summary_from_rows(run)
        held = {float(share): float(part) for share, part in summary["held"]}
        ctx.update(
            members=summary["members"],
            total_spend=summary["total_spend"],
            shares=[(f"Top {round(k * 100)}%", held[k] * 100) for k in (0.01, 0.05, 0.10)],
            charts=[
                mark_safe(charts.concentration_svg(summary["curve"], held)),
                mark_safe(
                    charts.bar_svg("People by inpatient admissions in 12 months", summary["admissions"])
                ),
                mark_safe(charts.bar_svg("People by ED visits in 12 months", summary["ed_visits"])),
                mark_safe(charts.bar_svg("People by CMS-HCC V28 score (normalised)", summary["hcc"])),
            ],
        )
    return render(request, "population/overview.html", ctx)


@role_required(*ROLES)
def run_list(request: HttpRequest) -> HttpResponse:
    runs = StratificationRun.objects.select_related("run_by")[:100]
    return render(request, "population/run_list.html", {"runs": runs})


def _filters(request: HttpRequest, run: StratificationRun) -> dict[str, Any]:
    """The filters the run offers; "met by" lists the alternatives of criteria that have more than one.

    Everyone ranked met every criterion, so a filter on the criteria themselves would narrow nothing.
    """
    try:
        criteria = [
            (key, f"{c.label}: {x.describe()}")
            for c in parse(run.criteria_text, source=run.criteria_name).criteria
            for key, x in c.alternatives
        ]
    except CriteriaError:
        criteria = []
    if criteria:
        # Every ranked person met each criterion one way or another, so the first ranked row names an
        # alternative whenever the run recorded them; runs from before they were recorded offer no choice.
        first = (
            RiskScore.objects.filter(run=run, rank__isnull=False)
            .order_by("rank")
            .values_list("criteria_met", flat=True)
            .first()
        )
        if first is not None and not set(first) & {key for key, _ in criteria}:
            criteria = []
    flag = request.GET.get("flag", "")
    criterion = request.GET.get("criterion", "")
    try:
        min_score = float(request.GET["min_score"]) if request.GET.get("min_score") else None
    except ValueError:
        min_score = None
    return {
        "flag": flag if flag in FLAG_LABELS else "",
        "criterion": criterion if criterion in dict(criteria) else "",
        "min_score": min_score,
        "criteria_choices": criteria,
        "flag_choices": list(FLAG_LABELS.items()),
    }


def _ranked_rows(run: StratificationRun, f: dict[str, Any]) -> list[RiskScore]:
    """Ranked people (candidates, then those over capacity); JSON filters in Python to stay portable."""
    rows = RiskScore.objects.filter(run=run, rank__isnull=False).order_by("rank")
    if f["min_score"] is not None:
        rows = rows.filter(score__gte=f["min_score"])
    out = list(rows)
    if f["flag"]:
        out = [r for r in out if f["flag"] in r.flags]
    if f["criterion"]:
        out = [r for r in out if f["criterion"] in r.criteria_met]
    return out


@role_required(*ROLES)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(StratificationRun.objects.select_related("run_by"), pk=run_id)
    f = _filters(request, run)
    rows = _ranked_rows(run, f)
    linkable: dict[int, Any] = {}
    if request.user.role == Role.SUPERVISOR:  # type: ignore[union-attr]
        ids = [r.patient_id for r in rows if r.patient_id]
        linkable = dict(visible_patients(request.user).filter(pk__in=ids).values_list("pk", "public_id"))
    audit.record(AuditAction.VIEW, resource=run, detail=f"{len(rows)} pseudonymous row(s)")
    return render(
        request,
        "population/run_detail.html",
        {
            "run": run,
            "rows": [(r, linkable.get(r.patient_id or 0)) for r in rows],
            "f": f,
            "flag_labels": FLAG_LABELS,
            "excluded": [(EXCLUSION_LABELS.get(k, k), v) for k, v in sorted(run.excluded_by_reason.items())],
            "complexity_labels": COMPLEXITY_LABELS,
            "query": request.GET.urlencode(),
        },
    )


@role_required(*ROLES)
def run_export(request: HttpRequest, run_id: int) -> HttpResponse:
    run = get_object_or_404(StratificationRun, pk=run_id)
    rows = _ranked_rows(run, _filters(request, run))
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="stratification-run-{run.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["pseudo_id", "rank", "candidate", "score", "hcc_v28_normalized", "charlson", "lace_latest",
         "ip_admits_12m", "ed_visits_12m", "chronic_conditions", "active_meds", "criteria_met", "flags",
         "reason"]
    )  # fmt: skip
    for r in rows:
        writer.writerow(
            [r.pseudo_id, r.rank, r.is_candidate, r.score, r.hcc_v28_normalized, r.charlson, r.lace_latest,
             r.ip_admits_12m, r.ed_visits_12m, r.chronic_conditions, r.active_meds, " ".join(r.criteria_met),
             " ".join(r.flags), r.reason]
        )  # fmt: skip
    audit.record(AuditAction.EXPORT, resource=run, detail=f"{len(rows)} pseudonymous row(s)")
    return response
