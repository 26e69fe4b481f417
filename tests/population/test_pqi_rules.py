"""The AHRQ PQI rules of the ambulatory-care-sensitive admission flag, from hand-made claims to the flag.

Each person below has one stay (unless said otherwise) built to sit on one side of one rule: the age bands
(PQI 05 is 40+, PQI 15 18-39, age at admission), transfers in (UB-04 point of origin 4, 5, 6), and the
any-listed diagnosis exclusions (cystic fibrosis / respiratory anomalies for PQI 05 and 15, sickle cell for
PQI 11, immunocompromised state for PQI 11 and 12, kidney / urinary tract disorder for PQI 12), the
procedure rules (cardiac procedures for PQI 07 and 08, stage I-IV kidney disease with dialysis access for
PQI 07, immunocompromised-state procedures for PQI 11 and 12) and PQI 16's procedure numerator. The expected
counts are worked out by hand from the AHRQ rules as the criteria files state them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tandem.population.criteria_config import CRITERIA_DIR, Criteria, CriteriaError, load, parse
from tandem.population.load_tuva import load_directory
from tandem.population.stratify import Population, evaluate, evaluate_table, load_population

from .claims import inpatient, write_dataset

AS_OF = dt.date(2021, 6, 30)
CAMDEN_TEXT = (CRITERIA_DIR / "camden.toml").read_text(encoding="utf-8")
CAMDEN = load(CRITERIA_DIR / "camden.toml")
ACSC = "flags.ambulatory_care_sensitive_admission"
FLAG = "ambulatory_care_sensitive_admission"


def without_pqi(text: str, key: str) -> str:
    """The criteria text with one `[...pqi.NN]` table removed (up to the next table header)."""
    start = text.index(f"[{ACSC}.pqi.{key}]")
    end = text.index("\n[", start) + 1
    return text[:start] + text[end:]


ONLY_05 = parse(without_pqi(CAMDEN_TEXT, "15"), source="only05.toml")
ONLY_15 = parse(without_pqi(CAMDEN_TEXT, "05"), source="only15.toml")

# person id -> (birth date, claims). One stay each, admitted 2021-03-01 unless said otherwise.
ADMIT, DISCHARGE = "2021-03-01", "2021-03-04"


def stay(
    pid: str, dx: str, claim: str = "a", admit: str = ADMIT, discharge: str = DISCHARGE, **extra: Any
) -> dict[str, Any]:
    fields: dict[str, Any] = {"person_id": pid, "admit_source_code": "1", **extra}  # 1: not a transfer
    return inpatient(f"{pid}-{claim}", admit, discharge, dx=dx, **fields)


def px(*codes: str, kind: str = "icd-10-pcs") -> dict[str, Any]:
    """A claim's procedure fields: the codes in positions 1, 2, ..."""
    return {"procedure_code_type": kind, **{f"procedure_code_{i}": c for i, c in enumerate(codes, start=1)}}


PEOPLE: dict[str, tuple[str, list[dict[str, Any]]]] = {
    # Age bands: COPD counts from 40 (PQI 05), in no PQI below; asthma is PQI 15 at 18-39, PQI 05 at 40+.
    "copd35": ("1986-01-01", [stay("copd35", "J44.1")]),
    "copd45": ("1976-01-01", [stay("copd45", "J44.1")]),
    "asthma30": ("1991-01-01", [stay("asthma30", "J45.901")]),
    "asthma45": ("1976-01-01", [stay("asthma45", "J45.901")]),
    # The 40th birthday is the admission day: 40, so PQI 05 and not PQI 15; a day earlier: 39.
    "asthma40": ("1981-03-01", [stay("asthma40", "J45.901")]),
    "asthma39": ("1981-03-02", [stay("asthma39", "J45.901")]),
    "asthma17": ("2003-06-01", [stay("asthma17", "J45.901")]),  # 17: no PQI counts children
    # Transfers in: point of origin 4 (hospital), 5 (SNF/ICF), 6 (other facility), "04" padded; 1 is not.
    "transfer4": ("1960-01-01", [stay("transfer4", "J18.9", admit_source_code="4")]),
    "transfer5": ("1960-01-01", [stay("transfer5", "J18.9", admit_source_code="5")]),
    "transfer6": ("1960-01-01", [stay("transfer6", "N39.0", admit_source_code="6")]),
    "transfer04": ("1960-01-01", [stay("transfer04", "I50.22", admit_source_code="04")]),
    "pneumonia": ("1960-01-01", [stay("pneumonia", "J18.9")]),
    # Two claims, one stay: the opening claim is no transfer, the second (another hospital) is. The first
    # claim's principal diagnosis counts; the stay counts once.
    "chain": (
        "1960-01-01",
        [
            stay("chain", "J18.9"),
            stay("chain", "J18.9", claim="b", admit="2021-03-04", admit_source_code="4"),
        ],
    ),
    # Only the transferred-in claim has a PQI principal diagnosis: not counted.
    "chain_tx_only": (
        "1960-01-01",
        [
            stay("chain_tx_only", "A41.9"),
            stay("chain_tx_only", "J18.9", claim="b", admit="2021-03-04", admit_source_code="4"),
        ],
    ),
    # Any-listed diagnosis exclusions.
    "pneumonia_sickle": ("1960-01-01", [stay("pneumonia_sickle", "J18.9", diagnosis_code_2="D57.00")]),
    "pneumonia_other2": ("1960-01-01", [stay("pneumonia_other2", "J18.9", diagnosis_code_2="I10")]),
    # The sickle-cell code on another claim of the same stay (principal diagnosis sepsis, on no PQI list),
    # in the 9th position.
    "pneumonia_sickle_b": (
        "1960-01-01",
        [
            stay("pneumonia_sickle_b", "J18.9"),
            stay("pneumonia_sickle_b", "A41.9", claim="b", diagnosis_code_9="D57.1"),
        ],
    ),
    # D84.8 is on the list as the pre-2023 code; its newer subcode D84.821 matches it as a prefix.
    "pneumonia_d84821": ("1960-01-01", [stay("pneumonia_d84821", "J18.9", diagnosis_code_3="D84.821")]),
    "uti": ("1960-01-01", [stay("uti", "N39.0")]),
    "uti_transplant": ("1960-01-01", [stay("uti_transplant", "N39.0", diagnosis_code_3="Z94.0")]),
    "uti_esrd": ("1960-01-01", [stay("uti_esrd", "N39.0", diagnosis_code_2="N18.6")]),
    "uti_kidney": ("1960-01-01", [stay("uti_kidney", "N39.0", diagnosis_code_2="N13.6")]),
    "uti_sickle": ("1960-01-01", [stay("uti_sickle", "N39.0", diagnosis_code_2="D57.00")]),  # not PQI 12's
    "copd_cf": ("1960-01-01", [stay("copd_cf", "J44.1", diagnosis_code_2="E84.0")]),
    "asthma_cf": ("1991-01-01", [stay("asthma_cf", "J45.901", diagnosis_code_4="Q33.0")]),
    # Immunocompromised state excludes pneumonia and UTI only, not heart failure (PQI 08).
    "hf_transplant": ("1960-01-01", [stay("hf_transplant", "I50.22", diagnosis_code_2="Z94.0")]),
    # Two PQI principal diagnoses in one stay (pneumonia, then UTI on an interim bill): one stay.
    "two_pqis": ("1960-01-01", [stay("two_pqis", "J18.9"), stay("two_pqis", "N39.0", claim="b")]),
    # Two stays: one counted, one excluded (UTI with a kidney transplant).
    "two_stays": (
        "1960-01-01",
        [
            stay("two_stays", "J18.9"),
            stay("two_stays", "N39.0", "c", "2021-05-01", "2021-05-03", diagnosis_code_2="Z94.0"),
        ],
    ),
    # Procedure rules (ICD-10-PCS on the stay's claims; AHRQ value sets in data/ahrq_pqi_procedures.csv).
    # Heart failure with a coronary bypass (0210093, cardiac procedure): not counted; with a knee
    # replacement (0SRC0JZ, on no list): counted.
    "hf_cabg": ("1960-01-01", [stay("hf_cabg", "I50.22", **px("0210093"))]),
    "hf_knee": ("1960-01-01", [stay("hf_knee", "I50.22", **px("0SRC0JZ"))]),
    # The cardiac procedure on the stay's second claim (principal diagnosis on no list) still excludes it.
    "hf_cabg_b": (
        "1960-01-01",
        [stay("hf_cabg_b", "I50.22"), stay("hf_cabg_b", "Z95.1", claim="b", **px("5A1945Z", "0210093"))],
    ),
    # PQI 07: hypertensive CKD stage I-IV (I12.9) with a dialysis access fistula (031C0ZF): not counted;
    # I12.9 without it, or essential hypertension (I10, not stage I-IV CKD) with it: counted.
    "htn_ckd_access": ("1960-01-01", [stay("htn_ckd_access", "I12.9", **px("031C0ZF"))]),
    "htn_ckd": ("1960-01-01", [stay("htn_ckd", "I12.9")]),
    "htn_access": ("1960-01-01", [stay("htn_access", "I10", **px("031C0ZF"))]),
    # PQI 12 with a kidney transplant (0TY00Z0, immunocompromised-state procedure): not counted.
    "uti_tx_procedure": ("1960-01-01", [stay("uti_tx_procedure", "N39.0", **px("0TY00Z0"))]),
    # PQI 16: below-knee amputation (0Y6H0Z1) with diabetes (E11.9) in the 3rd position: counted; with a
    # traumatic amputation below the knee (S88.111A) too: not; a toe amputation (0Y6P0Z0): not; diabetes as
    # the principal diagnosis without an amputation (E11.9 is on no principal list): not; the amputation
    # coded as ICD-9 (84.15): not.
    "amputation": ("1960-01-01", [stay("amputation", "I70.262", diagnosis_code_3="E11.9", **px("0Y6H0Z1"))]),
    "amputation_trauma": (
        "1960-01-01",
        [
            stay(
                "amputation_trauma",
                "I70.262",
                diagnosis_code_2="S88.111A",
                diagnosis_code_3="E11.9",
                **px("0Y6H0Z1"),
            )
        ],
    ),
    "amputation_toe": (
        "1960-01-01",
        [stay("amputation_toe", "I70.262", diagnosis_code_3="E11.9", **px("0Y6P0Z0"))],
    ),
    "diabetes_only": ("1960-01-01", [stay("diabetes_only", "E11.9")]),
    "amputation_icd9": (
        "1960-01-01",
        [stay("amputation_icd9", "I70.262", diagnosis_code_3="E11.9", **px("8415", kind="icd-9-pcs"))],
    ),
    "amputation_young": (
        "2005-01-01",
        [stay("amputation_young", "I70.262", diagnosis_code_3="E11.9", **px("0Y6H0Z1"))],
    ),
}

# Hand-computed: stays counted with the shipped PQI tables (PQI 05 and 15 both present).
EXPECTED = {
    "copd35": 0,  # COPD below 40: PQI 05 only
    "copd45": 1,
    "asthma30": 1,  # PQI 15
    "asthma45": 1,  # PQI 05 (asthma at 40+)
    "asthma40": 1,
    "asthma39": 1,
    "asthma17": 0,
    "transfer4": 0,
    "transfer5": 0,
    "transfer6": 0,
    "transfer04": 0,
    "pneumonia": 1,
    "chain": 1,
    "chain_tx_only": 0,
    "pneumonia_sickle": 0,
    "pneumonia_other2": 1,
    "pneumonia_sickle_b": 0,
    "pneumonia_d84821": 0,
    "uti": 1,
    "uti_transplant": 0,
    "uti_esrd": 0,  # N18.6 is on the immunocompromised list
    "uti_kidney": 0,
    "uti_sickle": 1,
    "copd_cf": 0,
    "asthma_cf": 0,
    "hf_transplant": 1,
    "two_pqis": 1,
    "two_stays": 1,
    "hf_cabg": 0,
    "hf_knee": 1,
    "hf_cabg_b": 0,
    "htn_ckd_access": 0,
    "htn_ckd": 1,
    "htn_access": 1,
    "uti_tx_procedure": 0,
    "amputation": 1,
    "amputation_trauma": 0,
    "amputation_toe": 0,
    "diabetes_only": 0,
    "amputation_icd9": 0,
    "amputation_young": 0,  # 16 at admission: PQI 16 counts adults
}
# The asthma people under one of the two asthma PQIs alone.
EXPECTED_ONLY_05 = {"asthma30": 0, "asthma45": 1, "asthma40": 1, "asthma39": 0, "copd35": 0, "copd45": 1}
EXPECTED_ONLY_15 = {"asthma30": 1, "asthma45": 0, "asthma40": 0, "asthma39": 1, "copd35": 0, "copd45": 0}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pqi")
    eligibility = [
        {"person_id": pid, "member_id": pid, "birth_date": birth} for pid, (birth, _) in PEOPLE.items()
    ]
    medical = [claim for _, claims in PEOPLE.values() for claim in claims]
    write_dataset(root / "in", eligibility=eligibility, medical=medical)
    load_directory(root / "in", root / "a.duckdb")
    return root / "a.duckdb"


def counted(store: Path, criteria: Criteria) -> tuple[Population, dict[str, int]]:
    pop = load_population(AS_OF, criteria, store)
    return pop, {str(p["person_id"]): int(p["acsc_admits_12m"]) for p in pop.people}


def test_counts_follow_the_pqi_rules(store: Path) -> None:
    _, got = counted(store, CAMDEN)
    assert got == EXPECTED


@pytest.mark.parametrize(("criteria", "expected"), [(ONLY_05, EXPECTED_ONLY_05), (ONLY_15, EXPECTED_ONLY_15)])
def test_age_bands_of_pqi_05_and_15(store: Path, criteria: Criteria, expected: dict[str, int]) -> None:
    _, got = counted(store, criteria)
    assert {pid: got[pid] for pid in expected} == expected


def test_transfer_rule_can_be_switched_off(store: Path) -> None:
    text = CAMDEN_TEXT.replace(
        'transfer_admit_source_codes = ["4", "5", "6"]', "transfer_admit_source_codes = []"
    )
    _, got = counted(store, parse(text))
    transfers = ("transfer4", "transfer5", "transfer6", "transfer04", "chain_tx_only")
    assert {pid: got[pid] for pid in transfers} == dict.fromkeys(transfers, 1)
    assert got["pneumonia_sickle"] == 0  # the diagnosis exclusions still apply


def test_flag_off_counts_nothing(store: Path) -> None:
    start = CAMDEN_TEXT.index(f"[{ACSC}]")
    text = CAMDEN_TEXT[:start] + CAMDEN_TEXT[CAMDEN_TEXT.index("[ranking]") :]
    _, got = counted(store, parse(text))
    assert set(got.values()) == {0}


def test_row_and_table_evaluation_agree_on_the_flag(store: Path) -> None:
    pop, got = counted(store, CAMDEN)
    assert pop.table is not None
    by_rows = {a.person_id: a for a in evaluate(pop.people, CAMDEN, as_of=AS_OF)}
    by_table = evaluate_table(pop.table, CAMDEN, as_of=AS_OF).scores.to_pylist()
    for row in by_table:
        pid = row["person_id"]
        assert row["flags"] == by_rows[pid].flags
        assert (FLAG in row["flags"]) == (EXPECTED[pid] >= 1), pid


def test_parse_errors_name_the_key() -> None:
    bad_list = CAMDEN_TEXT.replace(
        'exclude_if_any = ["sickle_cell", "immunocompromised"]', 'exclude_if_any = ["sickle"]'
    )
    with pytest.raises(CriteriaError) as info:
        parse(bad_list, source="x.toml")
    assert info.value.key == f"{ACSC}.pqi.11.exclude_if_any" and "'sickle'" in str(info.value)
    bad_age = CAMDEN_TEXT.replace("max_age = 39", "max_age = 17")
    with pytest.raises(CriteriaError) as info:
        parse(bad_age)
    assert info.value.key == f"{ACSC}.pqi.15.max_age"
    bad_transfer = CAMDEN_TEXT.replace(
        'transfer_admit_source_codes = ["4", "5", "6"]', "transfer_admit_source_codes = 4"
    )
    with pytest.raises(CriteriaError) as info:
        parse(bad_transfer)
    assert info.value.key == f"{ACSC}.transfer_admit_source_codes"
    unknown = CAMDEN_TEXT.replace('label = "hypertension"', 'label = "hypertension"\nmax_ages = 3')
    with pytest.raises(CriteriaError) as info:
        parse(unknown)
    assert info.value.key == f"{ACSC}.pqi.07.max_ages"


def test_transfer_codes_are_compared_without_leading_zeros() -> None:
    text = CAMDEN_TEXT.replace(
        'transfer_admit_source_codes = ["4", "5", "6"]', 'transfer_admit_source_codes = ["04", " 5"]'
    )
    assert parse(text).flags.acsc_transfer_admit_sources == ("4", "5")


def test_without_the_procedure_rules_those_stays_count(store: Path) -> None:
    """The procedure exclusions are what keeps those stays out: with the keys removed they count."""
    lines = CAMDEN_TEXT.splitlines(keepends=True)
    text, skip = "", False
    for line in lines:
        if line.startswith("exclude_if_any_procedure") or line.startswith(
            "exclude_if_diagnosis_with_procedure"
        ):
            skip = line.rstrip().endswith("[")  # the multi-line pair list runs to its closing bracket
            continue
        if skip:
            skip = not line.startswith("]")
            continue
        text += line
    _, got = counted(store, parse(text))
    assert {p: got[p] for p in ("hf_cabg", "hf_cabg_b", "htn_ckd_access", "uti_tx_procedure")} == {
        "hf_cabg": 1,
        "hf_cabg_b": 1,
        "htn_ckd_access": 1,
        "uti_tx_procedure": 1,
    }
    assert got["amputation"] == 1 and got["amputation_trauma"] == 0  # PQI 16 unchanged


def test_procedure_set_names_are_checked() -> None:
    bad = CAMDEN_TEXT.replace(
        'procedures = ["lower-extremity_amputation_procedure_codes"]', 'procedures = ["amputation"]'
    )
    with pytest.raises(CriteriaError) as info:
        parse(bad, source="x.toml")
    assert info.value.key == f"{ACSC}.pqi.16.procedures" and "'amputation'" in str(info.value)
    bad_pair = CAMDEN_TEXT.replace(
        '["stage_1_4_kidney_disease", "exclusion_dialysis_access_procedure_codes"]',
        '["stage_1_4_kidney_disease"]',
    )
    with pytest.raises(CriteriaError) as info:
        parse(bad_pair, source="x.toml")
    assert info.value.key == f"{ACSC}.pqi.07.exclude_if_diagnosis_with_procedure"
