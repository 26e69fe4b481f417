-- Active medications: distinct NDCs whose fill covers the as-of date (days supply) or that were
-- dispensed in the active-medication window (default 90 days) up to the as-of date.
with fills as (
    select f.*
    from stg_pharmacy_claim as f
    cross join params as p
    where f.dispensing_date <= p.as_of
        and (
            f.dispensing_date > p.as_of - to_days(p.active_med_days)
            or f.dispensing_date + to_days(coalesce(f.days_supply, 0) - 1) >= p.as_of
        )
),

active as (
    select person_id, count(distinct ndc_code) as active_meds
    from fills
    group by person_id
)

select * from active
