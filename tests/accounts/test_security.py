"""Security rules from the Foundations issue, each with its refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.core.models import AuditAction, AuditEvent
from tests.builders import PASSWORD, make_episode, make_patient, make_team, make_user
from tests.conftest import login

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.argon2
def test_passwords_are_stored_with_argon2() -> None:
    user = make_user(Role.CARE_MANAGER)
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "name,args",
    [
        ("home", []),
        ("patients:search", []),
        ("accounts:user-list", []),
        ("accounts:team-list", []),
        ("core:audit-list", []),
        ("patients:detail", ["00000000-0000-0000-0000-000000000000"]),
    ],
)
def test_every_page_requires_login(client: Client, name: str, args: list[str]) -> None:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_all_url_patterns_require_login(client: Client) -> None:
    """Walk the URL map so a page added later without protection fails here."""
    from django.urls import get_resolver
    from django.urls.resolvers import URLPattern, URLResolver

    public = {"login", "admin:login", "admin:jsi18n", "logout"}
    checked = 0

    def walk(patterns: list[URLPattern | URLResolver], prefix: str, ns: str) -> None:
        nonlocal checked
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern), (p.namespace + ":") if p.namespace else ns)
                continue
            name = ns + (p.name or "")
            route = prefix + str(p.pattern)
            if name in public or "<" in route or "(?P" in route or not p.name:
                continue
            response = client.get("/" + route)
            assert response.status_code in (301, 302), (
                f"{route} answered {response.status_code} without login"
            )
            checked += 1

    walk(get_resolver().url_patterns, "", "")
    assert checked >= 8


def test_login_with_wrong_password_is_throttled(client: Client) -> None:
    user = make_user(Role.CARE_MANAGER, username="throttled")
    for _ in range(5):
        response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    # The sixth attempt is refused even with the right password.
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() >= 5


def test_successful_login_is_audited_and_lands_on_home(client: Client) -> None:
    user = make_user(Role.CARE_MANAGER, username="good")
    response = client.post(reverse("login"), {"username": "good", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("home")
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=user).exists()


def test_session_expires_after_inactivity_and_activity_extends_it(client: Client, settings: object) -> None:
    user = make_user(Role.CARE_MANAGER)
    login(client, user)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(seconds=5))
    assert client.get(reverse("home")).status_code == 200
    # Every request pushes the expiry a full idle period forward.
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > timezone.now() + timedelta(minutes=20)
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_forms_refuse_posts_without_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    user = make_user(Role.CARE_MANAGER)
    client.force_login(user)
    response = client.post(reverse("patients:search"), {"name": "Smith"})
    assert response.status_code == 403


def test_care_manager_sees_own_team_and_is_refused_others() -> None:
    cm = make_user(Role.CARE_MANAGER)
    mine = make_patient(team=make_team(members=(cm,)))
    other = make_patient(team=make_team())
    client = login(Client(), cm)
    assert client.get(reverse("patients:detail", args=[mine.public_id])).status_code == 200
    refused = client.get(reverse("patients:detail", args=[other.public_id]))
    assert refused.status_code == 403
    assert other.given_name.encode() not in refused.content
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, patient_id=other.pk, actor=cm).exists()
    # Editing is refused the same way.
    assert client.get(reverse("patients:edit-contact", args=[other.public_id])).status_code == 403


def test_care_manager_sees_patient_they_serve_outside_team() -> None:
    cm = make_user(Role.CARE_MANAGER)
    patient = make_patient(team=make_team())
    make_episode(patient, status="enrolled", care_manager=cm)
    client = login(Client(), cm)
    assert client.get(reverse("patients:detail", args=[patient.public_id])).status_code == 200


def test_supervisor_sees_their_teams_patients_only() -> None:
    sup = make_user(Role.SUPERVISOR)
    mine = make_patient(team=make_team(supervisor=sup))
    other = make_patient(team=make_team())
    client = login(Client(), sup)
    assert client.get(reverse("patients:detail", args=[mine.public_id])).status_code == 200
    assert client.get(reverse("patients:detail", args=[other.public_id])).status_code == 403


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_analysts_and_admins_cannot_open_patient_records(role: str) -> None:
    patient = make_patient(team=make_team())
    client = login(Client(), make_user(role))
    assert client.get(reverse("patients:detail", args=[patient.public_id])).status_code == 403
    assert client.get(reverse("patients:search")).status_code == 403


def test_analyst_home_shows_pseudonymous_ids_and_no_names() -> None:
    patient = make_patient(team=make_team(), given_name="Zebedee", family_name="Quartermain")
    make_episode(patient)
    client = login(Client(), make_user(Role.ANALYST))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert patient.pseudo_id in body
    assert "Zebedee" not in body and "Quartermain" not in body
    assert str(patient.public_id) not in body


@pytest.mark.parametrize(
    "name", ["accounts:user-list", "accounts:team-list", "core:audit-list", "accounts:user-create"]
)
@pytest.mark.parametrize("role", [Role.CARE_MANAGER, Role.SUPERVISOR, Role.ANALYST])
def test_only_admins_manage_users_teams_and_audit(name: str, role: str) -> None:
    client = login(Client(), make_user(role))
    assert client.get(reverse(name)).status_code == 403
    admin = login(Client(), make_user(Role.ADMIN))
    assert admin.get(reverse(name)).status_code == 200


def test_django_admin_is_for_admins_only() -> None:
    cm = make_user(Role.CARE_MANAGER)
    assert not cm.is_staff
    admin_user = make_user(Role.ADMIN)
    assert admin_user.is_staff
    assert login(Client(), cm).get("/admin/").status_code == 302
    assert login(Client(), admin_user).get("/admin/").status_code == 200


def test_patient_urls_carry_no_identifying_data() -> None:
    cm = make_user(Role.CARE_MANAGER)
    patient = make_patient(team=make_team(members=(cm,)), given_name="Ottoline", member_id="MEM-778899")
    client = login(Client(), cm)
    response = client.post(reverse("patients:search"), {"name": "Ottoline"})
    assert response.status_code == 200
    from bs4 import BeautifulSoup

    hrefs = [a["href"] for a in BeautifulSoup(response.content, "html.parser").select("a[href]")]
    patient_links = [h for h in hrefs if "/patients/" in h and "search" not in h]
    assert patient_links == [f"/patients/{patient.public_id}/"]
    for href in hrefs:
        assert "Ottoline" not in href and "MEM-778899" not in href and "1955" not in href


def test_default_secret_key_refused_outside_debug(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANDEM_")}
    env.update(
        {"TANDEM_DEBUG": "0", "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "tandem.settings"}
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "TANDEM_SECRET_KEY" in result.stderr
    env["TANDEM_SECRET_KEY"] = "x" * 50
    ok = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stderr


def test_inactive_staff_cannot_sign_in(client: Client) -> None:
    user: User = make_user(Role.CARE_MANAGER, username="gone", is_active=False)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert b"did not match" in response.content
