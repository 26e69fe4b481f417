-- One row per claim, ICD-10-CM diagnosis code and distinct diagnosis list among the claim's lines.
-- Diagnosis codes are claim-level and repeat on every line of a claim, so lines are first collapsed to
-- their distinct lists (grouped on all 25 positions: exact), and only those lists are unpivoted; this
-- halved the cost of unpivoting every line and grouping by claim and code. A code on two different lists
-- of one claim (or twice on one list) gives repeated rows: every consumer aggregates (distinct codes,
-- distinct days, any inpatient claim, earliest date), so repeats change no feature.
with lines as (
    select
        person_id,
        claim_id,
        claim_type,
        service_date,
        claim_type = 'institutional' and bill_type_prefix = '11' as inpatient_line,
        diagnosis_code_1, diagnosis_code_2, diagnosis_code_3, diagnosis_code_4, diagnosis_code_5,
        diagnosis_code_6, diagnosis_code_7, diagnosis_code_8, diagnosis_code_9, diagnosis_code_10,
        diagnosis_code_11, diagnosis_code_12, diagnosis_code_13, diagnosis_code_14,
        diagnosis_code_15, diagnosis_code_16, diagnosis_code_17, diagnosis_code_18,
        diagnosis_code_19, diagnosis_code_20, diagnosis_code_21, diagnosis_code_22,
        diagnosis_code_23, diagnosis_code_24, diagnosis_code_25
    from stg_medical_claim
    where coalesce(diagnosis_code_type, 'icd-10-cm') = 'icd-10-cm'
),

lists as (
    select
        person_id,
        claim_id,
        any_value(claim_type) as claim_type,
        min(service_date) as service_date,
        bool_or(inpatient_line) as from_inpatient,
        diagnosis_code_1, diagnosis_code_2, diagnosis_code_3, diagnosis_code_4, diagnosis_code_5,
        diagnosis_code_6, diagnosis_code_7, diagnosis_code_8, diagnosis_code_9, diagnosis_code_10,
        diagnosis_code_11, diagnosis_code_12, diagnosis_code_13, diagnosis_code_14,
        diagnosis_code_15, diagnosis_code_16, diagnosis_code_17, diagnosis_code_18,
        diagnosis_code_19, diagnosis_code_20, diagnosis_code_21, diagnosis_code_22,
        diagnosis_code_23, diagnosis_code_24, diagnosis_code_25
    from lines
    group by
        person_id, claim_id,
        diagnosis_code_1, diagnosis_code_2, diagnosis_code_3, diagnosis_code_4, diagnosis_code_5,
        diagnosis_code_6, diagnosis_code_7, diagnosis_code_8, diagnosis_code_9, diagnosis_code_10,
        diagnosis_code_11, diagnosis_code_12, diagnosis_code_13, diagnosis_code_14,
        diagnosis_code_15, diagnosis_code_16, diagnosis_code_17, diagnosis_code_18,
        diagnosis_code_19, diagnosis_code_20, diagnosis_code_21, diagnosis_code_22,
        diagnosis_code_23, diagnosis_code_24, diagnosis_code_25
),

unpivoted as (
    unpivot (
        select person_id, claim_id, claim_type, service_date, from_inpatient, columns('^diagnosis_code_[0-9]+$')
        from lists
    )
    on columns('^diagnosis_code_[0-9]+$')
    into name position value diagnosis_code
)

select person_id, claim_id, diagnosis_code, service_date, from_inpatient, claim_type
from unpivoted
