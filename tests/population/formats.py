"""One small population written as a Synthea CSV export and as FHIR R4 (NDJSON or a Bundle).

The same facts feed both writers, so the loaders can be compared feature for feature; the Tuva
rendering of these facts is written out by hand in ``test_same_result.py``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

# Patients: id, gender, birth date, payer, member id, enrolment start/end, organisation of their care.
PATIENTS = [
    ("p1", "F", "1950-06-15", "Medicare", "m1", "2020-01-01", "2021-12-31"),
    ("p2", "M", "1980-01-01", "Aetna", "m2", "2021-01-01", "2021-12-31"),
    ("p3", "F", "1940-02-02", "Medicare", "m3", "2019-01-01", "2021-12-31"),
]
# Encounters: id, patient, class, start, stop, organisation, provider, total cost, payer coverage.
ENCOUNTERS = [
    ("e1", "p1", "ambulatory", "2020-06-01", "2020-06-01", "org1", "dr1", 150.0, 120.0),
    ("e2", "p1", "emergency", "2021-03-01", "2021-03-01", "org2", "dr2", 900.0, 700.0),
    ("e3", "p1", "inpatient", "2021-03-02", "2021-03-06", "org2", "dr2", 12000.0, 10000.0),
    ("e4", "p1", "inpatient", "2021-03-20", "2021-03-22", "org3", "dr3", 8000.0, 6500.0),
    ("e5", "p1", "ambulatory", "2021-04-10", "2021-04-10", "org1", "dr1", 160.0, 130.0),
    ("e6", "p1", "wellness", "2021-05-10", "2021-05-10", "org1", "dr1", 200.0, 200.0),
    ("e7", "p2", "ambulatory", "2021-02-01", "2021-02-01", "org4", "dr4", 140.0, 100.0),
    ("e8", "p2", "ambulatory", "2021-05-01", "2021-05-01", "org4", "dr4", 140.0, 100.0),
    ("e9", "p3", "ambulatory", "2019-01-01", "2019-01-01", "org1", "dr1", 100.0, 80.0),
    ("e10", "p3", "emergency", "2021-06-01", "2021-06-01", "org2", "dr2", 1100.0, 900.0),
]
# Conditions: patient, encounter, SNOMED CT code, description, start, stop.
CONDITIONS = [
    ("p1", "e1", "88805009", "Chronic congestive heart failure (disorder)", "2020-06-01", ""),
    ("p1", "e3", "44054006", "Diabetes mellitus type 2 (disorder)", "2021-03-02", ""),
    ("p1", "e5", "105531004", "Housing unsatisfactory (finding)", "2021-04-10", "2021-05-01"),
    ("p1", "e5", "160903007", "Full-time employment (finding)", "2021-04-10", ""),
    ("p2", "e7", "370143000", "Major depressive disorder (disorder)", "2021-02-01", ""),
    ("p2", "e8", "5602001", "Opioid abuse (disorder)", "2021-05-01", ""),
    ("p3", "e9", "13645005", "Chronic obstructive lung disease (disorder)", "2019-01-01", ""),
]
# Medications: id, patient, encounter, RxNorm, start, stop, dispenses, total cost, payer coverage.
MEDICATIONS = [
    ("rx1", "p1", "e1", "310965", "2021-01-01", "2021-07-01", 6, 600.0, 480.0),
    ("rx2", "p1", "e5", "860975", "2021-05-01", "2021-07-01", 2, 40.0, 30.0),
    ("rx3", "p2", "e7", "312940", "2021-02-01", "2021-03-03", 1, 25.0, 20.0),
]
# Procedures (written only when asked): patient, encounter, SNOMED CT code, description, date. A heart
# transplant on p1's second stay makes that readmission planned (CMS PA v4.0: always-planned CCS 176); the
# medication reconciliation has no ICD-10-PCS mapping and the office-visit PCI would be billed as CPT.
PROCEDURES = [
    ("p1", "e4", "32413006", "Transplantation of heart (procedure)", "2021-03-20"),
    ("p1", "e4", "430193006", "Medication Reconciliation (procedure)", "2021-03-20"),
    ("p1", "e5", "415070008", "Percutaneous coronary intervention (procedure)", "2021-04-10"),
]
# Encounter reasons (written only when asked): p1's first stay was for heart failure, which then comes first
# on its claim (the principal diagnosis) ahead of the diabetes diagnosed there.
REASONS = {"e3": ("88805009", "Chronic congestive heart failure (disorder)")}
# Admissions through the ED (written only when asked), as Synthea records them inside an emergency-class
# encounter: p3's visit is coded as an emergency admission for asthma, and p1's has an intensive-care
# admission among its procedures. Each becomes an inpatient stay begun in the ED.
ADMISSION_ENCOUNTERS = {"e10": ("183478001", "Emergency hospital admission for asthma")}
ADMISSION_PROCEDURES = [
    ("p1", "e2", "305351004", "Admission to intensive care unit (procedure)", "2021-03-01")
]
AS_OF = "2021-06-30"


def _ts(date: str, hour: int = 9) -> str:
    return f"{date}T{hour:02d}:00:00Z"


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def write_synthea(
    directory: Path,
    *,
    old_version: bool = False,
    extra_column: bool = False,
    procedures: bool = False,
    reasons: bool = False,
    admissions: bool = False,
) -> Path:
    """``old_version``: a Synthea 2.x-style header (no MIDDLE/FIPS/INCOME/SYSTEM, COST, year spans, DATE)."""
    directory.mkdir(parents=True, exist_ok=True)
    extra = ["SHOE_SIZE"] if extra_column else []
    pat_cols = ["Id", "BIRTHDATE", "DEATHDATE", "SSN", "FIRST", "LAST", "RACE", "GENDER", *extra]
    if not old_version:
        pat_cols[5:5] = ["MIDDLE"]
        pat_cols += ["FIPS", "INCOME"]
    rows = []
    for pid, gender, birth, *_ in PATIENTS:
        values = {"Id": pid, "BIRTHDATE": birth, "GENDER": gender, "RACE": "white", "FIRST": "A", "LAST": "B"}
        rows.append([values.get(c, "44" if c == "SHOE_SIZE" else "") for c in pat_cols])
    _write_csv(directory / "patients.csv", pat_cols, rows)

    cost = "COST" if old_version else "TOTAL_CLAIM_COST"
    enc_cols = ["Id", "START", "STOP", "PATIENT", "ORGANIZATION", "PROVIDER", "PAYER", "ENCOUNTERCLASS"]
    enc_cols += ["CODE", "DESCRIPTION", cost, "PAYER_COVERAGE", *extra]
    enc_cols += ["REASONCODE", "REASONDESCRIPTION"] if reasons else []
    payer_of = {p[0]: p[3] for p in PATIENTS}
    rows = [
        [
            eid,
            _ts(start),
            _ts(stop, 10),
            pid,
            org,
            dr,
            payer_of[pid],
            klass,
            *(
                ADMISSION_ENCOUNTERS[eid]
                if admissions and eid in ADMISSION_ENCOUNTERS
                else ("185349003", "visit")
            ),
            total,
            paid,
        ]
        + (["44"] if extra_column else [])
        + (list(REASONS.get(eid, ("", ""))) if reasons else [])
        for eid, pid, klass, start, stop, org, dr, total, paid in ENCOUNTERS
    ]
    _write_csv(directory / "encounters.csv", enc_cols, rows)

    cond_cols = ["START", "STOP", "PATIENT", "ENCOUNTER"] + ([] if old_version else ["SYSTEM"])
    cond_cols += ["CODE", "DESCRIPTION"]
    rows = []
    for pid, eid, code, desc, start, stop in CONDITIONS:
        system = [] if old_version else ["http://snomed.info/sct"]
        rows.append([start, stop, pid, eid, *system, code, desc])
    _write_csv(directory / "conditions.csv", cond_cols, rows)

    med_cols = ["START", "STOP", "PATIENT", "PAYER", "ENCOUNTER", "CODE", "DESCRIPTION", "BASE_COST"]
    med_cols += ["PAYER_COVERAGE", "DISPENSES", "TOTALCOST", "REASONCODE", "REASONDESCRIPTION"]
    rows = [
        [_ts(start), _ts(stop), pid, payer_of[pid], eid, code, "drug", total / n, paid, n, total, "", ""]
        for _, pid, eid, code, start, stop, n, total, paid in MEDICATIONS
    ]
    _write_csv(directory / "medications.csv", med_cols, rows)

    if procedures or admissions:
        date_cols = ["DATE"] if old_version else ["START", "STOP"]
        proc_cols = [*date_cols, "PATIENT", "ENCOUNTER", *([] if old_version else ["SYSTEM"]), "CODE"]
        proc_cols += ["DESCRIPTION", "BASE_COST", "REASONCODE", "REASONDESCRIPTION"]
        rows = []
        chosen = (PROCEDURES if procedures else []) + (ADMISSION_PROCEDURES if admissions else [])
        for pid, eid, code, desc, date in chosen:
            dates = [_ts(date, 11)] if old_version else [_ts(date, 11), _ts(date, 13)]
            system = [] if old_version else ["http://snomed.info/sct"]
            rows.append([*dates, pid, eid, *system, code, desc, 100.0, "", ""])
        _write_csv(directory / "procedures.csv", proc_cols, rows)

    if old_version:
        tr_cols = ["PATIENT", "START_YEAR", "END_YEAR", "PAYER", "OWNERSHIP"]
        rows = [[p[0], p[5][:4], p[6][:4], p[3], "Self"] for p in PATIENTS]
    else:
        tr_cols = ["PATIENT", "MEMBERID", "START_YEAR", "END_YEAR", "PAYER", "SECONDARY_PAYER", "OWNERSHIP"]
        rows = [[p[0], p[4], _ts(p[5]), _ts(p[6]), p[3], "", "Self"] for p in PATIENTS]
    _write_csv(directory / "payer_transitions.csv", tr_cols, rows)
    return directory


def fhir_procedure(
    rid: str, pid: str, eid: str | None, system: str, code: str, date: str, status: str = "completed"
) -> dict[str, Any]:
    """A Procedure as an EHR export (Synthea's FHIR exporter among them) writes one."""
    proc: dict[str, Any] = {
        "resourceType": "Procedure",
        "id": rid,
        "status": status,
        "code": {"coding": [{"system": system, "code": code}]},
        "subject": {"reference": f"Patient/{pid}"},
        "performedPeriod": {"start": f"{date}T11:00:00Z", "end": f"{date}T13:00:00Z"},
    }
    if eid:
        proc["encounter"] = {"reference": f"Encounter/{eid}"}
    return proc


def fhir_resources(
    *, procedures: bool = False, reasons: bool = False, admissions: bool = False
) -> list[dict[str, Any]]:
    """``procedures``: ``PROCEDURES`` as SNOMED CT-coded Procedure resources; ``reasons``: ``REASONS`` as
    Encounter.reasonCode; ``admissions``: ``ADMISSION_ENCOUNTERS`` as Encounter.type and
    ``ADMISSION_PROCEDURES`` as Procedure resources."""
    out: list[dict[str, Any]] = []
    chosen = (PROCEDURES if procedures else []) + (ADMISSION_PROCEDURES if admissions else [])
    out += [
        fhir_procedure(f"proc{i}", pid, eid, "http://snomed.info/sct", code, date)
        for i, (pid, eid, code, _desc, date) in enumerate(chosen)
    ]
    for pid, gender, birth, payer, member, start, end in PATIENTS:
        out.append(
            {
                "resourceType": "Patient",
                "id": pid,
                "gender": {"F": "female", "M": "male"}[gender],
                "birthDate": birth,
            }
        )
        out.append(
            {
                "resourceType": "Coverage",
                "id": f"cov-{pid}",
                "status": "active",
                "subscriberId": member,
                "beneficiary": {"reference": f"Patient/{pid}"},
                "period": {"start": start, "end": end},
                "payor": [{"display": payer}],
            }
        )
    classes = {"ambulatory": "AMB", "wellness": "AMB", "emergency": "EMER", "inpatient": "IMP"}
    for eid, pid, klass, start, stop, org, dr, total, paid in ENCOUNTERS:
        out.append(
            {
                "resourceType": "Encounter",
                "id": eid,
                "status": "finished",
                "class": {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                    "code": classes[klass],
                },
                "subject": {"reference": f"Patient/{pid}"},
                "participant": [{"individual": {"reference": f"Practitioner/{dr}"}}],
                "period": {"start": f"{start}T09:00:00Z", "end": f"{stop}T10:00:00Z"},
                "serviceProvider": {"reference": f"Organization/{org}"},
            }
        )
        if admissions and eid in ADMISSION_ENCOUNTERS:
            code, display = ADMISSION_ENCOUNTERS[eid]
            out[-1]["type"] = [
                {"coding": [{"system": "http://snomed.info/sct", "code": code, "display": display}]}
            ]
        if reasons and eid in REASONS:
            code, display = REASONS[eid]
            out[-1]["reasonCode"] = [
                {"coding": [{"system": "http://snomed.info/sct", "code": code, "display": display}]}
            ]
        out.append(_eob(f"eob-{eid}", pid, total, paid, item_encounter=eid))
    for i, (pid, eid, code, desc, start, stop) in enumerate(CONDITIONS):
        cond: dict[str, Any] = {
            "resourceType": "Condition",
            "id": f"c{i}",
            "subject": {"reference": f"Patient/{pid}"},
            "encounter": {"reference": f"Encounter/{eid}"},
            "code": {"coding": [{"system": "http://snomed.info/sct", "code": code, "display": desc}]},
            "onsetDateTime": start,
        }
        if stop:
            cond["abatementDateTime"] = stop
        out.append(cond)
    for rid, pid, eid, code, start, _stop, n, total, paid in MEDICATIONS:
        out.append(
            {
                "resourceType": "MedicationRequest",
                "id": rid,
                "status": "completed",
                "intent": "order",
                "subject": {"reference": f"Patient/{pid}"},
                "encounter": {"reference": f"Encounter/{eid}"},
                "authoredOn": start,
                "medicationCodeableConcept": {
                    "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": code}]
                },
                "dispenseRequest": {
                    "numberOfRepeatsAllowed": n - 1,
                    "expectedSupplyDuration": {"value": 30, "unit": "days", "code": "d"},
                },
            }
        )
        out.append(_eob(f"eob-{rid}", pid, total, paid, prescription=rid))
    return out


def _eob(eid: str, pid: str, total: float, paid: float, **link: str) -> dict[str, Any]:
    def cat(code: str) -> dict[str, Any]:
        system = "http://terminology.hl7.org/CodeSystem/adjudication"
        return {"coding": [{"system": system, "code": code}]}

    eob: dict[str, Any] = {
        "resourceType": "ExplanationOfBenefit",
        "id": eid,
        "status": "active",
        "type": {"coding": [{"code": "institutional"}]},
        "use": "claim",
        "patient": {"reference": f"Patient/{pid}"},
        "created": "2021-12-31",
        "insurer": {"display": "payer"},
        "provider": {"display": "provider"},
        "outcome": "complete",
        "insurance": [{"focal": True, "coverage": {"reference": f"Coverage/cov-{pid}"}}],
        "total": [
            {"category": cat("submitted"), "amount": {"value": total, "currency": "USD"}},
            {"category": cat("benefit"), "amount": {"value": paid, "currency": "USD"}},
        ],
    }
    if "item_encounter" in link:
        eob["item"] = [
            {
                "sequence": 1,
                "productOrService": {"coding": [{"code": "visit"}]},
                "encounter": [{"reference": f"Encounter/{link['item_encounter']}"}],
            }
        ]
    if "prescription" in link:
        eob["prescription"] = {"reference": f"MedicationRequest/{link['prescription']}"}
    return eob


def write_fhir_ndjson(directory: Path, resources: list[dict[str, Any]] | None = None) -> Path:
    """One file per resource type, as a Bulk Data export writes them."""
    directory.mkdir(parents=True, exist_ok=True)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for res in resources if resources is not None else fhir_resources():
        by_type.setdefault(res["resourceType"], []).append(res)
    for rtype, items in by_type.items():
        (directory / f"{rtype}.ndjson").write_text("".join(json.dumps(r) + "\n" for r in items))
    return directory


def write_fhir_bundle(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    entries = [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in fhir_resources()]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    (directory / "bundle.json").write_text(json.dumps(bundle, indent=1))
    return directory
