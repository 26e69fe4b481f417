-- One row per pharmacy claim line; NDC is already normalised to 11 digits by the loader.
with fills as (
    select
        person_id,
        claim_id,
        claim_line_number,
        prescribing_provider_npi,
        dispensing_date,
        ndc_code,
        days_supply,
        coalesce(paid_amount, 0) as paid_amount,
        coalesce(allowed_amount, 0) as allowed_amount
    from pharmacy_claim
)

select * from fills
