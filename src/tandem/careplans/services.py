"""Care plan rules: the plan, goals in the patient's order, check-ins and the "you do" share.

Every change to a plan goes through `versions.claim` (compare-and-set on `CarePlan.version`: a form
opened at an older version raises `StaleEdit` before anything is written) and ends with
`versions.record` (a `PlanRevision` with a snapshot). Check-ins are progress notes, not plan edits:
they neither bump the version nor make a colleague's open form stale. Steps and backward planning
live in `steps.py` and are re-exported here, so callers need one module.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from tandem.accounts.models import User
from tandem.careplans import tasks
from tandem.careplans.models import (
    CURRENT_PLAN_STATUSES,
    CarePlan,
    Coaching,
    Goal,
    GoalCheckIn,
    GoalStatus,
    PlanStatus,
    Step,
    StepStatus,
)
from tandem.careplans.steps import GRADUAL as GRADUAL
from tandem.careplans.steps import add_step as add_step
from tandem.careplans.steps import backward_dates as backward_dates
from tandem.careplans.steps import eligible_owners as eligible_owners
from tandem.careplans.steps import gradual_coaching as gradual_coaching
from tandem.careplans.steps import plan_backwards as plan_backwards
from tandem.careplans.steps import set_step_status as set_step_status
from tandem.careplans.steps import update_step as update_step
from tandem.careplans.versions import STALE_MESSAGE as STALE_MESSAGE
from tandem.careplans.versions import claim, label, quote, record
from tandem.careplans.versions import revisions_since as revisions_since
from tandem.core.errors import ConflictError, DomainError
from tandem.patients.models import Patient
from tandem.programs.models import Episode, EpisodeStatus

# A done step still counts toward the "you do" share for this long after it was done, so the share
# reflects what the plan asks of the patient lately rather than everything since enrollment.
RECENT_STEP_DAYS = 30


# ---- Plans -------------------------------------------------------------------------------------


def current_plan(patient: Patient) -> CarePlan | None:
    """The draft or agreed plan of the patient's open episode, if there is one."""
    return (
        CarePlan.objects.filter(patient=patient, status__in=CURRENT_PLAN_STATUSES)
        .select_related("episode__primary_care_manager", "episode__program")
        .order_by("-created_at")
        .first()
    )


@transaction.atomic
def start_plan(episode: Episode, *, by: User | None) -> CarePlan:
    """Open a draft plan for an enrolled episode; one plan in progress per episode."""
    if episode.status != EpisodeStatus.ENROLLED:
        raise DomainError("A care plan is co-created once the person is enrolled.")
    try:
        with transaction.atomic():
            plan = CarePlan.objects.create(patient=episode.patient, episode=episode)
    except IntegrityError as exc:
        raise ConflictError("This person already has a care plan in progress.") from exc
    record(plan, by=by, summary="Plan started.")
    return plan


@transaction.atomic
def set_plan_status(
    plan: CarePlan, status: str, *, by: User | None, expected_version: int | None
) -> CarePlan:
    """Mark a draft agreed with the patient, or close the plan (its open tasks are cancelled)."""
    allowed = {
        PlanStatus.DRAFT: {PlanStatus.ACTIVE, PlanStatus.CLOSED},
        PlanStatus.ACTIVE: {PlanStatus.CLOSED},
    }
    if status not in allowed.get(PlanStatus(plan.status), set()):
        raise ConflictError(
            f"A plan that is {PlanStatus(plan.status).label.lower()} cannot become "
            f"{PlanStatus(status).label.lower()}."
        )
    claim(plan, expected_version)
    plan.status = status
    plan.save(update_fields=["status", "updated_at"])
    if status == PlanStatus.CLOSED:
        for step in Step.objects.filter(goal__care_plan=plan, status=StepStatus.PLANNED).select_related(
            "task"
        ):
            tasks.cancel(step)
    record(plan, by=by, summary=f"Plan marked {PlanStatus(status).label.lower()}.")
    return plan


# ---- Goals --------------------------------------------------------------------------------------


@transaction.atomic
def add_goal(
    plan: CarePlan,
    *,
    by: User | None,
    expected_version: int | None,
    text: str,
    why_it_matters: str = "",
    linked_need: str = "",
    target_date: date | None = None,
    status: str = GoalStatus.PROPOSED,
    self_managed: bool = False,
) -> Goal:
    """Add a goal in the patient's own words at the end of their order."""
    if not text.strip():
        raise DomainError("Write the goal in the patient's own words.")
    _check_status(status, None)
    claim(plan, expected_version)
    last = plan.goals.aggregate(m=Max("priority"))["m"] or 0
    goal = Goal(
        care_plan=plan,
        text=text.strip(),
        why_it_matters=why_it_matters.strip(),
        linked_need=linked_need.strip(),
        target_date=target_date,
        priority=last + 1,
        self_managed=self_managed,
    )
    _apply_status(goal, status, on=None)
    goal.save()
    record(plan, by=by, summary=f"Goal added: {quote(goal.text)}.")
    return goal


GOAL_FIELDS = (
    "text",
    "why_it_matters",
    "linked_need",
    "target_date",
    "status",
    "self_managed",
    "achieved_on",
)


@transaction.atomic
def update_goal(
    goal: Goal, changes: dict[str, Any], *, by: User | None, expected_version: int | None
) -> Goal:
    """Edit a goal's words, reason, need, target, status or self-management."""
    unknown = set(changes) - set(GOAL_FIELDS)
    if unknown:
        raise DomainError(f"These goal fields cannot be changed here: {', '.join(sorted(unknown))}.")
    values: dict[str, Any] = {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}
    status: str = values.pop("status", goal.status)
    achieved_on: date | None = values.pop("achieved_on", None)
    if "text" in values and not values["text"]:
        raise DomainError("Write the goal in the patient's own words.")
    _check_status(status, achieved_on)
    changed = [k for k, v in values.items() if getattr(goal, k) != v]
    if status != goal.status:
        changed.append("status")
    elif status == GoalStatus.ACHIEVED and achieved_on and achieved_on != goal.achieved_on:
        changed.append("achieved_on")
    if not changed:
        return goal  # saving what is already there changes nothing and takes no version
    plan = goal.care_plan
    claim(plan, expected_version)
    for key in changed:
        if key in values:
            setattr(goal, key, values[key])
    if "status" in changed or "achieved_on" in changed:
        _apply_status(goal, status, on=achieved_on)
    goal.save()
    _after_status(goal, by=by)
    labels = ", ".join(label(Goal, k) for k in changed)
    record(plan, by=by, summary=f"Goal {quote(goal.text)} edited: {labels}.")
    return goal


@transaction.atomic
def set_goal_status(
    goal: Goal, status: str, *, by: User | None, expected_version: int | None, on: date | None = None
) -> Goal:
    """Move a goal to a new status; achieving it dates it, and the plan then asks for the next goal."""
    _check_status(status, on)
    if status == goal.status:
        raise ConflictError(f"This goal is already {GoalStatus(status).label.lower()}.")
    claim(goal.care_plan, expected_version)
    _apply_status(goal, status, on=on)
    goal.save()
    _after_status(goal, by=by)
    record(goal.care_plan, by=by, summary=f"Goal {quote(goal.text)} {GoalStatus(status).label.lower()}.")
    return goal


def _check_status(status: str, on: date | None) -> None:
    if status not in GoalStatus.values:
        raise DomainError(f"Unknown goal status {status!r}.")
    if status == GoalStatus.ACHIEVED and on is not None and on > timezone.localdate():
        raise DomainError("A goal cannot be achieved in the future.")


def _apply_status(goal: Goal, status: str, *, on: date | None) -> None:
    if status == GoalStatus.ACHIEVED:
        goal.achieved_on = on or goal.achieved_on or timezone.localdate()
        if goal.status != GoalStatus.ACHIEVED:
            goal.achieved_at = timezone.now()
    else:
        goal.achieved_on = None
        goal.achieved_at = None
    goal.status = status


def _after_status(goal: Goal, *, by: User | None) -> None:
    # A dropped goal's planned steps are no one's to do any more: cancel them and their tasks.
    if goal.status != GoalStatus.DROPPED:
        return
    for step in goal.steps.filter(status=StepStatus.PLANNED).select_related("task"):
        step.status = StepStatus.CANCELLED
        step.save()
        tasks.sync(step, by=by)


def next_goal_prompt(plan: CarePlan) -> Goal | None:
    """The goal just achieved, while no goal has been added since: the plan asks what comes next."""
    latest = (
        plan.goals.filter(status=GoalStatus.ACHIEVED, achieved_at__isnull=False)
        .order_by("-achieved_at")
        .first()
    )
    if latest is None or latest.achieved_at is None:
        return None
    if plan.goals.filter(created_at__gt=latest.achieved_at).exists():
        return None
    return latest


@transaction.atomic
def move_goal(goal: Goal, direction: str, *, by: User | None, expected_version: int | None) -> Goal:
    """Move an open goal one place up or down in the patient's order."""
    if direction not in ("up", "down"):
        raise DomainError("Move a goal up or down.")
    if not goal.is_open:
        raise ConflictError("Only goals still being worked on are put in order.")
    order = open_goals(goal.care_plan)
    index = next(i for i, g in enumerate(order) if g.pk == goal.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(order):
        raise ConflictError(f"This goal is already {'first' if direction == 'up' else 'last'}.")
    order[index], order[other] = order[other], order[index]
    reorder_goals(goal.care_plan, order, by=by, expected_version=expected_version)
    goal.refresh_from_db()
    return goal


@transaction.atomic
def reorder_goals(
    plan: CarePlan, order: Sequence[Goal], *, by: User | None, expected_version: int | None
) -> list[Goal]:
    """Put the open goals in the patient's order; achieved and dropped goals follow them."""
    current = list(plan.goals.order_by("priority", "id"))
    open_ids = {g.pk for g in current if g.is_open}
    wanted = [g.pk for g in order]
    if set(wanted) != open_ids or len(wanted) != len(open_ids):
        raise DomainError("Give every goal still being worked on exactly once.")
    claim(plan, expected_version)
    by_id = {g.pk: g for g in current}
    ordered = [by_id[pk] for pk in wanted] + [g for g in current if not g.is_open]
    for n, goal in enumerate(ordered, start=1):
        if goal.priority != n:
            goal.priority = n
            goal.save(update_fields=["priority", "updated_at"])  # one by one, so each reaches the audit trail
    first = by_id[wanted[0]] if wanted else None
    summary = f"Goals reordered; first is now {quote(first.text)}." if first else "Goals reordered."
    record(plan, by=by, summary=summary)
    return ordered


def open_goals(plan: CarePlan) -> list[Goal]:
    """Goals still being worked on, in the patient's order."""
    return [g for g in plan.goals.order_by("priority", "id") if g.is_open]


# ---- Check-ins ----------------------------------------------------------------------------------


def check_in(goal: Goal, *, by: User | None, rating: int, note: str, on: date | None = None) -> GoalCheckIn:
    """Record how the patient rates their progress on a goal (0-10, their view) at a contact."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= 10:
        raise DomainError("The progress rating is a whole number from 0 to 10.")
    when = on or timezone.localdate()
    if when > timezone.localdate():
        raise DomainError("A check-in cannot be dated in the future.")
    if not goal.care_plan.is_current:
        raise ConflictError("This care plan is closed.")
    if goal.status == GoalStatus.DROPPED:
        raise ConflictError("This goal was dropped; check in on the goals still being worked on.")
    return GoalCheckIn.objects.create(goal=goal, checked_on=when, rating=rating, note=note.strip(), by=by)


# ---- The "you do" share -------------------------------------------------------------------------


def _counts_on(step: Step, day: date) -> bool:
    if step.status == StepStatus.CANCELLED or timezone.localdate(step.created_at) > day:
        return False
    done = step.completed_on
    return done is None or done > day or (day - done).days <= RECENT_STEP_DAYS


def _share(steps: Sequence[Step], day: date) -> float:
    live = [s for s in steps if _counts_on(s, day)]
    if not live:
        return 0.0
    return sum(1 for s in live if s.coaching == Coaching.YOU_DO) / len(live)


def you_do_share(care_plan: CarePlan, *, on: date | None = None) -> float:
    """Share (0.0-1.0) of the plan's steps the patient does on their own, as the plan stood on `on`.

    Counted over the steps that existed that day (by creation date), not cancelled, and either still
    to do or done within the last 30 days (by completion date).
    """
    return _share(list(Step.objects.filter(goal__care_plan=care_plan)), on or timezone.localdate())


def you_do_series(care_plan: CarePlan, *, on: date | None = None) -> list[tuple[date, float]]:
    """The share at the end of each month since the first step, the last point being `on`."""
    steps = list(Step.objects.filter(goal__care_plan=care_plan))
    end = on or timezone.localdate()
    if not steps:
        return []
    first = min(timezone.localdate(s.created_at) for s in steps)
    points = []
    year, month = first.year, first.month
    while (year, month) <= (end.year, end.month):
        day = min(date(year, month, calendar.monthrange(year, month)[1]), end)
        points.append((day, _share(steps, day)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return points
