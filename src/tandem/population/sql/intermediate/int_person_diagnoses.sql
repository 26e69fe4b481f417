-- One row per person and ICD-10-CM code on their medical claims up to the as-of date, with what every
-- diagnosis consumer needs: whether the code was seen in the long window, whether on a claim that counts
-- for CMS-HCC risk adjustment there, and its first/last date and any inpatient claim in the chronic window.
--
-- Why one row per person and code: each consumer asks a per-person question (which Charlson conditions,
-- which HCCs, which CCW conditions on two days, any behavioural-health code). Aggregating straight from
-- the claim lines to (person, code) is one pass with a few million groups; the earlier form first collapsed
-- each claim's lines to their distinct diagnosis lists (a group on person, claim and all 25 positions, tens
-- of millions of wide groups at 1M members) and kept one row per list and code for every consumer to re-read.
--
-- A diagnosis is dated by its claim's start date (the line date when a claim has none): every line of a
-- claim carries the claim's diagnoses, so all of them share one date, and "two distinct days" (CCW) means
-- two claims on different days.
--
-- CMS-HCC filtering: inpatient (11x, 41x) institutional claims count; outpatient-institutional (12x-14x,
-- 43x, 71x, 73x, 76x, 77x, 85x) and professional claims count when a line carries a face-to-face CPT/HCPCS
-- code from the CMS list. Decided per line and aggregated per code: every line carries the whole list, so a
-- code counts when any line of any claim listing it is eligible, as the rule reads at claim level.
--
-- CMS Chronic Conditions Warehouse (CCW) claim types (stg_medical_claim.ccw_class: inpatient, SNF, home
-- health, hospital outpatient, carrier, other, ED) go into the bit set per window part for
-- int_chronic_conditions' per-condition rules (data/cms_chronic_conditions_rules.csv, docs/population.md).
with eligible_hcpcs as (
    select distinct hcpcs_cpt_code from hcc_cpt_hcpcs
),

ccw_year as (
    -- Start (exclusive) of CCW's 1-year reference period, ending at the as-of date like every window here.
    select cast(as_of - interval '12' month as date) as year_start from params
),

claim_lines as (
    select
        m.person_id,
        coalesce(m.claim_start_date, m.service_date) as dx_date,
        m.is_inpatient_line as inpatient_line,
        m.ccw_class,
        coalesce(
            (m.claim_type = 'institutional' and m.bill_type_prefix in ('11', '41'))
            or (
                h.hcpcs_cpt_code is not null
                and (
                    m.claim_type = 'professional'
                    or (
                        m.claim_type = 'institutional'
                        and m.bill_type_prefix in ('12', '13', '14', '43', '71', '73', '76', '77', '85')
                    )
                )
            ),
            false
        ) as hcc_line,
        columns('^diagnosis_code_[0-9]+$')
    from stg_medical_claim as m
    cross join params as p
    left join eligible_hcpcs as h on h.hcpcs_cpt_code = m.hcpcs_code
    where coalesce(m.diagnosis_code_type, 'icd-10-cm') = 'icd-10-cm'
        and coalesce(m.claim_start_date, m.service_date) <= p.as_of
),

lines as (
    -- Window and claim-type facts are folded into one small bit set per line before the unpivot:
    -- evaluated once per line instead of once per code, and one bit_or per group instead of five
    -- filtered aggregates (the aggregate was most of this model's cost at 1M members).
    --   1 = dated in the long window; 2 = dated in the long window on a line that counts for CMS-HCC;
    --   4 = an inpatient claim dated in the chronic window;
    --   CCW claim type (ccw_class: 1 inpatient, 2 SNF, 4 HHA, 8 HOP, 16 carrier, 32 other, 64 ED) times 8 for a
    --   claim in CCW's 1-year reference period (the last 12 months), times 1024 for one in the rest of the
    --   chronic window (CCW's 2-year period, `chronic_months`).
    -- The dates of HOP/carrier claims get their own first/last: the "2 HOP/carrier claims" rules must not count
    -- an inpatient, SNF or HHA date. Their first date is keyed so that one min() serves both periods: a date
    -- in the last 12 months as is, an older one shifted 40000 days ahead (past any 1-year date); whether there
    -- are dates in both parts is in the bits above.
    select
        c.person_id,
        c.dx_date,
        case when c.dx_date > p.chronic_start then c.dx_date end as chronic_date,
        case
            when c.ccw_class % 64 not in (8, 16) or c.dx_date <= p.chronic_start then null
            when c.dx_date > y.year_start then c.dx_date
            else c.dx_date + to_days(40000)
        end as ccw_hop_carrier_key,
        case when c.ccw_class % 64 in (8, 16) and c.dx_date > p.chronic_start then c.dx_date end
            as ccw_hop_carrier_date,
        case when c.dx_date > p.long_start then 1 else 0 end
        + case when c.dx_date > p.long_start and c.hcc_line then 2 else 0 end
        + case when c.dx_date > p.chronic_start and c.inpatient_line then 4 else 0 end
        + case
            when c.dx_date <= p.chronic_start then 0
            when c.dx_date > y.year_start then c.ccw_class * 8
            else c.ccw_class * 1024
        end as facts,
        columns('^diagnosis_code_[0-9]+$')
    from claim_lines as c
    cross join params as p
    cross join ccw_year as y
),

unpivoted as (
    unpivot (
        select
            person_id, chronic_date, ccw_hop_carrier_key, ccw_hop_carrier_date, facts,
            columns('^diagnosis_code_[0-9]+$')
        from lines
    )
    on columns('^diagnosis_code_[0-9]+$')
    into name position value diagnosis_code
),

per_code as (
    select
        person_id,
        diagnosis_code,
        bit_or(facts) as facts,
        min(chronic_date) as chronic_first_date,
        max(chronic_date) as chronic_last_date,
        min(ccw_hop_carrier_key) as ccw_hop_carrier_key,
        max(ccw_hop_carrier_date) as ccw_hop_carrier_last_date
    from unpivoted
    group by person_id, diagnosis_code
)

select
    person_id,
    diagnosis_code,
    facts & 1 <> 0 as in_long_window,
    facts & 2 <> 0 as hcc_eligible,
    chronic_first_date,
    chronic_last_date,
    facts & 4 <> 0 as chronic_inpatient,
    facts as ccw_facts,
    ccw_hop_carrier_key,
    ccw_hop_carrier_last_date
from per_code
