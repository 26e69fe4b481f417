"""A care manager signs in, finds a patient, opens the record, and is refused someone else's."""

from __future__ import annotations

from typing import Any

import pytest

from tandem.accounts.models import Role
from tandem.core.models import AuditAction, AuditEvent
from tests.browser.conftest import sign_in
from tests.builders import PASSWORD, make_episode, make_patient, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_care_manager_searches_opens_patient_and_is_refused_outside_team(page: Any) -> None:
    cm = make_user(Role.CARE_MANAGER, username="cm_browser", first_name="Rosa", last_name="Diaz")
    team = make_team(members=(cm,), name="Harbor Team")
    patient = make_patient(team=team, given_name="Marisol", family_name="Quintero", member_id="MBR0042")
    make_episode(patient, status="enrolled", care_manager=cm, tier="high")
    outsider = make_patient(
        team=make_team(name="Other Team"), given_name="Bartholomew", family_name="Outside"
    )

    sign_in(page, "cm_browser", PASSWORD)
    assert page.get_by_role("heading", name="My caseload").is_visible()

    page.get_by_role("link", name="Find a patient").first.click()
    page.get_by_label("Name").fill("Quintero")
    page.get_by_role("button", name="Search").click()
    assert page.get_by_role("heading", name="1 match").is_visible()
    # Search terms went in the POST body, not the address bar.
    assert "Quintero" not in page.url

    # Search by member id also finds her, with the keyboard only.
    page.get_by_label("Name").fill("")
    page.get_by_label("Member id or MRN").fill("MBR0042")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Quintero, Marisol").click()
    page.wait_for_url(f"**/patients/{patient.public_id}/")
    assert page.get_by_role("heading", name="Marisol Quintero").is_visible()
    assert page.get_by_test_id("program-status").inner_text() == "Enrolled"
    assert page.get_by_test_id("primary-care-manager").inner_text() == "Rosa Diaz"
    assert page.get_by_text("Harbor Team").is_visible()

    response = page.goto(f"/patients/{outsider.public_id}/")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="You don't have access to this patient's record").is_visible()
    assert "Bartholomew" not in page.content()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, patient_id=outsider.pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, patient_id=patient.pk).exists()


def test_form_errors_keep_what_was_typed(page: Any) -> None:
    cm = make_user(Role.CARE_MANAGER, username="cm_forms")
    patient = make_patient(team=make_team(members=(cm,)))
    sign_in(page, "cm_forms", PASSWORD)
    page.goto(f"/patients/{patient.public_id}/contact/")
    page.get_by_label("ZIP code").fill("12ab")
    page.get_by_label("Best time to reach them").fill("Mornings before 10")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Use a 5-digit ZIP code").is_visible()
    assert page.get_by_label("Best time to reach them").input_value() == "Mornings before 10"
    assert page.get_by_label("ZIP code").input_value() == "12ab"
