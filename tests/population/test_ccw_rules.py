"""CCW chronic-condition claim rules (int_chronic_conditions): claim types, counts, periods and exclusions.

Each person gets hand-built claims that hit one rule kind; the expected condition set is worked out from the
rule table in data/cms_chronic_conditions_rules.csv (sources in docs/population.md).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tandem.population.features import (
    DATA_DIR,
)
from tandem.population.load_tuva import load_directory

from .claims import ccw_conditions, inpatient, professional, write_dataset

AS_OF = dt.date(2021, 6, 30)
TUVA_HIERARCHY = Path(
    "/work/shared/data/tuva-value-sets/chronic_conditions",
    "chronic_conditions__cms_chronic_conditions_hierarchy.csv",
)


def _institutional(claim_id: str, date: str, bill_type: str, dx: str, **extra: Any) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "claim_type": "institutional",
        "bill_type_code": bill_type,
        "claim_start_date": date,
        "claim_end_date": date,
        "diagnosis_code_1": dx,
        "revenue_center_code": "0300",
        **extra,
    }


def _carrier(person: str, claim_id: str, date: str, dx: str, **extra: Any) -> dict[str, Any]:
    return {**professional(claim_id, date, dx=dx), "person_id": person, **extra}


MEDICAL: list[dict[str, Any]] = [
    # AMI (I21.4) needs an inpatient claim: two carrier claims and a hospital outpatient claim are not enough.
    _carrier("ami_op", "a1", "2021-02-01", "I21.4"),
    _carrier("ami_op", "a2", "2021-03-01", "I21.4"),
    {**_institutional("a3", "2021-04-01", "131", "I21.4"), "person_id": "ami_op"},
    {**inpatient("a4", "2021-04-01", "2021-04-05", dx="I21.4"), "person_id": "ami_ip"},
    # Diabetes (E11.9, 2-year, 1 IP/SNF/HHA or 2 HOP/carrier on different days).
    _carrier("dm_same_day", "d1", "2021-02-01", "E11.9"),
    {**_institutional("d2", "2021-02-01", "131", "E11.9"), "person_id": "dm_same_day"},
    _carrier("dm_two_days", "d3", "2021-02-01", "E11.9"),
    {**_institutional("d4", "2021-02-02", "131", "E11.9"), "person_id": "dm_two_days"},
    # One HHA claim qualifies diabetes (IP/SNF/HHA family) ...
    {**_institutional("d5", "2021-01-10", "321", "E11.9"), "person_id": "dm_hha"},
    # ... but not breast cancer (C50.911, IP/SNF family); its HHA date also must not pair with one carrier
    # claim as "2 HOP/carrier claims".
    {**_institutional("b1", "2021-01-10", "321", "C50.911"), "person_id": "bc_hha"},
    _carrier("bc_hha", "b2", "2021-03-10", "C50.911"),
    # A SNF claim qualifies breast cancer.
    {**_institutional("b3", "2021-01-10", "211", "C50.911"), "person_id": "bc_snf"},
    # A carrier claim and a hospice claim: two claims of any type for an OTCC condition (epilepsy G40.909),
    # but the hospice date is not an HOP/carrier claim for diabetes.
    _carrier("hospice", "h1", "2021-01-10", "G40.909"),
    {**_institutional("h2", "2021-02-10", "811", "G40.909"), "person_id": "hospice"},
    _carrier("hospice", "h3", "2021-01-10", "E11.9"),
    {**_institutional("h4", "2021-02-10", "811", "E11.9"), "person_id": "hospice"},
    # Reference periods: COPD (J44.9) is 1-year, diabetes 2-year. Carrier claims 2020-03-01 and 2021-03-01:
    # both in 2 years, only one in the last 12 months (after 2020-06-30).
    _carrier("period", "p1", "2020-03-01", "J44.9"),
    _carrier("period", "p2", "2021-03-01", "J44.9"),
    _carrier("period", "p3", "2020-03-01", "E11.9"),
    _carrier("period", "p4", "2021-03-01", "E11.9"),
    # COPD: two claims both inside the last 12 months, plus an older one: met.
    _carrier("period_recent", "q1", "2019-12-01", "J44.9"),
    _carrier("period_recent", "q2", "2020-09-01", "J44.9"),
    _carrier("period_recent", "q3", "2021-03-01", "J44.9"),
    # Boundary: the 1-year period starts after 2020-06-30; a claim on that day is outside, the next day in.
    _carrier("boundary_out", "r1", "2020-06-30", "J44.9"),
    _carrier("boundary_out", "r2", "2021-03-01", "J44.9"),
    _carrier("boundary_in", "s1", "2020-07-01", "J44.9"),
    _carrier("boundary_in", "s2", "2021-03-01", "J44.9"),
    # An inpatient claim older than 1 year does not qualify AMI (1-year) but an older SNF claim qualifies
    # CKD (N18.3, 2-year).
    {**inpatient("t1", "2020-03-01", "2020-03-04", dx="I21.4"), "person_id": "old_claims"},
    {**_institutional("t2", "2020-03-10", "211", "N18.30"), "person_id": "old_claims"},
    # Stroke (I63.9): a carrier claim that also lists a traumatic brain injury code (S06.5X0A) is excluded ...
    _carrier("stroke_tbi", "k1", "2021-02-01", "I63.9", diagnosis_code_2="S06.5X0A"),
    # ... while the same person's TBI on another claim does not exclude a clean stroke claim.
    _carrier("stroke_other_claim", "k2", "2021-02-01", "I63.9"),
    _carrier("stroke_other_claim", "k3", "2021-03-01", "S06.5X0A"),
    # BPH (N40.0): two carrier claims on different days, one also listing D29.1 (benign prostate neoplasm):
    # only one qualifying claim left.
    _carrier("bph_excl", "x1", "2021-02-01", "N40.0", diagnosis_code_2="D29.1"),
    _carrier("bph_excl", "x2", "2021-03-01", "N40.0"),
    _carrier("bph_ok", "x3", "2021-02-01", "N40.0"),
    _carrier("bph_ok", "x4", "2021-03-01", "N40.0"),
    # Sickle cell (D57.1, also an anemia code): three claims of any type on three dates; two claims (one on
    # the same day twice) are not enough, nor is an inpatient stay on its own.
    _carrier("scd_three", "z1", "2020-10-01", "D57.1"),
    {**_institutional("z2", "2021-01-01", "131", "D57.1"), "person_id": "scd_three"},
    {**inpatient("z3", "2021-03-01", "2021-03-03", dx="D57.1"), "person_id": "scd_three"},
    _carrier("scd_two", "z4", "2020-10-01", "D57.1"),
    _carrier("scd_two", "z5", "2021-01-01", "D57.1"),
    _carrier("scd_two", "z6", "2021-01-01", "D57.1"),
    {**inpatient("z7", "2021-03-01", "2021-03-03", dx="D57.1"), "person_id": "scd_ip"},
    # OUD (F11.20): one emergency-department claim qualifies; one office visit does not.
    _carrier("oud_ed", "o1", "2021-03-01", "F11.20", place_of_service_code="23", hcpcs_code="99284"),
    _carrier("oud_office", "o2", "2021-03-01", "F11.20"),
    # Non-diagnosis criteria (codes in data/cms_chronic_conditions_other_codes.csv). Z00.00 is in no CCW
    # condition, so only the HCPCS code / DRG can qualify. OUD: one carrier claim with HCPCS G2067 (methadone
    # treatment bundle) suffices (OUD's diagnosis rule would need an inpatient/ED claim or two claims).
    _carrier("oud_hcpcs", "n1", "2021-03-01", "Z00.00", hcpcs_code="G2067"),
    # Reference period (OUD: 2 years, after 2019-06-30): a claim on 2019-06-30 is outside, 2019-07-01 inside.
    _carrier("oud_hcpcs_out", "n2", "2019-06-30", "Z00.00", hcpcs_code="G2067"),
    _carrier("oud_hcpcs_in", "n3", "2019-07-01", "Z00.00", hcpcs_code="G2067"),
    # Tobacco use: one claim with HCPCS 99406 (smoking cessation counselling), any claim type.
    {**_institutional("u1", "2021-03-01", "131", "Z00.00", hcpcs_code="99406"), "person_id": "tobacco_hcpcs"},
    # HIV/AIDS: MS-DRG 970 (HIV with major related condition) on an inpatient claim qualifies; the same DRG on
    # an outpatient (13x) claim does not.
    {**inpatient("v1", "2021-03-01", "2021-03-04", dx="Z00.00", drg_code="970"), "person_id": "hiv_drg"},
    {**_institutional("v2", "2021-03-01", "131", "Z00.00", drg_code="970"), "person_id": "hiv_drg_op"},
    # R75 (screening) on two claims on different days is not enough ...
    _carrier("hiv_r75_only", "w1", "2021-02-01", "R75"),
    _carrier("hiv_r75_only", "w2", "2021-03-01", "R75"),
    # ... one B20 carrier claim alone is not enough (1 inpatient or 2 claims) ...
    _carrier("hiv_b20_one", "w3", "2021-03-01", "B20"),
    # ... but R75 on one day and B20 on another are two qualifying claims.
    _carrier("hiv_r75_b20", "w4", "2021-02-01", "R75"),
    _carrier("hiv_r75_b20", "w5", "2021-03-01", "B20"),
    # Alcohol use disorder (F10.20) met by one inpatient claim, for the naltrexone exception below.
    {**inpatient("y1", "2021-01-10", "2021-01-12", dx="F10.20"), "person_id": "nal_aud"},
    {**inpatient("y2", "2021-01-10", "2021-01-12", dx="F10.20"), "person_id": "nal_aud_bup"},
    # One carrier claim with F10.20 does not meet alcohol use disorders (1 inpatient or 2 claims).
    _carrier("nal_aud_not_met", "y3", "2021-01-10", "F10.20"),
]

BUPRENORPHINE = "00054017613"  # an OUD NDC of Tuva's list that is not a naltrexone NDC
NALTREXONE = "65757030001"  # Vivitrol; in Tuva's naltrexone_ndcs (cms_chronic_conditions_oud.sql)


def _fill(person: str, claim_id: str, date: str, ndc: str) -> dict[str, Any]:
    return {
        "person_id": person,
        "claim_id": claim_id,
        "dispensing_date": date,
        "ndc_code": ndc,
        "days_supply": "30",
        "allowed_amount": "10",
        "paid_amount": "5",
        "prescribing_provider_npi": "1",
    }


PHARMACY: list[dict[str, Any]] = [
    # OUD: one drug claim with a listed NDC suffices.
    _fill("oud_ndc", "f1", "2021-03-01", BUPRENORPHINE),
    _fill("oud_ndc_out", "f2", "2019-06-30", BUPRENORPHINE),
    # Naltrexone counts when the exception does not apply: no alcohol/drug use disorder ...
    _fill("nal_alone", "f3", "2021-03-01", NALTREXONE),
    # ... or an alcohol use disorder code that does not meet that condition's rule.
    _fill("nal_aud_not_met", "f4", "2021-03-01", NALTREXONE),
    # Alcohol use disorder met, OUD not met by diagnoses: the beneficiary is excluded from OUD ...
    _fill("nal_aud", "f5", "2021-03-01", NALTREXONE),
    # ... as written ("Exclude beneficiaries"), even with another OUD NDC.
    _fill("nal_aud_bup", "f6", "2021-03-01", NALTREXONE),
    _fill("nal_aud_bup", "f7", "2021-04-01", BUPRENORPHINE),
]

PEOPLE = sorted({row["person_id"] for row in MEDICAL + PHARMACY})

HIV = "human_immunodeficiency_virus_and_or_acquired_immunodeficiency_syndrome_hiv_aids"

EXPECTED: dict[str, set[str]] = {
    "ami_op": set(),
    "ami_ip": {"acute_myocardial_infarction"},
    "dm_same_day": set(),
    "dm_two_days": {"diabetes"},
    "dm_hha": {"diabetes"},
    "bc_hha": set(),
    "bc_snf": {"cancer_breast"},
    "hospice": {"epilepsy"},
    "period": {"diabetes"},
    "period_recent": {"chronic_obstructive_pulmonary_disease"},
    "boundary_out": set(),
    "boundary_in": {"chronic_obstructive_pulmonary_disease"},
    "old_claims": {"chronic_kidney_disease"},
    # One TBI claim is not enough for the TBI condition itself (1 inpatient or 2 claims).
    "stroke_tbi": set(),
    "stroke_other_claim": {"stroke_transient_ischemic_attack"},
    "bph_excl": set(),
    "bph_ok": {"benign_prostatic_hyperplasia"},
    "scd_three": {"sickle_cell_disease", "anemia"},
    "scd_two": {"anemia"},
    "scd_ip": {"anemia"},
    "oud_ed": {"opioid_use_disorder_oud"},
    "oud_office": set(),
    "oud_hcpcs": {"opioid_use_disorder_oud"},
    "oud_hcpcs_out": set(),
    "oud_hcpcs_in": {"opioid_use_disorder_oud"},
    "tobacco_hcpcs": {"tobacco_use"},
    "hiv_drg": {HIV},
    "hiv_drg_op": set(),
    "hiv_r75_only": set(),
    "hiv_b20_one": set(),
    "hiv_r75_b20": {HIV},
    "oud_ndc": {"opioid_use_disorder_oud"},
    "oud_ndc_out": set(),
    "nal_alone": {"opioid_use_disorder_oud"},
    "nal_aud_not_met": {"opioid_use_disorder_oud"},
    "nal_aud": {"alcohol_use_disorders"},
    "nal_aud_bup": {"alcohol_use_disorders"},
}


@pytest.fixture(scope="module")
def conditions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    tmp = tmp_path_factory.mktemp("ccw")
    eligibility = [{"person_id": p, "member_id": p} for p in PEOPLE]
    db = tmp / "store.duckdb"
    load_directory(write_dataset(tmp / "in", eligibility, MEDICAL, PHARMACY), db)
    return ccw_conditions(db, AS_OF, list(PEOPLE))


def test_diagnosis_codes_used_by_the_cases_are_in_the_value_set() -> None:
    with (DATA_DIR / "cms_chronic_conditions.csv").open() as fh:
        codes = {(r["condition_column_name"], r["code"]) for r in csv.DictReader(fh)}
    for pair in [
        ("acute_myocardial_infarction", "I214"),
        ("diabetes", "E119"),
        ("cancer_breast", "C50911"),
        ("epilepsy", "G40909"),
        ("chronic_obstructive_pulmonary_disease", "J449"),
        ("chronic_kidney_disease", "N1830"),
        ("stroke_transient_ischemic_attack", "I639"),
        ("benign_prostatic_hyperplasia", "N400"),
        ("sickle_cell_disease", "D571"),
        ("opioid_use_disorder_oud", "F1120"),
    ]:
        assert pair in codes


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_rule_outcome(conditions: dict[str, set[str]], person: str) -> None:
    assert conditions[person] == EXPECTED[person]


def _rules() -> dict[str, dict[str, str]]:
    with (DATA_DIR / "cms_chronic_conditions_rules.csv").open() as fh:
        return {r["condition_column_name"]: r for r in csv.DictReader(fh)}


def test_every_condition_has_exactly_one_rule_the_sql_can_evaluate() -> None:
    rules = _rules()
    with (DATA_DIR / "cms_chronic_conditions.csv").open() as fh:
        shipped = {r["condition_column_name"] for r in csv.DictReader(fh)}
    assert shipped == set(rules)
    if TUVA_HIERARCHY.exists():
        with TUVA_HIERARCHY.open() as fh:
            tuva = {r["condition_column_name"]: r["claims_qualification"] for r in csv.DictReader(fh)}
        assert set(tuva) == set(rules)
        assert all(rules[c]["claims_qualification"] == q for c, q in tuva.items())
    for name, r in rules.items():
        assert r["reference_months"] in {"12", "24"}, name
        assert r["one_claim_types"] or r["min_claims"], name
        if r["min_claims"]:
            # The fast path of int_chronic_conditions knows these shapes only.
            shape = (r["min_claims"], r["min_claims_types"])
            assert shape in {("2", "hop carrier"), ("2", "all"), ("3", "all")}, name
            if r["min_claims_types"] == "all":
                assert r["reference_months"] == "24", name
        assert r["period_source"], name


def test_rule_table_matches_the_tuva_wording() -> None:
    """The claim types of each rule, against the claims_qualification text it was transcribed from."""
    family_b = ("ip snf hha", "2 hop carrier")
    expected = {
        "At least 1 inpatient claim with DX codes": ("ip", ""),
        "At least 1 inpatient/SNF/HHA claim OR 2 HOP/carrier claims with DX codes": family_b,
        "At least 1 inpatient/SNF/HHA claim OR 2 HOP/Carrier claims with DX codes": family_b,
        "At least 1 inpatient/SNF claim OR 2 HOP/carrier claims with DX codes": ("ip snf", "2 hop carrier"),
        "At least 1 HOP or carrier claim with DX codes": ("hop carrier", ""),
        "At least 1 inpatient, SNF, HOP or carrier claim with DX codes": ("ip snf hop carrier", ""),
        "At least 1 inpatient, HOP or carrier claim with DX codes": ("ip hop carrier", ""),
        "3 or more non-drug claims of any service type with DX codes": ("", "3 all"),
    }
    for name, r in _rules().items():
        q = r["claims_qualification"]
        got = (r["one_claim_types"], f"{r['min_claims']} {r['min_claims_types']}".strip())
        if q in expected:
            assert got == expected[q], name
        elif name == "opioid_use_disorder_oud":
            assert got == ("ip ed", "2 all")
        else:
            assert q.startswith("At least 1 inpatient claim OR 2 "), name
            assert got == ("ip", "2 all"), name


def test_exclusion_codes_are_the_tuva_exclude_rows() -> None:
    with (DATA_DIR / "cms_chronic_conditions_exclusions.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    by_condition: dict[str, int] = {}
    for r in rows:
        by_condition[r["condition_column_name"]] = by_condition.get(r["condition_column_name"], 0) + 1
    assert by_condition == {"benign_prostatic_hyperplasia": 1, "stroke_transient_ischemic_attack": 112}
    assert {"benign_prostatic_hyperplasia": "D291"}.items() <= {
        r["condition_column_name"]: r["code"] for r in rows if r["condition_column_name"].startswith("benign")
    }.items()


def test_other_codes_are_the_tuva_hcpcs_ndc_drg_and_pcs_rows() -> None:
    with (DATA_DIR / "cms_chronic_conditions_other_codes.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (r["condition_column_name"], r["code_system"])
        counts[key] = counts.get(key, 0) + 1
    assert counts == {
        ("opioid_use_disorder_oud", "HCPCS"): 19,
        ("opioid_use_disorder_oud", "NDC"): 224,
        ("tobacco_use", "HCPCS"): 4,
        (HIV, "MS-DRG"): 6,
        ("alcohol_use_disorders", "ICD-10-PCS"): 15,
        ("drug_use_disorders", "ICD-10-PCS"): 15,
        ("liver_disease_cirrhosis_and_other_liver_conditions_except_viral_hepatitis", "ICD-10-PCS"): 34,
        ("opioid_use_disorder_oud", "ICD-10-PCS"): 8,
    }
    naltrexone = {r["code"] for r in rows if r["naltrexone"] == "true"}
    assert len(naltrexone) == 41 and NALTREXONE in naltrexone and BUPRENORPHINE not in naltrexone
    drgs = {r["code"] for r in rows if r["code_system"] == "MS-DRG"}
    assert drgs == {"969", "970", "974", "975", "976", "977"}
    if TUVA_HIERARCHY.exists():
        with TUVA_HIERARCHY.open() as fh:
            tuva = {
                (r["condition_column_name"], r["code_system"], r["code"])
                for r in csv.DictReader(fh)
                if r["code_system"] in {"HCPCS", "NDC", "MS-DRG", "ICD-10-PCS"}
            }
        assert {(r["condition_column_name"], r["code_system"], r["code"]) for r in rows} == tuva
