"""Peer support groups: membership and attendance, kept within the viewer's access to each patient.

A group can mix people from several care teams. Nobody may learn from a group page who else
belongs to it beyond the patients they could open anyway, so every list here is filtered through
`visible_patients`, and the rest are only counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.core import audit
from tandem.core.errors import ConflictError, DomainError
from tandem.core.models import AuditAction
from tandem.core.permissions import CLINICAL_ROLES, can_view_patient, visible_patients
from tandem.patients.models import Patient
from tandem.referrals.models import Attendance, PeerGroup, PeerGroupMeeting, PeerGroupMembership

# The group's own fields a person edits; staff leaders are a many-to-many and compared separately.
GROUP_FIELDS = ("name", "focus", "description", "schedule", "location", "area", "peer_leaders", "active")


def save_group(group: PeerGroup, *, staff_leaders: Iterable[User], by: User) -> PeerGroup:
    """Create or edit a group, refusing one nobody leads: someone must be reachable when it moves or stops.

    Closing a group (active off) leaves memberships as they are: the person closing it may not see
    every member, so they must not change those people's records; a closed group takes no new
    members or meetings and can be opened again.
    """
    leaders = list(staff_leaders)
    group.name = group.name.strip()
    group.peer_leaders = group.peer_leaders.strip()
    if not group.name:
        raise DomainError("Give the group a name.")
    if not leaders and not group.peer_leaders:
        raise DomainError("Name at least one leader: a member of staff or a peer leader.")
    unfit = [u.display_name for u in leaders if not u.is_active or u.role not in CLINICAL_ROLES]
    if unfit:
        raise DomainError(
            f"Staff leaders must be active care managers or supervisors; untick {', '.join(unfit)}."
        )
    if PeerGroup.objects.filter(name__iexact=group.name).exclude(pk=group.pk).exists():
        raise ConflictError(f"There is already a group called {group.name}.")
    creating = group.pk is None
    if creating:
        changed = [f for f in GROUP_FIELDS if getattr(group, f) not in ("", None)]
        before: set[int] = set()
    else:
        old = PeerGroup.objects.filter(pk=group.pk).values(*GROUP_FIELDS).get()
        changed = [f for f in GROUP_FIELDS if old[f] != getattr(group, f)]
        before = set(group.staff_leaders.values_list("pk", flat=True))
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError as exc:
        raise ConflictError(f"There is already a group called {group.name}.") from exc
    group.staff_leaders.set(leaders)
    if before != {u.pk for u in leaders}:
        changed.append("staff_leaders")
    if creating or changed:
        audit.record(
            AuditAction.CREATE if creating else AuditAction.UPDATE, resource=group, fields=changed, user=by
        )
    return group


@dataclass(frozen=True)
class GroupView:
    """What one viewer may see of a group's current members."""

    visible: list[PeerGroupMembership]
    hidden_count: int


def current_members(group: PeerGroup, *, viewer: User) -> GroupView:
    current = group.memberships.filter(left_on__isnull=True)
    visible = list(
        current.filter(patient__in=visible_patients(viewer))
        .select_related("patient")
        .order_by("patient__family_name", "patient__given_name")
    )
    return GroupView(visible=visible, hidden_count=current.count() - len(visible))


def add_member(
    group: PeerGroup, *, patient: Patient, by: User, on: date | None = None
) -> PeerGroupMembership:
    joined = on or timezone.localdate()
    if not can_view_patient(by, patient):
        raise DomainError("You can only add people from your own caseload to a group.")
    if not group.active:
        raise DomainError(f"{group.name} is no longer meeting.")
    if joined > timezone.localdate():
        raise DomainError("The joining date cannot be in the future.")
    try:
        with transaction.atomic():
            return PeerGroupMembership.objects.create(
                group=group, patient=patient, joined_on=joined, added_by=by
            )
    except IntegrityError as exc:
        raise ConflictError(f"This person is already a member of {group.name}.") from exc


def remove_member(
    membership: PeerGroupMembership, *, by: User, on: date | None = None
) -> PeerGroupMembership:
    """Mark the person as having left: attendance history stays attached to the membership dates."""
    left = on or timezone.localdate()
    if not can_view_patient(by, membership.patient):
        raise DomainError("You can only change the membership of people on your own caseload.")
    if membership.left_on is not None:
        raise ConflictError("This person has already left the group.")
    if left < membership.joined_on:
        raise DomainError("The leaving date cannot be before they joined.")
    membership.left_on = left
    membership.save()
    return membership


def record_meeting(
    group: PeerGroup,
    *,
    by: User,
    held_on: date,
    topic: str = "",
    notes: str = "",
    attended: set[int] | frozenset[int] = frozenset(),
) -> PeerGroupMeeting:
    """Record a session and who came, for the members this person can see.

    Staff from two teams may each record their own people for the same session: the meeting is
    found by date, and each records attendance only for patients they are allowed to see, so one
    never overwrites or reveals the other's.
    """
    if held_on > timezone.localdate():
        raise DomainError("A meeting cannot be recorded before it has happened.")
    visible = visible_patients(by)
    members = PeerGroupMembership.objects.filter(
        group=group, patient__in=visible, joined_on__lte=held_on
    ).exclude(left_on__lt=held_on)
    # Checked before anything is written: a page that shows this refusal still commits its request.
    unknown = set(attended) - set(members.values_list("patient_id", flat=True))
    if unknown:
        raise DomainError("Attendance can only be recorded for current members you can see.")
    meeting, created = PeerGroupMeeting.objects.get_or_create(
        group=group, held_on=held_on, defaults={"topic": topic, "notes": notes}
    )
    if not created and (topic or notes):
        meeting.topic = topic or meeting.topic
        meeting.notes = notes or meeting.notes
        meeting.save()
    for membership in members:
        row, _ = Attendance.objects.get_or_create(
            meeting=meeting, patient_id=membership.patient_id, defaults={"recorded_by": by}
        )
        came = membership.patient_id in attended
        if row.attended != came or row.recorded_by_id != by.pk:
            row.attended = came
            row.recorded_by = by
            row.save()
    return meeting


@dataclass(frozen=True)
class MeetingSummary:
    meeting: PeerGroupMeeting
    attended_visible: list[Patient]
    attended_total: int


def meeting_summaries(group: PeerGroup, *, viewer: User, limit: int = 20) -> list[MeetingSummary]:
    visible_ids = set(visible_patients(viewer).values_list("pk", flat=True))
    out = []
    for meeting in group.meetings.prefetch_related("attendance__patient")[:limit]:
        came = [a.patient for a in meeting.attendance.all() if a.attended]
        out.append(MeetingSummary(meeting, [p for p in came if p.pk in visible_ids], len(came)))
    return out
