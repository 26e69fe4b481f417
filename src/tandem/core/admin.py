"""Django admin for reference data; the audit trail is read-only here as everywhere."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tandem.core.models import AuditEvent


def _is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and getattr(user, "is_admin_role", False))


class AdminRoleModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Reference data is the administrator role's to keep, without per-model permission grants."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request)


@admin.register(AuditEvent)
class AuditEventAdmin(AdminRoleModelAdmin):
    list_display = ["occurred_at", "actor_username", "action", "resource_type", "resource_id", "patient_id"]
    list_filter = ["action", "resource_type"]
    search_fields = ["actor_username", "resource_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
