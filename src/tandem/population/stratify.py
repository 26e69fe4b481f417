"""Candidates with reasons: apply a criteria file to everyone's features and rank who qualifies.

This module knows nothing of Django: what it needs from the app (who is already enrolled, who declined,
each person's previous HCC score) arrives as plain mappings, so the rules can be tested on hand-made rows
and run wherever the features run. `runs.py` does the app-database side.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from .criteria_config import FEATURE_MEASURES, Criteria
from .features import build_features, open_session

COMPLEXITY_LABELS = {
    "medications": "5 or more medications",
    "access": "difficulty accessing services",
    "social_support": "lack of social support",
    "mental_health": "mental-health condition",
    "drug_use": "active drug use",
    "homelessness": "homelessness",
}
EXCLUSION_LABELS = {
    "under_age": "under the minimum age",
    "hospice": "in hospice",
    "long_term_institutional": "long-term institutional resident",
    "already_enrolled": "already enrolled",
    "declined_reapproach_pending": "declined; re-approach date not reached",
}
FLAG_LABELS = {
    "uncontrolled_chronic_disease": "uncontrolled chronic disease",
    "polypharmacy": "polypharmacy",
    "behavioral_health": "behavioural health",
    "social_needs": "social needs",
    "ambulatory_care_sensitive_admission": "ambulatory-care-sensitive admission",
    "rising_risk": "rising risk",
}
# Housing codes other than homelessness (Z59.1 inadequate housing, Z59.81 housing instability, housed).
HOUSING_INSTABILITY_PREFIXES = ("Z591", "Z5981")

FACTS_SQL = """
with p as (select * from params),
sp as (select * from strat_params),
stays as (select person_id, stay_id, admit_date, discharge_date from int_inpatient_stays),
stay_pdx as (
    select distinct s.stay_id, m.diagnosis_code_1 as code
    from stays as s
    join stg_medical_claim as m
        on m.person_id = s.person_id and m.is_inpatient_line
        and coalesce(m.admission_date, m.claim_start_date) between s.admit_date and s.discharge_date
    where m.diagnosis_code_1 is not null
),
stay_groups as (
    select x.stay_id, bool_or(c.grp = 'obstetric') as obstetric, bool_or(c.grp = 'acsc') as acsc
    from stay_pdx as x join strat_codes as c on x.code like c.prefix || '%'
    group by x.stay_id
),
index_stay as (
    select s.person_id, max(s.admit_date) as index_admit_date
    from stays as s cross join p cross join sp
    where s.admit_date > p.as_of - to_days(sp.index_days) and s.admit_date <= p.as_of
    group by s.person_id
),
prior as (
    select i.person_id, count(*) as prior_admissions_before_index
    from index_stay as i cross join sp
    join stays as s on s.person_id = i.person_id
        and s.admit_date < i.index_admit_date
        and s.admit_date >= i.index_admit_date - to_months(sp.prior_months)
    group by i.person_id
),
year_stays as (
    select
        s.person_id,
        count(*) filter (where not coalesce(g.obstetric, false)) as nonobstetric_ip_admits_12m,
        count(*) filter (where coalesce(g.acsc, false)) as acsc_admits_12m
    from stays as s cross join p
    left join stay_groups as g on g.stay_id = s.stay_id
    where s.admit_date > p.long_start and s.admit_date <= p.as_of
    group by s.person_id
),
window_dx as (
    select person_id, diagnosis_code from int_person_diagnoses where in_long_window
),
code_groups as (
    select distinct w.diagnosis_code, c.grp
    from (select distinct diagnosis_code from window_dx) as w
    join strat_codes as c on w.diagnosis_code like c.prefix || '%'
),
dx as (
    select
        w.person_id,
        bool_or(g.grp = 'uncontrolled') as uncontrolled_dx,
        bool_or(g.grp = 'heart_failure') as heart_failure_dx,
        bool_or(g.grp = 'social_support') as social_support_dx,
        bool_or(g.grp = 'homelessness') as homelessness_dx
    from window_dx as w
    join code_groups as g on g.diagnosis_code = w.diagnosis_code
    group by w.person_id
),
recent_claims as (
    select
        m.person_id,
        bool_or(
            m.bill_type_prefix in ('81', '82') or m.revenue_center_code like '065%'
            or m.place_of_service_code = '34'
        ) as hospice,
        bool_or(m.place_of_service_code in ('31', '32', '33', '54')) as nursing_facility
    from stg_medical_claim as m cross join p cross join sp
    where m.service_date > p.as_of - to_days(sp.lookback_days) and m.service_date <= p.as_of
    group by m.person_id
),
lti as (
    select
        e.person_id,
        bool_or(lower(trim(e.long_term_institutional_flag)) in ('1', 'true', 't', 'yes', 'y')) as lti_flag
    from eligibility as e cross join p
    where p.as_of between e.enrollment_start_date and e.enrollment_end_date
    group by e.person_id
)
select
    sp0.person_id,
    i.index_admit_date,
    coalesce(pr.prior_admissions_before_index, 0) as prior_admissions_before_index,
    coalesce(y.nonobstetric_ip_admits_12m, 0) as nonobstetric_ip_admits_12m,
    coalesce(y.acsc_admits_12m, 0) as acsc_admits_12m,
    coalesce(dx.uncontrolled_dx, false) as uncontrolled_dx,
    coalesce(dx.heart_failure_dx, false) as heart_failure_dx,
    coalesce(dx.social_support_dx, false) as social_support_dx,
    coalesce(dx.homelessness_dx, false) as homelessness_dx,
    coalesce(rc.hospice, false) as hospice,
    coalesce(rc.nursing_facility, false) or coalesce(l.lti_flag, false) as long_term_institutional
from stg_person as sp0
left join index_stay as i on i.person_id = sp0.person_id
left join prior as pr on pr.person_id = sp0.person_id
left join year_stays as y on y.person_id = sp0.person_id
left join dx on dx.person_id = sp0.person_id
left join recent_claims as rc on rc.person_id = sp0.person_id
left join lti as l on l.person_id = sp0.person_id
"""


@dataclass(frozen=True)
class AppStatus:
    """What the app database knows about a person, resolved by `runs.py`."""

    enrolled: bool = False
    declined_pending: bool = False


NO_STATUS = AppStatus()


@dataclass(frozen=True)
class PriorScore:
    hcc: float
    as_of: dt.date


@dataclass
class Assessment:
    person_id: str
    row: dict[str, Any]
    criteria_met: list[str]
    eligible: bool
    exclusions: list[str]
    complexity: list[str]
    flags: list[str]
    score: float
    reason: str = ""
    rank: int | None = None
    is_candidate: bool = False
    rising_from: PriorScore | None = None


# What a person's stored score reads from their row (runs.RiskScore); for people who are not eligible only
# these are kept after evaluation, so a run over a million people does not hold a million full rows.
SCORE_FIELDS = (
    "person_id",
    "age",
    "hcc_v28_normalized",
    "hcc_v24_raw",
    "charlson",
    "lace_latest",
    "ip_admits_12m",
    "ed_visits_12m",
    "allowed_12m",
    "chronic_conditions",
    "active_meds",
)
ROW_BATCH = 20_000


class Population:
    """Everyone's features joined with the facts the criteria need, plus the input sizes for the record.

    Built from the engine it stays an Arrow table, turned into row dicts a batch at a time (`rows`);
    `people` gives them all at once, for small populations and tests.
    """

    def __init__(
        self,
        people: list[dict[str, Any]] | None = None,
        inputs: dict[str, Any] | None = None,
        *,
        table: pa.Table | None = None,
    ) -> None:
        self._people = people
        self.table = table
        self.inputs: dict[str, Any] = inputs or {}

    @property
    def people(self) -> list[dict[str, Any]]:
        if self._people is None:
            self._people = self.table.to_pylist() if self.table is not None else []
        return self._people

    def rows(self) -> Iterator[dict[str, Any]]:
        if self._people is not None or self.table is None:
            yield from self.people
            return
        for batch in self.table.to_batches(max_chunksize=ROW_BATCH):
            yield from batch.to_pylist()

    def person_ids(self) -> list[str]:
        if self._people is None and self.table is not None:
            return [str(p) for p in self.table.column("person_id").to_pylist()]
        return [str(p["person_id"]) for p in self.people]

    def __len__(self) -> int:
        if self._people is None and self.table is not None:
            return int(self.table.num_rows)
        return len(self.people)


def _code_rows(criteria: Criteria) -> list[tuple[str, str]]:
    groups: dict[str, tuple[str, ...]] = {
        "obstetric": criteria.obstetric_codes,
        "social_support": criteria.complexity.social_support_codes,
        "homelessness": criteria.complexity.homelessness_codes,
        "heart_failure": criteria.flags.heart_failure_codes,
        "uncontrolled": criteria.flags.uncontrolled_codes or (),
        "acsc": criteria.flags.acsc_codes or (),
    }
    return [(grp, prefix) for grp, prefixes in groups.items() for prefix in prefixes]


def load_population(
    as_of: dt.date, criteria: Criteria, db_path: str | os.PathLike[str] | None = None
) -> Population:
    """Features (the colleague's models, unchanged) plus stay- and code-level facts on the same session."""
    con: duckdb.DuckDBPyConnection = open_session(db_path)
    try:
        features = build_features(as_of, con=con)
        con.execute("CREATE OR REPLACE TEMP TABLE strat_codes (grp VARCHAR, prefix VARCHAR)")
        con.executemany("INSERT INTO strat_codes VALUES (?, ?)", _code_rows(criteria))
        con.execute(
            "CREATE OR REPLACE TEMP TABLE strat_params AS SELECT CAST(? AS INTEGER) AS index_days, "
            "CAST(? AS INTEGER) AS prior_months, CAST(? AS INTEGER) AS lookback_days",
            [criteria.index_days, criteria.prior_months, criteria.exclusions.lookback_days],
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE strat_facts AS {FACTS_SQL}")
        con.register("__features", features)
        try:
            # One join in the engine and one conversion to rows, not a dict merge per person.
            joined: pa.Table = con.sql(
                "SELECT f.*, x.* EXCLUDE (person_id) FROM __features AS f "
                "LEFT JOIN strat_facts AS x ON x.person_id = f.person_id ORDER BY f.person_id"
            ).to_arrow_table()
        finally:
            con.unregister("__features")
        inputs = {
            table: con.execute(f"SELECT count(*) FROM store.main.{table}").fetchone()[0]  # type: ignore[index]
            for table in ("eligibility", "medical_claim", "pharmacy_claim")
        }
    finally:
        con.close()
    return Population(table=joined, inputs=inputs)


def _num(value: Any) -> float:
    return float(value) if value is not None else 0.0


STAY_MEASURES = ("prior_admissions_before_index", "nonobstetric_ip_admits_12m", "acsc_admits_12m")
ROW_MEASURES = frozenset(FEATURE_MEASURES + STAY_MEASURES)
ALL_MEASURES = ROW_MEASURES | {"index_admission", "complexity_flags"}


def measures(
    row: Mapping[str, Any],
    criteria: Criteria,
    *,
    names: Iterable[str] | None = None,
    complexity: list[str] | None = None,
) -> dict[str, float]:
    """Every number a rule or the ranking may refer to (or only ``names``), missing values as 0."""
    wanted = ALL_MEASURES if names is None else ALL_MEASURES.intersection(names)
    out = {name: _num(row.get(name)) for name in wanted if name in ROW_MEASURES}
    if "index_admission" in wanted:
        out["index_admission"] = 1.0 if row.get("index_admit_date") is not None else 0.0
    if "complexity_flags" in wanted:
        flags = complexity if complexity is not None else complexity_flags(row, criteria)
        out["complexity_flags"] = float(len(flags))
    return out


def complexity_flags(row: Mapping[str, Any], criteria: Criteria) -> list[str]:
    c = criteria.complexity
    checks = {
        "medications": _num(row.get("active_meds")) >= c.min_active_medications,
        "access": _num(row.get("outpatient_visits_12m")) <= c.access_max_outpatient_visits_12m
        or _num(row.get("ed_visits_12m")) >= c.access_min_ed_visits_12m,
        "social_support": bool(row.get("social_support_dx")),
        "mental_health": bool(row.get("behavioral_health_flag")),
        "drug_use": bool(row.get("sud_flag")),
        "homelessness": bool(row.get("homelessness_dx")),
    }
    return [name for name, met in checks.items() if met]


def modifiable_flags(row: Mapping[str, Any], criteria: Criteria) -> list[str]:
    f = criteria.flags
    flags = []
    if f.uncontrolled_codes is not None and (
        row.get("uncontrolled_dx")
        or (row.get("heart_failure_dx") and _num(row.get("ip_admits_12m")) >= f.heart_failure_min_admissions)
    ):
        flags.append("uncontrolled_chronic_disease")
    if (
        f.polypharmacy_min_medications is not None
        and _num(row.get("active_meds")) >= f.polypharmacy_min_medications
    ):
        flags.append("polypharmacy")
    if f.behavioral_health and (row.get("behavioral_health_flag") or row.get("sud_flag")):
        flags.append("behavioral_health")
    if f.social_needs and row.get("social_needs_flag"):
        flags.append("social_needs")
    if f.acsc_codes is not None and _num(row.get("acsc_admits_12m")) >= f.acsc_min_admissions:
        flags.append("ambulatory_care_sensitive_admission")
    return flags


def exclusions(row: Mapping[str, Any], criteria: Criteria, status: AppStatus) -> list[str]:
    e = criteria.exclusions
    out = []
    if e.under_age is not None and (row.get("age") is None or _num(row.get("age")) < e.under_age):
        out.append("under_age")
    if e.hospice and row.get("hospice"):
        out.append("hospice")
    if e.long_term_institutional and row.get("long_term_institutional"):
        out.append("long_term_institutional")
    if e.already_enrolled and status.enrolled:
        out.append("already_enrolled")
    if e.declined_reapproach_pending and status.declined_pending:
        out.append("declined_reapproach_pending")
    return out


def _plural(n: float, one: str, many: str) -> str:
    k = int(n)
    return f"{k} {one if k == 1 else many}"


def reason(row: Mapping[str, Any], assessment: Assessment, as_of: dt.date) -> str:
    """One plain-English line a care manager could read aloud: the facts that make this person a candidate."""
    parts = []
    if _num(row.get("ip_admits_6m")) >= 1:
        parts.append(_plural(_num(row.get("ip_admits_6m")), "admission", "admissions") + " in 6 months")
    if _num(row.get("ed_visits_12m")) >= 3:
        parts.append(_plural(_num(row.get("ed_visits_12m")), "ED visit", "ED visits") + " in 12 months")
    if _num(row.get("chronic_conditions")) >= 2:
        parts.append(_plural(_num(row.get("chronic_conditions")), "chronic condition", "chronic conditions"))
    if _num(row.get("active_meds")) >= 5:
        parts.append(_plural(_num(row.get("active_meds")), "medication", "medications"))
    codes = str(row.get("social_needs_codes") or "").split()
    if row.get("homelessness_dx"):
        parts.append("homelessness")
    elif any(c.startswith(HOUSING_INSTABILITY_PREFIXES) for c in codes):
        parts.append("housing instability")
    if row.get("social_support_dx"):
        parts.append("little social support")
    if row.get("behavioral_health_flag"):
        parts.append("mental-health condition")
    if row.get("sud_flag"):
        parts.append("substance use")
    if "uncontrolled_chronic_disease" in assessment.flags:
        parts.append("uncontrolled chronic disease")
    if _num(row.get("acsc_admits_12m")) >= 1:
        parts.append(
            _plural(
                _num(row.get("acsc_admits_12m")),
                "potentially avoidable admission",
                "potentially avoidable admissions",
            )
        )
    if assessment.rising_from is not None:
        prev = assessment.rising_from
        since = f"{prev.as_of:%B}" if prev.as_of.year == as_of.year else f"{prev.as_of:%B %Y}"
        parts.append(f"HCC up from {prev.hcc:.1f} to {_num(row.get('hcc_v28_normalized')):.1f} since {since}")
    return "; ".join(parts) if parts else "no risk factors found in the claims"


def evaluate(
    people: Iterable[dict[str, Any]],
    criteria: Criteria,
    *,
    as_of: dt.date,
    app_status: Mapping[str, AppStatus] | None = None,
    previous: Mapping[str, PriorScore] | None = None,
    slim: bool = False,
) -> list[Assessment]:
    """Assess and rank everyone; the top `capacity` eligible, non-excluded people are the candidates.

    With ``slim``, a person who is not eligible keeps only `SCORE_FIELDS` of their row once assessed.
    """
    app_status = app_status or {}
    previous = previous or {}
    # Only the measures the file refers to: building all of them was most of the cost per person.
    used = ALL_MEASURES.intersection(
        {x.measure for c in criteria.criteria for x in c.any_of} | set(criteria.weights)
    )
    weights = list(criteria.weights.items())
    results = []
    for row in people:
        person_id = str(row["person_id"])
        complexity = complexity_flags(row, criteria)
        m = measures(row, criteria, names=used, complexity=complexity)
        met = [c.key for c in criteria.criteria if any(m[x.measure] >= x.at_least for x in c.any_of)]
        flags = modifiable_flags(row, criteria)
        prior = previous.get(person_id)
        rising = None
        if prior is not None and row.get("hcc_v28_normalized") is not None:
            if _num(row.get("hcc_v28_normalized")) - prior.hcc >= criteria.rising_risk_min_increase:
                rising = prior
                flags.append("rising_risk")
        a = Assessment(
            person_id=person_id,
            row=row,
            criteria_met=met,
            eligible=len(met) == len(criteria.criteria),
            exclusions=exclusions(row, criteria, app_status.get(person_id, NO_STATUS)),
            complexity=complexity,
            flags=flags,
            score=round(sum(w * m[name] for name, w in weights), 4),
            rising_from=rising,
        )
        a.reason = reason(row, a, as_of)
        if slim and not a.eligible:
            a.row = {k: row.get(k) for k in SCORE_FIELDS}
        results.append(a)
    ranked = sorted(
        (a for a in results if a.eligible and not a.exclusions), key=lambda a: (-a.score, a.person_id)
    )
    for i, a in enumerate(ranked, start=1):
        a.rank = i
        a.is_candidate = i <= criteria.capacity
    return results


def counts(assessments: list[Assessment]) -> dict[str, Any]:
    """Run totals; exclusion reasons are counted among eligible people (one person may have several)."""
    by_reason: dict[str, int] = {}
    for a in assessments:
        if a.eligible:
            for e in a.exclusions:
                by_reason[e] = by_reason.get(e, 0) + 1
    return {
        "people_scored": len(assessments),
        "eligible": sum(a.eligible for a in assessments),
        "excluded": sum(1 for a in assessments if a.eligible and a.exclusions),
        "excluded_by_reason": by_reason,
        "candidates": sum(a.is_candidate for a in assessments),
        "over_capacity": sum(1 for a in assessments if a.rank is not None and not a.is_candidate),
    }


CSV_COLUMNS = (
    "person_id",
    "rank",
    "score",
    "hcc_v28_normalized",
    "hcc_v24_raw",
    "charlson",
    "lace_latest",
    "ip_admits_6m",
    "ip_admits_12m",
    "ed_visits_12m",
    "active_meds",
    "chronic_conditions",
    "allowed_12m",
    "criteria_met",
    "complexity_flags",
    "flags",
    "reason",
)


def csv_row(a: Assessment) -> list[Any]:
    r = a.row
    return [
        a.person_id,
        a.rank,
        a.score,
        *(r.get(c) for c in CSV_COLUMNS[3:13]),
        " ".join(a.criteria_met),
        " ".join(a.complexity),
        " ".join(a.flags),
        a.reason,
    ]
