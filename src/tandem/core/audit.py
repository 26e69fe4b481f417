"""Writing the audit trail.

Reads are recorded explicitly by the views that show a patient's record. Changes are recorded
by model signals for every model registered with `audited`, so a change made through any path
(a form, the Django admin, a management command, a service) cannot skip the trail. The acting
user and request come from a context variable set by `AuditContextMiddleware`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from tandem.core.models import AuditAction, AuditEvent


@dataclass(frozen=True)
class AuditContext:
    """Who is acting, from where; set once per request or job."""

    user: Any = None
    ip_address: str | None = None
    request_id: str = ""


_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("tandem_audit", default=None)

# Fields never worth an audit line on their own.
_IGNORED_FIELDS = {"updated_at", "created_at", "version"}

PatientOf = Callable[[Any], int | None]
_registry: dict[type[models.Model], PatientOf] = {}
M = TypeVar("M", bound=type[models.Model])


def current() -> AuditContext:
    """The acting context, or an anonymous system context outside a request."""
    return _context.get() or AuditContext()


@contextmanager
def acting_as(user: Any, *, ip_address: str | None = None, request_id: str = "") -> Iterator[None]:
    """Attribute changes made inside the block to `user` (for jobs and commands)."""
    token = _context.set(AuditContext(user=user, ip_address=ip_address, request_id=request_id))
    try:
        yield
    finally:
        _context.reset(token)


def set_context(ctx: AuditContext) -> contextvars.Token[AuditContext | None]:
    return _context.set(ctx)


def reset_context(token: contextvars.Token[AuditContext | None]) -> None:
    _context.reset(token)


def record(
    action: str,
    *,
    resource: models.Model | None = None,
    resource_type: str = "",
    resource_id: str = "",
    patient_id: int | None = None,
    fields: Iterable[str] = (),
    detail: str = "",
    user: Any = None,
) -> AuditEvent:
    """Append one audit event; `detail` must never carry PHI (counts and field names only)."""
    ctx = current()
    actor = user if user is not None else ctx.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if resource is not None:
        resource_type = resource_type or resource._meta.label
        resource_id = resource_id or str(resource.pk)
        if patient_id is None:
            patient_id = patient_id_of(resource)
    return AuditEvent.objects.create(
        actor=actor,
        actor_username=getattr(actor, "username", "") if actor else "",
        actor_role=getattr(actor, "role", "") if actor else "",
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        patient_id=patient_id,
        fields=sorted(set(fields)),
        detail=detail[:255],
        ip_address=ctx.ip_address,
        request_id=ctx.request_id,
    )


def record_view(resource: models.Model, *, user: Any = None, detail: str = "") -> AuditEvent:
    """Record that a person looked at a record (HIPAA access accounting)."""
    return record(AuditAction.VIEW, resource=resource, user=user, detail=detail)


def patient_id_of(instance: models.Model) -> int | None:
    """The patient a record belongs to, if its model is registered."""
    for model, fn in _registry.items():
        if isinstance(instance, model):
            return fn(instance)
    return None


def audited(patient_of: PatientOf) -> Callable[[M], M]:
    """Class decorator: record every create, update and delete of this model."""

    def decorate(model: M) -> M:
        _registry[model] = patient_of
        uid = f"tandem-audit-{model._meta.label}"
        pre_save.connect(_remember_old, sender=model, dispatch_uid=uid + "-pre", weak=False)
        post_save.connect(_on_save, sender=model, dispatch_uid=uid + "-post", weak=False)
        post_delete.connect(_on_delete, sender=model, dispatch_uid=uid + "-del", weak=False)
        return model

    return decorate


def _concrete_values(instance: models.Model) -> dict[str, Any]:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _remember_old(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    old: dict[str, Any] | None = None
    if instance.pk is not None and not instance._state.adding:
        row = (
            sender._default_manager.filter(pk=instance.pk)
            .values(*[f.attname for f in sender._meta.concrete_fields])
            .first()
        )
        old = row
    instance._audit_old = old  # type: ignore[attr-defined]


def _on_save(sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any) -> None:
    new = _concrete_values(instance)
    old = getattr(instance, "_audit_old", None)
    if created or old is None:
        changed = [
            k for k, v in new.items() if v not in (None, "") and k not in _IGNORED_FIELDS and k != "id"
        ]
        record(AuditAction.CREATE, resource=instance, fields=changed)
        return
    changed = [k for k, v in new.items() if old.get(k) != v and k not in _IGNORED_FIELDS]
    if changed:
        record(AuditAction.UPDATE, resource=instance, fields=changed)


def _on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    record(AuditAction.DELETE, resource=instance)
