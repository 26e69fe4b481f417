-- CMS Chronic Conditions Warehouse conditions met in the chronic look-back window (default 24 months):
-- at least one inpatient claim with a qualifying code, or qualifying codes on two or more distinct days.
-- Two or more distinct days across a condition's codes <=> the earliest first date is before the latest
-- last date (cheaper than counting distinct dates).
select d.person_id, c.condition_column_name
from int_person_diagnoses as d
inner join chronic_condition_map as c on c.code = d.diagnosis_code
where d.chronic_first_date is not null
group by d.person_id, c.condition_column_name
having bool_or(d.chronic_inpatient) or min(d.chronic_first_date) < max(d.chronic_last_date)
