"""Builders for recruitment tests: a team with a recruiter, a candidate, a community resource."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tandem.accounts.models import CareTeam, Discipline, Role, User
from tandem.patients.models import Patient
from tandem.programs import services as programs
from tandem.programs.models import Episode, Program
from tandem.referrals.models import CommunityResource, ResourceCategory
from tests.builders import make_patient, make_program, make_team, make_user


@dataclass
class Recruitment:
    recruiter: User
    care_manager: User
    supervisor: User
    team: CareTeam
    patient: Patient
    program: Program
    episode: Episode


def make_recruitment(*, source: str = "stratification", **program_config: Any) -> Recruitment:
    recruiter = make_user(Role.CARE_MANAGER, discipline=Discipline.COMMUNITY_HEALTH_WORKER)
    cm = make_user(Role.CARE_MANAGER)
    supervisor = make_user(Role.SUPERVISOR)
    team = make_team(supervisor=supervisor, members=(recruiter, cm))
    program = make_program()
    if program_config:
        for key, value in program_config.items():
            setattr(program, key, value)
        program.save()
    patient = make_patient(team=team)
    episode = programs.open_episode(patient=patient, program=program, by=None, source=source)
    return Recruitment(recruiter, cm, supervisor, team, patient, program, episode)


def make_resource(
    name: str = "Eastside Food Bank", category: str = ResourceCategory.FOOD
) -> CommunityResource:
    return CommunityResource.objects.create(name=name, category=category, area="Eastside", phone="555-0100")
