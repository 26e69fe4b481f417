-- Behavioural-health, substance-use and social-needs (ICD-10-CM Z55-Z65) flags over the long look-back window.
with window_dx as (
    select person_id, diagnosis_code as code
    from int_person_diagnoses
    where in_long_window
),

flags as (
    select
        person_id,
        bool_or(
            (code >= 'F20' and code < 'F49') or (code >= 'F60' and code < 'F70') or code like 'F9%'
        ) as behavioral_health_flag,
        bool_or(code >= 'F10' and code < 'F20' and code not like 'F17%') as sud_flag,
        bool_or(code >= 'Z55' and code < 'Z66') as social_needs_flag,
        bool_or(code like 'Z59%') as housing_or_economic_flag,
        bool_or(code like 'Z55%' or code like 'Z56%') as education_employment_flag,
        bool_or(code >= 'Z60' and code < 'Z66') as social_support_flag,
        list(distinct code order by code) filter (where code >= 'Z55' and code < 'Z66') as social_needs_codes
    from window_dx
    group by person_id
)

select * from flags
