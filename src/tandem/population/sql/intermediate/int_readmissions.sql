-- 30-day readmissions: a stay admitted 0-30 days after the discharge of the person's previous stay, unless
-- it is planned under the diagnosis part of the CMS Planned Readmission Algorithm v4.0.
--
-- Planned (always-planned diagnosis categories of CMS PA v4.0, as shipped by the Tuva Project):
-- the readmission's principal diagnosis maps to AHRQ CCS 45 (maintenance chemotherapy; radiotherapy) or
-- CCS 254 (rehabilitation care; fitting of prostheses; adjustment of devices). The ICD-10-CM codes of
-- those categories come from HCUP's CCS for ICD-10-CM v2019.1 (data/cms_planned_readmission_dx.csv, see
-- its README). The algorithm's procedure-based steps (always-planned procedures, potentially planned
-- procedures without an acute principal diagnosis) need ICD-10-PCS codes, which the store does not keep,
-- so those readmissions still count as unplanned.
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

flagged as (
    select
        s.*,
        coalesce(
            s.prior_discharge is not null and date_diff('day', s.prior_discharge, s.admit_date) between 0 and 30,
            false
        ) as is_any_cause_readmission,
        pd.icd_10_cm is not null as is_planned_dx
    from sequenced as s
    -- one row per code in the file, so the join keeps one row per stay
    left join planned_readmission_dx as pd on pd.icd_10_cm = s.principal_dx_code
)

select
    *,
    is_any_cause_readmission and not is_planned_dx as is_readmission
from flagged
