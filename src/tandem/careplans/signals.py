"""A next-step task completed anywhere (a worklist, the admin) completes its care plan step."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.utils import timezone

from tandem.caseload.models import Task, TaskStatus


def _task_saved(sender: type[Task], instance: Task, created: bool, **kwargs: Any) -> None:
    if created or instance.status != TaskStatus.DONE:
        return
    from tandem.careplans import services
    from tandem.careplans.models import StepStatus
    from tandem.core import audit

    user = audit.current().user
    by = user if getattr(user, "is_authenticated", False) else None
    done_on = timezone.localdate(instance.completed_at) if instance.completed_at else None
    for step in instance.plan_steps.filter(status=StepStatus.PLANNED).select_related("goal__care_plan"):
        if step.goal.care_plan.is_current:
            # No form was opened here, so there is no version to be stale against.
            services.set_step_status(step, StepStatus.DONE, by=by, expected_version=None, on=done_on)


def connect() -> None:
    post_save.connect(_task_saved, sender=Task, dispatch_uid="careplans-task-done", weak=False)
