"""Home pages per role, the audit browser and error pages."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tandem.accounts.models import CareTeam, Role, User
from tandem.core.forms import AuditFilterForm
from tandem.core.models import AuditEvent
from tandem.core.permissions import role_required, user_role, visible_patients
from tandem.programs.models import Episode, EpisodeStatus, Tier


def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on what it works from: a caseload, a team overview, aggregates or admin."""
    user = request.user
    assert isinstance(user, User)
    role = user_role(user)
    if role == Role.CARE_MANAGER:
        return _care_manager_home(request, user)
    if role == Role.SUPERVISOR:
        return _supervisor_home(request, user)
    if role == Role.ANALYST:
        return _analyst_home(request)
    return _admin_home(request)


def _care_manager_home(request: HttpRequest, user: User) -> HttpResponse:
    mine = (
        Episode.objects.filter(primary_care_manager=user, status=EpisodeStatus.ENROLLED)
        .select_related("patient", "program")
        .order_by("patient__family_name", "patient__given_name")
    )
    team_patients = visible_patients(user)
    outreach = (
        Episode.objects.filter(
            patient__in=team_patients, status__in=[EpisodeStatus.CANDIDATE, EpisodeStatus.OUTREACH]
        )
        .select_related("patient", "program")
        .order_by("status", "created_at")[:25]
    )
    by_tier = dict.fromkeys(Tier.values, 0)
    for row in mine.order_by().values("tier").annotate(n=Count("id")):
        by_tier[row["tier"]] = row["n"]
    return render(
        request,
        "core/home_care_manager.html",
        {
            "tasks": _open_tasks(user),
            "caseload": mine,
            "outreach": outreach,
            "by_tier": by_tier,
            "teams": user.care_teams.all(),
        },
    )


def _supervisor_home(request: HttpRequest, user: User) -> HttpResponse:
    teams = CareTeam.objects.filter(Q(supervisor=user) | Q(memberships__user=user)).distinct()
    rows = []
    for team in teams:
        enrolled = Episode.objects.filter(patient__care_team=team, status=EpisodeStatus.ENROLLED)
        per_cm = (
            enrolled.values(
                "primary_care_manager__first_name",
                "primary_care_manager__last_name",
                "primary_care_manager__username",
            )
            .annotate(
                high=Count("id", filter=Q(tier=Tier.HIGH)),
                medium=Count("id", filter=Q(tier=Tier.MEDIUM)),
                low=Count("id", filter=Q(tier=Tier.LOW)),
                total=Count("id"),
            )
            .order_by("-total")
        )
        status_counts = dict(
            Episode.objects.filter(patient__care_team=team)
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        rows.append(
            {
                "team": team,
                "per_cm": per_cm,
                "status_counts": [
                    (label, status_counts.get(value, 0)) for value, label in EpisodeStatus.choices
                ],
            }
        )
    return render(request, "core/home_supervisor.html", {"rows": rows, "tasks": _open_tasks(user)})


def _open_tasks(user: User) -> list[Any]:
    """Open tasks for the user, urgent (safety) first, then by due date."""
    from tandem.caseload.models import Task, TaskPriority, TaskStatus

    tasks = list(Task.objects.filter(assigned_to=user, status=TaskStatus.OPEN).select_related("patient")[:50])
    order = {TaskPriority.URGENT: 0, TaskPriority.HIGH: 1, TaskPriority.NORMAL: 2}
    return sorted(tasks, key=lambda t: (order.get(TaskPriority(t.priority), 3), t.due_on))


def _analyst_home(request: HttpRequest) -> HttpResponse:
    """Counts and pseudonymous ids only: analysts never see who a person is."""
    status_counts = dict(
        Episode.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    tier_counts = dict(
        Episode.objects.filter(status=EpisodeStatus.ENROLLED)
        .values_list("tier")
        .annotate(n=Count("id"))
        .values_list("tier", "n")
    )
    today = timezone.localdate()
    candidates = [
        {
            "pseudo_id": ep.patient.pseudo_id,
            "age_band": _age_band(ep.patient.age_on(today)),
            "sex": ep.patient.get_sex_display(),
            "program": ep.program.name,
            "status": ep.get_status_display(),
        }
        for ep in Episode.objects.filter(status__in=[EpisodeStatus.CANDIDATE, EpisodeStatus.OUTREACH])
        .select_related("patient", "program")
        .order_by("patient__pseudo_id")[:200]
    ]
    return render(
        request,
        "core/home_analyst.html",
        {
            "status_counts": [(label, status_counts.get(value, 0)) for value, label in EpisodeStatus.choices],
            "tier_counts": [(label, tier_counts.get(value, 0)) for value, label in Tier.choices],
            "candidates": candidates,
        },
    )


def _age_band(age: int) -> str:
    if age >= 85:
        return "85+"
    low = (age // 10) * 10
    return f"{low}-{low + 9}"


def _admin_home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/home_admin.html",
        {
            "user_count": User.objects.filter(is_active=True).count(),
            "team_count": CareTeam.objects.filter(active=True).count(),
            "recent_audit": AuditEvent.objects.select_related("actor")[:10],
        },
    )


@role_required(Role.ADMIN)
def audit_list(request: HttpRequest) -> HttpResponse:
    """Admins browse and filter the trail; nothing here can change it."""
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.all()
    if form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        if data.get("actor"):
            events = events.filter(actor_username__icontains=data["actor"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("resource_type"):
            events = events.filter(resource_type__icontains=data["resource_type"])
        if data.get("patient_id"):
            events = events.filter(patient_id=data["patient_id"])
        tz = timezone.get_current_timezone()
        if data.get("since"):
            events = events.filter(occurred_at__gte=datetime.combine(data["since"], time.min, tz))
        if data.get("until"):
            events = events.filter(occurred_at__lte=datetime.combine(data["until"], time.max, tz))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/audit_list.html", {"form": form, "page": page, "query": query.urlencode()})


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)
