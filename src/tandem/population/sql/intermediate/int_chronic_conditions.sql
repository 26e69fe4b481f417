-- CMS Chronic Conditions Warehouse conditions met in the chronic look-back window (default 24 months):
-- at least one inpatient claim with a qualifying code, or qualifying codes on two or more distinct days.
with window_dx as (
    select d.*
    from stg_diagnosis as d
    cross join params as p
    where d.service_date > p.chronic_start and d.service_date <= p.as_of
),

matched as (
    select
        w.person_id,
        c.condition_column_name,
        w.service_date,
        w.from_inpatient
    from window_dx as w
    inner join chronic_condition_map as c on c.code = w.diagnosis_code
),

qualified as (
    select person_id, condition_column_name
    from matched
    group by person_id, condition_column_name
    -- two or more distinct days <=> earliest and latest differ (cheaper than counting distinct dates)
    having bool_or(from_inpatient) or min(service_date) < max(service_date)
)

select * from qualified
