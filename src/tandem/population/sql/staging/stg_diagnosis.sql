-- One row per claim and ICD-10-CM diagnosis code (positions 1-25 unpivoted, duplicates removed).
with unpivoted as (
    unpivot (
        select
            person_id, claim_id, claim_type, service_date, bill_type_prefix, hcpcs_code,
            diagnosis_code_type, columns('^diagnosis_code_[0-9]+$')
        from stg_medical_claim
    )
    on columns('^diagnosis_code_[0-9]+$')
    into name position value diagnosis_code
),

icd10 as (
    select *
    from unpivoted
    where coalesce(diagnosis_code_type, 'icd-10-cm') = 'icd-10-cm'
),

per_claim as (
    select
        person_id,
        claim_id,
        diagnosis_code,
        min(service_date) as service_date,
        bool_or(claim_type = 'institutional' and bill_type_prefix = '11') as from_inpatient,
        any_value(claim_type) as claim_type
    from icd10
    group by person_id, claim_id, diagnosis_code
)

select * from per_claim
