"""The care plan flow: goals in her words, reorder, a "you do" step, check in, achieve, print in Spanish."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.careplans.models import Goal, GoalCheckIn
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import UNLABELLED_JS
from tests.builders import PASSWORD, make_episode, make_patient, make_team, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accessible(page: Any) -> None:
    """Every control labelled, one h1, nothing wider than the tablet."""
    assert page.evaluate(UNLABELLED_JS) == [], page.url
    assert page.locator("h1").count() == 1, page.url
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def _add_goal(page: Any, pid: str, text: str, why: str) -> None:
    page.get_by_role("link", name="Add a goal").click()
    _accessible(page)
    page.get_by_label("The goal, in the patient's own words").fill(text)
    page.get_by_label("Why it matters to them").fill(why)
    page.get_by_role("button", name="Save goal").click()
    page.wait_for_url(f"**/careplans/{pid}/**")


def _goal(page: Any, text: str) -> Any:
    return page.get_by_test_id("goal").filter(has_text=text)


def test_co_create_reorder_coach_check_in_achieve_and_print_in_spanish(page: Any) -> None:
    cm = make_user(Role.CARE_MANAGER, username="cm_plan", first_name="Rosa", last_name="Rivera")
    patient = make_patient(
        team=make_team(members=(cm,)), given_name="Dolores", family_name="Haze", preferred_language="es"
    )
    make_episode(patient, status="enrolled", care_manager=cm, tier="high")
    pid = str(patient.public_id)
    sign_in(page, "cm_plan", PASSWORD)

    page.goto(f"/patients/{pid}/")
    page.get_by_test_id("careplan-card").get_by_role("link", name="Care plan").click()
    page.get_by_role("button", name="Start the care plan").click()

    # Two goals in her own words; she puts her daughter first.
    _add_goal(page, pid, "Bajar mi azúcar", "Para no perder la vista")
    _add_goal(page, pid, "Volver a hablar con mi hija", "Ella va a tener un bebé")
    assert page.get_by_test_id("goal-text").all_inner_texts() == [
        "Bajar mi azúcar",
        "Volver a hablar con mi hija",
    ]
    _goal(page, "Volver a hablar con mi hija").get_by_role("button", name="Move up").click()
    page.wait_for_url(f"**/careplans/{pid}/**")
    assert page.get_by_test_id("goal-text").all_inner_texts() == [
        "Volver a hablar con mi hija",
        "Bajar mi azúcar",
    ]

    # A step she does on her own.
    _goal(page, "Volver a hablar con mi hija").get_by_role("link", name="Add a step").click()
    _accessible(page)
    page.get_by_label("Next step").fill("Llamar a mi hija el domingo")
    page.get_by_label("You do — the patient on their own").check()
    page.get_by_label("The patient", exact=True).check()
    page.get_by_label("Due on").fill((timezone.localdate() + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Save step").click()
    page.wait_for_url(f"**/careplans/{pid}/**")
    steps = _goal(page, "Volver a hablar con mi hija").get_by_test_id("steps")
    assert "Llamar a mi hija el domingo" in steps.inner_text()
    assert "You do" in steps.inner_text()
    assert "100%" in page.get_by_test_id("you-do-share").inner_text()

    # A check-in, in her eyes.
    _goal(page, "Volver a hablar con mi hija").get_by_role("link", name="Check in").click()
    _accessible(page)
    page.get_by_label("7", exact=True).check()
    page.get_by_label("Note").fill("Hablamos diez minutos")
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url(f"**/careplans/{pid}/**")
    assert "7/10" in _goal(page, "Volver a hablar con mi hija").get_by_test_id("check-ins").inner_text()
    assert GoalCheckIn.objects.get().rating == 7

    _goal(page, "Bajar mi azúcar").get_by_role("link", name="Plan backwards").click()
    _accessible(page)
    page.go_back()
    page.get_by_role("link", name="Version history").click()
    _accessible(page)
    assert "Goals reordered" in page.get_by_test_id("revisions").inner_text()
    page.go_back()

    # Achieved: the plan asks what comes next.
    _goal(page, "Volver a hablar con mi hija").get_by_role("button", name="Mark achieved").click()
    page.wait_for_url(f"**/careplans/{pid}/**")
    prompt = page.get_by_test_id("next-goal-prompt")
    assert "What would they like to work on next?" in prompt.inner_text()
    assert "Volver a hablar con mi hija" in prompt.inner_text()
    assert page.get_by_test_id("goal-text").all_inner_texts() == ["Bajar mi azúcar"]
    _accessible(page)
    assert Goal.objects.get(text="Volver a hablar con mi hija").status == "achieved"

    # Her copy, in Spanish, her goals in her words.
    page.get_by_role("link", name="Patient's copy (print)").click()
    page.wait_for_url(f"**/careplans/{pid}/print/")
    assert page.locator("html").get_attribute("lang") == "es"
    _accessible(page)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Mi plan de cuidados")
    assert page.get_by_role("heading", level=2).all_inner_texts() == [
        "Mis metas",
        "Metas que ya logré",
        "¿Preguntas? Llámenos",
    ]
    assert page.get_by_role("heading", level=3).inner_text() == "Meta 1: Bajar mi azúcar"
    assert "Volver a hablar con mi hija" in page.locator("main").inner_text()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 24  # 18pt
