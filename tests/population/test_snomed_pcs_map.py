"""The shipped SNOMED CT -> ICD-10-PCS table for Synthea procedures (data/snomed_icd10pcs_map.csv).

Each row is a representative code for a concept that names less than a PCS code does, so what must hold is
what the rules read: every target is a well-formed ICD-10-PCS code that some shipped procedure value set
contains, and the row's `read_by` and CCS category say which -- checked here against those value sets, so
a change to them cannot leave the map claiming something false.
"""

from __future__ import annotations

import csv
from pathlib import Path

from tandem.population.load_common import DATA_DIR, ICD10PCS_RE, SNOMED_PCS_MAP_PATH, load_snomed_pcs_map

from .test_snomed_map import _verhoeff_ok

COLUMNS = [
    "snomed_code",
    "snomed_display",
    "synthea_module",
    "icd10pcs_code",
    "icd10pcs_description",
    "ccs_procedure_category",
    "read_by",
    "choice",
    "synthea_crosswalk",
]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _value_sets() -> dict[str, list[str]]:
    """ICD-10-PCS code -> the rule inputs that list it, worded as the map's `read_by` column."""
    reads: dict[str, list[str]] = {}
    for row in _read(DATA_DIR / "cms_planned_readmission_procedures.csv"):
        reads.setdefault(row["icd_10_pcs"], []).append(f"planned readmission ({row['planned']} planned)")
    for row in _read(DATA_DIR / "ahrq_pqi_procedures.csv"):
        reads.setdefault(row["code"], []).append(f"PQI {row['value_set_name']}")
    for row in _read(DATA_DIR / "cms_chronic_conditions_other_codes.csv"):
        if row["code_system"] == "ICD-10-PCS":
            reads.setdefault(row["code"], []).append(f"CCW {row['condition_column_name']}")
    return reads


def test_columns_and_unique_well_formed_codes() -> None:
    rows = _read(SNOMED_PCS_MAP_PATH)
    with SNOMED_PCS_MAP_PATH.open(encoding="utf-8") as fh:
        assert fh.readline().strip().split(",") == COLUMNS
    codes = [r["snomed_code"] for r in rows]
    assert len(codes) == len(set(codes)) == len(load_snomed_pcs_map()) == 34
    for row in rows:
        assert row["snomed_code"].isdigit() and _verhoeff_ok(row["snomed_code"]), row
        assert ICD10PCS_RE.fullmatch(row["icd10pcs_code"]), row
        assert row["snomed_display"] and row["synthea_module"] and row["icd10pcs_description"], row
        assert row["choice"], row  # what the concept leaves open and how it was filled
    # Synthea's own SNOMED crosswalk for its CMS export (docs/population.md) as second evidence: where it
    # names this concept, our code is one of its targets, or the row says why not.
    evidence = sorted(r["synthea_crosswalk"].split(":")[0] for r in rows)
    assert evidence == ["absent"] * 18 + ["agrees"] * 8 + ["differs"] * 8
    assert all(" - " in r["synthea_crosswalk"] or "diagnosis code" in r["synthea_crosswalk"]
               for r in rows if r["synthea_crosswalk"].startswith("differs"))  # fmt: skip


def test_every_target_is_read_by_the_rules_the_row_names() -> None:
    reads = _value_sets()
    categories = {r["icd_10_pcs"]: r["ccs_procedure_category"] for r in _read(
        DATA_DIR / "cms_planned_readmission_procedures.csv"
    )}  # fmt: skip
    for row in _read(SNOMED_PCS_MAP_PATH):
        code = row["icd10pcs_code"]
        assert reads.get(code), f"{code} is in no procedure value set: mapping it would change nothing"
        assert row["read_by"].split("; ") == reads[code], row
        if code in categories:
            assert row["ccs_procedure_category"] == categories[code], row


def test_spot_checks() -> None:
    mapping = load_snomed_pcs_map()
    # Kidney transplant: always planned (CCS 105) and an immunocompromised state for PQI 11/12.
    assert mapping["70536003"] == "0TY00Z0"
    # PCI and CABG: cardiac procedures excluding PQI 07/08 stays; potentially planned (CCS 45, 44).
    assert (mapping["415070008"], mapping["232717009"]) == ("02703ZZ", "021009W")
    # Foot amputation: the PQI 16 numerator procedure set.
    assert mapping["180030006"] == "0Y6M0Z0"
    # Post-transplant follow-up care is not the operation; ordinary childbirth is read by no rule.
    assert "711446003" not in mapping and "66348005" not in mapping and "386216000" not in mapping
