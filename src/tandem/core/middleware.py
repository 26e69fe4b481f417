"""Request-scoped context for the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Callable

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
