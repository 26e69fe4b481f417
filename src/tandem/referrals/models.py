"""Community resources, closed-loop referrals to them, and peer support groups.

The directory is reference data kept by administrators and holds no patient information. A
referral is only useful if someone finds out what happened, so each one carries a follow-up date
and a status history; peer groups record who belongs and who came, which is patient data and is
audited like the rest of the record.
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


class ResourceCategory(models.TextChoices):
    FOOD = "food", _("Food")
    HOUSING = "housing", _("Housing")
    TRANSPORT = "transport", _("Transport")
    UTILITIES = "utilities", _("Utilities")
    LEGAL = "legal", _("Legal")
    BEHAVIORAL_HEALTH = "behavioral_health", _("Behavioral health")
    PEER_GROUP = "peer_group", _("Peer group")
    OTHER = "other", _("Other")


class CommunityResource(TimeStampedModel):
    """Reference data kept by administrators: no patient information lives here."""

    name = models.CharField(max_length=200)
    category = models.CharField(_("need"), max_length=32, choices=ResourceCategory.choices)
    area = models.CharField(max_length=120, blank=True, help_text=_("Neighbourhood, town or county served."))
    # Normalised by services.normalise_zip_codes to "02118 02119": a space-separated list lets a ZIP
    # search match whole codes with plain string lookups that behave the same on SQLite and PostgreSQL.
    zip_codes = models.CharField(
        _("ZIP codes served"),
        max_length=400,
        blank=True,
        help_text=_(
            "Separate with spaces or commas. Leave empty if the resource serves everyone in its area."
        ),
    )
    address = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    website = models.URLField(blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    eligibility = models.TextField(
        _("eligibility"), blank=True, help_text=_("Who can use it and what to bring.")
    )
    languages = models.CharField(
        _("languages spoken"), max_length=200, blank=True, help_text=_("For example: English, Spanish.")
    )
    notes = models.TextField(_("description"), blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_category_display()})"

    @property
    def zip_list(self) -> list[str]:
        return self.zip_codes.split()


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    NO_RESPONSE = "no_response", _("No response")


OPEN_REFERRAL_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


@audited(lambda r: r.patient_id)
class ResourceReferral(TimeStampedModel):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="resource_referrals")
    resource = models.ForeignKey(CommunityResource, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    made_on = models.DateField()
    follow_up_on = models.DateField(null=True, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    status_changed_on = models.DateField(null=True, blank=True)
    # The caseload task of the current follow-up (see followups.py). Kept after the task is closed
    # so a follow-up done on the worklist is not raised again for the same date.
    follow_up_task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="resource_referrals"
    )

    class Meta:
        ordering = ["-made_on", "-id"]
        indexes = [models.Index(fields=["status", "follow_up_on"], name="referral_followup")]

    def __str__(self) -> str:
        return f"Resource referral {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES


@audited(lambda h: h.referral.patient_id)
class ReferralStatusChange(models.Model):
    """Append-only: who moved a referral, when, and what they were told, so the loop can be audited."""

    referral = models.ForeignKey(ResourceReferral, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=16, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ReferralStatus.choices)
    changed_on = models.DateField()
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"Referral {self.referral_id}: {self.from_status or 'new'} -> {self.to_status}"


class PeerGroup(TimeStampedModel):
    """A standing group; who leads it is public, who belongs to it is patient data (see memberships)."""

    name = models.CharField(max_length=200, unique=True)
    focus = models.CharField(
        _("focus"),
        max_length=120,
        blank=True,
        help_text=_("The need or condition the group is for, for example heart failure or recovery."),
    )
    description = models.TextField(blank=True)
    staff_leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="led_peer_groups", verbose_name=_("staff leaders")
    )
    peer_leaders = models.CharField(
        _("peer leaders"), max_length=255, blank=True, help_text=_("Names of peer leaders who are not staff.")
    )
    schedule = models.CharField(max_length=200, blank=True, help_text=_("For example: Tuesdays 5–6:30 pm."))
    location = models.CharField(max_length=255, blank=True)
    area = models.CharField(max_length=120, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@audited(lambda m: m.patient_id)
class PeerGroupMembership(TimeStampedModel):
    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="memberships")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="peer_group_memberships")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["group", "joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "patient"], condition=Q(left_on__isnull=True), name="one_current_membership"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"Membership {self.pk} of group {self.group_id}"


class PeerGroupMeeting(TimeStampedModel):
    """One session; the topic and notes are about the group, never about a named person."""

    group = models.ForeignKey(PeerGroup, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    topic = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on"]
        constraints = [models.UniqueConstraint(fields=["group", "held_on"], name="one_meeting_per_group_day")]

    def __str__(self) -> str:
        return f"{self.group} on {self.held_on}"


@audited(lambda a: a.patient_id)
class Attendance(TimeStampedModel):
    meeting = models.ForeignKey(PeerGroupMeeting, on_delete=models.CASCADE, related_name="attendance")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="peer_group_attendance")
    attended = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "patient"], name="one_attendance_per_meeting")
        ]

    def __str__(self) -> str:
        return f"Attendance {self.pk} at meeting {self.meeting_id}"
