-- Diagnoses feeding the person-level Charlson index: every claim in the long look-back window.
with window_dx as (
    select d.person_id as entity_id, d.diagnosis_code
    from stg_diagnosis as d
    cross join params as p
    where d.service_date > p.long_start and d.service_date <= p.as_of
)

select * from window_dx
