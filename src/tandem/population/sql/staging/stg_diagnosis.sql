-- One row per ICD-10-CM diagnosis code on each distinct diagnosis list among a claim's lines, with the facts
-- every consumer needs: the earliest service date, whether the claim is an inpatient stay, and whether the
-- list counts for CMS-HCC risk adjustment.
--
-- Diagnosis codes are claim-level and repeat on every line of a claim, so lines are first collapsed to
-- their distinct lists (grouped on all 25 positions: exact) and only those are unpivoted. A code on two
-- different lists of one claim (or twice on one list) gives repeated rows; every consumer aggregates
-- (distinct codes, distinct days, any inpatient claim, earliest date), so repeats change no feature.
--
-- CMS-HCC filtering (int_hcc_dx): inpatient (11x, 41x) institutional claims count; outpatient-institutional
-- (12x-14x, 43x, 71x, 73x, 76x, 77x, 85x) and professional claims count when they carry a face-to-face
-- CPT/HCPCS code from the CMS list. The CPT test is made per diagnosis list: where, unusually, lines of a
-- claim carry different lists, a list counts when one of its own lines has an eligible code.
with eligible_hcpcs as (
    select distinct hcpcs_cpt_code from hcc_cpt_hcpcs
),

lines as (
    select
        m.person_id,
        m.claim_id,
        m.claim_type,
        m.bill_type_prefix,
        m.service_date,
        m.claim_type = 'institutional' and m.bill_type_prefix = '11' as inpatient_line,
        h.hcpcs_cpt_code is not null as eligible_hcpcs_line,
        m.diagnosis_code_1, m.diagnosis_code_2, m.diagnosis_code_3, m.diagnosis_code_4,
        m.diagnosis_code_5, m.diagnosis_code_6, m.diagnosis_code_7, m.diagnosis_code_8,
        m.diagnosis_code_9, m.diagnosis_code_10, m.diagnosis_code_11, m.diagnosis_code_12,
        m.diagnosis_code_13, m.diagnosis_code_14, m.diagnosis_code_15, m.diagnosis_code_16,
        m.diagnosis_code_17, m.diagnosis_code_18, m.diagnosis_code_19, m.diagnosis_code_20,
        m.diagnosis_code_21, m.diagnosis_code_22, m.diagnosis_code_23, m.diagnosis_code_24,
        m.diagnosis_code_25
    from stg_medical_claim as m
    left join eligible_hcpcs as h on h.hcpcs_cpt_code = m.hcpcs_code
    where coalesce(m.diagnosis_code_type, 'icd-10-cm') = 'icd-10-cm'
),

lists as (
    select
        person_id,
        claim_id,
        any_value(claim_type) as claim_type,
        any_value(bill_type_prefix) as bill_type_prefix,
        min(service_date) as service_date,
        coalesce(bool_or(inpatient_line), false) as from_inpatient,
        bool_or(eligible_hcpcs_line) as has_eligible_hcpcs,
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

flagged as (
    select
        person_id,
        service_date,
        from_inpatient,
        (claim_type = 'institutional' and bill_type_prefix in ('11', '41'))
        or (
            claim_type = 'institutional'
            and bill_type_prefix in ('12', '13', '14', '43', '71', '73', '76', '77', '85')
            and has_eligible_hcpcs
        )
        or (claim_type = 'professional' and has_eligible_hcpcs) as hcc_eligible,
        diagnosis_code_1, diagnosis_code_2, diagnosis_code_3, diagnosis_code_4, diagnosis_code_5,
        diagnosis_code_6, diagnosis_code_7, diagnosis_code_8, diagnosis_code_9, diagnosis_code_10,
        diagnosis_code_11, diagnosis_code_12, diagnosis_code_13, diagnosis_code_14,
        diagnosis_code_15, diagnosis_code_16, diagnosis_code_17, diagnosis_code_18,
        diagnosis_code_19, diagnosis_code_20, diagnosis_code_21, diagnosis_code_22,
        diagnosis_code_23, diagnosis_code_24, diagnosis_code_25
    from lists
),

unpivoted as (
    unpivot (
        select
            person_id,
            service_date,
            from_inpatient,
            coalesce(hcc_eligible, false) as hcc_eligible,
            columns('^diagnosis_code_[0-9]+$')
        from flagged
    )
    on columns('^diagnosis_code_[0-9]+$')
    into name position value diagnosis_code
)

select person_id, diagnosis_code, service_date, from_inpatient, hcc_eligible
from unpivoted
