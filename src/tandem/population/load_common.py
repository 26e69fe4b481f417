"""Turn clinical-style records (Synthea CSV, FHIR) into the Tuva-shaped store tables, all-or-nothing.

The Synthea and FHIR loaders only parse and validate their own formats into the small record types
below; the claim conventions (what an inpatient stay or an ED visit looks like as a claim line, which
diagnoses a visit carries, how fills are spread) live here once, so both formats give the features
the same input and a change of convention cannot make them drift apart.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from .load_tuva import CHECKS, ICD10PCS_MESSAGE, ICD10PCS_PATTERN, LoadError, LoadResult, _normalise
from .store import (
    TABLES,
    UNIQUE_KEYS,
    StoredFile,
    commit_files,
    connect,
    discard,
    resolve_db_path,
    write_file,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SNOMED_MAP_PATH = DATA_DIR / "snomed_icd10_map.csv"
SNOMED_PCS_MAP_PATH = DATA_DIR / "snomed_icd10pcs_map.csv"
ADMISSION_CONCEPTS_PATH = DATA_DIR / "snomed_admission_concepts.csv"
# SNOMED CT 183460006 "Obstetric emergency hospital admission": Synthea's pregnancy module holds every birth
# in an encounter with this code (its reason is the pregnancy, "Normal pregnancy" -> Z34.90).
DELIVERY_ADMISSION = "183460006"
# ICD-10-PCS Caesarean delivery: root operation Extraction of products of conception, 10D00Z0-10D00Z2.
CAESAREAN_PCS_PREFIX = "10D00Z"
MAX_DX = 25
MAX_PX = 25  # procedure_code_1..25 of the Tuva input layer (store.TABLES["medical_claim"])
ICD10_RE = re.compile(r"[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}")
ICD10PCS_RE = re.compile(ICD10PCS_PATTERN)  # load_tuva.CHECKS["icd10pcs"]'s rule (source cited there)

# Encounter kinds and the claim line each becomes: (claim_type, bill type, revenue code, POS, HCPCS).
# Synthea and FHIR carry no CPT codes; a representative E/M code stands in so that CMS-HCC's filtering
# (diagnoses count only from face-to-face services) keeps outpatient diagnoses, as it would on real claims.
CLAIM_SHAPES: dict[str, tuple[str, str, str, str, str]] = {
    "inpatient": ("institutional", "111", "0100", "21", ""),
    "emergency": ("institutional", "131", "0450", "23", "99284"),
    # An emergency visit that admitted the patient (``admit_through_emergency``): on claims, an inpatient
    # bill whose emergency-department revenue line shows where the stay began.
    "emergency_admission": ("institutional", "111", "0450", "21", ""),
    "ambulatory": ("professional", "", "", "11", "99213"),
    "outpatient": ("professional", "", "", "11", "99213"),
    "wellness": ("professional", "", "", "11", "99213"),
    "urgentcare": ("professional", "", "", "20", "99213"),
    "home": ("professional", "", "", "12", "99349"),
    "virtual": ("professional", "", "", "02", "99213"),
    "snf": ("institutional", "211", "0100", "31", ""),
    "hospice": ("institutional", "811", "0651", "34", ""),
}


@dataclass(frozen=True)
class Where:
    """Source position of a record, so conversion-time errors still point at the input file."""

    file: str
    line: int | None = None


@dataclass
class Person:
    person_id: str
    gender: str  # male / female / unknown
    birth_date: dt.date
    death_date: dt.date | None
    race: str | None
    where: Where


@dataclass
class Span:
    person_id: str
    member_id: str
    start: dt.date
    end: dt.date
    payer: str
    payer_type: str | None
    where: Where


@dataclass
class Visit:
    visit_id: str
    person_id: str
    kind: str  # a CLAIM_SHAPES key
    start: dt.date
    end: dt.date
    facility: str | None
    provider: str | None
    payer: str | None
    allowed: float | None
    paid: float | None
    where: Where
    # The visit's own reason (Synthea REASONCODE, FHIR reasonCode): its principal diagnosis.
    icd10: list[str] = field(default_factory=list)
    # ICD-10-PCS procedures billed for the visit, in claim sequence order: (code, date performed).
    procedures: list[tuple[str, dt.date | None]] = field(default_factory=list)
    # The source says the stay began in the emergency department (FHIR hospitalization.admitSource "emd").
    emergent: bool = False
    # The encounter is a hospital admission for childbirth (``DELIVERY_ADMISSION``).
    delivery: bool = False


@dataclass
class Problem:
    """A coded condition with its active period; ``visit_id`` is where it was diagnosed."""

    person_id: str
    visit_id: str | None
    start: dt.date
    stop: dt.date | None
    icd10: str


@dataclass
class Prescription:
    rx_id: str
    person_id: str
    rxnorm: str
    start: dt.date
    fills: int
    interval_days: int
    days_supply: int
    allowed_total: float | None
    paid_total: float | None
    prescriber: str | None
    payer: str | None
    where: Where


@dataclass
class Converted:
    persons: list[Person] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    prescriptions: list[Prescription] = field(default_factory=list)
    unmapped: Counter[str] = field(default_factory=Counter)  # source code -> occurrences
    deliberately_unmapped: Counter[str] = field(default_factory=Counter)
    # Procedure codes the loader could not give an ICD-10-PCS code (unmapped, or another code system).
    procedures_not_stored: Counter[str] = field(default_factory=Counter)
    files: list[str] = field(default_factory=list)


@dataclass
class ConvertResult(LoadResult):
    unmapped_codes: dict[str, int] = field(default_factory=dict)
    deliberately_unmapped: int = 0
    procedures_stored: int = 0
    procedures_not_stored: int = 0


def load_snomed_map(path: Path = SNOMED_MAP_PATH) -> dict[str, str]:
    """SNOMED CT concept id -> ICD-10-CM (no dot); an empty target marks a finding we choose not to code."""
    mapping: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            mapping[row["snomed_code"].strip()] = row["icd10cm_code"].strip().replace(".", "").upper()
    return mapping


def map_snomed_condition(code: str, snomed: dict[str, str], conv: Converted) -> str | None:
    """ICD-10-CM for a SNOMED CT concept, or None, counted as unmapped or as deliberately not coded."""
    mapped = snomed.get(code)
    if mapped is None:
        conv.unmapped[code] += 1
    elif not mapped:
        conv.deliberately_unmapped[code] += 1
    return mapped or None


def load_snomed_pcs_map(path: Path = SNOMED_PCS_MAP_PATH) -> dict[str, str]:
    """SNOMED CT procedure concept id -> one ICD-10-PCS code.

    Only procedures some rule reads are mapped (transplants, deliveries, cardiac procedures, amputations,
    joint replacements and a few other operations: docs/population.md). A SNOMED concept names
    less than a PCS code (no body part side, approach or device), so each row is a representative code
    whose CCS category and value-set membership -- all the rules look at -- follow from the concept.
    """
    mapping: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            mapping[row["snomed_code"].strip()] = row["icd10pcs_code"].strip().upper()
    return mapping


def parse_date(value: str | None, where: Where, field_name: str, *, required: bool = True) -> dt.date | None:
    """Accept YYYY-MM-DD or an ISO timestamp (its calendar date as written, no time-zone shift)."""
    text = (value or "").strip()
    if not text:
        if required:
            raise LoadError("value is required", file=where.file, line=where.line, field=field_name)
        return None
    try:
        if len(text) > 10 and text[10] not in "T ":
            raise ValueError(text)
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise LoadError(
            f"not a date or ISO date-time (got {text!r})", file=where.file, line=where.line, field=field_name
        ) from None


def parse_amount(value: str | None, where: Where, field_name: str) -> float | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        amount = float(text)
    except ValueError:
        raise LoadError(
            f"not a number (got {text!r})", file=where.file, line=where.line, field=field_name
        ) from None
    if amount != amount:  # NaN
        raise LoadError("not a number (got 'NaN')", file=where.file, line=where.line, field=field_name)
    return amount


def _check_code(code: str, where: Where, field_name: str, pattern: re.Pattern[str], message: str) -> str:
    """A code in its stored form, or an error at its source element, before the store's generic re-check
    (which could only name the converted column)."""
    cleaned = code.strip().replace(".", "").upper()
    if not pattern.fullmatch(cleaned):
        raise LoadError(f"{message} (got {code!r})", file=where.file, line=where.line, field=field_name)
    return cleaned


def check_icd10(code: str, where: Where, field_name: str) -> str:
    return _check_code(code, where, field_name, ICD10_RE, "not an ICD-10-CM code")


def check_icd10pcs(code: str, where: Where, field_name: str) -> str:
    return _check_code(code, where, field_name, ICD10PCS_RE, ICD10PCS_MESSAGE)


def _visit_codes(
    visit: Visit, at_visit: dict[str, list[Problem]], by_person: dict[str, list[Problem]]
) -> list[str]:
    """Codes on a visit's claim: its own, then those diagnosed there, then every condition active that day.

    Synthea records a chronic condition once, at onset; real claims repeat active problems at each visit,
    and the chronic-condition and Charlson features depend on that repetition.
    """
    codes = list(visit.icd10)
    codes += [p.icd10 for p in sorted(at_visit.get(visit.visit_id, []), key=lambda p: (p.start, p.icd10))]
    active = [
        p
        for p in by_person.get(visit.person_id, [])
        if p.start <= visit.start and (p.stop is None or p.stop >= visit.start)
    ]
    codes += [p.icd10 for p in sorted(active, key=lambda p: (p.start, p.icd10))]
    codes = list(dict.fromkeys(c for c in codes if c))
    if visit.delivery:
        codes = _delivery_codes(codes, visit.procedures)
    return codes[:MAX_DX]


def _delivery_codes(codes: list[str], procedures: list[tuple[str, dt.date | None]]) -> list[str]:
    """A delivery stay's diagnoses as a hospital codes them: a chapter-15 code first, since the principal
    diagnosis is what the obstetric-stay exclusion and the PQI and readmission rules read.

    Synthea gives the birth encounter the pregnancy as its reason (Z34.90), a code the ICD-10-CM tabular
    keeps for supervision of pregnancy (Z34 Excludes1: any complication of pregnancy, O00-O9A). A complication
    already coded (an O code among the visit's) leads; otherwise O82 "Encounter for cesarean delivery without
    indication" after a Caesarean, else O80 "Encounter for full-term uncomplicated delivery" (the tabular's
    inclusion note: "not to be used with any other code from chapter 15"), with Z37.0 "Single live birth",
    the outcome code both ask for. Z34 codes are dropped.
    """
    kept = [c for c in codes if not c.startswith("Z34")]
    obstetric = [c for c in kept if c.startswith("O")]
    if obstetric:
        return [obstetric[0], *[c for c in kept if c != obstetric[0]]]
    caesarean = any(code.startswith(CAESAREAN_PCS_PREFIX) for code, _ in procedures)
    return ["O82" if caesarean else "O80", *kept, "Z370"]


def load_admission_concepts(path: Path = ADMISSION_CONCEPTS_PATH) -> frozenset[str]:
    """SNOMED CT concepts that say a patient was admitted to hospital (data/snomed_admission_concepts.csv).

    Synthea keeps a whole hospital course inside one emergency-class encounter: births, sepsis with days in
    intensive care, burns and fractures sent to a ward all arrive as emergency visits an hour long. Read as
    ED visits they would hide admissions that claims would show, so the encounter's code or a procedure
    recorded in it decides.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        return frozenset(row["snomed_code"].strip() for row in csv.DictReader(fh))


def admit_through_emergency(visit: Visit) -> None:
    """An emergency visit shown to have admitted the patient becomes an inpatient stay begun in the ED; an
    inpatient or outpatient visit keeps its kind (an inpatient encounter coded as an admission already is
    one, and an observation or clinic visit is not turned into a stay)."""
    if visit.kind == "emergency":
        visit.kind = "emergency_admission"


def set_procedures(visit: Visit, found: list[tuple[dt.date | None, str]]) -> None:
    """A visit's procedures from an EHR-style source: each (date, code) once, in date order (undated last)."""
    ordered = sorted(dict.fromkeys(found), key=lambda p: (p[0] or dt.date.max, p[1]))
    visit.procedures = [(code, when) for when, code in ordered]


def _procedure_counts(visits: list[Visit]) -> tuple[int, int]:
    """Procedures that reach ``procedure_code_N`` and those that cannot, as ``to_tuva_rows`` writes them:
    only institutional claims carry ICD-10-PCS (a professional claim reports CPT/HCPCS), in 25 positions."""
    stored = dropped = 0
    for visit in visits:
        kept = len(visit.procedures[:MAX_PX]) if CLAIM_SHAPES[visit.kind][0] == "institutional" else 0
        stored += kept
        dropped += len(visit.procedures) - kept
    return stored, dropped


def _emergent_admissions(visits: list[Visit]) -> set[str]:
    """Inpatient visits that begin on the day an ED visit ends or the day after: LACE's acuity point. A stay
    begun in the ED (``emergency_admission``) is emergent itself and counts as the ED visit before a stay
    that follows it."""
    ed_days: dict[str, set[dt.date]] = {}
    for v in visits:
        if v.kind in ("emergency", "emergency_admission"):
            ed_days.setdefault(v.person_id, set()).update({v.end, v.end + dt.timedelta(days=1)})
    return {
        v.visit_id for v in visits if v.kind == "inpatient" and v.start in ed_days.get(v.person_id, set())
    }


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_tuva_rows(conv: Converted, data_source: str) -> dict[str, list[dict[str, str | None]]]:
    """Apply the shared claim conventions; values are text, as the Tuva validation expects."""
    for v in conv.visits:
        # ICD-10-PCS is the code set for procedures "on hospital inpatients reported by hospitals" (HIPAA code
        # sets, 45 CFR 162.1002); an outpatient or ED facility claim reports CPT/HCPCS. An emergency visit in
        # which a mapped procedure was done (Synthea's myocardial infarctions treated with PCI or CABG inside
        # the ED encounter, a delivery) is therefore billed as a stay begun in the ED. So is one that spans
        # two midnights (Synthea's sepsis encounters last 3-10 days): Medicare's two-midnight benchmark for an
        # inpatient admission (42 CFR 412.3(d)).
        if v.procedures or (v.end - v.start).days >= 2:
            admit_through_emergency(v)
    members = {(s.person_id): s.member_id for s in conv.spans}
    eligibility = []
    persons = {p.person_id: p for p in conv.persons}
    for s in conv.spans:
        p = persons[s.person_id]
        eligibility.append(
            {
                "person_id": s.person_id,
                "member_id": s.member_id,
                "gender": p.gender,
                "race": p.race,
                "birth_date": p.birth_date.isoformat(),
                "death_date": p.death_date.isoformat() if p.death_date else None,
                "enrollment_start_date": s.start.isoformat(),
                "enrollment_end_date": s.end.isoformat(),
                "payer": s.payer,
                "payer_type": s.payer_type,
                "plan": s.payer,
                "data_source": data_source,
                "__file": s.where.file,
                "__line": _text(s.where.line),
            }
        )
    at_visit: dict[str, list[Problem]] = {}
    by_person: dict[str, list[Problem]] = {}
    for prob in conv.problems:
        if prob.visit_id:
            at_visit.setdefault(prob.visit_id, []).append(prob)
        by_person.setdefault(prob.person_id, []).append(prob)
    emergent = _emergent_admissions(conv.visits)
    medical = []
    for v in conv.visits:
        claim_type, bill_type, revenue, pos, hcpcs = CLAIM_SHAPES[v.kind]
        institutional = claim_type == "institutional"
        row: dict[str, str | None] = {
            "claim_id": v.visit_id,
            "claim_line_number": "1",
            "claim_type": claim_type,
            "person_id": v.person_id,
            "member_id": members.get(v.person_id),
            "payer": v.payer,
            "plan": v.payer,
            "claim_start_date": v.start.isoformat(),
            "claim_end_date": v.end.isoformat(),
            "claim_line_start_date": v.start.isoformat(),
            "claim_line_end_date": v.end.isoformat(),
            "admission_date": v.start.isoformat() if bill_type.startswith("11") else None,
            "discharge_date": v.end.isoformat() if bill_type.startswith("11") else None,
            "admit_type_code": "1"
            if v.emergent or v.visit_id in emergent or v.kind == "emergency_admission"
            else None,
            "place_of_service_code": pos,
            "bill_type_code": bill_type or None,
            "revenue_center_code": revenue or None,
            "hcpcs_code": hcpcs or None,
            "rendering_npi": v.provider,
            "billing_npi": v.facility,
            "facility_npi": v.facility if institutional else None,
            "allowed_amount": _text(v.allowed),
            "paid_amount": _text(v.paid),
            "charge_amount": _text(v.allowed),
            "diagnosis_code_type": "icd-10-cm",
            "data_source": data_source,
            "__file": v.where.file,
            "__line": _text(v.where.line),
        }
        for i, code in enumerate(_visit_codes(v, at_visit, by_person), start=1):
            row[f"diagnosis_code_{i}"] = code
        # ICD-10-PCS codes are institutional claim-header fields in the Tuva input layer; a professional
        # claim reports procedures as CPT/HCPCS (hcpcs_code), so a professional visit carries none here.
        if institutional and v.procedures:
            row["procedure_code_type"] = "icd-10-pcs"
            for i, (px, when) in enumerate(v.procedures[:MAX_PX], start=1):
                row[f"procedure_code_{i}"] = px
                row[f"procedure_date_{i}"] = when.isoformat() if when else None
        medical.append(row)
    pharmacy = []
    for rx in conv.prescriptions:
        for k in range(rx.fills):
            pharmacy.append(
                {
                    "claim_id": rx.rx_id,
                    "claim_line_number": str(k + 1),
                    "person_id": rx.person_id,
                    "member_id": members.get(rx.person_id),
                    "payer": rx.payer,
                    "plan": rx.payer,
                    "prescribing_provider_npi": rx.prescriber,
                    "dispensing_date": (rx.start + dt.timedelta(days=k * rx.interval_days)).isoformat(),
                    "ndc_code": f"rxnorm:{rx.rxnorm}",
                    "days_supply": str(rx.days_supply),
                    "allowed_amount": _text(
                        None if rx.allowed_total is None else rx.allowed_total / rx.fills
                    ),
                    "paid_amount": _text(None if rx.paid_total is None else rx.paid_total / rx.fills),
                    "data_source": data_source,
                    "__file": rx.where.file,
                    "__line": _text(rx.where.line),
                }
            )
    return {"eligibility": eligibility, "medical_claim": medical, "pharmacy_claim": pharmacy}


def _as_arrow(table: str, rows: list[dict[str, str | None]]) -> pa.Table:
    names = [c.name for c in TABLES[table]] + ["__file", "__line"]
    arrays = {n: pa.array([r.get(n) for r in rows], type=pa.string()) for n in names}
    arrays["__order"] = pa.array(range(len(rows)), type=pa.int64())
    return pa.table(arrays)


def _validate_converted(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Re-check converted values with the Tuva rules: a safety net that still names the source row."""
    selects, probes = [], []
    for col in TABLES[table]:
        ident = f'"{col.name}"'
        if col.not_null:
            selects.append(f"min(CASE WHEN {ident} IS NULL OR trim({ident}) = '' THEN __order END)")
            probes.append((col.name, "value is required"))
        predicate, message = CHECKS[col.check]
        if predicate != "TRUE" and col.check != "ndc":  # ndc_code carries "rxnorm:<RXCUI>" (documented)
            value = f"nullif(trim({ident}), '')"
            cond = predicate.replace("{v}", value)
            selects.append(f"min(CASE WHEN {value} IS NOT NULL AND NOT ({cond}) THEN __order END)")
            probes.append((col.name, message))
    row = con.execute(f"SELECT {', '.join(selects)} FROM __raw").fetchall()[0]
    failures = [(order, probes[i]) for i, order in enumerate(row) if order is not None]
    if failures:
        order, (name, message) = min(failures, key=lambda f: f[0])
        file, line, bad = con.execute(
            f'SELECT __file, __line, "{name}" FROM __raw WHERE __order = ?', [order]
        ).fetchall()[0]
        raise LoadError(
            f"{message} after conversion to {table}.{name} (got {bad!r})",
            file=str(file),
            line=None if line is None else int(line),
            field=name,
        )


def write_converted(
    conv: Converted, data_source: str, db_path: str | os.PathLike[str] | None
) -> ConvertResult:
    """Stage, check keys, then replace-by-key in one transaction, as the Tuva loader does."""
    tables = to_tuva_rows(conv, data_source)
    result = ConvertResult(files=list(conv.files))
    result.unmapped_codes = dict(conv.unmapped.most_common())
    result.deliberately_unmapped = sum(conv.deliberately_unmapped.values())
    stored, dropped = _procedure_counts(conv.visits)
    result.procedures_stored = stored
    result.procedures_not_stored = sum(conv.procedures_not_stored.values()) + dropped
    con = connect(db_path)
    try:
        for table, rows in tables.items():
            con.register("__raw", _as_arrow(table, rows))
            try:
                _validate_converted(con, table)
                cols = ", ".join(f"{c.name} {c.sql_type}" for c in TABLES[table])
                con.execute(
                    f"CREATE OR REPLACE TEMP TABLE __stage_{table} ({cols}, __file VARCHAR, __line BIGINT)"
                )
                typed = []
                for c in TABLES[table]:
                    check = "text" if c.check == "ndc" else c.check
                    raw = f"nullif(trim(\"{c.name}\"), '')"
                    expr = _normalise(type(c)(c.name, c.sql_type, check), raw)
                    typed.append(f"CAST({expr} AS {c.sql_type})")
                con.execute(
                    f"INSERT INTO __stage_{table} SELECT {', '.join(typed)}, __file, CAST(__line AS BIGINT) "
                    "FROM __raw ORDER BY __order"
                )
            finally:
                con.unregister("__raw")
            _check_keys(con, table)
            result.rows_in_files[table] = len(rows)
        store_path = resolve_db_path(db_path)
        new_files: list[StoredFile] = []
        try:
            for table in tables:
                names = ", ".join(c.name for c in TABLES[table])
                select = f"SELECT {names} FROM __stage_{table}"
                new_files.append(write_file(con, store_path, table, len(tables[table]), select=select))
        except BaseException:
            discard(new_files)
            raise
        label = f"{data_source}: " + ", ".join(conv.files)
        commit_files(con, store_path, new_files, [(t, label, len(tables[t])) for t in tables])
        for table in tables:
            result.rows_in_store[table] = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    finally:
        con.close()
    return result


def _check_keys(con: duckdb.DuckDBPyConnection, table: str) -> None:
    keys = ", ".join(UNIQUE_KEYS[table])
    dup = con.execute(
        f"SELECT __file, __line FROM (SELECT __file, __line, row_number() OVER (PARTITION BY {keys} "
        f"ORDER BY __file, __line) AS n FROM __stage_{table}) WHERE n > 1 ORDER BY __file, __line LIMIT 1"
    ).fetchall()
    if dup:
        file, line = dup[0]
        raise LoadError(
            f"duplicate {table} key ({keys}) after conversion",
            file=str(file),
            line=None if line is None else int(line),
            field=UNIQUE_KEYS[table][0],
        )
