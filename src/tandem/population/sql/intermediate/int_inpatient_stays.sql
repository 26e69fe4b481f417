-- Acute inpatient stays: institutional claims with bill type 11x, one row per stay.
-- Claims of one person whose date ranges overlap or touch (transfers, interim bills) form one stay.
with inpatient_claims as (
    select
        person_id,
        claim_id,
        coalesce(min(admission_date), min(claim_start_date)) as admit_date,
        coalesce(max(discharge_date), max(claim_end_date)) as discharge_date,
        max(admit_type_code) as admit_type_code,
        bool_or(is_ed_line) as has_ed_line,
        sum(coalesce(allowed_amount, 0)) as allowed_amount
    from stg_medical_claim
    where is_inpatient_line
    group by person_id, claim_id
),

ordered as (
    select
        *,
        max(discharge_date) over (
            partition by person_id order by admit_date, discharge_date, claim_id
            rows between unbounded preceding and 1 preceding
        ) as prior_max_discharge
    from inpatient_claims
),

islands as (
    select
        *,
        sum(case when prior_max_discharge is null or admit_date > prior_max_discharge then 1 else 0 end)
            over (partition by person_id order by admit_date, discharge_date, claim_id) as stay_seq
    from ordered
),

stays as (
    select
        person_id,
        stay_seq,
        person_id || ':' || stay_seq as stay_id,
        min(admit_date) as admit_date,
        max(discharge_date) as discharge_date,
        bool_or(admit_type_code = '1' or has_ed_line) as is_emergent,
        sum(allowed_amount) as allowed_amount,
        count(*) as n_claims
    from islands
    group by person_id, stay_seq
)

select * from stays
