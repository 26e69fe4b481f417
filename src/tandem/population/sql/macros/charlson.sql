-- Charlson comorbidity (Quan 2005 ICD-10 coding) for any relation {dx}(entity_id, diagnosis_code).
-- Prefix match against the charlson_map value set, then the three hierarchy rules, then both weightings.
with dx as (
    select distinct entity_id, diagnosis_code from {dx}
),

-- Prefix matching is a non-equi join: do it once per distinct code (thousands), not per diagnosis row.
codes as (
    select distinct diagnosis_code from dx
),

code_conditions as (
    select c.diagnosis_code, m.condition, m.weight_quan2011, m.weight_charlson1987
    from codes as c
    inner join charlson_map as m on starts_with(c.diagnosis_code, m.icd10_prefix)
),

matched as (
    select distinct
        d.entity_id,
        cc.condition,
        cc.weight_quan2011,
        cc.weight_charlson1987
    from dx as d
    inner join code_conditions as cc on cc.diagnosis_code = d.diagnosis_code
),

hierarchy as (
    select * from (values ('mld', 'msld'), ('diab', 'diabwc'), ('canc', 'metacanc'))
        as h (condition, overridden_by)
),

kept as (
    select m.*
    from matched as m
    left join hierarchy as h on h.condition = m.condition
    where h.overridden_by is null
        or not exists (
            select 1 from matched as x where x.entity_id = m.entity_id and x.condition = h.overridden_by
        )
),

scores as (
    select
        entity_id,
        sum(weight_quan2011) as charlson_quan2011,
        sum(weight_charlson1987) as charlson_1987,
        list(condition order by condition) as charlson_conditions
    from kept
    group by entity_id
)

select * from scores
