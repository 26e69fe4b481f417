"""Assessment rules: progress over the first 30 days, instrument scoring and safety alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from tandem.accounts.models import User
from tandem.assessment.instruments import InvalidAnswers, UnknownInstrument, get, to_questionnaire_response
from tandem.assessment.models import Domain, DomainEntry, InstrumentResponse
from tandem.caseload.models import Task, TaskKind, TaskPriority
from tandem.core.errors import DomainError
from tandem.patients.models import Patient
from tandem.programs.models import Episode

ASSESSMENT_WINDOW_DAYS = 30
SAFETY_FLAG = "self_harm_risk"


@dataclass(frozen=True)
class Progress:
    completed: int
    total: int
    day: int
    window: int
    overdue: bool
    completed_domains: frozenset[str]

    @property
    def label(self) -> str:
        return f"{self.completed} of {self.total} domains · day {self.day} of {self.window}"


def progress(episode: Episode, *, today: date | None = None) -> Progress:
    """Where the person's first-30-day assessment stands, counted from enrollment."""
    today = today or timezone.localdate()
    done = frozenset(
        DomainEntry.objects.filter(episode=episode, complete=True).values_list("domain", flat=True).distinct()
    )
    start = episode.enrolled_on or episode.created_at.date()
    day = max(1, (today - start).days + 1)
    total = len(Domain.values)
    return Progress(
        completed=len(done),
        total=total,
        day=day,
        window=ASSESSMENT_WINDOW_DAYS,
        overdue=day > ASSESSMENT_WINDOW_DAYS and len(done) < total,
        completed_domains=done,
    )


def record_domain(
    episode: Episode,
    domain: str,
    *,
    by: User,
    responses: dict[str, str],
    declined_items: list[str],
    notes: str = "",
    complete: bool = False,
    on: date | None = None,
) -> DomainEntry:
    """Add what was learned at this visit; earlier entries stay as they were."""
    if domain not in Domain.values:
        raise DomainError(f"Unknown assessment domain {domain!r}.")
    if not any(v.strip() for v in responses.values()) and not declined_items and not notes.strip():
        raise DomainError("Write down at least one answer, a note, or mark a question 'prefer not to say'.")
    return DomainEntry.objects.create(
        episode=episode,
        domain=domain,
        recorded_on=on or timezone.localdate(),
        recorded_by=by,
        responses={k: v for k, v in responses.items() if v.strip()},
        declined_items=declined_items,
        notes=notes,
        complete=complete,
    )


def record_instrument(
    patient: Patient,
    instrument_id: str,
    answers: dict[str, Any] | list[Any],
    *,
    by: User,
    episode: Episode | None = None,
    on: date | None = None,
) -> InstrumentResponse:
    """Score and store an administration; a self-harm answer raises same-day tasks at once."""
    try:
        instrument = get(instrument_id)
        result = instrument.score(answers)
    except UnknownInstrument as exc:
        raise DomainError(f"Unknown instrument {instrument_id!r}.") from exc
    except InvalidAnswers as exc:
        raise DomainError(str(exc)) from exc
    when = on or timezone.localdate()
    validated = instrument.validate(answers)
    stored = [sorted(a) if isinstance(a, frozenset) else a for a in validated]
    response = InstrumentResponse.objects.create(
        patient=patient,
        episode=episode,
        instrument=instrument.id,
        loinc_panel=instrument.panel_loinc or "",
        loinc_total=instrument.total_loinc or "",
        administered_on=when,
        recorded_by=by,
        answers=stored,
        total=result.total,
        band=result.band or "",
        flags=list(result.flags),
        physical_t=result.physical_t,
        mental_t=result.mental_t,
        positive_domains=list(result.positive_domains or []),
        questionnaire_response=to_questionnaire_response(
            instrument, answers, f"Patient/{patient.public_id}", when.isoformat()
        ),
    )
    if SAFETY_FLAG in result.flags:
        raise_safety_alert(patient, response, by=by, episode=episode)
    return response


def raise_safety_alert(
    patient: Patient, response: InstrumentResponse, *, by: User, episode: Episode | None
) -> list[Task]:
    """Same-day urgent tasks for the primary care manager and the supervisor (or the recorder)."""
    recipients: list[User] = []
    if episode is not None and episode.primary_care_manager is not None:
        recipients.append(episode.primary_care_manager)
    else:
        recipients.append(by)
    if patient.care_team is not None and patient.care_team.supervisor not in recipients:
        recipients.append(patient.care_team.supervisor)
    today = timezone.localdate()
    return [
        Task.objects.create(
            patient=patient,
            kind=TaskKind.SAFETY_ALERT,
            priority=TaskPriority.URGENT,
            title="Safety check today: PHQ-9 item 9 answered above 0",
            detail="Thoughts of self-harm were reported. Reach the patient today, assess risk and "
            "follow the program's suicide-risk protocol.",
            due_on=today,
            assigned_to=user,
            created_by=by,
            source=f"{response.instrument}:{response.pk}",
        )
        for user in recipients
    ]
