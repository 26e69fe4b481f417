-- 30-day readmissions: a stay admitted 0-30 days after the discharge of the person's previous stay, unless
-- the CMS Planned Readmission Algorithm v4.0 calls it planned. As the Tuva Project implements the algorithm
-- (models/data_marts/readmissions/intermediate/readmissions__planned_encounter.sql), a stay is planned when
--   1. any of its procedures is always planned (data/cms_planned_readmission_procedures.csv, `always`: AHRQ
--      CCS 64 bone marrow transplant, 105 kidney transplant, 134 caesarean section, 135 forceps, vacuum and
--      breech delivery, 176 other organ transplantation), or
--   2. its principal diagnosis is always planned (data/cms_planned_readmission_dx.csv: CCS 45 maintenance
--      chemotherapy/radiotherapy, CCS 254 rehabilitation and fitting of devices), or
--   3. any of its procedures is potentially planned (`potentially`: a CCS category on the algorithm's list or
--      an ICD-10-PCS code on its code list) and its principal diagnosis is not acute
--      (data/cms_planned_readmission_acute_dx.csv: an acute CCS category or an acute ICD-10-CM code).
-- Codes map to CCS with HCUP's CCS for ICD-10-PCS / ICD-10-CM v2019.1; sources in data/README.md.
--
-- Only the readmission is judged: a planned stay is still the previous stay of the next one, so a stay
-- admitted within 30 days of a planned stay's discharge is a readmission in its own right.
-- is_any_cause_readmission keeps the all-cause flag for readers that want it.
with sequenced as (
    select
        *,
        lag(discharge_date) over (partition by person_id order by admit_date, stay_seq) as prior_discharge
    from int_inpatient_stays
),

stay_procedures as (
    select
        sp.stay_id,
        bool_or(pp.planned = 'always') as always_planned_px,
        bool_or(pp.planned = 'potentially') as potentially_planned_px
    from int_stay_procedures as sp
    inner join planned_readmission_px as pp on pp.icd_10_pcs = sp.procedure_code
    group by sp.stay_id
),

flagged as (
    select
        s.*,
        coalesce(
            s.prior_discharge is not null and date_diff('day', s.prior_discharge, s.admit_date) between 0 and 30,
            false
        ) as is_any_cause_readmission,
        coalesce(px.always_planned_px, false)
        or pd.icd_10_cm is not null
        or (coalesce(px.potentially_planned_px, false) and ad.icd_10_cm is null) as is_planned
    from sequenced as s
    -- one row per code in each file, so the joins keep one row per stay
    left join planned_readmission_dx as pd on pd.icd_10_cm = s.principal_dx_code
    left join planned_readmission_acute_dx as ad on ad.icd_10_cm = s.principal_dx_code
    left join stay_procedures as px on px.stay_id = s.stay_id
)

select
    *,
    is_any_cause_readmission and not is_planned as is_readmission
from flagged
