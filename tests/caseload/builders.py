"""Builders for caseload tests: a team with a supervisor and care managers, enrolled patients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from tandem.accounts.models import CareTeam, Role, User
from tandem.caseload.models import Contact, ContactMode
from tandem.patients.models import Patient
from tandem.programs.models import Episode, EpisodeStatus
from tests.builders import make_episode, make_patient, make_team, make_user

TODAY = timezone.localdate()


@dataclass
class Caseload:
    supervisor: User
    care_manager: User
    other_care_manager: User
    team: CareTeam
    patient: Patient
    episode: Episode


def make_caseload(*, tier: str = "high", enrolled_days_ago: int = 60) -> Caseload:
    supervisor = make_user(Role.SUPERVISOR)
    cm = make_user(Role.CARE_MANAGER)
    other = make_user(Role.CARE_MANAGER)
    team = make_team(supervisor=supervisor, members=(cm, other))
    patient, episode = enrolled(team, cm, tier=tier, enrolled_days_ago=enrolled_days_ago)
    return Caseload(supervisor, cm, other, team, patient, episode)


def enrolled(
    team: CareTeam, cm: User, *, tier: str = "medium", enrolled_days_ago: int = 60
) -> tuple[Patient, Episode]:
    patient = make_patient(team=team)
    episode = make_episode(patient, status=EpisodeStatus.ENROLLED, care_manager=cm, tier=tier)
    episode.enrolled_on = TODAY - timedelta(days=enrolled_days_ago)
    episode.save()
    return patient, episode


def contact(episode: Episode, by: User, *, on: date, confidence: int | None = None) -> Contact:
    c = Contact.objects.create(
        patient_id=episode.patient_id,
        episode=episode,
        occurred_on=on,
        mode=ContactMode.PHONE,
        duration_minutes=20,
        self_management_confidence=confidence,
        recorded_by=by,
    )
    c.staff.set([by])
    return c
