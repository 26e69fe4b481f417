"""Team-level pages: the care manager's worklist, the supervisor's dashboard and case conferences."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tandem.accounts.models import Role, User
from tandem.caseload import conferences, dashboard, services
from tandem.caseload.forms import AgendaItemForm, ConferenceForm
from tandem.caseload.models import AgendaItem, CaseConference
from tandem.core import audit
from tandem.core.models import AuditAction
from tandem.core.permissions import CLINICAL_ROLES, deny, role_required


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@role_required(*CLINICAL_ROLES)
def worklist(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    work = services.worklist(_user(request), limit=None if show_all else services.SECTION_LIMIT)
    shown = len(work.contacts_shown) + len(work.assessments_shown) + len(work.tasks) + len(work.reapproaches)
    # A list of names is an access to each record; one line says how many rows were shown, never who.
    audit.record(AuditAction.VIEW, resource_type="caseload.worklist", detail=f"{shown} row(s)")
    return render(request, "caseload/worklist.html", {"work": work})


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
