"""Tasks: what someone on the team has to do for a patient, and by when."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.core.audit import audited
from tandem.core.models import TimeStampedModel
from tandem.patients.models import Patient


class TaskKind(models.TextChoices):
    SAFETY_ALERT = "safety_alert", "Safety alert"
    NEXT_STEP = "next_step", "Care plan next step"
    CONTACT_DUE = "contact_due", "Contact due"
    REAPPROACH = "reapproach", "Re-approach"
    OTHER = "other", "Other"


class TaskPriority(models.TextChoices):
    URGENT = "urgent", "Urgent — today"
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


@audited(lambda t: t.patient_id)
class Task(TimeStampedModel):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=16, choices=TaskKind.choices, default=TaskKind.OTHER)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    priority = models.CharField(max_length=8, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    due_on = models.DateField()
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks")
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=64, blank=True, help_text="What raised the task, e.g. phq9:123")

    class Meta:
        ordering = ["status", "due_on", "-priority"]
        indexes = [models.Index(fields=["assigned_to", "status", "due_on"], name="task_worklist")]

    def __str__(self) -> str:
        return f"Task {self.pk} ({self.kind})"
