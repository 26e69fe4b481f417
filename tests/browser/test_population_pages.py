"""Population pages in a real browser: an analyst's figures, charts, filters and audited export; a
supervisor's patient links; a care manager and an administrator refused; labels, one heading, a tablet.

The data are built with the server-side tests' builders (`person`, `link`, `record_run`): 20 people
whose spend is chosen so the figures are round (total $200,000; the top person holds $100,000, the top
two $140,000), five of them ranked under Camden's rules with a capacity of 3 (so two are over capacity).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tandem.accounts.models import Role, User
from tandem.core.models import AuditEvent
from tandem.patients.models import Patient
from tandem.population.criteria_config import CRITERIA_DIR, load, parse
from tandem.population.models import StratificationRun
from tandem.population.runs import record_run
from tandem.population.stratify import Population
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _check_page
from tests.builders import PASSWORD, make_patient, make_team, make_user
from tests.population.test_evaluation_page import write_model
from tests.population.test_runs import link
from tests.population.test_stratify import person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AS_OF = dt.date(2021, 6, 30)
# Ranked (eligible under Camden, no exclusion): person id -> (HCC = score, allowed spend, active meds).
RANKED = {
    "BRW-0001": (4.0, 100_000.0, 12),  # polypharmacy; the supervisor's team's patient
    "BRW-0002": (3.0, 40_000.0, 12),  # polypharmacy; another team's patient
    "BRW-0003": (2.5, 26_000.0, 6),
    "BRW-0004": (2.0, 2_000.0, 6),  # over capacity
    "BRW-0005": (1.0, 2_000.0, 6),  # over capacity
}
NO_USE = {"ip_admits_12m": 0, "ed_visits_12m": 0}
CONCENTRATION_TITLE = "Share of spend by share of people (highest spenders first)"


def _people() -> list[dict[str, Any]]:
    people = [
        person(pid, hcc_v28_normalized=hcc, allowed_12m=spend, active_meds=meds)
        for pid, (hcc, spend, meds) in RANKED.items()
    ]
    people[0]["ip_admits_12m"], people[1]["ip_admits_12m"] = 4, 3  # the rest of the ranked: 2 each
    # No modifiable flag at all; still 2 complexity flags: 6 medications and no office visit.
    people[2].update(behavioral_health_flag=False, outpatient_visits_12m=0)
    people.append(person("BRW-0006", age=16, hcc_v28_normalized=3.5, allowed_12m=2_000.0))  # under age
    people += [  # 14 people who do not qualify (no chronic condition), no stays, no ED visits
        person(f"BRW-{i:04d}", chronic_conditions=0, hcc_v28_normalized=0.3, allowed_12m=2_000.0, **NO_USE)
        for i in range(7, 21)
    ]
    return people


@dataclass
class Scored:
    run: StratificationRun
    older: StratificationRun
    mine: Patient  # BRW-0001, on the supervisor's team
    other: Patient  # BRW-0002, on another team
    supervisor: User
    pseudo: dict[str, str]  # person id -> pseudonymous id in `run`


@pytest.fixture
def scored(settings: Any, tmp_path: Path) -> Scored:
    settings.RISK_MODEL_PATH = tmp_path / "no-model.json"
    supervisor = make_user(Role.SUPERVISOR, username="sup_population")
    mine = link(
        make_patient(team=make_team(supervisor=supervisor), given_name="Zebulon", family_name="Quartermaine"),
        "BRW-0001",
    )
    other = link(make_patient(team=make_team(), given_name="Ophelia", family_name="Brightwater"), "BRW-0002")
    camden = load(CRITERIA_DIR / "camden.toml")
    assert "capacity = 50 " in camden.text
    criteria = parse(camden.text.replace("capacity = 50 ", "capacity = 3 "), source=camden.source)
    # An older finished run with other people: the overview must not use it.
    older = record_run(
        Population(people=[person("OLD-1", allowed_12m=1.0), person("OLD-2", allowed_12m=1.0)]), criteria,
        as_of=dt.date(2021, 3, 31), db_path=tmp_path / "x.duckdb", started_at=timezone.now(),
    ).run  # fmt: skip
    run = record_run(
        Population(people=_people()), criteria, as_of=AS_OF, db_path=tmp_path / "x.duckdb",
        started_at=timezone.now(), user=make_user(Role.ANALYST),
    ).run  # fmt: skip
    assert (run.people_scored, run.candidates, run.over_capacity) == (20, 3, 2)
    pseudo = dict(run.scores.values_list("person_id", "pseudo_id"))
    return Scored(run, older, mine, other, supervisor, pseudo)


def _listed(page: Any) -> list[str]:
    """Pseudonymous ids in the ranked list, in order."""
    return [t.strip() for t in page.locator("[data-testid=candidates] tbody tr td code").all_inner_texts()]


def _assert_nothing_identifying(page: Any, s: Scored) -> None:
    html = page.content()
    text = page.locator("body").inner_text()
    for secret in ("Zebulon", "Quartermaine", "Ophelia", "Brightwater", "BRW-", "OLD-1", "OLD-2"):
        assert secret not in html and secret not in text, f"{secret!r} on {page.url}"
    for p in (s.mine, s.other):
        assert str(p.public_id) not in html, page.url
        for ident in p.identifiers.values_list("value", flat=True):
            assert ident not in html, f"identifier on {page.url}"
    assert page.locator("a[href*='/patients/']").count() == 0, page.url
    assert "Patient page" not in text


def _record_requests(page: Any) -> tuple[list[str], list[str]]:
    """Every URL the page asks for, and every request that failed or answered 4xx/5xx."""
    urls: list[str] = []
    bad: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    page.on("requestfailed", lambda r: bad.append(f"failed {r.url}"))
    page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return urls, bad


def test_analyst_overview_figures_and_inline_charts(page: Any, scored: Scored, live_server: Any) -> None:
    make_user(Role.ANALYST, username="analyst_pop")
    urls, bad = _record_requests(page)
    sign_in(page, "analyst_pop", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Population").click()
    page.wait_for_url("**/population/")
    assert page.get_by_role("heading", level=1).inner_text() == "Population overview"
    assert f"From stratification run {scored.run.pk} " in page.locator("main").inner_text()

    summary = page.get_by_test_id("population-summary")
    cells = dict(
        zip(summary.locator("th").all_inner_texts(), summary.locator("td").all_inner_texts(), strict=True)
    )
    # The same figures from the created rows, computed here independently of charts.concentration.
    spends = sorted((p["allowed_12m"] for p in _people()), reverse=True)
    total = sum(spends)
    assert (len(spends), total) == (20, 200_000.0)
    assert cells["Members scored"] == "20"
    assert cells["Total allowed spend"] == "$200,000"
    top1, top2 = spends[0] / total * 100, sum(spends[:2]) / total * 100
    assert (f"{top1:.1f}", f"{top2:.1f}") == ("50.0", "70.0")
    assert cells["Top 1% of people hold"] == f"{top1:.1f}% of spend"  # 1% of 20 rounds up to one person
    assert cells["Top 5% of people hold"] == f"{top1:.1f}% of spend"
    assert cells["Top 10% of people hold"] == f"{top2:.1f}% of spend"
    run_table = page.locator("table.data").filter(has_text="This run")
    assert "Candidates 3" in run_table.inner_text().replace("\t", " ")
    # The shorter table keeps its own row height instead of stretching beside the longer one.
    heights = [
        box["height"]
        for t in (summary, run_table)
        for box in [t.locator("tbody tr").first.bounding_box()]
        if box is not None
    ]
    assert len(heights) == 2 and abs(heights[0] - heights[1]) < 4, heights

    # Four inline SVG charts (no <img>, <object> or <iframe>), each rendered with a size and a name.
    charts = page.locator("main figure > svg")
    assert charts.count() == 4
    assert page.locator("main img, main object, main iframe, main embed").count() == 0
    for i in range(4):
        chart = charts.nth(i)
        assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-label")
        box = chart.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 50
    # The concentration curve: 21 points (0 and each of 20 people); after the first person (5% of
    # people) it stands at 50% of spend: x = 40 + 0.05 * 308, y = 24 + 146 - 0.5 * 146.
    curve = page.get_by_role("img", name=CONCENTRATION_TITLE).locator("polyline")
    assert curve.count() == 1
    points = (curve.get_attribute("points") or "").split()
    assert len(points) == 21 and points[0] == "40.0,170.0" and points[1] == "55.4,97.0"
    assert points[2] == "70.8,67.8"  # two people, 70% of spend
    assert points[-1] == "348.0,24.0"
    curve_box = curve.bounding_box()
    assert curve_box is not None and curve_box["width"] > 100
    # Bars carry their counts: 14 people with no admission, 4 with 2, one with 3, one with 4 or more.
    # Whole-number buckets are labelled by the values they hold ("3–5" for 3, 4 or 5 ED visits, apart
    # from "6+"), the continuous HCC score by both edges ("1–2", not "1", for 1 <= HCC < 2).
    admissions = page.get_by_role("img", name="People by inpatient admissions in 12 months")
    bars = admissions.locator("rect > title").all_text_contents()
    assert bars == ["0: 14", "1: 0", "2: 4", "3: 1", "4+: 1"]
    assert admissions.locator("text").all_text_contents()[-5:] == ["0", "1", "2", "3", "4+"]
    ed = page.get_by_role("img", name="People by ED visits in 12 months")
    assert ed.locator("rect > title").all_text_contents() == ["0: 14", "1: 6", "2: 0", "3–5: 0", "6+: 0"]
    hcc = page.get_by_role("img", name="People by CMS-HCC V28 score (normalised)")
    assert hcc.locator("rect > title").all_text_contents() == [
        "0–0.5: 14", "0.5–1: 0", "1–2: 1", "2–3: 2", "3–5: 3", "5+: 0",
    ]  # fmt: skip
    # role="img" hides a chart's bars from a screen reader: its accessible name carries the data.
    from playwright.sync_api import expect  # importable once the `page` fixture exists

    expect(admissions).to_have_accessible_name(
        "People by inpatient admissions in 12 months: 0: 14; 1: 0; 2: 4; 3: 1; 4+: 1"
    )
    expect(ed).to_have_accessible_name("People by ED visits in 12 months: 0: 14; 1: 6; 2: 0; 3–5: 0; 6+: 0")
    expect(hcc).to_have_accessible_name(
        "People by CMS-HCC V28 score (normalised): 0–0.5: 14; 0.5–1: 0; 1–2: 1; 2–3: 2; 3–5: 3; 5+: 0"
    )
    expect(page.get_by_role("img", name=CONCENTRATION_TITLE)).to_have_accessible_name(
        f"{CONCENTRATION_TITLE}: top 1% of people hold 50.0% of spend; top 5% of people hold 50.0% of spend;"
        " top 10% of people hold 70.0% of spend; top 50% of people hold 90.0% of spend"
    )
    assert "No model trained yet" in page.get_by_test_id("model-evaluation").inner_text()
    _assert_nothing_identifying(page, scored)

    # Nothing was fetched from anywhere but this server, and everything fetched was served.
    origin = live_server.url.rstrip("/")
    assert urls, "no request recorded"
    off_site = [u for u in urls if not u.startswith("data:") and not u.startswith(origin + "/")]
    assert off_site == []
    assert bad == []


def test_analyst_filters_a_run_and_exports_the_filtered_rows(
    page: Any, scored: Scored, live_server: Any
) -> None:
    analyst = make_user(Role.ANALYST, username="analyst_filter")
    run, pseudo = scored.run, scored.pseudo
    urls, bad = _record_requests(page)
    sign_in(page, "analyst_filter", PASSWORD)
    page.goto("/population/")
    _assert_nothing_identifying(page, scored)
    page.get_by_role("link", name="Stratification runs").click()
    runs = page.get_by_test_id("runs")
    assert runs.locator("tbody tr").count() == 2
    _assert_nothing_identifying(page, scored)
    runs.get_by_role("link", name=f"Run {run.pk}", exact=True).click()
    page.wait_for_url(f"**/population/runs/{run.pk}/")
    counts = page.get_by_test_id("run-counts").inner_text()
    assert counts.startswith("20 scored · 6 eligible · 1 excluded · 3 candidates · 2 over capacity")
    assert "Excluded by reason" in page.locator("dl").inner_text()
    assert "under the minimum age: 1" in page.locator("dl").inner_text()
    page.get_by_text("Criteria file used").click()
    assert 'name = "camden"' in page.locator("details pre").inner_text()
    ranked = [pseudo[f"BRW-000{i}"] for i in range(1, 6)]
    assert _listed(page) == ranked
    assert page.locator("[data-testid=candidates] caption").inner_text().startswith("5 ranked people")
    rows = page.locator("[data-testid=candidates] tbody tr")
    assert rows.nth(3).locator("td").first.inner_text() == "4 (over capacity)"
    assert rows.nth(0).locator("td").nth(4).inner_text() == "polypharmacy, behavioural health"
    _assert_nothing_identifying(page, scored)

    # Filter by flag through the form: only the two with polypharmacy remain.
    page.get_by_label("Modifiable-risk flag").select_option(label="polypharmacy")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**flag=polypharmacy**")
    assert _listed(page) == [pseudo["BRW-0001"], pseudo["BRW-0002"]]
    assert page.get_by_label("Modifiable-risk flag").input_value() == "polypharmacy"  # the form keeps it
    # Camden's criteria have one way each to be met: no "met by" filter to offer (see test_pages).
    assert page.locator("select[name=criterion]").count() == 0
    _assert_nothing_identifying(page, scored)

    # Download the filtered rows.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download these rows as CSV").click()
    download = info.value
    assert download.suggested_filename == f"stratification-run-{run.pk}.csv"
    body = Path(download.path()).read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(body)))
    assert [(r["pseudo_id"], r["rank"], r["candidate"], r["score"]) for r in table] == [
        (pseudo["BRW-0001"], "1", "True", "4.0"),
        (pseudo["BRW-0002"], "2", "True", "3.0"),
    ]
    assert all("polypharmacy" in r["flags"] for r in table)
    for secret in ("BRW-", "Zebulon", "Ophelia", str(scored.mine.public_id)):
        assert secret not in body
    event = AuditEvent.objects.get(action="export")
    assert (event.actor_id, event.resource_id) == (analyst.pk, str(run.pk))
    assert event.detail == "2 pseudonymous row(s)"

    # A minimum score on top of the flag: only the first; then clear the flag to widen again.
    page.get_by_label("Minimum ranking score").fill("3.5")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**min_score=3.5**")
    assert _listed(page) == [pseudo["BRW-0001"]]
    page.get_by_label("Modifiable-risk flag").select_option(label="Any")
    page.get_by_label("Minimum ranking score").fill("2.2")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**min_score=2.2**")
    assert _listed(page) == [pseudo["BRW-0001"], pseudo["BRW-0002"], pseudo["BRW-0003"]]
    page.get_by_label("Minimum ranking score").fill("9")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**min_score=9**")
    assert _listed(page) == []
    assert page.locator("[data-testid=candidates] tbody").inner_text().strip() == "Nobody matches."
    # The export of an empty filter is the header alone, and is recorded too.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download these rows as CSV").click()
    empty = Path(info.value.path()).read_text(encoding="utf-8").strip().splitlines()
    assert len(empty) == 1 and empty[0].startswith("pseudo_id,rank")
    assert AuditEvent.objects.filter(action="export", detail="0 pseudonymous row(s)").count() == 1
    origin = live_server.url.rstrip("/")
    assert [u for u in urls if not u.startswith("data:") and not u.startswith(origin + "/")] == []
    # Chromium reports a link that turns into a download as an aborted request; both downloads are
    # read above, so only those two may appear here.
    assert [b for b in bad if not b.startswith("failed ") or "/export.csv?" not in b] == []
    assert len(bad) == 2 and sum("/export.csv?" in u for u in urls) == 2


def test_filter_form_works_from_the_keyboard(page: Any, scored: Scored) -> None:
    make_user(Role.ANALYST, username="analyst_keys")
    pseudo = scored.pseudo
    sign_in(page, "analyst_keys", PASSWORD)
    page.goto(f"/population/runs/{scored.run.pk}/")
    page.get_by_label("Modifiable-risk flag").focus()
    page.keyboard.press("Tab")  # Camden's run offers no "criterion met by" select: the score field is next
    assert page.evaluate("document.activeElement.id") == "f-min"
    page.keyboard.type("2.2")
    page.keyboard.press("Enter")  # implicit submission from the number field
    page.wait_for_url("**min_score=2.2**")
    assert _listed(page) == [pseudo["BRW-0001"], pseudo["BRW-0002"], pseudo["BRW-0003"]]
    page.keyboard.press("Tab")  # the skip link comes first on the new page
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"


def test_population_pages_have_labels_one_heading_and_fit_a_tablet(page: Any, scored: Scored) -> None:
    make_user(Role.ANALYST, username="analyst_a11y_pop")
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, "analyst_a11y_pop", PASSWORD)
    for path in (
        "/population/",
        "/population/runs/",
        f"/population/runs/{scored.run.pk}/",
        f"/population/runs/{scored.run.pk}/?flag=polypharmacy&min_score=1",
        f"/population/runs/{scored.older.pk}/",
    ):
        _check_page(page, path)
        # Every table says what it is.
        assert page.evaluate(
            "Array.from(document.querySelectorAll('main table'))"
            ".every(t => t.caption && t.caption.textContent.trim())"
        ), path
        # Every chart has a name a screen reader reads out.
        assert page.evaluate(
            "Array.from(document.querySelectorAll('main svg')).every(s => s.getAttribute('role') === 'img'"
            " && s.getAttribute('aria-label') && s.querySelector('title'))"
        ), path
    # The filter form is a named form landmark.
    page.goto(f"/population/runs/{scored.run.pk}/")
    assert page.get_by_role("form", name="Filter the candidate list").count() == 1


def test_model_evaluation_renders_with_a_stored_model(
    page: Any, scored: Scored, settings: Any, tmp_path: Path
) -> None:
    path = write_model(tmp_path / "risk.json")
    settings.RISK_MODEL_PATH = path
    make_user(Role.ANALYST, username="analyst_model")
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, "analyst_model", PASSWORD)
    _check_page(page, "/population/")
    section = page.get_by_test_id("model-evaluation")
    assert "evaluated on 995 held-out people" in section.inner_text()
    cost = page.get_by_role("region", name="Next year's top 5% of cost")
    first = cost.locator("tbody tr").first.locator("th, td").all_inner_texts()
    assert first == ["Tandem model", "0.793", "0.60", "0.44", "0.045"]
    # The scrolling table region is reachable from the keyboard, and the calibration opens with Enter.
    assert cost.get_attribute("tabindex") == "0"
    summary = page.get_by_text("Calibration by decile of predicted risk: next year's top 5% of cost")
    calibration = page.locator("details").filter(has=summary).locator("table")
    assert not calibration.is_visible()
    summary.focus()
    page.keyboard.press("Enter")
    assert calibration.is_visible()
    decile = calibration.locator("tbody tr").first.locator("td").all_inner_texts()
    assert decile == ["1", "100", "0.002", "0.010"]


def test_supervisor_gets_patient_links_for_own_team_only(page: Any, scored: Scored) -> None:
    pseudo = scored.pseudo
    sign_in(page, "sup_population", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Population").click()
    page.get_by_role("link", name="Stratification runs").click()
    page.get_by_test_id("runs").get_by_role("link", name=f"Run {scored.run.pk}", exact=True).click()
    page.wait_for_url(f"**/population/runs/{scored.run.pk}/")
    rows = page.locator("[data-testid=candidates] tbody tr")
    mine = rows.filter(has=page.locator("code", has_text=pseudo["BRW-0001"]))
    other = rows.filter(has=page.locator("code", has_text=pseudo["BRW-0002"]))
    assert mine.get_by_role("link", name="Patient page").count() == 1
    # Each link names its person, so a screen reader's list of links tells them apart.
    link_name = f"Patient page for {pseudo['BRW-0001']}"
    assert mine.get_by_role("link", name=link_name, exact=True).count() == 1
    assert other.get_by_role("link", name="Patient page").count() == 0
    assert page.get_by_role("link", name="Patient page").count() == 1
    html = page.content()
    for name in ("Zebulon", "Quartermaine", "Ophelia", "Brightwater", "BRW-"):
        assert name not in html
    assert f"/patients/{scored.other.public_id}/" not in html
    mine.get_by_role("link", name="Patient page").click()
    page.wait_for_url(f"**/patients/{scored.mine.public_id}/")
    assert "Quartermaine" in page.locator("main").inner_text()


@pytest.mark.parametrize("role", [Role.CARE_MANAGER, Role.ADMIN])
def test_care_manager_and_administrator_are_refused(page: Any, scored: Scored, role: str) -> None:
    make_user(role, username=f"refused_{role}")
    sign_in(page, f"refused_{role}", PASSWORD)
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Population").count() == 0
    run = scored.run.pk
    for path in ("/population/", "/population/runs/", f"/population/runs/{run}/"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        text = page.locator("body").inner_text()
        assert "Population overview" not in text and scored.pseudo["BRW-0001"] not in text
    response = page.request.get(f"/population/runs/{run}/export.csv")
    assert response.status == 403 and "text/csv" not in response.headers.get("content-type", "")
    assert not AuditEvent.objects.filter(action="export").exists()
