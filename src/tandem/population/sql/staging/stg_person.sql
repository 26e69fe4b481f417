-- One row per person: demographics from the latest enrolment span starting on or before the as-of date.
with spans as (
    select
        e.*,
        row_number() over (
            partition by e.person_id
            order by e.enrollment_start_date desc, e.enrollment_end_date desc
        ) as recency
    from eligibility as e
    cross join params as p
    where e.enrollment_start_date <= p.as_of
),

latest as (
    select * from spans where recency = 1
),

enrolled as (
    select
        s.person_id,
        bool_or(p.as_of between s.enrollment_start_date and s.enrollment_end_date) as enrolled_on_as_of
    from eligibility as s
    cross join params as p
    group by s.person_id
),

person as (
    select
        l.person_id,
        l.gender as sex,
        l.birth_date,
        date_diff('year', l.birth_date, p.as_of)
        - case when strftime(p.as_of, '%m%d') < strftime(l.birth_date, '%m%d') then 1 else 0 end as age,
        l.original_reason_entitlement_code as orec,
        l.dual_status_code,
        e.enrolled_on_as_of
    from latest as l
    cross join params as p
    left join enrolled as e on l.person_id = e.person_id
)

select * from person
