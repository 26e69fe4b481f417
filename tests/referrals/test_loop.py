"""Closed-loop referrals: transitions with history, the follow-up list, and who may touch them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.core.errors import ConflictError, DomainError, InvalidTransition
from tandem.core.models import AuditAction, AuditEvent
from tandem.referrals import services
from tandem.referrals.models import ReferralStatusChange, ResourceReferral
from tests.builders import make_user
from tests.conftest import login
from tests.referrals.builders import make_caseload, make_resource

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _soup(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")  # type: ignore[attr-defined]


def _referral(c: object, *, days_ago: int = 20, follow_up_in: int = -6) -> ResourceReferral:
    made = TODAY - timedelta(days=days_ago)
    return services.refer(
        c.patient,  # type: ignore[attr-defined]
        resource=make_resource(),
        by=c.care_manager,  # type: ignore[attr-defined]
        on=made,
        follow_up_on=TODAY + timedelta(days=follow_up_in),
    )


def test_loop_sent_accepted_completed_writes_history_and_new_follow_up() -> None:
    c = make_caseload()
    r = _referral(c)
    services.update_status(r, to="accepted", by=c.care_manager, expected="sent", note="Intake booked Tue")
    r.refresh_from_db()
    assert r.status == "accepted" and r.follow_up_on == TODAY + timedelta(days=14) and r.is_open
    services.update_status(r, to="completed", by=c.supervisor, note="Got a food box")
    r.refresh_from_db()
    assert r.status == "completed" and not r.is_open and r.status_changed_on == TODAY
    history = list(r.history.values_list("from_status", "to_status", "changed_by", "note"))
    assert history == [
        ("", "sent", c.care_manager.pk, ""),
        ("sent", "accepted", c.care_manager.pk, "Intake booked Tue"),
        ("accepted", "completed", c.supervisor.pk, "Got a food box"),
    ]
    # The trail records the history rows against the patient, not just the referral.
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CREATE, resource_type="referrals.ReferralStatusChange", patient_id=c.patient.pk
        ).count()
        == 3
    )


def test_closed_referrals_stay_closed_and_no_response_can_reopen() -> None:
    c = make_caseload()
    r = _referral(c)
    services.update_status(r, to="no_response", by=c.care_manager)
    services.update_status(r, to="accepted", by=c.care_manager, note="They called back")
    services.update_status(r, to="completed", by=c.care_manager)
    with pytest.raises(InvalidTransition, match="completed cannot be marked accepted"):
        services.update_status(r, to="accepted", by=c.care_manager)
    assert ReferralStatusChange.objects.filter(referral=r).count() == 4


def test_declined_needs_a_reason_and_stale_forms_are_refused() -> None:
    c = make_caseload()
    r = _referral(c)
    with pytest.raises(DomainError, match="why the referral was declined"):
        services.update_status(r, to="declined", by=c.care_manager)
    services.update_status(r, to="accepted", by=c.supervisor)
    with pytest.raises(ConflictError, match="Someone else marked this referral accepted"):
        services.update_status(r, to="no_response", by=c.care_manager, expected="sent")
    with pytest.raises(DomainError, match="future"):
        services.update_status(r, to="completed", by=c.care_manager, on=TODAY + timedelta(days=1))
    assert ResourceReferral.objects.get(pk=r.pk).status == "accepted"


def test_follow_up_list_has_due_open_referrals_of_the_viewers_patients_only() -> None:
    c = make_caseload()
    overdue = _referral(c, follow_up_in=-3)
    due_today = _referral(c, follow_up_in=0)
    _referral(c, follow_up_in=5)  # not yet due
    closed = _referral(c, follow_up_in=-3)
    services.update_status(closed, to="completed", by=c.care_manager)
    accepted = _referral(c, follow_up_in=-1)
    services.update_status(
        accepted,
        to="accepted",
        by=c.care_manager,
        follow_up_on=TODAY - timedelta(days=1),
        on=TODAY - timedelta(days=2),
    )
    other = make_caseload()
    _referral(other, follow_up_in=-3)

    rows = services.follow_ups_due(c.care_manager)
    assert [row.referral.pk for row in rows] == [overdue.pk, accepted.pk, due_today.pk]
    # "No response" is only suggested for a sent referral past its date, never set.
    assert [row.suggest_no_response for row in rows] == [True, False, False]
    assert ResourceReferral.objects.get(pk=overdue.pk).status == "sent"
    assert {r.referral.pk for r in services.follow_ups_due(c.supervisor)} == {r.referral.pk for r in rows}
    assert services.follow_ups_due(make_user(Role.ANALYST)) == []


def test_refer_and_update_through_the_pages() -> None:
    c = make_caseload(postal_code="02118")
    food = make_resource("Harborview Pantry", "food")
    client = login(Client(), c.care_manager)
    page_url = reverse("referrals:patient", args=[c.patient.public_id])
    first = _soup(client.get(page_url))
    assert first.select_one("#id_area")["value"] == "02118"  # starts from the person's ZIP
    # The search is POSTed: a person's need never goes into a URL.
    found = _soup(client.post(page_url, {"need": "food", "area": "02118"}))
    link = found.find("a", string=f"Refer to {food.name}")
    assert link is not None
    bad = client.post(link["href"], {"made_on": str(TODAY), "follow_up_on": str(TODAY - timedelta(1))})
    assert _soup(bad).select_one(".has-error #id_follow_up_on") is not None
    ok = client.post(
        link["href"], {"made_on": str(TODAY), "follow_up_on": str(TODAY), "note": "Needs Sat hours"}
    )
    assert ok.status_code == 302
    r = ResourceReferral.objects.get(patient=c.patient)
    assert r.made_by == c.care_manager and r.note == "Needs Sat hours"

    due = _soup(client.get(reverse("referrals:follow-ups")))
    assert c.patient.display_name in due.select_one("[data-testid=follow-ups]").get_text()
    status_url = reverse("referrals:status", args=[c.patient.public_id, r.pk])
    declined = client.post(status_url, {"status": "declined", "changed_on": str(TODAY), "expected": "sent"})
    assert _soup(declined).select_one(".has-error #id_note") is not None
    client.post(status_url, {"status": "accepted", "changed_on": str(TODAY), "expected": "sent"})
    stale = client.post(status_url, {"status": "completed", "changed_on": str(TODAY), "expected": "sent"})
    assert stale.status_code == 409
    assert ResourceReferral.objects.get(pk=r.pk).status == "accepted"

    detail = _soup(client.get(reverse("patients:detail", args=[c.patient.public_id])))
    card = detail.select_one("[data-testid=referrals-card]").get_text()
    assert "Harborview Pantry" in card and "accepted" in card


def test_other_teams_analysts_and_admins_are_refused_and_the_refusal_is_audited() -> None:
    c = make_caseload()
    r = _referral(c)
    food = r.resource
    status_url = reverse("referrals:status", args=[c.patient.public_id, r.pk])
    urls = [
        reverse("referrals:patient", args=[c.patient.public_id]),
        reverse("referrals:refer", args=[c.patient.public_id, food.pk]),
        status_url,
    ]
    outsider = make_caseload().care_manager
    for user in (outsider, make_user(Role.ANALYST), make_user(Role.ADMIN)):
        client = login(Client(), user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.role, url)
        posted = client.post(
            status_url, {"status": "completed", "changed_on": str(TODAY), "expected": "sent"}
        )
        assert posted.status_code == 403
    assert ResourceReferral.objects.get(pk=r.pk).status == "sent"
    assert (
        AuditEvent.objects.filter(action=AuditAction.DENIED, patient_id=c.patient.pk, actor=outsider).count()
        == 4
    )
