"""Recruitment pages as parsed HTML: the queue, referral, attempt and enrollment forms, and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.core.models import AuditAction, AuditEvent
from tandem.engagement.models import Consent, OutreachAttempt, Referral, WarmHandoff
from tandem.programs.models import Episode, EpisodeStatus
from tests.builders import make_patient, make_team, make_user
from tests.conftest import login
from tests.engagement.builders import Recruitment, make_recruitment, make_resource

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _soup(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")  # type: ignore[attr-defined]


def _url(name: str, r: Recruitment) -> str:
    return reverse(f"engagement:{name}", args=[r.patient.public_id, r.episode.pk])


def test_queue_lists_team_candidates_with_due_date_assignee_and_overdue() -> None:
    r = make_recruitment()
    r.episode.next_attempt_on = TODAY - timedelta(days=2)
    r.episode.assigned_to = r.recruiter
    r.episode.save()
    outsider = make_recruitment()
    soup = _soup(login(Client(), r.care_manager).get(reverse("engagement:queue")))
    assert len(soup.find_all("h1")) == 1
    rows = soup.select("table[data-testid=queue] tbody tr")
    assert len(rows) == 1
    assert "overdue" in rows[0]["class"]
    assert (
        rows[0].select_one("[data-testid=assignee]").get_text().strip().startswith(r.recruiter.display_name)
    )
    assert "Overdue" in rows[0].select_one("[data-testid=due]").get_text()
    assert outsider.patient.family_name not in soup.get_text()
    for select in soup.select("select"):
        assert select.get("aria-label")
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, resource_type="engagement.queue", detail="1 row(s)"
    ).exists()


def test_supervisor_keeps_outreach_going_after_the_attempt_limit() -> None:
    r = make_recruitment(max_outreach_attempts=1)
    login(Client(), r.recruiter).post(
        _url("attempt", r), {"attempted_on": str(TODAY), "channel": "letter", "outcome": "no_answer"}
    )
    assert Episode.objects.get(pk=r.episode.pk).needs_outreach_review
    recruiter_view = _soup(login(Client(), r.recruiter).get(reverse("engagement:queue")))
    assert "supervisor review" in recruiter_view.get_text()
    assert not recruiter_view.find("button", string="Keep trying")
    supervisor = login(Client(), r.supervisor)
    assert _soup(supervisor.get(reverse("engagement:queue"))).find("button", string="Keep trying")
    assert login(Client(), r.recruiter).post(_url("review", r)).status_code == 400
    assert supervisor.post(_url("review", r)).status_code == 302
    episode = Episode.objects.get(pk=r.episode.pk)
    assert not episode.needs_outreach_review and episode.next_attempt_on == TODAY


def test_assign_from_queue_and_refusal_for_another_team() -> None:
    r = make_recruitment()
    client = login(Client(), r.supervisor)
    response = client.post(_url("assign", r), {"assignee": r.care_manager.pk})
    assert response.status_code == 302
    assert Episode.objects.get(pk=r.episode.pk).assigned_to == r.care_manager
    other = make_recruitment()
    refused = client.post(_url("assign", other), {"assignee": r.care_manager.pk})
    assert refused.status_code == 403
    assert Episode.objects.get(pk=other.episode.pk).assigned_to is None
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, patient_id=other.patient.pk).exists()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMIN])
def test_analysts_and_admins_are_refused_every_recruitment_page(role: str) -> None:
    r = make_recruitment()
    client = login(Client(), make_user(role))
    assert client.get(reverse("engagement:queue")).status_code == 403
    assert client.get(reverse("engagement:referral-new", args=[r.patient.public_id])).status_code == 403
    for name in ("attempt", "enroll"):
        assert client.get(_url(name, r)).status_code == 403
    assert client.post(_url("attempt", r), {"outcome": "no_answer"}).status_code == 403
    assert not OutreachAttempt.objects.exists()


def test_another_teams_care_manager_is_refused_the_forms() -> None:
    r = make_recruitment()
    stranger = make_user(Role.CARE_MANAGER)
    make_team(members=(stranger,))
    client = login(Client(), stranger)
    for url in (
        _url("attempt", r),
        _url("enroll", r),
        reverse("engagement:referral-new", args=[r.patient.public_id]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert r.patient.family_name not in response.content.decode()


def test_attempt_form_shows_field_errors_and_keeps_what_was_typed() -> None:
    r = make_recruitment()
    client = login(Client(), r.recruiter)
    page = _soup(client.get(_url("attempt", r)))
    assert page.select_one("#id_reapproach_on")["value"] == str(TODAY + timedelta(days=90))
    for control in page.select("form input:not([type=hidden]), form select, form textarea"):
        assert page.select_one(f"label[for={control['id']}]"), control["name"]
    response = client.post(
        _url("attempt", r),
        {
            "attempted_on": str(TODAY),
            "channel": "phone",
            "outcome": "declined",
            "notes": "Said maybe in spring",
        },
    )
    soup = _soup(response)
    assert response.status_code == 200
    assert soup.select_one(".has-error #id_decline_reason") is not None
    assert soup.select_one("#id_notes").get_text().strip() == "Said maybe in spring"
    assert not OutreachAttempt.objects.exists()


def test_attempt_with_food_bank_referral_shows_on_the_patient_page() -> None:
    r = make_recruitment()
    food = make_resource()
    client = login(Client(), r.recruiter)
    response = client.post(
        _url("attempt", r),
        {
            "attempted_on": str(TODAY),
            "channel": "ed_bedside",
            "outcome": "reached_not_now",
            "value_offered": "Bus pass",
            "resource": food.pk,
        },
    )
    assert response.status_code == 302
    page = _soup(client.get(reverse("patients:detail", args=[r.patient.public_id])))
    attempts = page.select_one("[data-testid=outreach-attempts]").get_text()
    assert "ED bedside" in attempts and "Bus pass" in attempts and "Eastside Food Bank" in attempts
    assert "Eastside Food Bank" in page.select_one("[data-testid=referrals]").get_text()
    assert len(page.find_all("h1")) == 1


def test_referral_form_fills_the_letter_then_saves_and_refuses_duplicates() -> None:
    cm = make_user(Role.CARE_MANAGER)
    patient = make_patient(team=make_team(members=(cm,)), given_name="Dolores", family_name="Nakamura")
    r_program = make_recruitment().program
    client = login(Client(), cm)
    url = reverse("engagement:referral-new", args=[patient.public_id])
    data = {
        "program": r_program.pk,
        "source": "hospital",
        "referrer_name": "Sam Lee",
        "referrer_organisation": "St. Luke's",
        "referrer_role": "ED social worker",
        "reason": "Four ED visits",
        "received_on": str(TODAY),
        "letter": "",
    }
    filled = _soup(client.post(url, {**data, "fill_letter": "1"}))
    letter = filled.select_one("#id_letter").get_text()
    assert "Dolores Nakamura" in letter and "Four ED visits" in letter and "St. Luke's" in letter
    assert filled.select_one("#id_referrer_name")["value"] == "Sam Lee"
    assert not Referral.objects.exists()
    saved = client.post(url, {**data, "letter": letter + "\nShe prefers mornings."})
    assert saved.status_code == 302
    referral = Referral.objects.get()
    assert (
        referral.letter.endswith("She prefers mornings.")
        and referral.episode.status == EpisodeStatus.CANDIDATE
    )
    again = client.post(url, data)
    assert again.status_code == 409
    assert "already candidate" in _soup(again).select_one("[role=alert]").get_text()
    assert Referral.objects.count() == 1 and Episode.objects.filter(patient=patient).count() == 1


def test_hospital_referral_needs_the_referrer_named() -> None:
    r = make_recruitment()
    response = login(Client(), r.care_manager).post(
        reverse("engagement:referral-new", args=[make_patient(team=r.team).public_id]),
        {"program": r.program.pk, "source": "hospital", "reason": "x", "received_on": str(TODAY)},
    )
    assert _soup(response).select_one(".has-error #id_referrer_name") is not None


def _enroll_data(r: Recruitment, **over: object) -> dict[str, object]:
    data: dict[str, object] = {
        "program_consent_on": str(TODAY),
        "program_consent_method": "written",
        "program_consent_witness": "",
        "care_manager": r.care_manager.pk,
        "tier": "medium",
        "handoff_from": r.recruiter.pk,
        "handoff_on": str(TODAY),
        "handoff_method": "joint_visit",
        "handoff_note": "Met at the clinic",
    }
    data.update(over)
    return data


def test_enrollment_records_consents_handoff_and_shows_on_patient_page() -> None:
    r = make_recruitment()
    client = login(Client(), r.recruiter)
    response = client.post(
        _url("enroll", r),
        _enroll_data(
            r,
            medicare_consent="on",
            medicare_consent_on=str(TODAY),
            medicare_consent_method="verbal",
            cost_sharing_explained="on",
            right_to_stop_explained="on",
        ),
    )
    assert response.status_code == 302
    assert Consent.objects.filter(episode=r.episode).count() == 2
    assert WarmHandoff.objects.get().to_user == r.care_manager
    page = _soup(client.get(reverse("patients:detail", args=[r.patient.public_id])))
    assert page.select_one("[data-testid=program-status]").get_text() == "Enrolled"
    assert page.select_one("[data-testid=primary-care-manager]").get_text() == r.care_manager.display_name
    assert "Medicare care management" in page.select_one("[data-testid=consents]").get_text()
    assert r.recruiter.display_name in page.select_one("[data-testid=warm-handoff]").get_text()


def test_enrollment_form_errors_keep_input_and_save_nothing() -> None:
    r = make_recruitment()
    client = login(Client(), r.recruiter)
    response = client.post(
        _url("enroll", r),
        _enroll_data(r, program_consent_method="verbal", medicare_consent="on", handoff_method="", tier=""),
    )
    soup = _soup(response)
    for field in (
        "program_consent_witness",
        "medicare_consent_on",
        "cost_sharing_explained",
        "handoff_method",
        "tier",
    ):
        assert soup.select_one(f".has-error #id_{field}") is not None, field
    assert soup.select_one("#id_handoff_note").get_text().strip() == "Met at the clinic"
    assert not Consent.objects.exists()
    assert Episode.objects.get(pk=r.episode.pk).status == EpisodeStatus.CANDIDATE


def test_reapproach_button_refuses_before_the_date() -> None:
    r = make_recruitment()
    r.episode.status = EpisodeStatus.DECLINED
    r.episode.reapproach_on = TODAY + timedelta(days=10)
    r.episode.save()
    response = login(Client(), r.recruiter).post(_url("reapproach", r))
    assert response.status_code == 409
    assert Episode.objects.get(pk=r.episode.pk).status == EpisodeStatus.DECLINED
