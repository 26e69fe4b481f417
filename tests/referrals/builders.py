"""Builders for referral tests: a team with a care manager and patient, resources, a peer group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tandem.accounts.models import CareTeam, Role, User
from tandem.patients.models import Patient
from tandem.referrals.models import CommunityResource, PeerGroup
from tests.builders import make_patient, make_team, make_user


@dataclass
class Caseload:
    care_manager: User
    supervisor: User
    team: CareTeam
    patient: Patient


def make_caseload(**patient_kw: Any) -> Caseload:
    cm = make_user(Role.CARE_MANAGER)
    supervisor = make_user(Role.SUPERVISOR)
    team = make_team(supervisor=supervisor, members=(cm,))
    return Caseload(cm, supervisor, team, make_patient(team=team, **patient_kw))


def make_resource(name: str = "Harborview Pantry", category: str = "food", **kw: Any) -> CommunityResource:
    defaults: dict[str, Any] = {"area": "Harborview", "zip_codes": "02118 02119", "phone": "555-0101"}
    defaults.update(kw)
    return CommunityResource.objects.create(name=name, category=category, **defaults)


def make_group(name: str = "Healthy Hearts", **kw: Any) -> PeerGroup:
    return PeerGroup.objects.create(name=name, schedule="Tuesdays 2pm", **kw)
