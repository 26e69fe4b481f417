from __future__ import annotations

import os
from typing import Any

import pytest
from django.test import Client

from tandem.accounts.models import Role, User
from tests.builders import PASSWORD, make_team, make_user

# Playwright's sync API runs an event loop in the test thread; Django's ORM guard would refuse
# database calls made by the test itself while it runs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any, request: pytest.FixtureRequest) -> None:
    # Argon2 is deliberately slow; tests that check the hasher opt back in with the marker.
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def care_manager(db: None) -> User:
    return make_user(Role.CARE_MANAGER, username="cm_alex")


@pytest.fixture
def team(care_manager: User) -> Any:
    return make_team(members=(care_manager,), name="North Team")


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


__all__ = ["PASSWORD", "login"]
