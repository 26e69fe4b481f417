"""Request-scoped context for the audit trail."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tandem.core import audit


class AuditContextMiddleware:
    """Make the signed-in user and client address available to audit signal handlers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = audit.AuditContext(
            user=request.user if getattr(request, "user", None) is not None else None,
            ip_address=request.META.get("REMOTE_ADDR") or None,
            request_id=uuid.uuid4().hex,
        )
        token = audit.set_context(ctx)
        try:
            response = self.get_response(request)
        finally:
            audit.reset_context(token)
        # Pages with patient data must not linger in shared caches or the browser's back button.
        response.setdefault("Cache-Control", "no-store")
        return response


class DomainErrorMiddleware:
    """Show a refused domain rule as a page with its sentence and status, never as a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from tandem.core.errors import DomainError

        if isinstance(exception, DomainError):
            return render(
                request, "conflict.html", {"message": exception.message}, status=exception.status_code
            )
        return None


# At most how often a signed-in user's activity rewrites the session row to push its expiry forward.
SESSION_RENEW_SECONDS = 60
_RENEWED_KEY = "_tandem_renewed_at"


def renew_every() -> int:
    """Seconds between renewals: a minute, or a tenth of a shorter idle limit."""
    return max(1, min(SESSION_RENEW_SECONDS, settings.SESSION_COOKIE_AGE // 10))


class SessionRenewalMiddleware:
    """Keep the idle timeout while writing the session row at most once a minute.

    Renewing on every request (SESSION_SAVE_EVERY_REQUEST) cost an UPDATE and a commit of its own
    per page. Renewing once the last renewal is `renew_every()` old means a session ends between
    SESSION_COOKIE_AGE - 60 s and SESSION_COOKIE_AGE after the last request: never later than the
    idle limit. Any other change to the session (sign-in, messages) saves it as before.
    Goes right after SessionMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or response.status_code >= 500 or not session.accessed or session.is_empty():
            return response
        now = int(time.time())
        renewed = session.get(_RENEWED_KEY)
        if not isinstance(renewed, int) or not 0 <= now - renewed < renew_every():
            session[_RENEWED_KEY] = now  # marks the session modified: SessionMiddleware saves it
        return response
