-- Diagnoses eligible for CMS-HCC risk adjustment in the long look-back window (the claim filtering rules
-- are applied in stg_diagnosis, where each diagnosis list is already grouped with its lines).
with window_dx as (
    select distinct d.person_id, d.diagnosis_code
    from stg_diagnosis as d
    cross join params as p
    where d.hcc_eligible and d.service_date > p.long_start and d.service_date <= p.as_of
)

select * from window_dx
