"""Staff users and the care teams they work in."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from tandem.core.models import TimeStampedModel


class Discipline(models.TextChoices):
    NURSE = "nurse", "Nurse"
    SOCIAL_WORKER = "social_worker", "Social worker"
    COMMUNITY_HEALTH_WORKER = "chw", "Community health worker"
    PEER_SPECIALIST = "peer", "Peer specialist"
    PHARMACIST = "pharmacist", "Pharmacist"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health clinician"
    PHYSICIAN = "physician", "Physician"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    CARE_MANAGER = "care_manager", "Care manager"
    SUPERVISOR = "supervisor", "Supervisor"
    ANALYST = "analyst", "Analyst"
    ADMIN = "admin", "Administrator"


class User(AbstractUser):
    """A member of staff. The role decides what they may see; the discipline is what they do."""

    discipline = models.CharField(max_length=32, choices=Discipline.choices, default=Discipline.OTHER)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.CARE_MANAGER)
    phone = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Only administrators reach the Django admin; the flag follows the role so they cannot drift apart.
        self.is_staff = self.role == Role.ADMIN or self.is_superuser
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_care_manager(self) -> bool:
        return self.role == Role.CARE_MANAGER

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_analyst(self) -> bool:
        return self.role == Role.ANALYST

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class CareTeam(TimeStampedModel):
    """An interdisciplinary team led by a supervisor; patients are assigned to a team."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervised_teams"
    )
    members: models.ManyToManyField[User, CareTeamMembership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CareTeamMembership", related_name="care_teams", blank=True
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CareTeamMembership(TimeStampedModel):
    team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    joined_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"
