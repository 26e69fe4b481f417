"""Peer group pages: creating and editing groups, adding members from the group, and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.core.errors import ConflictError, DomainError
from tandem.core.models import AuditAction, AuditEvent
from tandem.referrals import groups
from tandem.referrals.models import Attendance, PeerGroup, PeerGroupMeeting, PeerGroupMembership
from tests.builders import make_patient, make_user
from tests.conftest import login
from tests.referrals.builders import make_caseload, make_group

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _soup(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")  # type: ignore[attr-defined]


def _group_data(**kw: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Breathe Easy",
        "focus": "COPD",
        "description": "Living well with lung disease.",
        "schedule": "Wednesdays 10-11am",
        "location": "Harborview Library",
        "area": "Harborview",
        "peer_leaders": "",
        "active": "on",
    }
    data.update(kw)
    return data


def test_supervisor_starts_a_group_from_the_list_and_care_manager_edits_and_closes_it() -> None:
    c = make_caseload()
    sup = login(Client(), c.supervisor)
    listing = _soup(sup.get(reverse("referrals:groups")))
    assert listing.find("a", string="Start a peer group")["href"] == reverse("referrals:group-new")

    form = _soup(sup.get(reverse("referrals:group-new")))
    leader_boxes = form.select("[data-testid=staff-leaders] input[type=checkbox]")
    assert {b["value"] for b in leader_boxes} == {str(c.care_manager.pk), str(c.supervisor.pk)}
    assert all(form.find("label", attrs={"for": b["id"]}) for b in leader_boxes)

    made = sup.post(
        reverse("referrals:group-new"),
        _group_data(staff_leaders=[c.care_manager.pk], peer_leaders="Dolores M."),
    )
    group = PeerGroup.objects.get(name="Breathe Easy")
    assert made.status_code == 302 and made["Location"] == reverse("referrals:group", args=[group.pk])
    assert (group.focus, group.schedule, group.active) == ("COPD", "Wednesdays 10-11am", True)
    assert list(group.staff_leaders.all()) == [c.care_manager] and group.peer_leaders == "Dolores M."
    created = AuditEvent.objects.get(action=AuditAction.CREATE, resource_type="referrals.PeerGroup")
    assert (
        created.actor == c.supervisor and created.resource_id == str(group.pk) and created.patient_id is None
    )
    assert {"name", "focus", "staff_leaders", "peer_leaders"} <= set(created.fields)

    cm = login(Client(), c.care_manager)
    listing = _soup(cm.get(reverse("referrals:groups")))
    card = listing.select_one("[data-testid=groups]").get_text()
    assert "For COPD" in card and c.care_manager.display_name in card and "Dolores M." in card
    edit_url = reverse("referrals:group-edit", args=[group.pk])
    assert listing.find("a", string="Edit Breathe Easy")["href"] == edit_url
    page = _soup(cm.get(edit_url))
    assert page.select_one("#id_name")["value"] == "Breathe Easy"
    assert page.select_one(f"[data-testid=staff-leaders] input[value='{c.care_manager.pk}']").has_attr(
        "checked"
    )

    # Closing: the checkbox is left out of the POST, as a browser does with an unticked box.
    closed = cm.post(
        edit_url,
        _group_data(active="", schedule="Wednesdays 1-2pm", staff_leaders=[], peer_leaders="Dolores M."),
    )
    assert closed.status_code == 302
    group.refresh_from_db()
    assert not group.active and group.schedule == "Wednesdays 1-2pm" and not group.staff_leaders.exists()
    updated = AuditEvent.objects.get(action=AuditAction.UPDATE, resource_type="referrals.PeerGroup")
    assert updated.actor == c.care_manager
    assert set(updated.fields) == {"schedule", "active", "staff_leaders"}

    listing = _soup(cm.get(reverse("referrals:groups")))
    assert "Breathe Easy" not in listing.select_one("[data-testid=groups]").get_text()
    assert "Breathe Easy" in listing.select_one("[data-testid=closed-groups]").get_text()
    detail = _soup(cm.get(reverse("referrals:group", args=[group.pk])))
    assert detail.select_one("[data-testid=group-closed]") is not None
    assert detail.find("a", string="Add a member") is None
    assert cm.get(reverse("referrals:add-member", args=[group.pk])).status_code == 404


def test_group_form_explains_what_is_wrong() -> None:
    c = make_caseload()
    make_group("Healthy Hearts")
    client = login(Client(), c.care_manager)
    url = reverse("referrals:group-new")

    empty = _soup(client.post(url, _group_data(name="", peer_leaders="")))
    assert empty.select_one(".has-error #id_name") is not None
    assert "Name at least one leader" in empty.select_one(".has-error #id_peer_leaders").parent.get_text()

    # The database's unique name is case-sensitive; the service is not.
    twin = _soup(client.post(url, _group_data(name="healthy hearts", peer_leaders="Ana")))
    assert "There is already a group called healthy hearts." in twin.select_one("#form-errors").get_text()

    analyst = make_user(Role.ANALYST)
    wrong = _soup(client.post(url, _group_data(staff_leaders=[analyst.pk])))
    assert wrong.select_one("[data-testid=staff-leaders].has-error") is not None

    gone = make_user(Role.CARE_MANAGER, first_name="Gail", last_name="Gone")
    group = make_group("Walk and Talk")
    group.staff_leaders.add(gone)
    gone.is_active = False
    gone.save()
    # An inactive leader is still listed, so keeping them is refused by name instead of dropped silently.
    kept = _soup(
        client.post(
            reverse("referrals:group-edit", args=[group.pk]),
            _group_data(name="Walk and Talk", staff_leaders=[gone.pk]),
        )
    )
    assert "untick Gail Gone" in kept.select_one("#form-errors").get_text()
    assert PeerGroup.objects.count() == 2
    assert not AuditEvent.objects.filter(resource_type="referrals.PeerGroup").exists()


def test_group_pages_need_a_clinical_role_a_login_and_a_csrf_token() -> None:
    c = make_caseload()
    group = make_group()
    urls = [
        reverse("referrals:group-new"),
        reverse("referrals:group-edit", args=[group.pk]),
        reverse("referrals:add-member", args=[group.pk]),
    ]
    anonymous = Client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for role in (Role.ANALYST, Role.ADMIN):
        client = login(Client(), make_user(role))
        for url in urls:
            assert client.get(url).status_code == 403
        assert client.post(urls[0], _group_data(peer_leaders="Ana")).status_code == 403
    assert not PeerGroup.objects.filter(name="Breathe Easy").exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED).count() == 8

    strict = login(Client(enforce_csrf_checks=True), c.care_manager)
    assert strict.post(urls[0], _group_data(peer_leaders="Ana")).status_code == 403
    assert strict.post(urls[2], {"action": "add", "patient": str(c.patient.public_id)}).status_code == 403
    assert not PeerGroup.objects.filter(name="Breathe Easy").exists()
    assert not PeerGroupMembership.objects.exists()


def test_care_manager_finds_and_adds_own_patient_and_the_change_is_audited() -> None:
    c = make_caseload(given_name="Marisol", family_name="Quintero")
    group = make_group()
    already = make_patient(team=c.team, given_name="Mario", family_name="Quintana")
    groups.add_member(group, patient=already, by=c.care_manager, on=TODAY - timedelta(days=5))
    stranger = make_caseload(given_name="Maria", family_name="Quinn").patient  # same letters, other team
    client = login(Client(), c.care_manager)
    url = reverse("referrals:add-member", args=[group.pk])

    detail = _soup(client.get(reverse("referrals:group", args=[group.pk])))
    assert detail.find("a", string="Add a member")["href"] == url
    first = _soup(client.get(url))
    assert first.select_one("[data-testid=candidates]") is None  # nothing listed before a search

    found = _soup(client.post(url, {"action": "search", "name": "Qui"}))
    picks = found.select("[data-testid=candidates] input[type=radio]")
    # Own patients only, and not those already in the group.
    assert [p["value"] for p in picks] == [str(c.patient.public_id)]
    assert found.find("label", attrs={"for": picks[0]["id"]}).get_text().startswith("Marisol Quintero")
    assert "Quinn" not in found.get_text() and str(stranger.public_id) not in found.decode()
    search = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert search.fields == ["name"] and search.detail.startswith("1 result(s)")
    assert "Qui" not in search.detail

    added = client.post(
        url,
        {"action": "add", "name": "Qui", "patient": str(c.patient.public_id), "joined_on": str(TODAY)},
    )
    assert added.status_code == 302 and added["Location"] == reverse("referrals:group", args=[group.pk])
    membership = PeerGroupMembership.objects.get(group=group, patient=c.patient)
    assert membership.joined_on == TODAY and membership.added_by == c.care_manager
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, resource_type="referrals.PeerGroupMembership", patient_id=c.patient.pk
    )
    assert event.actor == c.care_manager and event.resource_id == str(membership.pk)
    members = _soup(client.get(reverse("referrals:group", args=[group.pk]))).select_one(
        "[data-testid=members]"
    )
    assert "Marisol Quintero" in members.get_text()

    client.post(reverse("referrals:leave-group", args=[group.pk, membership.pk]))
    left = AuditEvent.objects.get(
        action=AuditAction.UPDATE, resource_type="referrals.PeerGroupMembership", patient_id=c.patient.pk
    )
    assert "left_on" in left.fields and left.actor == c.care_manager


def test_care_manager_cannot_add_a_patient_outside_their_care_teams() -> None:
    mine, theirs = make_caseload(), make_caseload()
    group = make_group()
    client = login(Client(), mine.care_manager)
    refused = client.post(
        reverse("referrals:add-member", args=[group.pk]),
        {"action": "add", "name": "x" * 3, "patient": str(theirs.patient.public_id), "joined_on": str(TODAY)},
    )
    assert refused.status_code == 403
    assert not PeerGroupMembership.objects.exists()
    denied = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert denied.patient_id == theirs.patient.pk and denied.actor == mine.care_manager
    assert not AuditEvent.objects.filter(resource_type="referrals.PeerGroupMembership").exists()
    # A supervisor of another team cannot either; the outsider's own supervisor can.
    assert (
        login(Client(), mine.supervisor)
        .post(
            reverse("referrals:add-member", args=[group.pk]),
            {
                "action": "add",
                "name": "xyz",
                "patient": str(theirs.patient.public_id),
                "joined_on": str(TODAY),
            },
        )
        .status_code
        == 403
    )
    ok = login(Client(), theirs.supervisor).post(
        reverse("referrals:add-member", args=[group.pk]),
        {"action": "add", "name": "xyz", "patient": str(theirs.patient.public_id), "joined_on": str(TODAY)},
    )
    assert ok.status_code == 302
    assert PeerGroupMembership.objects.get().patient == theirs.patient


def test_add_member_form_errors_keep_the_search_results() -> None:
    c = make_caseload(given_name="Marisol", family_name="Quintero")
    group = make_group()
    client = login(Client(), c.care_manager)
    url = reverse("referrals:add-member", args=[group.pk])

    nothing_chosen = _soup(client.post(url, {"action": "add", "name": "Quintero", "joined_on": str(TODAY)}))
    assert "Choose the person to add." in nothing_chosen.select_one("[data-testid=candidates]").get_text()
    assert len(nothing_chosen.select("[data-testid=candidates] input[type=radio]")) == 1

    future = _soup(
        client.post(
            url,
            {
                "action": "add",
                "name": "Quintero",
                "patient": str(c.patient.public_id),
                "joined_on": str(TODAY + timedelta(days=1)),
            },
        )
    )
    assert future.select_one(".has-error #id_joined_on") is not None
    assert future.select_one("[data-testid=candidates] input[checked]")["value"] == str(c.patient.public_id)

    no_terms = _soup(client.post(url, {"action": "search"}))
    assert "Enter a name, a birth date or a member id" in no_terms.select_one("#form-errors").get_text()

    # Added by a colleague between the search and the click: the service's refusal is shown, not a 409 page.
    groups.add_member(group, patient=c.patient, by=c.supervisor)
    twice = client.post(
        url,
        {"action": "add", "name": "Quintero", "patient": str(c.patient.public_id), "joined_on": str(TODAY)},
    )
    assert twice.status_code == 200
    assert "already a member of Healthy Hearts" in _soup(twice).select_one("#add-errors").get_text()
    assert PeerGroupMembership.objects.count() == 1


def test_meeting_refused_by_the_service_is_shown_on_the_form() -> None:
    north, south = make_caseload(), make_caseload()
    group = make_group()
    groups.add_member(group, patient=south.patient, by=south.care_manager, on=TODAY - timedelta(days=2))
    client = login(Client(), north.care_manager)
    response = client.post(
        reverse("referrals:meeting-new", args=[group.pk]),
        {"held_on": str(TODAY), "attended": [str(south.patient.pk)]},
    )
    assert response.status_code == 200
    assert "current members you can see" in _soup(response).select_one("#form-errors").get_text()
    assert not Attendance.objects.exists() and not PeerGroupMeeting.objects.exists()


def test_save_group_enforces_its_rules_whatever_the_caller() -> None:
    c = make_caseload()
    with pytest.raises(DomainError, match="at least one leader"):
        groups.save_group(PeerGroup(name="Unled", peer_leaders="  "), staff_leaders=[], by=c.supervisor)
    with pytest.raises(DomainError, match="Give the group a name"):
        groups.save_group(PeerGroup(name=" ", peer_leaders="Ana"), staff_leaders=[], by=c.supervisor)
    analyst = make_user(Role.ANALYST, first_name="Avery", last_name="Analyst")
    with pytest.raises(DomainError, match="untick Avery Analyst"):
        groups.save_group(PeerGroup(name="Mixed"), staff_leaders=[analyst], by=c.supervisor)
    made = groups.save_group(
        PeerGroup(name="  Tuesday Walkers ", peer_leaders=" Ana "),
        staff_leaders=[c.care_manager],
        by=c.supervisor,
    )
    assert (made.name, made.peer_leaders) == ("Tuesday Walkers", "Ana")
    with pytest.raises(ConflictError, match="already a group called TUESDAY WALKERS"):
        groups.save_group(
            PeerGroup(name="TUESDAY WALKERS", peer_leaders="Bo"), staff_leaders=[], by=c.supervisor
        )
    assert PeerGroup.objects.count() == 1
    # Saving with nothing changed writes no audit line.
    groups.save_group(made, staff_leaders=[c.care_manager], by=c.supervisor)
    assert AuditEvent.objects.filter(resource_type="referrals.PeerGroup").count() == 1
