"""The patient's written copy: their language, their words, large type, as a print view and a PDF."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from tandem.careplans import services
from tandem.careplans.models import GoalStatus
from tandem.core.models import AuditAction, AuditEvent
from tests.careplans.builders import Setup, add_goal, make_plan, version
from tests.conftest import login

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _plan_with_goals(language: str) -> Setup:
    s = make_plan(language=language, given_name="Dolores")
    goal = add_goal(s, "Caminar con mi nieta a la escuela", why_it_matters="Quiero verla crecer")
    services.add_step(
        goal,
        by=s.care_manager,
        expected_version=version(s),
        description="Caminar 10 minutos cada mañana",
        owner_kind="patient",
        coaching="you_do",
        due_on=TODAY + timedelta(days=7),
    )
    done = add_goal(s, "Conseguir mi identificación")
    services.set_goal_status(done, GoalStatus.ACHIEVED, by=s.care_manager, expected_version=version(s))
    return s


def _pdf_text(content: bytes) -> str:
    # Large type wraps lines; compare words, not line breaks.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def _print_soup(s: Setup) -> tuple[Any, BeautifulSoup]:
    response = login(Client(), s.care_manager).get(reverse("careplans:print", args=[s.patient.public_id]))
    return response, BeautifulSoup(response.content, "html.parser")


def test_print_view_is_in_spanish_for_a_spanish_speaker_with_their_own_words() -> None:
    s = _plan_with_goals("es")
    response, soup = _print_soup(s)
    assert response.status_code == 200 and response["Content-Language"] == "es"
    assert soup.html is not None and soup.html["lang"] == "es"
    assert soup.h1 is not None and soup.h1.get_text().startswith("Mi plan de cuidados")
    headings = [h.get_text() for h in soup.select("h2")]
    assert headings == ["Mis metas", "Metas que ya logré", "¿Preguntas? Llámenos"]
    goal = soup.select_one("section.goal h3")
    assert goal is not None and goal.get_text() == "Meta 1: Caminar con mi nieta a la escuela"
    text = soup.get_text()
    assert "Por qué me importa: Quiero verla crecer" in text
    assert "Usted lo hace por su cuenta" in text and "Por hacer" in text
    assert "Conseguir mi identificación" in text
    # Large type for reading at home.
    assert "font-size: 18pt" in str(soup.style)
    # The staff's own pages stay in the staff's language afterwards.
    assert translation.get_language() in ("en", "en-us")


def test_print_view_is_in_english_for_english_and_untranslated_languages() -> None:
    for language in ("en", "vi"):
        s = _plan_with_goals(language)
        _, soup = _print_soup(s)
        assert soup.html is not None and soup.html["lang"] == "en"
        assert soup.h1 is not None and soup.h1.get_text().startswith("My care plan")
        assert "Caminar con mi nieta a la escuela" in soup.get_text()  # never translated


def test_pdf_is_a_pdf_in_the_patients_language_and_is_audited_as_an_export() -> None:
    s = _plan_with_goals("es")
    response = login(Client(), s.care_manager).get(reverse("careplans:pdf", args=[s.patient.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="care-plan.pdf"' in response["Content-Disposition"]
    text = _pdf_text(response.content)
    for expected in (
        "Mi plan de cuidados",
        "Mis metas",
        "Meta 1: Caminar con mi nieta a la escuela",
        "Por qué me importa",
        "Metas que ya logré",
        "¿Preguntas? Llámenos",
        s.care_manager.display_name,
    ):
        assert expected in text, expected
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, detail="patient copy PDF (es)").exists()


def test_pdf_in_english_for_an_english_speaker() -> None:
    s = _plan_with_goals("en")
    response = login(Client(), s.care_manager).get(reverse("careplans:pdf", args=[s.patient.public_id]))
    text = _pdf_text(response.content)
    assert "My care plan" in text and "Mi plan de cuidados" not in text
    assert "Caminar con mi nieta a la escuela" in text


def test_pdf_falls_back_to_helvetica_which_still_has_every_spanish_letter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tandem.careplans import pdf

    monkeypatch.setattr(pdf, "FONT_DIRS", ())
    s = _plan_with_goals("es")
    response = login(Client(), s.care_manager).get(reverse("careplans:pdf", args=[s.patient.public_id]))
    assert b"/Helvetica" in response.content
    text = _pdf_text(response.content)
    assert "Por qué me importa" in text and "¿Preguntas? Llámenos" in text and "mañana" in text


def test_the_copy_needs_a_plan() -> None:
    s = make_plan()
    s.plan.delete()
    client = login(Client(), s.care_manager)
    for name in ("careplans:print", "careplans:pdf"):
        response = client.get(reverse(name, args=[s.patient.public_id]))
        assert response.status_code == 400 and b"no care plan" in response.content
