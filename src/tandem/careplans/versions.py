"""Plan versions: the compare-and-set that refuses a stale form, and the revision each change leaves."""

from __future__ import annotations

from django.db.models import F, QuerySet
from django.utils import timezone

from tandem.accounts.models import User
from tandem.careplans.models import CURRENT_PLAN_STATUSES, CarePlan, Goal, PlanRevision, Step
from tandem.careplans.revisions import snapshot
from tandem.core.errors import ConflictError, StaleEdit

STALE_MESSAGE = "Someone else changed this care plan after you opened it."


def claim(plan: CarePlan, expected_version: int | None) -> None:
    """Take the next version in one UPDATE, or refuse if the caller's version is not the latest.

    `expected_version=None` is for changes that did not come from a form (a task completed on the
    worklist), which cannot be stale.
    """
    rows = CarePlan.objects.filter(pk=plan.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if not rows.filter(status__in=CURRENT_PLAN_STATUSES).exists() and rows.exists():
        raise ConflictError("This care plan is closed; start a new plan to make changes.")
    if rows.update(version=F("version") + 1, updated_at=timezone.now()) != 1:
        raise StaleEdit(STALE_MESSAGE)
    plan.refresh_from_db(fields=["version", "status", "updated_at"])


def record(plan: CarePlan, *, by: User | None, summary: str) -> PlanRevision:
    return PlanRevision.objects.create(
        care_plan=plan, version=plan.version, changed_by=by, summary=summary[:255], snapshot=snapshot(plan)
    )


def revisions_since(plan: CarePlan, version: int) -> QuerySet[PlanRevision]:
    """What others saved after a form was opened at `version`, oldest first."""
    return plan.revisions.filter(version__gt=version).select_related("changed_by").order_by("version")


def label(model: type[Goal] | type[Step], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def quote(text: str) -> str:
    return f"“{text if len(text) <= 60 else text[:59] + '…'}”"
