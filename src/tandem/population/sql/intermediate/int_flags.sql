-- Behavioural-health, substance-use and social-needs (ICD-10-CM Z55-Z65) flags over the long look-back window.
-- Behavioural health is the mental-disorder ranges of chapter F (F20-F48, F60-F69, F90-F99) plus suicidality
-- and self-harm coded outside it, by their ICD-10-CM titles: R45.851 "Suicidal ideations", R45.88
-- "Nonsuicidal self-harm", T14.91 "Suicide attempt", and every code whose title (or category's title) says
-- "intentional self-harm": poisonings and toxic effects T36-T65 and asphyxiations T71 whose intent character
-- is 2, and the external causes X71-X83. These are the code groups of CDC/NCHS's surveillance case definition
-- of self-harm and suicide attempt (National Health Statistics Reports no. 108). The intent character is the
-- 6th, or the 5th where the 6th is the placeholder X (T36.92XA against T36.0X2A and T40.412A);
-- tests/population/test_self_harm_flag.py checks the rule against every code of the FY2026 tabular list.
-- Histories (Z91.51, Z91.52) are not current diagnoses and are not read. The suicidality and self-harm codes
-- also set self_harm_flag on their own, which the candidate reasons name: a care manager triages on it.
-- The code tests run once per distinct code, and only people with a flagged code get a row (the features
-- read the flags as false when a person has none).
with window_dx as (
    select person_id, diagnosis_code as code
    from int_person_diagnoses
    where in_long_window
),

self_harm_codes as (
    select
        code,
        code in ('R45851', 'R4588') or code like 'T1491%'
        or (
            ((code >= 'T36' and code < 'T66') or code like 'T71%')
            and (substr(code, 6, 1) = '2' or (substr(code, 6, 1) in ('X', '') and substr(code, 5, 1) = '2'))
        )
        or (code >= 'X71' and code < 'X84')
            as self_harm
    from (select distinct code from window_dx)
),

code_flags as (
    select
        code,
        (code >= 'F20' and code < 'F49') or (code >= 'F60' and code < 'F70') or code like 'F9%' or self_harm
            as behavioral_health,
        self_harm,
        code >= 'F10' and code < 'F20' and code not like 'F17%' as sud,
        code >= 'Z55' and code < 'Z66' as social_needs,
        code like 'Z59%' as housing_or_economic,
        code like 'Z55%' or code like 'Z56%' as education_employment,
        code >= 'Z60' and code < 'Z66' as social_support
    from self_harm_codes
),

flagged as (
    select
        w.person_id,
        w.code,
        c.behavioral_health,
        c.self_harm,
        c.sud,
        c.social_needs,
        c.housing_or_economic,
        c.education_employment,
        c.social_support
    from window_dx as w
    inner join code_flags as c on c.code = w.code
    where c.behavioral_health or c.sud or c.social_needs
),

flags as (
    select
        person_id,
        bool_or(behavioral_health) as behavioral_health_flag,
        bool_or(self_harm) as self_harm_flag,
        bool_or(sud) as sud_flag,
        bool_or(social_needs) as social_needs_flag,
        bool_or(housing_or_economic) as housing_or_economic_flag,
        bool_or(education_employment) as education_employment_flag,
        bool_or(social_support) as social_support_flag,
        list(distinct code order by code) filter (where social_needs) as social_needs_codes
    from flagged
    group by person_id
)

select * from flags
