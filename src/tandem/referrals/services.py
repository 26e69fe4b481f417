"""Rules for the resource directory and closed-loop referrals.

A referral is "closed" when someone has found out what happened: the resource took the person on
and finished (completed), turned them down or the person said no (declined), or nobody answered
(no response). Until then it sits on a follow-up list. "No response" is a judgement a person
makes after the follow-up date; the list suggests it but never sets it by itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.accounts.models import User
from tandem.core.errors import ConflictError, DomainError, InvalidTransition
from tandem.core.permissions import visible_patients
from tandem.patients.models import Patient
from tandem.referrals import followups
from tandem.referrals.models import (
    OPEN_REFERRAL_STATUSES,
    CommunityResource,
    ReferralStatus,
    ReferralStatusChange,
    ResourceReferral,
)

R = ReferralStatus
DEFAULT_FOLLOW_UP_DAYS = 14

# A late answer reopens a "no response"; completed and declined are final (make a new referral).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    R.SENT: frozenset({R.ACCEPTED, R.COMPLETED, R.DECLINED, R.NO_RESPONSE}),
    R.ACCEPTED: frozenset({R.COMPLETED, R.DECLINED, R.NO_RESPONSE}),
    R.NO_RESPONSE: frozenset({R.ACCEPTED, R.COMPLETED, R.DECLINED}),
    R.COMPLETED: frozenset(),
    R.DECLINED: frozenset(),
}

_ZIP = re.compile(r"^\d{5}$")


def normalise_zip_codes(text: str) -> str:
    """Turn "02118, 02119;02120" into "02118 02119 02120", refusing anything that is not a 5-digit ZIP."""
    codes = [c for c in re.split(r"[\s,;]+", text.strip()) if c]
    bad = [c for c in codes if not _ZIP.match(c)]
    if bad:
        raise DomainError(f"These are not 5-digit ZIP codes: {', '.join(bad)}.")
    return " ".join(dict.fromkeys(codes))


def search_resources(
    *, need: str = "", area: str = "", text: str = "", include_inactive: bool = False
) -> QuerySet[CommunityResource]:
    """Find resources by need (category), area (a ZIP code or a place name) and free text.

    A 5-digit area is matched against the ZIP codes a resource lists, and resources that list no
    ZIP codes are kept too: they serve everyone (a county hotline), so leaving them out would hide
    help the person can use.
    """
    qs = CommunityResource.objects.all()
    if not include_inactive:
        qs = qs.filter(active=True)
    if need:
        qs = qs.filter(category=need)
    area = area.strip()
    if area:
        if _ZIP.match(area):
            qs = qs.filter(
                Q(zip_codes="")
                | Q(zip_codes=area)
                | Q(zip_codes__startswith=f"{area} ")
                | Q(zip_codes__endswith=f" {area}")
                | Q(zip_codes__contains=f" {area} ")
            )
        else:
            qs = qs.filter(Q(area__icontains=area) | Q(address__icontains=area))
    for word in text.split():
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(notes__icontains=word)
            | Q(eligibility__icontains=word)
            | Q(languages__icontains=word)
            | Q(area__icontains=word)
        )
    return qs.order_by("category", "name")


def save_resource(resource: CommunityResource) -> CommunityResource:
    """Validate and save an administrator's edit; ZIP codes are stored in one canonical form."""
    if not resource.name.strip():
        raise DomainError("Give the resource a name.")
    resource.zip_codes = normalise_zip_codes(resource.zip_codes)
    resource.save()
    return resource


def set_resource_active(resource: CommunityResource, *, active: bool) -> CommunityResource:
    """Deactivate rather than delete: past referrals still point at the resource."""
    resource.active = active
    resource.save(update_fields=["active", "updated_at"])
    return resource


def refer(
    patient: Patient,
    *,
    resource: CommunityResource,
    by: User | None,
    on: date | None = None,
    follow_up_on: date | None = None,
    note: str = "",
) -> ResourceReferral:
    """Record a referral; the follow-up date is what makes someone check the loop was closed."""
    made_on = on or timezone.localdate()
    if not resource.active:
        raise DomainError(f"{resource.name} is no longer listed as an active resource.")
    if follow_up_on is not None and follow_up_on < made_on:
        raise DomainError("The follow-up date cannot be before the referral was made.")
    referral = ResourceReferral.objects.create(
        patient=patient,
        resource=resource,
        made_on=made_on,
        follow_up_on=follow_up_on,
        made_by=by,
        note=note,
        status_changed_on=made_on,
    )
    ReferralStatusChange.objects.create(
        referral=referral, from_status="", to_status=R.SENT, changed_on=made_on, changed_by=by, note=note
    )
    followups.sync(referral, by=by)
    return referral


def update_status(
    referral: ResourceReferral,
    *,
    to: str,
    by: User | None,
    expected: str | None = None,
    on: date | None = None,
    note: str = "",
    follow_up_on: date | None = None,
) -> ResourceReferral:
    """Move a referral along the loop and write who did it and why.

    `expected` is the status the person saw when they opened the form; if someone else has moved
    the referral since, the change is refused rather than silently overwriting theirs.
    """
    today = timezone.localdate()
    changed_on = on or today
    referral = ResourceReferral.objects.select_for_update().get(pk=referral.pk)
    current = referral.status
    if expected is not None and expected != current:
        raise ConflictError(
            f"Someone else marked this referral {R(current).label.lower()} meanwhile; "
            "check its history before changing it again."
        )
    if to not in R.values:
        raise DomainError("Choose a status.")
    if to not in ALLOWED_TRANSITIONS[current]:
        raise InvalidTransition(
            f"A referral that is {R(current).label.lower()} cannot be marked {R(to).label.lower()}."
        )
    if changed_on > today:
        raise DomainError("A status change cannot be dated in the future.")
    if changed_on < referral.made_on:
        raise DomainError("A status change cannot be dated before the referral was made.")
    if to == R.DECLINED and not note.strip():
        raise DomainError("Say why the referral was declined, and by whom.")
    if to in OPEN_REFERRAL_STATUSES:
        if follow_up_on is None:
            follow_up_on = changed_on + timedelta(days=DEFAULT_FOLLOW_UP_DAYS)
        if follow_up_on < changed_on:
            raise DomainError("The next follow-up date cannot be before this update.")
        referral.follow_up_on = follow_up_on
    referral.status = to
    referral.status_changed_on = changed_on
    followups.complete_current(referral)
    referral.save()
    ReferralStatusChange.objects.create(
        referral=referral, from_status=current, to_status=to, changed_on=changed_on, changed_by=by, note=note
    )
    followups.sync(referral, by=by)
    return referral


def move_follow_up(
    referral: ResourceReferral, *, to: date, by: User | None, expected: str | None = None
) -> ResourceReferral:
    """Change when to check on an open referral without recording an outcome (no answer yet).

    Unlike a status change this is not news about the referral, so it writes no history line (the
    audit trail keeps who moved the date); the open follow-up task moves with it.
    """
    referral = ResourceReferral.objects.select_for_update().get(pk=referral.pk)
    if expected is not None and expected != referral.status:
        raise ConflictError(
            f"Someone else marked this referral {R(referral.status).label.lower()} meanwhile; "
            "check its history first."
        )
    if not referral.is_open:
        raise ConflictError(
            f"This referral is {R(referral.status).label.lower()}; only open referrals have a follow-up."
        )
    if to < timezone.localdate():
        raise DomainError("Choose today or a later date for the follow-up.")
    if to < referral.made_on:
        raise DomainError("The follow-up date cannot be before the referral was made.")
    if to != referral.follow_up_on:
        referral.follow_up_on = to
        referral.save()
    followups.sync(referral, by=by)
    return referral


@dataclass(frozen=True)
class FollowUp:
    referral: ResourceReferral
    days_overdue: int

    @property
    def suggest_no_response(self) -> bool:
        """Sent, and the follow-up date has passed with no news: offer "no response", never assume it."""
        return self.referral.status == R.SENT and self.days_overdue > 0


def follow_ups_due(user: User, *, today: date | None = None) -> list[FollowUp]:
    """Open referrals whose follow-up date has come, for the patients this user may see."""
    today = today or timezone.localdate()
    rows = (
        ResourceReferral.objects.filter(
            patient__in=visible_patients(user),
            status__in=[s.value for s in OPEN_REFERRAL_STATUSES],
            follow_up_on__lte=today,
        )
        .select_related("patient", "resource", "made_by")
        .order_by("follow_up_on", "id")
    )
    return [FollowUp(r, (today - r.follow_up_on).days) for r in rows if r.follow_up_on is not None]
