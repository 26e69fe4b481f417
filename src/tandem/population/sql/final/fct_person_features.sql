-- One row per person as of the as-of date: the feature set used for stratification and modelling.
with latest_lace as (
    select person_id, lace, discharge_date
    from (
        select
            l.*,
            row_number() over (partition by l.person_id order by l.discharge_date desc, l.stay_id desc) as rn
        from int_lace as l
        cross join params as p
        where l.discharge_date > p.long_start
    )
    where rn = 1
),

chronic as (
    select
        person_id,
        count(*) as chronic_conditions,
        list(condition_column_name order by condition_column_name) as chronic_condition_list
    from int_chronic_conditions
    group by person_id
),

features as (
    select
        p.person_id,
        p.age,
        p.sex,
        u.ip_admits_short,
        u.ip_admits_long,
        u.ed_visits_short,
        u.ed_visits_long,
        u.readmits_30d_long,
        u.allowed_long,
        u.paid_long,
        coalesce(m.active_meds, 0) as active_meds,
        coalesce(c.chronic_conditions, 0) as chronic_conditions,
        coalesce(ch.charlson_quan2011, 0) as charlson,
        ll.lace as lace_latest,
        h.hcc_v24_raw,
        h.hcc_v28_raw,
        h.hcc_v28_normalized,
        cast(null as double) as p_top5_cost,
        cast(null as double) as p_admit_6m,
        u.outpatient_visits_long,
        u.distinct_prescribers_long,
        u.distinct_facilities_long,
        coalesce(f.behavioral_health_flag, false) as behavioral_health_flag,
        coalesce(f.self_harm_flag, false) as self_harm_flag,
        coalesce(f.sud_flag, false) as sud_flag,
        coalesce(f.social_needs_flag, false) as social_needs_flag,
        coalesce(f.housing_or_economic_flag, false) as housing_or_economic_flag,
        coalesce(f.education_employment_flag, false) as education_employment_flag,
        coalesce(f.social_support_flag, false) as social_support_flag,
        array_to_string(f.social_needs_codes, ' ') as social_needs_codes,
        array_to_string(c.chronic_condition_list, ' ') as chronic_condition_list,
        array_to_string(ch.charlson_conditions, ' ') as charlson_conditions,
        ll.discharge_date as lace_latest_discharge_date,
        h.hcc_v24_list,
        h.hcc_v28_list,
        h.hcc_segment,
        p.enrolled_on_as_of
    from stg_person as p
    left join int_utilization as u on u.person_id = p.person_id
    left join int_active_meds as m on m.person_id = p.person_id
    left join chronic as c on c.person_id = p.person_id
    left join int_charlson_person as ch on ch.entity_id = p.person_id
    left join latest_lace as ll on ll.person_id = p.person_id
    left join hcc_scores as h on h.person_id = p.person_id
    left join int_flags as f on f.person_id = p.person_id
)

select * from features order by person_id
