"""Where the caseload meets care-plan goals: contact check-ins, stalled goals, counts, graduation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.careplans import services as careplans
from tandem.careplans.models import CarePlan, Goal, GoalCheckIn, GoalStatus
from tandem.caseload import conferences, dashboard, goals, graduation, services
from tandem.caseload.models import AgendaTrigger, CareEventKind
from tandem.programs.models import Episode
from tests.caseload.builders import TODAY, contact, make_caseload
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _plan(episode: Episode, texts: list[str], *, status: str = GoalStatus.ACTIVE) -> list[Goal]:
    plan = careplans.start_plan(episode, by=None)
    made = []
    for text in texts:
        plan = CarePlan.objects.get(pk=plan.pk)
        made.append(
            careplans.add_goal(plan, by=None, expected_version=plan.version, text=text, status=status)
        )
    return made


def _age(goal: Goal, days: int) -> None:
    Goal.objects.filter(pk=goal.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )  # test setup only


def test_contact_form_checks_in_on_rated_active_goals() -> None:
    c = make_caseload()
    first, second = _plan(c.episode, ["Reconnect with my daughter", "Lower my A1c"])
    client = login(Client(), c.care_manager)
    url = reverse("caseload:contact-new", args=[c.patient.public_id])
    page = client.get(url).content.decode()
    assert "Reconnect with my daughter" in page
    response = client.post(
        url,
        {
            "occurred_on": str(TODAY),
            "mode": "phone",
            "duration_minutes": "15",
            "patient_present": "on",
            f"goal_{first.pk}_rating": "6",
            f"goal_{first.pk}_note": "Called her twice",
        },
    )
    assert response.status_code == 302
    check = GoalCheckIn.objects.get()
    assert (check.goal_id, check.rating, check.note, check.by) == (
        first.pk,
        6,
        "Called her twice",
        c.care_manager,
    )
    assert not GoalCheckIn.objects.filter(goal=second).exists()


def test_top_goals_criterion_counts_achieved_or_self_managed() -> None:
    c = make_caseload()
    a, b, _third, _fourth = _plan(c.episode, ["One", "Two", "Three", "Four"])
    result = {cr.key: cr for cr in graduation.readiness(c.episode).criteria}["top_goals"]
    assert not result.met and "0 of the top 3" in result.reason
    for g in (a, b, _third):
        g.refresh_from_db()
    careplans.set_goal_status(a, GoalStatus.ACHIEVED, by=None, expected_version=None, on=TODAY)
    Goal.objects.filter(pk__in=[b.pk, _third.pk]).update(self_managed=True)  # test setup only
    result = {cr.key: cr for cr in graduation.readiness(c.episode).criteria}["top_goals"]
    assert result.met, result.reason
    assert goals.achieved_counts([c.episode]) == {c.episode.pk: 1}


def test_fully_ready_patient_is_flagged_on_dashboard_and_agenda() -> None:
    c = make_caseload(tier="low")
    (goal,) = _plan(c.episode, ["Walk to church"])
    Goal.objects.filter(pk=goal.pk).update(self_managed=True)  # test setup only
    services.record_care_event(c.patient, by=None, kind=CareEventKind.PCP_KEPT, occurred_on=TODAY)
    contact(c.episode, c.care_manager, on=TODAY, confidence=9)
    assert graduation.readiness(c.episode).ready
    board = dashboard.team_dashboard(c.team)
    assert [r.ready for r in board.rows if r.user == c.care_manager] == [[c.episode]]
    conf = conferences.schedule(c.team, held_on=TODAY, by=c.supervisor)
    assert AgendaTrigger.GRADUATION in {i.trigger for i in conferences.build_agenda(conf)}


def test_goal_without_progress_for_four_weeks_reaches_the_agenda() -> None:
    c = make_caseload(tier="low")
    stuck, moving = _plan(c.episode, ["Find housing", "Cook at home"])
    _age(stuck, 40)
    _age(moving, 40)
    careplans.check_in(stuck, by=None, rating=4, note="", on=TODAY - timedelta(days=35))
    careplans.check_in(stuck, by=None, rating=4, note="", on=TODAY - timedelta(days=3))
    careplans.check_in(moving, by=None, rating=2, note="", on=TODAY - timedelta(days=35))
    careplans.check_in(moving, by=None, rating=5, note="", on=TODAY - timedelta(days=3))
    stalled = goals.stalled_patient_ids([c.patient.pk], as_of=TODAY)
    assert list(stalled) == [c.patient.pk] and "Find housing" in stalled[c.patient.pk]
    careplans.check_in(stuck, by=None, rating=6, note="", on=TODAY)
    assert goals.stalled_patient_ids([c.patient.pk], as_of=TODAY) == {}
    conf = conferences.schedule(c.team, held_on=TODAY, by=c.supervisor)
    careplans.check_in(moving, by=None, rating=5, note="", on=TODAY)
    assert AgendaTrigger.GOAL_STALLED not in {i.trigger for i in conferences.build_agenda(conf)}


def test_dashboard_flags_exactly_the_patients_readiness_flags() -> None:
    """The dashboard narrows the team in SQL before judging; it must never disagree with `readiness`."""
    from tests.caseload.builders import enrolled

    c = make_caseload(tier="low")
    cases = {"ready": c.episode}
    for name in ("ready2", "no_pcp", "acute", "low_confidence", "confidence_not_latest", "goal_open"):
        cases[name] = enrolled(c.team, c.other_care_manager, tier="low")[1]
    for name, ep in cases.items():
        (goal,) = _plan(ep, ["Walk to church"])
        if name != "goal_open":
            Goal.objects.filter(pk=goal.pk).update(self_managed=True)  # test setup only
        if name != "no_pcp":
            services.record_care_event(ep.patient, by=None, kind=CareEventKind.PCP_KEPT, occurred_on=TODAY)
        if name == "acute":
            services.record_care_event(
                ep.patient, by=None, kind=CareEventKind.ED_VISIT, occurred_on=TODAY - timedelta(days=10)
            )
        if name == "confidence_not_latest":
            contact(ep, c.care_manager, on=TODAY - timedelta(days=5), confidence=9)
            contact(ep, c.care_manager, on=TODAY, confidence=4)
        else:
            contact(ep, c.care_manager, on=TODAY, confidence=3 if name == "low_confidence" else 8)
    expected = {ep for ep in cases.values() if graduation.readiness(ep).ready}
    assert expected == {cases["ready"], cases["ready2"]}
    board = dashboard.team_dashboard(c.team)
    assert {ep for r in board.rows for ep in r.ready} == expected


def test_dashboard_query_count_does_not_grow_with_the_team(django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.caseload.builders import enrolled

    c = make_caseload(tier="high")  # someone is overloaded in both, so both list high-tier patients
    with CaptureQueriesContext(connection) as small:
        dashboard.team_dashboard(c.team)
    for tier in ("high", "medium", "low", "high", "high"):
        _, ep = enrolled(c.team, c.other_care_manager, tier=tier)
        contact(ep, c.care_manager, on=TODAY, confidence=8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        dashboard.team_dashboard(c.team)
