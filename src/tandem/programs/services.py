"""Enrollment rules: which status may follow which, and what each move must record."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.core.errors import ConflictError, DomainError, InvalidTransition
from tandem.patients.models import Patient
from tandem.programs.models import (
    CareManagerAssignment,
    Episode,
    EpisodeStatus,
    EpisodeStatusChange,
    Program,
    Tier,
    TierChange,
)

S = EpisodeStatus

# Declined keeps the door open (re-approach goes back to outreach); the other exits are final for
# the episode, and a later return starts a new episode so history stays readable.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    S.CANDIDATE: {S.OUTREACH, S.ENROLLED, S.DECLINED, S.NOT_ELIGIBLE},
    S.OUTREACH: {S.ENROLLED, S.DECLINED, S.NOT_ELIGIBLE},
    S.DECLINED: {S.OUTREACH},
    S.ENROLLED: {S.GRADUATED, S.DISENROLLED},
    S.GRADUATED: set(),
    S.NOT_ELIGIBLE: set(),
    S.DISENROLLED: set(),
}
REASON_REQUIRED = {S.DECLINED, S.NOT_ELIGIBLE, S.DISENROLLED}


def open_episode(*, patient: Patient, program: Program, by: User | None, source: str = "") -> Episode:
    """Start a candidate episode; a person already open in the program is a conflict, not a duplicate."""
    try:
        with transaction.atomic():
            episode = Episode.objects.create(
                patient=patient,
                program=program,
                status=S.CANDIDATE,
                status_changed_at=timezone.now(),
                referral_source=source,
            )
    except IntegrityError as exc:
        raise ConflictError("This person already has an open episode in this program.") from exc
    EpisodeStatusChange.objects.create(
        episode=episode, from_status="", to_status=S.CANDIDATE, changed_by=by, reason=source
    )
    return episode


def transition(
    episode: Episode,
    to_status: str,
    *,
    by: User | None,
    reason: str = "",
    care_manager: User | None = None,
    tier: str = "",
    on: date | None = None,
    reapproach_on: date | None = None,
) -> Episode:
    """Move an episode to a new status, enforcing the lifecycle and recording who, when and why."""
    current = episode.status
    if to_status not in ALLOWED_TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            f"An episode that is {S(current).label.lower()} cannot become {S(to_status).label.lower()}."
        )
    if to_status in REASON_REQUIRED and not reason.strip():
        raise DomainError(f"Give a reason for marking this episode {S(to_status).label.lower()}.")
    today = on or timezone.localdate()
    if to_status == S.ENROLLED:
        if care_manager is None:
            raise DomainError("Choose a primary care manager to enroll this person.")
        if care_manager.role not in (Role.CARE_MANAGER, Role.SUPERVISOR) or not care_manager.is_active:
            raise DomainError("The primary care manager must be an active care manager or supervisor.")
        if tier not in Tier.values:
            raise DomainError("Choose an intensity tier (high, medium or low) to enroll this person.")
        episode.enrolled_on = today
        _assign(episode, care_manager, by=by, reason="Enrolled")
        _set_tier(episode, tier, by=by, reason="Enrolled")
    if to_status == S.DECLINED:
        if reapproach_on is not None and reapproach_on <= today:
            raise DomainError("The re-approach date must be in the future.")
        episode.reapproach_on = reapproach_on
    if to_status == S.OUTREACH:
        episode.reapproach_on = None
    if to_status in (S.GRADUATED, S.DISENROLLED, S.NOT_ELIGIBLE):
        episode.ended_on = today
        episode.end_reason = reason
        _close_assignments(episode)
    if to_status == S.DECLINED:
        episode.end_reason = reason
    episode.status = to_status
    episode.status_changed_at = timezone.now()
    episode.version += 1
    episode.save()
    EpisodeStatusChange.objects.create(
        episode=episode, from_status=current, to_status=to_status, changed_by=by, reason=reason
    )
    return episode


def reassign_care_manager(episode: Episode, care_manager: User, *, by: User | None, reason: str) -> Episode:
    """Hand a patient to another care manager, closing the previous assignment rather than erasing it."""
    if episode.status != S.ENROLLED:
        raise ConflictError("Only an enrolled episode has a primary care manager to reassign.")
    if not reason.strip():
        raise DomainError("Give a reason for the reassignment.")
    _assign(episode, care_manager, by=by, reason=reason)
    episode.version += 1
    episode.save()
    return episode


def change_tier(episode: Episode, tier: str, *, by: User | None, reason: str) -> Episode:
    """Change intensity; the reason is kept because supervisors review why tiers move."""
    if episode.status != S.ENROLLED:
        raise ConflictError("Only an enrolled episode has a tier.")
    if tier not in Tier.values:
        raise DomainError("Tier must be high, medium or low.")
    if not reason.strip():
        raise DomainError("Give a reason for the tier change.")
    _set_tier(episode, tier, by=by, reason=reason)
    episode.version += 1
    episode.save()
    return episode


def _assign(episode: Episode, care_manager: User, *, by: User | None, reason: str) -> None:
    if episode.primary_care_manager_id == care_manager.pk and episode.status == S.ENROLLED:
        return
    _close_assignments(episode)
    CareManagerAssignment.objects.create(
        episode=episode, care_manager=care_manager, assigned_by=by, reason=reason
    )
    episode.primary_care_manager = care_manager


def _close_assignments(episode: Episode) -> None:
    # Saved one by one (not a bulk update) so each closure reaches the audit trail.
    for assignment in CareManagerAssignment.objects.filter(episode=episode, ended_at__isnull=True):
        assignment.ended_at = timezone.now()
        assignment.save()


def _set_tier(episode: Episode, tier: str, *, by: User | None, reason: str) -> None:
    if episode.tier == tier:
        return
    TierChange.objects.create(
        episode=episode, from_tier=episode.tier, to_tier=tier, changed_by=by, reason=reason
    )
    episode.tier = tier


def current_episode(patient: Patient) -> Episode | None:
    """The open episode if any, else the most recent one: what a patient page should lead with."""
    episodes = list(
        patient.episodes.select_related("program", "primary_care_manager").order_by("-created_at")
    )
    for ep in episodes:
        if ep.is_open:
            return ep
    return episodes[0] if episodes else None
