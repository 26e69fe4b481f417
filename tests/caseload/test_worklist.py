"""The worklist page: the most urgent rows first, "show more" per section, the same rules as elsewhere."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import pytest
from bs4 import BeautifulSoup
from django.template.defaultfilters import date as date_filter
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tandem.assessment import services as assessment
from tandem.assessment.models import Domain
from tandem.caseload import services, views_team
from tandem.core.models import AuditAction, AuditEvent
from tests.caseload.builders import TODAY, contact, enrolled, make_caseload
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def _names(soup: BeautifulSoup, selector: str) -> list[str]:
    return [a.get_text() for a in soup.select(selector)]


def _caseload_of_five() -> Any:
    """Five high-tier patients, all overdue by different amounts, none assessed."""
    c = make_caseload(tier="high", enrolled_days_ago=40)
    for days in (20, 30, 50, 60):
        enrolled(c.team, c.care_manager, tier="high", enrolled_days_ago=days)
    return c


def test_sections_show_the_most_urgent_rows_and_show_more_extends_the_same_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "SECTION_LIMIT", 2)
    c = _caseload_of_five()
    client = login(Client(), c.care_manager)
    first = _soup(client.get(reverse("caseload:worklist")))
    contacts = _names(first, "table[data-testid=contacts-due] tbody tr td:first-child a")
    assessments = _names(first, "[data-testid=assessments-due] li > a")
    assert len(contacts) == 2 and len(assessments) == 2
    assert "5 contacts due" in first.select_one(".lede").get_text()
    assert first.select_one("[data-testid=contacts-shown]").get_text().startswith("Showing 2 of 5.")
    # The longest overdue come first: enrolled 60 then 50 days ago.
    overdue = [td.get_text() for td in first.select("table[data-testid=contacts-due] .overdue-flag")]
    assert overdue == ["Overdue 53 days", "Overdue 43 days"]
    more = first.select_one("[data-testid=more-contacts]")
    assert more.get_text() == "Show 2 more"
    second = _soup(client.get(reverse("caseload:worklist") + more["href"].split("#")[0]))
    contacts2 = _names(second, "table[data-testid=contacts-due] tbody tr td:first-child a")
    assert contacts2[:2] == contacts and len(contacts2) == 4
    # The other section stays as it was.
    assert _names(second, "[data-testid=assessments-due] li > a") == assessments
    last = second.select_one("[data-testid=more-contacts]")
    assert last.get_text() == "Show 1 more"
    third = _soup(client.get(reverse("caseload:worklist") + last["href"].split("#")[0]))
    assert _names(third, "table[data-testid=contacts-due] tbody tr td:first-child a")[:4] == contacts2
    assert third.select_one("[data-testid=more-contacts]") is None
    assert third.select_one("[data-testid=contacts-shown]").get_text() == "Showing 5 of 5."
    # One audit line per page view, counting the rows shown (never who).
    details = list(
        AuditEvent.objects.filter(resource_type="caseload.worklist", action=AuditAction.VIEW)
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert details == ["4 row(s)", "6 row(s)", "7 row(s)"]


def test_show_everything_and_bad_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "SECTION_LIMIT", 2)
    c = _caseload_of_five()
    client = login(Client(), c.care_manager)
    everything = _soup(client.get(reverse("caseload:worklist"), {"all": "1"}))
    assert len(everything.select("table[data-testid=contacts-due] tbody tr")) == 5
    assert len(everything.select("[data-testid=assessments-due] li")) == 5
    assert everything.select_one("[data-testid=truncated]") is None
    for bad in ("abc", "0", "-3", "9" * 5000, ""):
        response = client.get(reverse("caseload:worklist"), {"contacts": bad, "assessments": bad})
        assert response.status_code == 200
        assert len(_soup(response).select("table[data-testid=contacts-due] tbody tr")) == 2


def test_worklist_rows_follow_the_same_rules_as_single_patient_pages() -> None:
    c = make_caseload(tier="medium", enrolled_days_ago=45)
    _, contacted = enrolled(c.team, c.care_manager, tier="high", enrolled_days_ago=45)
    contact(contacted, c.care_manager, on=TODAY - timedelta(days=7))  # due today: listed, not overdue
    _, recent = enrolled(c.team, c.care_manager, tier="low", enrolled_days_ago=5)  # not due yet
    _, fresh = enrolled(c.team, c.care_manager, tier="low", enrolled_days_ago=40)
    contact(fresh, c.care_manager, on=TODAY - timedelta(days=2))
    episodes = [c.episode, contacted, recent, fresh]
    work = services.worklist(c.care_manager, contacts_limit=None, assessments_limit=None)
    by_episode = {d.episode_id: d for d in work.contacts}
    for episode in episodes:
        expected = services.next_contact(episode, today=TODAY)
        assert expected is not None
        if expected.due_on <= TODAY:
            row = by_episode[episode.pk]
            assert (row.due_on, row.overdue, row.days_overdue, row.last_contact_on) == (
                expected.due_on,
                expected.overdue,
                expected.days_overdue,
                expected.last_contact_on,
            )
        else:
            assert episode.pk not in by_episode
    assert by_episode[contacted.pk].due_on == TODAY and not by_episode[contacted.pk].overdue
    progress = {a.episode_id: a for a in work.assessments}
    for episode in episodes:
        expected_progress = assessment.progress(episode, today=TODAY)
        row = progress[episode.pk]
        assert (row.completed, row.total, row.day, row.overdue) == (
            expected_progress.completed,
            expected_progress.total,
            expected_progress.day,
            expected_progress.overdue,
        )
    assert work.contacts_total == len(work.contacts) == 2
    # A shorter list is the head of the full one, and the totals do not change with the limit.
    head = services.worklist(c.care_manager, contacts_limit=1, assessments_limit=2)
    assert [d.episode_id for d in head.contacts] == [d.episode_id for d in work.contacts][:1]
    assert [a.episode_id for a in head.assessments] == [a.episode_id for a in work.assessments][:2]
    assert (head.contacts_total, head.assessments_total) == (work.contacts_total, work.assessments_total)
    assert head.contacts_more == 1 and head.assessments_more == 2 and head.truncated


def test_preferred_name_is_shown_as_on_the_patient_record() -> None:
    c = make_caseload(tier="high", enrolled_days_ago=40)
    c.patient.preferred_name = "Lupe"
    c.patient.save()
    work = services.worklist(c.care_manager)
    assert work.contacts[0].patient.display_name == c.patient.display_name == f"Lupe {c.patient.family_name}"


def test_links_are_those_the_url_tag_gives() -> None:
    public_id = uuid4()
    for name in ("patients:detail", "caseload:contact-new", "assessment:overview"):
        link = views_team.Links(name, "public_id", views_team.UUID(int=0))
        assert link(public_id) == reverse(name, kwargs={"public_id": public_id})
    done = views_team.Links("caseload:task-done", "task_id", 987654321)
    assert done(42) == reverse("caseload:task-done", kwargs={"task_id": 42})


@pytest.mark.parametrize("language", ["en", "es"])
def test_dates_are_those_the_date_filter_gives(language: str) -> None:
    with translation.override(language):
        fmt = views_team.month_day_year()
        short = views_team.month_day_year(year=False)
        for month in range(1, 13):
            day = date(2026, month, 3 + month)
            assert fmt(day) == date_filter(day, "M j, Y")
            assert short(day) == date_filter(day, "M j")
        assert fmt(None) == short(None) == ""


def test_overdue_days_and_assessment_progress_read_as_before() -> None:
    c = make_caseload(tier="high", enrolled_days_ago=8)  # due a day ago
    enrolled(c.team, c.care_manager, tier="high", enrolled_days_ago=9)  # due two days ago
    soup = _soup(login(Client(), c.care_manager).get(reverse("caseload:worklist")))
    flags = [s.get_text() for s in soup.select("table[data-testid=contacts-due] .overdue-flag")]
    assert flags == ["Overdue 2 days", "Overdue 1 day"]
    rows = soup.select("table[data-testid=contacts-due] tbody tr")
    assert all("overdue" in row["class"] for row in rows)
    assert "none yet" in rows[0].get_text()
    item = soup.select("[data-testid=assessments-due] li")[0].get_text()
    assert f"— 0 of {len(Domain.values)} domains · day 10" in item and "Overdue" not in item
