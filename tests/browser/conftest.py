"""Headless Chromium through Playwright, always Debian's browser (never a downloaded one).

Skipped where no Chromium is installed, unless TANDEM_REQUIRE_BROWSER=1 (CI), where a missing
browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    return os.environ.get("TANDEM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if os.environ.get("TANDEM_REQUIRE_BROWSER") == "1":
            pytest.fail("TANDEM_REQUIRE_BROWSER=1 but no Chromium is installed (apt-get install chromium)")
        pytest.skip("Chromium is not installed; set TANDEM_REQUIRE_BROWSER=1 to make this a failure")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("TANDEM_REQUIRE_BROWSER") == "1":
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 1366}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def record_domain(
    page: Any,
    patient_id: str,
    label: str,
    answers: dict[str, str],
    *,
    skip: str = "",
    date: str,
    complete: bool = True,
) -> None:
    page.goto(f"/assessment/{patient_id}/")
    page.get_by_role("link", name=f"Record {label}").click()
    for prompt, text in answers.items():
        page.get_by_label(prompt).fill(text)
    if skip:
        page.locator("fieldset.prompt").filter(has_text=skip).get_by_label("Prefer not to say").check()
    page.get_by_label("Visit date").fill(date)
    if complete:
        page.get_by_label("This domain is complete for now").check()
    page.get_by_role("button", name="Save this visit").click()
    page.wait_for_url(f"**/assessment/{patient_id}/")
