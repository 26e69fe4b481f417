"""The idle timeout is renewed by activity, but the session row is not rewritten on every request."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.core.middleware import _RENEWED_KEY, SESSION_RENEW_SECONDS
from tests.builders import make_user
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _expiry(client: Client) -> timezone.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _set_expiry(client: Client, when: timezone.datetime) -> None:
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=when)


def _set_renewed(client: Client, seconds_ago: int) -> None:
    session = client.session
    session[_RENEWED_KEY] = int(time.time()) - seconds_ago
    session.save()


def test_a_request_soon_after_a_renewal_does_not_write_the_session() -> None:
    client = login(Client(), make_user(Role.CARE_MANAGER))
    assert client.get(reverse("home")).status_code == 200  # first request: renewed
    soon = timezone.now() + timedelta(minutes=10)
    _set_expiry(client, soon)
    assert client.get(reverse("home")).status_code == 200
    assert _expiry(client) == soon  # untouched: no write


def test_a_request_a_minute_after_the_last_renewal_pushes_the_expiry_forward(settings: object) -> None:
    client = login(Client(), make_user(Role.CARE_MANAGER))
    _set_renewed(client, SESSION_RENEW_SECONDS)
    _set_expiry(client, timezone.now() + timedelta(minutes=10))
    assert client.get(reverse("home")).status_code == 200
    age = settings.SESSION_COOKIE_AGE  # type: ignore[attr-defined]
    assert _expiry(client) > timezone.now() + timedelta(seconds=age - 5)
    assert 0 <= int(time.time()) - client.session[_RENEWED_KEY] < 5


def test_a_renewal_time_in_the_future_is_not_trusted() -> None:
    client = login(Client(), make_user(Role.CARE_MANAGER))
    _set_renewed(client, -3600)
    _set_expiry(client, timezone.now() + timedelta(minutes=10))
    client.get(reverse("home"))
    assert _expiry(client) > timezone.now() + timedelta(minutes=20)


def test_anonymous_requests_create_no_session() -> None:
    client = Client()
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("home")).status_code == 302
    assert Session.objects.count() == 0


def test_a_short_idle_limit_is_renewed_more_often(settings: object) -> None:
    from tandem.core.middleware import renew_every

    settings.SESSION_COOKIE_AGE = 60  # type: ignore[attr-defined]
    assert renew_every() == 6
    client = login(Client(), make_user(Role.CARE_MANAGER))
    _set_renewed(client, 10)  # older than a tenth of the limit, younger than a minute
    _set_expiry(client, timezone.now() + timedelta(seconds=20))
    client.get(reverse("home"))
    assert _expiry(client) > timezone.now() + timedelta(seconds=50)
