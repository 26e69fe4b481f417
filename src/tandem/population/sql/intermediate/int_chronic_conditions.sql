-- CMS Chronic Conditions Warehouse (CCW) conditions met as of the as-of date, each by its own CCW claim rule:
-- a reference period ending at the as-of date (1 year = the last 12 months, 2 years = the chronic window,
-- `chronic_months`, default 24), one qualifying claim of some claim types, or N claims on N different dates
-- of other types (CCW: "When 2 claims are required, they must occur at least one day apart"), and claims
-- that also carry one of the condition's exclusion codes not counting (BPH, stroke/TIA). The rules are data:
-- data/cms_chronic_conditions_rules.csv, joined onto every code of chronic_condition_map; sources and what is
-- not applied in docs/population.md.
--
-- Fast path, from int_person_diagnoses' per-(person, code) row: the claim types seen in each part of the
-- window are bits of ccw_facts (class * 8 in the last 12 months, class * 1024 before that), so "one claim of
-- these types in the period" is one mask test. Two claims on different dates:
--   * of any type (2-year rules only, checked in tests): earliest date < latest date in the chronic window;
--   * of HOP/carrier type: from those claims' own keyed first date and last date (int_person_diagnoses):
--     1 year -> some in the last 12 months and keyed first (then the earliest of them) < last;
--     2 years -> claims in both parts of the window, or decoded first < last.
-- Exact path, for the few (person, condition) pairs the per-code row cannot decide: three claims (sickle cell
-- disease: the fast row only tells "two dates or more") and a person who also has one of the condition's
-- exclusion codes (the exclusion is per claim, CCW and Tuva's cms_chronic_conditions_all). Only those people's
-- claims are read again and the rule is counted claim by claim.
--
-- Non-diagnosis criteria (chronic_condition_map rows with code_system HCPCS, NDC, MS-DRG; Tuva's hierarchy file):
-- one claim with a listed code in the condition's reference period suffices (OUD: "1 or more non-drug claim
-- with HCPCS" / "1 or more drug claim with NDC"; tobacco use: "1 HCPCS code claim of any type"; HIV/AIDS: an
-- MS-DRG on an inpatient claim). Read by semi-joins of the claim lines on these few hundred codes (the join
-- filter reaches the scan; 1M members: ~0.3 s). HIV's screening code R75 counts only for a person who also has
-- a non-R75 HIV code in the period; OUD's naltrexone exception is applied at the end (see oud_excluded).
--
-- ICD-10-PCS criteria (chronic_condition_map rows with code_system ICD-10-PCS; Tuva's hierarchy file, which
-- lists them beside the condition's ICD-10-CM codes): a claim with a listed code in any procedure position
-- (lines whose procedure_code_type is empty or icd-10-pcs) is a qualifying claim of the condition, one row per
-- claim (proc_claims). Per Tuva's claims_qualification text: alcohol and drug use disorders, "Procedure codes
-- require only one claim to qualify" (one claim of any non-drug type); OUD, "1 inpatient claim OR 2 other
-- non-drug claims ... with a ICD-10-CM or ICD-10-PCS code" (the one-ED-claim clause is for ICD-10-CM only);
-- liver disease, "Procedures must have at least one associated liver disease diagnosis on claim", so such a
-- claim already counts by its diagnosis and the procedure adds nothing (not read). These readings are data: the
-- rules file's pcs_rule, as pcs_one_class_mask and pcs_counts (features._install_chronic_condition_map).
-- A PCS claim that meets the
-- rule on its own decides the condition (proc_alone); otherwise the pair goes to the exact path, where the
-- PCS claims are counted with the person's diagnosis claims under the same rule.
with rules as (
    select distinct
        condition_column_name, reference_months, one_class_mask, min_claims, min_claims_mask,
        pcs_one_class_mask, pcs_counts
    from chronic_condition_map
),

per_condition as (
    select
        d.person_id,
        c.condition_column_name,
        bit_or(d.ccw_facts) as facts,
        min(d.chronic_first_date) as first_date,
        max(d.chronic_last_date) as last_date,
        min(d.ccw_hop_carrier_key) as hop_carrier_key,
        max(d.ccw_hop_carrier_last_date) as hop_carrier_last,
        -- False when every code seen is one that needs another claim (HIV's R75).
        bool_or(not c.needs_other_claim) as has_other_code
    from int_person_diagnoses as d
    inner join chronic_condition_map as c on c.code = d.diagnosis_code and c.code_system = 'ICD-10-CM'
    where d.chronic_first_date is not null and c.inclusion_type = 'Include'
    group by d.person_id, c.condition_column_name
),

with_exclusion_code as (
    select distinct d.person_id, c.condition_column_name
    from int_person_diagnoses as d
    inner join chronic_condition_map as c on c.code = d.diagnosis_code and c.code_system = 'ICD-10-CM'
    where d.chronic_first_date is not null and c.inclusion_type = 'Exclude'
),

proc_lines as (
    -- The claims' ICD-10-PCS codes (int_claim_procedures: codes of lines typed empty or icd-10-pcs), in the
    -- chronic window, dated like diagnoses (the claim's start date).
    select c.person_id, c.claim_id, c.claim_date as dx_date, c.ccw_class, c.procedure_code
    from int_claim_procedures as c
    cross join params as p
    where c.claim_date <= p.as_of and c.claim_date > p.chronic_start
),

proc_claims as (
    -- One row per claim and condition listing one of the condition's PCS codes, with the claim types for
    -- which that claim alone meets the rule (one_mask, see the header) and the condition's period start.
    select
        q.*,
        r.pcs_one_class_mask as one_mask,
        case when r.reference_months = 12 then cast(p.as_of - interval '12' month as date) else p.chronic_start
        end as period_start
    from (
        select
            l.person_id,
            l.claim_id,
            c.condition_column_name,
            max(l.dx_date) as dx_date,
            bit_or(l.ccw_class) as ccw_class
        from proc_lines as l
        inner join chronic_condition_map as c on c.code = l.procedure_code and c.code_system = 'ICD-10-PCS'
        where c.pcs_counts
        group by l.person_id, l.claim_id, c.condition_column_name
    ) as q
    inner join rules as r on r.condition_column_name = q.condition_column_name
    cross join params as p
),

proc_alone as (
    select distinct person_id, condition_column_name
    from proc_claims
    where (ccw_class & one_mask) <> 0 and dx_date > period_start
),

fast as (
    select
        f.person_id,
        f.condition_column_name,
        (
            f.facts & (
                r.one_class_mask * 8 + case when r.reference_months = 24 then r.one_class_mask * 1024 else 0 end
            )
        ) <> 0
        or (r.min_claims = 2 and r.min_claims_mask = 63 and f.first_date < f.last_date)
        or (
            r.min_claims = 2 and r.min_claims_mask = 24 and case
                when r.reference_months = 12
                    then (f.facts & 192) <> 0 and f.hop_carrier_key < f.hop_carrier_last
                else ((f.facts & 192) <> 0 and (f.facts & 24576) <> 0)
                    or case
                        when f.hop_carrier_key > p.as_of then f.hop_carrier_key - to_days(40000)
                        else f.hop_carrier_key
                    end < f.hop_carrier_last
            end
        ) as met,
        (r.min_claims = 3 and f.first_date < f.last_date) or x.person_id is not null as needs_claims,
        f.has_other_code
    from per_condition as f
    inner join rules as r on r.condition_column_name = f.condition_column_name
    cross join params as p
    left join with_exclusion_code as x
        on x.person_id = f.person_id and x.condition_column_name = f.condition_column_name
),

exact_pairs as (
    -- The (person, condition) pairs counted claim by claim: the fast path's undecided ones, and those with
    -- PCS claims that neither meet the rule alone nor are met by diagnoses already (e.g. one outpatient OUD
    -- PCS claim plus one diagnosis claim on another day).
    select person_id, condition_column_name from fast where needs_claims
    union
    select q.person_id, q.condition_column_name
    from proc_claims as q
    left join proc_alone as a on a.person_id = q.person_id and a.condition_column_name = q.condition_column_name
    left join fast as f on f.person_id = q.person_id and f.condition_column_name = q.condition_column_name
    where a.person_id is null and not coalesce(f.met and not f.needs_claims and f.has_other_code, false)
),

exact_people as (
    select distinct person_id from exact_pairs
),

exact_lines as (
    -- Same claim date as int_person_diagnoses; the CCW claim type is stg_medical_claim's.
    unpivot (
        select
            m.person_id,
            m.claim_id,
            coalesce(m.claim_start_date, m.service_date) as dx_date,
            m.ccw_class,
            columns('^diagnosis_code_[0-9]+$')
        from stg_medical_claim as m
        -- A join on the (usually empty, always small) list of people: with it empty the scan stops at once,
        -- and with a thousand people it is still half the cost of a per-line membership test (1M members:
        -- 3.4 vs 5.3 s empty, 5.3 vs 11.2 s with 1,000 people).
        inner join exact_people as e on e.person_id = m.person_id
        cross join params as p
        where coalesce(m.diagnosis_code_type, 'icd-10-cm') = 'icd-10-cm'
            and coalesce(m.claim_start_date, m.service_date) <= p.as_of
            and coalesce(m.claim_start_date, m.service_date) > p.chronic_start
    )
    on columns('^diagnosis_code_[0-9]+$')
    into name position value diagnosis_code
),

exact_claims as (
    -- One row per claim and condition: a claim qualifies when it lists a condition code (diagnosis or PCS)
    -- and none of the condition's exclusion codes; one_mask: the claim types for which it qualifies alone.
    select
        a.person_id,
        a.claim_id,
        a.condition_column_name,
        max(a.dx_date) as dx_date,
        bit_or(a.ccw_class) as ccw_class,
        bit_or(a.one_mask) as one_mask,
        bool_or(a.is_include) and not bool_or(a.is_exclude) as qualifies
    from (
        select
            l.person_id,
            l.claim_id,
            c.condition_column_name,
            l.dx_date,
            l.ccw_class,
            case when c.inclusion_type = 'Include' then c.one_class_mask else 0 end as one_mask,
            c.inclusion_type = 'Include' as is_include,
            c.inclusion_type = 'Exclude' as is_exclude
        from exact_lines as l
        inner join chronic_condition_map as c on c.code = l.diagnosis_code and c.code_system = 'ICD-10-CM'
        inner join exact_pairs as x
            on x.person_id = l.person_id and x.condition_column_name = c.condition_column_name
        union all
        select q.person_id, q.claim_id, q.condition_column_name, q.dx_date, q.ccw_class, q.one_mask, true, false
        from proc_claims as q
        inner join exact_pairs as x
            on x.person_id = q.person_id and x.condition_column_name = q.condition_column_name
    ) as a
    group by a.person_id, a.claim_id, a.condition_column_name
),

exact as (
    select
        e.person_id,
        e.condition_column_name,
        bool_or((e.ccw_class & e.one_mask) <> 0 and e.dx_date > e.period_start)
        or count(
            distinct case when (e.ccw_class & r.min_claims_mask) <> 0 and e.dx_date > e.period_start then e.dx_date end
        ) >= coalesce(max(r.min_claims), 1000000) as met
    from (
        select
            q.*,
            case when r.reference_months = 12 then y.year_start else y.chronic_start end as period_start
        from exact_claims as q
        inner join rules as r on r.condition_column_name = q.condition_column_name
        cross join (
            select chronic_start, cast(as_of - interval '12' month as date) as year_start from params
        ) as y
        where q.qualifies
    ) as e
    inner join rules as r on r.condition_column_name = e.condition_column_name
    group by e.person_id, e.condition_column_name
),

dx_met as (
    -- Met by the claim rule, by diagnosis or PCS codes (the "DX indicator" of OUD's exception below). R75
    -- alone (has_other_code false) does not qualify HIV/AIDS; a pair without diagnoses has PCS claims.
    select person_id, condition_column_name from fast where met and not needs_claims and has_other_code
    union
    select e.person_id, e.condition_column_name
    from exact as e
    left join fast as f on f.person_id = e.person_id and f.condition_column_name = e.condition_column_name
    where e.met and coalesce(f.has_other_code, true)
    union
    select person_id, condition_column_name from proc_alone
),

code_claims as (
    -- Latest claim date per person, condition and kind of non-diagnosis code, in the chronic window (the
    -- longest reference period); the condition's own period is applied below. Claim date as for diagnoses.
    select m.person_id, c.condition_column_name, false as naltrexone,
        max(coalesce(m.claim_start_date, m.service_date)) as last_date
    from stg_medical_claim as m
    inner join chronic_condition_map as c on c.code = m.hcpcs_code and c.code_system = 'HCPCS'
    cross join params as p
    where coalesce(m.claim_start_date, m.service_date) <= p.as_of
        and coalesce(m.claim_start_date, m.service_date) > p.chronic_start
    group by m.person_id, c.condition_column_name
    union all
    -- MS-DRG on an inpatient (11x) claim. The store keeps no DRG type: drg_code is read as an MS-DRG.
    select m.person_id, c.condition_column_name, false,
        max(coalesce(m.claim_start_date, m.service_date))
    from stg_medical_claim as m
    inner join chronic_condition_map as c on c.code = m.drg_code and c.code_system = 'MS-DRG'
    cross join params as p
    where m.claim_type = 'institutional' and m.bill_type_prefix = '11'
        and coalesce(m.claim_start_date, m.service_date) <= p.as_of
        and coalesce(m.claim_start_date, m.service_date) > p.chronic_start
    group by m.person_id, c.condition_column_name
    union all
    select f.person_id, c.condition_column_name, c.naltrexone, max(f.dispensing_date)
    from stg_pharmacy_claim as f
    inner join chronic_condition_map as c on c.code = f.ndc_code and c.code_system = 'NDC'
    cross join params as p
    where f.dispensing_date <= p.as_of and f.dispensing_date > p.chronic_start
    group by f.person_id, c.condition_column_name, c.naltrexone
),

code_met as (
    select
        q.person_id,
        q.condition_column_name,
        bool_or(q.naltrexone) as naltrexone
    from code_claims as q
    inner join rules as r on r.condition_column_name = q.condition_column_name
    cross join params as p
    where q.last_date > case
        when r.reference_months = 12 then cast(p.as_of - interval '12' month as date) else p.chronic_start
    end
    group by q.person_id, q.condition_column_name
),

oud_excluded as (
    -- OUD, Tuva additional_logic: "Exclude beneficiaries with NDC for Naltrexone, if the CCW alcohol use
    -- disorder indicator = Yes and opioid use disorder DX indicator (from measure #2 OUD using diagnoses) =
    -- No; or CCW drug use disorder indicator = Yes and opioid use DX disorder = No". Applied as written: a
    -- person with a naltrexone fill in the period who meets alcohol or drug use disorders and not OUD by
    -- diagnoses is not counted for OUD by any non-diagnosis code (as Tuva's cms_chronic_conditions_oud does).
    select distinct q.person_id
    from code_met as q
    inner join dx_met as a
        on a.person_id = q.person_id and a.condition_column_name in ('alcohol_use_disorders', 'drug_use_disorders')
    where q.condition_column_name = 'opioid_use_disorder_oud' and q.naltrexone
)

select person_id, condition_column_name from dx_met
union all
select q.person_id, q.condition_column_name
from code_met as q
left join dx_met as d on d.person_id = q.person_id and d.condition_column_name = q.condition_column_name
left join oud_excluded as x on x.person_id = q.person_id and q.condition_column_name = 'opioid_use_disorder_oud'
where d.person_id is null and x.person_id is null
