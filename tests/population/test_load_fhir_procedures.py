"""FHIR Claim/EOB ICD-10-PCS procedures reach the store's procedure_code_N / procedure_date_N columns.

The planned-readmission and PQI procedure rules read only these columns, so a FHIR export that codes its
inpatient procedures must fill them as a Tuva file would; other code systems must stay out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tandem.population.features import build_features, open_session
from tandem.population.load_fhir import load_directory
from tandem.population.load_tuva import LoadError

from . import formats
from .claims import store_rows as _rows

PCS = "http://www.cms.gov/Medicare/Coding/ICD10"
SNOMED = "http://snomed.info/sct"
KNEE = "0SRC0JZ"  # replacement of right knee joint with synthetic substitute, open approach
VENT = "5A1945Z"  # respiratory ventilation, 24-96 consecutive hours
AS_OF = dt.date.fromisoformat(formats.AS_OF)
PX_COLUMNS = "procedure_code_type, procedure_code_1, procedure_date_1, procedure_code_2, procedure_date_2"


def _proc(sequence: int, system: str, code: str, date: str | None = None) -> dict[str, Any]:
    proc: dict[str, Any] = {
        "sequence": sequence,
        "procedureCodeableConcept": {"coding": [{"system": system, "code": code}]},
    }
    if date:
        proc["date"] = date
    return proc


def _claim(cid: str, pid: str, encounter: str, procedures: list[dict[str, Any]]) -> dict[str, Any]:
    """A minimal valid R4 Claim for one encounter (the fixture's EOBs stay as they are)."""
    return {
        "resourceType": "Claim",
        "id": cid,
        "status": "active",
        "type": {"coding": [{"code": "institutional"}]},
        "use": "claim",
        "patient": {"reference": f"Patient/{pid}"},
        "created": "2021-03-06",
        "provider": {"display": "provider"},
        "priority": {"coding": [{"code": "normal"}]},
        "insurance": [{"sequence": 1, "focal": True, "coverage": {"reference": f"Coverage/cov-{pid}"}}],
        "procedure": procedures,
        "item": [
            {
                "sequence": 1,
                "productOrService": {"coding": [{"code": "visit"}]},
                "encounter": [{"reference": f"Encounter/{encounter}"}],
            }
        ],
    }


def _knee_and_vent() -> list[dict[str, Any]]:
    # Listed out of order: position follows `sequence`, not list order.
    return [
        _proc(2, PCS, VENT, "2021-03-04T08:00:00Z"),
        _proc(1, PCS, "0SR.C0JZ", "2021-03-03T10:30:00-05:00"),  # a dot is dropped, as for ICD-10-CM
    ]


def _resources(*claims: dict[str, Any]) -> list[dict[str, Any]]:
    return formats.fhir_resources() + list(claims)


def test_claim_procedures_fill_positions_dates_and_type(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    claim = _claim("cl-e3", "p1", "e3", _knee_and_vent())
    load_directory(formats.write_fhir_ndjson(tmp_path / "f", _resources(claim)), db)
    rows = _rows(
        db, f"SELECT claim_id, {PX_COLUMNS}, procedure_code_3 FROM medical_claim WHERE claim_id = 'e3'"
    )
    assert rows == [
        ("e3", "icd-10-pcs", KNEE, dt.date(2021, 3, 3), VENT, dt.date(2021, 3, 4), None),
    ]
    # Every other claim is left without procedures.
    others = _rows(
        db,
        "SELECT count(*) FROM medical_claim WHERE claim_id <> 'e3' "
        "AND (procedure_code_type IS NOT NULL OR procedure_code_1 IS NOT NULL)",
    )
    assert others == [(0,)]


def test_eob_procedures_replace_the_claims(tmp_path: Path) -> None:
    """An adjudicated EOB's procedure list wins over the billed Claim's, as its amounts do."""
    resources = []
    for res in formats.fhir_resources():
        if res["id"] == "eob-e4":
            res = {**res, "procedure": [_proc(1, PCS, VENT, "2021-03-21")]}
        resources.append(res)
    resources.append(_claim("cl-e4", "p1", "e4", [_proc(1, PCS, KNEE, "2021-03-20")]))
    db = tmp_path / "a.duckdb"
    load_directory(formats.write_fhir_ndjson(tmp_path / "f", resources), db)
    rows = _rows(db, f"SELECT {PX_COLUMNS} FROM medical_claim WHERE claim_id = 'e4'")
    assert rows == [("icd-10-pcs", VENT, dt.date(2021, 3, 21), None, None)]


def test_snomed_procedure_is_not_stored_as_icd10pcs(tmp_path: Path) -> None:
    # 609588000: total knee replacement (SNOMED CT) - a valid-looking 9-digit code, not ICD-10-PCS.
    claim = _claim("cl-e3", "p1", "e3", [_proc(1, SNOMED, "609588000", "2021-03-03"), *_knee_and_vent()[:1]])
    db = tmp_path / "a.duckdb"
    load_directory(formats.write_fhir_ndjson(tmp_path / "f", _resources(claim)), db)
    rows = _rows(db, f"SELECT {PX_COLUMNS} FROM medical_claim WHERE claim_id = 'e3'")
    assert rows == [("icd-10-pcs", VENT, dt.date(2021, 3, 4), None, None)]

    only_snomed = _claim("cl-e3", "p1", "e3", [_proc(1, SNOMED, "609588000", "2021-03-03")])
    db2 = tmp_path / "b.duckdb"
    load_directory(formats.write_fhir_ndjson(tmp_path / "g", _resources(only_snomed)), db2)
    rows = _rows(db2, f"SELECT {PX_COLUMNS} FROM medical_claim WHERE claim_id = 'e3'")
    assert rows == [(None, None, None, None, None)]


@pytest.mark.parametrize(
    ("rtype", "code"),
    [
        ("Claim", "0SRC0J"),  # six characters
        ("Claim", "0SRCOJZ"),  # letter O, which ICD-10-PCS never uses
        ("ExplanationOfBenefit", "0SRC0JZ1"),  # eight characters
    ],
)
def test_bad_code_names_file_line_and_path_and_leaves_store_unchanged(
    tmp_path: Path, rtype: str, code: str
) -> None:
    db = tmp_path / "a.duckdb"
    good = formats.write_fhir_ndjson(
        tmp_path / "good", _resources(_claim("cl-e3", "p1", "e3", _knee_and_vent()))
    )
    load_directory(good, db)
    before = _rows(db, "SELECT * FROM medical_claim ORDER BY claim_id")
    counts = _rows(db, "SELECT (SELECT count(*) FROM eligibility), (SELECT count(*) FROM pharmacy_claim)")

    procedures = [_proc(1, PCS, VENT, "2021-03-04"), _proc(2, PCS, code, "2021-03-03")]
    resources = formats.fhir_resources()
    if rtype == "Claim":
        resources.append(_claim("cl-e3", "p1", "e3", procedures))
        line = 1
    else:
        eobs = [r for r in resources if r["resourceType"] == rtype]
        index = next(i for i, r in enumerate(eobs) if r["id"] == "eob-e4")
        eobs[index]["procedure"] = procedures
        line = index + 1
    bad = formats.write_fhir_ndjson(tmp_path / "bad", resources)
    with pytest.raises(LoadError, match="not an ICD-10-PCS code") as info:
        load_directory(bad, db)
    path = "procedure[1].procedureCodeableConcept.coding[0].code"
    assert (info.value.file, info.value.line, info.value.field) == (str(bad / f"{rtype}.ndjson"), line, path)
    assert f"{rtype}.ndjson, line {line}, field '{path}'" in str(info.value)
    assert _rows(db, "SELECT * FROM medical_claim ORDER BY claim_id") == before
    assert (
        _rows(db, "SELECT (SELECT count(*) FROM eligibility), (SELECT count(*) FROM pharmacy_claim)")
        == counts
    )


def test_features_see_the_stays_procedures(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    claim = _claim("cl-e3", "p1", "e3", _knee_and_vent())
    load_directory(formats.write_fhir_ndjson(tmp_path / "f", _resources(claim)), db)
    con = open_session(db)
    try:
        features = build_features(AS_OF, con=con)
        assert features.num_rows == len(formats.PATIENTS)
        rows = con.execute(
            "SELECT s.person_id, s.admit_date, p.procedure_code FROM int_stay_procedures AS p "
            "JOIN int_inpatient_stays AS s USING (stay_id) ORDER BY p.procedure_code"
        ).fetchall()
    finally:
        con.close()
    assert rows == [("p1", dt.date(2021, 3, 2), KNEE), ("p1", dt.date(2021, 3, 2), VENT)]


def test_procedure_resources_code_an_encounter_no_claim_codes(tmp_path: Path) -> None:
    """EHR exports (Synthea's FHIR among them) record procedures as Procedure resources, in SNOMED CT."""
    transplant = formats.fhir_procedure("pr1", "p1", "e4", SNOMED, "32413006", "2021-03-21")
    knee = formats.fhir_procedure("pr2", "p1", "e4", PCS, "0SR.C0JZ", "2021-03-20")  # taken as written
    cancelled = formats.fhir_procedure("pr3", "p1", "e4", SNOMED, "70536003", "2021-03-20", "not-done")
    reconciliation = formats.fhir_procedure("pr4", "p1", "e4", SNOMED, "430193006", "2021-03-20")  # unmapped
    office = formats.fhir_procedure("pr5", "p1", "e5", SNOMED, "415070008", "2021-04-10")  # billed as CPT
    no_visit = formats.fhir_procedure("pr6", "p1", None, SNOMED, "415070008", "2021-04-10")
    # An incremental (_since) export may hold a procedure of an encounter exported earlier: not stored.
    earlier = formats.fhir_procedure("pr8", "p1", "e99", SNOMED, "32413006", "2021-01-10")
    # On e3 the Claim's billed ICD-10-PCS codes stand; the Procedure resource adds nothing.
    billed = formats.fhir_procedure("pr7", "p1", "e3", SNOMED, "32413006", "2021-03-03")
    resources = _resources(_claim("cl-e3", "p1", "e3", _knee_and_vent()))
    resources += [transplant, knee, cancelled, reconciliation, office, no_visit, billed, earlier]
    db = tmp_path / "a.duckdb"
    result = load_directory(formats.write_fhir_ndjson(tmp_path / "f", resources), db)
    assert (result.procedures_stored, result.procedures_not_stored) == (4, 4)
    rows = _rows(db, f"SELECT claim_id, {PX_COLUMNS} FROM medical_claim WHERE claim_id IN ('e3', 'e4', 'e5')")
    assert sorted(rows) == [
        ("e3", "icd-10-pcs", KNEE, dt.date(2021, 3, 3), VENT, dt.date(2021, 3, 4)),
        ("e4", "icd-10-pcs", KNEE, dt.date(2021, 3, 20), "02YA0Z0", dt.date(2021, 3, 21)),
        ("e5", None, None, None, None, None),
    ]


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"encounter": {"reference": "Encounter/e7"}}, "encounter.reference", "an Encounter of this patient"),
        ({"subject": {"reference": "Patient/p9"}}, "subject.reference", "a Patient in the export"),
        ({"code": {"coding": [{"system": PCS, "code": "02YA0ZI"}]}}, "code.coding[0].code", "ICD-10-PCS"),
        ({"performedPeriod": {"start": "2021-02-30"}}, "performedPeriod.start", "invalid Procedure"),
    ],
)
def test_bad_procedure_resource_names_line_and_path(
    tmp_path: Path, change: dict[str, Any], path: str, message: str
) -> None:
    good = formats.fhir_procedure("pr1", "p1", "e4", SNOMED, "32413006", "2021-03-21")
    bad = {**good, **change}
    db = tmp_path / "a.duckdb"
    load_directory(formats.write_fhir_ndjson(tmp_path / "before", formats.fhir_resources()), db)
    before = _rows(db, "SELECT * FROM medical_claim ORDER BY claim_id")
    export = formats.write_fhir_ndjson(tmp_path / "f", _resources(good, bad))
    with pytest.raises(LoadError, match=message) as info:
        load_directory(export, db)
    assert (info.value.file, info.value.line, info.value.field) == (str(export / "Procedure.ndjson"), 2, path)
    assert _rows(db, "SELECT * FROM medical_claim ORDER BY claim_id") == before
