"""Population pages: who may see them, pseudonymous ids only, filters, audited CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.core.models import AuditEvent
from tandem.patients.models import Patient
from tandem.population.criteria_config import CRITERIA_DIR, load
from tandem.population.models import StratificationRun
from tandem.population.runs import record_run
from tandem.population.stratify import Population
from tests.builders import make_patient, make_team, make_user

from .test_runs import link
from .test_stratify import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(tmp_path: Path) -> tuple[StratificationRun, Patient, Patient]:
    team = make_team()
    mine = link(make_patient(team=team, given_name="Zebulon", family_name="Quartermaine"), "p1")
    other = link(make_patient(team=make_team(), given_name="Ophelia", family_name="Brightwater"), "p2")
    people = [
        person("p1", hcc_v28_normalized=3.0, allowed_12m=90000.0, active_meds=12),
        person("p2", hcc_v28_normalized=2.0, allowed_12m=5000.0),
        person("p3", hcc_v28_normalized=1.0, allowed_12m=100.0, chronic_conditions=0),
    ]
    run = record_run(
        Population(people=people), load(CRITERIA_DIR / "camden.toml"), as_of=dt.date(2021, 6, 30),
        db_path=tmp_path / "x.duckdb", started_at=timezone.now(),
    ).run  # fmt: skip
    return run, mine, other


def test_analyst_sees_pseudonymous_ids_only(
    client: Client, scored: tuple[StratificationRun, Patient, Patient]
) -> None:
    run, mine, other = scored
    client.force_login(make_user(Role.ANALYST))
    for url in ("/population/", "/population/runs/", f"/population/runs/{run.pk}/"):
        resp = client.get(url)
        assert resp.status_code == 200, url
        html = resp.content.decode()
        for name in ("Zebulon", "Quartermaine", "Ophelia", "Brightwater"):
            assert name not in html
        assert str(mine.public_id) not in html and ">p1<" not in html
        assert len(BeautifulSoup(html, "html.parser").find_all("h1")) == 1
    html = client.get(f"/population/runs/{run.pk}/").content.decode()
    assert run.scores.get(person_id="p1").pseudo_id in html
    assert "Patient page" not in html


def test_overview_figures(
    client: Client, scored: tuple[StratificationRun, Patient, Patient], settings: Any, tmp_path: Path
) -> None:
    settings.RISK_MODEL_PATH = tmp_path / "no-model.json"
    client.force_login(make_user(Role.ANALYST))
    soup = BeautifulSoup(client.get("/population/").content, "html.parser")
    summary = soup.find(attrs={"data-testid": "population-summary"}).get_text(" ", strip=True)  # type: ignore[union-attr]
    assert "Members scored 3" in summary and "$95,100" in summary
    assert "Top 1% of people hold 94.6% of spend" in summary
    assert len(soup.find_all("svg")) == 4
    assert "No model trained yet" in soup.find(attrs={"data-testid": "model-evaluation"}).get_text()  # type: ignore[union-attr]


def test_supervisor_links_only_own_teams_patients(
    client: Client, scored: tuple[StratificationRun, Patient, Patient]
) -> None:
    run, mine, other = scored
    client.force_login(mine.care_team.supervisor)  # type: ignore[union-attr]
    html = client.get(f"/population/runs/{run.pk}/").content.decode()
    assert f"/patients/{mine.public_id}/" in html
    assert f"/patients/{other.public_id}/" not in html
    assert "Zebulon" not in html


@pytest.mark.parametrize("role", [Role.CARE_MANAGER, Role.ADMIN])
def test_other_roles_refused(
    client: Client, role: str, scored: tuple[StratificationRun, Patient, Patient]
) -> None:
    run = scored[0]
    client.force_login(make_user(role))
    for url in ("/population/", f"/population/runs/{run.pk}/", f"/population/runs/{run.pk}/export.csv"):
        assert client.get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="export").exists()


def test_filters(client: Client, scored: tuple[StratificationRun, Patient, Patient]) -> None:
    run = scored[0]
    client.force_login(make_user(Role.ANALYST))
    p1, p2 = (run.scores.get(person_id=p).pseudo_id for p in ("p1", "p2"))
    html = client.get(f"/population/runs/{run.pk}/?flag=polypharmacy").content.decode()
    assert p1 in html and p2 not in html
    html = client.get(f"/population/runs/{run.pk}/?min_score=2.5").content.decode()
    assert p1 in html and p2 not in html
    # Camden's criteria each have one way to be met, so there is nothing to filter on; an unknown or
    # unusable value is ignored, not an error.
    html = client.get(f"/population/runs/{run.pk}/?criterion=complexity&min_score=abc").content.decode()
    assert p1 in html and p2 in html and 'name="criterion"' not in html


def test_filter_by_the_alternative_met(client: Client, tmp_path: Path) -> None:
    people = [
        person("stay", nonobstetric_ip_admits_12m=1, ed_visits_12m=0, hcc_v28_normalized=3.0),
        person("ed", nonobstetric_ip_admits_12m=0, ed_visits_12m=7, hcc_v28_normalized=2.0),
        person("both", nonobstetric_ip_admits_12m=2, ed_visits_12m=6, hcc_v28_normalized=1.0),
    ]
    run = record_run(
        Population(people=people), load(CRITERIA_DIR / "careoregon.toml"), as_of=dt.date(2021, 6, 30),
        db_path=tmp_path / "x.duckdb", started_at=timezone.now(),
    ).run  # fmt: skip
    pseudo = {s.person_id: s.pseudo_id for s in run.scores.all()}
    client.force_login(make_user(Role.ANALYST))
    page = BeautifulSoup(client.get(f"/population/runs/{run.pk}/").content, "html.parser")
    choices = [(o["value"], o.get_text()) for o in page.select("select[name=criterion] option")]
    label = "a non-obstetric inpatient stay or 6 or more ED visits in 12 months"
    assert choices == [
        ("", "Any"),
        ("utilisation:nonobstetric_ip_admits_12m", f"{label}: a non-obstetric inpatient stay"),
        ("utilisation:ed_visits_12m", f"{label}: 6 or more ED visits"),
    ]

    def listed(query: str) -> set[str]:
        html = client.get(f"/population/runs/{run.pk}/?{query}").content.decode()
        return {p for p, code in pseudo.items() if code in html}

    assert listed("criterion=utilisation:ed_visits_12m") == {"ed", "both"}
    assert listed("criterion=utilisation:nonobstetric_ip_admits_12m") == {"stay", "both"}
    assert listed("criterion=utilisation") == {"stay", "ed", "both"}  # not a choice: ignored
    body = client.get(f"/population/runs/{run.pk}/export.csv?criterion=utilisation:ed_visits_12m").content
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [r["pseudo_id"] for r in rows] == [pseudo["ed"], pseudo["both"]]
    assert rows[0]["criteria_met"] == "adult utilisation utilisation:ed_visits_12m"
    # A run recorded before alternatives were kept has criterion keys only: no choice to offer.
    for score in run.scores.all():
        score.criteria_met = [k for k in score.criteria_met if ":" not in k]
        score.save()
    html = client.get(f"/population/runs/{run.pk}/").content.decode()
    assert 'name="criterion"' not in html


def test_csv_export_is_audited(client: Client, scored: tuple[StratificationRun, Patient, Patient]) -> None:
    run = scored[0]
    client.force_login(make_user(Role.ANALYST))
    resp = client.get(f"/population/runs/{run.pk}/export.csv?flag=polypharmacy")
    body = resp.content.decode()
    assert resp["Content-Type"] == "text/csv"
    lines = body.strip().splitlines()
    assert lines[0].startswith("pseudo_id,rank") and len(lines) == 2
    assert "p1," not in body and "Zebulon" not in body
    event = AuditEvent.objects.get(action="export")
    assert event.resource_id == str(run.pk) and event.detail == "1 pseudonymous row(s)"


def test_nav_link_for_analyst(client: Client) -> None:
    client.force_login(make_user(Role.ANALYST))
    html = client.get("/").content.decode()
    assert 'href="/population/"' in html


def test_counts_have_thousands_separators(
    client: Client, scored: tuple[StratificationRun, Patient, Patient]
) -> None:
    """A payer's run scores a million people: "1000000 scored" is hard to read at a glance."""
    run, _, _ = scored
    StratificationRun.objects.filter(pk=run.pk).update(people_scored=1_234_567, eligible=12_345)
    client.force_login(make_user(Role.SUPERVISOR))
    soup = BeautifulSoup(client.get(f"/population/runs/{run.pk}/").content, "html.parser")
    counts = soup.find(attrs={"data-testid": "run-counts"}).get_text(" ", strip=True)  # type: ignore[union-attr]
    assert counts.startswith("1,234,567 scored · 12,345 eligible")
    listing = BeautifulSoup(client.get("/population/runs/").content, "html.parser").get_text(" ", strip=True)
    assert "1,234,567" in listing and "12,345" in listing
