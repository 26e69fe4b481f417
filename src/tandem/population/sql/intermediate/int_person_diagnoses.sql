-- One row per person and ICD-10-CM code on their medical claims up to the as-of date, with what every
-- diagnosis consumer needs: whether the code was seen in the long window, whether on a claim that counts
-- for CMS-HCC risk adjustment there, and its first/last date and any inpatient claim in the chronic window.
--
-- Why one row per person and code: each consumer asks a per-person question (which Charlson conditions,
-- which HCCs, which CCW conditions on two days, any behavioural-health code). Aggregating straight from
-- the claim lines to (person, code) is one pass with a few million groups; the earlier form first collapsed
-- each claim's lines to their distinct diagnosis lists (a group on person, claim and all 25 positions, tens
-- of millions of wide groups at 1M members) and kept one row per list and code for every consumer to re-read.
--
-- A diagnosis is dated by its claim's start date (the line date when a claim has none): every line of a
-- claim carries the claim's diagnoses, so all of them share one date, and "two distinct days" (CCW) means
-- two claims on different days.
--
-- CMS-HCC filtering: inpatient (11x, 41x) institutional claims count; outpatient-institutional (12x-14x,
-- 43x, 71x, 73x, 76x, 77x, 85x) and professional claims count when a line carries a face-to-face CPT/HCPCS
-- code from the CMS list. Decided per line and aggregated per code: every line carries the whole list, so a
-- code counts when any line of any claim listing it is eligible, as the rule reads at claim level.
with eligible_hcpcs as (
    select distinct hcpcs_cpt_code from hcc_cpt_hcpcs
),

lines as (
    select
        m.person_id,
        coalesce(m.claim_start_date, m.service_date) as dx_date,
        m.is_inpatient_line as inpatient_line,
        coalesce(
            (m.claim_type = 'institutional' and m.bill_type_prefix in ('11', '41'))
            or (
                h.hcpcs_cpt_code is not null
                and (
                    m.claim_type = 'professional'
                    or (
                        m.claim_type = 'institutional'
                        and m.bill_type_prefix in ('12', '13', '14', '43', '71', '73', '76', '77', '85')
                    )
                )
            ),
            false
        ) as hcc_line,
        m.diagnosis_code_1, m.diagnosis_code_2, m.diagnosis_code_3, m.diagnosis_code_4,
        m.diagnosis_code_5, m.diagnosis_code_6, m.diagnosis_code_7, m.diagnosis_code_8,
        m.diagnosis_code_9, m.diagnosis_code_10, m.diagnosis_code_11, m.diagnosis_code_12,
        m.diagnosis_code_13, m.diagnosis_code_14, m.diagnosis_code_15, m.diagnosis_code_16,
        m.diagnosis_code_17, m.diagnosis_code_18, m.diagnosis_code_19, m.diagnosis_code_20,
        m.diagnosis_code_21, m.diagnosis_code_22, m.diagnosis_code_23, m.diagnosis_code_24,
        m.diagnosis_code_25
    from stg_medical_claim as m
    cross join params as p
    left join eligible_hcpcs as h on h.hcpcs_cpt_code = m.hcpcs_code
    where coalesce(m.diagnosis_code_type, 'icd-10-cm') = 'icd-10-cm'
        and coalesce(m.claim_start_date, m.service_date) <= p.as_of
),

unpivoted as (
    unpivot (
        select person_id, dx_date, inpatient_line, hcc_line, columns('^diagnosis_code_[0-9]+$')
        from lines
    )
    on columns('^diagnosis_code_[0-9]+$')
    into name position value diagnosis_code
),

per_code as (
    select
        u.person_id,
        u.diagnosis_code,
        coalesce(bool_or(u.dx_date > p.long_start), false) as in_long_window,
        coalesce(bool_or(u.hcc_line and u.dx_date > p.long_start), false) as hcc_eligible,
        min(u.dx_date) filter (where u.dx_date > p.chronic_start) as chronic_first_date,
        max(u.dx_date) filter (where u.dx_date > p.chronic_start) as chronic_last_date,
        coalesce(bool_or(u.inpatient_line) filter (where u.dx_date > p.chronic_start), false)
            as chronic_inpatient
    from unpivoted as u
    cross join params as p
    group by u.person_id, u.diagnosis_code
)

select * from per_code
