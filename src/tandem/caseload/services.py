"""Caseload rules: contact cadence by tier, contacts and care events, and a care manager's day.

"Contact due" work is computed on the fly from the last contact and the program's cadence rather
than materialised as Task rows: a stored task would go stale the moment a contact is logged, a
tier changes or a patient is reassigned, and would need a scheduler to keep it right. The
worklist therefore always reflects the current state with one query per kind of work.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.assessment.models import Domain, DomainEntry
from tandem.assessment.services import ASSESSMENT_WINDOW_DAYS
from tandem.caseload.models import (
    CareEvent,
    CareEventKind,
    CareEventSource,
    Contact,
    ContactMode,
    ProgramCadence,
    StaffFlag,
    Task,
    TaskKind,
    TaskPriority,
    TaskStatus,
)
from tandem.core.errors import ConflictError, DomainError
from tandem.core.permissions import visible_patients
from tandem.patients.models import Patient
from tandem.programs.models import Episode, EpisodeStatus, Program, Tier

DEFAULT_DAYS = {Tier.HIGH: 7, Tier.MEDIUM: 14, Tier.LOW: 30}
MAINTENANCE_MIN_DAYS = 30


@dataclass(frozen=True)
class Cadence:
    high_days: int = DEFAULT_DAYS[Tier.HIGH]
    medium_days: int = DEFAULT_DAYS[Tier.MEDIUM]
    low_days: int = DEFAULT_DAYS[Tier.LOW]
    graduation_acute_free_days: int = 90
    graduation_min_confidence: int = 7
    graduation_pcp_within_days: int = 180
    graduation_top_goals: int = 3

    def days_for(self, tier: str) -> int:
        if tier == Tier.HIGH:
            return self.high_days
        return self.medium_days if tier == Tier.MEDIUM else self.low_days


def cadence_for(program: Program | int) -> Cadence:
    """The program's cadence, or the defaults when it has not configured one."""
    program_id = program if isinstance(program, int) else program.pk
    row = ProgramCadence.objects.filter(program_id=program_id).first()
    return _from_row(row) if row else Cadence()


def cadences_for(program_ids: Iterable[int]) -> dict[int, Cadence]:
    """Cadences for many programs in one query (worklist and dashboard pages)."""
    ids = set(program_ids)
    found = {row.program_id: _from_row(row) for row in ProgramCadence.objects.filter(program_id__in=ids)}
    return {pid: found.get(pid, Cadence()) for pid in ids}


def all_cadences() -> list[Cadence]:
    """Every configured cadence and the defaults: bounds that hold whatever program a patient is in."""
    return [Cadence(), *(_from_row(row) for row in ProgramCadence.objects.all())]


def _from_row(row: ProgramCadence) -> Cadence:
    return Cadence(
        high_days=row.high_days,
        medium_days=row.medium_days,
        low_days=row.low_days,
        graduation_acute_free_days=row.graduation_acute_free_days,
        graduation_min_confidence=row.graduation_min_confidence,
        graduation_pcp_within_days=row.graduation_pcp_within_days,
        graduation_top_goals=row.graduation_top_goals,
    )


def is_maintenance(episode: Episode, cadence: Cadence) -> bool:
    """Maintenance = enrolled, low tier, and the program sees low-tier patients monthly or less often."""
    return is_maintenance_values(status=episode.status, tier=episode.tier, cadence=cadence)


def is_maintenance_values(*, status: str, tier: str, cadence: Cadence) -> bool:
    """`is_maintenance` on plain values, for the dashboard's value rows."""
    return status == EpisodeStatus.ENROLLED and tier == Tier.LOW and cadence.low_days >= MAINTENANCE_MIN_DAYS


class _DueDate:
    """Overdue arithmetic shared by the episode-level and the worklist's row-level due contact."""

    due_on: date
    today: date

    @property
    def overdue(self) -> bool:
        return self.due_on < self.today

    @property
    def days_overdue(self) -> int:
        return max(0, (self.today - self.due_on).days)


@dataclass(frozen=True)
class ContactDue(_DueDate):
    episode: Episode
    last_contact_on: date | None
    due_on: date
    today: date

    @property
    def tier_label(self) -> str:
        """The tier's name; `get_tier_display` rebuilds a choices map on every call, once per row."""
        return str(Tier(self.episode.tier).label)

    @property
    def days_since_contact(self) -> int:
        start = self.last_contact_on or self.episode.enrolled_on or self.today
        return (self.today - start).days


def last_contact_subquery() -> Subquery:
    """The latest contact date of the outer episode (NULL when there is none).

    A correlated subquery walks the (episode, occurred_on) index once per episode; the join and
    GROUP BY over every episode and patient column it replaces cost ten times more for a team.
    """
    return Subquery(
        Contact.objects.filter(episode_id=OuterRef("pk")).order_by("-occurred_on").values("occurred_on")[:1]
    )


def with_last_contact(episodes: QuerySet[Episode]) -> QuerySet[Episode]:
    return episodes.annotate(last_contact_on=last_contact_subquery())


def due_on(
    *, tier: str, last_contact_on: date | None, enrolled_on: date | None, cadence: Cadence, today: date
) -> date:
    """Next contact = last contact (or enrollment) + the tier's cadence.

    Takes plain values so the dashboard can apply the rule to thousands of rows without building
    a model instance for each.
    """
    start = last_contact_on or enrolled_on or today
    return start + timedelta(days=cadence.days_for(tier))


def contact_due(
    episode: Episode, cadence: Cadence, *, today: date, last_contact_on: date | None
) -> ContactDue:
    return ContactDue(
        episode=episode,
        last_contact_on=last_contact_on,
        due_on=due_on(
            tier=episode.tier,
            last_contact_on=last_contact_on,
            enrolled_on=episode.enrolled_on,
            cadence=cadence,
            today=today,
        ),
        today=today,
    )


def contact_dues_of(rows: Sequence[Episode], *, today: date) -> list[ContactDue]:
    """Due dates for episodes already annotated by `with_last_contact` (one query for cadences)."""
    cadences = cadences_for(e.program_id for e in rows)
    return [
        contact_due(e, cadences[e.program_id], today=today, last_contact_on=e.last_contact_on)  # type: ignore[attr-defined]
        for e in rows
    ]


def contact_dues(episodes: QuerySet[Episode], *, today: date) -> list[ContactDue]:
    """Due dates for enrolled episodes, in one query plus one for the programs' cadences."""
    return contact_dues_of(
        list(with_last_contact(episodes.filter(status=EpisodeStatus.ENROLLED))), today=today
    )


def next_contact(episode: Episode, *, today: date | None = None) -> ContactDue | None:
    if episode.status != EpisodeStatus.ENROLLED:
        return None
    last = episode.contacts.aggregate(last=Max("occurred_on"))["last"]
    return contact_due(
        episode, cadence_for(episode.program_id), today=today or timezone.localdate(), last_contact_on=last
    )


class _AssessmentWindow:
    """The first-assessment overdue rule shared by the episode-level and the worklist's row-level record."""

    completed: int
    total: int
    day: int

    @property
    def overdue(self) -> bool:
        return self.day > ASSESSMENT_WINDOW_DAYS and self.completed < self.total


@dataclass(frozen=True)
class AssessmentDue(_AssessmentWindow):
    episode: Episode
    completed: int
    total: int
    day: int


def assessment_dues(
    episodes: Sequence[Episode], *, today: date, source: QuerySet[Episode] | None = None
) -> list[AssessmentDue]:
    """Incomplete first-30-day assessments, by the same rule as `assessment.services.progress`.

    Computed for a whole caseload in one query instead of one `progress()` call per episode;
    tests/caseload check both give the same answer for every episode. `source`, the queryset the
    episodes came from, lets that query use a subquery instead of binding hundreds of ids.
    """
    done = completed_domains(source.values("pk") if source is not None else [e.pk for e in episodes])
    total = len(Domain.values)
    out = []
    for e in episodes:
        start = e.enrolled_on or e.created_at.date()
        day = max(1, (today - start).days + 1)
        out.append(AssessmentDue(episode=e, completed=done.get(e.pk, 0), total=total, day=day))
    return out


def completed_domains(episode_ids: Sequence[int] | QuerySet[Episode, Any]) -> dict[int, int]:
    """Complete assessment domains per episode; pass a queryset of pks to avoid a long IN list."""
    return dict(
        DomainEntry.objects.filter(episode_id__in=episode_ids, complete=True)
        .values("episode_id")
        .annotate(n=Count("domain", distinct=True))
        .values_list("episode_id", "n")
    )


# --- recording -------------------------------------------------------------------------------


def log_contact(
    episode: Episode,
    *,
    by: User,
    occurred_on: date,
    mode: str,
    duration_minutes: int,
    staff: Iterable[User] = (),
    patient_present: bool = True,
    caregiver_present: bool = False,
    caregiver_name: str = "",
    note: str = "",
    self_management_confidence: int | None = None,
) -> Contact:
    """Record a contact; the next one falls due from this date at the tier's cadence."""
    if episode.status != EpisodeStatus.ENROLLED:
        raise ConflictError("Contacts are logged for enrolled patients; this episode is not enrolled.")
    if occurred_on > timezone.localdate():
        raise DomainError("A contact cannot be dated in the future.")
    if episode.enrolled_on and occurred_on < episode.enrolled_on:
        raise DomainError("A contact cannot be dated before the patient enrolled.")
    if mode not in ContactMode.values:
        raise DomainError("Choose how the contact happened.")
    if duration_minutes is None or duration_minutes <= 0:
        raise DomainError("Give the contact's length in minutes (it is needed for billing).")
    if not (patient_present or caregiver_present):
        raise DomainError("Say who took part: the patient, a caregiver or both.")
    if self_management_confidence is not None and not 0 <= self_management_confidence <= 10:
        raise DomainError("Self-management confidence is a number from 0 to 10.")
    contact = Contact.objects.create(
        patient_id=episode.patient_id,
        episode=episode,
        occurred_on=occurred_on,
        mode=mode,
        duration_minutes=duration_minutes,
        patient_present=patient_present,
        caregiver_present=caregiver_present,
        caregiver_name=caregiver_name if caregiver_present else "",
        note=note,
        self_management_confidence=self_management_confidence,
        recorded_by=by,
    )
    people = {u.pk: u for u in staff}
    people.setdefault(by.pk, by)
    contact.staff.set(people.values())
    return contact


def record_care_event(
    patient: Patient,
    *,
    by: User | None,
    kind: str,
    occurred_on: date,
    source: str = CareEventSource.REPORTED,
    note: str = "",
) -> CareEvent:
    if kind not in CareEventKind.values:
        raise DomainError("Choose what kind of care event this was.")
    if source not in CareEventSource.values:
        raise DomainError("Choose where the information came from.")
    if occurred_on > timezone.localdate():
        raise DomainError("A care event cannot be dated in the future.")
    return CareEvent.objects.create(
        patient=patient, kind=kind, occurred_on=occurred_on, source=source, note=note, recorded_by=by
    )


def flag_for_discussion(patient: Patient, *, by: User, reason: str) -> StaffFlag:
    """Ask for the patient to be discussed; the next agenda built for their team picks it up."""
    if not reason.strip():
        raise DomainError("Say why the patient should be discussed.")
    if patient.care_team_id is None:
        raise ConflictError("This patient has no care team, so there is no case conference to raise it at.")
    return StaffFlag.objects.create(patient=patient, flagged_by=by, reason=reason.strip())


def complete_task(task: Task, *, by: User) -> Task:
    if task.status != TaskStatus.OPEN:
        raise ConflictError("This task is already closed.")
    if task.assigned_to_id != by.pk and by.role != Role.SUPERVISOR:
        raise DomainError("Only the person the task is assigned to, or a supervisor, can close it.")
    task.status = TaskStatus.DONE
    task.completed_at = timezone.now()
    task.save()
    return task


# --- the day's worklist ----------------------------------------------------------------------

PRIORITY_ORDER = {TaskPriority.URGENT: 0, TaskPriority.HIGH: 1, TaskPriority.NORMAL: 2}
# Rows shown per section at first, and added by each "show more": the most urgent come first,
# and a day's list of a few hundred rows helps nobody (the section says how many there are).
SECTION_LIMIT = 25

# The columns the worklist reads for a caseload, as plain values: a caseload of 250 patients as
# Episode + Patient instances cost more than the rest of the page to build, for 25 rows shown.
_CASELOAD_COLUMNS = (
    "pk",
    "program_id",
    "tier",
    "enrolled_on",
    "last_contact_on",
    "patient__public_id",
    "patient__given_name",
    "patient__family_name",
    "patient__preferred_name",
)


@dataclass(frozen=True, slots=True)
class PatientRef:
    """What a worklist row shows of a patient: the name and the opaque id its links carry."""

    public_id: UUID
    display_name: str


def _patient_ref(public_id: UUID, given: str, family: str, preferred: str) -> PatientRef:
    # Patient.display_name's rule, on values.
    return PatientRef(public_id, f"{preferred or given} {family}")


@dataclass(frozen=True, slots=True)
class ContactRow(_DueDate):
    """A contact due or overdue, as the worklist shows it."""

    episode_id: int
    patient: PatientRef
    tier: str
    last_contact_on: date | None
    due_on: date
    today: date


@dataclass(frozen=True, slots=True)
class AssessmentRow(_AssessmentWindow):
    """An episode whose first assessment is incomplete, by `assessment_dues`' rule."""

    episode_id: int
    patient: PatientRef
    completed: int
    total: int
    day: int


@dataclass(frozen=True)
class Worklist:
    today: date
    # The first rows of each list, most urgent first; the totals count every row due.
    contacts: list[ContactRow]
    contacts_total: int
    assessments: list[AssessmentRow]
    assessments_total: int
    tasks: list[Task]
    reapproaches: list[Episode]

    @property
    def contacts_more(self) -> int:
        return self.contacts_total - len(self.contacts)

    @property
    def assessments_more(self) -> int:
        return self.assessments_total - len(self.assessments)

    @property
    def truncated(self) -> bool:
        return bool(self.contacts_more or self.assessments_more)

    @property
    def safety_alerts(self) -> list[Task]:
        return [t for t in self.tasks if t.kind == TaskKind.SAFETY_ALERT]

    @property
    def other_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.kind != TaskKind.SAFETY_ALERT]


def _first(rows: list[tuple[Any, ...]], limit: int | None) -> list[tuple[Any, ...]]:
    """The `limit` smallest rows in order (all when None), without sorting the whole caseload."""
    if limit is None or limit >= len(rows):
        return sorted(rows)
    return heapq.nsmallest(limit, rows)


def worklist(
    user: User,
    *,
    today: date | None = None,
    contacts_limit: int | None = SECTION_LIMIT,
    assessments_limit: int | None = SECTION_LIMIT,
) -> Worklist:
    """Today's work: contacts due or overdue, assessments due, open tasks and re-approaches.

    Contacts and assessments are for the patients the user is primary care manager for; tasks
    are those assigned to them; re-approaches are declined people on their teams whose date has
    come and who are assigned to them or to no one (the recruitment queue's rule).

    The caseload is read once as value rows and every rule (`due_on`, `assessment_dues`' day
    count) is applied to all of it, so the totals are exact; rows are built only for the first
    `contacts_limit` / `assessments_limit` of each list (None = all), in a fixed order (ties
    broken by name, then episode) so that "show more" extends the same list.
    """
    today = today or timezone.localdate()
    # One query serves both the contact and the assessment sections.
    source = Episode.objects.filter(primary_care_manager=user, status=EpisodeStatus.ENROLLED).order_by()
    caseload = list(with_last_contact(source).values_list(*_CASELOAD_COLUMNS))
    # An enrolled episode has its enrollment date; the creation time (parsed in Python, a few ms
    # for a caseload) is read only for one that somehow lacks it, as `assessment_dues` falls back.
    undated = [row[0] for row in caseload if row[3] is None]
    created = dict(Episode.objects.filter(pk__in=undated).values_list("pk", "created_at")) if undated else {}
    cadences = cadences_for({row[1] for row in caseload})
    done = completed_domains(source.values("pk"))
    total = len(Domain.values)
    # Sort keys first, then what the row needs: only the rows shown become objects.
    contact_keys: list[tuple[Any, ...]] = []
    assessment_keys: list[tuple[Any, ...]] = []
    for pk, program_id, tier, enrolled_on, last_contact_on, *names in caseload:
        family = names[2]
        due = due_on(
            tier=tier,
            last_contact_on=last_contact_on,
            enrolled_on=enrolled_on,
            cadence=cadences[program_id],
            today=today,
        )
        if due <= today:
            contact_keys.append((due, family, pk, tier, last_contact_on, names))
        completed = done.get(pk, 0)
        if completed < total:
            day = max(1, (today - (enrolled_on or created[pk].date())).days + 1)
            overdue = day > ASSESSMENT_WINDOW_DAYS
            assessment_keys.append((not overdue, -day, family, pk, completed, day, names))
    contacts = [
        ContactRow(
            episode_id=pk,
            patient=_patient_ref(*names),
            tier=tier,
            last_contact_on=last_contact_on,
            due_on=due,
            today=today,
        )
        for due, _family, pk, tier, last_contact_on, names in _first(contact_keys, contacts_limit)
    ]
    assessments = [
        AssessmentRow(episode_id=pk, patient=_patient_ref(*names), completed=completed, total=total, day=day)
        for _o, _d, _f, pk, completed, day, names in _first(assessment_keys, assessments_limit)
    ]
    tasks = list(
        Task.objects.filter(assigned_to=user, status=TaskStatus.OPEN, due_on__lte=today + timedelta(days=7))
        .select_related("patient")
        .only(
            "kind",
            "priority",
            "title",
            "due_on",
            "patient__public_id",
            "patient__given_name",
            "patient__family_name",
            "patient__preferred_name",
        )
        .order_by("due_on", "id")[:200]
    )
    tasks.sort(
        key=lambda t: (
            t.kind != TaskKind.SAFETY_ALERT,
            PRIORITY_ORDER.get(TaskPriority(t.priority), 3),
            t.due_on,
        )
    )
    reapproaches = list(
        Episode.objects.filter(
            patient__in=visible_patients(user),
            program__active=True,
            status=EpisodeStatus.DECLINED,
            reapproach_on__lte=today,
        )
        .filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
        .select_related("patient", "program")
        .only(
            "reapproach_on",
            "patient__public_id",
            "patient__given_name",
            "patient__family_name",
            "patient__preferred_name",
            "program__name",
        )
        .order_by("reapproach_on", "id")[:200]
    )
    return Worklist(
        today=today,
        contacts=contacts,
        contacts_total=len(contact_keys),
        assessments=assessments,
        assessments_total=len(assessment_keys),
        tasks=tasks,
        reapproaches=reapproaches,
    )
