"""Small keyword-default builders: one line per fact a test cares about."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from tandem.accounts.models import CareTeam, CareTeamMembership, Discipline, Role, User
from tandem.patients.models import IdentifierSystem, Patient, PatientIdentifier
from tandem.programs import services as programs
from tandem.programs.models import Episode, EpisodeStatus, Program

PASSWORD = "correct-horse-battery-9"
_seq = itertools.count(1)


def make_user(role: str = Role.CARE_MANAGER, *, username: str | None = None, **kw: Any) -> User:
    n = next(_seq)
    user = User(
        username=username or f"{role}{n}",
        first_name=kw.pop("first_name", f"Staff{n}"),
        last_name=kw.pop("last_name", role.replace("_", " ").title()),
        role=role,
        discipline=kw.pop("discipline", Discipline.NURSE),
        **kw,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def make_team(
    *, supervisor: User | None = None, members: tuple[User, ...] = (), name: str | None = None
) -> CareTeam:
    team = CareTeam.objects.create(
        name=name or f"Team {next(_seq)}", supervisor=supervisor or make_user(Role.SUPERVISOR)
    )
    for m in members:
        CareTeamMembership.objects.create(team=team, user=m)
    return team


def make_patient(*, team: CareTeam | None = None, member_id: str | None = None, **kw: Any) -> Patient:
    n = next(_seq)
    defaults: dict[str, Any] = {
        "given_name": f"Given{n}",
        "family_name": f"Family{n}",
        "birth_date": date(1955, 3, 14),
        "sex": "female",
    }
    defaults.update(kw)
    patient = Patient.objects.create(care_team=team, **defaults)
    PatientIdentifier.objects.create(
        patient=patient, system=IdentifierSystem.MEMBER_ID, value=member_id or f"M{n:07d}"
    )
    return patient


def make_program(name: str = "Complex Care") -> Program:
    program, _ = Program.objects.get_or_create(slug=name.lower().replace(" ", "-"), defaults={"name": name})
    return program


def make_episode(
    patient: Patient,
    *,
    status: str = EpisodeStatus.CANDIDATE,
    care_manager: User | None = None,
    tier: str = "medium",
    program: Program | None = None,
) -> Episode:
    episode = programs.open_episode(patient=patient, program=program or make_program(), by=None)
    if status == EpisodeStatus.CANDIDATE:
        return episode
    if status == EpisodeStatus.ENROLLED:
        return programs.transition(episode, status, by=None, care_manager=care_manager, tier=tier)
    if status == EpisodeStatus.OUTREACH:
        return programs.transition(episode, status, by=None)
    if status in (EpisodeStatus.GRADUATED, EpisodeStatus.DISENROLLED):
        programs.transition(
            episode,
            EpisodeStatus.ENROLLED,
            by=None,
            tier=tier,
            care_manager=care_manager or make_user(Role.CARE_MANAGER),
        )
    return programs.transition(episode, status, by=None, reason="test")
