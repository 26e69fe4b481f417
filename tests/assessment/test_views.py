"""Assessment pages as parsed HTML, including refusals."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from tandem.accounts.models import Role
from tandem.assessment.models import DomainEntry, InstrumentResponse
from tandem.caseload.models import Task
from tests.builders import make_episode, make_patient, make_team, make_user
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _setup():  # type: ignore[no-untyped-def]
    cm = make_user(Role.CARE_MANAGER)
    patient = make_patient(team=make_team(members=(cm,)))
    make_episode(patient, status="enrolled", care_manager=cm, tier="medium")
    return login(Client(), cm), patient


def test_domain_form_saves_answers_and_prefer_not_to_say() -> None:
    client, patient = _setup()
    url = reverse("assessment:domain", args=[patient.public_id, "care_experiences"])
    response = client.post(
        url,
        {
            "q_good_experiences": "My clinic nurse listens",
            "skip_hard_experiences": "on",
            "recorded_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    entry = DomainEntry.objects.get()
    assert entry.responses == {"good_experiences": "My clinic nurse listens"}
    assert entry.declined_items == ["hard_experiences"]


def test_domain_form_refuses_answer_and_skip_together_keeping_text() -> None:
    client, patient = _setup()
    url = reverse("assessment:domain", args=[patient.public_id, "strengths"])
    response = client.post(
        url, {"q_strengths": "Cooking", "skip_strengths": "on", "recorded_on": "2026-11-20"}
    )
    assert response.status_code == 200
    assert b"marked &#x27;prefer not to say&#x27;" in response.content
    assert b"Cooking" in response.content
    assert not DomainEntry.objects.exists()


def test_instrument_form_names_missing_items_and_scores_complete_answers() -> None:
    client, patient = _setup()
    url = reverse("assessment:instrument", args=[patient.public_id, "gad7"])
    partial = client.post(url, {"administered_on": "2026-11-20", "q1": "1"})
    soup = BeautifulSoup(partial.content, "html.parser")
    assert len(soup.select("fieldset.item.has-error")) == 6
    assert soup.select_one("input[name=q1][value='1']").has_attr("checked")  # type: ignore[union-attr]
    data = {"administered_on": "2026-11-20", **{f"q{i}": "2" for i in range(1, 8)}}
    assert client.post(url, data).status_code == 302
    r = InstrumentResponse.objects.get()
    assert (r.total, r.band) == (14, "moderate")
    page = client.get(reverse("assessment:overview", args=[patient.public_id]))
    assert b"<svg" in page.content and b"GAD-7 total" in page.content


def test_safety_alert_message_and_task_on_home() -> None:
    client, patient = _setup()
    url = reverse("assessment:instrument", args=[patient.public_id, "phq9"])
    data = {"administered_on": "2026-11-20", **{f"q{i}": "0" for i in range(1, 10)}, "q9": "2"}
    response = client.post(url, data, follow=True)
    assert b"Safety alert" in response.content
    assert Task.objects.count() == 2
    home = client.get(reverse("home"))
    assert (
        b"Safety check today"
        in BeautifulSoup(home.content, "html.parser").select_one("[data-testid=my-tasks]").encode()
    )  # type: ignore[union-attr]


def test_assessment_pages_refuse_other_teams_and_non_clinical_roles() -> None:
    _, patient = _setup()
    outsider = login(Client(), make_user(Role.CARE_MANAGER))
    for name, args in [
        ("assessment:overview", []),
        ("assessment:domain", ["strengths"]),
        ("assessment:instrument", ["phq9"]),
    ]:
        assert outsider.get(reverse(name, args=[patient.public_id, *args])).status_code == 403
    analyst = login(Client(), make_user(Role.ANALYST))
    assert analyst.get(reverse("assessment:overview", args=[patient.public_id])).status_code == 403
