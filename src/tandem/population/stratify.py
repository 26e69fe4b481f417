"""Candidates with reasons: apply a criteria file to everyone's features and rank who qualifies.

This module knows nothing of Django: what it needs from the app (who is already enrolled, who declined,
each person's previous HCC score) arrives as plain mappings, so the rules can be tested on hand-made rows
and run wherever the features run. `runs.py` does the app-database side.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .criteria_config import FEATURE_MEASURES, Criteria, pqi_procedure_sets
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
NO_REASON = "no risk factors found in the claims"

FACTS_SQL = """
with p as (select * from params),
sp as (select * from strat_params),
stays as (select person_id, stay_id, admit_date, discharge_date from int_inpatient_stays),
inpatient_lines as (
    -- The inpatient claim lines with what the stays need of them, including every diagnosis position (as a
    -- list without the empty ones: ~7 codes a line, not 25 columns) for the PQI exclusions. Decoding the
    -- 25 columns is most of the cost of reading the claim lines, whatever the filter, so they are read in
    -- this one pass, not in a second pass over all 33.6M lines (at 1M members) for the stays that need them.
    select
        person_id, claim_id, code, claim_admit_date, admit_source_code,
        list_filter(diagnosis_codes, lambda c: c is not null) as diagnosis_codes
    from (
        select
            person_id, claim_id, diagnosis_code_1 as code,
            coalesce(admission_date, claim_start_date) as claim_admit_date, admit_source_code,
            list_value(*columns('^diagnosis_code_[0-9]+$')) as diagnosis_codes
        from stg_medical_claim
        where is_inpatient_line
    )
),
ip_lines as (
    -- the inpatient claim lines of each stay (a stay is one or more claims whose dates overlap or touch)
    select
        s.stay_id, s.person_id, l.claim_id, l.code, l.claim_admit_date, l.admit_source_code, l.diagnosis_codes
    from stays as s
    join inpatient_lines as l
        on l.person_id = s.person_id and l.claim_admit_date between s.admit_date and s.discharge_date
),
stay_pdx as (
    select distinct stay_id, code from ip_lines where code is not null
),
pdx_groups as (
    -- prefix matching once per distinct principal diagnosis, not once per stay
    select distinct x.code, c.grp
    from (select distinct code from stay_pdx) as x
    join strat_codes as c on (c.grp = 'obstetric' or c.grp like 'pqi:%') and x.code like c.prefix || '%'
),
stay_groups as (
    select x.stay_id, bool_or(g.grp = 'obstetric') as obstetric
    from stay_pdx as x join pdx_groups as g on g.code = x.code
    group by x.stay_id
),
-- AHRQ Prevention Quality Indicators (the ambulatory-care-sensitive admission flag). AHRQ counts discharge
-- records; here each inpatient claim of a stay is one, and a stay counts once when any of its claims does.
stay_px_sets as (
    -- the AHRQ procedure value sets the PQIs name that each stay's ICD-10-PCS codes fall in
    select distinct x.stay_id, s.px_set
    from int_stay_procedures as x join strat_pqi_px as s on s.code = x.procedure_code
),
pqi_px_stays as (
    -- PQIs whose numerator is a procedure (PQI 16): stays with one of its procedures...
    select distinct x.stay_id, n.pqi
    from stay_px_sets as x join strat_pqi_px_numerator as n on n.px_set = x.px_set
),
pqi_px_numerator as (
    -- ...and a diagnosis on its list (group 'pqa:NN') in any position of the stay's inpatient claims
    select distinct s.stay_id, s.pqi
    from pqi_px_stays as s
    join (
        select l.stay_id, unnest(l.diagnosis_codes) as diagnosis_code
        from ip_lines as l semi join pqi_px_stays as p on p.stay_id = l.stay_id
    ) as d on d.stay_id = s.stay_id
    join strat_codes as c
        on c.grp = replace(s.pqi, 'pqi:', 'pqa:') and d.diagnosis_code like c.prefix || '%'
),
pqi_claims as (
    -- claims whose principal diagnosis is on a PQI's numerator list; for a procedure PQI, every inpatient
    -- claim of a stay that meets it (each is then judged for age and transfer like any other)
    select distinct l.stay_id, l.person_id, l.claim_id, g.grp as pqi
    from ip_lines as l join pdx_groups as g on g.code = l.code
    where g.grp like 'pqi:%'
    union
    select l.stay_id, l.person_id, l.claim_id, x.pqi
    from ip_lines as l join pqi_px_numerator as x on x.stay_id = l.stay_id
),
pqi_claim_facts as (
    -- per claim (over all its lines): its admission date and whether it is a transfer in
    select
        l.stay_id, l.claim_id, min(l.claim_admit_date) as admit_date,
        bool_or(coalesce(
            ltrim(upper(trim(l.admit_source_code)), '0') in (select code from strat_pqi_transfer), false
        )) as transfer_in
    from ip_lines as l
    join (select distinct stay_id, claim_id from pqi_claims) as c
        on c.stay_id = l.stay_id and c.claim_id = l.claim_id
    group by l.stay_id, l.claim_id
),
pqi_candidates as (
    -- not a transfer in, and the age at the claim's admission within the PQI's band (no birth date, no age:
    -- not counted, as AHRQ drops discharges with a missing age)
    select distinct c.stay_id, c.pqi
    from pqi_claims as c
    join pqi_claim_facts as f on f.stay_id = c.stay_id and f.claim_id = c.claim_id
    join strat_pqi as q on q.pqi = c.pqi
    join stg_person as sp on sp.person_id = c.person_id
    cross join lateral (
        select date_diff('year', sp.birth_date, f.admit_date)
            - case when strftime(f.admit_date, '%m%d') < strftime(sp.birth_date, '%m%d') then 1 else 0 end
            as age
    ) as a
    where not f.transfer_in
        and a.age >= q.min_age and (q.max_age is null or a.age <= q.max_age)
),
pqi_excl_dx as (
    -- every diagnosis position of the stay's lines, only for stays with a PQI that has exclusion lists
    select distinct stay_id, diagnosis_code
    from (
        select l.stay_id, unnest(l.diagnosis_codes) as diagnosis_code
        from ip_lines as l
        semi join (
            select c.stay_id
            from pqi_candidates as c
            join (
                select pqi from strat_pqi_exclusion
                union
                select pqi from strat_pqi_px_rule where list_grp is not null
            ) as e on e.pqi = c.pqi
        ) as x on x.stay_id = l.stay_id
    )
),
pqi_excl_groups as (
    -- prefix matching once per distinct code
    select distinct d.diagnosis_code, c.grp
    from (select distinct diagnosis_code from pqi_excl_dx) as d
    join strat_codes as c on c.grp like 'pqx:%' and d.diagnosis_code like c.prefix || '%'
),
pqi_excluded as (
    select distinct x.stay_id, e.pqi
    from pqi_excl_dx as x
    join pqi_excl_groups as g on g.diagnosis_code = x.diagnosis_code
    join strat_pqi_exclusion as e on e.list_grp = g.grp
    union
    -- procedure exclusions: a code of the set on the stay, and for a pair also a diagnosis of the list
    select c.stay_id, r.pqi
    from pqi_candidates as c
    join strat_pqi_px_rule as r on r.pqi = c.pqi
    join stay_px_sets as x on x.stay_id = c.stay_id and x.px_set = r.px_set
    where r.list_grp is null or exists (
        select 1
        from pqi_excl_dx as d join pqi_excl_groups as g on g.diagnosis_code = d.diagnosis_code
        where d.stay_id = c.stay_id and g.grp = r.list_grp
    )
),
pqi_stays as (
    select distinct c.stay_id
    from pqi_candidates as c
    left join pqi_excluded as x on x.stay_id = c.stay_id and x.pqi = c.pqi
    where x.stay_id is null
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
        count(*) filter (where q.stay_id is not null) as acsc_admits_12m
    from stays as s cross join p
    left join stay_groups as g on g.stay_id = s.stay_id
    left join pqi_stays as q on q.stay_id = s.stay_id
    where s.admit_date > p.long_start and s.admit_date <= p.as_of
    group by s.person_id
),
window_dx as (
    select person_id, diagnosis_code from int_person_diagnoses where in_long_window
),
code_groups as (
    select distinct w.diagnosis_code, c.grp
    from (select distinct diagnosis_code from window_dx) as w
    join strat_codes as c
        on c.grp in ('uncontrolled', 'heart_failure', 'social_support', 'homelessness')
        and w.diagnosis_code like c.prefix || '%'
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
    -- The look-back window comes as statement parameters ($as_of, $lookback_days: the as-of date of `params`
    -- and the criteria's look-back, see `_run_facts`), not from a join on those one-row tables: a constant
    -- bound is applied as the claim lines are read, a joined one only after every line's flags are computed.
    -- Only the lines that set either flag are grouped: a person with none reads as false either way.
    select person_id, bool_or(hospice) as hospice, bool_or(nursing_facility) as nursing_facility
    from (
        select
            m.person_id,
            m.bill_type_prefix in ('81', '82') or m.revenue_center_code like '065%'
                or m.place_of_service_code = '34' as hospice,
            m.place_of_service_code in ('31', '32', '33', '54') as nursing_facility
        from stg_medical_claim as m
        where m.service_date > cast($as_of as date) - to_days(cast($lookback_days as integer))
            and m.service_date <= cast($as_of as date)
    )
    where hospice or nursing_facility
    group by person_id
),
lti as (
    -- only the spans flagged long-term institutional (the others cannot set it)
    select distinct e.person_id, true as lti_flag
    from eligibility as e cross join p
    where p.as_of between e.enrollment_start_date and e.enrollment_end_date
        and lower(trim(e.long_term_institutional_flag)) in ('1', 'true', 't', 'yes', 'y')
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
    """(group, code prefix) rows of `strat_codes`: a PQI's numerator codes are group ``pqi:NN``, an
    exclusion list's codes ``pqx:name`` (both empty when the flag is off)."""
    f = criteria.flags
    groups: dict[str, tuple[str, ...]] = {
        "obstetric": criteria.obstetric_codes,
        "social_support": criteria.complexity.social_support_codes,
        "homelessness": criteria.complexity.homelessness_codes,
        "heart_failure": f.heart_failure_codes,
        "uncontrolled": f.uncontrolled_codes or (),
    }
    if f.acsc_codes is not None:
        # a procedure PQI's diagnosis list is matched in any position ('pqa'), never as a principal diagnosis
        groups.update({f"{'pqa' if q.procedures else 'pqi'}:{q.key}": q.codes for q in f.acsc_pqis})
        groups.update({f"pqx:{name}": codes for name, codes in f.acsc_exclusion_codes})
    return [(grp, prefix) for grp, prefixes in groups.items() for prefix in prefixes]


def _pqi_tables(con: duckdb.DuckDBPyConnection, criteria: Criteria) -> None:
    """The PQI rules as small tables for FACTS_SQL: age bands, exclusion lists per PQI, transfer codes."""
    f = criteria.flags
    pqis = f.acsc_pqis if f.acsc_codes is not None else ()
    con.execute("CREATE OR REPLACE TEMP TABLE strat_pqi (pqi VARCHAR, min_age INTEGER, max_age INTEGER)")
    if pqis:
        con.executemany(
            "INSERT INTO strat_pqi VALUES (?, ?, ?)", [(f"pqi:{q.key}", q.min_age, q.max_age) for q in pqis]
        )
    con.execute("CREATE OR REPLACE TEMP TABLE strat_pqi_exclusion (pqi VARCHAR, list_grp VARCHAR)")
    rows = [(f"pqi:{q.key}", f"pqx:{name}") for q in pqis for name in q.exclude_if_any]
    if rows:
        con.executemany("INSERT INTO strat_pqi_exclusion VALUES (?, ?)", rows)
    # Procedure rules: numerator sets (PQI 16), exclusions by a set alone or by a diagnosis list with a set,
    # and the codes of the sets they name (data/ahrq_pqi_procedures.csv).
    con.execute("CREATE OR REPLACE TEMP TABLE strat_pqi_px_numerator (pqi VARCHAR, px_set VARCHAR)")
    con.execute(
        "CREATE OR REPLACE TEMP TABLE strat_pqi_px_rule (pqi VARCHAR, list_grp VARCHAR, px_set VARCHAR)"
    )
    con.execute("CREATE OR REPLACE TEMP TABLE strat_pqi_px (code VARCHAR, px_set VARCHAR)")
    numerator = [(f"pqi:{q.key}", name) for q in pqis for name in q.procedures]
    px_rules: list[tuple[str, str | None, str]] = [
        (f"pqi:{q.key}", None, name) for q in pqis for name in q.exclude_if_any_procedure
    ]
    px_rules += [
        (f"pqi:{q.key}", f"pqx:{d}", p) for q in pqis for d, p in q.exclude_if_diagnosis_with_procedure
    ]
    if numerator:
        con.executemany("INSERT INTO strat_pqi_px_numerator VALUES (?, ?)", numerator)
    if px_rules:
        con.executemany("INSERT INTO strat_pqi_px_rule VALUES (?, ?, ?)", px_rules)
    named = {name for _, name in numerator} | {name for *_, name in px_rules}
    if named:
        sets = pqi_procedure_sets()
        pairs = [(code, name) for name in sorted(named) for code in sorted(sets[name])]
        codes = pa.table({"code": [c for c, _ in pairs], "px_set": [n for _, n in pairs]})
        con.register("__pqi_px", codes)
        try:
            con.execute("INSERT INTO strat_pqi_px SELECT code, px_set FROM __pqi_px")
        finally:
            con.unregister("__pqi_px")
    con.execute("CREATE OR REPLACE TEMP TABLE strat_pqi_transfer (code VARCHAR)")
    if pqis and f.acsc_transfer_admit_sources:
        con.executemany(
            "INSERT INTO strat_pqi_transfer VALUES (?)", [(c,) for c in f.acsc_transfer_admit_sources]
        )


def _strat_tables(con: duckdb.DuckDBPyConnection, criteria: Criteria) -> None:
    """The criteria as the small tables FACTS_SQL reads: code groups, PQI rules, the stay windows."""
    con.execute("CREATE OR REPLACE TEMP TABLE strat_codes (grp VARCHAR, prefix VARCHAR)")
    con.executemany("INSERT INTO strat_codes VALUES (?, ?)", _code_rows(criteria))
    _pqi_tables(con, criteria)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE strat_params AS SELECT CAST(? AS INTEGER) AS index_days, "
        "CAST(? AS INTEGER) AS prior_months",
        [criteria.index_days, criteria.prior_months],
    )


def _run_facts(con: duckdb.DuckDBPyConnection, as_of: dt.date, criteria: Criteria) -> None:
    """`strat_facts` on a session where `build_features(as_of)` has run (its `params` and models).

    The claim-line look-back window is passed as statement parameters (see `recent_claims` in FACTS_SQL);
    ``as_of`` is the date the features were built for, so it equals `params.as_of`.
    """
    _strat_tables(con, criteria)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE strat_facts AS {FACTS_SQL}",
        {"as_of": as_of, "lookback_days": criteria.exclusions.lookback_days},
    )


def load_population(
    as_of: dt.date, criteria: Criteria, db_path: str | os.PathLike[str] | None = None
) -> Population:
    """Features (the colleague's models, unchanged) plus stay- and code-level facts on the same session."""
    con: duckdb.DuckDBPyConnection = open_session(db_path)
    try:
        features = build_features(as_of, con=con)
        _run_facts(con, as_of, criteria)
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
    if row.get("self_harm_flag"):
        parts.append("self-harm or suicidal ideation")
    elif row.get("behavioral_health_flag"):
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
        parts.append(_rising_text(assessment.rising_from, _num(row.get("hcc_v28_normalized")), as_of))
    return "; ".join(parts) if parts else NO_REASON


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
        met = []
        for c in criteria.criteria:
            if any(m[x.measure] >= x.at_least for x in c.any_of):
                met.append(c.key)
                met.extend(k for k, x in c.alternatives if m[x.measure] >= x.at_least)
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
            eligible=all(c.key in met for c in criteria.criteria),
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


# Evaluation over the population table: the rules above, one column at a time.
#
# Per person, `evaluate` costs about 30 s at a million people, though only a few thousand are eligible.
# `evaluate_table` computes every rule for everyone as columns (Arrow and NumPy), builds `Assessment`s (whole
# rows, reasons, ranks) for the eligible people only, and keeps everyone's stored-score fields as an Arrow
# table. The row functions above stay the readable reference: tests/population/test_stratify_table.py checks
# that both give the same result for every person.

SCORE_COLUMNS = (
    *SCORE_FIELDS,
    "score",
    "criteria_met",
    "flags",
    "exclusions",
    "eligible",
    "rank",
    "is_candidate",
    "reason",
)
LIST_COLUMNS = ("criteria_met", "flags", "exclusions")
# What str.split() splits on, for the housing codes in the space-separated `social_needs_codes`.
_WHITESPACE = r"[\t-\r\x1c-\x20\x85\p{Z}]"
_HOUSING_PATTERN = f"(?:^|{_WHITESPACE})(?:{'|'.join(re.escape(p) for p in HOUSING_INSTABILITY_PREFIXES)})"


@dataclass
class Evaluation:
    """A run's result: `assessments` of the eligible people (ranked or excluded), with whole rows and
    reasons, and `scores`, everyone's stored-score columns (`SCORE_COLUMNS`) in population order."""

    assessments: list[Assessment]
    scores: pa.Table

    def counts(self) -> dict[str, Any]:
        """`counts` over everyone: apart from people_scored, every total is about eligible people."""
        totals = counts(self.assessments)
        totals["people_scored"] = self.scores.num_rows
        return totals

    def candidates(self) -> list[Assessment]:
        return sorted((a for a in self.assessments if a.is_candidate), key=lambda a: a.rank or 0)

    @classmethod
    def from_assessments(cls, assessments: Sequence[Assessment]) -> Evaluation:
        """The same result from `evaluate`'s list (the row-dict path)."""
        columns: dict[str, pa.Array] = {
            "person_id": pa.array([a.person_id for a in assessments], pa.string())
        }
        for name in SCORE_FIELDS[1:]:
            columns[name] = _array([a.row.get(name) for a in assessments])
        columns["score"] = pa.array([a.score for a in assessments], pa.float64())
        for name in LIST_COLUMNS:
            columns[name] = pa.array([getattr(a, name) for a in assessments], pa.list_(pa.string()))
        columns["eligible"] = pa.array([a.eligible for a in assessments], pa.bool_())
        columns["rank"] = pa.array([a.rank for a in assessments], pa.int64())
        columns["is_candidate"] = pa.array([a.is_candidate for a in assessments], pa.bool_())
        columns["reason"] = pa.array([a.reason for a in assessments], pa.string())
        return cls(assessments=[a for a in assessments if a.eligible], scores=pa.table(columns))


def _array(values: list[Any]) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # hand-made rows may mix ints, floats and decimals
        return pa.array([None if v is None else float(v) for v in values], pa.float64())


def evaluate_population(
    population: Population,
    criteria: Criteria,
    *,
    as_of: dt.date,
    app_status: Mapping[str, AppStatus] | None = None,
    previous: Mapping[str, PriorScore] | None = None,
) -> Evaluation:
    """What a run uses: `evaluate_table` on the population's Arrow table, or `evaluate` on its row dicts."""
    if population.table is not None:
        return evaluate_table(
            population.table, criteria, as_of=as_of, app_status=app_status, previous=previous
        )
    results = evaluate(
        population.rows(), criteria, as_of=as_of, app_status=app_status, previous=previous, slim=True
    )
    return Evaluation.from_assessments(results)


def _np(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    out: np.ndarray = values.to_numpy(zero_copy_only=False)
    return out


class _Columns:
    """The population table's columns as NumPy arrays, read the way the row functions read a dict."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self.n = table.num_rows
        self._nums: dict[str, np.ndarray] = {}

    def _get(self, name: str) -> pa.ChunkedArray | None:
        return self.table.column(name) if name in self.table.column_names else None

    def none(self) -> np.ndarray:
        return np.zeros(self.n, dtype=bool)

    def num(self, name: str) -> np.ndarray:
        """`_num(row.get(name))`: missing and null as 0."""
        if name not in self._nums:
            col = self._get(name)
            self._nums[name] = (
                np.zeros(self.n) if col is None else _np(pc.fill_null(pc.cast(col, pa.float64()), 0.0))
            )
        return self._nums[name]

    def present(self, name: str) -> np.ndarray:
        """`row.get(name) is not None`."""
        col = self._get(name)
        return self.none() if col is None else _np(pc.is_valid(col))

    def truthy(self, name: str) -> np.ndarray:
        """`bool(row.get(name))`."""
        col = self._get(name)
        if col is None:
            return self.none()
        t = col.type
        if pa.types.is_boolean(t):
            value = col
        elif pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
            value = pc.not_equal(pc.cast(col, pa.float64()), 0.0)
        elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t):
            value = pc.greater(pc.binary_length(col), 0)
        else:  # dates and other values are true whenever present
            value = pc.is_valid(col)
        return _np(pc.fill_null(value, False))

    def text(self, name: str) -> pa.Array:
        """`str(row.get(name) or "")` for a text column."""
        col = self._get(name)
        if col is None:
            return pa.array([""] * self.n, pa.string())
        if not pa.types.is_string(col.type):
            col = pc.cast(col, pa.string())
        return pc.fill_null(col, "").combine_chunks()

    def person_ids(self) -> pa.Array:
        """`str(row["person_id"])`."""
        col = self.table.column("person_id")
        if not pa.types.is_string(col.type):
            col = pc.cast(col, pa.string())
        return col.combine_chunks()


def _round(values: np.ndarray, digits: int = 4) -> np.ndarray:
    """`round(x, digits)` for every value, to the bit: scale, round half to even, divide; values whose scaled
    product lies too near a tie (or is huge, infinite or NaN) are rounded by Python itself."""
    scale = 10.0**digits
    scaled = values * scale
    out = np.round(scaled) / scale
    with np.errstate(invalid="ignore"):
        doubtful = ~(np.abs(scaled - np.floor(scaled) - 0.5) > 1e-6) | ~(np.abs(scaled) < 2.0**32)
    for i in np.flatnonzero(doubtful):
        out[i] = round(float(values[i]), digits)
    return out


def _name_lists(groups: Mapping[str, np.ndarray], n: int) -> pa.ListArray:
    """Per person, the names whose mask is set, in the mapping's order (a list<string> column)."""
    names = list(groups)
    offsets = np.zeros(n + 1, dtype=np.int32)
    if not names:
        return pa.ListArray.from_arrays(pa.array(offsets), pa.array([], pa.string()))
    matrix = np.column_stack([groups[k] for k in names]) if n else np.zeros((0, len(names)), dtype=bool)
    offsets[1:] = np.cumsum(matrix.sum(axis=1))
    which = np.flatnonzero(matrix) % len(names)
    return pa.ListArray.from_arrays(pa.array(offsets), pc.take(pa.array(names, pa.string()), pa.array(which)))


def _scatter(at: np.ndarray, values: pa.Array, n: int, fill: str = "") -> pa.Array:
    """A column of n strings: ``values`` at positions ``at``, ``fill`` elsewhere."""
    lookup = np.full(n, len(at), dtype=np.int64)
    lookup[at] = np.arange(len(at))
    return pc.take(
        pa.concat_arrays([values.cast(pa.string()), pa.array([fill], pa.string())]), pa.array(lookup)
    )


def _fixed1(values: np.ndarray) -> pa.Array:
    """`f"{x:.1f}"` for every value, to the character (ties and odd values are formatted by Python)."""
    negative = np.signbit(values)
    scaled = np.abs(values) * 10.0
    with np.errstate(invalid="ignore"):
        doubtful = ~(np.abs(scaled - np.floor(scaled) - 0.5) > 1e-6) | ~(scaled < 2.0**32)
    tenths = np.where(doubtful, 0, np.round(np.where(doubtful, 0, scaled))).astype(np.int64)
    text = pc.binary_join_element_wise(
        pc.if_else(pa.array(negative), "-", ""),
        pc.cast(pa.array(tenths // 10), pa.string()),
        ".",
        pc.cast(pa.array(tenths % 10), pa.string()),
        "",
    )
    odd = np.flatnonzero(doubtful)
    if len(odd):
        fixed = pa.array([f"{float(values[i]):.1f}" for i in odd], pa.string())
        text = pc.if_else(pa.array(doubtful), _scatter(odd, fixed, len(values)), text)
    return text


def _since(prev_as_of: dt.date, as_of: dt.date) -> str:
    return f"{prev_as_of:%B}" if prev_as_of.year == as_of.year else f"{prev_as_of:%B %Y}"


def _rising_text(prev: PriorScore, hcc: float, as_of: dt.date) -> str:
    return f"HCC up from {prev.hcc:.1f} to {hcc:.1f} since {_since(prev.as_of, as_of)}"


class PriorScores(Mapping[str, PriorScore]):
    """One earlier run's HCC scores as columns (person ids, scores, that run's as-of date), as
    `runs.previous_scores` reads them: a mapping for `evaluate`, arrays for `evaluate_table`, and no object
    per person for a million people."""

    def __init__(self, person_ids: Sequence[str], hccs: Sequence[float], as_of: dt.date) -> None:
        self.person_ids = person_ids
        self.hccs = hccs
        self.as_of = as_of
        self._at: dict[str, int] | None = None

    def __getitem__(self, person_id: str) -> PriorScore:
        if self._at is None:
            self._at = {p: i for i, p in enumerate(self.person_ids)}
        return self.score_at(self._at[person_id])

    def score_at(self, i: int) -> PriorScore:
        return PriorScore(hcc=float(self.hccs[i]), as_of=self.as_of)

    def __iter__(self) -> Iterator[str]:
        return iter(self.person_ids)

    def __len__(self) -> int:
        return len(self.person_ids)


@dataclass
class _Prior:
    """Each person's previous score, joined on person id: whether there is one, its HCC, its date's text."""

    found: np.ndarray
    at: np.ndarray  # where in `previous`
    hcc: np.ndarray
    since: pa.Array | None

    @classmethod
    def join(cls, person_ids: pa.Array, previous: Mapping[str, PriorScore], as_of: dt.date) -> _Prior:
        n = len(person_ids)
        if not previous:
            return cls(np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64), np.zeros(n), None)
        if isinstance(previous, PriorScores):
            keys = pa.array(previous.person_ids, pa.string())
            hccs = np.asarray(previous.hccs, dtype=float)
            dates = pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(len(keys), dtype=np.int32)), pa.array([previous.as_of], pa.date32())
            )
        else:
            keys = pa.array(list(previous), pa.string())
            hccs = np.fromiter((p.hcc for p in previous.values()), dtype=float, count=len(previous))
            dates = pc.dictionary_encode(pa.array([p.as_of for p in previous.values()], pa.date32()))
        since = pa.array([_since(d, as_of) for d in dates.dictionary.to_pylist()], pa.string())
        at = pc.index_in(person_ids, value_set=keys)
        found = _np(pc.is_valid(at))
        at_np = _np(pc.fill_null(at, 0)).astype(np.int64)
        return cls(found, at_np, hccs[at_np], since.take(dates.indices.take(pa.array(at_np))))


def _join_parts(n: int, parts: Sequence[tuple[np.ndarray, str | pa.Array]]) -> pa.Array:
    """Per person, the texts of the parts present (``at``: the people who have it) joined with "; ", in order.

    A text is one string for everyone who has the part, or an array with one string each.
    """
    counts = np.zeros(n, dtype=np.int64)
    for at, _ in parts:
        counts[at] += 1
    offsets = np.zeros(n + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(counts)
    filled = offsets[:-1].copy()
    source = np.empty(offsets[-1], dtype=np.int64)  # where each list element comes from in `texts`
    texts: list[pa.Array] = []
    start = 0
    for at, text in parts:
        values = pa.array([text], pa.string()) if isinstance(text, str) else text.cast(pa.string())
        source[filled[at]] = start if isinstance(text, str) else np.arange(start, start + len(at))
        filled[at] += 1
        texts.append(values)
        start += len(values)
    flat = pa.concat_arrays(texts).take(pa.array(source))
    return pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), flat), "; ")


def _reasons(cols: _Columns, uncontrolled: np.ndarray, rising: np.ndarray, prior: _Prior) -> pa.Array:
    """`reason` for everyone, as one string column."""

    def counted(name: str, at_least: float, one: str, many: str) -> tuple[np.ndarray, pa.Array]:
        values = cols.num(name)
        at = np.flatnonzero(values >= at_least)
        k = values[at].astype(np.int64)  # int(): towards zero
        text = pc.binary_join_element_wise(
            pc.cast(pa.array(k), pa.string()), pc.if_else(pa.array(k == 1), f" {one}", f" {many}"), ""
        )
        return at, text

    def when(mask: np.ndarray, text: str) -> tuple[np.ndarray, str]:
        return np.flatnonzero(mask), text

    homeless = cols.truthy("homelessness_dx")
    self_harm = cols.truthy("self_harm_flag")
    housing = ~homeless & _np(pc.match_substring_regex(cols.text("social_needs_codes"), _HOUSING_PATTERN))
    parts: list[tuple[np.ndarray, str | pa.Array]] = [
        counted("ip_admits_6m", 1, "admission in 6 months", "admissions in 6 months"),
        counted("ed_visits_12m", 3, "ED visit in 12 months", "ED visits in 12 months"),
        counted("chronic_conditions", 2, "chronic condition", "chronic conditions"),
        counted("active_meds", 5, "medication", "medications"),
        when(homeless, "homelessness"),
        when(housing, "housing instability"),
        when(cols.truthy("social_support_dx"), "little social support"),
        when(self_harm, "self-harm or suicidal ideation"),
        when(~self_harm & cols.truthy("behavioral_health_flag"), "mental-health condition"),
        when(cols.truthy("sud_flag"), "substance use"),
        when(uncontrolled, "uncontrolled chronic disease"),
        counted("acsc_admits_12m", 1, "potentially avoidable admission", "potentially avoidable admissions"),
    ]
    at = np.flatnonzero(rising)
    if len(at) and prior.since is not None:
        text = pc.binary_join_element_wise(
            "HCC up from ",
            _fixed1(prior.hcc[at]),
            " to ",
            _fixed1(cols.num("hcc_v28_normalized")[at]),
            " since ",
            prior.since.take(pa.array(at)),
            "",
        )
        parts.append((at, text))
    counts = np.zeros(cols.n, dtype=np.int64)
    for found, _ in parts:
        counts[found] += 1
    parts.append(when(counts == 0, NO_REASON))
    return _join_parts(cols.n, parts)


def evaluate_table(
    table: pa.Table,
    criteria: Criteria,
    *,
    as_of: dt.date,
    app_status: Mapping[str, AppStatus] | None = None,
    previous: Mapping[str, PriorScore] | None = None,
) -> Evaluation:
    """`evaluate` (slim) over a table with one row per person, column-wise; the same result for everyone."""
    app_status = app_status or {}
    previous = previous or {}
    cols = _Columns(table)
    n = cols.n
    none = cols.none()
    person_ids = cols.person_ids()
    c, f, e = criteria.complexity, criteria.flags, criteria.exclusions

    complexity = {  # complexity_flags
        "medications": cols.num("active_meds") >= c.min_active_medications,
        "access": (cols.num("outpatient_visits_12m") <= c.access_max_outpatient_visits_12m)
        | (cols.num("ed_visits_12m") >= c.access_min_ed_visits_12m),
        "social_support": cols.truthy("social_support_dx"),
        "mental_health": cols.truthy("behavioral_health_flag"),
        "drug_use": cols.truthy("sud_flag"),
        "homelessness": cols.truthy("homelessness_dx"),
    }
    used = ALL_MEASURES.intersection(
        {x.measure for cr in criteria.criteria for x in cr.any_of} | set(criteria.weights)
    )
    m = {name: cols.num(name) for name in used if name in ROW_MEASURES}  # measures
    if "index_admission" in used:
        m["index_admission"] = cols.present("index_admit_date").astype(float)
    if "complexity_flags" in used:
        m["complexity_flags"] = np.sum(list(complexity.values()), axis=0, dtype=float)
    met: dict[str, np.ndarray] = {}  # criteria, each followed by its alternatives (as `evaluate` lists them)
    for cr in criteria.criteria:
        met[cr.key] = none.copy()
        for x in cr.any_of:
            met[cr.key] |= m[x.measure] >= x.at_least
        for key, x in cr.alternatives:
            met[key] = m[x.measure] >= x.at_least
    eligible = np.logical_and.reduce([met[cr.key] for cr in criteria.criteria]) if met else ~none

    prior = _Prior.join(person_ids, previous, as_of)
    rising = (
        prior.found
        & cols.present("hcc_v28_normalized")
        & (cols.num("hcc_v28_normalized") - prior.hcc >= criteria.rising_risk_min_increase)
    )
    flags = {  # modifiable_flags, then rising risk
        "uncontrolled_chronic_disease": (
            cols.truthy("uncontrolled_dx")
            | (
                cols.truthy("heart_failure_dx")
                & (cols.num("ip_admits_12m") >= f.heart_failure_min_admissions)
            )
        )
        if f.uncontrolled_codes is not None
        else none,
        "polypharmacy": cols.num("active_meds") >= f.polypharmacy_min_medications
        if f.polypharmacy_min_medications is not None
        else none,
        "behavioral_health": cols.truthy("behavioral_health_flag") | cols.truthy("sud_flag")
        if f.behavioral_health
        else none,
        "social_needs": cols.truthy("social_needs_flag") if f.social_needs else none,
        "ambulatory_care_sensitive_admission": cols.num("acsc_admits_12m") >= f.acsc_min_admissions
        if f.acsc_codes is not None
        else none,
        "rising_risk": rising,
    }

    def known(test: Any) -> np.ndarray:  # the app's people with this status (few): a set lookup
        ids = pa.array([pid for pid, s in app_status.items() if test(s)], pa.string())
        return _np(pc.is_in(person_ids, value_set=ids))

    excluded = {  # exclusions
        "under_age": ~cols.present("age") | (cols.num("age") < e.under_age)
        if e.under_age is not None
        else none,
        "hospice": cols.truthy("hospice") if e.hospice else none,
        "long_term_institutional": cols.truthy("long_term_institutional")
        if e.long_term_institutional
        else none,
        "already_enrolled": known(lambda s: s.enrolled) if e.already_enrolled else none,
        "declined_reapproach_pending": known(lambda s: s.declined_pending)
        if e.declined_reapproach_pending
        else none,
    }
    total = np.zeros(n)
    for name, weight in criteria.weights.items():
        total = total + weight * m[name]
    score = _round(total)

    reasons = _reasons(cols, flags["uncontrolled_chronic_disease"], rising, prior)
    lists = {"criteria_met": _name_lists(met, n), "flags": _name_lists(flags, n)}
    lists["exclusions"] = _name_lists(excluded, n)
    any_excluded = np.logical_or.reduce(list(excluded.values()))

    # The ranking, as `evaluate` sorts: score descending, then person id.
    at = np.flatnonzero(eligible & ~any_excluded)
    order = pc.sort_indices(
        pa.table({"score": score[at], "person_id": person_ids.take(pa.array(at))}),
        sort_keys=[("score", "descending"), ("person_id", "ascending")],
    )
    rank = np.zeros(n, dtype=np.int64)
    rank[at[_np(order)]] = np.arange(1, len(at) + 1)
    ranked = rank > 0
    candidate = ranked & (rank <= criteria.capacity)

    # Assessments (whole rows, reasons) for the eligible people only.
    at = np.flatnonzero(eligible)
    taken = pa.array(at, pa.int64())
    fields = {
        "person_id": person_ids.take(taken).to_pylist(),
        "row": table.take(taken).to_pylist(),
        "criteria_met": lists["criteria_met"].take(taken).to_pylist(),
        "exclusions": lists["exclusions"].take(taken).to_pylist(),
        "complexity": _name_lists({k: v[at] for k, v in complexity.items()}, len(at)).to_pylist(),
        "flags": lists["flags"].take(taken).to_pylist(),
        "score": score[at].tolist(),
        "reason": reasons.take(taken).to_pylist(),
        "rank": [r or None for r in rank[at].tolist()],
        "is_candidate": candidate[at].tolist(),
    }
    assessments = [
        Assessment(eligible=True, **dict(zip(fields, values, strict=True)))
        for values in zip(*fields.values(), strict=True)
    ]
    for i, a in zip(at.tolist(), assessments, strict=True):
        if rising[i]:
            a.rising_from = (
                previous.score_at(int(prior.at[i]))
                if isinstance(previous, PriorScores)
                else previous[a.person_id]
            )

    columns: dict[str, Any] = {"person_id": person_ids}
    for name in SCORE_FIELDS[1:]:
        columns[name] = table.column(name) if name in table.column_names else pa.nulls(n)
    columns.update(
        score=pa.array(score, pa.float64()),
        **lists,
        eligible=pa.array(eligible, pa.bool_()),
        rank=pa.array(rank, pa.int64(), mask=~ranked),
        is_candidate=pa.array(candidate, pa.bool_()),
        reason=reasons,
    )
    return Evaluation(assessments=assessments, scores=pa.table(columns))
