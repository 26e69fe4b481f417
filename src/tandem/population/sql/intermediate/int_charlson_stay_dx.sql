-- Diagnoses feeding LACE's C: claims in the 12 months up to and including each discharge.
with stay_dx as (
    select s.stay_id as entity_id, d.diagnosis_code
    from int_inpatient_stays as s
    inner join stg_diagnosis as d
        on d.person_id = s.person_id
        and d.service_date > s.discharge_date - interval 12 month
        and d.service_date <= s.discharge_date
)

select * from stay_dx
