"""`readmits_30d_12m` leaves out planned readmissions (CMS Planned Readmission Algorithm v4.0: an
always-planned procedure; a principal diagnosis in CCS 45 maintenance chemotherapy or CCS 254 rehabilitation;
a potentially planned procedure without an acute principal diagnosis).

One person per case, each with an index stay and a later stay; the expected counts are worked out by hand
from the dates and the principal diagnoses below.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tandem.population.features import (
    DATA_DIR,
    build_features,
)
from tandem.population.load_tuva import load_directory

from .claims import inpatient, query_models, write_dataset

AS_OF = dt.date(2021, 6, 30)
HEART_FAILURE = "I50.23"  # acute on chronic systolic heart failure: CCS 108, not planned


def _stay(person: str, claim_id: str, admit: str, discharge: str, dx: str, **extra: Any) -> dict[str, Any]:
    return inpatient(f"{person}-{claim_id}", admit, discharge, dx=dx, person_id=person, **extra)


def _px(*codes: str, kind: str = "icd-10-pcs") -> dict[str, Any]:
    """Procedure fields of a claim: codes in positions 1.., dated on the admission day by the caller."""
    fields: dict[str, Any] = {"procedure_code_type": kind}
    for i, code in enumerate(codes, start=1):
        fields[f"procedure_code_{i}"] = code
    return fields


OSTEOARTHRITIS = "M17.11"  # primary osteoarthritis, right knee: CCS 203, not acute


# Index stay for every case: 2021-03-01 .. 2021-03-05 with heart failure.
def _index(person: str) -> dict[str, Any]:
    return _stay(person, "index", "2021-03-01", "2021-03-05", HEART_FAILURE)


CASES: dict[str, tuple[list[dict[str, Any]], int]] = {
    # Readmitted 10 days after discharge for chemotherapy (Z51.11, CCS 45): planned, not counted.
    "chemo": ([_index("chemo"), _stay("chemo", "r", "2021-03-15", "2021-03-17", "Z51.11")], 0),
    # Radiotherapy (Z51.0, CCS 45) written without the dot: planned as well.
    "radio": ([_index("radio"), _stay("radio", "r", "2021-03-15", "2021-03-17", "Z510")], 0),
    # Fitting of a complete right artificial leg (Z44.111, CCS 254 rehabilitation): planned.
    "rehab": ([_index("rehab"), _stay("rehab", "r", "2021-03-20", "2021-03-30", "Z44.111")], 0),
    # Heart failure again 10 days later: unplanned, counted.
    "hf": ([_index("hf"), _stay("hf", "r", "2021-03-15", "2021-03-18", HEART_FAILURE)], 1),
    # Other aftercare (Z51.89) is CCS 257, not an always-planned category: counted.
    "aftercare": ([_index("aftercare"), _stay("aftercare", "r", "2021-03-15", "2021-03-18", "Z51.89")], 1),
    # Admitted on day 30 after discharge (2021-03-05 + 30 = 04-04): still a readmission.
    "day30": ([_index("day30"), _stay("day30", "r", "2021-04-04", "2021-04-06", HEART_FAILURE)], 1),
    # Day 31 (2021-04-05): outside the window, not counted.
    "day31": ([_index("day31"), _stay("day31", "r", "2021-04-05", "2021-04-07", HEART_FAILURE)], 0),
    # Planned chemo stay 03-10..03-12, then heart failure 03-20: the chemo stay is not counted, but the
    # heart-failure stay is a readmission (8 days after the chemo discharge): 1.
    "after_planned": (
        [
            _index("after_planned"),
            _stay("after_planned", "chemo", "2021-03-10", "2021-03-12", "Z51.11"),
            _stay("after_planned", "hf", "2021-03-20", "2021-03-22", HEART_FAILURE),
        ],
        1,
    ),
    # A readmission made of two touching claims: the stay's principal diagnosis is the first claim's.
    # First claim chemotherapy, second heart failure: planned, 0.
    "chain_planned_first": (
        [
            _index("chain_planned_first"),
            _stay("chain_planned_first", "r1", "2021-03-15", "2021-03-17", "Z51.11"),
            _stay("chain_planned_first", "r2", "2021-03-17", "2021-03-20", HEART_FAILURE),
        ],
        0,
    ),
    # First claim heart failure, second chemotherapy: unplanned, 1.
    "chain_acute_first": (
        [
            _index("chain_acute_first"),
            _stay("chain_acute_first", "r1", "2021-03-15", "2021-03-17", HEART_FAILURE),
            _stay("chain_acute_first", "r2", "2021-03-17", "2021-03-20", "Z51.11"),
        ],
        1,
    ),
    # Procedures (HCUP CCS for ICD-10-PCS v2019.1):
    # Kidney transplant (0TY00Z0, CCS 105, always planned) after admission for heart failure, an acute
    # principal diagnosis: planned all the same, 0.
    "kidney_transplant": (
        [
            _index("kidney_transplant"),
            _stay(
                "kidney_transplant",
                "r",
                "2021-03-15",
                "2021-03-25",
                HEART_FAILURE,
                **_px("5A1945Z", "0TY00Z0"),
            ),
        ],
        0,
    ),
    # Knee replacement (0SRC0JZ, CCS 152, potentially planned) for osteoarthritis, not acute: planned, 0.
    "knee": (
        [_index("knee"), _stay("knee", "r", "2021-03-15", "2021-03-18", OSTEOARTHRITIS, **_px("0SRC0JZ"))],
        0,
    ),
    # The same procedure on a stay for heart failure (I50.23 is on the acute list): unplanned, 1.
    "knee_acute": (
        [
            _index("knee_acute"),
            _stay("knee_acute", "r", "2021-03-15", "2021-03-18", HEART_FAILURE, **_px("0SRC0JZ")),
        ],
        1,
    ),
    # A procedure on neither list (mechanical ventilation 5A1945Z) for osteoarthritis: unplanned, 1.
    "ventilation": (
        [
            _index("ventilation"),
            _stay("ventilation", "r", "2021-03-15", "2021-03-18", OSTEOARTHRITIS, **_px("5A1945Z")),
        ],
        1,
    ),
    # The transplant on the second claim of a two-claim stay still makes the stay planned: 0.
    "second_claim": (
        [
            _index("second_claim"),
            _stay("second_claim", "r1", "2021-03-15", "2021-03-17", HEART_FAILURE),
            _stay("second_claim", "r2", "2021-03-17", "2021-03-24", HEART_FAILURE, **_px("02YA0Z0")),
        ],
        0,
    ),
    # ICD-9 procedure codes (kidney transplant 55.69) are not read as ICD-10-PCS: unplanned, 1.
    "icd9": (
        [
            _index("icd9"),
            _stay("icd9", "r", "2021-03-15", "2021-03-18", HEART_FAILURE, **_px("55.69", kind="icd-9-pcs")),
        ],
        1,
    ),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("planned")
    people = [{"person_id": p, "member_id": p} for p in CASES]
    medical = [row for rows, _ in CASES.values() for row in rows]
    db = tmp / "store.duckdb"
    load_directory(write_dataset(tmp / "in", people, medical, []), db)
    return db


def test_planned_readmissions_are_not_counted(store: Path) -> None:
    rows = {r["person_id"]: r for r in build_features(AS_OF, store).to_pylist()}
    got = {p: rows[p]["readmits_30d_12m"] for p in CASES}
    assert got == {p: expected for p, (_, expected) in CASES.items()}
    # The planned stays are still inpatient admissions.
    assert rows["chemo"]["ip_admits_12m"] == 2
    assert rows["after_planned"]["ip_admits_12m"] == 3


def test_stay_principal_diagnosis_and_flags(store: Path) -> None:
    stays, lace = query_models(
        store,
        AS_OF,
        "SELECT person_id, admit_date, n_claims, principal_dx_code, is_any_cause_readmission, "
        "is_planned, is_readmission FROM int_readmissions ORDER BY person_id, admit_date",
        "SELECT count(*) FROM int_lace",
    )
    lace_stays = lace[0]
    by_person: dict[str, list[tuple[Any, ...]]] = {}
    for person, *rest in stays:
        by_person.setdefault(person, []).append(tuple(rest))
    d = dt.date
    assert by_person["chemo"] == [
        (d(2021, 3, 1), 1, "I5023", False, False, False),
        (d(2021, 3, 15), 1, "Z5111", True, True, False),
    ]
    assert by_person["chain_planned_first"][1] == (d(2021, 3, 15), 2, "Z5111", True, True, False)
    assert by_person["chain_acute_first"][1] == (d(2021, 3, 15), 2, "I5023", True, False, True)
    assert [s[3:] for s in by_person["after_planned"]] == [
        (False, False, False),
        (True, True, False),
        (True, False, True),
    ]
    # LACE still scores every stay discharged by the as-of date (2 stays per case, 3 for the
    # after_planned case, and the two chained claims form one stay).
    assert lace_stays == (2 * len(CASES) + 1,)
    assert by_person["kidney_transplant"][1][3:] == (True, True, False)
    assert by_person["knee"][1][3:] == (True, True, False)
    assert by_person["knee_acute"][1][3:] == (True, False, True)


def test_stay_procedures(store: Path) -> None:
    """Every ICD-10-PCS code of a stay's claims, once; other code systems are left out."""
    (rows,) = query_models(
        store,
        AS_OF,
        "SELECT person_id, procedure_code FROM int_stay_procedures ORDER BY person_id, procedure_code",
    )
    assert rows == [
        ("kidney_transplant", "0TY00Z0"),
        ("kidney_transplant", "5A1945Z"),
        ("knee", "0SRC0JZ"),
        ("knee_acute", "0SRC0JZ"),
        ("second_claim", "02YA0Z0"),
        ("ventilation", "5A1945Z"),
    ]


def _data_file() -> dict[str, str]:
    with (DATA_DIR / "cms_planned_readmission_dx.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes = [r["icd_10_cm"] for r in rows]
    assert len(codes) == len(set(codes))
    return {r["icd_10_cm"]: r["ccs_diagnosis_category"] for r in rows}


def test_data_file_matches_hcup_ccs_on_spot_codes() -> None:
    ccs = _data_file()
    # Codes as stored (upper case, no dot) and only the two always-planned categories.
    assert all(c == c.upper() and "." not in c for c in ccs)
    assert sorted(set(ccs.values())) == ["254", "45"]
    # HCUP CCS for ICD-10-CM v2019.1: CCS 45 is exactly Z51.0, Z51.11, Z51.12; CCS 254 has 37 codes.
    assert sorted(c for c, cat in ccs.items() if cat == "45") == ["Z510", "Z5111", "Z5112"]
    assert sum(cat == "254" for cat in ccs.values()) == 37
    for code in ("Z44001", "Z44111", "Z4432", "Z449", "Z451", "Z45321", "Z4542", "Z45819", "Z4682", "Z469"):
        assert ccs.get(code) == "254", code
    # Neighbours HCUP puts in other categories: artificial eye (91), cardiac devices (105), VAD, palliative
    # care and other aftercare (257), insulin pump (49), desensitization (253).
    for code in ("Z4420", "Z4502", "Z452", "Z515", "Z5189", "Z4681", "Z516", "Z471"):
        assert code not in ccs, code


def test_planned_readmission_value_sets() -> None:
    """The shipped lists as data/README.md describes them (counts, categories, spot codes)."""
    with (DATA_DIR / "cms_planned_readmission_procedures.csv").open(encoding="utf-8") as f:
        procedures = list(csv.DictReader(f))
    codes = [r["icd_10_pcs"] for r in procedures]
    assert len(codes) == len(set(codes)) == 47_505
    always = {r["ccs_procedure_category"] for r in procedures if r["planned"] == "always"}
    assert always == {"64", "105", "134", "135", "176"}
    assert sum(r["planned"] == "always" for r in procedures) == 180
    assert sum(r["listed_by"] == "icd_10_pcs_list" for r in procedures) == 2_521
    by_code = {r["icd_10_pcs"]: r for r in procedures}
    # kidney transplant (CCS 105), heart transplant (176), caesarean (134): always; knee replacement (CCS
    # 152): potentially; mechanical ventilation 5A1945Z and haemodialysis 5A1D70Z: neither.
    assert [by_code[c]["planned"] for c in ("0TY00Z0", "02YA0Z0", "10D00Z1", "0SRC0JZ")] == [
        "always",
        "always",
        "always",
        "potentially",
    ]
    assert "5A1945Z" not in by_code and "5A1D70Z" not in by_code
    with (DATA_DIR / "cms_planned_readmission_acute_dx.csv").open(encoding="utf-8") as f:
        acute = {r["icd_10_cm"] for r in csv.DictReader(f)}
    assert len(acute) == 18_734
    # acute: heart failure I50.23, sepsis A41.9, hip fracture S72.001A; not acute: knee osteoarthritis M17.11,
    # chemotherapy encounter Z51.11
    assert {"I5023", "A419", "S72001A"} <= acute
    assert not {"M1711", "Z5111"} & acute
