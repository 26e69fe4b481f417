"""CCW conditions met by ICD-10-PCS procedure codes on claims (int_chronic_conditions, proc_claims).

The codes are Tuva's hierarchy rows with code_system ICD-10-PCS (data/cms_chronic_conditions_other_codes.csv);
which claims they need comes from each condition's claims_qualification text
(data/cms_chronic_conditions_rules.csv): alcohol and drug use disorders, "Procedure codes require only one
claim to qualify"; OUD, "1 inpatient claim OR 2 other non-drug claims ... with a ICD-10-CM or ICD-10-PCS
code"; liver disease, "Procedures must have at least one associated liver disease diagnosis on claim".
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

from .claims import ccw_conditions, inpatient, professional, write_dataset
from .test_engines import assert_same_tables, spark  # noqa: F401  (spark: the engines tests' fixture)

AS_OF = dt.date(2021, 6, 30)
NO_CONDITION = "Z00.00"  # in no CCW condition (test_ccw_rules), so only the procedure code can qualify
DETOX = "HZ2ZZZZ"  # "Detoxification Services for Substance Abuse Treatment": alcohol and drug use disorders
COUNSELLING = "HZ30ZZZ"  # individual counselling, cognitive: alcohol and drug use disorders
OUD_PCS = "HZ81ZZZ"  # pharmacotherapy, methadone maintenance: OUD only
PARACENTESIS = "0W9G3ZZ"  # drainage of peritoneal cavity, percutaneous: liver disease
APPENDECTOMY = "0DTJ4ZZ"  # resection of appendix: in no CCW condition
SUD = {"alcohol_use_disorders", "drug_use_disorders"}
OUD = "opioid_use_disorder_oud"
LIVER = "liver_disease_cirrhosis_and_other_liver_conditions_except_viral_hepatitis"


def _ip(person: str, claim_id: str, date: str, **extra: Any) -> dict[str, Any]:
    return {**inpatient(claim_id, date, date, dx=NO_CONDITION), "person_id": person, **extra}


def _outpatient(person: str, claim_id: str, date: str, **extra: Any) -> dict[str, Any]:
    """A hospital outpatient (13x) claim: a non-inpatient claim type that can carry a procedure code."""
    return {
        "person_id": person,
        "claim_id": claim_id,
        "claim_type": "institutional",
        "bill_type_code": "131",
        "claim_start_date": date,
        "claim_end_date": date,
        "diagnosis_code_1": NO_CONDITION,
        "revenue_center_code": "0300",
        **extra,
    }


MEDICAL: list[dict[str, Any]] = [
    # One inpatient claim with a detox code: 1 inpatient claim meets both rules.
    _ip("sud_ip", "c1", "2021-03-01", procedure_code_1=DETOX),
    # The code in a later position, after an unrelated one.
    _ip("oud_ip_pos7", "c2", "2021-03-01", procedure_code_1=APPENDECTOMY, procedure_code_7=OUD_PCS),
    # Alcohol/drug use disorders: one outpatient claim with a procedure code qualifies ("Procedure codes
    # require only one claim"), where one outpatient claim with a diagnosis would not.
    _outpatient("sud_op_one", "c3", "2021-03-01", procedure_code_1=COUNSELLING),
    # OUD follows its claim rule: one outpatient claim is not enough ...
    _outpatient("oud_op_one", "c4", "2021-03-01", procedure_code_1=OUD_PCS),
    # ... two on the same day neither ...
    _outpatient("oud_op_same_day", "c5", "2021-03-01", procedure_code_1=OUD_PCS),
    _outpatient("oud_op_same_day", "c6", "2021-03-01", procedure_code_1=OUD_PCS),
    # ... two on different days are.
    _outpatient("oud_op_two", "c7", "2021-02-01", procedure_code_1=OUD_PCS),
    _outpatient("oud_op_two", "c8", "2021-03-01", procedure_code_2=OUD_PCS),
    # A procedure-code claim and a diagnosis claim (F11.20) on another day are two qualifying claims.
    _outpatient("oud_op_and_dx", "c9", "2021-02-01", procedure_code_1=OUD_PCS),
    professional("c10", "2021-03-01", dx="F11.20", person_id="oud_op_and_dx"),
    # An ED outpatient claim: one suffices for OUD with an ICD-10-CM code only.
    _outpatient("oud_ed", "c11", "2021-03-01", revenue_center_code="0450", procedure_code_1=OUD_PCS),
    # The same code read as ICD-9 procedure does not count, nor does an unrelated ICD-10-PCS code.
    _ip("icd9", "c12", "2021-03-01", procedure_code_type="icd-9-pcs", procedure_code_1=DETOX),
    _ip("unrelated", "c13", "2021-03-01", procedure_code_1=APPENDECTOMY),
    # Reference period (2 years, after 2019-06-30).
    _ip("sud_out", "c14", "2019-06-30", procedure_code_1=DETOX),
    _ip("sud_in", "c15", "2019-07-01", procedure_code_1=DETOX),
    # Liver disease: a procedure without a liver disease diagnosis on the claim does not count.
    _ip("liver_pcs_only", "c16", "2021-03-01", procedure_code_1=PARACENTESIS),
    # Professional claims report procedures as CPT/HCPCS: an ICD-10-PCS field on one is not read.
    professional("c17", "2021-03-01", dx=NO_CONDITION, person_id="professional_pcs", procedure_code_1=DETOX),
]

PEOPLE = sorted({row["person_id"] for row in MEDICAL})

EXPECTED: dict[str, set[str]] = {
    "sud_ip": SUD,
    "oud_ip_pos7": {OUD},
    "sud_op_one": SUD,
    "oud_op_one": set(),
    "oud_op_same_day": set(),
    "oud_op_two": {OUD},
    "oud_op_and_dx": {OUD},
    "oud_ed": set(),
    "icd9": set(),
    "unrelated": set(),
    "sud_out": set(),
    "sud_in": SUD,
    "liver_pcs_only": set(),
    "professional_pcs": set(),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("ccw_pcs")
    eligibility = [{"person_id": p, "member_id": p} for p in PEOPLE]
    db = tmp / "store.duckdb"
    load_directory(write_dataset(tmp / "in", eligibility, MEDICAL), db)
    return db


@pytest.fixture(scope="module")
def conditions(store: Path) -> dict[str, set[str]]:
    return ccw_conditions(store, AS_OF, PEOPLE)


def test_cases_cover_every_person() -> None:
    assert set(EXPECTED) == set(PEOPLE)


def test_codes_used_are_the_conditions_pcs_codes() -> None:
    with (DATA_DIR / "cms_chronic_conditions_other_codes.csv").open() as fh:
        pcs = {
            (r["condition_column_name"], r["code"])
            for r in csv.DictReader(fh)
            if r["code_system"] == "ICD-10-PCS"
        }
    assert {(c, code) for c in SUD for code in (DETOX, COUNSELLING)} <= pcs
    assert (OUD, OUD_PCS) in pcs and not any(code == OUD_PCS for c, code in pcs if c != OUD)
    assert (LIVER, PARACENTESIS) in pcs
    assert not any(code == APPENDECTOMY for _, code in pcs)
    counts: dict[str, int] = {}
    for condition, _ in pcs:
        counts[condition] = counts.get(condition, 0) + 1
    assert counts == {"alcohol_use_disorders": 15, "drug_use_disorders": 15, OUD: 8, LIVER: 34}


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_procedure_rule_outcome(conditions: dict[str, set[str]], person: str) -> None:
    assert conditions[person] == EXPECTED[person]


@pytest.mark.slow
def test_same_conditions_on_spark(spark: Any, store: Path) -> None:  # noqa: F811
    from tandem.population.spark_engine import build_features_spark

    duck = build_features(AS_OF, store)
    on_spark = build_features_spark(AS_OF, store, spark=spark)
    # Every feature column, chronic_conditions (the count) and chronic_condition_list (the per-condition
    # flags, space-separated) among them.
    assert_same_tables(duck, on_spark)
    people = on_spark.column("person_id").to_pylist()
    lists = on_spark.column("chronic_condition_list").to_pylist()
    counts = on_spark.column("chronic_conditions").to_pylist()
    found = {p: set((text or "").split()) for p, text in zip(people, lists, strict=True)}
    assert {p: found.get(p, set()) for p in PEOPLE} == EXPECTED
    assert all(n == len(found[p]) for p, n in zip(people, counts, strict=True))


def test_pcs_rule_follows_the_claims_qualification_text() -> None:
    """The rules file's `pcs_rule` is transcribed from Tuva's text; every condition with PCS codes has one."""
    with (DATA_DIR / "cms_chronic_conditions_rules.csv").open() as fh:
        rules = {r["condition_column_name"]: r for r in csv.DictReader(fh)}
    for name, r in rules.items():
        text = r["claims_qualification"]
        expected = (
            "one_claim"
            if "Procedure codes require only one claim" in text
            else "needs_diagnosis_on_claim"
            if "Procedures must have at least one associated" in text
            else ""
        )
        assert r["pcs_rule"] == expected, name
    with (DATA_DIR / "cms_chronic_conditions_other_codes.csv").open() as fh:
        with_pcs = {
            r["condition_column_name"] for r in csv.DictReader(fh) if r["code_system"] == "ICD-10-PCS"
        }
    assert {n: rules[n]["pcs_rule"] for n in with_pcs} == {
        "alcohol_use_disorders": "one_claim",
        "drug_use_disorders": "one_claim",
        LIVER: "needs_diagnosis_on_claim",
        OUD: "",
    }
