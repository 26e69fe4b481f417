"""Co-created care plans: the patient's goals in their own words, next steps coached toward self-management.

Every change to a plan bumps `CarePlan.version` and writes a `PlanRevision` with a snapshot, so the
history says who changed what and when, and a form opened at an older version cannot silently
overwrite a colleague's change (see `services.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.caseload.models import Task
from tandem.core.audit import audited
from tandem.core.models import TimeStampedModel
from tandem.patients.models import Patient
from tandem.programs.models import Episode


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Agreed and in use")
    CLOSED = "closed", _("Closed")


CURRENT_PLAN_STATUSES = (PlanStatus.DRAFT, PlanStatus.ACTIVE)


@audited(lambda p: p.patient_id)
class CarePlan(TimeStampedModel):
    """One plan per enrollment episode at a time; a closed plan stays as history."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_plans")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="care_plans")
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    # Optimistic lock for the whole plan: any goal or step change bumps it.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A draft being co-created and an agreed plan never coexist: revising an agreed plan is
            # a new version of it, not a second plan.
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(status__in=["draft", "active"]),
                name="one_current_care_plan_per_episode",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "closed"]), name="care_plan_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Care plan {self.pk} v{self.version} ({self.status})"

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_PLAN_STATUSES


class GoalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("Active")
    ACHIEVED = "achieved", _("Achieved")
    ON_HOLD = "on_hold", _("On hold")
    DROPPED = "dropped", _("Dropped")


OPEN_GOAL_STATUSES = (GoalStatus.PROPOSED, GoalStatus.ACTIVE, GoalStatus.ON_HOLD)


@audited(lambda g: g.care_plan.patient_id)
class Goal(TimeStampedModel):
    """A goal as the patient says it; `priority` is their order (1 comes first)."""

    care_plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    text = models.TextField(_("the goal, in the patient's own words"))
    why_it_matters = models.TextField(_("why it matters to them"), blank=True)
    priority = models.PositiveSmallIntegerField(default=1)
    linked_need = models.CharField(_("linked condition or need"), max_length=120, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.PROPOSED
    )
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    # When the achievement was recorded: the plan asks for the next goal until one is added after it.
    achieved_at = models.DateTimeField(null=True, blank=True, editable=False)
    self_managed = models.BooleanField(
        _("the patient manages this on their own now"),
        default=False,
        help_text=_("Graduation readiness counts goals that are achieved or self-managed."),
    )

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="goal_text_required"),
            models.CheckConstraint(
                condition=~Q(status="achieved") | Q(achieved_on__isnull=False),
                name="achieved_goal_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Goal {self.pk} (priority {self.priority}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_GOAL_STATUSES


class OwnerKind(models.TextChoices):
    PATIENT = "patient", _("The patient")
    CARE_MANAGER = "care_manager", _("The care manager")
    TEAM_MEMBER = "team_member", _("Another team member")
    CAREGIVER = "caregiver", _("A caregiver")
    COMMUNITY_PARTNER = "community_partner", _("A community partner")


STAFF_OWNER_KINDS = (OwnerKind.CARE_MANAGER, OwnerKind.TEAM_MEMBER)
NAMED_OWNER_KINDS = (OwnerKind.CAREGIVER, OwnerKind.COMMUNITY_PARTNER)


class Coaching(models.TextChoices):
    """COACH (Camden Coalition): who does the step, moving from staff doing it to the patient alone."""

    I_DO = "i_do", _("I do — staff does it")
    WE_DO = "we_do", _("We do — together")
    YOU_DO = "you_do", _("You do — the patient on their own")


class StepStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


@audited(lambda s: s.goal.care_plan.patient_id)
class Step(TimeStampedModel):
    """An intervention or next step toward a goal; steps someone on the team must act on become tasks."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    description = models.CharField(_("next step"), max_length=300)
    owner_kind = models.CharField(_("who owns it"), max_length=20, choices=OwnerKind.choices)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_steps",
    )
    owner_name = models.CharField(_("caregiver or partner name"), max_length=200, blank=True)
    coaching = models.CharField(_("who does it (COACH)"), max_length=8, choices=Coaching.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(max_length=10, choices=StepStatus.choices, default=StepStatus.PLANNED)
    completed_on = models.DateField(null=True, blank=True)
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_steps"
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(owner_kind__in=["care_manager", "team_member"]) | Q(owner_user__isnull=False),
                name="staff_owned_step_names_the_staff_member",
            ),
            models.CheckConstraint(
                condition=~Q(coaching="you_do") | Q(owner_kind="patient"),
                name="you_do_step_is_the_patients",
            ),
        ]

    def __str__(self) -> str:
        return f"Step {self.pk} ({self.coaching}, {self.status})"


@audited(lambda c: c.goal.care_plan.patient_id)
class GoalCheckIn(TimeStampedModel):
    """How the patient rates their progress on a goal at a contact, 0 (none) to 10 (there)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="check_ins")
    checked_on = models.DateField(_("date"))
    rating = models.PositiveSmallIntegerField(_("progress, 0 to 10, in the patient's eyes"))
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="goal_check_ins"
    )

    class Meta:
        ordering = ["-checked_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=0, rating__lte=10), name="check_in_rating_0_to_10")
        ]

    def __str__(self) -> str:
        return f"Check-in {self.pk} ({self.rating}/10)"


@audited(lambda r: r.care_plan.patient_id)
class PlanRevision(models.Model):
    """The plan as it stood after one change: who made it, when, and a one-line summary."""

    care_plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    summary = models.CharField(max_length=255)
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["care_plan", "version"], name="one_revision_per_plan_version")
        ]

    def __str__(self) -> str:
        return f"Plan {self.care_plan_id} v{self.version}"
