"""CMS-HCC V24/V28 scores for a whole population in one DuckDB query, equal to `hcc.score` per person.

Scoring people one at a time in Python took most of the feature run (45 s per 100,000 people); as set
operations (map, age/sex edits, hierarchy anti-join, interaction self-join, count lookup) the same rules
are a few joins. `hcc.py` stays the readable reference that the published test values check, and a test
asserts both give the same scores. Coefficients are carried as integer thousandths: every published
coefficient has three decimals, so sums are exact and rounding cannot differ from the reference's.
Both engines call this on a DuckDB connection (Spark hands over `stg_person` and `int_hcc_dx`).

Each person is scored in one CMS segment, as `hcc.score` does: new enrollees (fewer than 12 months of the
base year since their first enrolment, `stg_person.entitled_months_base_year`) get the new-enrollee
demographic cell and nothing else; long-term institutional residents
(`stg_person.long_term_institutional_on_as_of`, from the input's flag) get the institutional factors;
everyone else the community ones. The segment only changes which factor rows a person joins, so it is still
one pass over people and diagnoses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb
import pyarrow as pa

from . import hcc

MILLI = 1000
# CMS: a new enrollee has fewer than 12 months of Part B entitlement in the data collection year (Medicare
# Managed Care Manual ch. 7 §70.2.1); stg_person.sql counts base-year months from the first enrolment.
NEW_ENROLLEE_MONTHS = 12
# Segment key that the institutional factor rows carry in the community-shaped tables; no community row
# has it. New enrollees join with NEW_KEY, which matches no row: they have no disease or count factors.
INSTITUTIONAL_KEY = "Institutional"
NEW_KEY = "New"
SEGMENTS = ("community", "institutional", "new_enrollee")
ENROLLED_MONTHS_COLUMN = "entitled_months_base_year"
INSTITUTIONAL_COLUMN = "long_term_institutional_on_as_of"


def _milli(coefficient: float) -> int:
    scaled = coefficient * MILLI
    whole = round(scaled)
    if abs(scaled - whole) > 1e-6:
        raise ValueError(f"HCC coefficient {coefficient!r} has more than three decimals; scoring assumes 3")
    return int(whole)


def install_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The parsed `hcc.tables()` as temp tables, so SQL and the reference read the very same values."""
    t = hcc.tables()
    ins = t.institutional
    lti = (INSTITUTIONAL_KEY,) * 3
    icd = [(m, code, h, (m, code) in t.edits) for (m, code), hccs in t.icd.items() for h in hccs]
    edits = [
        (m, code, e.sex, e.valid_age_min, e.valid_age_max, e.hcc_override)
        for (m, code), rules in t.edits.items()
        for e in rules
    ]
    hierarchy = [(m, h, x) for (m, h), excluded in t.hierarchy.items() for x in excluded]
    # community rows keyed by their segment, then the institutional rows under INSTITUTIONAL_KEY
    demographic = [(m, sex, age, *seg, _milli(c)) for (m, sex, age, seg), c in t.demographic.items()]
    demographic += [(m, sex, age, *lti, _milli(c)) for (m, sex, age), c in ins.demographic.items()]
    disease = [(m, *seg, h, _milli(c)) for (m, seg, h), (c, _) in t.disease.items()]
    disease += [(m, *lti, h, _milli(c)) for (m, h), c in ins.disease.items()]
    interactions = [
        (m, *seg, name, _milli(coef), a, b)
        for (m, seg), named in t.interactions.items()
        for name, (coef, pairs) in named.items()
        for a, b in pairs
    ]
    interactions += [
        (m, *lti, name, _milli(coef), a, b)
        for m, named in ins.interactions.items()
        for name, (coef, pairs) in named.items()
        for a, b in pairs
    ]
    orig_disabled = [(m, sex, med, dual, _milli(c)) for (m, sex, med, dual), c in t.orig_disabled.items()]
    counts = [(m, *seg, key, _milli(c)) for (m, seg), by_key in t.counts.items() for key, c in by_key.items()]
    counts += [(m, *lti, key, _milli(c)) for m, by_key in ins.counts.items() for key, c in by_key.items()]
    lti_medicaid = [(m, _milli(c)) for m, c in ins.medicaid.items()]
    disabled = [
        (m, name, _milli(coef), h)
        for m, named in ins.disabled.items()
        for name, (coef, group) in named.items()
        for h in group
    ]
    new_enrollee = [
        (m, snp, sex, cell, medicaid, od, _milli(c))
        for (m, snp, sex, cell, medicaid, od), c in t.new_enrollee.items()
    ]
    seg_cols = ["medicaid", "dual", "orec"]
    specs: dict[str, tuple[list[str], Sequence[tuple[object, ...]]]] = {
        "hcc_icd_map": (["model", "diagnosis_code", "hcc", "has_edit"], icd),
        "hcc_dx_edit": (["model", "diagnosis_code", "sex", "age_min", "age_max", "hcc_override"], edits),
        "hcc_hierarchy": (["model", "hcc", "excluded"], hierarchy),
        "hcc_demographic": (["model", "sex", "age_group", *seg_cols, "milli"], demographic),
        "hcc_disease": (["model", *seg_cols, "hcc", "milli"], disease),
        "hcc_interaction": (["model", *seg_cols, "name", "milli", "hcc_1", "hcc_2"], interactions),
        "hcc_orig_disabled": (["model", "sex", "medicaid", "dual", "milli"], orig_disabled),
        "hcc_count": (["model", *seg_cols, "count_key", "milli"], counts),
        "hcc_lti_medicaid": (["model", "milli"], lti_medicaid),
        "hcc_disabled_interaction": (["model", "name", "milli", "hcc"], disabled),
        "hcc_new_enrollee": (
            ["model", "snp", "sex", "age_group", "medicaid", "orig_disabled", "milli"],
            new_enrollee,
        ),
    }
    for name, (columns, rows) in specs.items():
        data = pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)})
        con.register(f"__{name}", data)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM __{name}")
        finally:
            con.unregister(f"__{name}")


def _age_band_sql(age: str) -> str:
    whens = " ".join(
        f"WHEN {age} BETWEEN {low} AND {high} THEN '{label}'" for low, high, label in hcc.AGE_BANDS
    )
    return f"CASE {whens} ELSE '>=95' END"


def _new_enrollee_age_band_sql(age: str, orec: str) -> str:
    """`hcc.new_enrollee_age_band`: a 64-year-old entitled by age (OREC 0 or missing) takes the 65 cell."""
    whens = " ".join(
        f"WHEN {age} BETWEEN {low} AND {high} THEN '{label}'"
        for low, high, label in hcc.NEW_ENROLLEE_AGE_BANDS
    )
    entitled_by_age = f"trim(case when {orec} is null or {orec} = '' then '0' else {orec} end) = '0'"
    return (
        f"CASE WHEN {age} = 64 THEN (CASE WHEN {entitled_by_age} THEN '65' ELSE '60-64' END) "
        f"{whens} ELSE '>=95' END"
    )


def _in(values: set[str]) -> str:
    return ", ".join(f"'{v}'" for v in sorted(values))


def _ints(values: frozenset[int]) -> str:
    return ", ".join(str(v) for v in sorted(values))


def scores_sql(enrolment: bool = True, institutional: bool = True) -> str:
    """Per person and model: demographic (+ originally disabled, LTIMCAID or the new-enrollee cell), disease
    after hierarchy, interactions (+ institutional DISABLED_* terms), payment-HCC count; then one row per
    person with both models side by side and the segment used.

    ``enrolment`` / ``institutional``: whether ``stg_person`` has the entitlement-month count and the
    long-term institutional flag. Without them (or where they are NULL) a person is a continuing enrollee
    in the community, which is what CMS assumes of someone with a full year and no facility stay.
    """
    new_enrollee = (
        f"coalesce({ENROLLED_MONTHS_COLUMN} < {NEW_ENROLLEE_MONTHS}, false)" if enrolment else "false"
    )
    resident = f"coalesce({INSTITUTIONAL_COLUMN}, false)" if institutional else "false"
    return f"""
with person as (
    select
        person_id,
        age,
        orec,
        case when lower(sex) like 'f%' then 'Female' else 'Male' end as sex_label,
        case
            when regexp_full_match(dual0, '[0-9]+') and length(dual0) < 2 then lpad(dual0, 2, '0')
            else dual0
        end as dual_code,
        trim(coalesce(orec, '')) = '{hcc.ORIGINALLY_DISABLED_OREC}' and age >= 65 as originally_disabled,
        -- as in hcc.score, the new-enrollee test comes first: an institutional new enrollee is a new enrollee
        case
            when {new_enrollee} then 'new_enrollee'
            when {resident} then 'institutional'
            else 'community'
        end as hcc_segment
    from (select *, trim(coalesce(dual_status_code, '')) as dual0 from stg_person)
    where age is not null and sex is not null
),
seg0 as (
    select
        *,
        case when dual_code in ({_in(hcc.FULL_DUAL_CODES | hcc.PARTIAL_DUAL_CODES)}) then 'Yes' else 'No'
        end as medicaid,
        case
            when dual_code in ({_in(hcc.FULL_DUAL_CODES)}) then 'Full'
            when dual_code in ({_in(hcc.PARTIAL_DUAL_CODES)}) then 'Partial'
            else 'Non'
        end as dual,
        case when age >= 65 then 'Aged' else 'Disabled' end as orec_seg,
        {_age_band_sql("age")} as age_band
    from person
),
seg as (
    -- k_*: the segment key a person's factor rows are joined on (community segment, the institutional key,
    -- or for new enrollees a key no row has); lti_disabled: hcc._institutional_score's DISABL
    select
        *,
        case hcc_segment when 'community' then medicaid when 'institutional' then '{INSTITUTIONAL_KEY}'
            else '{NEW_KEY}' end as k_medicaid,
        case hcc_segment when 'community' then dual when 'institutional' then '{INSTITUTIONAL_KEY}'
            else '{NEW_KEY}' end as k_dual,
        case hcc_segment when 'community' then orec_seg when 'institutional' then '{INSTITUTIONAL_KEY}'
            else '{NEW_KEY}' end as k_orec,
        hcc_segment = 'institutional' and age < 65 and trim(coalesce(orec, '')) in ('1', '2', '3')
            as lti_disabled,
        case when hcc_segment = 'new_enrollee' then {_new_enrollee_age_band_sql("age", "orec")} end
            as ne_age_band
    from seg0
),
models as (select * from (values ('CMS-HCC-V24'), ('CMS-HCC-V28')) as m (model)),
mapped as (
    -- new enrollees are paid no disease factors, so their diagnoses are not mapped at all
    select d.person_id, m.model, m.diagnosis_code, m.hcc, m.has_edit
    from int_hcc_dx as d
    inner join seg as s on s.person_id = d.person_id and s.hcc_segment <> 'new_enrollee'
    inner join hcc_icd_map as m on m.diagnosis_code = upper(replace(d.diagnosis_code, '.', ''))
),
edit_candidate as (
    -- the few codes with a CMS age/sex edit take the slow path; everything else maps as listed
    select distinct person_id, model, diagnosis_code, hcc from mapped where has_edit
),
fired_edit as (
    -- hcc.DxEdit.fires: a sex rule fires for that sex, an age rule outside its valid range
    select x.person_id, x.model, x.diagnosis_code, e.hcc_override
    from (select distinct person_id, model, diagnosis_code from edit_candidate) as x
    inner join seg as s on s.person_id = x.person_id
    inner join hcc_dx_edit as e on e.model = x.model and e.diagnosis_code = x.diagnosis_code
    where case
        when e.sex is not null then s.sex_label = e.sex
        else s.age < e.age_min or (e.age_max is not null and s.age > e.age_max)
    end
),
found as (
    select distinct person_id, model, hcc
    from (
        select person_id, model, hcc from mapped where not has_edit
        union all
        select c.person_id, c.model, c.hcc
        from edit_candidate as c
        where not exists (
            select 1 from fired_edit as f
            where f.person_id = c.person_id and f.model = c.model and f.diagnosis_code = c.diagnosis_code
        )
        union all
        -- a firing edit without an override drops the code; otherwise the override is its HCC
        select f.person_id, f.model, f.hcc_override
        from fired_edit as f
        where f.hcc_override is not null and not exists (
            select 1 from fired_edit as g
            where g.person_id = f.person_id and g.model = f.model and g.diagnosis_code = f.diagnosis_code
                and g.hcc_override is null
        )
    )
),
v28_heart_failure as (
    select person_id, bool_or(hcc = 223) as has_223, bool_or(hcc <> 223) as has_other
    from found
    where model = 'CMS-HCC-V28' and hcc in (223, {_ints(hcc.V28_HCC223_NEEDS_ONE_OF)})
    group by person_id
),
excluded as (
    select distinct f.person_id, f.model, h.excluded as hcc
    from found as f
    inner join hcc_hierarchy as h on h.model = f.model and h.hcc = f.hcc
    union
    -- V28 recode: HCC 223 only with another heart-failure HCC (hcc.V28_HCC223_NEEDS_ONE_OF)
    select person_id, 'CMS-HCC-V28', 223 from v28_heart_failure where has_223 and not has_other
),
kept as (
    select f.person_id, f.model, f.hcc
    from found as f
    left join excluded as x on x.person_id = f.person_id and x.model = f.model and x.hcc = f.hcc
    where x.hcc is null
),
disease as (
    select
        k.person_id,
        k.model,
        sum(coalesce(df.milli, 0)) as disease_milli,
        count(*) as payment_hccs,
        -- an ordered aggregate (string_agg ... order by) buffered and sorted every group: most of this
        -- query's time at 1M people; sorting the collected list afterwards gives the same text
        array_to_string(list_transform(list_sort(list(k.hcc)), lambda h: 'HCC' || h), ' ') as hcc_list
    from kept as k
    inner join seg as s on s.person_id = k.person_id
    left join hcc_disease as df
        on df.model = k.model and df.hcc = k.hcc
        and df.medicaid = s.k_medicaid and df.dual = s.k_dual and df.orec = s.k_orec
    group by k.person_id, k.model
),
interaction as (
    select person_id, model, sum(milli) as interaction_milli
    from (
        select distinct a.person_id, a.model, i.name, i.milli
        from kept as a
        inner join seg as s on s.person_id = a.person_id
        inner join hcc_interaction as i
            on i.model = a.model and i.hcc_1 = a.hcc
            and i.medicaid = s.k_medicaid and i.dual = s.k_dual and i.orec = s.k_orec
        inner join kept as b on b.person_id = a.person_id and b.model = a.model and b.hcc = i.hcc_2
        union all
        -- institutional DISABLED_* terms: any HCC of the group, for residents under 65 entitled by
        -- disability (distinct: a group pays once however many of its HCCs are present)
        select distinct k.person_id, k.model, di.name, di.milli
        from kept as k
        inner join seg as s on s.person_id = k.person_id and s.lti_disabled
        inner join hcc_disabled_interaction as di on di.model = k.model and di.hcc = k.hcc
    )
    group by person_id, model
),
scored as (
    select
        s.person_id,
        m.model,
        s.hcc_segment,
        coalesce(dem.milli, 0)
        + case when s.hcc_segment = 'community' and s.originally_disabled then coalesce(od.milli, 0)
            when s.hcc_segment = 'institutional' and s.medicaid = 'Yes' then coalesce(lm.milli, 0)
            else 0 end
        + coalesce(ne.milli, 0)
        + coalesce(d.disease_milli, 0) + coalesce(i.interaction_milli, 0) + coalesce(c.milli, 0)
            as raw_milli,
        coalesce(d.hcc_list, '') as hcc_list
    from seg as s
    cross join models as m
    left join hcc_demographic as dem
        on dem.model = m.model and dem.sex = s.sex_label and dem.age_group = s.age_band
        and dem.medicaid = s.k_medicaid and dem.dual = s.k_dual and dem.orec = s.k_orec
    left join hcc_orig_disabled as od
        on od.model = m.model and od.sex = s.sex_label and od.medicaid = s.medicaid and od.dual = s.dual
    left join hcc_lti_medicaid as lm on lm.model = m.model
    left join hcc_new_enrollee as ne
        on s.hcc_segment = 'new_enrollee' and ne.model = m.model and not ne.snp and ne.sex = s.sex_label
        and ne.age_group = s.ne_age_band and ne.medicaid = (s.medicaid = 'Yes')
        and ne.orig_disabled = s.originally_disabled
    left join disease as d on d.person_id = s.person_id and d.model = m.model
    left join interaction as i on i.person_id = s.person_id and i.model = m.model
    left join hcc_count as c
        on c.model = m.model and c.medicaid = s.k_medicaid and c.dual = s.k_dual and c.orec = s.k_orec
        and c.count_key = case
            when coalesce(d.payment_hccs, 0) >= 10 then '>=10'
            else cast(coalesce(d.payment_hccs, 0) as varchar)
        end
)
select
    p.person_id,
    max(s.raw_milli) filter (where s.model = 'CMS-HCC-V24') / cast({MILLI} as double) as hcc_v24_raw,
    max(s.raw_milli) filter (where s.model = 'CMS-HCC-V28') / cast({MILLI} as double) as hcc_v28_raw,
    coalesce(max(s.hcc_list) filter (where s.model = 'CMS-HCC-V24'), '') as hcc_v24_list,
    coalesce(max(s.hcc_list) filter (where s.model = 'CMS-HCC-V28'), '') as hcc_v28_list,
    max(s.hcc_segment) as hcc_segment
from stg_person as p
left join scored as s on s.person_id = p.person_id
group by p.person_id
"""


# The scores with the normalised V28 joined on from `normalization_table` (`__hcc_norm`), on either engine.
NORMALIZED_SCORES = """
SELECT r.person_id, r.hcc_v24_raw, r.hcc_v28_raw, n.normalized AS hcc_v28_normalized,
       r.hcc_v24_list, r.hcc_v28_list, r.hcc_segment
FROM __hcc_raw AS r LEFT JOIN __hcc_norm AS n ON n.raw = r.hcc_v28_raw
"""


def normalization_table(raws: Iterable[float | None]) -> pa.Table:
    """Each distinct raw V28 score and its normalised value, by Python's `round` so that it is
    bit-for-bit the reference's `round(raw / factor, 3)` (a few thousand values, not one per person)."""
    factor = hcc.normalization_factor()
    known = [float(r) for r in raws if r is not None]
    return pa.table(
        {
            "raw": pa.array(known, pa.float64()),
            "normalized": pa.array([round(r / factor, 3) for r in known], pa.float64()),
        }
    )


def build_scores(con: duckdb.DuckDBPyConnection, target: str = "hcc_scores") -> None:
    """Create ``target`` from ``stg_person`` and ``int_hcc_dx`` on ``con`` (one row per person, with the
    CMS segment each was scored in: community, institutional or new_enrollee; NULL when age or sex is
    missing and no score is given).

    The V28 normalisation is applied with Python's `round` on the distinct raw scores (a few thousand),
    so the normalised value is bit-for-bit the reference's `round(raw / factor, 3)`.
    """
    install_tables(con)
    columns = {d[0] for d in con.execute("SELECT * FROM stg_person LIMIT 0").description}
    sql = scores_sql(ENROLLED_MONTHS_COLUMN in columns, INSTITUTIONAL_COLUMN in columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE __hcc_raw AS {sql}")
    raws = [r[0] for r in con.execute("SELECT DISTINCT hcc_v28_raw FROM __hcc_raw").fetchall()]
    con.register("__hcc_norm", normalization_table(raws))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {target} AS {NORMALIZED_SCORES}")
    finally:
        con.unregister("__hcc_norm")
        con.execute("DROP TABLE IF EXISTS __hcc_raw")
