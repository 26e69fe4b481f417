"""Recruitment rules: who is in the queue, what an outreach attempt changes, and what enrollment needs.

Status moves always go through `programs.services.transition`, so the lifecycle, its history and
the database constraints stay in one place; this module adds outreach bookkeeping around them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.core.errors import ConflictError, DomainError
from tandem.core.permissions import can_view_patient, visible_patients
from tandem.engagement.models import (
    CONTINUING_OUTCOMES,
    Consent,
    ConsentKind,
    Outcome,
    OutreachAttempt,
    Referral,
    WarmHandoff,
)
from tandem.patients.models import Patient
from tandem.programs import services as programs
from tandem.programs.models import OPEN_STATUSES, Episode, EpisodeStatus, Program
from tandem.referrals import services as referrals
from tandem.referrals.models import CommunityResource

S = EpisodeStatus
OUTREACH_STATUSES = (S.CANDIDATE, S.OUTREACH)


def create_referral(
    patient: Patient,
    *,
    program: Program,
    by: User | None,
    source: str,
    reason: str,
    referrer_name: str = "",
    referrer_organisation: str = "",
    referrer_role: str = "",
    letter: str = "",
    received_on: date | None = None,
) -> Referral:
    """Record a referral in and put the person in the recruitment queue, never twice.

    Someone already open in the program is refused with a sentence. Someone who declined before
    is re-approached on the strength of the new referral (a clinician asking again is new
    information) rather than given a second episode.
    """
    if not reason.strip():
        raise DomainError("Give the reason for the referral.")
    received = received_on or timezone.localdate()
    open_one = patient.episodes.filter(program=program, status__in=[s.value for s in OPEN_STATUSES]).first()
    if open_one is not None:
        raise ConflictError(
            f"This person is already {S(open_one.status).label.lower()} in {program.name}; "
            "add the referral's details to their outreach notes instead."
        )
    declined = patient.episodes.filter(program=program, status=S.DECLINED).order_by("-created_at").first()
    if declined is not None:
        episode = programs.transition(
            declined, S.OUTREACH, by=by, reason="Re-approached after a new referral"
        )
    else:
        episode = programs.open_episode(patient=patient, program=program, by=by, source=source)
    episode.next_attempt_on = received
    episode.save()
    return Referral.objects.create(
        patient=patient,
        program=program,
        episode=episode,
        source=source,
        referrer_name=referrer_name,
        referrer_organisation=referrer_organisation,
        referrer_role=referrer_role,
        reason=reason,
        letter=letter,
        received_on=received,
        recorded_by=by,
    )


def referral_letter(
    patient: Patient, *, program: Program, reason: str, referrer_name: str, referrer_organisation: str
) -> str:
    """A letter the referrer can edit, so referrals arrive with the same facts every time."""
    return (
        f"To the {program.name} team,\n\n"
        f"I am referring {patient.given_name} {patient.family_name} "
        f"(born {_long_date(patient.birth_date)}) to {program.name}.\n\n"
        f"Reason for referral: {reason or '[what prompted this referral]'}\n\n"
        "Current concerns: [conditions, recent hospital or ED visits, social needs]\n"
        "Best way to reach them: [phone, where they are staying, a trusted person]\n"
        "They know about this referral: [yes / no]\n\n"
        f"{referrer_name or '[your name]'}\n{referrer_organisation or '[your organisation]'}\n"
    )


def _long_date(d: date) -> str:
    return f"{d:%B} {d.day}, {d:%Y}"


@dataclass(frozen=True)
class QueueRow:
    episode: Episode
    due_on: date
    overdue: bool
    attempts: int


def queue(user: User, *, today: date | None = None, newest_first: bool = False) -> list[QueueRow]:
    """Candidates and people in outreach, plus declined people whose re-approach date has come.

    Limited to the user's visible patients; a declined person stays out of sight until the date
    they asked for, which is the promise the re-approach date makes.
    """
    today = today or timezone.localdate()
    episodes = (
        Episode.objects.filter(patient__in=visible_patients(user), program__active=True)
        .filter(Q(status__in=OUTREACH_STATUSES) | Q(status=S.DECLINED, reapproach_on__lte=today))
        .select_related("patient", "program", "assigned_to")
        .annotate(attempt_count=Count("outreach_attempts"))
    )
    rows = []
    for ep in episodes:
        if ep.status == S.DECLINED:
            due = ep.reapproach_on or today
        else:
            due = ep.next_attempt_on or timezone.localdate(ep.created_at)
        rows.append(QueueRow(episode=ep, due_on=due, overdue=due < today, attempts=ep.attempt_count))
    rows.sort(key=lambda r: (r.due_on, r.episode.pk), reverse=newest_first)
    return rows


def assign(episode: Episode, *, assignee: User, by: User | None) -> Episode:
    """Give the outreach to a recruiter or care manager who can open the person's record."""
    if episode.status not in (*OUTREACH_STATUSES, S.DECLINED):
        raise ConflictError("Only people in recruitment can be assigned for outreach.")
    if assignee.role not in (Role.CARE_MANAGER, Role.SUPERVISOR) or not assignee.is_active:
        raise DomainError("Outreach can only be assigned to an active care manager or supervisor.")
    if not can_view_patient(assignee, episode.patient):
        raise DomainError(f"{assignee.display_name} is not on this person's care team, so cannot reach out.")
    episode.assigned_to = assignee
    episode.version += 1
    episode.save()
    return episode


def attempts_this_round(episode: Episode) -> int:
    """Attempts since the person was last re-approached: a declined season does not use up the limit."""
    last = (
        episode.status_history.filter(from_status=S.DECLINED, to_status=S.OUTREACH)
        .order_by("-changed_at", "-id")
        .first()
    )
    attempts = episode.outreach_attempts.all()
    if last is not None:
        attempts = attempts.filter(created_at__gte=last.changed_at)
    return attempts.count()


def record_attempt(
    episode: Episode,
    *,
    by: User | None,
    channel: str,
    outcome: str,
    on: date | None = None,
    notes: str = "",
    value_offered: str = "",
    resource: CommunityResource | None = None,
    resource_follow_up_on: date | None = None,
    decline_reason: str = "",
    reapproach_on: date | None = None,
    referred_elsewhere: str = "",
) -> OutreachAttempt:
    """Record one try at reaching the person and move the episode on accordingly.

    The first attempt turns a candidate into someone in outreach. Continuing outcomes set the next
    due date from the program's spacing; reaching the program's limit asks a supervisor to look
    rather than closing the episode, since giving up on a hard-to-reach person is a judgement.
    """
    today = timezone.localdate()
    attempted_on = on or today
    if episode.status == S.DECLINED:
        raise ConflictError("This person declined; re-approach them from the queue before a new attempt.")
    if episode.status not in OUTREACH_STATUSES:
        raise ConflictError(f"This person is {S(episode.status).label.lower()}; outreach is over.")
    if attempted_on > today:
        raise DomainError("An outreach attempt cannot be dated in the future.")
    if outcome not in Outcome.values:
        raise DomainError("Choose what happened on this attempt.")
    if outcome == Outcome.DECLINED:
        if not decline_reason.strip():
            raise DomainError("Record why the person declined, in their words if possible.")
        if reapproach_on is None:
            raise DomainError("Choose when to approach the person again.")
        if reapproach_on <= attempted_on:
            raise DomainError("The re-approach date must be after the attempt.")
    if outcome == Outcome.NOT_ELIGIBLE and not referred_elsewhere.strip():
        raise DomainError("Record where the person was referred instead, so no one is left without help.")

    program = episode.program
    if episode.status == S.CANDIDATE:
        programs.transition(episode, S.OUTREACH, by=by, reason="First outreach attempt", on=attempted_on)
    resource_referral = None
    if resource is not None:
        resource_referral = referrals.refer(
            episode.patient,
            resource=resource,
            by=by,
            on=attempted_on,
            follow_up_on=resource_follow_up_on,
            note="Offered during outreach",
        )
    attempt = OutreachAttempt.objects.create(
        episode=episode,
        attempted_on=attempted_on,
        made_by=by,
        channel=channel,
        outcome=outcome,
        notes=notes,
        value_offered=value_offered,
        resource_referral=resource_referral,
        decline_reason=decline_reason if outcome == Outcome.DECLINED else "",
        reapproach_on=reapproach_on if outcome == Outcome.DECLINED else None,
        referred_elsewhere=referred_elsewhere if outcome == Outcome.NOT_ELIGIBLE else "",
    )
    if episode.assigned_to_id is None and by is not None:
        episode.assigned_to = by
    if outcome in CONTINUING_OUTCOMES:
        episode.next_attempt_on = attempted_on + timedelta(days=program.attempt_spacing_days)
        if attempts_this_round(episode) >= program.max_outreach_attempts:
            episode.needs_outreach_review = True
        episode.save()
    elif outcome == Outcome.ENROLLED:
        # Agreement given: enrollment (consent, care manager, tier) is due now.
        episode.next_attempt_on = attempted_on
        episode.save()
    elif outcome == Outcome.DECLINED:
        episode.next_attempt_on = reapproach_on
        episode.needs_outreach_review = False
        programs.transition(
            episode, S.DECLINED, by=by, reason=decline_reason, reapproach_on=reapproach_on, on=attempted_on
        )
    else:
        episode.next_attempt_on = None
        episode.needs_outreach_review = False
        programs.transition(
            episode, S.NOT_ELIGIBLE, by=by, reason=f"Referred to: {referred_elsewhere}", on=attempted_on
        )
    return attempt


def suggested_reapproach_on(episode: Episode, *, on: date | None = None) -> date:
    return (on or timezone.localdate()) + timedelta(days=episode.program.reapproach_default_days)


def reapproach(episode: Episode, *, by: User | None, on: date | None = None) -> Episode:
    """Bring a declined person back into outreach, but not before the date they were promised."""
    today = on or timezone.localdate()
    if episode.status != S.DECLINED:
        raise ConflictError("Only someone who declined can be re-approached.")
    if episode.reapproach_on is not None and episode.reapproach_on > today:
        raise ConflictError(
            f"This person asked not to be approached before {_long_date(episode.reapproach_on)}."
        )
    programs.transition(episode, S.OUTREACH, by=by, reason="Re-approach date reached", on=today)
    episode.next_attempt_on = today
    episode.needs_outreach_review = False
    episode.save()
    return episode


def review_outreach(episode: Episode, *, by: User) -> Episode:
    """A supervisor decides to keep trying after the attempt limit; the next attempt is due now."""
    if by.role != Role.SUPERVISOR:
        raise DomainError("Only a supervisor can review outreach that reached the attempt limit.")
    if not episode.needs_outreach_review:
        raise ConflictError("This outreach is not waiting for review.")
    episode.needs_outreach_review = False
    episode.next_attempt_on = timezone.localdate()
    episode.save()
    return episode


def record_consent(
    episode: Episode,
    *,
    kind: str,
    by: User | None,
    given_on: date,
    method: str,
    witnessed_by: str = "",
    cost_sharing_explained: bool = False,
    right_to_stop_explained: bool = False,
    note: str = "",
) -> Consent:
    """Record one consent; Medicare care management needs cost-sharing and the right to stop explained."""
    if given_on > timezone.localdate():
        raise DomainError("Consent cannot be dated in the future.")
    if kind == ConsentKind.MEDICARE_CARE_MANAGEMENT and not (
        cost_sharing_explained and right_to_stop_explained
    ):
        raise DomainError(
            "Before Medicare care management consent, explain the cost-sharing and the right to stop "
            "at any time, and record that you did."
        )
    if kind == ConsentKind.PROGRAM and method == "verbal" and not witnessed_by.strip():
        raise DomainError("Verbal program consent needs the name of who witnessed it.")
    try:
        with transaction.atomic():
            return Consent.objects.create(
                episode=episode,
                kind=kind,
                given_on=given_on,
                method=method,
                witnessed_by=witnessed_by,
                cost_sharing_explained=cost_sharing_explained,
                right_to_stop_explained=right_to_stop_explained,
                note=note,
                recorded_by=by,
            )
    except IntegrityError as exc:
        raise ConflictError(f"{ConsentKind(kind).label} consent is already recorded.") from exc


def enroll(
    episode: Episode, *, by: User | None, care_manager: User, tier: str, on: date | None = None
) -> Episode:
    """Enroll only with program consent on file; the lifecycle rules then apply as for any enrollment."""
    if not episode.consents.filter(kind=ConsentKind.PROGRAM).exists():
        raise DomainError("Record the person's consent to the program before enrolling them.")
    programs.transition(episode, S.ENROLLED, by=by, care_manager=care_manager, tier=tier, on=on)
    episode.next_attempt_on = None
    episode.needs_outreach_review = False
    episode.save()
    return episode


def record_handoff(
    episode: Episode,
    *,
    from_user: User,
    to_user: User,
    on: date,
    method: str,
    note: str = "",
) -> WarmHandoff:
    """The introduction from recruiter to care manager, kept because it predicts whether people stay."""
    if from_user.pk == to_user.pk:
        raise DomainError("A warm handoff is from the recruiter to a different care manager.")
    if on > timezone.localdate():
        raise DomainError("A warm handoff cannot be dated in the future.")
    return WarmHandoff.objects.create(
        episode=episode, from_user=from_user, to_user=to_user, handed_off_on=on, method=method, note=note
    )
