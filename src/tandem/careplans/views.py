"""Care plan pages: the plan, goal and step forms, check-ins, backward planning and history.

Every form carries the plan version it was opened at. A save against an older version is refused by
the service (`StaleEdit`) before anything is written; the form comes back with the colleague's saved
values beside the user's own and the list of changes made since, and saving again keeps theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from tandem.accounts.models import User
from tandem.assessment.charts import trend_svg
from tandem.careplans import services
from tandem.careplans.forms import NEED_SUGGESTIONS, BackwardPlanForm, CheckInForm, GoalForm, StepForm
from tandem.careplans.models import CarePlan, Goal, GoalCheckIn, GoalStatus, PlanStatus, Step, StepStatus
from tandem.careplans.revisions import differences, step_owner
from tandem.core import audit
from tandem.core.errors import DomainError, StaleEdit
from tandem.core.permissions import CLINICAL_ROLES, patient_or_denial, role_required
from tandem.patients.models import Patient
from tandem.programs.models import EpisodeStatus
from tandem.programs.services import current_episode


@dataclass
class Found:
    patient: Patient
    plan: CarePlan | None
    user: User


def find_plan(request: HttpRequest, public_id: UUID, *, need_plan: bool = True) -> Found | HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    patient = found
    plan = services.current_plan(patient)
    if need_plan and plan is None:
        raise DomainError("This person has no care plan in progress; start one from the care plan page.")
    assert isinstance(request.user, User)
    return Found(patient, plan, request.user)


def _plan_url(patient: Patient, anchor: str = "") -> str:
    return reverse("careplans:plan", args=[patient.public_id]) + (f"#{anchor}" if anchor else "")


def _posted_version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError as exc:
        raise DomainError("Reload the care plan page and try again.") from exc


def _stale_message(request: HttpRequest, plan: CarePlan, version: int) -> None:
    since = " ".join(r.summary for r in services.revisions_since(plan, version))
    messages.error(
        request,
        f"{services.STALE_MESSAGE} Nothing was changed. Saved since you opened the page: "
        f"{since or 'see the version history.'} Here is the plan as it is now.",
    )


def _press(request: HttpRequest, plan: CarePlan, action: Callable[[int], object]) -> bool:
    """Run a button's change at the version the page showed; a stale page changes nothing."""
    version = _posted_version(request)
    try:
        action(version)
    except StaleEdit:
        _stale_message(request, plan, version)
        return False
    return True


def _shown(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.strftime("%b %-d, %Y")
    if isinstance(value, User):
        return value.display_name
    return str(value)


def _display(field: forms.Field, value: Any) -> str:
    choices = getattr(field, "choices", None)
    if choices is None or isinstance(field, forms.ModelChoiceField) or value in (None, ""):
        return _shown(value)
    return str(dict(choices).get(value, value))


def _conflict(form: Any, saved: Any, plan: CarePlan, version: int) -> dict[str, Any]:
    """Their saved values beside the user's unsaved ones, and what was saved since the form opened."""
    rows = []
    for name in form.Meta.fields if saved is not None else []:
        field = form.fields[name]
        mine, theirs = form.cleaned_data.get(name), getattr(saved, name)
        if _shown(theirs) != _shown(mine):
            rows.append(
                {"label": field.label, "theirs": _display(field, theirs), "mine": _display(field, mine)}
            )
    return {"rows": rows, "since": list(services.revisions_since(plan, version))}


def _rebind(form_class: Any, request: HttpRequest, plan: CarePlan, **kwargs: Any) -> Any:
    data = request.POST.copy()
    data["version"] = str(plan.version)
    form = form_class(data, **kwargs)
    form.is_valid()
    return form


# ---- The plan page ------------------------------------------------------------------------------


@role_required(*CLINICAL_ROLES)
def plan(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = find_plan(request, public_id, need_plan=False)
    if isinstance(found, HttpResponse):
        return found
    patient, care_plan = found.patient, found.plan
    audit.record_view(care_plan or patient, detail="care plan")
    episode = current_episode(patient)
    context: dict[str, Any] = {
        "patient": patient,
        "plan": care_plan,
        "can_start": care_plan is None and episode is not None and episode.status == EpisodeStatus.ENROLLED,
    }
    if care_plan is not None:
        context.update(_plan_context(care_plan))
    return render(request, "careplans/plan.html", context)


def _plan_context(care_plan: CarePlan) -> dict[str, Any]:
    goals = list(
        care_plan.goals.order_by("priority", "id").prefetch_related(
            Prefetch("steps", queryset=Step.objects.select_related("owner_user", "task__assigned_to")),
            Prefetch("check_ins", queryset=GoalCheckIn.objects.select_related("by")),
        )
    )
    open_goals = [g for g in goals if g.is_open]
    rows = [
        {
            "goal": g,
            "rank": n,
            "first": n == 1,
            "last": n == len(open_goals),
            "steps": [{"step": s, "owner": step_owner(s)} for s in g.steps.all()],
            "check_ins": list(g.check_ins.all())[:3],
        }
        for n, g in enumerate(open_goals, start=1)
    ]
    series = services.you_do_series(care_plan)
    chart: SafeString | None = None
    if series:
        points = [(d, round(v * 100, 1)) for d, v in series]
        chart = mark_safe(trend_svg("Share of 'you do' steps (%)", points, y_max=100, bands=[(50, "half")]))
    return {
        "rows": rows,
        "closed_goals": [g for g in goals if not g.is_open],
        "prompt": services.next_goal_prompt(care_plan),
        "share": round(services.you_do_share(care_plan) * 100),
        "chart": chart,
        "last_revision": care_plan.revisions.select_related("changed_by").first(),
        "today": timezone.localdate(),
    }


@role_required(*CLINICAL_ROLES)
def start(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = find_plan(request, public_id, need_plan=False)
    if isinstance(found, HttpResponse):
        return found
    if request.method == "POST":
        episode = current_episode(found.patient)
        if episode is None or not episode.is_open:
            raise DomainError("A care plan is co-created once the person is enrolled.")
        services.start_plan(episode, by=found.user)
        messages.success(request, "Care plan started. Begin with what matters most to them, in their words.")
    return redirect(_plan_url(found.patient))


@role_required(*CLINICAL_ROLES)
def plan_status(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = find_plan(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    assert found.plan is not None
    if request.method == "POST":
        plan, status = found.plan, request.POST.get("status", "")
        if status not in PlanStatus.values:
            raise DomainError("Choose the plan's new status.")
        if _press(
            request, plan, lambda v: services.set_plan_status(plan, status, by=found.user, expected_version=v)
        ):
            messages.success(request, f"Plan marked {PlanStatus(status).label.lower()}.")
    return redirect(_plan_url(found.patient))


@role_required(*CLINICAL_ROLES)
def history(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = find_plan(request, public_id, need_plan=False)
    if isinstance(found, HttpResponse):
        return found
    plans = list(CarePlan.objects.filter(patient=found.patient).order_by("-created_at"))
    audit.record_view(found.patient, detail="care plan history")
    sections = []
    for p in plans:
        revisions = list(p.revisions.select_related("changed_by").order_by("version"))
        entries = []
        previous = None
        for r in revisions:
            entries.append({"revision": r, "changes": differences(previous, r.snapshot)})
            previous = r.snapshot
        sections.append({"plan": p, "entries": list(reversed(entries))})
    return render(request, "careplans/history.html", {"patient": found.patient, "sections": sections})


# ---- Goals --------------------------------------------------------------------------------------


@role_required(*CLINICAL_ROLES)
def goal_form(request: HttpRequest, public_id: UUID, goal_id: int | None = None) -> HttpResponse:
    found = find_plan(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    care_plan = found.plan
    assert care_plan is not None
    goal = get_object_or_404(Goal, pk=goal_id, care_plan=care_plan) if goal_id else None
    conflict = None
    if request.method == "POST":
        form = GoalForm(request.POST, instance=Goal.objects.get(pk=goal.pk) if goal else None)
        if form.is_valid():
            version = form.cleaned_data["version"]
            try:
                if goal is None:
                    data = form.changes()
                    data.pop("achieved_on")
                    goal = services.add_goal(care_plan, by=found.user, expected_version=version, **data)
                    messages.success(request, "Goal added.")
                else:
                    services.update_goal(goal, form.changes(), by=found.user, expected_version=version)
                    messages.success(request, "Goal saved.")
                return redirect(_plan_url(found.patient, f"goal-{goal.pk}"))
            except StaleEdit:
                care_plan.refresh_from_db()
                saved = Goal.objects.filter(pk=goal.pk).first() if goal else None
                conflict = _conflict(form, saved, care_plan, version)
                form = _rebind(GoalForm, request, care_plan, instance=saved)
            except DomainError as exc:
                form.add_error(None, exc.message)
    else:
        audit.record_view(goal or care_plan, detail="goal form")
        initial: dict[str, Any] = {"version": care_plan.version}
        if goal is None and request.GET.get("after"):
            initial["status"] = GoalStatus.ACTIVE
        form = GoalForm(instance=goal, initial=initial)
    return render(
        request,
        "careplans/goal_form.html",
        {
            "patient": found.patient,
            "plan": care_plan,
            "goal": goal,
            "form": form,
            "conflict": conflict,
            "needs": NEED_SUGGESTIONS,
        },
    )


@role_required(*CLINICAL_ROLES)
def goal_move(request: HttpRequest, public_id: UUID, goal_id: int) -> HttpResponse:
    found = find_plan(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    assert found.plan is not None
    goal = get_object_or_404(Goal, pk=goal_id, care_plan=found.plan)
    if request.method == "POST":
        direction = request.POST.get("direction", "")
        _press(
            request,
            found.plan,
            lambda v: services.move_goal(goal, direction, by=found.user, expected_version=v),
        )
    return redirect(_plan_url(found.patient, f"goal-{goal.pk}"))


@role_required(*CLINICAL_ROLES)
def goal_status(request: HttpRequest, public_id: UUID, goal_id: int) -> HttpResponse:
    found = find_plan(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    assert found.plan is not None
    goal = get_object_or_404(Goal, pk=goal_id, care_plan=found.plan)
    if request.method == "POST":
        status = request.POST.get("status", "")
        if not _press(
            request,
            found.plan,
            lambda v: services.set_goal_status(goal, status, by=found.user, expected_version=v),
        ):
            return redirect(_plan_url(found.patient))
        if status == GoalStatus.ACHIEVED:
            messages.success(
                request, "Goal achieved — well done to them. Ask what they would like to work on next."
            )
            return redirect(_plan_url(found.patient, "next-goal"))
        messages.success(request, f"Goal marked {GoalStatus(status).label.lower()}.")
    return redirect(_plan_url(found.patient, f"goal-{goal.pk}"))


@role_required(*CLINICAL_ROLES)
def check_in(request: HttpRequest, public_id: UUID, goal_id: int) -> HttpResponse:
    found = find_plan(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    assert found.plan is not None
    goal = get_object_or_404(Goal, pk=goal_id, care_plan=found.plan)
    form = CheckInForm(request.POST or None, initial={"checked_on": timezone.localdate()})
    if request.method == "GET":
        audit.record_view(goal, detail="check-in form")
    if request.method == "POST" and form.is_valid():
        try:
            services.check_in(
                goal,
                by=found.user,
                rating=form.cleaned_data["rating"],
                note=form.cleaned_data["note"],
                on=form.cleaned_data["checked_on"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Check-in saved.")
            return redirect(_plan_url(found.patient, f"goal-{goal.pk}"))
    previous = goal.check_ins.select_related("by")[:10]
    return render(
        request,
        "careplans/check_in_form.html",
        {"patient": found.patient, "goal": goal, "form": form, "previous": previous},
    )


@role_required(*CLINICAL_ROLES)
def backward_plan(request: HttpRequest, public_id: UUID, goal_id: int) -> HttpResponse:
    found = find_plan(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    care_plan = found.plan
    assert care_plan is not None
    goal = get_object_or_404(Goal, pk=goal_id, care_plan=care_plan)
    conflict = None
    if request.method == "POST":
        form = BackwardPlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                steps = services.plan_backwards(
                    goal,
                    data["steps"],
                    by=found.user,
                    expected_version=data["version"],
                    interval_days=data["interval_days"],
                    target=data["target_date"],
                    coaching=data["coaching"],
                )
            except StaleEdit:
                care_plan.refresh_from_db()
                conflict = {"rows": [], "since": list(services.revisions_since(care_plan, data["version"]))}
                form = _rebind(BackwardPlanForm, request, care_plan)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, f"{len(steps)} dated steps added, working back from the target date."
                )
                return redirect(_plan_url(found.patient, f"goal-{goal.pk}"))
    else:
        audit.record_view(goal, detail="backward planning form")
        form = BackwardPlanForm(initial={"version": care_plan.version, "target_date": goal.target_date})
    return render(
        request,
        "careplans/backward_form.html",
        {"patient": found.patient, "goal": goal, "form": form, "conflict": conflict},
    )


# ---- Steps --------------------------------------------------------------------------------------


@role_required(*CLINICAL_ROLES)
def step_form(
    request: HttpRequest, public_id: UUID, goal_id: int | None = None, step_id: int | None = None
) -> HttpResponse:
    found = find_plan(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    care_plan = found.plan
    assert care_plan is not None
    step = get_object_or_404(Step, pk=step_id, goal__care_plan=care_plan) if step_id else None
    goal = step.goal if step else get_object_or_404(Goal, pk=goal_id, care_plan=care_plan)
    owners = services.eligible_owners(found.patient)
    conflict = None
    if request.method == "POST":
        form = StepForm(request.POST, instance=Step.objects.get(pk=step.pk) if step else None, owners=owners)
        if form.is_valid():
            version = form.cleaned_data["version"]
            try:
                if step is None:
                    step = services.add_step(goal, by=found.user, expected_version=version, **form.changes())
                    messages.success(request, "Step added.")
                else:
                    services.update_step(step, form.changes(), by=found.user, expected_version=version)
                    messages.success(request, "Step saved.")
                return redirect(_plan_url(found.patient, f"goal-{goal.pk}"))
            except StaleEdit:
                care_plan.refresh_from_db()
                saved = Step.objects.filter(pk=step.pk).first() if step else None
                conflict = _conflict(form, saved, care_plan, version)
                form = _rebind(StepForm, request, care_plan, instance=saved, owners=owners)
            except DomainError as exc:
                form.add_error(None, exc.message)
    else:
        audit.record_view(step or goal, detail="step form")
        initial: dict[str, Any] = {"version": care_plan.version}
        if step is None:
            initial.update(owner_kind="patient", coaching="we_do")
        form = StepForm(instance=step, initial=initial, owners=owners)
    return render(
        request,
        "careplans/step_form.html",
        {"patient": found.patient, "goal": goal, "step": step, "form": form, "conflict": conflict},
    )


@role_required(*CLINICAL_ROLES)
def step_status(request: HttpRequest, public_id: UUID, step_id: int) -> HttpResponse:
    found = find_plan(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    assert found.plan is not None
    step = get_object_or_404(Step, pk=step_id, goal__care_plan=found.plan)
    if request.method == "POST":
        status = request.POST.get("status", "")
        if _press(
            request,
            found.plan,
            lambda v: services.set_step_status(step, status, by=found.user, expected_version=v),
        ):
            messages.success(request, f"Step marked {StepStatus(status).label.lower()}.")
    return redirect(_plan_url(found.patient, f"goal-{step.goal_id}"))
