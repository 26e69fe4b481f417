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
        bool_or(p.as_of between s.enrollment_start_date and s.enrollment_end_date) as enrolled_on_as_of,
        -- stand-in for the Medicare Part B entitlement start (Tuva cms_hcc__int_medicare_enrollment_start
        -- uses the eligibility's Part B start date, which our input does not have): the first enrolment
        min(case when s.enrollment_start_date <= p.as_of then s.enrollment_start_date end) as first_start,
        -- CMS-HCC long-term institutional status as the input states it, on a span covering the as-of date
        -- (the same truthy spellings as the stratification exclusion)
        bool_or(
            p.as_of between s.enrollment_start_date and s.enrollment_end_date
            and lower(trim(s.long_term_institutional_flag)) in ('1', 'true', 't', 'yes', 'y')
        ) as long_term_institutional_on_as_of
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
        e.enrolled_on_as_of,
        -- CMS-HCC new-enrollee test: months of Part B entitlement in the data year (Medicare Managed Care
        -- Manual ch. 7 §70.2.1). Base year = the 12 calendar months ending with the as-of month, counted
        -- from the first enrolment month on, as Tuva's cms_hcc__int_members counts from the Part B start to
        -- the end of the collection year: later enrolment gaps do not make anyone a new enrollee.
        least(
            12,
            (year(p.as_of) * 12 + month(p.as_of)) - (year(e.first_start) * 12 + month(e.first_start)) + 1
        ) as entitled_months_base_year,
        coalesce(e.long_term_institutional_on_as_of, false) as long_term_institutional_on_as_of
    from latest as l
    cross join params as p
    left join enrolled as e on l.person_id = e.person_id
)

select * from person
