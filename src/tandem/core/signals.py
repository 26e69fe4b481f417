"""Sign-in events belong in the audit trail too: who got in, who was turned away."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from tandem.core import audit
from tandem.core.models import AuditAction


@receiver(user_logged_in, dispatch_uid="tandem-audit-login")
def _logged_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit.record(AuditAction.LOGIN, resource_type="session", user=user)


@receiver(user_logged_out, dispatch_uid="tandem-audit-logout")
def _logged_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record(AuditAction.LOGOUT, resource_type="session", user=user)


@receiver(user_login_failed, dispatch_uid="tandem-audit-login-failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # The username is kept in detail (never the password) so repeated guessing is visible.
    name = str(credentials.get("username", ""))[:100]
    audit.record(AuditAction.LOGIN_FAILED, resource_type="session", detail=f"username={name}")
