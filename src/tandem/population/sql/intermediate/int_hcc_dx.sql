-- Diagnoses eligible for CMS-HCC risk adjustment in the long look-back window (the claim filtering rules
-- are applied per line in int_person_diagnoses).
select person_id, diagnosis_code
from int_person_diagnoses
where hcc_eligible
