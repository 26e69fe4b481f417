"""Shared model kit: timestamps, optimistic versioning and the append-only audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from tandem.core.errors import AuditImmutableError


class TimeStampedModel(models.Model):
    """Every record says when it was made and last touched; reviewers and auditors ask first."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    DENIED = "denied", "Access refused"
    LOGIN = "login", "Signed in"
    LOGOUT = "logout", "Signed out"
    LOGIN_FAILED = "login_failed", "Sign-in failed"


class AuditEvent(models.Model):
    """One read or change of a record, never edited after it is written.

    patient_id is a plain integer rather than a foreign key so that the trail outlives the
    record it describes; actor_username is copied for the same reason. Field *names* are kept,
    never values, so the trail itself holds no clinical content.
    """

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices, db_index=True)
    resource_type = models.CharField(max_length=64, blank=True, db_index=True)
    resource_id = models.CharField(max_length=64, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    fields = models.JSONField(default=list, blank=True)
    detail = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["actor", "occurred_at"], name="audit_actor_time")]

    def __str__(self) -> str:
        who = self.actor_username or "-"
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.resource_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditImmutableError("Audit events are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit events are append-only and cannot be deleted.")
