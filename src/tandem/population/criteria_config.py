"""Eligibility criteria files: TOML a program director can read and edit, checked before any run.

A file names the rules a person must meet, the exclusions, the modifiable-risk flags, the ranking and the
program's capacity. The text is stored with every run (with its sha256), so a list of candidates can
always be traced to the exact rules that produced it. Validation names the offending key, because the
people editing these files are not programmers.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CRITERIA_DIR = Path(__file__).resolve().parent / "criteria"
DEFAULT_CRITERIA = CRITERIA_DIR / "camden.toml"

# Per-person numbers a rule or the ranking may use: feature columns plus the derived measures below.
FEATURE_MEASURES = (
    "age",
    "ip_admits_6m",
    "ip_admits_12m",
    "ed_visits_6m",
    "ed_visits_12m",
    "readmits_30d_12m",
    "allowed_12m",
    "paid_12m",
    "active_meds",
    "chronic_conditions",
    "charlson",
    "lace_latest",
    "hcc_v24_raw",
    "hcc_v28_raw",
    "hcc_v28_normalized",
    "outpatient_visits_12m",
)
DERIVED_MEASURES = (
    "index_admission",  # 1 when admitted within [index_admission].days before the as-of date
    "prior_admissions_before_index",  # other stays in the [index_admission].prior_months before it
    "nonobstetric_ip_admits_12m",
    "acsc_admits_12m",
    "complexity_flags",  # how many of the six Camden complexity flags are present
)
MEASURES = FEATURE_MEASURES + DERIVED_MEASURES
FLAGS = (
    "uncontrolled_chronic_disease",
    "polypharmacy",
    "behavioral_health",
    "social_needs",
    "ambulatory_care_sensitive_admission",
)


class CriteriaError(ValueError):
    """A criteria file that cannot be used; the message starts with the file and the key."""

    def __init__(self, source: str, key: str, message: str) -> None:
        super().__init__(f"{source}: {key}: {message}")
        self.source = source
        self.key = key


@dataclass(frozen=True)
class Condition:
    measure: str
    at_least: float
    label: str = ""

    def describe(self) -> str:
        return self.label or f"{self.measure} at least {self.at_least:g}"


@dataclass(frozen=True)
class Criterion:
    """Met when any of its conditions holds (one condition is the common case)."""

    key: str
    label: str
    any_of: tuple[Condition, ...]

    @property
    def alternatives(self) -> tuple[tuple[str, Condition], ...]:
        """A key per way of meeting the criterion, when there is more than one.

        Everyone ranked has met every criterion, so "met this criterion" tells a reviewer nothing; which
        alternative they met (an inpatient stay, or six ED visits) does, and is what the run page filters on.
        Measures are unique within a criterion (the parser checks), so ``key:measure`` names one alternative.
        """
        if len(self.any_of) < 2:
            return ()
        return tuple((f"{self.key}:{c.measure}", c) for c in self.any_of)


@dataclass(frozen=True)
class Complexity:
    min_active_medications: int = 5
    access_max_outpatient_visits_12m: int = 0
    access_min_ed_visits_12m: int = 3
    social_support_codes: tuple[str, ...] = ("Z602", "Z63")
    homelessness_codes: tuple[str, ...] = ("Z590",)


@dataclass(frozen=True)
class Exclusions:
    under_age: int | None = 18
    hospice: bool = True
    long_term_institutional: bool = True
    already_enrolled: bool = True
    declined_reapproach_pending: bool = True
    lookback_days: int = 90


@dataclass(frozen=True)
class Pqi:
    """One AHRQ Prevention Quality Indicator as the ambulatory-care-sensitive admission flag applies it.

    A stay counts for it when an inpatient claim of the stay has a principal diagnosis in `codes`, is not a
    transfer in, and the person's age at that claim's admission is within [min_age, max_age]; and no
    diagnosis, in any position, on the stay's inpatient claims starts with a code of the exclusion lists
    named in `exclude_if_any`.
    """

    key: str  # "01", "05", ...: the AHRQ PQI number
    label: str
    codes: tuple[str, ...]
    min_age: int = 18  # every PQI counts adults only
    max_age: int | None = None
    exclude_if_any: tuple[str, ...] = ()
    # Procedure numerator (PQI 16): when given, a stay counts when it has an ICD-10-PCS code of one of
    # these sets and a diagnosis in `codes` in any position (not only the principal one).
    procedures: tuple[str, ...] = ()
    # Not counted when the stay has an ICD-10-PCS code of one of these sets (PQI 07/08 cardiac procedures,
    # PQI 11/12 immunocompromised-state procedures).
    exclude_if_any_procedure: tuple[str, ...] = ()
    # Not counted when the stay has both a diagnosis on the named exclusion_codes list and a code of the
    # procedure set: ((list, procedure set), ...) (PQI 07: stage I-IV kidney disease with dialysis access).
    exclude_if_diagnosis_with_procedure: tuple[tuple[str, str], ...] = ()


# UB-04 point-of-origin codes AHRQ excludes as transfers in: 4 transfer from a hospital (different
# facility), 5 from a skilled nursing, intermediate care or assisted living facility, 6 from another health
# care facility (AHRQ PQI technical specifications, Appendix A; the Tuva Project's PQI transfer exclusion).
PQI_TRANSFER_ADMIT_SOURCES = ("4", "5", "6")


@dataclass(frozen=True)
class Flags:
    uncontrolled_codes: tuple[str, ...] | None = None
    heart_failure_codes: tuple[str, ...] = ("I50",)
    heart_failure_min_admissions: int = 2
    polypharmacy_min_medications: int | None = None
    behavioral_health: bool = False
    social_needs: bool = False
    acsc_codes: tuple[str, ...] | None = None  # every PQI's principal-diagnosis codes; None = flag off
    acsc_min_admissions: int = 1
    acsc_pqis: tuple[Pqi, ...] = ()
    # Named exclusion lists the PQIs refer to, in file order: ((name, codes), ...).
    acsc_exclusion_codes: tuple[tuple[str, tuple[str, ...]], ...] = ()
    acsc_transfer_admit_sources: tuple[str, ...] = PQI_TRANSFER_ADMIT_SOURCES


@dataclass(frozen=True)
class Criteria:
    name: str
    title: str
    source: str
    text: str
    program: str
    index_days: int
    prior_months: int
    obstetric_codes: tuple[str, ...]
    criteria: tuple[Criterion, ...]
    complexity: Complexity
    exclusions: Exclusions
    flags: Flags
    weights: dict[str, float]
    capacity: int
    rising_risk_min_increase: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def normalise_code(code: str) -> str:
    """Codes are written with dots for readability; claims store them without."""
    return code.replace(".", "").strip().upper()


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, message: str) -> CriteriaError:
        return CriteriaError(self.source, key, message)

    def table(
        self, data: dict[str, Any], key: str, allowed: set[str], *, required: bool = False
    ) -> dict[str, Any]:
        value = data.get(key.rsplit(".", 1)[-1])
        if value is None:
            if required:
                raise self.fail(key, "missing section")
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table ([section])")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return value

    def text(self, data: dict[str, Any], key: str, *, default: str | None = None) -> str:
        value = data.get(key.rsplit(".", 1)[-1], default)
        if value is None:
            raise self.fail(key, "missing; give a text value")
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(key, f"must be text (got {value!r})")
        return value

    def integer(self, data: dict[str, Any], key: str, default: int, *, minimum: int = 0) -> int:
        value = data.get(key.rsplit(".", 1)[-1], default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"must be a whole number of at least {minimum} (got {value!r})")
        return value

    def number(self, data: dict[str, Any], key: str, default: float) -> float:
        value = data.get(key.rsplit(".", 1)[-1], default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"must be a number (got {value!r})")
        return float(value)

    def boolean(self, data: dict[str, Any], key: str, default: bool) -> bool:
        value = data.get(key.rsplit(".", 1)[-1], default)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false (got {value!r})")
        return value

    def codes(self, data: dict[str, Any], key: str, default: tuple[str, ...] | None) -> tuple[str, ...]:
        value = data.get(key.rsplit(".", 1)[-1])
        if value is None:
            if default is None:
                raise self.fail(key, "missing; give a list of ICD-10-CM codes or code prefixes")
            return default
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(c, str) and c.strip() for c in value)
        ):
            raise self.fail(key, 'must be a non-empty list of ICD-10-CM codes such as ["E11.65", "I50"]')
        return tuple(normalise_code(c) for c in value)

    def measure(self, value: Any, key: str) -> str:
        if value not in MEASURES:
            raise self.fail(key, f"unknown measure {value!r} (known: {', '.join(MEASURES)})")
        return str(value)


TOP_KEYS = {
    "name",
    "title",
    "source",
    "program",
    "index_admission",
    "obstetric_codes",
    "complexity",
    "criteria",
    "exclusions",
    "flags",
    "ranking",
}


def parse(text: str, *, source: str = "<criteria>") -> Criteria:
    """Parse and validate criteria text; raises `CriteriaError` naming the first bad key."""
    r = _Reader(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise r.fail("(file)", f"not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise r.fail(unknown[0], f"unknown key (allowed: {', '.join(sorted(TOP_KEYS))})")
    index = r.table(data, "index_admission", {"days", "prior_months"})
    complexity = r.table(
        data,
        "complexity",
        {
            "min_active_medications",
            "access_max_outpatient_visits_12m",
            "access_min_ed_visits_12m",
            "social_support_codes",
            "homelessness_codes",
        },
    )
    return Criteria(
        name=r.text(data, "name"),
        title=r.text(data, "title"),
        source=r.text(data, "source", default=""),
        text=text,
        program=r.text(data, "program", default=""),
        index_days=r.integer(index, "index_admission.days", 30, minimum=1),
        prior_months=r.integer(index, "index_admission.prior_months", 6, minimum=1),
        obstetric_codes=r.codes(data, "obstetric_codes", ("O",)),
        criteria=_criteria(r, data),
        complexity=Complexity(
            min_active_medications=r.integer(complexity, "complexity.min_active_medications", 5, minimum=1),
            access_max_outpatient_visits_12m=r.integer(
                complexity, "complexity.access_max_outpatient_visits_12m", 0
            ),
            access_min_ed_visits_12m=r.integer(
                complexity, "complexity.access_min_ed_visits_12m", 3, minimum=1
            ),
            social_support_codes=r.codes(complexity, "complexity.social_support_codes", ("Z602", "Z63")),
            homelessness_codes=r.codes(complexity, "complexity.homelessness_codes", ("Z590",)),
        ),
        exclusions=_exclusions(r, data),
        flags=_flags(r, data),
        **_ranking(r, data),
    )


def _criteria(r: _Reader, data: dict[str, Any]) -> tuple[Criterion, ...]:
    items = data.get("criteria")
    if not isinstance(items, list) or not items:
        raise r.fail("criteria", "give at least one [[criteria]] entry")
    out: list[Criterion] = []
    seen: set[str] = set()
    for i, item in enumerate(items, start=1):
        where = f"criteria[{i}]"
        if not isinstance(item, dict):
            raise r.fail(where, "must be a table ([[criteria]])")
        unknown = sorted(set(item) - {"key", "label", "measure", "at_least", "any"})
        if unknown:
            raise r.fail(f"{where}.{unknown[0]}", "unknown key (allowed: key, label, measure, at_least, any)")
        key = r.text(item, f"{where}.key")
        if ":" in key:
            raise r.fail(f"{where}.key", "no ':' in a key (a run records alternatives as key:measure)")
        if key in seen:
            raise r.fail(f"{where}.key", f"{key!r} is used twice")
        seen.add(key)
        if ("measure" in item) == ("any" in item):
            raise r.fail(where, "give either measure + at_least, or any = [{ measure, at_least }, ...]")
        raw = [item] if "measure" in item else item["any"]
        if not isinstance(raw, list) or not raw:
            raise r.fail(f"{where}.any", "must be a non-empty list of { measure = ..., at_least = ... }")
        conditions: list[Condition] = []
        for j, cond in enumerate(raw, start=1):
            ckey = where if "measure" in item else f"{where}.any[{j}]"
            if not isinstance(cond, dict) or "at_least" not in cond:
                raise r.fail(f"{ckey}.at_least", "missing; every condition needs a threshold")
            if "any" in item:
                extra = sorted(set(cond) - {"measure", "at_least", "label"})
                if extra:
                    raise r.fail(f"{ckey}.{extra[0]}", "unknown key (allowed: measure, at_least, label)")
            measure = r.measure(cond.get("measure"), f"{ckey}.measure")
            if any(c.measure == measure for c in conditions):
                raise r.fail(
                    f"{ckey}.measure",
                    f"{measure!r} is already an alternative of this criterion (the lower threshold decides)",
                )
            label = cond.get("label", "") if "any" in item else ""
            if not isinstance(label, str):
                raise r.fail(f"{ckey}.label", "must be text")
            conditions.append(
                Condition(
                    measure=measure, at_least=r.number(cond, f"{ckey}.at_least", 0), label=label.strip()
                )
            )
        out.append(Criterion(key=key, label=r.text(item, f"{where}.label"), any_of=tuple(conditions)))
    return tuple(out)


def _exclusions(r: _Reader, data: dict[str, Any]) -> Exclusions:
    ex = r.table(
        data,
        "exclusions",
        {
            "under_age",
            "hospice",
            "long_term_institutional",
            "already_enrolled",
            "declined_reapproach_pending",
            "lookback_days",
        },
    )
    return Exclusions(
        under_age=r.integer(ex, "exclusions.under_age", 18) or None,  # 0 turns the age rule off
        hospice=r.boolean(ex, "exclusions.hospice", True),
        long_term_institutional=r.boolean(ex, "exclusions.long_term_institutional", True),
        already_enrolled=r.boolean(ex, "exclusions.already_enrolled", True),
        declined_reapproach_pending=r.boolean(ex, "exclusions.declined_reapproach_pending", True),
        lookback_days=r.integer(ex, "exclusions.lookback_days", 90, minimum=1),
    )


def _flags(r: _Reader, data: dict[str, Any]) -> Flags:
    flags = r.table(data, "flags", set(FLAGS))
    sections = {}
    allowed = {
        "uncontrolled_chronic_disease": {"codes", "heart_failure_codes", "heart_failure_min_admissions"},
        "polypharmacy": {"min_active_medications"},
        "behavioral_health": set(),
        "social_needs": set(),
        "ambulatory_care_sensitive_admission": {
            "min_admissions",
            "transfer_admit_source_codes",
            "pqi",
            "exclusion_codes",
        },
    }
    for name in FLAGS:
        sections[name] = r.table(flags, f"flags.{name}", allowed[name]) if name in flags else None
    unc, poly, acsc = (
        sections["uncontrolled_chronic_disease"],
        sections["polypharmacy"],
        sections["ambulatory_care_sensitive_admission"],
    )
    return Flags(
        uncontrolled_codes=None
        if unc is None
        else r.codes(unc, "flags.uncontrolled_chronic_disease.codes", None),
        heart_failure_codes=r.codes(
            unc or {}, "flags.uncontrolled_chronic_disease.heart_failure_codes", ("I50",)
        ),
        heart_failure_min_admissions=r.integer(
            unc or {}, "flags.uncontrolled_chronic_disease.heart_failure_min_admissions", 2, minimum=1
        ),
        polypharmacy_min_medications=None
        if poly is None
        else r.integer(poly, "flags.polypharmacy.min_active_medications", 10, minimum=1),
        behavioral_health=sections["behavioral_health"] is not None,
        social_needs=sections["social_needs"] is not None,
        acsc_min_admissions=r.integer(
            acsc or {}, "flags.ambulatory_care_sensitive_admission.min_admissions", 1, minimum=1
        ),
        **({} if acsc is None else _acsc(r, acsc)),
    )


ACSC = "flags.ambulatory_care_sensitive_admission"
PQI_KEYS = {
    "label",
    "codes",
    "min_age",
    "max_age",
    "exclude_if_any",
    "procedures",
    "exclude_if_any_procedure",
    "exclude_if_diagnosis_with_procedure",
}
# The AHRQ PQI ICD-10-PCS value sets, by the Tuva Project's value_set_name (data/README.md): too long to
# list in a criteria file, so the files name them.
PQI_PROCEDURE_FILE = Path(__file__).resolve().parent / "data" / "ahrq_pqi_procedures.csv"


@functools.cache
def pqi_procedure_sets() -> dict[str, frozenset[str]]:
    """value_set_name -> ICD-10-PCS codes of the shipped AHRQ PQI procedure value sets (read once: every
    criteria parse checks names against it, every run reads its codes)."""
    sets: dict[str, set[str]] = {}
    with PQI_PROCEDURE_FILE.open(encoding="utf-8") as f:
        next(f)  # header: code,value_set_name,pqi_number
        for line in f:
            code, name, _ = line.rstrip("\n").split(",")
            sets.setdefault(name, set()).add(code)
    return {name: frozenset(codes) for name, codes in sets.items()}


def _names(r: _Reader, value: Any, key: str, known: set[str], what: str) -> tuple[str, ...]:
    """A list of names from `known` (exclusion lists or procedure sets), or an error naming the key."""
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise r.fail(key, f"must be a list of names of {what}")
    unknown = [x for x in value if x not in known]
    if unknown:
        raise r.fail(
            key, f"{unknown[0]!r} is not one of the {what} (known: {', '.join(sorted(known)) or 'none'})"
        )
    return tuple(value)


def _acsc(r: _Reader, acsc: dict[str, Any]) -> dict[str, Any]:
    """The PQI tables, the named exclusion lists they refer to, and the transfer codes."""
    lists_raw = r.table(acsc, f"{ACSC}.exclusion_codes", set(acsc.get("exclusion_codes") or {}))
    exclusion_codes = tuple(
        (name, r.codes(lists_raw, f"{ACSC}.exclusion_codes.{name}", None)) for name in lists_raw
    )
    known_lists = {name for name, _ in exclusion_codes}
    known_sets = set(pqi_procedure_sets())
    pqi_raw = acsc.get("pqi")
    if not isinstance(pqi_raw, dict) or not pqi_raw:
        raise r.fail(
            f"{ACSC}.pqi", f"missing; give one [{ACSC}.pqi.NN] table per Prevention Quality Indicator"
        )
    pqis = []
    for key in pqi_raw:
        where = f"{ACSC}.pqi.{key}"
        item = r.table(pqi_raw, where, PQI_KEYS)
        min_age = r.integer(item, f"{where}.min_age", 18)
        max_age = item.get("max_age")
        if max_age is not None:
            max_age = r.integer(item, f"{where}.max_age", 0, minimum=min_age)
        lists_what = f"lists in [{ACSC}.exclusion_codes]"
        sets_what = f"AHRQ procedure value sets in {PQI_PROCEDURE_FILE.name}"
        excluded = _names(
            r, item.get("exclude_if_any", []), f"{where}.exclude_if_any", known_lists, lists_what
        )
        procedures = _names(r, item.get("procedures", []), f"{where}.procedures", known_sets, sets_what)
        excluded_px = _names(
            r,
            item.get("exclude_if_any_procedure", []),
            f"{where}.exclude_if_any_procedure",
            known_sets,
            sets_what,
        )
        pair_key = f"{where}.exclude_if_diagnosis_with_procedure"
        pairs_raw = item.get("exclude_if_diagnosis_with_procedure", [])
        if not isinstance(pairs_raw, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs_raw):
            raise r.fail(pair_key, 'must be a list of ["exclusion_codes list", "procedure value set"] pairs')
        pairs = tuple(
            (
                _names(r, [p[0]], pair_key, known_lists, lists_what)[0],
                _names(r, [p[1]], pair_key, known_sets, sets_what)[0],
            )
            for p in pairs_raw
        )
        pqis.append(
            Pqi(
                key=str(key),
                label=r.text(item, f"{where}.label"),
                codes=r.codes(item, f"{where}.codes", None),
                min_age=min_age,
                max_age=max_age,
                exclude_if_any=excluded,
                procedures=procedures,
                exclude_if_any_procedure=excluded_px,
                exclude_if_diagnosis_with_procedure=pairs,
            )
        )
    transfer = acsc.get("transfer_admit_source_codes", list(PQI_TRANSFER_ADMIT_SOURCES))
    if not isinstance(transfer, list) or not all(isinstance(c, str) and c.strip() for c in transfer):
        raise r.fail(
            f"{ACSC}.transfer_admit_source_codes",
            'must be a list of admission source codes such as ["4", "5", "6"] ([] = no transfer rule)',
        )
    return {
        "acsc_codes": tuple(dict.fromkeys(c for p in pqis if not p.procedures for c in p.codes)),
        "acsc_pqis": tuple(pqis),
        "acsc_exclusion_codes": exclusion_codes,
        "acsc_transfer_admit_sources": tuple(normalise_admit_source(c) for c in transfer),
    }


def normalise_admit_source(code: str) -> str:
    """UB-04 point of origin is one character; extracts may pad it ("04"). Compared without leading zeros."""
    return code.strip().upper().lstrip("0")


def _ranking(r: _Reader, data: dict[str, Any]) -> dict[str, Any]:
    ranking = r.table(data, "ranking", {"capacity", "weights", "rising_risk_min_increase"}, required=True)
    weights_raw = ranking.get("weights", {"hcc_v28_normalized": 1.0})
    if not isinstance(weights_raw, dict) or not weights_raw:
        raise r.fail(
            "ranking.weights", "must be a table of measure = weight, e.g. { hcc_v28_normalized = 1.0 }"
        )
    weights = {}
    for measure, _ in weights_raw.items():
        key = f"ranking.weights.{measure}"
        weights[r.measure(measure, key)] = r.number(weights_raw, key, 0)
    if "capacity" not in ranking:
        raise r.fail("ranking.capacity", "missing; how many candidates can the program take per run?")
    return {
        "weights": weights,
        "capacity": r.integer(ranking, "ranking.capacity", 0, minimum=1),
        "rising_risk_min_increase": r.number(ranking, "ranking.rising_risk_min_increase", 0.5),
    }


def load(path: str | Path | None = None) -> Criteria:
    """Read a criteria file (default: the shipped Camden rules); the file name prefixes every error."""
    p = Path(path) if path is not None else DEFAULT_CRITERIA
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise CriteriaError(str(p), "(file)", f"cannot be read: {exc.strerror}") from exc
    return parse(text, source=p.name)
