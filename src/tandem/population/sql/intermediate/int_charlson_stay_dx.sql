-- Diagnoses feeding LACE's C: Charlson-coded diagnoses on claims in the 12 months up to and including each
-- discharge (on or before the as-of date).
--
-- Only the claim lines of people with a stay, from a year before their first discharge to their last, are
-- read again, and only codes that match a Charlson prefix are kept (matched once per distinct code), so the
-- per-day rows stay small before the range join.
with stays as (
    select s.stay_id, s.person_id, s.discharge_date
    from int_inpatient_stays as s
    cross join params as p
    where s.discharge_date <= p.as_of
),

stay_people as (
    -- Each person's earliest and latest discharge: only lines dated in the 12 months before one of them can
    -- feed a stay, so older lines are dropped before the unpivot (1M members: 4.8 -> 4.1 s, same rows).
    select person_id, min(discharge_date) - interval 12 month as first_from, max(discharge_date) as last_to
    from stays
    group by person_id
),

charlson_codes as (
    select distinct d.diagnosis_code
    from (select distinct diagnosis_code from int_person_diagnoses) as d
    inner join charlson_map as c on starts_with(d.diagnosis_code, c.icd10_prefix)
),

lines as (
    select
        m.person_id,
        coalesce(m.claim_start_date, m.service_date) as dx_date,
        columns('^diagnosis_code_[0-9]+$')
    from stg_medical_claim as m
    inner join stay_people as s on s.person_id = m.person_id
    where coalesce(m.diagnosis_code_type, 'icd-10-cm') = 'icd-10-cm'
        -- last_to is a discharge on or before the as-of date, so later lines are excluded too
        and coalesce(m.claim_start_date, m.service_date) > s.first_from
        and coalesce(m.claim_start_date, m.service_date) <= s.last_to
),

unpivoted as (
    unpivot (
        select person_id, dx_date, columns('^diagnosis_code_[0-9]+$')
        from lines
    )
    on columns('^diagnosis_code_[0-9]+$')
    into name position value diagnosis_code
),

days as (
    select distinct u.person_id, u.dx_date, u.diagnosis_code
    from unpivoted as u
    inner join charlson_codes as c on c.diagnosis_code = u.diagnosis_code
)

select distinct s.stay_id as entity_id, d.diagnosis_code
from stays as s
inner join days as d
    on d.person_id = s.person_id
    and d.dx_date > s.discharge_date - interval 12 month
    and d.dx_date <= s.discharge_date
