"""Team-level pages: the care manager's worklist, the supervisor's dashboard and case conferences."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.views.decorators.http import require_POST

from tandem.accounts.models import Role, User
from tandem.caseload import conferences, dashboard, services
from tandem.caseload.forms import AgendaItemForm, ConferenceForm
from tandem.caseload.models import AgendaItem, CaseConference, TaskPriority
from tandem.core import audit
from tandem.core.models import AuditAction
from tandem.core.permissions import CLINICAL_ROLES, deny, role_required
from tandem.programs.models import Tier


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


class Links:
    """One URL pattern, reversed once per page; each row fills in its own id.

    A worklist page called `reverse()` about 160 times, once per link per row, which cost more
    than the rest of its template; the result is the same string `{% url %}` gives.
    """

    def __init__(self, name: str, kwarg: str, sample: UUID | int) -> None:
        url = reverse(name, kwargs={kwarg: sample})
        self.head, found, self.tail = url.partition(str(sample))
        if not found or str(sample) in self.tail:
            raise ValueError(f"{name}: the id is not a single, plain part of {url}")

    def __call__(self, value: UUID | int) -> str:
        return f"{self.head}{value}{self.tail}"


def month_day_year(*, year: bool = True) -> Callable[[date | None], str]:
    """`date:"M j, Y"` (or `"M j"`) for many dates: month names looked up once, in the active language.

    Equal to the template filter (a test compares them); the filter re-parses its format for
    every value.
    """
    months = {m: str(name).title() for m, name in MONTHS_3.items()}

    def fmt(value: date | None) -> str:
        if not value:
            return ""
        return (
            f"{months[value.month]} {value.day}, {value.year:04d}"
            if year
            else f"{months[value.month]} {value.day}"
        )

    return fmt


def _overdue(days: int) -> str:
    return f"Overdue {days} day{'' if days == 1 else 's'}" if days else ""


def _rows_wanted(raw: str | None) -> int:
    """Rows to show in a section: the count a "show more" link asked for, else the first screen."""
    if raw and raw.isdigit() and len(raw) <= 6 and int(raw) > 0:
        return int(raw)
    return services.SECTION_LIMIT


def worklist_rows(work: services.Worklist) -> dict[str, Any]:
    """The worklist's rows as plain values for the template: links and dates made once per row."""
    detail = Links("patients:detail", "public_id", UUID(int=0))
    log = Links("caseload:contact-new", "public_id", UUID(int=0))
    assess = Links("assessment:overview", "public_id", UUID(int=0))
    done = Links("caseload:task-done", "task_id", 987654321)
    fmt = month_day_year()
    fmt_short = month_day_year(year=False)
    tiers = {t.value: str(t.label) for t in Tier}
    priorities = {p.value: str(p.label) for p in TaskPriority}
    contacts = [
        {
            "name": d.patient.display_name,
            "url": detail(d.patient.public_id),
            "log_url": log(d.patient.public_id) + "?next=worklist",
            "tier": d.tier,
            "tier_label": tiers.get(d.tier, d.tier),
            "last": fmt(d.last_contact_on),
            "due": fmt(d.due_on),
            "overdue": _overdue(d.days_overdue),
        }
        for d in work.contacts
    ]
    assessments = [
        {
            "name": a.patient.display_name,
            "url": assess(a.patient.public_id),
            # Numbers as text: each int in a template goes through localize() and number_format().
            "progress": f"{a.completed} of {a.total} domains · day {a.day}",
            "overdue": a.overdue,
        }
        for a in work.assessments
    ]

    def task_row(t: Any) -> dict[str, Any]:
        return {
            "pk": t.pk,
            "title": t.title,
            "due": fmt_short(t.due_on),
            "priority": priorities.get(t.priority, t.priority),
            "name": t.patient.display_name,
            "url": detail(t.patient.public_id),
            "done_url": done(t.pk),
        }

    return {
        "contacts": contacts,
        "assessments": assessments,
        "safety_alerts": [task_row(t) for t in work.safety_alerts],
        "other_tasks": [task_row(t) for t in work.other_tasks],
    }


@role_required(*CLINICAL_ROLES)
def worklist(request: HttpRequest) -> HttpResponse:
    if request.GET.get("all") == "1":
        contacts_limit: int | None = None
        assessments_limit: int | None = None
    else:
        contacts_limit = _rows_wanted(request.GET.get("contacts"))
        assessments_limit = _rows_wanted(request.GET.get("assessments"))
    work = services.worklist(
        _user(request), contacts_limit=contacts_limit, assessments_limit=assessments_limit
    )
    shown = len(work.contacts) + len(work.assessments) + len(work.tasks) + len(work.reapproaches)
    # A list of names is an access to each record; one line says how many rows were shown, never who.
    audit.record(AuditAction.VIEW, resource_type="caseload.worklist", detail=f"{shown} row(s)")
    step = services.SECTION_LIMIT
    n_contacts, n_assessments = len(work.contacts), len(work.assessments)
    context = {
        "work": work,
        **worklist_rows(work),
        # "Show more" keeps the other section as it is and adds a screen to this one.
        "more_contacts": "?" + urlencode({"contacts": n_contacts + step, "assessments": n_assessments}),
        "more_contacts_n": min(step, work.contacts_more),
        "more_assessments": "?" + urlencode({"contacts": n_contacts, "assessments": n_assessments + step}),
        "more_assessments_n": min(step, work.assessments_more),
    }
    return render(request, "caseload/worklist.html", context)


def _decimal(raw: str | None, default: Decimal) -> Decimal:
    try:
        value = Decimal(raw) if raw else default
    except InvalidOperation:
        return default
    return value if Decimal("1") <= value <= Decimal("10") else default


@role_required(Role.SUPERVISOR)
def caseload_dashboard(request: HttpRequest) -> HttpResponse:
    factor = _decimal(request.GET.get("factor"), dashboard.DEFAULT_FACTOR)
    raw_max = request.GET.get("max_high", "")
    max_high = int(raw_max) if raw_max.isdigit() else None
    today = timezone.localdate()
    teams = [
        dashboard.team_dashboard(t, today=today, factor=factor, max_high=max_high)
        for t in dashboard.supervised_teams(_user(request))
    ]
    audit.record(AuditAction.VIEW, resource_type="caseload.dashboard", detail=f"{len(teams)} team(s)")
    return render(
        request,
        "caseload/dashboard.html",
        {"teams": teams, "factor": factor, "max_high": raw_max if max_high is not None else ""},
    )


@role_required(Role.SUPERVISOR)
def conference_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    teams = list(dashboard.supervised_teams(user).filter(supervisor=user))
    form = ConferenceForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        team = get_object_or_404(
            dashboard.supervised_teams(user).filter(supervisor=user), pk=request.POST.get("team")
        )
        conf = conferences.schedule(team, held_on=form.cleaned_data["held_on"], by=user)
        conferences.build_agenda(conf)
        messages.success(request, "Conference planned and agenda built.")
        return redirect("caseload:conference", pk=conf.pk)
    items = CaseConference.objects.filter(team__in=teams).select_related("team")
    return render(
        request, "caseload/conference_list.html", {"conferences": items, "teams": teams, "form": form}
    )


def _conference_or_denial(request: HttpRequest, pk: int) -> CaseConference | HttpResponse:
    conf = get_object_or_404(CaseConference.objects.select_related("team"), pk=pk)
    if conf.team.supervisor_id != _user(request).pk:
        return deny(request, what="case conference")
    return conf


@role_required(Role.SUPERVISOR)
def conference_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _conference_or_denial(request, pk)
    if isinstance(found, HttpResponse):
        return found
    items = list(
        found.items.select_related("patient", "task__assigned_to").order_by("rolled_from", "trigger", "id")
    )
    audit.record(
        AuditAction.VIEW,
        resource_type="caseload.conference",
        resource_id=str(found.pk),
        detail=f"{len(items)} item(s)",
    )
    rows = [
        (
            item,
            AgendaItemForm(
                prefix=f"i{item.pk}",
                initial={"discussed": item.discussed, "notes": item.notes, "decision": item.decision},
            ),
        )
        for item in items
    ]
    return render(request, "caseload/conference.html", {"conference": found, "rows": rows})


@role_required(Role.SUPERVISOR)
@require_POST
def conference_build(request: HttpRequest, pk: int) -> HttpResponse:
    found = _conference_or_denial(request, pk)
    if isinstance(found, HttpResponse):
        return found
    added = conferences.build_agenda(found)
    messages.success(request, f"{len(added)} new agenda item(s).")
    return redirect("caseload:conference", pk=found.pk)


@role_required(Role.SUPERVISOR)
@require_POST
def conference_held(request: HttpRequest, pk: int) -> HttpResponse:
    found = _conference_or_denial(request, pk)
    if isinstance(found, HttpResponse):
        return found
    conferences.mark_held(found, by=_user(request))
    messages.success(request, "Marked as held. Items not discussed will roll over to the next conference.")
    return redirect("caseload:conference", pk=found.pk)


@role_required(Role.SUPERVISOR)
@require_POST
def agenda_item(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    found = _conference_or_denial(request, pk)
    if isinstance(found, HttpResponse):
        return found
    item = get_object_or_404(AgendaItem.objects.select_related("patient"), pk=item_id, conference=found)
    form = AgendaItemForm(request.POST, prefix=f"i{item.pk}")
    if form.is_valid():
        d = form.cleaned_data
        conferences.record_discussion(
            item,
            by=_user(request),
            discussed=d["discussed"],
            notes=d["notes"],
            decision=d["decision"],
            task_assignee=d["task_assignee"],
            task_due_on=d["task_due_on"],
        )
        messages.success(request, "Agenda item saved.")
        return redirect("caseload:conference", pk=found.pk)
    items = list(
        found.items.select_related("patient", "task__assigned_to").order_by("rolled_from", "trigger", "id")
    )
    rows = [
        (
            i,
            form
            if i.pk == item.pk
            else AgendaItemForm(
                prefix=f"i{i.pk}",
                initial={"discussed": i.discussed, "notes": i.notes, "decision": i.decision},
            ),
        )
        for i in items
    ]
    return render(request, "caseload/conference.html", {"conference": found, "rows": rows}, status=400)
