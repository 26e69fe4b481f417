"""Load FHIR R4 Bulk Data NDJSON (or a folder of Bundles) into the analytics store.

Resources are validated against the R4 structure definitions (``fhir.resources.R4B`` models, whose
R4B content model matches R4 for the resources read here) before anything is converted, so a broken
export is rejected with the file, NDJSON line and FHIR element path to fix. Conversion then goes
through the same claim conventions as Synthea (``load_common``), so the features do not depend on the
format the data arrived in.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from .load_common import (
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
    parse_date,
    set_procedures,
    write_converted,
)
from .load_tuva import LoadError

DATA_SOURCE = "fhir"
USED_TYPES = (
    "Patient",
    "Coverage",
    "Encounter",
    "Condition",
    "MedicationRequest",
    "Claim",
    "ExplanationOfBenefit",
    "Procedure",
)
# Procedure resources in these states did not happen (FHIR R4 Procedure.status).
PROCEDURE_NOT_DONE = ("preparation", "not-done", "entered-in-error")
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ADMIT_SOURCE = "http://terminology.hl7.org/CodeSystem/admit-source"  # "emd": from accident/emergency dept.
# ICD-10-PCS in FHIR R4: the preferred URI is CMS's own, the HL7 one is listed as an alternative
# (https://terminology.hl7.org/CodeSystem-icd10PCS.html, https://build.fhir.org/ig/HL7/UTG/NamingSystem-icd10PCS.html).
ICD10PCS = ("http://www.cms.gov/Medicare/Coding/ICD10", "http://terminology.hl7.org/CodeSystem/icd10PCS")
# v3 ActCode encounter classes -> the shared encounter kinds.
ENCOUNTER_CLASSES = {
    "IMP": "inpatient",
    "ACUTE": "inpatient",
    "NONAC": "snf",
    "EMER": "emergency",
    "AMB": "ambulatory",
    "OBSENC": "outpatient",
    "SS": "outpatient",
    "PRENC": "ambulatory",
    "FLD": "ambulatory",
    "HH": "home",
    "VR": "virtual",
}
SUPPLY_UNIT_DAYS = {"d": 1, "day": 1, "days": 1, "wk": 7, "week": 7, "mo": 30, "month": 30}
DEFAULT_DAYS_SUPPLY = 30


class Resource:
    """A validated resource as plain JSON plus where it came from."""

    def __init__(self, data: dict[str, Any], where: Where, path_prefix: str):
        self.data = data
        self.where = where
        self.prefix = path_prefix  # "" for NDJSON, "entry[3].resource." inside a Bundle

    def error(self, message: str, path: str) -> LoadError:
        return LoadError(message, file=self.where.file, line=self.where.line, field=self.prefix + path)


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _validate(data: Any, where: Where, prefix: str) -> Resource | None:
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise LoadError(
            "not a FHIR resource (no resourceType)", file=where.file, line=where.line, field=prefix or None
        )
    rtype = data["resourceType"]
    if rtype not in USED_TYPES:
        return None
    try:
        get_fhir_model_class(rtype).model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = _loc(tuple(first["loc"])) or "(resource)"
        raise LoadError(
            f"invalid {rtype}: {first['msg']}", file=where.file, line=where.line, field=prefix + path
        ) from None
    return Resource(data, where, prefix)


def _read(root: Path) -> Iterator[Resource]:
    files = sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in (".ndjson", ".json"))
    if not files:
        raise LoadError("no .ndjson or .json files found", file=str(root))
    for path in files:
        if path.suffix.lower() == ".ndjson":
            with path.open(encoding="utf-8") as fh:
                for number, text in enumerate(fh, start=1):
                    if not text.strip():
                        continue
                    where = Where(str(path), number)
                    try:
                        data = json.loads(text)
                    except json.JSONDecodeError as exc:
                        raise LoadError(f"not valid JSON ({exc.msg})", file=where.file, line=number) from None
                    res = _validate(data, where, "")
                    if res is not None:
                        yield res
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise LoadError(f"not valid JSON ({exc.msg})", file=str(path), line=exc.lineno) from None
        where = Where(str(path))
        if isinstance(data, dict) and data.get("resourceType") == "Bundle":
            for i, entry in enumerate(data.get("entry") or []):
                res = _validate((entry or {}).get("resource"), where, f"entry[{i}].resource.")
                if res is not None:
                    yield res
        else:
            res = _validate(data, where, "")
            if res is not None:
                yield res


def _ref_id(ref: Any) -> str | None:
    """``Patient/123``, ``urn:uuid:123`` or an absolute URL all name resource ``123``."""
    if not isinstance(ref, dict) or not isinstance(ref.get("reference"), str):
        return None
    text: str = ref["reference"]
    return text.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _date(res: Resource, value: Any, path: str, *, required: bool) -> dt.date | None:
    text = value if isinstance(value, str) else None
    return parse_date(text, res.where, res.prefix + path, required=required)


def _codings(concept: Any) -> list[dict[str, Any]]:
    return [c for c in (concept or {}).get("coding") or [] if isinstance(c, dict)]


def _money(value: Any) -> float | None:
    if isinstance(value, dict) and value.get("value") is not None:
        return float(value["value"])
    return None


def _totals(res: Resource) -> tuple[float | None, float | None]:
    """Allowed = the 'eligible' total (else 'submitted'); paid = the 'benefit' total (else payment.amount)."""
    by_cat: dict[str, float] = {}
    for t in res.data.get("total") or []:
        amount = _money(t.get("amount"))
        for c in _codings(t.get("category")):
            if amount is not None and c.get("code"):
                by_cat.setdefault(str(c["code"]), amount)
    if res.data.get("resourceType") == "Claim":
        return _money(res.data.get("total")), None
    allowed = by_cat.get("eligible", by_cat.get("submitted"))
    paid = by_cat.get("benefit", _money((res.data.get("payment") or {}).get("amount")))
    return allowed, paid


def _cost_targets(res: Resource) -> list[str]:
    ids = [_ref_id(e) for item in res.data.get("item") or [] for e in item.get("encounter") or []]
    ids.append(_ref_id(res.data.get("prescription")))
    return list(dict.fromkeys(i for i in ids if i))


def _procedures(res: Resource) -> list[tuple[str, dt.date | None]]:
    """ICD-10-PCS codes of a Claim/EOB in ``sequence`` order, each checked where it is written.

    Other systems (SNOMED CT, CPT) are skipped: the store's procedure columns hold ICD-10-PCS only, and the
    feature SQL would misread any other code there.
    """
    found: list[tuple[int, int, str, dt.date | None]] = []
    for i, proc in enumerate(res.data.get("procedure") or []):
        if not isinstance(proc, dict):
            continue
        codes = []
        for j, coding in enumerate(_codings(proc.get("procedureCodeableConcept"))):
            if coding.get("system") in ICD10PCS:
                path = f"{res.prefix}procedure[{i}].procedureCodeableConcept.coding[{j}].code"
                codes.append(check_icd10pcs(str(coding.get("code") or ""), res.where, path))
        if not codes:
            continue
        when = _date(res, proc.get("date"), f"procedure[{i}].date", required=False)
        sequence = proc.get("sequence")
        order = sequence if isinstance(sequence, int) else i + 1
        found += [(order, i, code, when) for code in codes]
    return [(code, when) for _, _, code, when in sorted(found, key=lambda f: (f[0], f[1]))]


def _visit_procedures(by_type: dict[str, list[Resource]]) -> dict[str, list[tuple[str, dt.date | None]]]:
    """Encounter id -> its ICD-10-PCS procedures; an EOB's list (adjudicated) replaces a Claim's (billed),
    as for costs. Every Claim and EOB is checked, whether or not its list is used."""
    chosen: dict[str, list[tuple[str, dt.date | None]]] = {}
    for rtype in ("Claim", "ExplanationOfBenefit"):
        lists: dict[str, list[tuple[str, dt.date | None]]] = {}
        for res in by_type[rtype]:
            procs = _procedures(res)
            if not procs:
                continue
            for target in _cost_targets(res):
                lists.setdefault(target, []).extend(procs)
        for target, procs in lists.items():
            chosen[target] = list(dict.fromkeys(procs))  # two Claims for one stay may repeat a procedure
    return chosen


def convert(directory: str | os.PathLike[str]) -> Converted:
    """Validate every resource, then map; LoadError names file, NDJSON line and FHIR path of a problem."""
    root = Path(directory)
    if not root.is_dir():
        raise LoadError("not a directory", file=str(root))
    by_type: dict[str, list[Resource]] = {t: [] for t in USED_TYPES}
    for res in _read(root):
        by_type[res.data["resourceType"]].append(res)
    conv = Converted(files=sorted({r.where.file for rs in by_type.values() for r in rs}))
    snomed = load_snomed_map()

    for res in by_type["Patient"]:
        pid = res.data.get("id")
        if not pid:
            raise res.error("value is required", "id")
        birth = _date(res, res.data.get("birthDate"), "birthDate", required=True)
        assert birth is not None
        gender = {"male": "male", "female": "female"}.get(res.data.get("gender") or "", "unknown")
        deceased = _date(res, res.data.get("deceasedDateTime"), "deceasedDateTime", required=False)
        conv.persons.append(Person(pid, gender, birth, deceased, None, res.where))
    known = {p.person_id for p in conv.persons}

    def subject(res: Resource, path: str) -> str:
        pid = _ref_id(res.data.get(path))
        if pid is None or pid not in known:
            raise res.error(f"does not reference a Patient in the export (got {pid!r})", f"{path}.reference")
        return pid

    costs: dict[str, tuple[float | None, float | None]] = {}
    for rtype in ("Claim", "ExplanationOfBenefit"):  # an EOB (adjudicated) overrides a Claim (billed)
        for res in by_type[rtype]:
            for target in _cost_targets(res):
                costs[target] = _totals(res)

    procedures = _visit_procedures(by_type)

    diagnosed_at: dict[str, str] = {}  # Condition id -> Encounter listing it in Encounter.diagnosis
    admissions = load_admission_concepts()
    for res in by_type["Encounter"]:
        klass = res.data.get("class") or {}
        kind = ENCOUNTER_CLASSES.get(str(klass.get("code", "")).upper())
        if kind is None:
            raise res.error(f"unsupported encounter class {klass.get('code')!r}", "class.code")
        period = res.data.get("period") or {}
        start = _date(res, period.get("start"), "period.start", required=True)
        assert start is not None
        end = _date(res, period.get("end"), "period.end", required=False) or start
        vid = str(res.data.get("id") or "")
        if not vid:
            raise res.error("value is required", "id")
        for dx in res.data.get("diagnosis") or []:
            condition = _ref_id(dx.get("condition"))
            if condition:
                diagnosed_at[condition] = vid
        participants = [_ref_id(p.get("individual")) for p in res.data.get("participant") or []]
        allowed, paid = costs.get(vid, (None, None))
        reason = _reason_code(res, snomed, conv)
        visit = Visit(
            visit_id=vid,
            person_id=subject(res, "subject"),
            kind=kind,
            start=start,
            end=end,
            facility=_ref_id(res.data.get("serviceProvider")),
            provider=next((p for p in participants if p), None),
            payer=None,
            allowed=allowed,
            paid=paid,
            where=res.where,
            icd10=[reason] if reason else [],
            procedures=procedures.get(vid, []),
        )
        types = _snomed_codes([c for t in res.data.get("type") or [] for c in _codings(t)])
        if types & admissions:
            admit_through_emergency(visit)  # e.g. "Obstetric emergency hospital admission"
        visit.delivery = DELIVERY_ADMISSION in types
        # An inpatient stay whose admit source is the emergency department is emergent (LACE "A") even when
        # the export holds no separate ED encounter (http://terminology.hl7.org/CodeSystem/admit-source).
        admit_source = _codings((res.data.get("hospitalization") or {}).get("admitSource"))
        visit.emergent = kind == "inpatient" and any(
            c.get("system") == ADMIT_SOURCE and c.get("code") == "emd" for c in admit_source
        )
        conv.visits.append(visit)
    _read_procedure_resources(by_type["Procedure"], conv, subject)
    visit_provider = {v.visit_id: v.provider for v in conv.visits}

    for res in by_type["Condition"]:
        codings = _codings(res.data.get("code"))
        icd10 = next((c for c in codings if c.get("system") == ICD10CM), None)
        snomed_coding = next((c for c in codings if c.get("system") == SNOMED), None)
        if icd10 is not None:
            code = check_icd10(str(icd10.get("code", "")), res.where, f"{res.prefix}code.coding.code")
        elif snomed_coding is not None:
            mapped = map_snomed_condition(str(snomed_coding.get("code", "")), snomed, conv)
            if mapped is None:
                continue
            code = mapped
        else:
            raise res.error("no ICD-10-CM or SNOMED CT coding", "code.coding")
        onset = res.data.get("onsetDateTime") or (res.data.get("onsetPeriod") or {}).get("start")
        start = _date(res, onset or res.data.get("recordedDate"), "onsetDateTime", required=True)
        assert start is not None
        stop = _date(res, res.data.get("abatementDateTime"), "abatementDateTime", required=False)
        conv.problems.append(
            Problem(
                subject(res, "subject"),
                _ref_id(res.data.get("encounter")) or diagnosed_at.get(str(res.data.get("id"))),
                start,
                stop,
                code,
            )
        )

    for res in by_type["MedicationRequest"]:
        if res.data.get("status") == "entered-in-error":
            continue
        coding = next(
            (c for c in _codings(res.data.get("medicationCodeableConcept")) if c.get("system") == RXNORM),
            None,
        )
        if coding is None or not str(coding.get("code", "")).isdigit():
            raise res.error("an RxNorm coding is required", "medicationCodeableConcept.coding")
        start = _date(res, res.data.get("authoredOn"), "authoredOn", required=True)
        assert start is not None
        dispense = res.data.get("dispenseRequest") or {}
        fills = int(dispense.get("numberOfRepeatsAllowed") or 0) + 1
        supply = dispense.get("expectedSupplyDuration") or {}
        unit = str(supply.get("code") or supply.get("unit") or "d").lower()
        if supply.get("value") is not None:
            if unit not in SUPPLY_UNIT_DAYS:
                raise res.error(
                    f"unsupported duration unit {unit!r}", "dispenseRequest.expectedSupplyDuration"
                )
            days = max(round(float(supply["value"]) * SUPPLY_UNIT_DAYS[unit]), 1)
        else:
            valid_end = _date(
                res,
                (dispense.get("validityPeriod") or {}).get("end"),
                "dispenseRequest.validityPeriod.end",
                required=False,
            )
            days = max((valid_end - start).days // fills, 1) if valid_end else DEFAULT_DAYS_SUPPLY
        allowed, paid = costs.get(str(res.data.get("id") or ""), (None, None))
        encounter = _ref_id(res.data.get("encounter"))
        conv.prescriptions.append(
            Prescription(
                rx_id=f"fhir-rx-{res.data.get('id') or res.where.line}",
                person_id=subject(res, "subject"),
                rxnorm=str(coding["code"]),
                start=start,
                fills=fills,
                interval_days=days,
                days_supply=days,
                allowed_total=allowed,
                paid_total=paid,
                prescriber=_ref_id(res.data.get("requester"))
                or (visit_provider.get(encounter) if encounter else None),
                payer=None,
                where=res.where,
            )
        )

    for res in by_type["Coverage"]:
        person = subject(res, "beneficiary")
        period = res.data.get("period") or {}
        first = min((v.start for v in conv.visits if v.person_id == person), default=None)
        last = max((v.end for v in conv.visits if v.person_id == person), default=None)
        cov_start = _date(res, period.get("start"), "period.start", required=first is None) or first
        cov_end = _date(res, period.get("end"), "period.end", required=last is None) or last
        assert cov_start is not None and cov_end is not None
        payors = res.data.get("payor") or [{}]
        payer = payors[0].get("display") or _ref_id(payors[0]) or "unknown"
        member = res.data.get("subscriberId") or person
        conv.spans.append(Span(person, str(member), cov_start, cov_end, str(payer), None, res.where))
    _spans_from_encounters(conv)
    return conv


def _reason_code(res: Resource, snomed: dict[str, str], conv: Converted) -> str | None:
    """The Encounter's first coded ``reasonCode``, in ICD-10-CM: its principal diagnosis on the claim.

    The inpatient rules (PQI, planned readmissions, obstetric stays) read the principal diagnosis, and an
    EHR export's encounter reason is the closest thing it has; unmapped SNOMED CT reasons are counted.
    """
    for i, concept in enumerate(res.data.get("reasonCode") or []):
        for j, coding in enumerate(_codings(concept)):
            code = str(coding.get("code") or "")
            if coding.get("system") == ICD10CM:
                return check_icd10(code, res.where, f"{res.prefix}reasonCode[{i}].coding[{j}].code")
            if coding.get("system") == SNOMED:
                return map_snomed_condition(code, snomed, conv)
    return None


def _snomed_codes(codings: list[dict[str, Any]]) -> set[str]:
    return {str(c.get("code")) for c in codings if c.get("system") == SNOMED}


def _read_procedure_resources(
    resources: list[Resource], conv: Converted, subject: Callable[[Resource, str], str]
) -> None:
    """Procedure resources (EHR exports such as Synthea's) give an encounter its ICD-10-PCS codes when no
    Claim or ExplanationOfBenefit bills any for it: billed codes are what the rules were written for, and
    an encounter with both would otherwise count its procedures twice.

    A SNOMED CT code maps through the same table as Synthea CSV (``load_snomed_pcs_map``); an ICD-10-PCS
    coding is taken as written; unmapped or other-system codes are counted, not stored.
    """
    pcs_map = load_snomed_pcs_map()
    admissions = load_admission_concepts()
    visits = {v.visit_id: v for v in conv.visits}
    billed = {v.visit_id for v in conv.visits if v.procedures}
    found: dict[str, list[tuple[dt.date | None, str]]] = {}
    for res in resources:
        if res.data.get("status") in PROCEDURE_NOT_DONE:
            continue
        person = subject(res, "subject")
        codings = _codings(res.data.get("code"))
        pcs: str | None = None
        label = "(no code)"
        for j, coding in enumerate(codings):
            system, code = coding.get("system"), str(coding.get("code") or "")
            if system in ICD10PCS:
                pcs = check_icd10pcs(code, res.where, f"{res.prefix}code.coding[{j}].code")
                break
            if system == SNOMED:
                label = code
                pcs = pcs_map.get(code) or pcs
        encounter = _ref_id(res.data.get("encounter"))
        visit = visits.get(encounter) if encounter else None
        if visit is not None and visit.person_id != person:
            raise res.error(
                f"does not reference an Encounter of this patient in the export (got {encounter!r})",
                "encounter.reference",
            )
        # An Encounter absent from the export is not an error: an incremental Bulk export (_since) can hold a
        # Procedure recorded after its encounter was exported. The encounter's claim was written by an
        # earlier load, so the procedure is counted as not stored, as a Condition of such an encounter
        # still counts only as an active problem.
        if visit is not None and _snomed_codes(codings) & admissions:
            admit_through_emergency(visit)  # e.g. "Admission to intensive care unit" during an ED visit
        if pcs is None or visit is None:
            conv.procedures_not_stored[pcs or label] += 1
            continue
        if visit.visit_id in billed:
            continue  # the claim's own ICD-10-PCS list stands
        period = res.data.get("performedPeriod") or {}
        path = "performedDateTime" if res.data.get("performedDateTime") else "performedPeriod.start"
        when = _date(res, res.data.get("performedDateTime") or period.get("start"), path, required=False)
        found.setdefault(visit.visit_id, []).append((when, pcs))
    for vid, procs in found.items():
        set_procedures(visits[vid], procs)


def _spans_from_encounters(conv: Converted) -> None:
    """Without Coverage, a person is taken as enrolled from their first to their last encounter."""
    covered = {s.person_id for s in conv.spans}
    for p in conv.persons:
        visits = [v for v in conv.visits if v.person_id == p.person_id]
        if p.person_id in covered or not visits:
            continue
        start, end = min(v.start for v in visits), max(v.end for v in visits)
        conv.spans.append(Span(p.person_id, p.person_id, start, end, "unknown", None, p.where))


def load_directory(
    directory: str | os.PathLike[str], db_path: str | os.PathLike[str] | None = None
) -> ConvertResult:
    """Load a Bulk Data export or Bundles all-or-nothing; reloading the same files does not duplicate."""
    return write_converted(convert(directory), DATA_SOURCE, db_path)
