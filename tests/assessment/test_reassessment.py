"""Re-assessment over the care journey."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tandem.accounts.models import Role
from tandem.assessment import services
from tandem.assessment.models import Domain
from tandem.assessment.reassessment import reassessment_due
from tests.builders import make_episode, make_patient, make_team, make_user
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _enrolled(start: date):  # type: ignore[no-untyped-def]
    cm = make_user(Role.CARE_MANAGER)
    patient = make_patient(team=make_team(members=(cm,)))
    episode = make_episode(patient, status="enrolled", care_manager=cm, tier="high")
    episode.enrolled_on = start
    episode.save()
    return cm, patient, episode


def test_instruments_fall_due_again_after_their_interval() -> None:
    start = date(2026, 1, 5)
    cm, patient, episode = _enrolled(start)
    services.record_instrument(patient, "phq9", [1] * 8 + [0], by=cm, episode=episode, on=date(2026, 2, 1))
    due = {d.key: d for d in reassessment_due(episode, today=date(2026, 4, 30))}
    assert "phq9" not in due  # 88 days after the last PHQ-9
    assert due["gad7"].reason == "never done" and due["gad7"].due_on == start + timedelta(days=90)
    due = {d.key: d for d in reassessment_due(episode, today=date(2026, 5, 2))}
    assert due["phq9"].last_on == date(2026, 2, 1)
    assert due["phq9"].due_on == date(2026, 5, 2)


def test_domains_are_revisited_after_they_were_completed() -> None:
    start = date(2026, 1, 5)
    cm, _, episode = _enrolled(start)
    services.record_domain(
        episode,
        Domain.SOCIAL_NEEDS,
        by=cm,
        responses={"housing": "ok"},
        declined_items=[],
        complete=True,
        on=date(2026, 1, 10),
    )
    keys = [d.key for d in reassessment_due(episode, today=date(2026, 7, 8))]
    assert "social_needs" not in keys
    keys = [d.key for d in reassessment_due(episode, today=date(2026, 7, 9))]
    assert "social_needs" in keys
    assert "what_matters" not in keys  # never completed: part of the first assessment, not re-assessment


def test_overview_lists_what_is_due_again() -> None:
    cm, patient, episode = _enrolled(date.today() - timedelta(days=120))
    page = login(Client(), cm).get(reverse("assessment:overview", args=[patient.public_id]))
    assert b'data-testid="reassessment-due"' in page.content
    assert b"PHQ9" in page.content
