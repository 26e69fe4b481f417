"""Next steps under a goal: owners, COACH levels, their tasks, and planning a goal backwards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.accounts.models import User
from tandem.careplans import tasks
from tandem.careplans.models import (
    NAMED_OWNER_KINDS,
    STAFF_OWNER_KINDS,
    Coaching,
    Goal,
    OwnerKind,
    Step,
    StepStatus,
)
from tandem.careplans.versions import claim, label, quote, record
from tandem.core.errors import ConflictError, DomainError
from tandem.core.permissions import CLINICAL_ROLES, can_view_patient
from tandem.patients.models import Patient

GRADUAL = "gradual"


# ---- Steps --------------------------------------------------------------------------------------


def eligible_owners(patient: Patient) -> QuerySet[User]:
    """Staff who may own a step: active care managers and supervisors who can open this record."""
    rule = Q(participations__patient=patient, participations__ended_on__isnull=True) | Q(
        primary_episodes__patient=patient
    )
    if patient.care_team_id is not None:
        rule |= Q(care_teams=patient.care_team_id) | Q(supervised_teams=patient.care_team_id)
    ids = User.objects.filter(rule).values("pk")
    return User.objects.filter(pk__in=ids, is_active=True, role__in=CLINICAL_ROLES).order_by(
        "last_name", "first_name"
    )


def _check_owner(
    patient: Patient, owner_kind: str, coaching: str, owner_user: User | None, owner_name: str
) -> tuple[User | None, str]:
    if owner_kind not in OwnerKind.values:
        raise DomainError(f"Unknown step owner {owner_kind!r}.")
    if coaching not in Coaching.values:
        raise DomainError("Choose who does it: I do, we do or you do.")
    if coaching == Coaching.YOU_DO and owner_kind != OwnerKind.PATIENT:
        raise DomainError("'You do' means the patient does it on their own: make the patient the owner.")
    if coaching == Coaching.I_DO and owner_kind == OwnerKind.PATIENT:
        raise DomainError(
            "'I do' means someone else does it for now: choose 'we do' or 'you do' for the patient."
        )
    if owner_kind in STAFF_OWNER_KINDS:
        if owner_user is None:
            raise DomainError("Choose the staff member who owns this step.")
        if (
            not owner_user.is_active
            or owner_user.role not in CLINICAL_ROLES
            or not can_view_patient(owner_user, patient)
        ):
            raise DomainError("The step's owner must be on this patient's care team.")
        return owner_user, ""
    if owner_kind in NAMED_OWNER_KINDS:
        if not owner_name.strip():
            raise DomainError("Name the caregiver or community partner who owns this step.")
        return None, owner_name.strip()
    return None, ""


@transaction.atomic
def add_step(
    goal: Goal,
    *,
    by: User | None,
    expected_version: int | None,
    description: str,
    owner_kind: str,
    coaching: str,
    due_on: date,
    owner_user: User | None = None,
    owner_name: str = "",
) -> Step:
    """Add a next step; anything but a 'you do' step becomes a task (see `tasks.assignee`)."""
    step = _new_step(goal, description, owner_kind, coaching, due_on, owner_user, owner_name)
    claim(goal.care_plan, expected_version)
    step.save()
    tasks.sync(step, by=by)
    record(
        goal.care_plan, by=by, summary=f"Step added to goal {quote(goal.text)}: {quote(step.description)}."
    )
    return step


def _new_step(
    goal: Goal,
    description: str,
    owner_kind: str,
    coaching: str,
    due_on: date,
    owner_user: User | None,
    owner_name: str,
) -> Step:
    if not description.strip():
        raise DomainError("Describe the step.")
    if not goal.is_open:
        raise ConflictError("Steps are added to goals still being worked on.")
    user, name = _check_owner(goal.care_plan.patient, owner_kind, coaching, owner_user, owner_name)
    return Step(
        goal=goal,
        description=description.strip(),
        owner_kind=owner_kind,
        owner_user=user,
        owner_name=name,
        coaching=coaching,
        due_on=due_on,
    )


STEP_FIELDS = ("description", "owner_kind", "owner_user", "owner_name", "coaching", "due_on")


@transaction.atomic
def update_step(
    step: Step, changes: dict[str, Any], *, by: User | None, expected_version: int | None
) -> Step:
    """Edit a step; its task follows (new owner, new date, or cancelled when it becomes 'you do')."""
    unknown = set(changes) - set(STEP_FIELDS)
    if unknown:
        raise DomainError(f"These step fields cannot be changed here: {', '.join(sorted(unknown))}.")
    merged = {k: changes.get(k, getattr(step, k)) for k in STEP_FIELDS}
    if not str(merged["description"]).strip():
        raise DomainError("Describe the step.")
    user, name = _check_owner(
        step.goal.care_plan.patient,
        merged["owner_kind"],
        merged["coaching"],
        merged["owner_user"],
        merged["owner_name"],
    )
    merged.update(owner_user=user, owner_name=name, description=str(merged["description"]).strip())
    changed = [k for k in STEP_FIELDS if getattr(step, k) != merged[k]]
    if not changed:
        return step  # saving what is already there changes nothing and takes no version
    claim(step.goal.care_plan, expected_version)
    for key in changed:
        setattr(step, key, merged[key])
    step.save()
    tasks.sync(step, by=by)
    labels = ", ".join(label(Step, k) for k in changed)
    record(step.goal.care_plan, by=by, summary=f"Step {quote(step.description)} edited: {labels}.")
    return step


@transaction.atomic
def set_step_status(
    step: Step, status: str, *, by: User | None, expected_version: int | None, on: date | None = None
) -> Step:
    """Mark a step done or cancelled (its task follows), or planned again."""
    if status not in StepStatus.values:
        raise DomainError(f"Unknown step status {status!r}.")
    if status == step.status:
        raise ConflictError(f"This step is already {StepStatus(status).label.lower()}.")
    when = on or timezone.localdate()
    if status == StepStatus.DONE and when > timezone.localdate():
        raise DomainError("A step cannot be done in the future.")
    claim(step.goal.care_plan, expected_version)
    step.status = status
    step.completed_on = when if status == StepStatus.DONE else None
    step.save()
    tasks.sync(step, by=by)
    record(
        step.goal.care_plan,
        by=by,
        summary=f"Step {quote(step.description)} {StepStatus(status).label.lower()}.",
    )
    return step


# ---- Backward planning (COACH) ------------------------------------------------------------------


def backward_dates(target: date, count: int, interval_days: int) -> list[date]:
    """Due dates for `count` steps in order, the last on the target, each `interval_days` before the next."""
    if count < 1:
        raise DomainError("List at least one step.")
    if interval_days < 1:
        raise DomainError("Space the steps at least a day apart.")
    return [target - timedelta(days=interval_days * (count - 1 - i)) for i in range(count)]


def gradual_coaching(count: int) -> list[str]:
    """Hand a goal over in COACH order: the first steps 'I do', then 'we do', the last 'you do'."""
    levels = [Coaching.I_DO, Coaching.WE_DO, Coaching.YOU_DO]
    return [levels[2 - ((count - 1 - i) * 3) // count] for i in range(count)]


@transaction.atomic
def plan_backwards(
    goal: Goal,
    descriptions: Sequence[str],
    *,
    by: User,
    expected_version: int | None,
    interval_days: int,
    target: date | None = None,
    coaching: str = GRADUAL,
    today: date | None = None,
) -> list[Step]:
    """Work back from the goal's target date into dated steps, one `interval_days` apart.

    'I do' and 'we do' steps are the primary care manager's (the one planning, where there is none);
    'you do' steps are the patient's.
    """
    names = [d.strip() for d in descriptions if d.strip()]
    target = target or goal.target_date
    if target is None:
        raise DomainError("Set a target date for the goal to plan backwards from it.")
    dates = backward_dates(target, len(names), interval_days)
    today = today or timezone.localdate()
    if dates[0] < today:
        raise DomainError(
            f"The first step would be due on {dates[0]:%b %-d, %Y}, which has passed: choose a shorter "
            "interval, fewer steps or a later target date."
        )
    if coaching == GRADUAL:
        levels = gradual_coaching(len(names))
    elif coaching in Coaching.values:
        levels = [coaching] * len(names)
    else:
        raise DomainError("Choose how the steps hand over: gradually, or all the same way.")
    manager = goal.care_plan.episode.primary_care_manager or by
    steps = []
    for name, due, level in zip(names, dates, levels, strict=True):
        mine = level == Coaching.YOU_DO
        steps.append(
            _new_step(
                goal,
                name,
                OwnerKind.PATIENT if mine else OwnerKind.CARE_MANAGER,
                level,
                due,
                None if mine else manager,
                "",
            )
        )
    claim(goal.care_plan, expected_version)
    if goal.target_date != target:
        goal.target_date = target
        goal.save(update_fields=["target_date", "updated_at"])
    for step in steps:
        step.save()
        tasks.sync(step, by=by)
    record(
        goal.care_plan,
        by=by,
        summary=f"Goal {quote(goal.text)} planned backwards from {target:%b %-d, %Y} "
        f"into {len(steps)} steps.",
    )
    return steps
