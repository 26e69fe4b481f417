"""Runs recorded in the app database: counts, scores for everyone, the queue, trajectory across runs."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.core.models import AuditEvent
from tandem.patients.models import IdentifierSystem, Patient, PatientIdentifier
from tandem.population.criteria_config import CRITERIA_DIR, load
from tandem.population.load_tuva import load_directory
from tandem.population.models import RiskScore, StratificationRun
from tandem.population.runs import (
    patients_by_person_id,
    person_pseudo_id,
    person_pseudo_ids,
    previous_scores,
    record_run,
    score_columns,
    trajectory,
)
from tandem.population.stratify import AppStatus, Assessment, Population, evaluate
from tandem.programs.models import Episode, EpisodeStatus
from tests.builders import make_episode, make_patient, make_program, make_team, make_user

from .claims import inpatient, professional, write_dataset
from .test_stratify import person
from .test_stratify_table import SCHEMA, population

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2021, 6, 30)
CAMDEN = load(CRITERIA_DIR / "camden.toml")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A run writes its score snapshot beside the analytics store it names ("x.duckdb" here): keep it in tmp.
    monkeypatch.chdir(tmp_path)


def link(patient: Patient, person_id: str) -> Patient:
    PatientIdentifier.objects.create(
        patient=patient, system=IdentifierSystem.CLAIMS_PERSON_ID, value=person_id
    )
    return patient


def run(people: list[dict[str, Any]], as_of: dt.date = AS_OF, **kw: Any) -> StratificationRun:
    pop = Population(people=people, inputs={"eligibility": len(people)})
    return record_run(pop, CAMDEN, as_of=as_of, db_path="x.duckdb", started_at=timezone.now(), **kw).run


def test_run_records_counts_criteria_and_every_score() -> None:
    user = make_user(Role.ANALYST)
    r = run([person("p1"), person("p2", age=16), person("p3", chronic_conditions=0)], user=user)
    assert r.finished_at is not None and r.run_by == user
    assert (r.people_scored, r.eligible, r.excluded, r.candidates) == (3, 2, 1, 1)
    assert r.excluded_by_reason == {"under_age": 1}
    assert r.criteria_text == CAMDEN.text and r.criteria_sha256 == CAMDEN.sha256
    assert r.inputs["tables"] == {"eligibility": 3}
    assert r.not_in_app == 1  # p1 is a candidate with no patient record
    # Rows in the app database for the eligible (p1 ranked, p2 excluded); p3 is neither eligible nor a
    # patient, so only the run's snapshot holds their scores.
    scores = {s.person_id: s for s in RiskScore.objects.filter(run=r)}
    assert set(scores) == {"p1", "p2"}
    assert scores["p1"].is_candidate and scores["p1"].rank == 1 and scores["p1"].pseudo_id.startswith("X")
    assert scores["p2"].exclusions == ["under_age"]
    assert "p1" not in scores["p1"].pseudo_id
    snapshot = {row["person_id"]: row for row in pq.read_table(r.scores_file).to_pylist()}
    assert Path(r.scores_file) == Path("x.duckdb.runs").resolve() / f"run-{r.pk}.parquet"
    assert set(snapshot) == {"p1", "p2", "p3"}
    assert snapshot["p3"]["criteria_met"][-1] == "complexity" and not snapshot["p3"]["eligible"]
    assert snapshot["p1"]["rank"] == 1 and snapshot["p2"]["exclusions"] == ["under_age"]
    assert r.summary["members"] == 3
    assert (
        AuditEvent.objects.filter(action="create", resource_type="population.StratificationRun").count() == 1
    )


def test_to_queue_is_idempotent_and_skips_enrolled() -> None:
    program = make_program()
    cm = make_user(Role.CARE_MANAGER)
    new = link(make_patient(), "p1")
    enrolled = link(make_patient(), "p2")
    outreach = link(make_patient(), "p3")
    make_episode(enrolled, status=EpisodeStatus.ENROLLED, care_manager=cm, program=program)
    make_episode(outreach, status=EpisodeStatus.OUTREACH, program=program)
    people = [person(p) for p in ("p1", "p2", "p3", "p4")]
    first = run(people, to_queue=True)
    assert (first.queued, first.skipped_open_episode, first.not_in_app) == (1, 1, 1)
    assert first.excluded_by_reason == {"already_enrolled": 1}
    episode = Episode.objects.get(patient=new)
    assert (
        episode.status == EpisodeStatus.CANDIDATE
        and episode.referral_source == f"stratification run {first.pk}"
    )
    second = run(people, to_queue=True)
    assert (second.queued, second.skipped_open_episode) == (0, 2)
    assert Episode.objects.filter(patient=new).count() == 1
    assert Episode.objects.filter(patient=enrolled).count() == 1


def test_declined_with_future_reapproach_is_excluded() -> None:
    program = make_program()
    p = link(make_patient(), "p1")
    ep = make_episode(p, program=program)
    Episode.objects.filter(pk=ep.pk).update(
        status=EpisodeStatus.DECLINED, reapproach_on=timezone.localdate() + dt.timedelta(days=10)
    )
    r = run([person("p1")], to_queue=True)
    assert r.excluded_by_reason == {"declined_reapproach_pending": 1} and r.queued == 0
    Episode.objects.filter(pk=ep.pk).update(reapproach_on=timezone.localdate() - dt.timedelta(days=1))
    assert run([person("p1")]).excluded == 0


def test_queue_needs_a_program_when_several_exist() -> None:
    make_program("One")
    make_program("Two")
    from tandem.core.errors import DomainError

    with pytest.raises(DomainError, match="Name the program"):
        run([person("p1")], to_queue=True)
    assert not StratificationRun.objects.exists()


def test_trajectory_and_rising_risk_across_runs(client: Client) -> None:
    p = link(make_patient(team=make_team()), "p1")
    run([person("p1", hcc_v28_normalized=1.1)], as_of=dt.date(2021, 3, 31))
    second = run([person("p1", hcc_v28_normalized=2.3)], as_of=AS_OF)
    score = RiskScore.objects.get(run=second, person_id="p1")
    assert "rising_risk" in score.flags and score.reason.endswith("HCC up from 1.1 to 2.3 since March")
    assert score.patient == p
    points = trajectory(p)
    assert [pt["hcc"] for pt in points] == [1.1, 2.3]
    supervisor = p.care_team.supervisor  # type: ignore[union-attr]
    client.force_login(supervisor)
    html = client.get(f"/patients/{p.public_id}/").content.decode()
    assert 'data-testid="risk-card"' in html and "HCC up from 1.1 to 2.3 since March" in html
    assert "CMS-HCC V28 score across runs" in html


def test_command_end_to_end(tmp_path: Path) -> None:
    medical = [
        inpatient("idx", "2021-06-20", "2021-06-24", dx="I50.22"),
        inpatient("pri", "2021-03-01", "2021-03-03", dx="J44.1"),
        professional("a", "2021-04-01", dx="I50.22", diagnosis_code_2="F32.9", diagnosis_code_3="Z59.01"),
        professional("b", "2021-05-01", dx="J44.9"),
    ]
    write_dataset(tmp_path / "in", medical=medical)
    db = tmp_path / "a.duckdb"
    load_directory(tmp_path / "in", db)
    link(make_patient(), "p1")
    make_program()
    make_user(Role.ANALYST, username="ana")
    out = tmp_path / "c.csv"
    args = ["population", "stratify", "--as-of", "2021-06-30", "--db", str(db), "--out", str(out)]
    call_command(*args, "--to-queue", "--user", "ana")
    rows = list(csv.DictReader(out.open()))
    assert [r["person_id"] for r in rows] == ["p1"] and rows[0]["rank"] == "1"
    assert rows[0]["reason"].startswith("2 admissions in 6 months; 2 chronic conditions")
    assert "homelessness" in rows[0]["reason"]
    r = StratificationRun.objects.get()
    assert r.run_by.username == "ana" and r.queued == 1  # type: ignore[union-attr]
    call_command(*args, "--to-queue")
    assert Episode.objects.count() == 1
    assert StratificationRun.objects.order_by("-id").first().skipped_open_episode == 1  # type: ignore[union-attr]
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n')
    with pytest.raises(CommandError, match="title"):
        call_command(*args, "--criteria", str(bad))


def stored(a: Assessment, patient: Patient | None) -> dict[str, Any]:
    """What a RiskScore held for an assessment when each was built from its row (the earlier ORM path)."""
    r = a.row

    def opt_int(name: str) -> int | None:
        v = r.get(name)
        return int(v) if v is not None else None

    return {
        "person_id": a.person_id,
        "pseudo_id": person_pseudo_id(a.person_id),
        "patient_id": patient.pk if patient else None,
        "rank": a.rank,
        "score": a.score,
        "age": opt_int("age") if (r.get("age") or 0) >= 0 else None,
        "hcc_v28_normalized": r.get("hcc_v28_normalized"),
        "hcc_v24_raw": r.get("hcc_v24_raw"),
        "charlson": opt_int("charlson"),
        "lace_latest": opt_int("lace_latest"),
        "ip_admits_12m": int(r.get("ip_admits_12m") or 0),
        "ed_visits_12m": int(r.get("ed_visits_12m") or 0),
        "allowed_12m": float(r.get("allowed_12m") or 0),
        "chronic_conditions": int(r.get("chronic_conditions") or 0),
        "active_meds": int(r.get("active_meds") or 0),
        "reason": a.reason,
        "criteria_met": a.criteria_met,
        "flags": a.flags,
        "exclusions": a.exclusions,
        "is_eligible": a.eligible,
        "is_candidate": a.is_candidate,
    }


def test_table_and_rows_store_the_same_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Everyone's stored score, from the Arrow columns (COPY on PostgreSQL), in batches, equals the
    row-by-row result; and the run from the table path and from row dicts are the same."""
    monkeypatch.setattr("tandem.population.runs.SCORE_BATCH", 97)
    people = population(700, seed=21)
    table = pa.Table.from_pylist(people, schema=SCHEMA)
    rows = list(Population(table=table).rows())
    program = make_program()
    patients = {p["person_id"]: link(make_patient(), p["person_id"]) for p in people[::9]}
    enrolled = list(patients)[::4]
    for person_id in enrolled:
        make_episode(
            patients[person_id], status=EpisodeStatus.ENROLLED, care_manager=make_user(), program=program
        )
    # A run a quarter earlier, with lower scores for some, so rising risk shows.
    earlier = [{**p, "hcc_v28_normalized": (p["hcc_v28_normalized"] or 0.0) - 0.6 * (i % 3)}
               for i, p in enumerate(people)]  # fmt: skip
    run(earlier, as_of=dt.date(2021, 3, 31))
    from_rows = run(rows)
    from_table = record_run(
        Population(table=table, inputs={"eligibility": len(people)}), CAMDEN, as_of=AS_OF, db_path="x.duckdb",
        started_at=timezone.now(),
    )  # fmt: skip
    fields = [f.attname for f in RiskScore._meta.concrete_fields if f.attname not in ("id", "run_id")]
    for r in (from_rows, from_table.run):
        r.refresh_from_db()
    assert from_table.run.excluded_by_reason == from_rows.excluded_by_reason
    assert from_table.run.excluded_by_reason["already_enrolled"] > 0
    counted = ("people_scored", "eligible", "excluded", "candidates", "over_capacity", "not_in_app")
    assert [getattr(from_table.run, k) for k in counted] == [getattr(from_rows, k) for k in counted]
    got = {s["person_id"]: s for s in RiskScore.objects.filter(run=from_table.run).values(*fields)}
    assert got == {s["person_id"]: s for s in RiskScore.objects.filter(run=from_rows).values(*fields)}
    # ... and each is what the row-by-row build of a RiskScore stored.
    status = {person_id: AppStatus(enrolled=True) for person_id in enrolled}
    reference = evaluate(rows, CAMDEN, as_of=AS_OF, previous=previous_scores(AS_OF), app_status=status)
    assert any("rising_risk" in a.flags for a in reference)
    kept = {a.person_id: stored(a, patients.get(a.person_id)) for a in reference}
    # Rows for the eligible and for people with a patient record; everyone in the snapshot.
    assert {k: v for k, v in kept.items() if v["is_eligible"] or k in patients} == got
    assert 0 < len(got) < len(people)
    snapshot = pq.read_table(from_table.run.scores_file)
    assert snapshot.column("person_id").to_pylist() == [a.person_id for a in reference]
    assert snapshot.column("hcc_v28_normalized").to_pylist() == [
        a.row.get("hcc_v28_normalized") for a in reference
    ]
    assert snapshot.column("reason").to_pylist() == [a.reason for a in reference]


def test_score_columns_cover_the_model() -> None:
    result = record_run(
        Population(table=pa.Table.from_pylist([person("p1")])), CAMDEN, as_of=AS_OF, db_path="x",
        started_at=timezone.now(),
    )  # fmt: skip
    columns = score_columns(result.run, result.evaluation.scores, {})
    assert set(columns) == {f.name for f in RiskScore._meta.concrete_fields if not f.primary_key}


def test_patients_found_with_one_query_or_in_chunks() -> None:
    linked = {pid: link(make_patient(), pid) for pid in ("p1", "p2", "p3")}
    assert patients_by_person_id(["p1", "p2", "p3", "p4", "p5"]) == linked  # reads the app's links once
    assert patients_by_person_id(["p2", "p9"]) == {"p2": linked["p2"]}  # more links than people: by id


def test_pseudo_ids_in_bulk_match_one_by_one() -> None:
    ids = ["p1", "12345", "ünïcode", ""]
    assert person_pseudo_ids(ids) == [person_pseudo_id(i) for i in ids]


def test_a_failure_after_the_scores_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    program = make_program()
    link(make_patient(), "p1")
    people = [person("p1"), person("p2", age=16)]

    def fail(**kw: Any) -> None:
        raise RuntimeError("queue down")

    monkeypatch.setattr("tandem.population.runs.open_episode", fail)
    with pytest.raises(RuntimeError):
        record_run(
            Population(table=pa.Table.from_pylist(people)), CAMDEN, as_of=AS_OF, db_path="x",
            started_at=timezone.now(), to_queue=True, program_slug=program.slug,
        )  # fmt: skip
    assert not StratificationRun.objects.exists() and not RiskScore.objects.exists()
    assert not list(Path.cwd().rglob("*.parquet*"))  # the snapshot written before the failure is gone


def test_people_who_are_not_eligible_keep_a_row_when_they_are_patients() -> None:
    patient = link(make_patient(), "p3")
    r = run([person("p1"), person("p3", chronic_conditions=0), person("p4", chronic_conditions=0)])
    stored_ids = set(RiskScore.objects.filter(run=r).values_list("person_id", flat=True))
    assert stored_ids == {"p1", "p3"}  # p4: snapshot only
    assert RiskScore.objects.get(run=r, person_id="p3").patient == patient


def test_rising_risk_reads_everyone_from_the_previous_snapshot() -> None:
    # In March p5 was not eligible (no row in the app database); by June their HCC has risen.
    march = run(
        [person("p1"), person("p5", chronic_conditions=0, hcc_v28_normalized=1.1)], as_of=dt.date(2021, 3, 31)
    )
    assert not RiskScore.objects.filter(run=march, person_id="p5").exists()
    prior = previous_scores(AS_OF)
    assert prior["p5"].hcc == 1.1 and len(prior) == 2
    june = run([person("p5", hcc_v28_normalized=2.3)])
    score = RiskScore.objects.get(run=june, person_id="p5")
    assert score.reason.endswith("HCC up from 1.1 to 2.3 since March")
    # Without its snapshot, the March run can only offer its rows: p5 has none, so no rising risk.
    Path(march.scores_file).unlink()
    assert set(previous_scores(AS_OF)) == {"p1"}


def test_trajectory_reads_runs_from_before_the_patient_was_linked() -> None:
    run([person("p7", chronic_conditions=0, hcc_v28_normalized=0.9)], as_of=dt.date(2021, 3, 31))
    run([person("p7", hcc_v28_normalized=1.7)])
    assert not RiskScore.objects.filter(person_id="p7", run__as_of=dt.date(2021, 3, 31)).exists()
    patient = link(make_patient(), "p7")  # linked after both runs
    points = trajectory(patient)
    assert [(p["as_of"], p["hcc"]) for p in points] == [(dt.date(2021, 3, 31), 0.9), (AS_OF, 1.7)]
    assert points[0]["rank"] is None and points[1]["rank"] == 1 and points[1]["is_candidate"]


def test_the_summary_is_what_everyone_s_rows_would_give() -> None:
    from tandem.population import charts

    people = population(300, seed=5)
    result = record_run(
        Population(table=pa.Table.from_pylist(people, schema=SCHEMA)), CAMDEN, as_of=AS_OF,
        db_path="x.duckdb", started_at=timezone.now(),
    )  # fmt: skip
    rows = pq.read_table(result.run.scores_file).to_pylist()
    expected = charts.overview_summary(
        [r["allowed_12m"] or 0.0 for r in rows],
        [r["ip_admits_12m"] or 0 for r in rows],
        [r["ed_visits_12m"] or 0 for r in rows],
        [r["hcc_v28_normalized"] for r in rows if r["hcc_v28_normalized"] is not None],
    )
    result.run.refresh_from_db()
    assert result.run.summary == json.loads(json.dumps(expected))
    assert result.run.summary["members"] == 300
    assert sum(count for _, count in result.run.summary["admissions"]) == 300
