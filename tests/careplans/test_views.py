"""Care plan pages as parsed HTML: the plan, forms, the conflict page, history, and refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.careplans import services
from tandem.careplans.models import Goal, GoalCheckIn, GoalStatus, Step
from tandem.caseload.models import Task
from tandem.core.models import AuditAction, AuditEvent
from tests.builders import make_patient, make_team, make_user
from tests.careplans.builders import Setup, add_goal, make_plan, version
from tests.conftest import login

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def _url(name: str, s: Setup, *args: object) -> str:
    return reverse(f"careplans:{name}", args=[s.patient.public_id, *args])


def _goal_data(s: Setup, **kw: object) -> dict[str, object]:
    data: dict[str, object] = {"text": "", "why_it_matters": "", "linked_need": "", "status": "proposed"}
    data.update(version=version(s), **kw)
    return data


def test_plan_page_shows_goals_in_their_order_with_steps_share_and_chart() -> None:
    s = make_plan()
    first = add_goal(s, "Reconnect with my daughter", why_it_matters="I miss her")
    add_goal(s, "Lower my A1c", linked_need="Diabetes")
    services.add_step(
        first,
        by=s.care_manager,
        expected_version=version(s),
        description="Write her a letter",
        owner_kind="patient",
        coaching="you_do",
        due_on=TODAY + timedelta(days=3),
    )
    client = login(Client(), s.care_manager)
    soup = _soup(client.get(_url("plan", s)))
    assert len(soup.find_all("h1")) == 1
    assert [q.get_text() for q in soup.select("[data-testid=goal-text]")] == [
        "Reconnect with my daughter",
        "Lower my A1c",
    ]
    goals = soup.select("[data-testid=goal]")
    assert "Move up" not in goals[0].get_text() and "Move down" in goals[0].get_text()
    assert "You do" in goals[0].select_one("[data-testid=steps]").get_text()  # type: ignore[union-attr]
    assert "100%" in soup.select_one("[data-testid=you-do-share]").get_text()  # type: ignore[union-attr]
    assert soup.select_one("svg.trend") is not None
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, detail="care plan").exists()


def test_enrolled_patient_without_a_plan_can_start_one() -> None:
    s = make_plan()
    s.plan.delete()
    client = login(Client(), s.care_manager)
    assert "Start the care plan" in _soup(client.get(_url("plan", s))).get_text()
    assert client.post(_url("start", s)).status_code == 302
    assert services.current_plan(s.patient) is not None


def test_adding_a_goal_keeps_their_words_and_refuses_an_empty_one() -> None:
    s = make_plan()
    client = login(Client(), s.care_manager)
    empty = client.post(_url("goal-new", s), _goal_data(s, text="   "))
    assert empty.status_code == 200 and _soup(empty).select(".has-error")
    response = client.post(
        _url("goal-new", s),
        _goal_data(s, text="Walk my granddaughter to school", linked_need="Heart failure"),
    )
    assert response.status_code == 302
    goal = Goal.objects.get()
    assert (goal.text, goal.linked_need, goal.priority) == (
        "Walk my granddaughter to school",
        "Heart failure",
        1,
    )


def test_the_second_editor_sees_both_versions_and_nothing_is_overwritten() -> None:
    s = make_plan()
    goal = add_goal(s, "Reconnect with my daughter")
    opened_at = version(s)
    # The colleague saves first.
    services.update_goal(
        goal, {"text": "See my daughter every Sunday"}, by=s.colleague, expected_version=opened_at
    )
    client = login(Client(), s.care_manager)
    response = client.post(
        _url("goal-edit", s, goal.pk),
        {
            "text": "Call my daughter",
            "why_it_matters": "",
            "linked_need": "",
            "status": "active",
            "version": opened_at,
        },
    )
    assert response.status_code == 200
    soup = _soup(response)
    conflict = soup.select_one("[data-testid=conflict]")
    assert conflict is not None
    cells = [[td.get_text() for td in tr.select("td")] for tr in conflict.select("tbody tr")]
    assert [
        "The goal, in the patient's own words",
        "See my daughter every Sunday",
        "Call my daughter",
    ] in cells
    assert ["Status", "Proposed", "Active"] in cells
    assert s.colleague.display_name in conflict.get_text()  # who saved since
    # The form now carries the new version and keeps the user's own values.
    assert soup.select_one("input[name=version]")["value"] == str(opened_at + 1)  # type: ignore[index]
    assert soup.select_one("textarea[name=text]").get_text().strip() == "Call my daughter"  # type: ignore[union-attr]
    goal.refresh_from_db()
    assert (goal.text, goal.status) == ("See my daughter every Sunday", "proposed")
    # Saving again, knowingly, keeps theirs.
    again = client.post(
        _url("goal-edit", s, goal.pk),
        {
            "text": "Call my daughter",
            "why_it_matters": "",
            "linked_need": "",
            "status": "active",
            "version": opened_at + 1,
        },
    )
    assert again.status_code == 302
    goal.refresh_from_db()
    assert goal.text == "Call my daughter"


def test_a_stale_move_is_refused_with_a_message_and_changes_nothing() -> None:
    s = make_plan()
    add_goal(s, "First")
    second = add_goal(s, "Second")
    opened_at = version(s)
    add_goal(s, "Third, added by a colleague")
    client = login(Client(), s.care_manager)
    page = client.post(
        _url("goal-move", s, second.pk), {"version": opened_at, "direction": "up"}, follow=True
    )
    assert "Someone else changed this care plan" in page.content.decode()
    assert "Third, added by a colleague" in _soup(page).select_one(".messages").get_text()  # type: ignore[union-attr]
    assert [g.text for g in services.open_goals(s.plan)][:2] == ["First", "Second"]
    client.post(_url("goal-move", s, second.pk), {"version": version(s), "direction": "up"})
    assert [g.text for g in services.open_goals(s.plan)][:2] == ["Second", "First"]


def test_marking_a_goal_achieved_prompts_for_the_next_goal() -> None:
    s = make_plan()
    goal = add_goal(s, "Get my ID card back")
    client = login(Client(), s.care_manager)
    page = client.post(
        _url("goal-status", s, goal.pk), {"version": version(s), "status": "achieved"}, follow=True
    )
    soup = _soup(page)
    prompt = soup.select_one("[data-testid=next-goal-prompt]")
    assert prompt is not None and "Get my ID card back" in prompt.get_text()
    link = prompt.select_one("a")
    assert link is not None and link.get_text() == "Add their next goal"
    assert "Get my ID card back" in soup.select_one("[data-testid=closed-goals]").get_text()  # type: ignore[union-attr]
    new_goal_form = _soup(client.get(str(link["href"])))
    assert new_goal_form.select_one("select[name=status] option[selected]")["value"] == "active"  # type: ignore[index]


def test_step_form_adds_a_step_and_its_task_and_marks_it_done() -> None:
    s = make_plan()
    goal = add_goal(s, "Keep my apartment")
    client = login(Client(), s.care_manager)
    form = _soup(client.get(_url("step-new", s, goal.pk)))
    owners = [o.get_text() for o in form.select("select[name=owner_user] option") if o.get("value")]
    team = s.patient.care_team
    assert team is not None
    assert sorted(owners) == sorted(u.display_name for u in (s.care_manager, s.colleague, team.supervisor))
    bad = client.post(
        _url("step-new", s, goal.pk),
        {
            "description": "Call the landlord",
            "coaching": "you_do",
            "owner_kind": "team_member",
            "due_on": str(TODAY),
            "version": version(s),
        },
    )
    assert bad.status_code == 200 and "choose the patient" in bad.content.decode()
    response = client.post(
        _url("step-new", s, goal.pk),
        {
            "description": "Call the landlord",
            "coaching": "i_do",
            "owner_kind": "team_member",
            "owner_user": s.colleague.pk,
            "due_on": str(TODAY + timedelta(days=2)),
            "version": version(s),
        },
    )
    assert response.status_code == 302
    step = Step.objects.get()
    assert step.task is not None and step.task.assigned_to == s.colleague
    client.post(_url("step-status", s, step.pk), {"version": version(s), "status": "done"})
    assert Task.objects.get(pk=step.task_id).status == "done"


def test_check_in_form_refuses_a_missing_rating_and_saves_a_valid_one() -> None:
    s = make_plan()
    goal = add_goal(s, "Sleep better")
    client = login(Client(), s.care_manager)
    form = _soup(client.get(_url("check-in", s, goal.pk)))
    assert len(form.select("input[name=rating]")) == 11
    bad = client.post(_url("check-in", s, goal.pk), {"checked_on": str(TODAY), "rating": "11"})
    assert bad.status_code == 200 and _soup(bad).select(".has-error")
    ok = client.post(
        _url("check-in", s, goal.pk), {"checked_on": str(TODAY), "rating": "6", "note": "Better"}
    )
    assert ok.status_code == 302
    assert GoalCheckIn.objects.get().rating == 6
    assert "6/10" in _soup(client.get(_url("plan", s))).select_one("[data-testid=check-ins]").get_text()  # type: ignore[union-attr]


def test_backward_planning_form_adds_dated_steps() -> None:
    s = make_plan()
    goal = add_goal(s, "Cook dinner for my family")
    client = login(Client(), s.care_manager)
    target = TODAY + timedelta(days=21)
    bad = client.post(
        _url("backward", s, goal.pk),
        {
            "target_date": str(TODAY + timedelta(days=5)),
            "steps": "A\nB\nC",
            "interval_days": 7,
            "coaching": "gradual",
            "version": version(s),
        },
    )
    assert bad.status_code == 200 and "has passed" in bad.content.decode()
    response = client.post(
        _url("backward", s, goal.pk),
        {
            "target_date": str(target),
            "steps": "Visit the pantry\n\nShop together\nCook it",
            "interval_days": 7,
            "coaching": "gradual",
            "version": version(s),
        },
    )
    assert response.status_code == 302
    assert [(st.description, st.due_on, st.coaching) for st in Step.objects.order_by("due_on")] == [
        ("Visit the pantry", target - timedelta(days=14), "i_do"),
        ("Shop together", target - timedelta(days=7), "we_do"),
        ("Cook it", target, "you_do"),
    ]


def test_history_lists_who_when_and_what_changed() -> None:
    s = make_plan()
    goal = add_goal(s, "Stay housed")
    services.update_goal(goal, {"why_it_matters": "My kids"}, by=s.colleague, expected_version=version(s))
    soup = _soup(login(Client(), s.care_manager).get(_url("history", s)))
    rows = soup.select("[data-testid=revisions] tbody tr")
    assert [r.select("td")[0].get_text() for r in rows] == ["3", "2", "1"]
    assert s.colleague.display_name in rows[0].get_text()
    assert "why it matters (empty) → My kids" in rows[0].get_text()
    assert "Goal added: “Stay housed”" in rows[1].get_text()


def test_patient_page_shows_the_care_plan_card() -> None:
    s = make_plan()
    add_goal(s, "Reconnect with my daughter")
    soup = _soup(login(Client(), s.care_manager).get(reverse("patients:detail", args=[s.patient.public_id])))
    card = soup.select_one("[data-testid=careplan-card]")
    assert card is not None and "Reconnect with my daughter" in card.get_text()
    assert card.select_one("a")["href"] == _url("plan", s)  # type: ignore[index]


def _all_urls(s: Setup, goal: Goal, step: Step) -> list[str]:
    return [
        _url("plan", s),
        _url("start", s),
        _url("plan-status", s),
        _url("history", s),
        _url("print", s),
        _url("pdf", s),
        _url("goal-new", s),
        _url("goal-edit", s, goal.pk),
        _url("goal-move", s, goal.pk),
        _url("goal-status", s, goal.pk),
        _url("check-in", s, goal.pk),
        _url("backward", s, goal.pk),
        _url("step-new", s, goal.pk),
        _url("step-edit", s, step.pk),
        _url("step-status", s, step.pk),
    ]


@pytest.mark.parametrize("role", [Role.CARE_MANAGER, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN])
def test_other_teams_analysts_and_admins_are_refused_everywhere(role: str) -> None:
    s = make_plan()
    goal = add_goal(s, "Keep my apartment")
    step = services.add_step(
        goal,
        by=s.care_manager,
        expected_version=version(s),
        description="Call the landlord",
        owner_kind="patient",
        coaching="you_do",
        due_on=TODAY,
    )
    outsider = make_user(role)
    make_team(supervisor=outsider if role == Role.SUPERVISOR else None, members=(outsider,))
    make_patient(team=outsider.care_teams.first() or outsider.supervised_teams.first())
    client = login(Client(), outsider)
    before = version(s)
    for url in _all_urls(s, goal, step):
        assert client.get(url).status_code == 403, url
        assert (
            client.post(url, {"version": before, "status": "achieved", "direction": "up"}).status_code == 403
        ), url
    assert version(s) == before
    goal.refresh_from_db()
    assert goal.status == GoalStatus.PROPOSED
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor=outsider).count() == 30


def test_achieving_through_the_edit_form_dates_it_today() -> None:
    s = make_plan()
    goal = add_goal(s, "Get my ID card back")
    client = login(Client(), s.care_manager)
    response = client.post(
        _url("goal-edit", s, goal.pk),
        {
            "text": goal.text,
            "why_it_matters": "",
            "linked_need": "",
            "status": "achieved",
            "version": version(s),
        },
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.status, goal.achieved_on) == (GoalStatus.ACHIEVED, TODAY)
    assert services.next_goal_prompt(s.plan) == goal


def test_a_stale_step_edit_shows_the_saved_owner_beside_yours() -> None:
    s = make_plan()
    goal = add_goal(s, "Keep my apartment")
    step = services.add_step(
        goal,
        by=s.care_manager,
        expected_version=version(s),
        description="Call the landlord",
        owner_kind="care_manager",
        owner_user=s.care_manager,
        coaching="i_do",
        due_on=TODAY + timedelta(days=3),
    )
    opened_at = version(s)
    services.update_step(
        step,
        {"owner_kind": "team_member", "owner_user": s.colleague},
        by=s.colleague,
        expected_version=opened_at,
    )
    response = login(Client(), s.care_manager).post(
        _url("step-edit", s, step.pk),
        {
            "description": "Call the landlord about the heat",
            "coaching": "i_do",
            "owner_kind": "care_manager",
            "owner_user": s.care_manager.pk,
            "due_on": str(TODAY + timedelta(days=3)),
            "version": opened_at,
        },
    )
    assert response.status_code == 200
    rows = [
        [td.get_text() for td in tr.select("td")]
        for tr in _soup(response).select("[data-testid=conflict] tbody tr")
    ]
    assert ["Staff member", s.colleague.display_name, s.care_manager.display_name] in rows
    assert ["Who owns it", "Another team member", "The care manager"] in rows
    assert ["Next step", "Call the landlord", "Call the landlord about the heat"] in rows
    step.refresh_from_db()
    assert (step.description, step.owner_user) == ("Call the landlord", s.colleague)
