"""Who may see which patient.

Care managers see the patients of the care teams they belong to (and any patient they personally
serve); supervisors see the patients of the teams they lead or belong to. Analysts and
administrators see no identified patient records: analysts work with de-identified aggregates
and pseudonymous ids, administrators manage users, teams and reference data.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tandem.accounts.models import Role, User
from tandem.core import audit
from tandem.core.models import AuditAction
from tandem.patients.models import Patient

CLINICAL_ROLES = (Role.CARE_MANAGER, Role.SUPERVISOR)
F = TypeVar("F", bound=Callable[..., HttpResponse])


def visible_patients(user: Any) -> QuerySet[Patient]:
    """Patients this user may open; an empty queryset for roles without clinical access."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Patient.objects.none()
    if user.role == Role.CARE_MANAGER:
        rule = (
            Q(care_team__memberships__user=user)
            | Q(care_participants__user=user, care_participants__ended_on__isnull=True)
            | Q(episodes__primary_care_manager=user)
        )
    elif user.role == Role.SUPERVISOR:
        rule = (
            Q(care_team__supervisor=user)
            | Q(care_team__memberships__user=user)
            | Q(care_participants__user=user, care_participants__ended_on__isnull=True)
            | Q(episodes__primary_care_manager=user)
        )
    else:
        return Patient.objects.none()
    ids = Patient.objects.filter(rule).values("pk")
    return Patient.objects.filter(pk__in=ids)


def can_view_patient(user: Any, patient: Patient) -> bool:
    return visible_patients(user).filter(pk=patient.pk).exists()


def deny(request: HttpRequest, *, patient: Patient | None = None, what: str = "") -> HttpResponse:
    """Refuse with a 403 page and an audit line.

    Returned rather than raised: a raised PermissionDenied would roll back the request's
    transaction and with it the record of the refusal.
    """
    audit.record(
        AuditAction.DENIED,
        resource=patient,
        resource_type="" if patient else "page",
        resource_id="" if patient else request.resolver_match.view_name if request.resolver_match else "",
        detail=what,
    )
    return render(request, "403.html", {"what": what}, status=403)


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow a view to the given roles only (superusers count as administrators)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            role = Role.ADMIN if getattr(user, "is_superuser", False) else getattr(user, "role", None)
            if role not in roles:
                return deny(request, what="page")
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def user_role(user: User) -> str:
    return str(Role.ADMIN) if user.is_superuser else user.role
