-- ICD-10-PCS codes on the medical claims (the Tuva input layer's procedure_code_1..25, claim-header fields
-- repeated on every line of an institutional claim): one row per distinct line shape and code. Read by
-- int_stay_procedures (inpatient stays: planned readmissions, PQI procedure rules) and int_chronic_conditions
-- (CCW's ICD-10-PCS criteria), so the 34 M claim lines are read for procedures once, not once per reader.
--
-- Only lines that name no other code system (procedure_code_type empty or icd-10-pcs) and carry a code in any
-- position are unpivoted. Professional claims report procedures as CPT/HCPCS (hcpcs_code), not ICD-10-PCS,
-- and are skipped before the 25 positions are tested (3 of 4 lines: 1.0 -> 0.7 s at 1M members).
with lines as (
    select *
    from (
        select
            m.person_id,
            m.claim_id,
            coalesce(m.claim_start_date, m.service_date) as claim_date,
            coalesce(m.admission_date, m.claim_start_date) as claim_admit_date,
            m.is_inpatient_line,
            m.ccw_class,
            columns('^procedure_code_[0-9]+$'),
            -- (DuckDB takes *COLUMNS() in a function's arguments, but not under IS NOT NULL)
            coalesce(*columns('^procedure_code_[0-9]+$')) as any_procedure_code
        from stg_medical_claim as m
        where m.claim_type <> 'professional'
            and coalesce(lower(m.procedure_code_type), 'icd-10-pcs') = 'icd-10-pcs'
    )
    where any_procedure_code is not null
),

unpivoted as (
    unpivot (
        select
            person_id, claim_id, claim_date, claim_admit_date, is_inpatient_line, ccw_class,
            columns('^procedure_code_[0-9]+$')
        from lines
    )
    on columns('^procedure_code_[0-9]+$')
    into name position value procedure_code
)

select distinct
    person_id, claim_id, claim_date, claim_admit_date, is_inpatient_line, ccw_class, procedure_code
from unpivoted
