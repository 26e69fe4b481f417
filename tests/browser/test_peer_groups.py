"""A care manager starts a peer group, adds one of their patients and records who came to a meeting."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.core.models import AuditAction, AuditEvent
from tandem.referrals.models import Attendance, PeerGroup, PeerGroupMembership
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _check_page
from tests.builders import PASSWORD, make_patient, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_group_add_member_record_attendance(page: Any) -> None:
    cm = make_user(Role.CARE_MANAGER, username="cm_peers", first_name="Rosa", last_name="Diaz")
    team = make_team(members=(cm,))
    patient = make_patient(team=team, given_name="Marisol", family_name="Quintero")
    make_patient(team=make_team(), given_name="Marta", family_name="Quintana")  # another team's patient
    today = timezone.localdate()

    sign_in(page, "cm_peers", PASSWORD)
    page.set_viewport_size({"width": 768, "height": 1024})
    _check_page(page, "/referrals/groups/new/")

    page.goto("/referrals/groups/")
    page.get_by_role("link", name="Start a peer group").click()
    page.get_by_role("button", name="Save group").click()  # nothing filled in: errors, nothing saved
    assert page.locator(".has-error #id_name").is_visible()
    assert page.get_by_text("Name at least one leader").is_visible()
    assert PeerGroup.objects.count() == 0

    page.get_by_label("Name").fill("Breathe Easy")
    page.get_by_label("Focus (need or condition)").fill("COPD")
    page.get_by_label("Schedule").fill("Wednesdays 10-11am")
    page.get_by_label("Location").fill("Harborview Library")
    page.get_by_label("Rosa Diaz").check()
    page.get_by_label("Peer leaders").fill("Dolores M.")
    page.get_by_role("button", name="Save group").click()
    page.wait_for_url("**/referrals/groups/*/")
    assert page.get_by_role("heading", name="Breathe Easy").is_visible()
    group = PeerGroup.objects.get(name="Breathe Easy")
    assert list(group.staff_leaders.all()) == [cm] and group.focus == "COPD"

    page.get_by_role("link", name="Add a member").click()
    _check_page(page, f"/referrals/groups/{group.pk}/members/add/")
    page.get_by_label("Name").fill("Quint")
    page.get_by_role("button", name="Search").click()
    candidates = page.get_by_test_id("candidates")
    assert candidates.get_by_text("Marisol Quintero").is_visible()
    assert candidates.get_by_text("Marta Quintana").count() == 0  # not on Rosa's teams
    assert "Quint" not in page.url  # the search went in the POST body
    page.get_by_label("Marisol Quintero", exact=False).check()
    page.get_by_role("button", name="Add to group").click()
    page.wait_for_url(f"**/referrals/groups/{group.pk}/")
    assert page.get_by_test_id("members").get_by_role("link", name="Marisol Quintero").is_visible()
    membership = PeerGroupMembership.objects.get(group=group, patient=patient, left_on=None)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, resource_type="referrals.PeerGroupMembership", patient_id=patient.pk
    ).exists()

    page.get_by_role("link", name="Record a meeting").click()
    page.get_by_label("Meeting date").fill(today.isoformat())
    page.get_by_label("Topic").fill("Inhaler technique")
    page.get_by_test_id("attendance").get_by_label("Marisol Quintero").check()
    page.get_by_role("button", name="Save meeting").click()
    page.wait_for_url(f"**/referrals/groups/{group.pk}/")
    meetings = page.get_by_test_id("meetings")
    assert meetings.get_by_text("Inhaler technique").is_visible()
    assert "1 attended, including Marisol Quintero" in meetings.inner_text()
    assert Attendance.objects.get(meeting__group=group, patient=patient).attended
    assert membership.left_on is None
