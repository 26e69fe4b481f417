"""Integrity of the shipped SNOMED CT -> ICD-10-CM table (src/tandem/population/data/snomed_icd10_map.csv)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from tandem.population.load_common import SNOMED_MAP_PATH, load_snomed_map

COLUMNS = [
    "snomed_code",
    "snomed_description",
    "icd10cm_code",
    "icd10cm_description",
    "basis",
    "source",
    "map_version",
]
# Letter, digit, digit-or-letter, then optionally a dot and 1-4 more characters (7th characters included).
ICD10CM_FORM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
EVIDENCE = "Synthea condition_code_map.json"
# The second kind of evidence: a meaning match against the ICD-10-CM tabular (CDC XML, FY2026).
TABULAR_EVIDENCE = "icd10c-tabular-April-1-2026.xml"
# The dbt-synthea seed carries this id (10939881000119105 rounded through a float); kept so the sample loads.
KNOWN_BAD_ID = "10939881000119104"

_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def _verhoeff_ok(sctid: str) -> bool:
    check = 0
    for i, ch in enumerate(reversed(sctid)):
        check = _D[check][_P[i % 8][int(ch)]]
    return check == 0


def _rows() -> list[dict[str, str]]:
    with Path(SNOMED_MAP_PATH).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_snomed_codes_are_unique_and_well_formed() -> None:
    rows = _rows()
    codes = [r["snomed_code"] for r in rows]
    assert len(codes) == len(set(codes)) > 100
    for code in codes:
        assert code.isdigit() and 6 <= len(code) <= 18, code
        assert _verhoeff_ok(code) or code == KNOWN_BAD_ID, f"{code} fails the SNOMED CT check digit"
    assert "10939881000119105" in codes  # the real id of the concept behind KNOWN_BAD_ID


def test_targets_have_icd10cm_form_and_agree_with_basis() -> None:
    for row in _rows():
        target = row["icd10cm_code"]
        if row["basis"].startswith("not coded"):
            assert target == "" and row["icd10cm_description"] == "", row["snomed_code"]
            continue
        assert row["basis"].startswith(("exact", "approximate")), row["snomed_code"]
        assert ICD10CM_FORM.match(target), f"{row['snomed_code']}: {target!r} is not an ICD-10-CM code"
        assert row["icd10cm_description"], row["snomed_code"]


# G35 (multiple sclerosis) is a category in FY2026 (G35.A-G35.D); it stays the target because the shipped CCW
# list, which reads the code for multiple sclerosis, has G35 and none of its new children.
NOT_BILLABLE_IN_FY2026 = {"G35"}


def test_targets_are_billable_fy2026_codes_with_their_tabular_titles() -> None:
    """A target that is a category (Z59.1 became one, with Z59.10-Z59.19) is not a code a claim can carry,
    and one missing from the tabular list would match no value set; the title shows the row means the code."""
    import simple_icd_10_cm as icd

    checked = 0
    for row in _rows():
        target = row["icd10cm_code"]
        if not target:
            continue
        assert icd.is_valid_item(target), f"{row['snomed_code']}: {target} is not in the FY2026 tabular"
        if target in NOT_BILLABLE_IN_FY2026:
            assert not icd.is_leaf(target)  # drop the exception once the CCW list catches up
            continue
        assert icd.is_leaf(target), f"{row['snomed_code']}: {target} is a category, not a billable code"
        title = icd.get_description(target)
        assert row["icd10cm_description"].lower() == title.lower(), (row["snomed_code"], title)
        checked += 1
    assert checked > 150


def test_every_row_names_its_evidence_or_says_unverified() -> None:
    rows = _rows()
    for row in rows:
        source = row["source"]
        if source.startswith("verified against the ICD-10-CM tabular"):
            assert TABULAR_EVIDENCE in source and "meaning match" in source, row["snomed_code"]
            assert row["basis"].startswith("exact"), row["snomed_code"]
        elif source.startswith("verified"):
            assert EVIDENCE in source and "Umbizo/ModSynthea" in source, row["snomed_code"]
        elif row["basis"].startswith("not coded"):
            assert "reasoning reviewed" in source and "unverified" in source, row["snomed_code"]
        else:
            assert source.startswith("unverified"), row["snomed_code"]
        if source.startswith("verified"):
            assert "hand-assigned offline" not in row["basis"], row["snomed_code"]
        assert row["map_version"] == "tandem-2026.2"
    # The split docs/population.md and data/README.md state: crosswalk-verified, tabular-verified,
    # unverified, not coded.
    crosswalk = sum(r["source"].startswith("verified against Synthea") for r in rows)
    tabular = sum(r["source"].startswith("verified against the ICD-10-CM tabular") for r in rows)
    not_coded = sum(r["basis"].startswith("not coded") for r in rows)
    unverified = sum(r["source"].startswith("unverified") for r in rows)
    assert (crosswalk, tabular, unverified, not_coded) == (274, 17, 11, 8)
    assert crosswalk + tabular + unverified + not_coded == len(rows)


# Evidence for the spot checks: Synthea's SNOMED -> ICD-10-CM crosswalk for its CMS export,
# src/main/resources/export/condition_code_map.json as read in github.com/Umbizo/ModSynthea (commit 0854929),
# and, for the last group, the ICD-10-CM tabular FY2026 (CDC icd10c-tabular-April-1-2026.xml).
@pytest.mark.parametrize(
    ("snomed", "icd10cm"),
    [
        ("44054006", "E119"),  # type 2 diabetes: crosswalk E11.9
        ("59621000", "I10"),  # essential hypertension: crosswalk P29.2 / I10
        ("433144002", "N1830"),  # CKD stage 3: crosswalk N18.30
        ("370143000", "F329"),  # major depressive disorder: crosswalk F32.9
        ("105531004", "Z5910"),  # housing unsatisfactory: crosswalk Z59.1, a category since; Z59.10 NOS
        ("266948004", "Z653"),  # criminal record: crosswalk Z65.3
        # corrected rows
        ("1551000119108", "E113299"),  # crosswalk E11.3299; E11.329 needs a 7th character since FY2017
        ("127013003", "E1121"),  # crosswalk E11.21; was E11.22, which asserts CKD
        ("422650009", "Z604"),  # social isolation: crosswalk Z60.4
        ("424393004", "Z608"),  # violence in the environment: crosswalk Z60.8; was Z65.4 (victim of crime)
        ("200936003", "L930"),  # lupus erythematosus: crosswalk L93.0 (SLE is 55464009)
        # added for the conditions Synthea's disease modules emit beyond the sample export
        ("401303003", "I213"),  # STEMI: crosswalk I21.3
        ("423121009", "C3490"),  # NSCLC TNM stage 4: crosswalk C34.90 (ICD-10-CM codes no stage)
        ("91302008", "A419"),  # sepsis: crosswalk A41.9
        ("427089005", "E089"),  # diabetes due to cystic fibrosis: crosswalk E84.9 / E08.9, the diabetes taken
        ("161665007", "Z940"),  # history of renal transplant: crosswalk Z94.0
        ("287191006", "X838XXA"),  # suicide by suffocation: crosswalk X83.8XX, 7th character added
        # added from the covid19, acute myeloid leukemia, injuries, heart surgery-outcome and other modules
        ("91861009", "C9200"),  # acute myeloid leukemia: crosswalk C92.00
        ("359817006", "S72009A"),  # closed fracture of hip: crosswalk S72.009, 7th character added
        ("84229001", "R5383"),  # fatigue: crosswalk R54 / R53.83, R54 (age-related debility) not taken
        ("770349000", "A4189"),  # sepsis caused by virus: crosswalk B00.7 / U07.1 / B34.9 / A41.89
        ("45816000", "N12"),  # pyelonephritis: crosswalk N12
        ("40541001", "J810"),  # acute pulmonary edema: not in the crosswalk; the tabular title of J81.0
        ("128188000", "G809"),  # cerebral palsy: crosswalk G80.9
        ("47200007", "O0990"),  # high risk pregnancy: crosswalk O26.20 / O09.219 / O09.90
        ("61804006", "M273"),  # alveolitis of jaw: not in the crosswalk; the tabular title of M27.3
        # verified against the ICD-10-CM tabular (FY2026) by title or inclusion term
        ("13645005", "J449"),  # J44.9 inclusion term "Chronic obstructive lung disease NOS"
        ("35489007", "F32A"),  # F32.A inclusion term "Depressive disorder NOS"
        ("128613002", "G40909"),  # G40.909 "Seizure disorder NOS"; crosswalk's G90.3 does not fit
        ("713458007", "Z5982"),  # Z59.82 "Lack of transportation"; crosswalk's Z59.89 predates Z59.82
        ("82423001", "G8929"),  # chronic pain: R52 Excludes1 G89.-; crosswalk's R52 is excluded
    ],
)
def test_spot_checks_of_verified_rows(snomed: str, icd10cm: str) -> None:
    assert load_snomed_map()[snomed] == icd10cm


def test_deliberately_unmapped_findings_stay_unmapped() -> None:
    mapping = load_snomed_map()
    status_findings = ("160903007", "160904001", "5251000175109", "224299000", "741062008", "314529007")
    for status_finding in (*status_findings, "1187604002", "473461003"):
        assert mapping[status_finding] == ""


def test_admission_concepts_are_valid_ids_with_evidence() -> None:
    """The concepts that turn a Synthea/FHIR emergency visit into a stay (load_admission_concepts):
    a wrong id would silently admit nobody, so ids are checked like the map's."""
    from tandem.population.load_common import ADMISSION_CONCEPTS_PATH, load_admission_concepts

    with Path(ADMISSION_CONCEPTS_PATH).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes = [r["snomed_code"] for r in rows]
    assert len(codes) == len(set(codes)) == len(load_admission_concepts()) >= 10
    for row in rows:
        assert _verhoeff_ok(row["snomed_code"]), row["snomed_code"]
        assert row["snomed_description"].endswith("(procedure)") and row["evidence"], row["snomed_code"]
    # An observation stay is billed as outpatient (bill type 13x), so it is deliberately not an admission;
    # neither is an ED visit (50849002 "Emergency room admission").
    assert not {"76464004", "50849002"} & set(codes)
    assert {"183460006", "183452005", "305351004"} <= set(codes)
