"""FHIR loading: resources are validated with file, NDJSON line and element path; loads are all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tandem.population.load_fhir import load_directory
from tandem.population.load_tuva import LoadError

from . import formats
from .claims import store_rows

EXAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "fhir-r4-examples"
TABLES = ("eligibility", "medical_claim", "pharmacy_claim")
MED = "medicationCodeableConcept"


def _counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for t in TABLES}
    finally:
        con.close()


def _with(rtype: str, index: int, change: dict[str, Any]) -> list[dict[str, Any]]:
    """The fixture resources with the ``index``-th resource of ``rtype`` changed (None deletes a key)."""
    out, seen = [], 0
    for res in formats.fhir_resources():
        if res["resourceType"] == rtype:
            if seen == index:
                res = {k: v for k, v in {**res, **change}.items() if v is not None}
            seen += 1
        out.append(res)
    return out


def test_fixture_loads_and_reloads_without_duplicates(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    directory = formats.write_fhir_ndjson(tmp_path / "f")
    result = load_directory(directory, db)
    assert result.rows_in_store == {"eligibility": 3, "medical_claim": 10, "pharmacy_claim": 9}
    assert result.deliberately_unmapped == 1 and result.unmapped_codes == {}
    load_directory(directory, db)
    assert _counts(db) == result.rows_in_store
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT claim_type, bill_type_code, admit_type_code, allowed_amount, paid_amount FROM medical_claim "
        "WHERE claim_id = 'e3'"
    ).fetchall()
    con.close()
    assert rows == [("institutional", "111", "1", 12000.0, 10000.0)]  # admitted from the ED the day before


@pytest.mark.skipif(
    not (EXAMPLES / "Patient-example.json").exists(), reason=f"FHIR examples not at {EXAMPLES}"
)
def test_official_patient_example_is_read_and_other_types_ignored(tmp_path: Path) -> None:
    directory = tmp_path / "ex"
    directory.mkdir()
    for name in ("Patient-example.json", "CarePlan-example.json", "Goal-example.json"):
        (directory / name).write_text((EXAMPLES / name).read_text())
    result = load_directory(directory, tmp_path / "a.duckdb")
    # The example patient has no encounters or Coverage, so no enrolment span can be derived.
    assert result.rows_in_store == {"eligibility": 0, "medical_claim": 0, "pharmacy_claim": 0}
    assert result.files == [str(directory / "Patient-example.json")]


@pytest.mark.parametrize(
    ("rtype", "index", "change", "path", "message"),
    [
        ("Encounter", 2, {"period": {"start": "2021-02-30"}}, "period.start", "invalid Encounter"),
        ("Encounter", 1, {"class": {"code": "XYZ"}}, "class.code", "unsupported encounter class"),
        ("Patient", 1, {"birthDate": "1980-13-01"}, "birthDate", "invalid Patient"),
        ("Patient", 0, {"shoeSize": 44}, "shoeSize", "invalid Patient"),
        ("Condition", 0, {"subject": {"reference": "Patient/x"}}, "subject.reference", "does not reference"),
        ("MedicationRequest", 1, {MED: {"text": "aspirin"}}, f"{MED}.coding", "RxNorm"),
    ],
)  # fmt: skip
def test_invalid_resource_names_file_line_and_path(
    tmp_path: Path, rtype: str, index: int, change: dict[str, Any], path: str, message: str
) -> None:
    directory = formats.write_fhir_ndjson(tmp_path / "f", _with(rtype, index, change))
    with pytest.raises(LoadError, match=message) as info:
        load_directory(directory, tmp_path / "a.duckdb")
    assert (info.value.file, info.value.line, info.value.field) == (
        str(directory / f"{rtype}.ndjson"),
        index + 1,
        path,
    )
    assert f"{rtype}.ndjson, line {index + 1}, field '{path}'" in str(info.value)


def test_invalid_resource_inside_a_bundle_names_the_entry(tmp_path: Path) -> None:
    directory = formats.write_fhir_bundle(tmp_path / "b")
    bundle = json.loads((directory / "bundle.json").read_text())
    bundle["entry"][6]["resource"]["period"] = {"start": "not a date"}
    assert bundle["entry"][6]["resource"]["resourceType"] == "Encounter"
    (directory / "bundle.json").write_text(json.dumps(bundle))
    with pytest.raises(LoadError) as info:
        load_directory(directory, tmp_path / "a.duckdb")
    assert info.value.field == "entry[6].resource.period.start"


def test_bad_json_line_and_failed_load_leave_store_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    load_directory(formats.write_fhir_ndjson(tmp_path / "good"), db)
    before = _counts(db)
    bad = formats.write_fhir_ndjson(tmp_path / "bad")
    with (bad / "MedicationRequest.ndjson").open("a") as fh:
        fh.write("{not json\n")
    with pytest.raises(LoadError, match="not valid JSON") as info:
        load_directory(bad, db)
    assert (info.value.file, info.value.line) == (str(bad / "MedicationRequest.ndjson"), 4)
    assert _counts(db) == before


def test_without_coverage_enrolment_spans_the_encounters(tmp_path: Path) -> None:
    resources = [r for r in formats.fhir_resources() if r["resourceType"] != "Coverage"]
    db = tmp_path / "a.duckdb"
    load_directory(formats.write_fhir_ndjson(tmp_path / "f", resources), db)
    con = duckdb.connect(str(db), read_only=True)
    spans = con.execute(
        "SELECT person_id, enrollment_start_date::VARCHAR, enrollment_end_date::VARCHAR FROM eligibility "
        "ORDER BY person_id"
    ).fetchall()
    con.close()
    assert spans == [
        ("p1", "2020-06-01", "2021-05-10"),
        ("p2", "2021-02-01", "2021-05-01"),
        ("p3", "2019-01-01", "2021-06-01"),
    ]


def test_encounter_reason_code_is_the_principal_diagnosis(tmp_path: Path) -> None:
    resources = formats.fhir_resources(reasons=True)
    e4 = next(r for r in resources if r["resourceType"] == "Encounter" and r["id"] == "e4")
    e4["reasonCode"] = [{"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "E11.9"}]}]
    db = tmp_path / "a.duckdb"
    load_directory(formats.write_fhir_ndjson(tmp_path / "f", resources), db)
    con = duckdb.connect(str(db), read_only=True)
    first = dict(con.execute("SELECT claim_id, diagnosis_code_1 FROM medical_claim").fetchall())
    con.close()
    assert (first["e3"], first["e4"]) == ("I509", "E119")  # SNOMED CT mapped; ICD-10-CM as written
    e4["reasonCode"][0]["coding"][0]["code"] = "diabetes"
    field = r"field 'reasonCode\[0\]\.coding\[0\]\.code'"
    with pytest.raises(LoadError, match=r"Encounter\.ndjson, line \d+, " + field):
        load_directory(formats.write_fhir_ndjson(tmp_path / "g", resources), db)


def test_an_inpatient_stay_admitted_from_the_ed_is_emergent(tmp_path: Path) -> None:
    """FHIR says where a stay came from in hospitalization.admitSource; "emd" (from the emergency department)
    gives LACE its acuity point even when the export holds no separate ED encounter (e4 follows none)."""
    resources = formats.fhir_resources()
    e4 = next(r for r in resources if r["resourceType"] == "Encounter" and r["id"] == "e4")
    e1 = next(r for r in resources if r["resourceType"] == "Encounter" and r["id"] == "e1")
    source = "http://terminology.hl7.org/CodeSystem/admit-source"
    e4["hospitalization"] = {"admitSource": {"coding": [{"system": source, "code": "emd"}]}}
    e1["hospitalization"] = {"admitSource": {"coding": [{"system": source, "code": "emd"}]}}  # office visit
    db = tmp_path / "a.duckdb"
    load_directory(formats.write_fhir_ndjson(tmp_path / "f", resources), db)
    acuity = dict(store_rows(db, "SELECT claim_id, admit_type_code FROM medical_claim"))
    # e3 follows the ED visit e2; e4 is emergent by its admit source; the office visit e1 stays a visit.
    assert (acuity["e3"], acuity["e4"], acuity["e1"]) == ("1", "1", None)
    e4["hospitalization"]["admitSource"]["coding"][0]["code"] = "gp"  # referred by a general practitioner
    load_directory(formats.write_fhir_ndjson(tmp_path / "g", resources), db)
    assert store_rows(db, "SELECT admit_type_code FROM medical_claim WHERE claim_id = 'e4'") == [(None,)]


def test_a_birth_encounter_is_coded_as_a_delivery_stay(tmp_path: Path) -> None:
    """The same delivery coding as for Synthea CSV (test_load_synthea): an EMER Encounter typed 183460006
    with the pregnancy as its reason becomes a stay begun in the ED whose principal diagnosis is O80."""
    resources = formats.fhir_resources()
    e10 = next(r for r in resources if r["resourceType"] == "Encounter" and r["id"] == "e10")
    snomed = "http://snomed.info/sct"
    e10["type"] = [{"coding": [{"system": snomed, "code": "183460006"}]}]
    e10["reasonCode"] = [{"coding": [{"system": snomed, "code": "72892002"}]}]
    db = tmp_path / "a.duckdb"
    load_directory(formats.write_fhir_ndjson(tmp_path / "f", resources), db)
    row = store_rows(
        db,
        "SELECT bill_type_code, diagnosis_code_1, diagnosis_code_2, diagnosis_code_3 FROM medical_claim "
        "WHERE claim_id = 'e10'",
    )
    assert row == [("111", "O80", "J449", "Z370")]
