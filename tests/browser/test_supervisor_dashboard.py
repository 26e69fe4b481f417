"""A supervisor balances caseloads: counts per care manager, the overload flag, a reassignment in history."""

from __future__ import annotations

from typing import Any

import pytest

from tandem.accounts.models import Role
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _check_page
from tests.builders import PASSWORD, make_user
from tests.caseload.builders import enrolled, make_caseload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_supervisor_sees_overload_and_reassigns_a_patient(page: Any) -> None:
    c = make_caseload(tier="high")
    c.supervisor.username = "sup_balance"
    c.supervisor.save()
    for _ in range(3):
        enrolled(c.team, c.care_manager, tier="high")
    enrolled(c.team, c.other_care_manager, tier="low")
    make_user(Role.CARE_MANAGER)  # not on the team: must not be offered
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, "sup_balance", PASSWORD)
    page.get_by_role("link", name="Caseload dashboard").click()
    _check_page(page, "/caseload/dashboard/")
    busy = page.locator(f"tr[data-cm='{c.care_manager.username}']")
    assert busy.locator("[data-col=high]").inner_text().startswith("4")
    assert "Overloaded" in busy.inner_text()
    light = page.locator(f"tr[data-cm='{c.other_care_manager.username}']")
    assert light.locator("[data-col=low]").inner_text() == "1"
    assert "Overloaded" not in light.inner_text()
    overloaded = page.locator(f"[data-testid=overloaded][data-cm='{c.care_manager.username}']")
    overloaded.get_by_role("link", name=f"Reassign {c.patient.display_name}").click()
    page.get_by_label("New primary care manager").select_option(label=c.other_care_manager.display_name)
    page.get_by_label("Reason for the reassignment").fill("Balance the high-tier load")
    page.get_by_role("button", name="Reassign").click()
    page.wait_for_url(f"**/patients/{c.patient.public_id}/")
    assert page.get_by_test_id("primary-care-manager").inner_text() == c.other_care_manager.display_name
    history = page.get_by_test_id("assignment-history").inner_text()
    assert c.care_manager.display_name in history and "Balance the high-tier load" in history
    page.goto("/caseload/dashboard/")
    assert (
        page.locator(f"tr[data-cm='{c.care_manager.username}'] [data-col=high]").inner_text().startswith("3")
    )
