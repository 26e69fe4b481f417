"""AHRQ PQI code lists of the ambulatory-care-sensitive admission flag in the shipped criteria files.

The lists, their counts and the spot checks below come from the AHRQ PQI value sets as packaged by the Tuva
Project: github.com/tuva-health/tuva seeds/value_sets/ahrq_measures/pqi__value_sets.csv (commit
e3b5b874329f), column value_set_name (named per list in EXPECTED_COUNTS and EXPECTED_EXCLUSIONS). The file
does not name the AHRQ release; Tuva documents its PQIs as of the 2023 update.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tandem.population.criteria_config import CRITERIA_DIR, load, normalise_code, pqi_procedure_sets

FILES = ("camden.toml", "careoregon.toml")
ACSC = "flags.ambulatory_care_sensitive_admission"

# ICD-10-CM: a letter (U is reserved for WHO/emergency use, not in these lists), a digit, a digit or letter,
# then optionally a dot and 1 to 4 digits or letters (the 7th character may be a letter, placeholder X).
ICD10CM = re.compile(r"[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")
# ICD-10-PCS: seven characters, digits and letters other than I and O.
ICD10PCS = re.compile(r"[0-9A-HJ-NP-Z]{7}")

# PQI table -> number of principal-diagnosis codes; source value_set_name in the Tuva file in the comment.
EXPECTED_COUNTS = {
    "01": 8,  # diabetes_with_short-term_complications_diagnosis_codes (AHRQ ACDIASD)
    "03": 172,  # diabetes_with_long-term_complications_diagnosis_codes (ACDIALD)
    "05": 28,  # chronic_obstructive_pulmonary_disorder (ACCOPDD, 15) + asthma (ACSASTD, 13)
    "07": 7,  # hypertension_diagnosis_codes (ACSHYPD)
    "08": 27,  # heart_failure_diagnosis_codes (MRTCHFD)
    "11": 14,  # community_acquired_bacterial_pneumonia_diagnosis_codes (ACSBACD)
    "12": 13,  # urinary_tract_infection_diagnosis_codes (ACSUTID)
    "14": 4,  # uncontrolled_diabetes_diagnosis_codes (ACDIAUD)
    "15": 13,  # asthma_diagnosis_codes (ACSASTD): the same 13 as PQI 05's asthma
    "16": 280,  # diabetes_diagnosis_codes (ACSLEAD), any position, with an amputation procedure
}
# Exclusion list -> number of codes (value_set_name in the comment).
EXPECTED_EXCLUSIONS = {
    "cystic_fibrosis_respiratory_anomalies": 48,  # cystic_fibrosis_and_anomalies_of_the_respiratory_system
    "sickle_cell": 16,  # sickle_cell_anemia_or_hb-s_disease_diagnosis_codes (ACSBA2D)
    "immunocompromised": 168,  # immunocompromised_state_diagnosis_codes (IMMUNID, appendix_c)
    "kidney_urinary_tract": 76,  # kidney_or_urinary_tract_disorder_diagnosis_codes (KIDNEY)
    "stage_1_4_kidney_disease": 2,  # exclusion_kidney_disease_diagnosis_codes (ACSHY2D)
    "traumatic_lower_extremity_amputation": 72,  # traumatic_amputation_of_the_lower_extremity_... (ACLEA2D)
}
# AHRQ procedure value set -> number of ICD-10-PCS codes in data/ahrq_pqi_procedures.csv (same source; the
# source's immunocompromised set also holds a row "IMMUNIP", the set's name, which is not a code: left out).
EXPECTED_PROCEDURE_SETS = {
    "cardiac_procedure_codes": 1801,  # ACSCARP, appendix_b
    "exclusion_dialysis_access_procedure_codes": 116,  # DIALY2P, PQI 07
    "immunocompromised_state_procedure_codes": 151,  # IMMUNIP, appendix_c
    "lower-extremity_amputation_procedure_codes": 41,  # ACSLEAP, PQI 16
}
# Procedure rules per PQI: (numerator sets, exclusion sets, (diagnosis list, procedure set) pairs).
EXPECTED_PROCEDURE_RULES = {
    "07": (
        (),
        ("cardiac_procedure_codes",),
        (("stage_1_4_kidney_disease", "exclusion_dialysis_access_procedure_codes"),),
    ),
    "08": ((), ("cardiac_procedure_codes",), ()),
    "11": ((), ("immunocompromised_state_procedure_codes",), ()),
    "12": ((), ("immunocompromised_state_procedure_codes",), ()),
    "16": (("lower-extremity_amputation_procedure_codes",), (), ()),
}
# AHRQ's age bands and diagnosis exclusions per PQI (the PQI technical specifications; Tuva's pqi models).
EXPECTED_RULES = {
    "01": (18, None, ()),
    "03": (18, None, ()),
    "05": (40, None, ("cystic_fibrosis_respiratory_anomalies",)),
    "07": (18, None, ()),
    "08": (18, None, ()),
    "11": (18, None, ("sickle_cell", "immunocompromised")),
    "12": (18, None, ("kidney_urinary_tract", "immunocompromised")),
    "14": (18, None, ()),
    "15": (18, 39, ("cystic_fibrosis_respiratory_anomalies",)),
    "16": (18, None, ("traumatic_lower_extremity_amputation",)),
}


def raw_flag(name: str) -> dict[str, Any]:
    """The flag's tables as written (dotted codes), for the checks on the file text."""
    data = tomllib.loads((CRITERIA_DIR / name).read_text(encoding="utf-8"))
    flag: dict[str, Any] = data["flags"]["ambulatory_care_sensitive_admission"]
    return flag


def pqi_blocks(name: str) -> dict[str, list[str]]:
    """PQI number -> its principal-diagnosis codes as written."""
    return {key: list(table["codes"]) for key, table in raw_flag(name)["pqi"].items()}


def pqi(name: str, key: str) -> set[str]:
    return {normalise_code(c) for c in pqi_blocks(name)[key]}


def exclusion(name: str, key: str) -> set[str]:
    return {normalise_code(c) for c in raw_flag(name)["exclusion_codes"][key]}


@pytest.mark.parametrize("name", FILES)
def test_blocks_and_counts(name: str) -> None:
    blocks = pqi_blocks(name)
    assert {key: len(codes) for key, codes in blocks.items()} == EXPECTED_COUNTS
    lists = raw_flag(name)["exclusion_codes"]
    assert {key: len(codes) for key, codes in lists.items()} == EXPECTED_EXCLUSIONS
    # What the parser keeps: every numerator code once, in file order, and the rules per PQI.
    flags = load(CRITERIA_DIR / name).flags
    # PQI 16's diabetes codes are matched in any position, not as principal diagnoses: not in acsc_codes.
    principal = [c for key, b in blocks.items() if key != "16" for c in b]
    assert flags.acsc_codes == tuple(dict.fromkeys(normalise_code(c) for c in principal))
    assert {p.key: (p.min_age, p.max_age, p.exclude_if_any) for p in flags.acsc_pqis} == EXPECTED_RULES
    rules = {
        p.key: (p.procedures, p.exclude_if_any_procedure, p.exclude_if_diagnosis_with_procedure)
        for p in flags.acsc_pqis
        if p.procedures or p.exclude_if_any_procedure or p.exclude_if_diagnosis_with_procedure
    }
    assert rules == EXPECTED_PROCEDURE_RULES
    assert flags.acsc_transfer_admit_sources == ("4", "5", "6")


@pytest.mark.parametrize("name", FILES)
def test_codes_are_icd10cm_forms_without_duplicates(name: str) -> None:
    written = [c for block in pqi_blocks(name).values() for c in block]
    written += [c for codes in raw_flag(name)["exclusion_codes"].values() for c in codes]
    bad = [c for c in written if not ICD10CM.fullmatch(c)]
    assert bad == []
    assert all(3 <= len(normalise_code(c)) <= 7 for c in written)
    for codes in [*pqi_blocks(name).values(), *raw_flag(name)["exclusion_codes"].values()]:
        normalised = [normalise_code(c) for c in codes]
        assert len(normalised) == len(set(normalised))


def test_procedure_sets() -> None:
    sets = pqi_procedure_sets()
    assert {name: len(codes) for name, codes in sets.items()} == EXPECTED_PROCEDURE_SETS
    for name, codes in sets.items():
        bad = [c for c in codes if not ICD10PCS.fullmatch(c)]
        assert bad == [], name
    # Spot checks against the ICD-10-PCS tables: coronary bypass (0210093) and heart transplant (02YA0Z0)
    # are cardiac; an arteriovenous fistula for dialysis access (031C0ZF, left radial artery to left lower
    # arm vein) is DIALY2P; kidney transplant (0TY00Z0) is IMMUNIP; below-knee amputation (0Y6H0Z1) is
    # ACSLEAP and toe amputation (0Y6P0Z0) is not; knee replacement (0SRC0JZ) is in none.
    assert {"0210093", "02YA0Z0"} <= sets["cardiac_procedure_codes"]
    assert "031C0ZF" in sets["exclusion_dialysis_access_procedure_codes"]
    assert "0TY00Z0" in sets["immunocompromised_state_procedure_codes"]
    assert "0Y6H0Z1" in sets["lower-extremity_amputation_procedure_codes"]
    assert "0Y6P0Z0" not in sets["lower-extremity_amputation_procedure_codes"]
    assert not any("0SRC0JZ" in codes for codes in sets.values())


def test_both_files_carry_identical_pqi_lists() -> None:
    camden, careoregon = (raw_flag(name) for name in FILES)
    assert camden == careoregon


def test_asthma_is_the_same_list_in_pqi_05_and_15() -> None:
    assert pqi(FILES[0], "15") <= pqi(FILES[0], "05")
    assert len(pqi(FILES[0], "05") - pqi(FILES[0], "15")) == 15  # the COPD codes


def test_no_numerator_code_is_obstetric() -> None:
    """AHRQ's MDC 14 exclusion needs no rule: MDC 14 principal diagnoses are chapter O codes plus A34,
    Z33.2, Z39.0 and Z64.0 (Tuva mdc_14_principal_diagnosis_codes, appendix_f), none on a numerator list."""
    loaded = load(CRITERIA_DIR / FILES[0]).flags.acsc_codes or ()
    assert not [c for c in loaded if c.startswith("O") or c in {"A34", "Z332", "Z390", "Z640"}]


def test_listed_codes_prefix_only_listed_codes() -> None:
    """The facts query matches `code LIKE listed || '%'`: a listed code that is a prefix of another listed
    code (the retired 6-character retinopathy codes E10.321 etc. before their 7-character successors) only
    ever brings in codes of the same PQI 03 list."""
    blocks = {key: {normalise_code(c) for c in codes} for key, codes in pqi_blocks(FILES[0]).items()}
    everything = set().union(*blocks.values())
    for key, codes in blocks.items():
        for short in codes:
            longer = {c for c in everything if c != short and c.startswith(short)}
            assert longer <= codes, (key, short, longer)


# Spot checks: (PQI, codes that must be listed, plausible codes that must not be).
SPOT_CHECKS = [
    # ACDIASD: ketoacidosis / hyperosmolarity / hypoglycaemia with coma, type 1 and 2 only. E11.9 (no
    # complication) and E11.65 (hyperglycaemia, PQI 14) are not short-term complications; E13.10 (other
    # specified diabetes) is not in the value set, although the former prefix list had it.
    ("01", {"E10.10", "E10.11", "E11.00", "E11.641"}, {"E11.9", "E11.65", "E13.10", "E11.649"}),
    # ACDIALD: kidney, eye, nerve, circulatory and other specified complications; not E11.9 (none), E11.65
    # (PQI 14), E11.641 (PQI 01) or E13.22 (other specified diabetes is not in the value set).
    ("03", {"E11.22", "E10.3291", "E11.37X9", "E11.8"}, {"E11.9", "E11.65", "E11.641", "E13.22"}),
    # ACCOPDD: chronic bronchitis, emphysema, COPD, bronchiectasis; not J40 (bronchitis unspecified),
    # J45.909 (asthma) or J84.10 (interstitial lung disease).
    ("05", {"J44.1", "J44.9", "J43.9", "J41.0", "J47.9", "J45.21"}, {"J40", "J45.909", "J84.10"}),
    # ACSASTD: asthma with exacerbation or status asthmaticus, cough variant and other asthma; the
    # uncomplicated codes J45.20, J45.50 and J45.909 are not listed.
    ("15", {"J45.21", "J45.52", "J45.901", "J45.991"}, {"J45.20", "J45.909", "J45.50", "J44.1"}),
    # ACSHYPD: hypertension without heart failure or CKD stage 5; I11.0 is heart failure (PQI 08), I12.0 is
    # hypertensive CKD stage 5 / ESRD and I13.11 likewise.
    ("07", {"I10", "I11.9", "I12.9", "I13.10", "I16.0"}, {"I11.0", "I12.0", "I13.11", "I15.0"}),
    # MRTCHFD: heart failure incl. hypertensive heart (and kidney) disease with heart failure; not
    # cardiomyopathy I42.0 or hypertensive heart disease without heart failure I11.9.
    ("08", {"I50.22", "I50.9", "I09.81", "I11.0", "I13.2", "I50.814"}, {"I42.0", "I11.9", "I13.10"}),
    # ACSBACD: pneumococcal, H. influenzae, streptococcal, staphylococcal (MSSA/MRSA), mycoplasma and
    # unspecified-organism pneumonia; not Klebsiella J15.0, Pseudomonas J15.1, COVID-19 J12.82 or aspiration
    # J69.0.
    ("11", {"J18.9", "J13", "J15.211", "J15.212", "J16.0"}, {"J15.0", "J15.1", "J12.82", "J69.0"}),
    # ACSUTID: pyelonephritis, cystitis, UTI site not specified; N11.9 (chronic pyelonephritis, in the former
    # prefix list) is in AHRQ's KIDNEY exclusion set instead, and interstitial cystitis N30.10 is not a UTI.
    ("12", {"N39.0", "N10", "N30.00", "N28.85"}, {"N11.9", "N30.10", "N30.20"}),
    # ACDIAUD: diabetes with hyperglycaemia, or hypoglycaemia without coma, type 1 and 2 only.
    ("14", {"E11.65", "E10.65", "E10.649", "E11.649"}, {"E13.65", "E11.9", "E11.641"}),
]


@pytest.mark.parametrize(("key", "present", "absent"), SPOT_CHECKS, ids=[s[0] for s in SPOT_CHECKS])
def test_spot_checks(key: str, present: set[str], absent: set[str]) -> None:
    for name in FILES:
        codes = pqi(name, key)
        assert {normalise_code(c) for c in present} <= codes
        assert not {normalise_code(c) for c in absent} & codes


def test_spot_checks_on_the_whole_list() -> None:
    # Not in any PQI: type 2 diabetes without complications, heart failure as a bare category, ESRD.
    loaded = load(CRITERIA_DIR / FILES[0]).flags.acsc_codes or ()
    for code in ("E11.9", "I50", "N18.6", "J45.909"):
        assert normalise_code(code) not in loaded


# Exclusion spot checks: (list, codes that must be listed, plausible codes that must not be).
EXCLUSION_SPOT_CHECKS = [
    # RESPAN: cystic fibrosis (E84.0 pulmonary, E84.11 meconium ileus), respiratory-tract anomalies (Q30-Q34
    # nose, larynx, trachea, bronchus, lung; Q39 oesophagus incl. tracheo-oesophageal fistula), congenital
    # pulmonary conditions of the newborn (P27); not asthma J45.909 or COPD J44.9.
    ("cystic_fibrosis_respiratory_anomalies", {"E84.0", "E84.11", "Q33.0", "Q39.1", "P27.1", "J84.841"},
     {"J45.909", "J44.9", "J98.4"}),
    # ACSBA2D: sickle-cell anemia and HB-S disease; not sickle-cell trait D57.3 or thalassaemia D56.1.
    ("sickle_cell", {"D57.00", "D57.1", "D57.20", "D57.211", "D57.819"}, {"D57.3", "D56.1"}),
    # IMMUNID: HIV disease, transplant status and complications, immunodeficiencies, ESRD, malnutrition;
    # not HIV carrier status Z21, CKD stage 4 N18.4 or type 2 diabetes E11.9.
    ("immunocompromised", {"B20", "Z94.0", "T86.11", "D84.9", "N18.6", "I12.0", "E43", "Z99.2"},
     {"Z21", "N18.4", "E11.9", "D57.00"}),
    # KIDNEY: chronic pyelonephritis (N11), obstructive uropathy (N13.x), congenital renal and urinary-tract
    # anomalies (Q60-Q64); not the UTI numerator codes N39.0, N10.
    ("kidney_urinary_tract", {"N11.9", "N13.6", "N13.721", "Q61.3", "Q64.79"}, {"N39.0", "N10", "N18.6"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "present", "absent"), EXCLUSION_SPOT_CHECKS, ids=[s[0] for s in EXCLUSION_SPOT_CHECKS]
)
def test_exclusion_spot_checks(key: str, present: set[str], absent: set[str]) -> None:
    for name in FILES:
        codes = exclusion(name, key)
        assert {normalise_code(c) for c in present} <= codes
        assert not {normalise_code(c) for c in absent} & codes


def test_source_is_cited_in_the_files() -> None:
    for name in FILES:
        text = Path(CRITERIA_DIR / name).read_text(encoding="utf-8")
        assert "tuva-health/tuva seeds/value_sets/ahrq_measures/pqi__value_sets.csv" in text
        for value_set in (
            "cystic_fibrosis_and_anomalies_of_the_respiratory_system",
            "sickle_cell_anemia_or_hb-s_disease_diagnosis_codes",
            "immunocompromised_state_diagnosis_codes",
            "kidney_or_urinary_tract_disorder_diagnosis_codes",
            "exclusion_kidney_disease_diagnosis_codes",
            "traumatic_amputation_of_the_lower_extremity_diagnosis_codes",
            "diabetes_diagnosis_codes",
            "lower-extremity_amputation_procedure_codes",
        ):
            assert value_set in text, (name, value_set)
