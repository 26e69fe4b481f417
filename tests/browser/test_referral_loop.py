"""A care manager finds a food resource by need and ZIP, refers, follows up, and closes the loop."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.referrals.models import ResourceReferral
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _check_page
from tests.builders import PASSWORD, make_patient, make_team, make_user
from tests.referrals.builders import make_group, make_resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_food_referral_from_search_to_completed(page: Any) -> None:
    cm = make_user(Role.CARE_MANAGER, username="cm_loop", first_name="Rosa", last_name="Diaz")
    patient = make_patient(
        team=make_team(members=(cm,)), given_name="Marisol", family_name="Quintero", postal_code="02118"
    )
    make_resource("Harborview Community Pantry", "food", zip_codes="02118 02119", hours="Sat 9am-noon")
    make_resource("Eastside Meals", "food", area="Eastside", zip_codes="02120")
    make_resource("Safe Harbor Housing", "housing", zip_codes="02118")
    group = make_group()
    today = timezone.localdate().isoformat()

    sign_in(page, "cm_loop", PASSWORD)
    page.set_viewport_size({"width": 768, "height": 1024})
    for path in (
        "/referrals/resources/?need=food&area=02118",
        f"/referrals/patients/{patient.public_id}/",
        "/referrals/follow-ups/",
        "/referrals/groups/",
        f"/referrals/groups/{group.pk}/",
        f"/referrals/groups/{group.pk}/meetings/new/",
    ):
        _check_page(page, path)  # labelled controls, one h1, fits a portrait tablet

    page.goto(f"/patients/{patient.public_id}/")
    page.get_by_role("link", name="Community referrals and peer groups").click()
    assert page.get_by_role("heading", name="Community referrals for Marisol Quintero").is_visible()
    page.get_by_label("Need").select_option(label="Food")
    page.get_by_label("ZIP code or area").fill("02118")
    page.get_by_role("button", name="Search").click()
    results = page.locator("[data-testid=results]")
    assert results.get_by_text("Harborview Community Pantry").first.is_visible()
    assert results.get_by_text("Eastside Meals").count() == 0
    assert results.get_by_text("Safe Harbor Housing").count() == 0

    page.get_by_role("link", name="Refer to Harborview Community Pantry").click()
    page.get_by_label("Follow up on").fill(today)  # due today, so it shows on the follow-up list
    page.get_by_label("Note for the team").fill("Prefers Saturday pick-up")
    page.get_by_role("button", name="Save referral").click()
    page.wait_for_url(f"**/referrals/patients/{patient.public_id}/")
    assert page.get_by_test_id("referral-status").first.inner_text() == "Sent"

    # A follow-up that is due is also a task on the referrer's worklist, until the outcome is recorded.
    page.goto("/caseload/worklist/")
    assert (
        page.get_by_test_id("tasks")
        .get_by_text("Referral follow-up: Harborview Community Pantry")
        .is_visible()
    )
    page.goto(f"/referrals/patients/{patient.public_id}/")

    page.get_by_role("link", name="Follow-ups due").click()
    row = page.locator("[data-testid=follow-ups] li", has_text="Marisol Quintero")
    assert row.get_by_text("Harborview Community Pantry").is_visible()
    row.get_by_role("link", name="Update status").click()
    page.get_by_label("New status").select_option(label="Accepted")
    page.get_by_label("What you heard").fill("Intake on Saturday")
    page.get_by_role("button", name="Save status").click()
    page.wait_for_url(f"**/referrals/patients/{patient.public_id}/")
    assert page.get_by_test_id("referral-status").first.inner_text() == "Accepted"

    page.goto("/referrals/follow-ups/")  # the next follow-up is two weeks out
    assert page.get_by_text("No referral follow-ups are due.").is_visible()
    page.goto("/caseload/worklist/")
    assert page.get_by_text("Referral follow-up: Harborview Community Pantry").count() == 0

    page.goto(f"/referrals/patients/{patient.public_id}/")
    page.get_by_role("link", name="Update status of the Harborview Community Pantry referral").click()
    page.get_by_label("New status").select_option(label="Completed")
    page.get_by_role("button", name="Save status").click()
    page.wait_for_url(f"**/referrals/patients/{patient.public_id}/")
    assert page.get_by_test_id("referral-status").first.inner_text() == "Completed"
    page.get_by_text("History").first.click()
    assert page.get_by_text("Sent → Accepted by Rosa Diaz — Intake on Saturday").is_visible()

    referral = ResourceReferral.objects.get(patient=patient)
    assert referral.status == "completed"
    assert list(referral.history.values_list("to_status", flat=True)) == ["sent", "accepted", "completed"]
