-- Per-person utilisation and cost over the short (default 6) and long (default 12) month windows.
with ip as (
    select
        s.person_id,
        count(*) filter (where s.admit_date > p.short_start and s.admit_date <= p.as_of) as ip_admits_short,
        count(*) filter (where s.admit_date > p.long_start and s.admit_date <= p.as_of) as ip_admits_long,
        count(*) filter (
            where s.is_readmission and s.admit_date > p.long_start and s.admit_date <= p.as_of
        ) as readmits_30d_long
    from int_readmissions as s
    cross join params as p
    group by s.person_id
),

ed as (
    select
        e.person_id,
        count(*) filter (where e.visit_date > p.short_start and e.visit_date <= p.as_of) as ed_visits_short,
        count(*) filter (where e.visit_date > p.long_start and e.visit_date <= p.as_of) as ed_visits_long
    from int_ed_visits as e
    cross join params as p
    group by e.person_id
),

medical as (
    select
        m.person_id,
        sum(coalesce(m.allowed_amount, 0)) as allowed,
        sum(coalesce(m.paid_amount, 0)) as paid
    from stg_medical_claim as m
    cross join params as p
    where m.claim_start_date > p.long_start and m.claim_start_date <= p.as_of
    group by m.person_id
),

-- Distinct counts as a distinct projection then a count: a DISTINCT aggregate inside the grouped cost
-- aggregate over every line was the slowest part of this model.
outpatient_days as (
    select distinct m.person_id, m.service_date
    from stg_medical_claim as m
    cross join params as p
    where m.claim_start_date > p.long_start and m.claim_start_date <= p.as_of
        and m.claim_type = 'professional' and not m.is_ed_line
        and m.place_of_service_code in ('11', '19', '22', '49', '50', '71', '72')
),

outpatient as (
    select person_id, count(*) as outpatient_visits_long
    from outpatient_days
    group by person_id
),

facilities as (
    select m.person_id, count(distinct m.facility_npi) as distinct_facilities_long
    from stg_medical_claim as m
    cross join params as p
    where m.claim_start_date > p.long_start and m.claim_start_date <= p.as_of
        and m.claim_type = 'institutional'
    group by m.person_id
),

pharmacy as (
    select
        f.person_id,
        sum(f.allowed_amount) as allowed,
        sum(f.paid_amount) as paid
    from stg_pharmacy_claim as f
    cross join params as p
    where f.dispensing_date > p.long_start and f.dispensing_date <= p.as_of
    group by f.person_id
),

prescriber_pairs as (
    select distinct f.person_id, f.prescribing_provider_npi
    from stg_pharmacy_claim as f
    cross join params as p
    where f.dispensing_date > p.long_start and f.dispensing_date <= p.as_of
        and f.prescribing_provider_npi is not null
),

prescribers as (
    select person_id, count(*) as distinct_prescribers_long
    from prescriber_pairs
    group by person_id
),

person_ids as (
    select person_id from stg_person
),

combined as (
    select
        i.person_id,
        coalesce(ip.ip_admits_short, 0) as ip_admits_short,
        coalesce(ip.ip_admits_long, 0) as ip_admits_long,
        coalesce(ed.ed_visits_short, 0) as ed_visits_short,
        coalesce(ed.ed_visits_long, 0) as ed_visits_long,
        coalesce(ip.readmits_30d_long, 0) as readmits_30d_long,
        round(coalesce(m.allowed, 0) + coalesce(rx.allowed, 0), 2) as allowed_long,
        round(coalesce(m.paid, 0) + coalesce(rx.paid, 0), 2) as paid_long,
        coalesce(o.outpatient_visits_long, 0) as outpatient_visits_long,
        coalesce(pr.distinct_prescribers_long, 0) as distinct_prescribers_long,
        coalesce(fa.distinct_facilities_long, 0) as distinct_facilities_long
    from person_ids as i
    left join ip on ip.person_id = i.person_id
    left join ed on ed.person_id = i.person_id
    left join medical as m on m.person_id = i.person_id
    left join outpatient as o on o.person_id = i.person_id
    left join prescribers as pr on pr.person_id = i.person_id
    left join facilities as fa on fa.person_id = i.person_id
    left join pharmacy as rx on rx.person_id = i.person_id
)

select * from combined
