-- ED visits: any ED revenue code (045x, 0981), place of service 23 or ED E/M code 99281-99285,
-- collapsed to one visit per person per day.
with ed_lines as (
    select person_id, service_date
    from stg_medical_claim
    where is_ed_line and service_date is not null
),

ed_days as (
    select distinct person_id, service_date as visit_date
    from ed_lines
)

select * from ed_days
