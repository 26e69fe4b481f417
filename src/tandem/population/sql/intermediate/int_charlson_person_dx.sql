-- Diagnoses feeding the person-level Charlson index: every claim in the long look-back window.
select person_id as entity_id, diagnosis_code
from int_person_diagnoses
where in_long_window
