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
)

select * from flagged
