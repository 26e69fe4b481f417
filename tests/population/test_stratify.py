"""Candidate rules on hand-made rows, and the stay/code facts computed from hand-made claims."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tandem.population.criteria_config import CRITERIA_DIR, load
from tandem.population.load_tuva import load_directory
from tandem.population.stratify import (
    SCORE_FIELDS,
    AppStatus,
    Population,
    PriorScore,
    counts,
    evaluate,
    load_population,
)

from .claims import inpatient, professional, write_dataset

AS_OF = dt.date(2021, 6, 30)
CAMDEN = load(CRITERIA_DIR / "camden.toml")
OREGON = load(CRITERIA_DIR / "careoregon.toml")


def person(person_id: str = "p1", **kw: Any) -> dict[str, Any]:
    """A Camden candidate unless a test changes something: index stay, a prior stay, 3 conditions, 2 flags."""
    row: dict[str, Any] = {
        "person_id": person_id,
        "age": 60,
        "ip_admits_6m": 2,
        "ip_admits_12m": 2,
        "ed_visits_12m": 1,
        "outpatient_visits_12m": 2,
        "active_meds": 6,
        "chronic_conditions": 3,
        "hcc_v28_normalized": 1.5,
        "index_admit_date": dt.date(2021, 6, 20),
        "prior_admissions_before_index": 1,
        "nonobstetric_ip_admits_12m": 2,
        "acsc_admits_12m": 0,
        "behavioral_health_flag": True,
        "sud_flag": False,
    }
    row.update(kw)
    return row


def one(row: dict[str, Any], criteria: Any = CAMDEN, **kw: Any) -> Any:
    return evaluate([row], criteria, as_of=AS_OF, **kw)[0]


def test_reference_person_is_a_candidate() -> None:
    a = one(person())
    assert a.eligible and a.is_candidate and a.rank == 1
    assert a.criteria_met == ["index_admission", "prior_admission", "chronic_conditions", "complexity"]
    assert a.complexity == ["medications", "mental_health"]


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"index_admit_date": None}, "index_admission"),
        ({"prior_admissions_before_index": 0}, "prior_admission"),
        ({"chronic_conditions": 1}, "chronic_conditions"),
        ({"active_meds": 4}, "complexity"),  # only the mental-health flag left
    ],
)
def test_each_camden_criterion(change: dict[str, Any], missing: str) -> None:
    a = one(person(**change))
    assert missing not in a.criteria_met
    assert not a.eligible and a.rank is None and not a.is_candidate


@pytest.mark.parametrize(
    ("change", "flag"),
    [
        ({"outpatient_visits_12m": 0}, "access"),
        ({"ed_visits_12m": 3}, "access"),
        ({"social_support_dx": True}, "social_support"),
        ({"sud_flag": True}, "drug_use"),
        ({"homelessness_dx": True}, "homelessness"),
    ],
)
def test_each_complexity_flag_counts(change: dict[str, Any], flag: str) -> None:
    a = one(person(active_meds=0, **change))  # mental health + this one = 2
    assert set(a.complexity) == {"mental_health", flag}
    assert "complexity" in a.criteria_met


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"age": 17}, AppStatus(), "under_age"),
        ({"hospice": True}, AppStatus(), "hospice"),
        ({"long_term_institutional": True}, AppStatus(), "long_term_institutional"),
        ({}, AppStatus(enrolled=True), "already_enrolled"),
        ({}, AppStatus(declined_pending=True), "declined_reapproach_pending"),
    ],
)
def test_each_exclusion(change: dict[str, Any], status: AppStatus, reason: str) -> None:
    a = one(person(**change), app_status={"p1": status})
    assert a.eligible and a.exclusions == [reason]
    assert a.rank is None and not a.is_candidate


def test_careoregon_or_rule() -> None:
    by_ed = one(person(nonobstetric_ip_admits_12m=0, ed_visits_12m=6), OREGON)
    obstetric_only = one(person(nonobstetric_ip_admits_12m=0, ed_visits_12m=5), OREGON)
    both = one(person(ed_visits_12m=9), OREGON)
    assert by_ed.eligible and not obstetric_only.eligible and both.eligible
    assert obstetric_only.criteria_met == ["adult"]
    # Which alternative each person met is kept: the run page filters on it.
    assert by_ed.criteria_met == ["adult", "utilisation", "utilisation:ed_visits_12m"]
    assert both.criteria_met == [
        "adult",
        "utilisation",
        "utilisation:nonobstetric_ip_admits_12m",
        "utilisation:ed_visits_12m",
    ]


def test_capacity_and_ranking() -> None:
    people = [person(f"p{i}", hcc_v28_normalized=float(i)) for i in range(1, 61)]
    results = evaluate(people, CAMDEN, as_of=AS_OF)
    ranked = sorted((a for a in results if a.rank), key=lambda a: a.rank)
    assert [a.person_id for a in ranked[:2]] == ["p60", "p59"]
    assert sum(a.is_candidate for a in results) == CAMDEN.capacity == 50
    assert ranked[50].rank == 51 and not ranked[50].is_candidate
    c = counts(results)
    assert (c["eligible"], c["candidates"], c["over_capacity"]) == (60, 50, 10)


def test_weighted_score() -> None:
    a = one(person(hcc_v28_normalized=2.0, ip_admits_12m=4, ed_visits_12m=10), OREGON)
    assert a.score == pytest.approx(2.0 + 0.5 * 4 + 0.1 * 10)


def test_modifiable_flags() -> None:
    a = one(
        person(
            active_meds=12, heart_failure_dx=True, ip_admits_12m=2, social_needs_flag=True, acsc_admits_12m=1
        )
    )
    assert a.flags == [
        "uncontrolled_chronic_disease",
        "polypharmacy",
        "behavioral_health",
        "social_needs",
        "ambulatory_care_sensitive_admission",
    ]
    assert one(person(heart_failure_dx=True, ip_admits_12m=1)).flags == ["behavioral_health"]
    assert "uncontrolled_chronic_disease" in one(person(uncontrolled_dx=True)).flags


def test_reason_text() -> None:
    a = one(
        person(
            ip_admits_6m=3,
            chronic_conditions=6,
            active_meds=14,
            behavioral_health_flag=False,
            social_needs_codes="Z5981",
        )
    )
    assert a.reason == "3 admissions in 6 months; 6 chronic conditions; 14 medications; housing instability"
    assert one(
        person(ip_admits_6m=1, chronic_conditions=0, active_meds=0, behavioral_health_flag=False)
    ).reason == ("1 admission in 6 months")


def test_self_harm_is_named_in_the_reason() -> None:
    """Self-harm or suicidal ideation is the behavioural-health fact a care manager triages on first, so the
    reason names it instead of the general "mental-health condition"."""
    base = {"ip_admits_6m": 1, "chronic_conditions": 0, "active_meds": 0}
    assert one(person(**base)).reason == "1 admission in 6 months; mental-health condition"
    harmed = one(person(**base, self_harm_flag=True))
    assert harmed.reason == "1 admission in 6 months; self-harm or suicidal ideation"


def test_rising_risk_reason_and_threshold() -> None:
    prev = {"p1": PriorScore(hcc=1.1, as_of=dt.date(2021, 3, 31))}
    a = one(person(hcc_v28_normalized=2.3), previous=prev)
    assert "rising_risk" in a.flags
    assert a.reason.endswith("HCC up from 1.1 to 2.3 since March")
    small = one(person(hcc_v28_normalized=1.5), previous=prev)
    assert "rising_risk" not in small.flags and "HCC up" not in small.reason
    last_year = one(person(hcc_v28_normalized=2.3), previous={"p1": PriorScore(1.1, dt.date(2020, 9, 30))})
    assert last_year.reason.endswith("since September 2020")


def test_facts_from_claims(tmp_path: Path) -> None:
    """Index and prior stays, obstetric and ACSC stays, hospice, social and homelessness codes from claims."""
    medical = [
        inpatient("idx", "2021-06-20", "2021-06-24", dx="I50.22"),  # index (within 30 days), HF is PQI 08
        inpatient("pri", "2021-02-01", "2021-02-03", dx="E11.65"),  # prior: 139 days before the index
        inpatient("old", "2020-11-01", "2020-11-03", dx="I10"),  # 7+ months before the index: not prior
        professional("z1", "2021-05-01", dx="Z59.01", diagnosis_code_2="Z60.2"),
        inpatient("ob", "2021-04-01", "2021-04-03", dx="O80", person_id="p2"),
        {**professional("h1", "2021-06-01", dx="C34.90", person_id="p2"), "place_of_service_code": "34"},
        inpatient("la", "2021-05-01", "2021-05-03", dx="J18.9", person_id="p3"),  # no index stay
    ]
    eligibility = [{}, {"person_id": "p2", "member_id": "p2"}, {"person_id": "p3", "member_id": "p3",
                   "long_term_institutional_flag": "1"}]  # fmt: skip
    write_dataset(tmp_path / "in", eligibility=eligibility, medical=medical)
    load_directory(tmp_path / "in", tmp_path / "a.duckdb")
    pop = load_population(AS_OF, CAMDEN, tmp_path / "a.duckdb")
    rows = {p["person_id"]: p for p in pop.people}
    p1, p2, p3 = rows["p1"], rows["p2"], rows["p3"]
    assert p1["index_admit_date"] == dt.date(2021, 6, 20)
    assert p1["prior_admissions_before_index"] == 1
    assert p1["acsc_admits_12m"] == 3 and p1["nonobstetric_ip_admits_12m"] == 3
    assert p1["uncontrolled_dx"] and p1["heart_failure_dx"]
    assert p1["social_support_dx"] and p1["homelessness_dx"]
    assert not p1["hospice"] and not p1["long_term_institutional"]
    assert p2["nonobstetric_ip_admits_12m"] == 0 and p2["hospice"] and p2["index_admit_date"] is None
    assert p3["index_admit_date"] is None and p3["long_term_institutional"] and p3["acsc_admits_12m"] == 1
    assert pop.inputs == {"eligibility": 3, "medical_claim": 7, "pharmacy_claim": 0}


def test_slim_evaluation_keeps_full_rows_for_eligible_people_only() -> None:
    people = [person("p1"), person("p2", chronic_conditions=1, sex="female", paid_12m=10.0)]
    full = evaluate([dict(p) for p in people], CAMDEN, as_of=AS_OF)
    slim = evaluate(iter([dict(p) for p in people]), CAMDEN, as_of=AS_OF, slim=True)
    assert [(a.person_id, a.eligible, a.score, a.reason, a.flags) for a in slim] == [
        (a.person_id, a.eligible, a.score, a.reason, a.flags) for a in full
    ]
    assert slim[0].row == people[0]  # eligible: the whole row, for the candidate list
    assert set(slim[1].row) == set(SCORE_FIELDS)  # not eligible: what its stored score reads
    assert slim[1].row["chronic_conditions"] == 1 and "paid_12m" not in slim[1].row


def test_population_from_a_table_reads_in_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow as pa

    import tandem.population.stratify as stratify

    monkeypatch.setattr(stratify, "ROW_BATCH", 3)
    rows = [{"person_id": f"p{i}", "age": 40 + i} for i in range(8)]
    pop = Population(table=pa.Table.from_pylist(rows), inputs={"eligibility": 8})
    assert len(pop) == 8 and pop.person_ids() == [f"p{i}" for i in range(8)]
    assert list(pop.rows()) == rows
    assert pop.people == rows and Population(people=rows).person_ids() == pop.person_ids()
