"""Admin pages for staff and teams."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tandem.accounts.models import CareTeam, Role, User
from tests.builders import make_team, make_user
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_admin_creates_staff_with_role_and_discipline() -> None:
    client = login(Client(), make_user(Role.ADMIN))
    response = client.post(
        reverse("accounts:user-create"),
        {
            "username": "sw_kim",
            "first_name": "Dana",
            "last_name": "Kim",
            "email": "dana@example.org",
            "role": Role.CARE_MANAGER,
            "discipline": "social_worker",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="sw_kim")
    assert (user.role, user.discipline, user.is_staff) == (Role.CARE_MANAGER, "social_worker", False)


def test_staff_form_errors_keep_typed_values() -> None:
    client = login(Client(), make_user(Role.ADMIN))
    response = client.post(
        reverse("accounts:user-create"),
        {
            "username": "x1",
            "first_name": "Typed",
            "role": "wizard",
            "discipline": "nurse",
            "password1": "short",
            "password2": "different",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Typed"' in body
    assert "Select a valid choice" in body
    assert "password fields didn" in body
    assert not User.objects.filter(username="x1").exists()


def test_admin_creates_team_with_supervisor_and_members() -> None:
    client = login(Client(), make_user(Role.ADMIN))
    sup = make_user(Role.SUPERVISOR)
    a, b = make_user(Role.CARE_MANAGER), make_user(Role.CARE_MANAGER)
    response = client.post(
        reverse("accounts:team-create"),
        {
            "name": "East Team",
            "supervisor": sup.pk,
            "members": [a.pk, b.pk],
            "active": "on",
        },
    )
    assert response.status_code == 302
    team = CareTeam.objects.get(name="East Team")
    assert set(team.members.all()) == {a, b}
    client.post(
        reverse("accounts:team-edit", args=[team.pk]),
        {
            "name": "East Team",
            "supervisor": sup.pk,
            "members": [b.pk],
            "active": "on",
        },
    )
    assert list(team.members.all()) == [b]


def test_team_supervisor_must_be_a_supervisor() -> None:
    client = login(Client(), make_user(Role.ADMIN))
    cm = make_user(Role.CARE_MANAGER)
    response = client.post(reverse("accounts:team-create"), {"name": "Bad", "supervisor": cm.pk})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not CareTeam.objects.filter(name="Bad").exists()


def test_deactivating_a_user_keeps_their_team_history() -> None:
    client = login(Client(), make_user(Role.ADMIN))
    cm = make_user(Role.CARE_MANAGER)
    make_team(members=(cm,))
    response = client.post(
        reverse("accounts:user-edit", args=[cm.pk]),
        {
            "first_name": cm.first_name,
            "last_name": cm.last_name,
            "role": cm.role,
            "discipline": cm.discipline,
        },
    )
    assert response.status_code == 302
    cm.refresh_from_db()
    assert not cm.is_active
    assert cm.care_teams.count() == 1
