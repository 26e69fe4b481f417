-- One row per inpatient stay and ICD-10-PCS code on its claims (int_claim_procedures). Read by the
-- planned-readmission rule (int_readmissions) and the PQI procedure rules (stratify.FACTS_SQL).
--
-- A claim belongs to the stay whose dates hold its admission date, as in FACTS_SQL: stays are islands of
-- overlapping claims, so each claim's admission falls in exactly one.
select distinct s.stay_id, s.person_id, c.procedure_code
from int_inpatient_stays as s
inner join int_claim_procedures as c
    on c.person_id = s.person_id
    and c.is_inpatient_line
    and c.claim_admit_date between s.admit_date and s.discharge_date
