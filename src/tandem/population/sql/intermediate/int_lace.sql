-- LACE (van Walraven 2010) at each discharge on or before the as-of date.
-- C uses Charlson 1987 weights over diagnoses in the 12 months up to discharge (see charlson macro).
with stays as (
    select s.*
    from int_inpatient_stays as s
    cross join params as p
    where s.discharge_date <= p.as_of
),

los as (
    select
        *,
        date_diff('day', admit_date, discharge_date) + 1 as length_of_stay
    from stays
),

ed_before as (
    select
        s.stay_id,
        count(e.visit_date) as ed_visits_6m_before
    from stays as s
    left join int_ed_visits as e
        on e.person_id = s.person_id
        and e.visit_date >= s.admit_date - interval 6 month
        and e.visit_date < s.admit_date
    group by s.stay_id
),

points as (
    select
        l.person_id,
        l.stay_id,
        l.admit_date,
        l.discharge_date,
        l.length_of_stay,
        lace_l_points(l.length_of_stay) as l_points,
        lace_a_points(l.is_emergent) as a_points,
        coalesce(c.charlson_1987, 0) as charlson_1987,
        lace_c_points(c.charlson_1987) as c_points,
        coalesce(e.ed_visits_6m_before, 0) as ed_visits_6m_before,
        lace_e_points(e.ed_visits_6m_before) as e_points
    from los as l
    left join int_charlson_stay as c on c.entity_id = l.stay_id
    left join ed_before as e on e.stay_id = l.stay_id
)

select *, l_points + a_points + c_points + e_points as lace from points
