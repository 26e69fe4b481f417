"""AHRQ PQI code lists of the ambulatory-care-sensitive admission flag in the shipped criteria files.

The lists, their counts and the spot checks below come from the AHRQ PQI numerator value sets as packaged by
the Tuva Project: github.com/tuva-health/tuva seeds/value_sets/ahrq_measures/pqi__value_sets.csv (commit
e3b5b874329f), column value_set_name (named per PQI in EXPECTED_COUNTS). The file does not name the AHRQ
release; Tuva documents its PQIs as of the 2023 update.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tandem.population.criteria_config import CRITERIA_DIR, load, normalise_code

FILES = ("camden.toml", "careoregon.toml")
SECTION = "[flags.ambulatory_care_sensitive_admission]"

# ICD-10-CM: a letter (U is reserved for WHO/emergency use, not in these lists), a digit, a digit or letter,
# then optionally a dot and 1 to 4 digits or letters (the 7th character may be a letter, placeholder X).
ICD10CM = re.compile(r"[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")

# Block key -> number of codes; source value_set_name in the Tuva file in the comment.
EXPECTED_COUNTS = {
    "PQI 01": 8,  # diabetes_with_short-term_complications_diagnosis_codes (AHRQ ACDIASD)
    "PQI 03": 172,  # diabetes_with_long-term_complications_diagnosis_codes (ACDIALD)
    "PQI 05 COPD": 15,  # chronic_obstructive_pulmonary_disorder (ACCOPDD)
    "PQI 05/15 asthma": 13,  # asthma (PQI 05) and asthma_diagnosis_codes (PQI 15): the same 13 (ACSASTD)
    "PQI 07": 7,  # hypertension_diagnosis_codes (ACSHYPD)
    "PQI 08": 27,  # heart_failure_diagnosis_codes (MRTCHFD)
    "PQI 11": 14,  # community_acquired_bacterial_pneumonia_diagnosis_codes (ACSBACD)
    "PQI 12": 13,  # urinary_tract_infection_diagnosis_codes (ACSUTID)
    "PQI 14": 4,  # uncontrolled_diabetes_diagnosis_codes (ACDIAUD)
}


def _block_key(comment: str) -> str | None:
    """The PQI a '# PQI ...' comment line opens, or None for other comments (e.g. the source line)."""
    if not comment.startswith("PQI "):
        return None
    if "asthma" in comment:
        return "PQI 05/15 asthma"
    if "COPD" in comment:
        return "PQI 05 COPD"
    return comment[:6]


def pqi_blocks(name: str) -> dict[str, list[str]]:
    """The codes of the ACSC section, grouped by the '# PQI ...' comment block they are written under."""
    text = (CRITERIA_DIR / name).read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    body = section[section.index("codes = [") + len("codes = [") : section.index("\n]")]
    blocks: dict[str, list[str]] = {}
    current: str | None = None
    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            key = _block_key(line.lstrip("# "))
            if key is not None:
                assert key not in blocks, f"{name}: two blocks for {key}"
                current = key
                blocks[current] = []
            continue
        codes = re.findall(r'"([^"]*)"', line)
        if codes:
            assert current is not None, f"{name}: codes before the first PQI block"
            blocks[current].extend(codes)
    return blocks


def pqi(name: str, key: str) -> set[str]:
    return {normalise_code(c) for c in pqi_blocks(name)[key]}


@pytest.mark.parametrize("name", FILES)
def test_blocks_and_counts(name: str) -> None:
    blocks = pqi_blocks(name)
    assert {key: len(codes) for key, codes in blocks.items()} == EXPECTED_COUNTS
    # The grouping read from the comments covers exactly the list the TOML parser sees, in order.
    data = tomllib.loads((CRITERIA_DIR / name).read_text(encoding="utf-8"))
    listed = data["flags"]["ambulatory_care_sensitive_admission"]["codes"]
    assert [c for codes in blocks.values() for c in codes] == listed


@pytest.mark.parametrize("name", FILES)
def test_codes_are_icd10cm_forms_without_duplicates(name: str) -> None:
    codes = [c for block in pqi_blocks(name).values() for c in block]
    bad = [c for c in codes if not ICD10CM.fullmatch(c)]
    assert bad == []
    normalised = [normalise_code(c) for c in codes]
    assert len(normalised) == len(set(normalised))
    assert all(3 <= len(c) <= 7 for c in normalised)
    loaded = load(CRITERIA_DIR / name).flags.acsc_codes
    assert loaded is not None and sorted(loaded) == sorted(normalised)


def test_both_files_carry_identical_pqi_lists() -> None:
    camden, careoregon = (pqi_blocks(name) for name in FILES)
    assert camden == careoregon


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


# Spot checks: (block, codes that must be listed, plausible codes that must not be).
SPOT_CHECKS = [
    # ACDIASD: ketoacidosis / hyperosmolarity / hypoglycaemia with coma, type 1 and 2 only. E11.9 (no
    # complication) and E11.65 (hyperglycaemia, PQI 14) are not short-term complications; E13.10 (other
    # specified diabetes) is not in the value set, although the former prefix list had it.
    ("PQI 01", {"E10.10", "E10.11", "E11.00", "E11.641"}, {"E11.9", "E11.65", "E13.10", "E11.649"}),
    # ACDIALD: kidney, eye, nerve, circulatory and other specified complications; not E11.9 (none), E11.65
    # (PQI 14), E11.641 (PQI 01) or E13.22 (other specified diabetes is not in the value set).
    ("PQI 03", {"E11.22", "E10.3291", "E11.37X9", "E11.8"}, {"E11.9", "E11.65", "E11.641", "E13.22"}),
    # ACCOPDD: chronic bronchitis, emphysema, COPD, bronchiectasis; not J40 (bronchitis unspecified),
    # J45.909 (asthma) or J84.10 (interstitial lung disease).
    ("PQI 05 COPD", {"J44.1", "J44.9", "J43.9", "J41.0", "J47.9"}, {"J40", "J45.909", "J84.10"}),
    # ACSASTD: asthma with exacerbation or status asthmaticus, cough variant and other asthma; the
    # uncomplicated codes J45.20, J45.50 and J45.909 are not listed.
    ("PQI 05/15 asthma", {"J45.21", "J45.52", "J45.901", "J45.991"}, {"J45.20", "J45.909", "J45.50"}),
    # ACSHYPD: hypertension without heart failure or CKD stage 5; I11.0 is heart failure (PQI 08), I12.0 is
    # hypertensive CKD stage 5 / ESRD and I13.11 likewise.
    ("PQI 07", {"I10", "I11.9", "I12.9", "I13.10", "I16.0"}, {"I11.0", "I12.0", "I13.11", "I15.0"}),
    # MRTCHFD: heart failure incl. hypertensive heart (and kidney) disease with heart failure; not
    # cardiomyopathy I42.0 or hypertensive heart disease without heart failure I11.9.
    ("PQI 08", {"I50.22", "I50.9", "I09.81", "I11.0", "I13.2", "I50.814"}, {"I42.0", "I11.9", "I13.10"}),
    # ACSBACD: pneumococcal, H. influenzae, streptococcal, staphylococcal (MSSA/MRSA), mycoplasma and
    # unspecified-organism pneumonia; not Klebsiella J15.0, Pseudomonas J15.1, COVID-19 J12.82 or aspiration
    # J69.0.
    ("PQI 11", {"J18.9", "J13", "J15.211", "J15.212", "J16.0"}, {"J15.0", "J15.1", "J12.82", "J69.0"}),
    # ACSUTID: pyelonephritis, cystitis, UTI site not specified; N11.9 (chronic pyelonephritis, in the former
    # prefix list) is in AHRQ's KIDNEY exclusion set instead, and interstitial cystitis N30.10 is not a UTI.
    ("PQI 12", {"N39.0", "N10", "N30.00", "N28.85"}, {"N11.9", "N30.10", "N30.20"}),
    # ACDIAUD: diabetes with hyperglycaemia, or hypoglycaemia without coma, type 1 and 2 only.
    ("PQI 14", {"E11.65", "E10.65", "E10.649", "E11.649"}, {"E13.65", "E11.9", "E11.641"}),
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


def test_source_is_cited_in_the_files() -> None:
    for name in FILES:
        text = Path(CRITERIA_DIR / name).read_text(encoding="utf-8")
        assert "tuva-health/tuva seeds/value_sets/ahrq_measures/pqi__value_sets.csv" in text
