"""Each role's home page shows what that role works from."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from tandem.accounts.models import Role
from tests.builders import make_episode, make_patient, make_team, make_user
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_care_manager_home_counts_caseload_by_tier() -> None:
    cm = make_user(Role.CARE_MANAGER)
    team = make_team(members=(cm,))
    for tier in ("high", "high", "low"):
        make_episode(make_patient(team=team), status="enrolled", care_manager=cm, tier=tier)
    make_episode(make_patient(team=team), status="outreach")
    page = login(Client(), cm).get(reverse("home"))
    soup = BeautifulSoup(page.content, "html.parser")
    assert "3 enrolled patients · high 2 · medium 0 · low 1" in soup.select_one(".lede").get_text()  # type: ignore[union-attr]
    assert len(soup.select("#caseload-h + table tbody tr")) == 3
    assert "In outreach" in soup.get_text()


def test_supervisor_home_shows_caseload_per_care_manager() -> None:
    sup = make_user(Role.SUPERVISOR)
    a = make_user(Role.CARE_MANAGER, first_name="Ana", last_name="Alpha")
    team = make_team(supervisor=sup, members=(a,), name="Bay Team")
    for tier in ("high", "medium", "medium"):
        make_episode(make_patient(team=team), status="enrolled", care_manager=a, tier=tier)
    page = login(Client(), sup).get(reverse("home"))
    soup = BeautifulSoup(page.content, "html.parser")
    cells = [td.get_text(strip=True) for td in soup.select("table.data tbody tr")[0].select("td")]
    assert cells == ["Ana Alpha", "1", "2", "0", "3"]
    assert "Bay Team" in soup.get_text()
