"""Code pools are real codes that hit the value sets downstream analytics use (CMS-HCC, CCW)."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from tandem.synth import vocab
from tandem.synth.conditions import CONDITIONS, SOCIAL_NEEDS, STATUS_CODES
from tandem.synth.drugs import DRUGS, THERAPIES
from tandem.synth.providers import NPIS, is_valid_npi

# Condition codes that are valid FY2024+ ICD-10-CM but appear in neither the CCW condition lists nor
# the CMS-HCC mappings shipped as reference data (history/sequela/remission codes).
NOT_IN_REFERENCE_LISTS = {"I252", "I69398", "I69320", "F1121", "F1021", "J9611", "G20A1"}
# Conditions whose pool must reach a payment HCC in CMS-HCC V28 (PY2026) or V24.
HCC_CONDITIONS = {
    "diabetes",
    "heart_failure",
    "atrial_fibrillation",
    "chronic_kidney_disease",
    "esrd",
    "copd",
    "depression",
    "serious_mental_illness",
    "drug_use_disorder",
    "alcohol_use_disorder",
    "dementia",
    "cancer",
    "arthritis",
    "liver_disease",
    "hiv",
    "hepatitis_c",
    "epilepsy",
    "parkinsons",
    "pressure_ulcer",
    "peripheral_vascular_disease",
}


@pytest.fixture(scope="module")
def hcc_map(shared_data: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    path = shared_data / "tuva-value-sets" / "cms_hcc" / "cms_hcc__icd_10_cm_mappings.csv"
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["payment_year"] in {"2024", "2025", "2026"}:
                hccs = {
                    f"v24:{row['cms_hcc_v24']}" if row["cms_hcc_v24"] else "",
                    f"v28:{row['cms_hcc_v28']}" if row["cms_hcc_v28"] else "",
                } - {""}
                out.setdefault(row["diagnosis_code"], set()).update(hccs)
    return out


@pytest.fixture(scope="module")
def ccw_codes(shared_data: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    path = (
        shared_data
        / "tuva-value-sets"
        / "chronic_conditions"
        / "chronic_conditions__cms_chronic_conditions_hierarchy.csv"
    )
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            out.setdefault(row["code"], set()).add(row["condition_column_name"])
    return out


def test_condition_codes_are_in_official_lists(
    hcc_map: dict[str, set[str]], ccw_codes: dict[str, set[str]]
) -> None:
    unknown = [
        (c.key, code)
        for c in CONDITIONS
        for code, _ in c.codes + c.codes_female
        if code not in ccw_codes and not hcc_map.get(code) and code not in NOT_IN_REFERENCE_LISTS
    ]
    assert not unknown, f"codes found in neither the CCW lists nor the CMS-HCC map: {unknown}"


@pytest.mark.parametrize("key", sorted(HCC_CONDITIONS))
def test_condition_pool_reaches_an_hcc(key: str, hcc_map: dict[str, set[str]]) -> None:
    cond = next(c for c in CONDITIONS if c.key == key)
    mapped = [code for code, _ in cond.codes + cond.codes_female if hcc_map.get(code)]
    weight = sum(w for code, w in cond.codes if code in mapped) / sum(w for _, w in cond.codes)
    assert mapped, f"{key}: no code maps to a CMS-HCC"
    assert weight >= 0.15, f"{key}: only {weight:.0%} of its code weight maps to an HCC"


def test_chronic_condition_warehouse_groups_are_hit(ccw_codes: dict[str, set[str]]) -> None:
    expected = {
        "diabetes": "diabetes",
        "heart_failure": "heart_failure_and_non_ischemic_heart_disease",
        "copd": "chronic_obstructive_pulmonary_disease",
        "chronic_kidney_disease": "chronic_kidney_disease",
        "depression": "depressive_disorders",
        "anxiety": "anxiety_disorders",
        "hypertension": "hypertension",
        "dementia": "alzheimers_disease",
        "drug_use_disorder": "drug_use_disorders",
        "alcohol_use_disorder": "alcohol_use_disorders",
        "serious_mental_illness": "schizophrenia",
    }
    for key, group in expected.items():
        cond = next(c for c in CONDITIONS if c.key == key)
        assert any(group in ccw_codes.get(code, set()) for code, _ in cond.codes), (key, group)


def test_icd_codes_look_like_icd10cm_without_dots() -> None:
    for code in vocab.ICD.codes:
        assert 3 <= len(code) <= 7 and code[0].isalpha() and code[1:3].isdigit() and "." not in code, code


def test_social_need_codes_are_z55_to_z65() -> None:
    codes = [code for need in SOCIAL_NEEDS for code, _ in need.codes]
    assert codes and all(c.startswith("Z") and 55 <= int(c[1:3]) <= 65 for c in codes)


def test_status_codes_refer_to_known_conditions() -> None:
    keys = {c.key for c in CONDITIONS}
    assert all(cond in keys for _, cond, _ in STATUS_CODES)


def test_drugs_have_unique_11_digit_ndcs_and_therapies_name_known_drugs() -> None:
    ndcs = [d.ndc for d in DRUGS]
    assert all(len(n) == 11 and n.isdigit() for n in ndcs)
    assert len(set(ndcs)) == len(ndcs)
    names = {d.name for d in DRUGS}
    keys = {c.key for c in CONDITIONS} | {"adult"}
    for therapy in THERAPIES:
        assert therapy.condition in keys
        assert all(name in names for name, _ in therapy.drugs), therapy.condition


def test_provider_npis_pass_the_luhn_check() -> None:
    assert len(set(NPIS)) == len(NPIS)
    assert all(is_valid_npi(n) for n in NPIS)
    assert is_valid_npi("1234567893") and not is_valid_npi("1234567890")


# Charlson (Quan 2005 ICD-10) category prefixes, from docs SPEC section 2.3.
CHARLSON_PREFIXES = {
    "myocardial infarction": ("I21", "I22", "I252"),
    "congestive heart failure": (
        "I099",
        "I110",
        "I130",
        "I132",
        "I255",
        "I420",
        "I425",
        "I426",
        "I427",
        "I428",
        "I429",
        "I43",
        "I50",
        "P290",
    ),
    "peripheral vascular disease": (
        "I70",
        "I71",
        "I731",
        "I738",
        "I739",
        "I771",
        "I790",
        "I792",
        "K551",
        "K558",
        "K559",
        "Z958",
        "Z959",
    ),
    "cerebrovascular disease": ("G45", "G46", "H340", "I6"),
    "dementia": ("F00", "F01", "F02", "F03", "F051", "G30", "G311"),
    "chronic pulmonary disease": (
        "I278",
        "I279",
        "J40",
        "J41",
        "J42",
        "J43",
        "J44",
        "J45",
        "J46",
        "J47",
        "J6",
        "J684",
        "J701",
        "J703",
    ),
    "rheumatic disease": ("M05", "M06", "M315", "M32", "M33", "M34", "M351", "M353", "M360"),
    "mild liver disease": (
        "B18",
        "K700",
        "K701",
        "K702",
        "K703",
        "K709",
        "K713",
        "K714",
        "K715",
        "K717",
        "K73",
        "K74",
        "K760",
        "K762",
        "K763",
        "K764",
        "K768",
        "K769",
        "Z944",
    ),
    "diabetes without complications": (
        "E100",
        "E101",
        "E106",
        "E108",
        "E109",
        "E110",
        "E111",
        "E116",
        "E118",
        "E119",
    ),
    "diabetes with complications": (
        "E102",
        "E103",
        "E104",
        "E105",
        "E107",
        "E112",
        "E113",
        "E114",
        "E115",
        "E117",
    ),
    "renal disease": ("I120", "I131", "N18", "N19", "N250", "Z490", "Z491", "Z492", "Z940", "Z992"),
    "any malignancy": (
        "C0",
        "C1",
        "C20",
        "C21",
        "C22",
        "C23",
        "C24",
        "C25",
        "C26",
        "C3",
        "C40",
        "C41",
        "C43",
        "C45",
        "C46",
        "C47",
        "C48",
        "C49",
        "C5",
        "C6",
        "C70",
        "C71",
        "C72",
        "C73",
        "C74",
        "C75",
        "C76",
        "C81",
        "C82",
        "C83",
        "C84",
        "C85",
        "C88",
        "C9",
    ),
    "metastatic solid tumour": ("C77", "C78", "C79", "C80"),
    "AIDS/HIV": ("B20", "B21", "B22", "B24"),
}


def test_generated_diagnoses_hit_charlson_and_cms_hcc(
    population_dir: Path, hcc_map: dict[str, set[str]]
) -> None:
    cols = ", ".join(f"diagnosis_code_{i}" for i in range(1, 26))
    con = duckdb.connect()
    con.execute(f"""create table dx as select distinct person_id, code from (
        select person_id, unnest([{cols}]) code from read_parquet('{population_dir}/medical_claim.parquet'))
        where code is not null""")
    codes = [r[0] for r in con.execute("select distinct code from dx").fetchall()]
    hit = {name for name, prefixes in CHARLSON_PREFIXES.items() if any(c.startswith(prefixes) for c in codes)}
    assert hit == set(CHARLSON_PREFIXES), (
        f"Charlson categories never generated: {set(CHARLSON_PREFIXES) - hit}"
    )
    v28 = [c for c in codes if any(h.startswith("v28:") for h in hcc_map.get(c, ()))]
    con.execute("create table v28 as select unnest(?::varchar[]) code", [v28])
    share = con.execute(f"""
        select count(distinct d.person_id) / (select count(distinct person_id)
            from read_parquet('{population_dir}/eligibility.parquet') where payer = 'medicare')
        from dx d join v28 using (code)
        where d.person_id in (select person_id from read_parquet('{population_dir}/eligibility.parquet')
                              where payer = 'medicare')""").fetchone()
    assert share is not None
    # About 60-70% of Medicare beneficiaries have at least one payment HCC in a year.
    assert 0.4 <= share[0] <= 0.85, share[0]
