-- One row per medical claim line with the derived codes every later model uses.
with lines as (
    select
        m.*,
        coalesce(m.claim_line_start_date, m.claim_start_date) as service_date,
        substr(m.bill_type_code, 1, 2) as bill_type_prefix
    from medical_claim as m
),

flagged as (
    select
        *,
        coalesce(claim_type = 'institutional' and bill_type_prefix = '11', false) as is_inpatient_line,
        coalesce(revenue_center_code like '045%', false)
        or coalesce(revenue_center_code = '0981', false)
        or coalesce(place_of_service_code = '23', false)
        or coalesce(hcpcs_code in ('99281', '99282', '99283', '99284', '99285'), false) as is_ed_line
    from lines
),

typed as (
    -- CMS Chronic Conditions Warehouse claim type, as bits (int_person_diagnoses, int_chronic_conditions;
    -- rules and sources in data/cms_chronic_conditions_rules.csv and docs/population.md): institutional
    -- bill types 11x inpatient (1), 21x and 18x swing beds SNF (2), 32x-34x home health (4), hospice 81x/82x
    -- and untyped claims "other" (32), every other institutional type hospital outpatient (8); professional
    -- claims are carrier claims (16); an ED line adds 64. A view: only readers that select it compute it.
    select
        *,
        case
            when claim_type = 'professional' then 16
            when claim_type <> 'institutional' or bill_type_prefix is null then 32
            when bill_type_prefix = '11' then 1
            when bill_type_prefix in ('18', '21') then 2
            when bill_type_prefix in ('32', '33', '34') then 4
            when bill_type_prefix in ('81', '82') then 32
            else 8
        end + case when is_ed_line then 64 else 0 end as ccw_class
    from flagged
)

select * from typed
