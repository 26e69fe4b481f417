"""Next steps as caseload tasks, and back.

Who gets the task (the rule the docs describe):
- a step owned by a staff member (care manager or team member): that person, whatever the coaching;
- a "we do" or "I do" step owned by the patient, a caregiver or a community partner: the episode's
  primary care manager, who does it with them or follows it up;
- a "you do" step: no task. It is the patient's on their own; it is reviewed at check-ins, not chased.
Completing, cancelling or re-planning the step completes, cancels or reopens its task; completing the
task on a worklist completes the step (`signals.py`).
"""

from __future__ import annotations

from django.utils import timezone

from tandem.accounts.models import User
from tandem.careplans.models import STAFF_OWNER_KINDS, Coaching, Step, StepStatus
from tandem.caseload.models import Task, TaskKind, TaskPriority, TaskStatus

SOURCE_PREFIX = "careplan-step:"


def assignee(step: Step, *, by: User | None = None) -> User | None:
    """Who the step's task belongs to, or None when the step needs no task."""
    if step.status != StepStatus.PLANNED or step.coaching == Coaching.YOU_DO:
        return None
    if step.owner_kind in STAFF_OWNER_KINDS and step.owner_user is not None:
        return step.owner_user
    return step.goal.care_plan.episode.primary_care_manager or by


def sync(step: Step, *, by: User | None) -> Task | None:
    """Bring the step's task in line with the step: create, update, complete or cancel it."""
    task = step.task
    if step.status == StepStatus.DONE:
        if task is not None and task.status == TaskStatus.OPEN:
            task.status = TaskStatus.DONE
            task.completed_at = timezone.now()
            task.save()
        return task
    who = assignee(step, by=by)
    if who is None:
        cancel(step)
        return step.task
    title = f"Care plan step: {step.description}"[:200]
    if task is None or task.status != TaskStatus.OPEN:
        task = Task.objects.create(
            patient_id=step.goal.care_plan.patient_id,
            kind=TaskKind.NEXT_STEP,
            priority=TaskPriority.NORMAL,
            title=title,
            detail=f"{Coaching(step.coaching).label}. Toward the goal: {step.goal.text}"[:2000],
            due_on=step.due_on,
            assigned_to=who,
            created_by=by,
            source=f"{SOURCE_PREFIX}{step.pk}",
        )
        step.task = task
        step.save(update_fields=["task", "updated_at"])
        return task
    if (task.title, task.due_on, task.assigned_to_id) != (title, step.due_on, who.pk):
        task.title, task.due_on, task.assigned_to = title, step.due_on, who
        task.save()
    return task


def cancel(step: Step) -> None:
    """Cancel the step's open task, if any (the step itself is left as it is)."""
    task = step.task
    if task is not None and task.status == TaskStatus.OPEN:
        task.status = TaskStatus.CANCELLED
        task.save()
