"""Recruitment and outreach: referrals in, outreach attempts, consents and the warm handoff.

Each record hangs off the program episode it belongs to, so a person who declines and is
re-approached a season later keeps one readable story per program.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.core.audit import audited
from tandem.core.models import TimeStampedModel
from tandem.patients.models import Patient
from tandem.programs.models import Episode, Program
from tandem.referrals.models import ResourceReferral


class ReferralSource(models.TextChoices):
    PRIMARY_CARE = "primary_care", _("Primary care provider")
    HOSPITAL = "hospital", _("Hospital")
    SELF = "self", _("Self-referral")
    COMMUNITY = "community", _("Community organisation")


@audited(lambda r: r.patient_id)
class Referral(TimeStampedModel):
    """A person referred in by a clinician or organisation (stratification needs no record here)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="program_referrals")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="referrals")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="referrals")
    source = models.CharField(_("referred by"), max_length=16, choices=ReferralSource.choices)
    referrer_name = models.CharField(_("referrer's name"), max_length=120, blank=True)
    referrer_organisation = models.CharField(_("referrer's organisation"), max_length=200, blank=True)
    referrer_role = models.CharField(_("referrer's role"), max_length=120, blank=True)
    reason = models.TextField(_("reason for referral"))
    letter = models.TextField(_("referral letter"), blank=True)
    received_on = models.DateField(_("received on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.source})"


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    LETTER = "letter", _("Letter")
    ED_BEDSIDE = "ed_bedside", _("ED bedside")
    INPATIENT_BEDSIDE = "inpatient_bedside", _("Inpatient bedside")
    HOME_VISIT = "home_visit", _("Home visit")
    COMMUNITY_VISIT = "community_visit", _("Community visit")
    PCP_WARM_HANDOFF = "pcp_warm_handoff", _("Warm handoff at a PCP visit")


class Outcome(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer")
    LEFT_MESSAGE = "left_message", _("Left a message")
    REACHED_NOT_NOW = "reached_not_now", _("Reached — not now")
    DECLINED = "declined", _("Declined")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    ENROLLED = "enrolled", _("Agreed to enroll")


# Outcomes after which outreach simply continues on the program's spacing.
CONTINUING_OUTCOMES = (Outcome.NO_ANSWER, Outcome.LEFT_MESSAGE, Outcome.REACHED_NOT_NOW)


@audited(lambda a: a.episode.patient_id)
class OutreachAttempt(TimeStampedModel):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="outreach_attempts")
    attempted_on = models.DateField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=24, choices=Channel.choices)
    outcome = models.CharField(max_length=24, choices=Outcome.choices)
    notes = models.TextField(blank=True)
    value_offered = models.TextField(blank=True)
    resource_referral = models.ForeignKey(
        ResourceReferral, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.TextField(blank=True)
    reapproach_on = models.DateField(null=True, blank=True)
    referred_elsewhere = models.TextField(blank=True)

    class Meta:
        ordering = ["attempted_on", "id"]

    def __str__(self) -> str:
        return f"Outreach attempt {self.pk} ({self.outcome})"


class ConsentKind(models.TextChoices):
    PROGRAM = "program", _("Program participation")
    MEDICARE_CARE_MANAGEMENT = "medicare_care_management", _("Medicare care management services")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal")
    WRITTEN = "written", _("Written")
    ELECTRONIC = "electronic", _("Electronic")


@audited(lambda c: c.episode.patient_id)
class Consent(TimeStampedModel):
    """Program consent and Medicare care-management consent are separate records.

    Billing for CCM/PCM needs its own documented consent (with cost-sharing and the right to stop
    explained); folding it into program consent would leave claims without support.
    """

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=32, choices=ConsentKind.choices)
    given_on = models.DateField()
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    witnessed_by = models.CharField(max_length=120, blank=True)
    cost_sharing_explained = models.BooleanField(default=False)
    right_to_stop_explained = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["given_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "kind"], name="one_consent_per_episode_kind")
        ]

    def __str__(self) -> str:
        return f"Consent {self.pk} ({self.kind})"


class HandoffMethod(models.TextChoices):
    JOINT_VISIT = "joint_visit", _("Joint visit")
    THREE_WAY_CALL = "three_way_call", _("Three-way call")
    IN_PERSON_INTRODUCTION = "in_person_introduction", _("In-person introduction")


@audited(lambda h: h.episode.patient_id)
class WarmHandoff(TimeStampedModel):
    """The recruiter introduces the person to their care manager; trust is handed on, not a file."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="handoffs")
    from_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    handed_off_on = models.DateField()
    method = models.CharField(max_length=32, choices=HandoffMethod.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["handed_off_on", "id"]

    def __str__(self) -> str:
        return f"Warm handoff {self.pk}"
