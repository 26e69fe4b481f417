"""Load a Synthea CSV export into the analytics store through the shared claim conventions.

Synthea is an EHR-shaped simulation: it has encounters and problem lists rather than claims, SNOMED CT
rather than ICD-10-CM, and RxNorm rather than NDC. Columns are found by header name because the export's
columns differ between Synthea versions (SPEC.md §5.5).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from .load_common import (
    CLAIM_SHAPES,
    DELIVERY_ADMISSION,
    Converted,
    ConvertResult,
    Person,
    Prescription,
    Problem,
    Span,
    Visit,
    Where,
    admit_through_emergency,
    check_icd10,
    check_icd10pcs,
    load_admission_concepts,
    load_snomed_map,
    load_snomed_pcs_map,
    map_snomed_condition,
    parse_amount,
    parse_date,
    set_procedures,
    write_converted,
)
from .load_tuva import LoadError

DATA_SOURCE = "synthea"
REQUIRED_FILES = ("patients", "encounters", "conditions", "medications")
# procedures.csv codes procedures in SNOMED CT; the ones a rule reads are mapped to ICD-10-PCS
# (load_common.load_snomed_pcs_map) and go on their encounter's institutional claim.
OPTIONAL_FILES = ("payer_transitions", "payers", "procedures")

# Required columns per file; a tuple lists accepted spellings across Synthea versions (first found wins).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "patients": (("Id",), ("BIRTHDATE",), ("GENDER",)),
    "encounters": (("Id",), ("START",), ("PATIENT",), ("ENCOUNTERCLASS",), ("TOTAL_CLAIM_COST", "COST")),
    "conditions": (("START",), ("PATIENT",), ("ENCOUNTER",), ("CODE",)),
    "medications": (("START",), ("PATIENT",), ("ENCOUNTER",), ("CODE",), ("DISPENSES",)),
    "payer_transitions": (("PATIENT",), ("START_DATE", "START_YEAR"), ("END_DATE", "END_YEAR"), ("PAYER",)),
    "payers": (("Id",), ("NAME",)),
    # Synthea 2.x wrote one DATE per procedure; 3.x writes START (and STOP).
    "procedures": (("START", "DATE"), ("PATIENT",), ("ENCOUNTER",), ("CODE",)),
}

PAYER_TYPES = {
    "medicare": "medicare",
    "medicaid": "medicaid",
    "dual eligible": "medicare",
    "no_insurance": "uninsured",
}
SNOMED_RE = re.compile(r"[0-9]{6,18}")
RXNORM_RE = re.compile(r"[0-9]{1,8}")
YEAR_RE = re.compile(r"[0-9]{4}")


class SyntheaFile:
    """One CSV with its header resolved, so every row can be read by canonical name with its line number."""

    def __init__(self, path: Path, name: str):
        self.path = path
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
        self.header = [h.strip() for h in header]
        self.columns: dict[str, str] = {}
        for spellings in REQUIRED[name]:
            found = next((s for s in spellings if s in self.header), None)
            if found is None:
                raise LoadError(
                    f"required column {spellings[0]!r} is missing"
                    + (f" (also accepted: {', '.join(spellings[1:])})" if len(spellings) > 1 else ""),
                    file=str(path),
                    line=1,
                    field=spellings[0],
                )
            self.columns[spellings[0]] = found

    def rows(self) -> Iterator[tuple[Where, dict[str, str]]]:
        with self.path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            for values in reader:
                if not values:
                    continue
                where = Where(str(self.path), reader.line_num)
                if len(values) != len(self.header):
                    raise LoadError(
                        f"{len(values)} values for {len(self.header)} header columns",
                        file=where.file,
                        line=where.line,
                    )
                row = dict(zip(self.header, values, strict=True))
                for canonical, actual in self.columns.items():
                    row[canonical] = row[actual]
                yield where, row


def _find(directory: Path, name: str, required: bool) -> SyntheaFile | None:
    path = directory / f"{name}.csv"
    if not path.is_file():
        if required:
            raise LoadError(f"no {name}.csv found", file=str(directory))
        return None
    return SyntheaFile(path, name)


def _required(row: dict[str, str], name: str, where: Where) -> str:
    value = row[name].strip()
    if not value:
        raise LoadError("value is required", file=where.file, line=where.line, field=name)
    return value


def _snomed_code(code: str, where: Where, field: str = "CODE") -> str:
    if not SNOMED_RE.fullmatch(code):
        raise LoadError(
            f"not a SNOMED CT concept id (got {code!r})", file=where.file, line=where.line, field=field
        )
    return code


def _date(row: dict[str, str], name: str, where: Where) -> dt.date:
    value = parse_date(row.get(name), where, name)
    assert value is not None  # required=True raises instead
    return value


def _span_date(row: dict[str, str], name: str, where: Where, *, end: bool) -> dt.date:
    """Synthea 2.x wrote payer years (``2010``); 3.x writes timestamps under the same column names."""
    text = row[name].strip()
    if YEAR_RE.fullmatch(text):
        return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    return _date(row, name, where)


def _rx_id(patient: str, start: str, code: str, encounter: str, occurrence: int) -> str:
    digest = hashlib.sha1(f"{patient}|{start}|{code}|{encounter}|{occurrence}".encode()).hexdigest()
    return f"synthea-rx-{digest[:20]}"


def convert(directory: str | os.PathLike[str]) -> Converted:
    """Parse and validate every file; raises LoadError naming file, line and column of the first problem."""
    root = Path(directory)
    if not root.is_dir():
        raise LoadError("not a directory", file=str(root))
    files = {n: _find(root, n, True) for n in REQUIRED_FILES}
    files.update({n: _find(root, n, False) for n in OPTIONAL_FILES})
    conv = Converted(files=[str(f.path) for f in files.values() if f is not None])
    snomed = load_snomed_map()

    payer_names: dict[str, str] = {}
    if files["payers"] is not None:
        for where, row in files["payers"].rows():
            payer_names[_required(row, "Id", where)] = row["NAME"].strip() or row["Id"].strip()

    patients = files["patients"]
    assert patients is not None
    for where, row in patients.rows():
        gender = {"M": "male", "F": "female"}.get(row["GENDER"].strip().upper())
        if gender is None:
            raise LoadError(
                f"GENDER must be M or F (got {row['GENDER']!r})",
                file=where.file,
                line=where.line,
                field="GENDER",
            )
        conv.persons.append(
            Person(
                person_id=_required(row, "Id", where),
                gender=gender,
                birth_date=_date(row, "BIRTHDATE", where),
                death_date=parse_date(row.get("DEATHDATE"), where, "DEATHDATE", required=False),
                race=(row.get("RACE") or "").strip() or None,
                where=where,
            )
        )
    known = {p.person_id for p in conv.persons}

    def patient(row: dict[str, str], where: Where, name: str = "PATIENT") -> str:
        value = _required(row, name, where)
        if value not in known:
            raise LoadError(
                f"unknown patient {value!r} (not in patients.csv)",
                file=where.file,
                line=where.line,
                field=name,
            )
        return value

    encounters = files["encounters"]
    assert encounters is not None
    admissions = load_admission_concepts()
    visit_provider: dict[str, str | None] = {}
    for where, row in encounters.rows():
        kind = row["ENCOUNTERCLASS"].strip().lower()
        if kind not in CLAIM_SHAPES:
            raise LoadError(
                f"unknown encounter class {row['ENCOUNTERCLASS']!r} "
                f"(expected one of {', '.join(CLAIM_SHAPES)})",
                file=where.file,
                line=where.line,
                field="ENCOUNTERCLASS",
            )
        start = _date(row, "START", where)
        stop = parse_date(row.get("STOP"), where, "STOP", required=False) or start
        if stop < start:
            raise LoadError("STOP is before START", file=where.file, line=where.line, field="STOP")
        payer = (row.get("PAYER") or "").strip() or None
        provider = (row.get("PROVIDER") or "").strip() or None
        visit = Visit(
            visit_id=_required(row, "Id", where),
            person_id=patient(row, where),
            kind=kind,
            start=start,
            end=stop,
            facility=(row.get("ORGANIZATION") or "").strip() or None,
            provider=provider,
            payer=payer_names.get(payer, payer) if payer else None,
            allowed=parse_amount(row["TOTAL_CLAIM_COST"], where, encounters.columns["TOTAL_CLAIM_COST"]),
            paid=parse_amount(row.get("PAYER_COVERAGE"), where, "PAYER_COVERAGE"),
            where=where,
        )
        # The encounter's reason is its principal diagnosis: first on the claim, where the inpatient rules
        # (PQI, planned readmissions, obstetric stays) read it. Without it, the first condition diagnosed
        # at the visit comes first, as before.
        reason = (row.get("REASONCODE") or "").strip()
        if reason:
            mapped = map_snomed_condition(_snomed_code(reason, where, "REASONCODE"), snomed, conv)
            visit.icd10 += [mapped] if mapped else []
        code = (row.get("CODE") or "").strip()
        if code in admissions:
            admit_through_emergency(visit)  # e.g. "Obstetric emergency hospital admission"
        visit.delivery = code == DELIVERY_ADMISSION
        visit_provider[visit.visit_id] = provider
        conv.visits.append(visit)
    export_end = max((v.end for v in conv.visits), default=dt.date.today())

    conditions = files["conditions"]
    assert conditions is not None
    for where, row in conditions.rows():
        code = _required(row, "CODE", where)
        system = (row.get("SYSTEM") or "").strip().lower()
        if "icd" in system and "10" in system:
            icd = check_icd10(code, where, "CODE")
        else:
            if system and "snomed" not in system:
                raise LoadError(
                    f"unsupported code system {row['SYSTEM']!r}",
                    file=where.file,
                    line=where.line,
                    field="SYSTEM",
                )
            mapped = map_snomed_condition(_snomed_code(code, where), snomed, conv)
            if mapped is None:
                continue
            icd = mapped
        start = _date(row, "START", where)
        conv.problems.append(
            Problem(
                person_id=patient(row, where),
                visit_id=row["ENCOUNTER"].strip() or None,
                start=start,
                stop=parse_date(row.get("STOP"), where, "STOP", required=False),
                icd10=icd,
            )
        )

    medications = files["medications"]
    assert medications is not None
    seen: dict[tuple[str, ...], int] = {}
    for where, row in medications.rows():
        code = _required(row, "CODE", where)
        if not RXNORM_RE.fullmatch(code):
            raise LoadError(
                f"not an RxNorm concept id (got {code!r})", file=where.file, line=where.line, field="CODE"
            )
        text = row["DISPENSES"].strip()
        if not text.isdigit():
            raise LoadError(
                f"not a whole number (got {text!r})", file=where.file, line=where.line, field="DISPENSES"
            )
        fills = int(text)
        start = _date(row, "START", where)
        rx_stop = parse_date(row.get("STOP"), where, "STOP", required=False)
        person = patient(row, where)
        key = (person, row["START"].strip(), code, row["ENCOUNTER"].strip())
        seen[key] = seen.get(key, 0) + 1
        if fills == 0:
            continue
        # Fills are spread evenly over START..STOP (or the export's last encounter for ongoing drugs).
        span = max(((rx_stop or max(export_end, start)) - start).days, 1)
        interval = max(span // fills, 1)
        total = parse_amount(row.get("TOTALCOST"), where, "TOTALCOST")
        if total is None and "BASE_COST" in row:
            base = parse_amount(row["BASE_COST"], where, "BASE_COST")
            total = None if base is None else base * fills
        payer = (row.get("PAYER") or "").strip() or None
        conv.prescriptions.append(
            Prescription(
                rx_id=_rx_id(*key, seen[key]),
                person_id=person,
                rxnorm=code,
                start=start,
                fills=fills,
                interval_days=interval,
                days_supply=interval,
                allowed_total=total,
                paid_total=parse_amount(row.get("PAYER_COVERAGE"), where, "PAYER_COVERAGE"),
                prescriber=visit_provider.get(row["ENCOUNTER"].strip()),
                payer=payer_names.get(payer, payer) if payer else None,
                where=where,
            )
        )

    if files["procedures"] is not None:
        _read_procedures(files["procedures"], conv, patient)

    transitions = files["payer_transitions"]
    if transitions is not None:
        for where, row in transitions.rows():
            start_col, end_col = transitions.columns["START_DATE"], transitions.columns["END_DATE"]
            start = _span_date(row, start_col, where, end=False)
            end = _span_date(row, end_col, where, end=True)
            if end < start:
                raise LoadError(
                    f"{end_col} is before {start_col}", file=where.file, line=where.line, field=end_col
                )
            payer_id = _required(row, "PAYER", where)
            payer = payer_names.get(payer_id, payer_id)
            person = patient(row, where)
            conv.spans.append(
                Span(
                    person_id=person,
                    member_id=(row.get("MEMBERID") or "").strip() or person,
                    start=start,
                    end=end,
                    payer=payer,
                    payer_type=PAYER_TYPES.get(payer.lower(), "commercial"),
                    where=where,
                )
            )
    _fill_missing_spans(conv)
    return conv


def _read_procedures(
    procedures: SyntheaFile, conv: Converted, patient: Callable[[dict[str, str], Where], str]
) -> None:
    """Attach each mapped procedure to its encounter; count the codes with no ICD-10-PCS equivalent.

    Synthea's many screenings and assessments are not rule inputs and stay unmapped; what reaches a claim
    (institutional visits only) is decided where claims are written (``load_common``).
    """
    pcs_map = load_snomed_pcs_map()
    admissions = load_admission_concepts()
    visits = {v.visit_id: v for v in conv.visits}
    found: dict[str, list[tuple[dt.date | None, str]]] = {}
    for where, row in procedures.rows():
        person = patient(row, where)
        encounter = _required(row, "ENCOUNTER", where)
        visit = visits.get(encounter)
        if visit is None or visit.person_id != person:
            raise LoadError(
                f"unknown encounter {encounter!r} for this patient (not in encounters.csv)",
                file=where.file,
                line=where.line,
                field="ENCOUNTER",
            )
        when = _date(row, "START", where)
        code = _required(row, "CODE", where)
        system = (row.get("SYSTEM") or "").strip().lower()
        pcs: str | None
        if "icd" in system and "10" in system:
            pcs = check_icd10pcs(code, where, "CODE")
        elif not system or "snomed" in system:
            concept = _snomed_code(code, where)
            pcs = pcs_map.get(concept)
            if concept in admissions:
                admit_through_emergency(visit)  # e.g. "Admission to intensive care unit" during an ED visit
        else:
            pcs = None  # CPT, HCPCS and the like: not ICD-10-PCS, so not a procedure_code_N value
        if pcs is None:
            conv.procedures_not_stored[code] += 1
        else:
            found.setdefault(encounter, []).append((when, pcs))
    for encounter, procs in found.items():
        set_procedures(visits[encounter], procs)


def _fill_missing_spans(conv: Converted) -> None:
    """People without payer history get one span over their encounters, so they are still counted."""
    covered = {s.person_id for s in conv.spans}
    first: dict[str, dt.date] = {}
    last: dict[str, dt.date] = {}
    for v in conv.visits:
        first[v.person_id] = min(first.get(v.person_id, v.start), v.start)
        last[v.person_id] = max(last.get(v.person_id, v.end), v.end)
    for p in conv.persons:
        if p.person_id not in covered and p.person_id in first:
            conv.spans.append(
                Span(
                    p.person_id, p.person_id, first[p.person_id], last[p.person_id], "unknown", None, p.where
                )
            )


def load_directory(
    directory: str | os.PathLike[str], db_path: str | os.PathLike[str] | None = None
) -> ConvertResult:
    """Load a Synthea export all-or-nothing; reloading the same export replaces rather than duplicates."""
    return write_converted(convert(directory), DATA_SOURCE, db_path)
