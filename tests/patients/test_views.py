"""Patient search, the patient page and its forms, as parsed HTML."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from tandem.accounts.models import Role
from tandem.patients.models import Involvement, Patient, RelatedPerson
from tests.builders import make_episode, make_patient, make_team, make_user
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _names(response: object) -> list[str]:
    soup = BeautifulSoup(response.content, "html.parser")  # type: ignore[attr-defined]
    return [a.get_text(strip=True) for a in soup.select("table.data tbody a")]


@pytest.fixture
def setup() -> tuple[Client, list[Patient]]:
    cm = make_user(Role.CARE_MANAGER)
    team = make_team(members=(cm,))
    people = [
        make_patient(
            team=team, given_name="Maria", family_name="Lopez", birth_date=date(1950, 1, 2), member_id="A1"
        ),
        make_patient(
            team=team, given_name="Mario", family_name="Lopez", birth_date=date(1961, 5, 6), member_id="A2"
        ),
        make_patient(
            team=team, given_name="Joan", family_name="Baker", birth_date=date(1950, 1, 2), member_id="A3"
        ),
    ]
    make_patient(team=make_team(), given_name="Maria", family_name="Lopez", member_id="Z9")  # other team
    return login(Client(), cm), people


def test_search_by_name_birth_date_and_member_id(setup: tuple[Client, list[Patient]]) -> None:
    client, _ = setup
    url = reverse("patients:search")
    assert _names(client.post(url, {"name": "lopez"})) == ["Lopez, Maria", "Lopez, Mario"]
    assert _names(client.post(url, {"name": "maria lopez"})) == ["Lopez, Maria"]
    assert _names(client.post(url, {"birth_date": "1950-01-02"})) == ["Baker, Joan", "Lopez, Maria"]
    assert _names(client.post(url, {"member_id": "a3"})) == ["Baker, Joan"]
    assert _names(client.post(url, {"member_id": "Z9"})) == []  # exists, but on another team


def test_empty_search_explains_what_to_enter(setup: tuple[Client, list[Patient]]) -> None:
    client, _ = setup
    response = client.post(reverse("patients:search"), {"name": "", "birth_date": "", "member_id": ""})
    assert b"Enter a name, a birth date or a member id to search." in response.content
    bad_date = client.post(reverse("patients:search"), {"birth_date": "31/02/1950", "name": "Lo"})
    soup = BeautifulSoup(bad_date.content, "html.parser")
    assert soup.select_one(".has-error #id_birth_date") is not None
    assert soup.select_one("#id_name")["value"] == "Lo"  # type: ignore[index]


def test_patient_page_shows_program_team_caregivers_and_preferences() -> None:
    cm = make_user(Role.CARE_MANAGER, first_name="Ines", last_name="Park")
    team = make_team(members=(cm,), name="South Team")
    patient = make_patient(team=team, preferred_meeting_place="home", best_time_to_reach="Mornings")
    make_episode(patient, status="enrolled", care_manager=cm, tier="high")
    RelatedPerson.objects.create(
        patient=patient,
        name="Luz Rivera",
        relationship="sister",
        is_caregiver=True,
        involvement=Involvement.COORDINATE,
        permission_recorded_on=date(2026, 1, 5),
    )
    page = login(Client(), cm).get(reverse("patients:detail", args=[patient.public_id]))
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.select_one("[data-testid=program-status]").get_text() == "Enrolled"  # type: ignore[union-attr]
    assert soup.select_one("[data-testid=primary-care-manager]").get_text() == "Ines Park"  # type: ignore[union-attr]
    text = soup.get_text(" ", strip=True)
    for expected in ("South Team", "High", "Luz Rivera", "May help coordinate care", "At home", "Mornings"):
        assert expected in text


def test_stale_contact_edit_is_refused_and_shows_both_versions() -> None:
    cm = make_user(Role.CARE_MANAGER)
    patient = make_patient(team=make_team(members=(cm,)))
    url = reverse("patients:edit-contact", args=[patient.public_id])
    first = login(Client(), cm)
    opened_version = patient.version
    assert (
        first.post(
            url, {"version": opened_version, "preferred_language": "en", "best_time_to_reach": "Evenings"}
        ).status_code
        == 302
    )
    response = first.post(
        url, {"version": opened_version, "preferred_language": "en", "best_time_to_reach": "Mornings"}
    )
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    conflict = soup.select_one(".conflict")
    assert conflict is not None
    assert "Evenings" in conflict.get_text() and "Mornings" in conflict.get_text()
    patient.refresh_from_db()
    assert patient.best_time_to_reach == "Evenings"  # the first save was not overwritten
    # The form now carries the current version, so saving again deliberately keeps the second edit.
    version = soup.select_one("input[name=version]")["value"]  # type: ignore[index]
    assert (
        first.post(
            url, {"version": version, "preferred_language": "en", "best_time_to_reach": "Mornings"}
        ).status_code
        == 302
    )
    patient.refresh_from_db()
    assert patient.best_time_to_reach == "Mornings"


def test_contact_form_field_errors() -> None:
    cm = make_user(Role.CARE_MANAGER)
    patient = make_patient(team=make_team(members=(cm,)))
    response = login(Client(), cm).post(
        reverse("patients:edit-contact", args=[patient.public_id]),
        {
            "version": patient.version,
            "preferred_language": "en",
            "state": "N1",
            "phone": "555",
            "phone_can_text": "on",
            "preferred_contact_method": "email",
        },
    )
    errors = {
        e.find_parent(class_="field").select_one("label").get_text(): e.get_text(" ", strip=True)
        for e in BeautifulSoup(response.content, "html.parser").select(".errors")
    }
    assert errors["State:"] == "Use the two-letter state code, e.g. NJ."
    assert errors["Phone:"] == "Enter a phone number with area code."
    assert "Add an email address" in errors["Email:"]


def test_caregiver_permission_needs_a_date() -> None:
    cm = make_user(Role.CARE_MANAGER)
    patient = make_patient(team=make_team(members=(cm,)))
    client = login(Client(), cm)
    url = reverse("patients:related-new", args=[patient.public_id])
    response = client.post(url, {"name": "Tom", "relationship": "son", "involvement": "decide"})
    assert b"Record when the patient gave permission" in response.content
    assert not RelatedPerson.objects.exists()
    ok = client.post(
        url,
        {
            "name": "Tom",
            "relationship": "son",
            "involvement": "decide",
            "permission_recorded_on": "2026-11-01",
            "is_caregiver": "on",
        },
    )
    assert ok.status_code == 302
    assert RelatedPerson.objects.get().is_caregiver
