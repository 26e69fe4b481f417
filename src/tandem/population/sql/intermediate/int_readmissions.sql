-- All-cause 30-day readmissions: a stay admitted 0-30 days after the discharge of the person's previous stay.
with sequenced as (
    select
        *,
        lag(discharge_date) over (partition by person_id order by admit_date, stay_seq) as prior_discharge
    from int_inpatient_stays
),

flagged as (
    select
        *,
        prior_discharge is not null and date_diff('day', prior_discharge, admit_date) between 0 and 30
            as is_readmission
    from sequenced
)

select * from flagged
