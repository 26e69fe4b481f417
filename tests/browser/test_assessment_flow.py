"""The first-30-day assessment across three visits, ending with a PHQ-9 that raises a safety alert."""

from __future__ import annotations

from typing import Any

import pytest

from tandem.accounts.models import Role
from tandem.caseload.models import Task, TaskKind
from tests.browser.conftest import record_domain, sign_in
from tests.builders import PASSWORD, make_episode, make_patient, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_assessment_over_three_visits_with_phq9_safety_alert(page: Any) -> None:
    cm = make_user(Role.CARE_MANAGER, username="cm_assess", first_name="Jo", last_name="Reyes")
    sup = make_user(Role.SUPERVISOR, username="sup_assess")
    patient = make_patient(
        team=make_team(supervisor=sup, members=(cm,)), given_name="Dolores", family_name="Haze"
    )
    make_episode(patient, status="enrolled", care_manager=cm, tier="high")
    pid = str(patient.public_id)
    sign_in(page, "cm_assess", PASSWORD)

    # Visit 1: what matters, and strengths.
    record_domain(
        page,
        pid,
        "What matters to them and their life goals",
        {"What matters most to you right now?": "Getting my grandson back for weekends"},
        date="2026-11-02",
    )
    record_domain(
        page,
        pid,
        "Strengths and what gives them energy",
        {"What are you good at, or proud of?": "I cook for the whole block"},
        date="2026-11-02",
    )
    assert page.get_by_test_id("assessment-progress").inner_text().startswith("2 of 9 domains")

    # Visit 2: past experiences with care, one question skipped; social needs started but not finished.
    record_domain(
        page,
        pid,
        "Past experiences with care",
        {"When has health care worked well for you?": "The nurse who came home after my surgery"},
        skip="hard or hurtful",
        date="2026-11-09",
    )
    record_domain(
        page,
        pid,
        "Social needs",
        {"Do you have a steady, safe place to live?": "Staying with my sister for now"},
        date="2026-11-09",
        complete=False,
    )
    assert page.get_by_test_id("assessment-progress").inner_text().startswith("3 of 9 domains")

    # Visit 3: a PHQ-9 with item 9 above 0.
    page.get_by_role("link", name="Give Patient Health Questionnaire-9").click()
    page.get_by_label("Date given").fill("2026-11-16")
    answers = [2, 2, 1, 2, 1, 1, 1, 1, 1]
    for index, fieldset in enumerate(page.locator("fieldset.item").all()):
        fieldset.locator(f"input[value='{answers[index]}']").check()
    page.get_by_role("button", name="Score and save").click()
    page.wait_for_url(f"**/assessment/{pid}/")
    alert = page.locator(".message.error")
    assert "Safety alert" in alert.inner_text()
    assert "PHQ9 · total 12 · moderate" in alert.inner_text()
    assert page.locator("svg.trend").count() == 1

    tasks = Task.objects.filter(patient=patient, kind=TaskKind.SAFETY_ALERT)
    assert {t.assigned_to.username for t in tasks} == {"cm_assess", "sup_assess"}
    page.goto("/")
    assert "Safety check today" in page.get_by_test_id("my-tasks").inner_text()
