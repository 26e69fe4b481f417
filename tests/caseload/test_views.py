"""Caseload pages as parsed HTML: worklist, forms with errors kept, supervisor-only pages, refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from tandem.caseload.models import CareEvent, CaseConference, Contact, GraduationHandoff, Task, TaskStatus
from tandem.core.models import AuditAction, AuditEvent
from tandem.programs.models import CareManagerAssignment, Episode, EpisodeStatus
from tests.builders import make_team, make_user
from tests.caseload.builders import TODAY, enrolled, make_caseload
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _soup(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")  # type: ignore[attr-defined]


def test_worklist_shows_due_contact_with_one_click_log_and_audits_count() -> None:
    c = make_caseload(tier="high", enrolled_days_ago=20)
    response = login(Client(), c.care_manager).get(reverse("caseload:worklist"))
    soup = _soup(response)
    assert len(soup.find_all("h1")) == 1
    row = soup.select_one("table[data-testid=contacts-due] tbody tr")
    assert row is not None and c.patient.family_name in row.get_text() and "Overdue" in row.get_text()
    link = row.find("a", string="Log contact")
    assert link["href"].startswith(reverse("caseload:contact-new", args=[c.patient.public_id]))
    assert AuditEvent.objects.filter(resource_type="caseload.worklist", action=AuditAction.VIEW).exists()
    nav = [a.get_text() for a in soup.select("nav a")]
    assert "Today's worklist" in nav and "Caseload dashboard" not in nav


def test_log_contact_form_keeps_input_on_error_and_saves() -> None:
    c = make_caseload()
    client = login(Client(), c.care_manager)
    url = reverse("caseload:contact-new", args=[c.patient.public_id])
    bad = client.post(
        url, {"occurred_on": str(TODAY), "mode": "phone", "duration_minutes": "0", "note": "typed"}
    )
    soup = _soup(bad)
    assert bad.status_code == 200 and soup.select_one(".has-error #id_duration_minutes")
    assert soup.find("textarea", {"name": "note"}).get_text().strip() == "typed"
    for control in soup.select("form input:not([type=hidden]), form select, form textarea"):
        assert soup.find("label", {"for": control["id"]}), control
    ok = client.post(
        url,
        {
            "occurred_on": str(TODAY),
            "mode": "phone",
            "duration_minutes": "25",
            "patient_present": "on",
            "self_management_confidence": "6",
            "next": "worklist",
        },
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("caseload:worklist")
    assert Contact.objects.get().self_management_confidence == 6


def test_patient_pages_refused_outside_the_team() -> None:
    c = make_caseload()
    outsider = make_user()
    make_team(members=(outsider,))
    client = login(Client(), outsider)
    for name in ("contact-new", "care-event-new", "tier", "flag", "graduate"):
        assert client.get(reverse(f"caseload:{name}", args=[c.patient.public_id])).status_code == 403
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, patient_id=c.patient.pk).count() == 5
    analyst = login(Client(), make_user("analyst"))
    assert analyst.get(reverse("caseload:worklist")).status_code == 403


def test_supervisor_only_pages_refused_to_care_managers() -> None:
    c = make_caseload()
    client = login(Client(), c.care_manager)
    assert client.get(reverse("caseload:dashboard")).status_code == 403
    assert client.get(reverse("caseload:conferences")).status_code == 403
    assert client.get(reverse("caseload:reassign", args=[c.patient.public_id])).status_code == 403


def test_dashboard_flags_overload_and_reassign_keeps_history_on_patient_page() -> None:
    c = make_caseload(tier="high")
    for _ in range(3):
        enrolled(c.team, c.care_manager, tier="high")
    client = login(Client(), c.supervisor)
    soup = _soup(client.get(reverse("caseload:dashboard")))
    row = soup.select_one(f"tr[data-cm={c.care_manager.username}]")
    assert row is not None and row.select_one("[data-col=high]").get_text().startswith("4")
    assert "overloaded" in row["class"]
    assert soup.select_one(f"[data-testid=overloaded][data-cm={c.care_manager.username}]")
    assert "Caseload dashboard" in [a.get_text() for a in soup.select("nav a")]
    refused = client.post(
        reverse("caseload:reassign", args=[c.patient.public_id]),
        {"care_manager": c.other_care_manager.pk, "reason": ""},
    )
    assert refused.status_code == 200 and _soup(refused).select_one(".has-error")
    response = client.post(
        reverse("caseload:reassign", args=[c.patient.public_id]),
        {"care_manager": c.other_care_manager.pk, "reason": "Balance high-tier load"},
    )
    assert response.status_code == 302
    assert Episode.objects.get(pk=c.episode.pk).primary_care_manager == c.other_care_manager
    page = _soup(client.get(reverse("patients:detail", args=[c.patient.public_id])))
    history = page.select_one("[data-testid=assignment-history]").get_text()
    assert c.care_manager.display_name in history and "Balance high-tier load" in history
    assert CareManagerAssignment.objects.filter(episode=c.episode).count() == 2


def test_tier_change_page_shows_history_and_requires_reason() -> None:
    c = make_caseload(tier="high")
    client = login(Client(), c.care_manager)
    url = reverse("caseload:tier", args=[c.patient.public_id])
    assert _soup(client.post(url, {"tier": "low", "reason": ""})).select_one(".has-error")
    assert client.post(url, {"tier": "low", "reason": "Stable for 3 months"}).status_code == 302
    history = _soup(client.get(url)).select_one("[data-testid=tier-history]").get_text()
    assert "Stable for 3 months" in history


def test_care_event_and_task_done() -> None:
    c = make_caseload()
    client = login(Client(), c.care_manager)
    url = reverse("caseload:care-event-new", args=[c.patient.public_id])
    future = client.post(
        url, {"kind": "ed_visit", "occurred_on": str(TODAY + timedelta(days=1)), "source": "claims"}
    )
    assert _soup(future).select_one(".has-error")
    assert (
        client.post(url, {"kind": "ed_visit", "occurred_on": str(TODAY), "source": "claims"}).status_code
        == 302
    )
    assert CareEvent.objects.get().kind == "ed_visit"
    task = Task.objects.create(patient=c.patient, title="x", due_on=TODAY, assigned_to=c.care_manager)
    assert client.post(reverse("caseload:task-done", args=[task.pk])).status_code == 302
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE
    assert client.post(reverse("caseload:task-done", args=[task.pk])).status_code == 409


def test_graduation_page_lists_criteria_and_certificate() -> None:
    c = make_caseload()
    client = login(Client(), c.care_manager)
    url = reverse("caseload:graduate", args=[c.patient.public_id])
    soup = _soup(client.get(url))
    assert len(soup.select("[data-testid=criteria] li")) == 4
    data = {
        "practice_name": "Eastside Clinic",
        "contact_person": "Dr. Lee",
        "handoff_on": str(TODAY),
        "method": "meeting",
        "confirm": "on",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400 and "reason" in refused.content.decode()
    done = client.post(url, {**data, "override_reason": "Team agreed"})
    handoff = GraduationHandoff.objects.get()
    assert done["Location"] == reverse("caseload:certificate", args=[c.patient.public_id, handoff.pk])
    cert = _soup(client.get(done["Location"]))
    assert c.patient.display_name in cert.select_one("[data-testid=certificate]").get_text()
    assert Episode.objects.get(pk=c.episode.pk).status == EpisodeStatus.GRADUATED


def test_conference_pages_build_save_and_refuse_other_supervisor() -> None:
    c = make_caseload(tier="high", enrolled_days_ago=30)
    client = login(Client(), c.supervisor)
    response = client.post(reverse("caseload:conferences"), {"team": c.team.pk, "held_on": str(TODAY)})
    conf = CaseConference.objects.get()
    assert response["Location"] == reverse("caseload:conference", args=[conf.pk])
    soup = _soup(client.get(response["Location"]))
    item = soup.select_one("[data-testid=agenda] li[data-trigger=overdue_contacts]")
    assert item is not None
    item_pk = conf.items.get().pk
    bad = client.post(
        reverse("caseload:agenda-item", args=[conf.pk, item_pk]),
        {f"i{item_pk}-decision": "Visit", f"i{item_pk}-task_assignee": c.care_manager.pk},
    )
    assert bad.status_code == 400 and _soup(bad).select_one(".has-error")
    other = login(Client(), make_user("supervisor"))
    assert other.get(reverse("caseload:conference", args=[conf.pk])).status_code == 403
