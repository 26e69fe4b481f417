"""Programs and enrollment episodes (FHIR EpisodeOfCare), with every transition kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.audit import audited
from tandem.core.models import TimeStampedModel
from tandem.patients.models import Patient


class Program(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    # Outreach rules are the program's to set: some programs try six times three days apart,
    # others allow more attempts for people who are hard to reach.
    max_outreach_attempts = models.PositiveSmallIntegerField(
        default=6, help_text=_("Attempts before a supervisor reviews whether to keep trying.")
    )
    attempt_spacing_days = models.PositiveSmallIntegerField(
        default=3, help_text=_("Days between one outreach attempt and the next.")
    )
    reapproach_default_days = models.PositiveSmallIntegerField(
        default=90, help_text=_("Suggested wait before approaching someone who declined.")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EpisodeStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    OUTREACH = "outreach", _("In outreach")
    ENROLLED = "enrolled", _("Enrolled")
    GRADUATED = "graduated", _("Graduated")
    DECLINED = "declined", _("Declined")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    DISENROLLED = "disenrolled", _("Disenrolled")


OPEN_STATUSES = (EpisodeStatus.CANDIDATE, EpisodeStatus.OUTREACH, EpisodeStatus.ENROLLED)


class Tier(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


@audited(lambda e: e.patient_id)
class Episode(TimeStampedModel):
    """One stretch of a person's involvement with a program, from candidate to an exit.

    The database itself refuses an enrolled episode without a primary care manager or tier,
    and a second open episode for the same person in the same program, so no code path
    (admin, import, a future API) can break the rules that forms enforce.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="episodes")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="episodes")
    status = models.CharField(max_length=16, choices=EpisodeStatus.choices, default=EpisodeStatus.CANDIDATE)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    tier = models.CharField(max_length=8, choices=Tier.choices, blank=True)
    primary_care_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="primary_episodes",
    )
    referral_source = models.CharField(max_length=120, blank=True)
    enrolled_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    reapproach_on = models.DateField(null=True, blank=True)
    # Outreach bookkeeping (engagement app): who is working this person and when to try next.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outreach_episodes",
    )
    next_attempt_on = models.DateField(null=True, blank=True)
    needs_outreach_review = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=EpisodeStatus.ENROLLED) | Q(primary_care_manager__isnull=False),
                name="enrolled_episode_has_primary_care_manager",
            ),
            models.CheckConstraint(
                condition=~Q(status=EpisodeStatus.ENROLLED) | ~Q(tier=""),
                name="enrolled_episode_has_tier",
            ),
            models.UniqueConstraint(
                fields=["patient", "program"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="one_open_episode_per_patient_program",
            ),
        ]
        indexes = [models.Index(fields=["status", "tier"], name="episode_status_tier")]

    def __str__(self) -> str:
        return f"Episode {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@audited(lambda c: c.episode.patient_id)
class EpisodeStatusChange(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField(max_length=16, choices=EpisodeStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=EpisodeStatus.choices)
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]


@audited(lambda c: c.episode.patient_id)
class TierChange(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="tier_history")
    from_tier = models.CharField(max_length=8, choices=Tier.choices, blank=True)
    to_tier = models.CharField(max_length=8, choices=Tier.choices)
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]


@audited(lambda a: a.episode.patient_id)
class CareManagerAssignment(models.Model):
    """Who was the primary care manager, and when: reassignment keeps the history."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="assignments")
    care_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(ended_at__isnull=True),
                name="one_current_assignment_per_episode",
            )
        ]
