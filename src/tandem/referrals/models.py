"""Community resources and the referrals care managers make to them.

Kept deliberately small: outreach offers "something of value" (a food bank, a bus pass) and the
offer must be recorded against the person; closing the loop with the resource comes later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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
    category = models.CharField(max_length=32, choices=ResourceCategory.choices)
    area = models.CharField(max_length=120, blank=True, help_text=_("Neighbourhood, town or county served."))
    phone = models.CharField(max_length=32, blank=True)
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_category_display()})"


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    NO_RESPONSE = "no_response", _("No response")


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

    class Meta:
        ordering = ["-made_on", "-id"]

    def __str__(self) -> str:
        return f"Resource referral {self.pk} ({self.status})"
