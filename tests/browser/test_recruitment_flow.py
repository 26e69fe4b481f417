"""A recruiter works a candidate from the queue through outreach, a decline, re-approach and enrollment."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from tandem.accounts.models import Discipline, Role
from tandem.caseload.models import Task, TaskKind
from tandem.engagement.models import Consent, OutreachAttempt, WarmHandoff
from tandem.programs import services as programs
from tandem.programs.models import Episode
from tandem.referrals.models import CommunityResource, ResourceReferral
from tests.browser.conftest import record_domain, sign_in
from tests.browser.test_accessibility import _check_page
from tests.builders import PASSWORD, make_patient, make_program, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _record_attempt(page: Any, channel: str, outcome: str, **fields: str) -> None:
    page.get_by_label(re.compile(r"^How:?$")).select_option(label=channel)
    page.get_by_label("What happened").select_option(label=outcome)
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Save attempt").click()


def test_candidate_to_enrolled_through_outreach_decline_and_reapproach(page: Any) -> None:
    recruiter = make_user(
        Role.CARE_MANAGER,
        username="chw_browser",
        first_name="Tomas",
        last_name="Reyes",
        discipline=Discipline.COMMUNITY_HEALTH_WORKER,
    )
    cm = make_user(Role.CARE_MANAGER, username="cm_enroll", first_name="Rosa", last_name="Diaz")
    team = make_team(members=(recruiter, cm), name="Harbor Team")
    patient = make_patient(team=team, given_name="Marisol", family_name="Quintero")
    episode = programs.open_episode(patient=patient, program=make_program(), by=None, source="stratification")
    CommunityResource.objects.create(name="Eastside Food Bank", category="food", area="Eastside")

    sign_in(page, "chw_browser", PASSWORD)
    base = f"/engagement/patients/{patient.public_id}"
    for path in (
        "/engagement/queue/",
        f"{base}/referrals/new/",
        f"{base}/episodes/{episode.pk}/attempt/",
        f"{base}/episodes/{episode.pk}/enroll/",
    ):
        _check_page(page, path)  # labels on every control, one h1, fits a portrait tablet
    page.goto("/engagement/queue/")
    row = page.locator("tr", has_text="Quintero")
    assert row.is_visible()
    row.get_by_role("link", name="Record attempt").click()
    assert page.get_by_role("heading", name="Outreach attempt for Marisol Quintero").is_visible()
    _record_attempt(page, "Phone call", "No answer")
    page.wait_for_url(f"**/patients/{patient.public_id}/")

    page.get_by_role("link", name="Record an outreach attempt").click()
    _record_attempt(page, "Text message", "Left a message", Notes="Texted about the program")
    page.wait_for_url(f"**/patients/{patient.public_id}/")

    page.get_by_role("link", name="Record an outreach attempt").click()
    assert page.get_by_label("Approach again on").input_value()  # suggested from the program's config
    page.get_by_label("Community resource referral (optional)").select_option(
        label="Eastside Food Bank (Food)"
    )
    _record_attempt(
        page,
        "Home visit",
        "Declined",
        **{
            "Something of value offered": "Groceries and a food bank referral",
            "Why they declined": "Too much going on with housing right now",
        },
    )
    page.wait_for_url(f"**/patients/{patient.public_id}/")
    assert page.get_by_test_id("program-status").inner_text() == "Declined"
    assert "Eastside Food Bank" in page.get_by_test_id("referrals").inner_text()

    # The re-approach date has come: move it to today rather than wait 90 days.
    today = timezone.localdate()
    Episode.objects.filter(pk=episode.pk).update(reapproach_on=today, next_attempt_on=today)
    page.goto("/engagement/queue/")
    page.locator("tr", has_text="Quintero").get_by_role("button", name="Re-approach").click()
    page.wait_for_url(f"**/episodes/{episode.pk}/attempt/")
    _record_attempt(page, "Community visit", "Agreed to enroll")
    page.wait_for_url(f"**/episodes/{episode.pk}/enroll/")

    page.get_by_label("Program consent method").select_option(label="Written")
    page.get_by_label("Medicare care management consent given (CCM/PCM)").check()
    page.get_by_label("Medicare consent given on").fill(today.isoformat())
    page.get_by_label("Medicare consent method").select_option(label="Verbal")
    page.get_by_label("Cost-sharing was explained").check()
    page.get_by_label("The right to stop at any time was explained").check()
    page.get_by_label("Primary care manager").select_option(label="Rosa Diaz")
    page.get_by_label("Tier").select_option(label="High")
    assert page.get_by_label("Warm handoff from (recruiter)").evaluate(
        "el => el.selectedOptions[0].text"
    ) == ("Tomas Reyes")
    page.get_by_label("How the handoff happened").select_option(label="Three-way call")
    page.get_by_role("button", name="Enroll").click()
    page.wait_for_url(f"**/patients/{patient.public_id}/")

    assert page.get_by_test_id("program-status").inner_text() == "Enrolled"
    assert page.get_by_test_id("primary-care-manager").inner_text() == "Rosa Diaz"
    assert page.locator(".tier").inner_text() == "High"
    assert "Tomas Reyes → Rosa Diaz" in page.get_by_test_id("warm-handoff").inner_text()
    assert OutreachAttempt.objects.filter(episode=episode).count() == 4
    assert ResourceReferral.objects.filter(patient=patient, resource__name="Eastside Food Bank").exists()
    assert Consent.objects.filter(episode=episode).count() == 2
    assert WarmHandoff.objects.filter(episode=episode, from_user=recruiter, to_user=cm).exists()

    # The first weeks: the assessment over three visits, the third with a PHQ-9 that raises a safety alert.
    pid = str(patient.public_id)
    record_domain(
        page,
        pid,
        "What matters to them and their life goals",
        {"What matters most to you right now?": "Keeping my apartment"},
        date=today.isoformat(),
    )
    record_domain(
        page,
        pid,
        "Past experiences with care",
        {"When has health care worked well for you?": "The clinic that called me back"},
        skip="hard or hurtful",
        date=today.isoformat(),
    )
    record_domain(
        page,
        pid,
        "Social needs",
        {"In the last year, did you worry about running out of food?": "Yes, most months"},
        date=today.isoformat(),
    )
    assert page.get_by_test_id("assessment-progress").inner_text().startswith("3 of 9 domains · day 1 of 30")
    page.get_by_role("link", name="Give Patient Health Questionnaire-9").click()
    for index, fieldset in enumerate(page.locator("fieldset.item").all()):
        fieldset.locator(f"input[value='{[1, 1, 0, 1, 0, 0, 1, 0, 1][index]}']").check()
    page.get_by_role("button", name="Score and save").click()
    page.wait_for_url(f"**/assessment/{pid}/")
    assert "Safety alert" in page.locator(".message.error").inner_text()
    alerts = Task.objects.filter(patient=patient, kind=TaskKind.SAFETY_ALERT)
    assert patient.care_team is not None
    assert {t.assigned_to for t in alerts} == {cm, patient.care_team.supervisor}
