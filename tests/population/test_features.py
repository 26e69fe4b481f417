"""Feature models on hand-made claims (Tuva-style unit test: input rows in, expected rows out)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.csv as pacsv
import pytest
from django.core.management import call_command

from tandem.population import hcc
from tandem.population.features import LEADING_COLUMNS, build_features, open_session
from tandem.population.load_tuva import load_directory
from tandem.population.management.commands.population import Command

from .claims import inpatient, professional, write_dataset

AS_OF = dt.date(2021, 6, 30)


def _ed(claim_id: str, date: str, **extra: Any) -> dict[str, Any]:
    return professional(claim_id, date, dx="R07.9", place_of_service_code="23", **extra)


MEDICAL = [
    # Stay A: emergent (admit type 1), 5 days counting both ends.
    inpatient("ipA", "2021-01-10", "2021-01-14", dx="I50.22", admit_type_code="1", allowed_amount="5000"),
    # Stay B: a transfer billed as two claims that touch on 2021-02-05 -> one stay, 20 days, a readmission.
    inpatient("ipB1", "2021-02-01", "2021-02-05", dx="J44.9", admit_type_code="2", allowed_amount="3000"),
    inpatient("ipB2", "2021-02-05", "2021-02-20", dx="J44.9", admit_type_code="2", allowed_amount="4000"),
    # ED: POS 23 and an outpatient-facility ED revenue line on the same day collapse to one visit.
    _ed("ed1", "2020-12-01", allowed_amount="200"),
    {
        **professional("ed1f", "2020-12-01", dx="R07.9"),
        "claim_type": "institutional",
        "bill_type_code": "131",
        "revenue_center_code": "0450",
        "place_of_service_code": "",
        "hcpcs_code": "",
        "allowed_amount": "300",
    },
    _ed("ed2", "2021-01-10", hcpcs_code="99285"),  # the visit that led to stay A
    {**professional("ed3", "2021-05-20", dx="R07.9", hcpcs_code="99284"), "place_of_service_code": "22"},
    # Office visits: diabetes on two different days qualifies as a CCW chronic condition.
    professional("op1", "2021-03-01", dx="E11.9", allowed_amount="100", paid_amount="80"),
    professional("op2", "2021-04-01", dx="E11.9", allowed_amount="100"),
    professional("op3", "2021-04-15", dx="Z59.0", diagnosis_code_2="F10.20", diagnosis_code_3="F32.9"),
    # Outside the 12-month window: neither counted nor costed.
    inpatient("old", "2020-05-01", "2020-05-03", dx="I50.22", allowed_amount="1000"),
]

PHARMACY = [
    {
        "claim_id": "r1",
        "dispensing_date": "2021-06-01",
        "ndc_code": "11111111111",
        "days_supply": "30",
        "allowed_amount": "10",
        "paid_amount": "5",
        "prescribing_provider_npi": "1",
    },
    {
        "claim_id": "r2",
        "dispensing_date": "2021-05-01",
        "ndc_code": "11111111111",
        "days_supply": "30",
        "allowed_amount": "10",
        "paid_amount": "5",
        "prescribing_provider_npi": "1",
    },
    {
        "claim_id": "r3",
        "dispensing_date": "2021-01-01",
        "ndc_code": "22222222222",
        "days_supply": "365",
        "allowed_amount": "10",
        "paid_amount": "5",
        "prescribing_provider_npi": "2",
    },
    {
        "claim_id": "r4",
        "dispensing_date": "2021-01-01",
        "ndc_code": "33333333333",
        "days_supply": "30",
        "allowed_amount": "10",
        "paid_amount": "5",
        "prescribing_provider_npi": "2",
    },
]

ELIGIBILITY = [
    {},
    {
        "person_id": "p2",
        "member_id": "p2",
        "gender": "male",
        "birth_date": "1960-07-01",
        "original_reason_entitlement_code": "1",
    },
]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "store.duckdb"
    load_directory(write_dataset(tmp_path / "in", ELIGIBILITY, MEDICAL, PHARMACY), db)
    return db


@pytest.fixture
def session(store: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = open_session(store)
    yield con
    con.close()


def _rows(store: Path, **kwargs: Any) -> dict[str, dict[str, Any]]:
    table = build_features(AS_OF, store, **kwargs)
    return {row["person_id"]: row for row in table.to_pylist()}


def test_leading_columns_in_order(store: Path) -> None:
    table = build_features(AS_OF, store)
    assert table.column_names[: len(LEADING_COLUMNS)] == LEADING_COLUMNS
    assert table.num_rows == 2


def test_person_with_claims(store: Path) -> None:
    p1 = _rows(store)["p1"]
    expected = {
        "age": 71,
        "sex": "female",
        "ip_admits_6m": 2,
        "ip_admits_12m": 2,
        "ed_visits_6m": 2,  # 2021-01-10 and 2021-05-20; 2020-12-01 falls in the 12-month window only
        "ed_visits_12m": 3,
        "readmits_30d_12m": 1,
        "allowed_12m": 5000 + 3000 + 4000 + 200 + 300 + 100 + 100 + 40,
        "paid_12m": 80 + 20,
        "active_meds": 2,  # NDC 1 (filled twice, counted once) and NDC 2 (365-day supply covers the date)
        "chronic_conditions": 3,
        "charlson": 3,  # CHF 2 + chronic pulmonary 1 + uncomplicated diabetes 0
        "lace_latest": 11,  # stay B: L 7 (20 days) + A 0 + C 2 (CHF, COPD; 1987 weights) + E 2
        "outpatient_visits_12m": 3,
        "distinct_prescribers_12m": 2,
        "behavioral_health_flag": True,
        "sud_flag": True,
        "social_needs_flag": True,
        "housing_or_economic_flag": True,
        "social_needs_codes": "Z590",
        "chronic_condition_list": "chronic_obstructive_pulmonary_disease diabetes "
        "heart_failure_and_non_ischemic_heart_disease",
        "p_top5_cost": None,
        "p_admit_6m": None,
    }
    assert {k: p1[k] for k in expected} == expected


def test_person_without_claims(store: Path) -> None:
    p2 = _rows(store)["p2"]
    assert (p2["age"], p2["ip_admits_12m"], p2["ed_visits_12m"], p2["charlson"]) == (60, 0, 0, 0)
    assert p2["lace_latest"] is None
    # CMS-HCC V28, community non-dual disabled, male 60-64, no HCCs: demographic factor only.
    assert p2["hcc_v28_raw"] == pytest.approx(0.345)
    assert p2["hcc_v28_normalized"] == pytest.approx(round(0.345 / 1.015, 3))


def test_lace_for_each_stay(store: Path, session: duckdb.DuckDBPyConnection) -> None:
    build_features(AS_OF, con=session)
    rows = session.execute(
        "SELECT admit_date, length_of_stay, l_points, a_points, c_points, e_points, lace "
        "FROM int_lace ORDER BY admit_date"
    ).fetchall()
    assert rows == [
        (dt.date(2020, 5, 1), 3, 3, 0, 1, 0, 4),
        (dt.date(2021, 1, 10), 5, 4, 3, 1, 1, 9),  # ED on the admission day is the index visit, not counted
        (dt.date(2021, 2, 1), 20, 7, 0, 2, 2, 11),
    ]


def test_hcc_scores_use_eligible_claims_in_window(store: Path) -> None:
    p1 = _rows(store)["p1"]
    # Eligible: both inpatient stays and the office visits (CPT 99213); not the ED claims' R07.9 (no
    # HCC anyway) and not the 2020-05-01 stay, which is outside the 12-month window.
    codes = ["I5022", "J449", "E119", "Z590", "F1020", "F329"]
    demo = hcc.Demographics(age=71, sex="female", orec="0")
    v28 = hcc.score("CMS-HCC-V28", codes, demo)
    v24 = hcc.score("CMS-HCC-V24", codes, demo)
    assert p1["hcc_v28_list"] == " ".join(f"HCC{h}" for h in v28.hccs)
    assert {"HCC38", "HCC226", "HCC280"} <= set(p1["hcc_v28_list"].split())
    assert p1["hcc_v28_raw"] == pytest.approx(v28.raw)
    assert p1["hcc_v24_raw"] == pytest.approx(v24.raw)
    # V28 aged female 70-74 0.395 + HCC38 0.166 + HCC226 0.360 + HCC280 0.319 + DIABETES_HF 0.112
    # + HF_CHR_LUNG 0.078, plus whatever the F-codes add.
    assert v28.raw >= 1.430


def test_lookback_option_renames_windows(store: Path) -> None:
    table = build_features(AS_OF, store, lookback_months=(3, 24))
    assert "ip_admits_3m" in table.column_names and "allowed_24m" in table.column_names
    row = {r["person_id"]: r for r in table.to_pylist()}["p1"]
    assert row["ip_admits_24m"] == 3 and row["ip_admits_3m"] == 0


def test_command_writes_csv(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "features.csv"
    call_command(Command(), "features", "--as-of", "2021-06-30", "--db", str(store), "--out", str(out))
    table = pacsv.read_csv(out)
    assert table.column_names[:3] == ["person_id", "age", "sex"]
    assert table.num_rows == 2
    assert os.path.getsize(out) > 0
