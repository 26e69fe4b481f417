"""A patient enrolled with a primary care manager on a team, and their care plan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tandem.accounts.models import Role, User
from tandem.careplans import services
from tandem.careplans.models import CarePlan, Goal
from tandem.patients.models import Patient
from tandem.programs.models import Episode
from tests.builders import make_episode, make_patient, make_team, make_user


@dataclass
class Setup:
    care_manager: User
    colleague: User
    patient: Patient
    episode: Episode
    plan: CarePlan


def make_plan(*, language: str = "en", **patient_kw: Any) -> Setup:
    cm = make_user(Role.CARE_MANAGER, first_name="Rosa", last_name="Rivera")
    colleague = make_user(Role.CARE_MANAGER, first_name="Sam", last_name="Okafor")
    patient = make_patient(team=make_team(members=(cm, colleague)), preferred_language=language, **patient_kw)
    episode = make_episode(patient, status="enrolled", care_manager=cm, tier="high")
    plan = services.start_plan(episode, by=cm)
    return Setup(cm, colleague, patient, episode, plan)


def add_goal(s: Setup, text: str, **kw: Any) -> Goal:
    s.plan.refresh_from_db()
    return services.add_goal(s.plan, by=s.care_manager, expected_version=s.plan.version, text=text, **kw)


def version(s: Setup) -> int:
    s.plan.refresh_from_db()
    return s.plan.version
