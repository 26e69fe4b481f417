"""Tasks, contacts, care events, cadences, case conferences and graduation handoffs."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

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


class ProgramCadence(TimeStampedModel):
    """A program's contact cadence per tier and its graduation criteria.

    Kept here rather than on Program so the caseload rules can change without touching the
    enrollment app; a program without a row uses the defaults below (see `services.cadence_for`).
    """

    program = models.OneToOneField("programs.Program", on_delete=models.CASCADE, related_name="cadence")
    high_days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1)])
    medium_days = models.PositiveSmallIntegerField(default=14, validators=[MinValueValidator(1)])
    low_days = models.PositiveSmallIntegerField(default=30, validators=[MinValueValidator(1)])
    graduation_acute_free_days = models.PositiveSmallIntegerField(
        default=90, help_text="No inpatient admission or ED visit in this many days."
    )
    graduation_min_confidence = models.PositiveSmallIntegerField(
        default=7, validators=[MaxValueValidator(10)], help_text="Self-management confidence (0-10)."
    )
    graduation_pcp_within_days = models.PositiveSmallIntegerField(
        default=180, help_text="A primary care visit kept within this many days."
    )
    graduation_top_goals = models.PositiveSmallIntegerField(
        default=3, help_text="How many of the patient's top-priority goals must be achieved or self-managed."
    )

    def __str__(self) -> str:
        return f"Cadence for program {self.program_id}"


class ContactMode(models.TextChoices):
    HOME = "in_person_home", "In person — at home"
    CLINIC = "in_person_clinic", "In person — at the clinic"
    COMMUNITY = "in_person_community", "In person — in the community"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video"
    TEXT = "text", "Text messages"


@audited(lambda c: c.patient_id)
class Contact(TimeStampedModel):
    """One contact with an enrolled patient; minutes are kept because care management is billed by time."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="contacts")
    episode = models.ForeignKey("programs.Episode", on_delete=models.CASCADE, related_name="contacts")
    occurred_on = models.DateField()
    mode = models.CharField(max_length=24, choices=ContactMode.choices)
    duration_minutes = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="contacts_attended")
    patient_present = models.BooleanField(default=True)
    caregiver_present = models.BooleanField(default=False)
    caregiver_name = models.CharField(max_length=120, blank=True)
    note = models.TextField(blank=True)
    self_management_confidence = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["episode", "occurred_on"], name="contact_episode_date")]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="contact_duration_positive"),
            models.CheckConstraint(
                condition=Q(self_management_confidence__isnull=True) | Q(self_management_confidence__lte=10),
                name="contact_confidence_0_10",
            ),
        ]

    def __str__(self) -> str:
        return f"Contact {self.pk}"


class CareEventKind(models.TextChoices):
    IP_ADMISSION = "ip_admission", "Inpatient admission"
    ED_VISIT = "ed_visit", "Emergency department visit"
    PCP_KEPT = "pcp_visit_kept", "Primary care visit kept"
    PCP_MISSED = "pcp_visit_missed", "Primary care visit missed"


ACUTE_KINDS = (CareEventKind.IP_ADMISSION, CareEventKind.ED_VISIT)


class CareEventSource(models.TextChoices):
    REPORTED = "reported", "Reported (patient, family or facility)"
    CLAIMS = "claims", "Claims"


@audited(lambda e: e.patient_id)
class CareEvent(TimeStampedModel):
    """Hospital, ED and primary-care use: what case conferences react to and graduation looks back on."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_events")
    kind = models.CharField(max_length=20, choices=CareEventKind.choices)
    occurred_on = models.DateField()
    source = models.CharField(
        max_length=10, choices=CareEventSource.choices, default=CareEventSource.REPORTED
    )
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["patient", "kind", "occurred_on"], name="care_event_patient_kind")]

    def __str__(self) -> str:
        return f"Care event {self.pk} ({self.kind})"


@audited(lambda f: f.patient_id)
class StaffFlag(TimeStampedModel):
    """A team member asks for a patient to be discussed at the next case conference."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="staff_flags")
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    agenda_item = models.ForeignKey(
        "AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="flags"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Staff flag {self.pk}"


class ConferenceStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"


class CaseConference(TimeStampedModel):
    team = models.ForeignKey("accounts.CareTeam", on_delete=models.PROTECT, related_name="conferences")
    held_on = models.DateField()
    status = models.CharField(
        max_length=8, choices=ConferenceStatus.choices, default=ConferenceStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Case conference {self.pk}"


class AgendaTrigger(models.TextChoices):
    ACUTE = "new_admission_or_ed", "New admission or ED visit"
    SAFETY = "safety_alert", "Safety alert"
    GOAL_STALLED = "goal_no_progress_4w", "A goal with no progress for 4 weeks"
    OVERDUE = "overdue_contacts", "Overdue contacts"
    GRADUATION = "graduation_ready", "Ready to graduate"
    STAFF_FLAG = "staff_flag", "Flagged by staff"


@audited(lambda a: a.patient_id)
class AgendaItem(TimeStampedModel):
    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE, related_name="items")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="agenda_items")
    trigger = models.CharField(max_length=24, choices=AgendaTrigger.choices)
    detail = models.CharField(max_length=255, blank=True)
    discussed = models.BooleanField(default=False)
    notes = models.TextField(blank=True)
    decision = models.TextField(blank=True)
    rolled_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rolled_to"
    )
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["trigger", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "patient", "trigger"], name="one_agenda_item_per_trigger"
            )
        ]

    def __str__(self) -> str:
        return f"Agenda item {self.pk}"


class HandoffMethod(models.TextChoices):
    JOINT_VISIT = "joint_visit", "Joint visit with the primary care team"
    MEETING = "meeting", "Meeting with the primary care contact"
    PHONE = "phone", "Phone call"
    VIDEO = "video", "Video call"
    LETTER = "letter", "Letter or secure message"


@audited(lambda h: h.episode.patient_id)
class GraduationHandoff(TimeStampedModel):
    """The warm handoff back to primary care that a graduation records."""

    episode = models.OneToOneField("programs.Episode", on_delete=models.CASCADE, related_name="graduation")
    practice_name = models.CharField(max_length=200)
    contact_person = models.CharField(max_length=120)
    handoff_on = models.DateField()
    method = models.CharField(max_length=16, choices=HandoffMethod.choices)
    note = models.TextField(blank=True)
    criteria_unmet = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Graduation handoff {self.pk}"
