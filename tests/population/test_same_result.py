"""One small population as Tuva CSV, Synthea CSV and FHIR NDJSON gives the same feature rows.

The Tuva files are written by hand from the facts in ``formats.py``, following the documented
conventions (docs/population.md, "Synthea and FHIR"), so this also checks that the converters apply
those conventions rather than merely agreeing with each other.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from tandem.population import load_fhir, load_synthea
from tandem.population.features import build_features
from tandem.population.load_tuva import load_directory

from . import formats
from .claims import write_dataset

AS_OF = dt.date.fromisoformat(formats.AS_OF)


def _line(cid: str, pid: str, kind: str, start: str, end: str, org: str, dr: str, allowed: float, paid: float,
          dx: list[str], emergent: bool = False) -> dict[str, Any]:  # fmt: skip
    shapes = {
        "inpatient": {"claim_type": "institutional", "bill_type_code": "111", "revenue_center_code": "0100",
                      "place_of_service_code": "21", "admission_date": start, "discharge_date": end,
                      "facility_npi": org},
        "emergency": {"claim_type": "institutional", "bill_type_code": "131", "revenue_center_code": "0450",
                      "place_of_service_code": "23", "hcpcs_code": "99284", "facility_npi": org},
        "office": {"claim_type": "professional", "place_of_service_code": "11", "hcpcs_code": "99213"},
        # A stay begun in the ED: an inpatient bill with the ED revenue line (and admit type 1, emergent).
        "emergency_admission": {"claim_type": "institutional", "bill_type_code": "111",
                                "revenue_center_code": "0450", "place_of_service_code": "21",
                                "admission_date": start, "discharge_date": end, "facility_npi": org},
    }  # fmt: skip
    row = {
        "claim_id": cid, "person_id": pid, "claim_start_date": start, "claim_end_date": end,
        "rendering_npi": dr, "billing_npi": org, "allowed_amount": allowed, "paid_amount": paid,
        **shapes[kind],
    }  # fmt: skip
    if emergent:
        row["admit_type_code"] = "1"
    for i, code in enumerate(dx, start=1):
        row[f"diagnosis_code_{i}"] = code
    return row


def _fills(
    cid: str, pid: str, ndc: str, start: str, n: int, allowed: float, paid: float, dr: str
) -> list[dict[str, Any]]:
    first = dt.date.fromisoformat(start)
    return [
        {"claim_id": cid, "claim_line_number": k + 1, "person_id": pid, "ndc_code": ndc, "days_supply": 30,
         "dispensing_date": (first + dt.timedelta(days=30 * k)).isoformat(), "allowed_amount": allowed / n,
         "paid_amount": paid / n, "prescribing_provider_npi": dr}
        for k in range(n)
    ]  # fmt: skip


def write_tuva(
    directory: Path, *, procedures: bool = False, reasons: bool = False, admissions: bool = False
) -> Path:
    """The population of ``formats.py`` as claims: conditions active on a visit's date are on its claim.

    ``procedures``: ``formats.PROCEDURES`` as they would be billed -- the heart transplant as ICD-10-PCS
    02YA0Z0 on the stay's institutional claim; the unmapped reconciliation and the office visit's PCI
    (a CPT code on a professional claim) carry no ICD-10-PCS code. ``reasons``: ``formats.REASONS`` as each
    claim's principal (first) diagnosis. ``admissions``: p1's and p3's emergency visits as stays begun in
    the ED (``formats.ADMISSION_ENCOUNTERS`` and ``ADMISSION_PROCEDURES``).
    """
    people = [
        ("p1", "m1", "female", "1950-06-15", "Medicare", "2020-01-01"),
        ("p2", "m2", "male", "1980-01-01", "Aetna", "2021-01-01"),
        ("p3", "m3", "female", "1940-02-02", "Medicare", "2019-01-01"),
    ]
    elig = [
        {"person_id": p, "member_id": m, "gender": g, "birth_date": b, "payer": payer, "plan": payer,
         "enrollment_start_date": start, "enrollment_end_date": "2021-12-31"}
        for p, m, g, b, payer, start in people
    ]  # fmt: skip
    chf, dm, housing, mdd, opioid, copd = "I50.9", "E11.9", "Z59.10", "F32.9", "F11.10", "J44.9"
    medical = [
        _line("e1", "p1", "office", "2020-06-01", "2020-06-01", "org1", "dr1", 150, 120, [chf]),
        _line("e2", "p1", "emergency", "2021-03-01", "2021-03-01", "org2", "dr2", 900, 700, [chf]),
        _line(
            "e3", "p1", "inpatient", "2021-03-02", "2021-03-06", "org2", "dr2", 12000, 10000, [dm, chf], True
        ),
        _line("e4", "p1", "inpatient", "2021-03-20", "2021-03-22", "org3", "dr3", 8000, 6500, [chf, dm]),
        _line("e5", "p1", "office", "2021-04-10", "2021-04-10", "org1", "dr1", 160, 130, [housing, chf, dm]),
        _line("e6", "p1", "office", "2021-05-10", "2021-05-10", "org1", "dr1", 200, 200, [chf, dm]),
        _line("e7", "p2", "office", "2021-02-01", "2021-02-01", "org4", "dr4", 140, 100, [mdd]),
        _line("e8", "p2", "office", "2021-05-01", "2021-05-01", "org4", "dr4", 140, 100, [opioid, mdd]),
        _line("e9", "p3", "office", "2019-01-01", "2019-01-01", "org1", "dr1", 100, 80, [copd]),
        _line("e10", "p3", "emergency", "2021-06-01", "2021-06-01", "org2", "dr2", 1100, 900, [copd]),
    ]
    if reasons:  # e3 was for heart failure: it goes first, ahead of the diabetes diagnosed there
        medical[2].update(diagnosis_code_1=chf, diagnosis_code_2=dm)
    if admissions:
        medical[1] = _line(
            "e2",
            "p1",
            "emergency_admission",
            "2021-03-01",
            "2021-03-01",
            "org2",
            "dr2",
            900,
            700,
            [chf],
            True,
        )
        medical[9] = _line(
            "e10",
            "p3",
            "emergency_admission",
            "2021-06-01",
            "2021-06-01",
            "org2",
            "dr2",
            1100,
            900,
            [copd],
            True,
        )
    if procedures:
        medical[3].update(
            procedure_code_type="icd-10-pcs", procedure_code_1="02YA0Z0", procedure_date_1="2021-03-20"
        )
    pharmacy = [
        *_fills("rx1", "p1", "00093721401", "2021-01-01", 6, 600, 480, "dr1"),
        *_fills("rx2", "p1", "00378180001", "2021-05-01", 2, 40, 30, "dr1"),
        *_fills("rx3", "p2", "00591040401", "2021-02-01", 1, 25, 20, "dr4"),
    ]
    return write_dataset(directory, eligibility=elig, medical=medical, pharmacy=pharmacy)


def _features(db: Path) -> dict[str, dict[str, Any]]:
    return {r["person_id"]: r for r in build_features(AS_OF, db).to_pylist()}


def test_tuva_synthea_and_fhir_give_identical_features(tmp_path: Path) -> None:
    load_directory(write_tuva(tmp_path / "tuva"), tmp_path / "tuva.duckdb")
    load_synthea.load_directory(formats.write_synthea(tmp_path / "synthea"), tmp_path / "synthea.duckdb")
    load_fhir.load_directory(formats.write_fhir_ndjson(tmp_path / "fhir"), tmp_path / "fhir.duckdb")
    tuva = _features(tmp_path / "tuva.duckdb")
    synthea = _features(tmp_path / "synthea.duckdb")
    fhir = _features(tmp_path / "fhir.duckdb")
    assert sorted(tuva) == ["p1", "p2", "p3"]
    for person in tuva:
        assert synthea[person] == tuva[person], person
        assert fhir[person] == tuva[person], person
    # The population is not trivial: the comparison covers non-zero values of the main features.
    p1 = tuva["p1"]
    assert (p1["ip_admits_6m"], p1["readmits_30d_12m"], p1["ed_visits_12m"], p1["active_meds"]) == (
        2,
        1,
        1,
        2,
    )
    assert p1["lace_latest"] is not None and p1["social_needs_flag"] and p1["chronic_conditions"] == 2
    assert tuva["p2"]["sud_flag"] and tuva["p2"]["behavioral_health_flag"]
    assert tuva["p3"]["charlson"] == 1 and p1["allowed_12m"] == 21900.0


def test_bundle_and_older_synthea_headers_give_the_same_features(tmp_path: Path) -> None:
    load_fhir.load_directory(formats.write_fhir_ndjson(tmp_path / "ndjson"), tmp_path / "a.duckdb")
    load_fhir.load_directory(formats.write_fhir_bundle(tmp_path / "bundle"), tmp_path / "b.duckdb")
    old = formats.write_synthea(tmp_path / "old", old_version=True, extra_column=True)
    load_synthea.load_directory(old, tmp_path / "c.duckdb")
    reference = _features(tmp_path / "a.duckdb")
    assert _features(tmp_path / "b.duckdb") == reference
    assert _features(tmp_path / "c.duckdb") == reference


def test_synthea_and_fhir_procedures_give_the_features_of_billed_icd10pcs_codes(tmp_path: Path) -> None:
    load_directory(write_tuva(tmp_path / "tuva", procedures=True), tmp_path / "tuva.duckdb")
    directory = formats.write_synthea(tmp_path / "synthea", procedures=True)
    result = load_synthea.load_directory(directory, tmp_path / "synthea.duckdb")
    assert (result.procedures_stored, result.procedures_not_stored) == (1, 2)
    old = formats.write_synthea(tmp_path / "old", old_version=True, procedures=True)
    load_synthea.load_directory(old, tmp_path / "old.duckdb")
    fhir = load_fhir.load_directory(
        formats.write_fhir_ndjson(tmp_path / "fhir", formats.fhir_resources(procedures=True)),
        tmp_path / "fhir.duckdb",
    )
    assert (fhir.procedures_stored, fhir.procedures_not_stored) == (1, 2)
    tuva = _features(tmp_path / "tuva.duckdb")
    assert _features(tmp_path / "synthea.duckdb") == tuva
    assert _features(tmp_path / "old.duckdb") == tuva
    assert _features(tmp_path / "fhir.duckdb") == tuva
    # The transplant makes p1's second stay a planned readmission: without procedures it counts (above).
    assert tuva["p1"]["readmits_30d_12m"] == 0 and tuva["p1"]["ip_admits_6m"] == 2


def test_encounter_reasons_are_the_principal_diagnosis_in_every_format(tmp_path: Path) -> None:
    load_directory(write_tuva(tmp_path / "tuva", reasons=True), tmp_path / "tuva.duckdb")
    load_synthea.load_directory(formats.write_synthea(tmp_path / "s", reasons=True), tmp_path / "s.duckdb")
    export = formats.write_fhir_ndjson(tmp_path / "f", formats.fhir_resources(reasons=True))
    load_fhir.load_directory(export, tmp_path / "f.duckdb")
    for db in ("tuva", "s", "f"):
        con = duckdb.connect(str(tmp_path / f"{db}.duckdb"), read_only=True)
        try:
            first = con.execute(
                "SELECT diagnosis_code_1, diagnosis_code_2 FROM medical_claim WHERE claim_id = 'e3'"
            ).fetchall()
        finally:
            con.close()
        assert first == [("I509", "E119")], db
    tuva = _features(tmp_path / "tuva.duckdb")
    assert _features(tmp_path / "s.duckdb") == tuva
    assert _features(tmp_path / "f.duckdb") == tuva


def test_admissions_through_the_ed_are_stays_in_every_format(tmp_path: Path) -> None:
    """Synthea keeps a whole hospital course inside one emergency-class encounter; an encounter coded as an
    emergency admission, or one with an admission among its procedures, is a stay begun in the ED, as a
    claims feed would bill it."""
    load_directory(write_tuva(tmp_path / "tuva", admissions=True), tmp_path / "tuva.duckdb")
    synthea = load_synthea.load_directory(
        formats.write_synthea(tmp_path / "s", admissions=True), tmp_path / "s.duckdb"
    )
    assert synthea.procedures_not_stored == 1  # the ICU admission is no ICD-10-PCS code; it still admits
    old = formats.write_synthea(tmp_path / "old", old_version=True, admissions=True)
    load_synthea.load_directory(old, tmp_path / "old.duckdb")
    export = formats.write_fhir_ndjson(tmp_path / "f", formats.fhir_resources(admissions=True))
    load_fhir.load_directory(export, tmp_path / "f.duckdb")
    for db in ("tuva", "s", "old", "f"):
        con = duckdb.connect(str(tmp_path / f"{db}.duckdb"), read_only=True)
        try:
            claims = con.execute(
                "SELECT claim_id, bill_type_code, revenue_center_code, admit_type_code FROM medical_claim "
                "WHERE claim_id IN ('e2', 'e3', 'e10') ORDER BY claim_id"
            ).fetchall()
        finally:
            con.close()
        assert claims == [("e10", "111", "0450", "1"), ("e2", "111", "0450", "1"), ("e3", "111", "0100", "1")]
    tuva = _features(tmp_path / "tuva.duckdb")
    for db in ("s", "old", "f"):
        assert _features(tmp_path / f"{db}.duckdb") == tuva, db
    # p3's asthma visit is now an admission and still an ED visit; p1 has a third stay (two without
    # admissions: test_tuva_synthea_and_fhir_give_identical_features).
    assert (tuva["p3"]["ip_admits_12m"], tuva["p3"]["ed_visits_12m"]) == (1, 1)
    assert (tuva["p1"]["ip_admits_12m"], tuva["p1"]["ed_visits_12m"]) == (3, 1)
