-- One row per inpatient stay and ICD-10-PCS code on its claims (the Tuva input layer's procedure_code_1..25,
-- claim-header fields repeated on every line). Read by the planned-readmission rule (int_readmissions) and the
-- PQI procedure rules (stratify.FACTS_SQL).
--
-- A claim belongs to the stay whose dates hold its admission date, as in FACTS_SQL: stays are islands of
-- overlapping claims, so each claim's admission falls in exactly one. Only lines that name no other code
-- system are read (procedure_code_type empty or icd-10-pcs; CPT/HCPCS live in hcpcs_code).
with lines as (
    select
        m.person_id,
        coalesce(m.admission_date, m.claim_start_date) as claim_admit_date,
        m.procedure_code_1, m.procedure_code_2, m.procedure_code_3, m.procedure_code_4,
        m.procedure_code_5, m.procedure_code_6, m.procedure_code_7, m.procedure_code_8,
        m.procedure_code_9, m.procedure_code_10, m.procedure_code_11, m.procedure_code_12,
        m.procedure_code_13, m.procedure_code_14, m.procedure_code_15, m.procedure_code_16,
        m.procedure_code_17, m.procedure_code_18, m.procedure_code_19, m.procedure_code_20,
        m.procedure_code_21, m.procedure_code_22, m.procedure_code_23, m.procedure_code_24,
        m.procedure_code_25
    from stg_medical_claim as m
    where m.is_inpatient_line
        and coalesce(lower(m.procedure_code_type), 'icd-10-pcs') = 'icd-10-pcs'
),

unpivoted as (
    unpivot (
        select person_id, claim_admit_date, columns('^procedure_code_[0-9]+$')
        from lines
    )
    on columns('^procedure_code_[0-9]+$')
    into name position value procedure_code
),

claim_codes as (
    select distinct person_id, claim_admit_date, procedure_code from unpivoted
)

select distinct s.stay_id, s.person_id, c.procedure_code
from int_inpatient_stays as s
inner join claim_codes as c
    on c.person_id = s.person_id
    and c.claim_admit_date between s.admit_date and s.discharge_date
