"""Peer groups: members and attendance, shown only to staff who may see those patients."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.core.errors import ConflictError, DomainError
from tandem.referrals import groups
from tandem.referrals.models import Attendance, PeerGroupMembership
from tests.builders import make_patient, make_user
from tests.conftest import login
from tests.referrals.builders import make_caseload, make_group

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _soup(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")  # type: ignore[attr-defined]


def test_membership_is_added_once_and_ended_not_deleted() -> None:
    c = make_caseload()
    group = make_group()
    m = groups.add_member(group, patient=c.patient, by=c.care_manager, on=TODAY - timedelta(days=30))
    with pytest.raises(ConflictError, match="already a member"):
        groups.add_member(group, patient=c.patient, by=c.care_manager)
    groups.remove_member(m, by=c.care_manager)
    assert PeerGroupMembership.objects.get(pk=m.pk).left_on == TODAY
    groups.add_member(group, patient=c.patient, by=c.care_manager)  # rejoining is a new membership
    assert PeerGroupMembership.objects.filter(patient=c.patient).count() == 2
    with pytest.raises(DomainError, match="own caseload"):
        groups.add_member(group, patient=make_caseload().patient, by=c.care_manager)


def test_each_team_sees_and_records_only_its_own_members() -> None:
    north, south = make_caseload(), make_caseload()
    group = make_group()
    north_other = make_patient(team=north.team)
    for c, p in ((north, north.patient), (north, north_other), (south, south.patient)):
        groups.add_member(group, patient=p, by=c.care_manager, on=TODAY - timedelta(days=10))

    view = groups.current_members(group, viewer=north.care_manager)
    assert {m.patient for m in view.visible} == {north.patient, north_other} and view.hidden_count == 1

    groups.record_meeting(
        group, by=north.care_manager, held_on=TODAY, topic="Salt", attended={north.patient.pk}
    )
    groups.record_meeting(group, by=south.care_manager, held_on=TODAY, attended={south.patient.pk})
    rows = {a.patient_id: a.attended for a in Attendance.objects.all()}
    assert rows == {north.patient.pk: True, north_other.pk: False, south.patient.pk: True}
    with pytest.raises(DomainError, match="current members you can see"):
        groups.record_meeting(group, by=north.care_manager, held_on=TODAY, attended={south.patient.pk})
    [summary] = groups.meeting_summaries(group, viewer=south.care_manager)
    assert summary.attended_total == 2 and summary.attended_visible == [south.patient]
    assert summary.meeting.topic == "Salt"


def test_group_page_lists_visible_members_counts_the_rest_and_records_attendance() -> None:
    north, south = make_caseload(), make_caseload()
    group = make_group()
    groups.add_member(group, patient=north.patient, by=north.care_manager, on=TODAY - timedelta(days=3))
    groups.add_member(group, patient=south.patient, by=south.care_manager, on=TODAY - timedelta(days=3))
    client = login(Client(), north.care_manager)
    page = _soup(client.get(reverse("referrals:group", args=[group.pk])))
    assert north.patient.display_name in page.select_one("[data-testid=members]").get_text()
    assert (
        south.patient.display_name not in page.get_text() and south.patient.family_name not in page.get_text()
    )
    assert "1 other member" in page.select_one("[data-testid=hidden-members]").get_text()

    form = _soup(client.get(reverse("referrals:meeting-new", args=[group.pk])))
    boxes = form.select("[data-testid=attendance] input[type=checkbox]")
    assert [b["value"] for b in boxes] == [str(north.patient.pk)]
    assert all(form.find("label", attrs={"for": b["id"]}) for b in boxes)
    future = client.post(
        reverse("referrals:meeting-new", args=[group.pk]), {"held_on": str(TODAY + timedelta(1))}
    )
    assert _soup(future).select_one(".has-error #id_held_on") is not None
    saved = client.post(
        reverse("referrals:meeting-new", args=[group.pk]),
        {"held_on": str(TODAY), "topic": "Reading labels", "attended": [str(north.patient.pk)]},
    )
    assert saved.status_code == 302
    assert Attendance.objects.get(patient=north.patient).attended

    # Someone else's member cannot be removed by URL guessing.
    theirs = PeerGroupMembership.objects.get(patient=south.patient)
    refused = client.post(reverse("referrals:leave-group", args=[group.pk, theirs.pk]))
    assert refused.status_code == 403 and PeerGroupMembership.objects.get(pk=theirs.pk).left_on is None
    mine = PeerGroupMembership.objects.get(patient=north.patient)
    client.post(reverse("referrals:leave-group", args=[group.pk, mine.pk]))
    assert PeerGroupMembership.objects.get(pk=mine.pk).left_on == TODAY


def test_joining_from_the_patient_page_and_analysts_refused() -> None:
    c = make_caseload()
    group = make_group()
    client = login(Client(), c.care_manager)
    url = reverse("referrals:join-group", args=[c.patient.public_id])
    assert client.post(url, {"group": group.pk, "joined_on": str(TODAY)}).status_code == 302
    assert PeerGroupMembership.objects.filter(group=group, patient=c.patient, left_on=None).exists()
    listing = _soup(client.get(reverse("referrals:groups"))).select_one("[data-testid=groups]").get_text()
    assert "Healthy Hearts" in listing and "1 member" in listing
    analyst = login(Client(), make_user(Role.ANALYST))
    assert analyst.get(reverse("referrals:groups")).status_code == 403
    assert analyst.get(reverse("referrals:group", args=[group.pk])).status_code == 403
    outsider = login(Client(), make_caseload().care_manager)
    assert outsider.post(url, {"group": group.pk, "joined_on": str(TODAY)}).status_code == 403
