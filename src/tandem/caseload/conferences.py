"""Case conferences: an agenda built from what happened since the team last met.

Triggers since the previous held conference (or the last 28 days for a team's first): a new
admission or ED visit, a safety alert, a goal with no progress for 4 weeks, contacts overdue,
graduation-ready, staff flags. Items not discussed at a held conference roll over to the next
one, linked to the item they came from, so nobody drops off the list by being skipped.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.models import CareTeam, Role, User
from tandem.caseload import goals
from tandem.caseload.graduation import ready_among
from tandem.caseload.models import (
    ACUTE_KINDS,
    AgendaItem,
    AgendaTrigger,
    CareEvent,
    CaseConference,
    ConferenceStatus,
    StaffFlag,
    Task,
    TaskKind,
    TaskPriority,
)
from tandem.caseload.services import contact_dues
from tandem.core.errors import ConflictError, DomainError
from tandem.patients.models import Patient
from tandem.programs.models import Episode, EpisodeStatus

FIRST_LOOKBACK_DAYS = 28


def schedule(team: CareTeam, *, held_on: date, by: User) -> CaseConference:
    if by.role != Role.SUPERVISOR or team.supervisor_id != by.pk:
        raise DomainError("Only the team's supervisor schedules its case conferences.")
    if CaseConference.objects.filter(team=team, status=ConferenceStatus.PLANNED).exists():
        raise ConflictError("This team already has a planned conference; hold it before planning the next.")
    return CaseConference.objects.create(team=team, held_on=held_on, created_by=by)


def previous(conference: CaseConference) -> CaseConference | None:
    return (
        CaseConference.objects.filter(team=conference.team, status=ConferenceStatus.HELD)
        .exclude(pk=conference.pk)
        .filter(held_on__lte=conference.held_on)
        .order_by("-held_on", "-id")
        .first()
    )


def build_agenda(conference: CaseConference, *, today: date | None = None) -> list[AgendaItem]:
    """Add the items triggered since the previous meeting; running it again adds only what is new."""
    if conference.status != ConferenceStatus.PLANNED:
        raise ConflictError("This conference was already held; its agenda is closed.")
    today = today or timezone.localdate()
    prev = previous(conference)
    since = prev.held_on if prev else conference.held_on - timedelta(days=FIRST_LOOKBACK_DAYS)
    team_patients = Patient.objects.filter(care_team=conference.team)
    added: list[AgendaItem] = []

    def add(
        patient_id: int, trigger: str, detail: str, rolled_from: AgendaItem | None = None
    ) -> AgendaItem | None:
        if AgendaItem.objects.filter(conference=conference, patient_id=patient_id, trigger=trigger).exists():
            return None
        try:
            with transaction.atomic():
                item = AgendaItem.objects.create(
                    conference=conference,
                    patient_id=patient_id,
                    trigger=trigger,
                    detail=detail[:255],
                    rolled_from=rolled_from,
                )
        except IntegrityError:
            return None
        added.append(item)
        return item

    # Rolled over first: the oldest business leads the meeting.
    if prev is not None:
        for old in AgendaItem.objects.filter(
            conference__team=conference.team,
            conference__status=ConferenceStatus.HELD,
            discussed=False,
            rolled_to__isnull=True,
        ).exclude(conference=conference):
            add(
                old.patient_id,
                old.trigger,
                f"Not reached on {old.conference.held_on:%b %d}: {old.detail}",
                old,
            )
    for event in CareEvent.objects.filter(
        patient__in=team_patients, kind__in=ACUTE_KINDS, occurred_on__gt=since, occurred_on__lte=today
    ).order_by("occurred_on"):
        add(event.patient_id, AgendaTrigger.ACUTE, f"{event.get_kind_display()} on {event.occurred_on:%b %d}")
    tz = timezone.get_current_timezone()
    for task in (
        Task.objects.filter(patient__in=team_patients, kind=TaskKind.SAFETY_ALERT)
        .filter(created_at__date__gt=since)
        .order_by("created_at")
    ):
        add(
            task.patient_id,
            AgendaTrigger.SAFETY,
            f"{task.title} ({timezone.localtime(task.created_at, tz):%b %d})",
        )
    stalled = goals.stalled_patient_ids(list(team_patients.values_list("pk", flat=True)), as_of=today)
    for patient_id, detail in stalled.items():
        add(patient_id, AgendaTrigger.GOAL_STALLED, detail)
    enrolled = Episode.objects.filter(patient__in=team_patients, status=EpisodeStatus.ENROLLED)
    for due in contact_dues(enrolled, today=today):
        if due.overdue:
            add(due.episode.patient_id, AgendaTrigger.OVERDUE, f"Contact {due.days_overdue} day(s) overdue")
    for result in ready_among(enrolled, today=today).values():
        if result.ready:
            add(result.episode.patient_id, AgendaTrigger.GRADUATION, "Meets every graduation criterion")
    for flag in StaffFlag.objects.filter(patient__in=team_patients, agenda_item__isnull=True).select_related(
        "flagged_by"
    ):
        item = add(
            flag.patient_id, AgendaTrigger.STAFF_FLAG, f"{flag.flagged_by.display_name}: {flag.reason}"
        )
        if item is None:
            item = AgendaItem.objects.get(
                conference=conference, patient_id=flag.patient_id, trigger=AgendaTrigger.STAFF_FLAG
            )
        flag.agenda_item = item
        flag.save()
    return added


def record_discussion(
    item: AgendaItem,
    *,
    by: User,
    discussed: bool,
    notes: str,
    decision: str,
    task_assignee: User | None = None,
    task_due_on: date | None = None,
) -> AgendaItem:
    """Save what was said and decided; a decision with an assignee and date becomes their task."""
    if item.conference.status != ConferenceStatus.PLANNED:
        raise ConflictError("This conference was already held; its notes are closed.")
    if (task_assignee is None) != (task_due_on is None):
        raise DomainError("A decision becomes a task only with both an assignee and a due date.")
    if task_assignee is not None and not decision.strip():
        raise DomainError("Write the decision before turning it into a task.")
    if task_assignee is not None and item.task_id is not None:
        raise ConflictError("This decision already became a task.")
    item.discussed = discussed
    item.notes = notes
    item.decision = decision
    if task_assignee is not None and task_due_on is not None:
        item.task = Task.objects.create(
            patient_id=item.patient_id,
            kind=TaskKind.OTHER,
            title=f"Case conference decision: {decision.strip()}"[:200],
            detail=decision,
            priority=TaskPriority.HIGH,
            due_on=task_due_on,
            assigned_to=task_assignee,
            created_by=by,
            source=f"conference:{item.conference_id}",
        )
    item.save()
    return item


def mark_held(conference: CaseConference, *, by: User) -> CaseConference:
    if conference.status != ConferenceStatus.PLANNED:
        raise ConflictError("This conference was already marked as held.")
    if by.role != Role.SUPERVISOR or conference.team.supervisor_id != by.pk:
        raise DomainError("Only the team's supervisor closes its case conferences.")
    conference.status = ConferenceStatus.HELD
    conference.save()
    return conference
