-- Diagnoses eligible for CMS-HCC risk adjustment in the long look-back window: inpatient (11x, 41x) claims,
-- and outpatient-institutional (12x-14x, 43x, 71x, 73x, 76x, 77x, 85x) or professional claims that carry a
-- face-to-face CPT/HCPCS code from the CMS filtering list.
with claims as (
    select
        claim_id,
        any_value(claim_type) as claim_type,
        any_value(bill_type_prefix) as bill_type_prefix,
        bool_or(hcpcs_code in (select hcpcs_cpt_code from hcc_cpt_hcpcs)) as has_eligible_hcpcs
    from stg_medical_claim
    group by claim_id
),

eligible_claims as (
    select claim_id
    from claims
    where (claim_type = 'institutional' and bill_type_prefix in ('11', '41'))
        or (
            claim_type = 'institutional'
            and bill_type_prefix in ('12', '13', '14', '43', '71', '73', '76', '77', '85')
            and has_eligible_hcpcs
        )
        or (claim_type = 'professional' and has_eligible_hcpcs)
),

window_dx as (
    select distinct d.person_id, d.diagnosis_code
    from stg_diagnosis as d
    inner join eligible_claims as c on c.claim_id = d.claim_id
    cross join params as p
    where d.service_date > p.long_start and d.service_date <= p.as_of
)

select * from window_dx
