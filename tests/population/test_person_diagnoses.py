"""`int_person_diagnoses`: one row per person and code, dated by the claim, HCC eligibility per line.

Hand-made claims whose lines disagree (dates, procedure codes, diagnosis lists) pin the rules that the
per-person aggregation must keep, since every diagnosis consumer reads this table instead of claim lines.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tandem.population.features import (
    build_features,
)
from tandem.population.load_tuva import load_directory

from .claims import professional, query_models, write_dataset

AS_OF = dt.date(2021, 6, 30)

MEDICAL = [
    # One claim, two lines on different days: one claim date (2021-03-01), so diabetes is on one date only.
    professional("c1", "2021-03-01", dx="E11.9", claim_line_start_date="2021-03-01", hcpcs_code="80053"),
    {
        **professional("c1", "2021-03-01", dx="E11.9", claim_line_start_date="2021-03-09"),
        "claim_line_number": "2",
        "hcpcs_code": "80053",
    },
    # Lines of one claim carrying different lists: both lists' codes count. Only line 2 has a face-to-face
    # code (99213), so only its list (I50.22) is HCC-eligible; line 1's lab code (80053) is not.
    professional("c2", "2021-04-01", dx="J44.9", hcpcs_code="80053"),
    {**professional("c2", "2021-04-01", dx="I50.22"), "claim_line_number": "2"},
    # Started before the 12-month window (2020-06-30, exclusive) with a line inside it: dated by the claim.
    {
        **professional("c3", "2020-06-20", dx="F32.9", claim_line_start_date="2020-07-05"),
        "claim_end_date": "2020-07-05",
    },
    # COPD again on another claim and date: two distinct dates for the chronic rule.
    professional("c4", "2021-05-01", dx="J44.9", hcpcs_code="80053"),
]


def _diagnoses(tmp_path: Path) -> dict[str, dict[str, Any]]:
    db = tmp_path / "store.duckdb"
    load_directory(write_dataset(tmp_path / "in", [{}], MEDICAL, []), db)
    (rows,) = query_models(
        db,
        AS_OF,
        "SELECT diagnosis_code, in_long_window, hcc_eligible, chronic_first_date, chronic_last_date, "
        "chronic_inpatient FROM int_person_diagnoses WHERE person_id = 'p1'",
    )
    names = ("in_long_window", "hcc_eligible", "first", "last", "inpatient")
    return {code: dict(zip(names, rest, strict=True)) for code, *rest in rows}


def test_one_row_per_code_with_claim_dates_and_line_level_hcc_eligibility(tmp_path: Path) -> None:
    dx = _diagnoses(tmp_path)
    assert set(dx) == {"E119", "J449", "I5022", "F329"}
    # Dated by the claim's start, not the later line date.
    assert (dx["E119"]["first"], dx["E119"]["last"]) == (dt.date(2021, 3, 1), dt.date(2021, 3, 1))
    assert (dx["J449"]["first"], dx["J449"]["last"]) == (dt.date(2021, 4, 1), dt.date(2021, 5, 1))
    # Eligible only where a line carrying the code has a face-to-face procedure code.
    assert dx["I5022"]["hcc_eligible"] is True
    assert dx["J449"]["hcc_eligible"] is False
    assert dx["E119"]["hcc_eligible"] is False
    # The claim started before the long window: not in it, though in the 24-month chronic window.
    assert dx["F329"]["in_long_window"] is False
    assert dx["F329"]["first"] == dt.date(2020, 6, 20)
    assert not any(d["inpatient"] for d in dx.values())


def test_features_read_the_person_codes(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    load_directory(write_dataset(tmp_path / "in", [{}], MEDICAL, []), db)
    row = build_features(AS_OF, db).to_pylist()[0]
    # COPD on two claim dates qualifies; diabetes on two line dates of one claim does not.
    assert row["chronic_condition_list"] == "chronic_obstructive_pulmonary_disease"
    assert row["chronic_conditions"] == 1
    # Only the eligible I50.22 reaches the HCC models (V28 HCC 226, heart failure).
    assert row["hcc_v28_list"] == "HCC226"
    # F32.9 lies outside the long window, so no behavioural-health flag.
    assert row["behavioral_health_flag"] is False
    # Charlson over the long window: CHF (I50) 2, chronic pulmonary (J44) 1, diabetes (E11.9) 0.
    assert row["charlson"] == 3


def test_suicidality_outside_chapter_f_is_behavioural_health(tmp_path: Path) -> None:
    """Suicidal ideation, a suicide attempt or nonsuicidal self-harm is often the only behavioural-health
    code a person's claims carry; R45.89 (other emotional state symptoms) is not one of them."""
    medical = [
        professional("c1", "2021-03-01", dx="R45.851"),
        {**professional("c2", "2021-03-01", dx="T14.91XA"), "person_id": "p2"},
        {**professional("c3", "2021-03-01", dx="R45.88"), "person_id": "p3"},
        {**professional("c4", "2021-03-01", dx="R45.89"), "person_id": "p4"},
    ]
    eligibility = [{"person_id": p, "member_id": f"m{p}"} for p in ("p1", "p2", "p3", "p4")]
    db = tmp_path / "store.duckdb"
    load_directory(write_dataset(tmp_path / "in", eligibility, medical, []), db)
    flags = {r["person_id"]: r["behavioral_health_flag"] for r in build_features(AS_OF, db).to_pylist()}
    assert flags == {"p1": True, "p2": True, "p3": True, "p4": False}
