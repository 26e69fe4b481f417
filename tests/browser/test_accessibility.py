"""Basic accessibility checks in a real browser: labels, landmarks, keyboard reach, tablet width."""

from __future__ import annotations

from typing import Any

import pytest

from tandem.accounts.models import Role
from tests.browser.conftest import sign_in
from tests.builders import PASSWORD, make_episode, make_patient, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNLABELLED_JS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && el.type !== 'submit')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)
"""


def _check_page(page: Any, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert page.evaluate(UNLABELLED_JS) == [], f"unlabelled controls on {path}"
    assert page.locator("main#main").count() == 1
    assert page.locator("h1").count() == 1, f"{path} should have exactly one h1"
    # Nothing wider than a portrait tablet: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path


def test_pages_have_labels_one_heading_and_fit_a_tablet(page: Any) -> None:
    cm = make_user(Role.CARE_MANAGER, username="cm_a11y")
    patient = make_patient(team=make_team(members=(cm,)))
    make_episode(patient, status="enrolled", care_manager=cm, tier="low")
    page.set_viewport_size({"width": 768, "height": 1024})
    _check_page(page, "/accounts/login/")
    sign_in(page, "cm_a11y", PASSWORD)
    for path in [
        "/",
        "/patients/search/",
        f"/patients/{patient.public_id}/",
        f"/patients/{patient.public_id}/contact/",
        f"/patients/{patient.public_id}/related/new/",
    ]:
        _check_page(page, path)


def test_admin_pages_have_labels(page: Any) -> None:
    make_user(Role.ADMIN, username="admin_a11y")
    sign_in(page, "admin_a11y", PASSWORD)
    for path in [
        "/",
        "/manage/users/",
        "/manage/users/new/",
        "/manage/teams/",
        "/manage/teams/new/",
        "/manage/audit/",
    ]:
        _check_page(page, path)


def test_skip_link_and_keyboard_only_sign_in(page: Any) -> None:
    make_user(Role.SUPERVISOR, username="sup_keys")
    page.goto("/accounts/login/")
    # The username field has focus on arrival, so sign-in needs no mouse at all.
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type("sup_keys")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert page.get_by_role("heading", name="Team overview").is_visible()
    # First Tab on a page lands on the skip link, which moves focus past the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
