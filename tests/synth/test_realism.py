"""The generated population behaves like a Medicare/Medicaid population (20,000 members x 24 months).

Bands are wide enough for sampling noise at this size but tight enough to fail if a mechanism breaks
(e.g. no regression to the mean, no concentration, claims outside enrolment).
"""

from __future__ import annotations

import duckdb
import pytest

from tests.synth.conftest import REALISM_MEMBERS


def one(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    row = con.execute(sql).fetchone()
    assert row is not None
    return float(row[0])


@pytest.fixture(scope="module")
def member_years(claims_db: duckdb.DuckDBPyConnection) -> float:
    return one(claims_db, "select sum(enrollment_duration_months) / 12.0 from elig")


@pytest.fixture(scope="module")
def yearly_spend(claims_db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Table `spend(person_id, yr, allowed)`: every member enrolled in a year, zero if no claims."""
    claims_db.execute(
        """
        create or replace table spend as
        with claims as (
            select person_id, year(claim_start_date) yr, allowed_amount a from med
            union all select person_id, year(dispensing_date), allowed_amount from rx),
        enrolled as (
            select distinct person_id, yr from (
                select person_id, unnest(range(year(enrollment_start_date), year(enrollment_end_date) + 1)) yr
                from elig))
        select e.person_id, e.yr, coalesce(sum(c.a), 0) allowed
        from enrolled e left join claims c using (person_id, yr) group by all
        """
    )
    return claims_db


def _top_share(con: duckdb.DuckDBPyConnection, year: int, fraction: float) -> float:
    return one(
        con,
        f"""
        with s as (select allowed, row_number() over (order by allowed desc) rk, count(*) over () n
                   from spend where yr = {year})
        select sum(allowed) filter (where rk <= n * {fraction}) / sum(allowed) from s""",
    )


def test_everyone_has_eligibility(claims_db: duckdb.DuckDBPyConnection) -> None:
    assert one(claims_db, "select count(distinct person_id) from elig") == REALISM_MEMBERS
    assert one(claims_db, "select count(*) from elig where person_id = member_id") == 0
    assert one(claims_db, "select count(*) from elig where not regexp_matches(person_id, '^P[0-9]{7}$')") == 0
    # Some churn: a share of people have more than one enrolment span.
    multi = one(claims_db, "select avg((n > 1)::int) from (select count(*) n from elig group by person_id)")
    assert 0.01 < multi < 0.3


def test_identity_columns_are_left_empty(claims_db: duckdb.DuckDBPyConnection) -> None:
    for col in (
        "first_name",
        "last_name",
        "middle_name",
        "social_security_number",
        "address",
        "city",
        "state",
        "zip_code",
        "phone",
        "email",
    ):
        assert one(claims_db, f"select count({col}) from elig") == 0, col


def test_lineage_columns_are_filled(claims_db: duckdb.DuckDBPyConnection) -> None:
    for view in ("elig", "med", "rx"):
        assert (
            one(
                claims_db,
                f"""select count(*) from {view} where data_source <> 'tandem_synth'
            or file_name is null or file_date is null or ingest_datetime is null""",
            )
            == 0
        )


def test_age_and_payer_mix(claims_db: duckdb.DuckDBPyConnection) -> None:
    ages = claims_db.execute("""
        select payer, avg(date_diff('year', birth_date, date '2024-01-01'))
        from (select distinct person_id, payer, birth_date from elig)
        group by payer order by payer""").fetchall()
    by_payer = dict(ages)
    assert by_payer["medicare"] > 65 and by_payer["medicaid"] < 45
    assert (
        0.55
        < one(
            claims_db,
            "select avg((payer = 'medicare')::int) from (select distinct person_id, payer from elig)",
        )
        < 0.75
    )
    assert one(claims_db, "select count(*) from elig where dual_status_code in ('02','04','08')") > 0


def test_volume_per_member_year(claims_db: duckdb.DuckDBPyConnection, member_years: float) -> None:
    lines = one(claims_db, "select count(*) from med") / member_years
    fills = one(claims_db, "select count(*) from rx") / member_years
    assert 15 <= lines <= 26, lines
    assert 11 <= fills <= 20, fills


def test_some_members_have_no_claims_in_a_year(yearly_spend: duckdb.DuckDBPyConnection) -> None:
    for year in (2024, 2025):
        zero = one(yearly_spend, f"select avg((allowed = 0)::int) from spend where yr = {year}")
        assert 0.005 < zero < 0.3, (year, zero)


def test_spend_is_concentrated_like_meps(yearly_spend: duckdb.DuckDBPyConnection) -> None:
    for year in (2024, 2025):
        top5, top1 = _top_share(yearly_spend, year, 0.05), _top_share(yearly_spend, year, 0.01)
        assert 0.40 <= top5 <= 0.60, (year, top5)
        assert 0.15 <= top1 <= 0.27, (year, top1)


def test_top_spenders_persist_partly_and_regress_to_the_mean(yearly_spend: duckdb.DuckDBPyConnection) -> None:
    row = yearly_spend.execute("""
        with r as (select person_id, yr, allowed,
                          ntile(20) over (partition by yr order by allowed desc) v from spend),
        j as (select a.allowed a1, b.allowed a2, a.v v1, b.v v2
              from r a join r b on a.person_id = b.person_id and a.yr = 2024 and b.yr = 2025)
        select avg((v2 = 1)::int) filter (where v1 = 1),
               avg(a1) filter (where v1 = 1), avg(a2) filter (where v1 = 1),
               corr(ln(a1 + 1), ln(a2 + 1))
        from j""").fetchone()
    assert row is not None
    persistence, mean1, mean2, corr = row
    assert 0.25 <= persistence <= 0.48, persistence
    assert mean2 < 0.75 * mean1, (mean1, mean2)
    assert corr > 0.3, corr


@pytest.fixture(scope="module")
def dx(claims_db: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Table `dx(person_id, code)`: every distinct diagnosis a person has on any claim, any position."""
    cols = ", ".join(f"diagnosis_code_{i}" for i in range(1, 26))
    claims_db.execute(f"""create or replace table dx as
        select distinct person_id, code from (select person_id, unnest([{cols}]) code from med)
        where code is not null""")
    return claims_db


def _prevalence(con: duckdb.DuckDBPyConnection, pattern: str) -> float:
    return (
        one(con, f"select count(distinct person_id) from dx where regexp_matches(code, '{pattern}')")
        / REALISM_MEMBERS
    )


@pytest.mark.parametrize(
    ("name", "pattern", "low", "high"),
    [
        ("diabetes", "^E1[01]", 0.12, 0.30),
        ("heart failure", "^(I50|I110|I130)", 0.04, 0.14),
        ("COPD", "^J4[34]", 0.03, 0.12),
        ("depression", "^(F32|F33|F341)", 0.08, 0.25),
        ("chronic kidney disease", "^N18", 0.06, 0.20),
        ("dementia", "^(F0[123]|G30)", 0.02, 0.10),
        ("serious mental illness", "^(F2[0-9]|F31)", 0.01, 0.08),
        ("substance use", "^F1[0-6]", 0.03, 0.15),
    ],
)
def test_chronic_condition_prevalence(
    dx: duckdb.DuckDBPyConnection, name: str, pattern: str, low: float, high: float
) -> None:
    value = _prevalence(dx, pattern)
    assert low <= value <= high, (name, value)


def _conditional(con: duckdb.DuckDBPyConnection, outcome: str, given: str) -> tuple[float, float]:
    """P(outcome | given) and P(outcome | not given) over people with any diagnosis."""
    row = con.execute(f"""
        with p as (select person_id, max(regexp_matches(code, '{outcome}')::int) o,
                          max(regexp_matches(code, '{given}')::int) g from dx group by person_id)
        select avg(o) filter (where g = 1), avg(o) filter (where g = 0) from p""").fetchone()
    assert row is not None and row[0] is not None and row[1] is not None
    return float(row[0]), float(row[1])


def test_conditions_cluster(dx: duckdb.DuckDBPyConnection) -> None:
    with_dm, without_dm = _conditional(dx, "^N18", "^E11")
    assert with_dm > 1.8 * without_dm, (with_dm, without_dm)
    with_sud, without_sud = _conditional(dx, "^F3[23]", "^F1[0-6]")
    assert with_sud > 1.8 * without_sud, (with_sud, without_sud)


def test_social_need_z_codes_for_a_minority_tied_to_behavioural_health(dx: duckdb.DuckDBPyConnection) -> None:
    share = _prevalence(dx, "^Z(5[5-9]|6[0-5])")
    assert 0.01 < share < 0.15, share
    with_bh, without_bh = _conditional(dx, "^Z(5[5-9]|6[0-5])", "^F(1[0-6]|2|3[13])")
    assert with_bh > 2 * without_bh, (with_bh, without_bh)
    assert _prevalence(dx, "^Z59(0|81)") > 0  # homelessness / housing instability are among them


def test_amounts_are_consistent(claims_db: duckdb.DuckDBPyConnection) -> None:
    for view in ("med", "rx"):
        assert (
            one(
                claims_db,
                f"""select count(*) from {view} where paid_amount > allowed_amount
            or allowed_amount > charge_amount or paid_amount < 0 or allowed_amount is null""",
            )
            == 0
        ), view
    assert (
        one(
            claims_db,
            "select count(*) from med where abs(allowed_amount - paid_amount - coinsurance_amount"
            " - copayment_amount - deductible_amount) > 0.011",
        )
        == 0
    )


def test_claims_fall_within_enrolment_and_before_death(claims_db: duckdb.DuckDBPyConnection) -> None:
    outside = one(
        claims_db,
        """select count(*) from med m where not exists (
        select 1 from elig e where e.person_id = m.person_id
        and m.claim_start_date between e.enrollment_start_date and e.enrollment_end_date
        and m.claim_end_date <= e.enrollment_end_date)""",
    )
    assert outside == 0
    outside_rx = one(
        claims_db,
        """select count(*) from rx r where not exists (
        select 1 from elig e where e.person_id = r.person_id
        and r.dispensing_date between e.enrollment_start_date and e.enrollment_end_date)""",
    )
    assert outside_rx == 0
    after_death = one(
        claims_db,
        """select count(*) from med m join (select distinct person_id, death_date from elig
        where death_flag = 1) d using (person_id) where m.claim_end_date > d.death_date""",
    )
    assert after_death == 0
    assert one(claims_db, "select count(distinct person_id) from elig where death_flag = 1") > 0


def test_inpatient_ed_and_office_claims_look_real(
    claims_db: duckdb.DuckDBPyConnection, member_years: float
) -> None:
    ip = (
        one(claims_db, "select count(distinct claim_id) from med where bill_type_code = '111'")
        / member_years
        * 1000
    )
    assert 120 <= ip <= 350, ip
    ed_fac = (
        one(
            claims_db,
            """select count(distinct claim_id) from med where bill_type_code = '131'
        and revenue_center_code = '0450' and hcpcs_code between '99281' and '99285'""",
        )
        / member_years
        * 1000
    )
    assert 350 <= ed_fac <= 1100, ed_fac
    assert (
        one(
            claims_db,
            "select count(*) from med where place_of_service_code = '23' and hcpcs_code like '9928_'",
        )
        > 0
    )
    assert (
        one(
            claims_db,
            """select count(*) from med where place_of_service_code = '11'
        and hcpcs_code in ('99202','99203','99204','99205','99211','99212','99213','99214','99215')""",
        )
        > 0
    )
    # Emergency admissions: admit type 1 with the ED revenue line on the stay.
    assert (
        one(
            claims_db,
            """select count(distinct claim_id) from med where bill_type_code = '111'
        and admit_type_code = '1' and revenue_center_code = '0450'""",
        )
        > 0
    )
    assert (
        one(claims_db, "select count(*) from med where bill_type_code = '111' and drg_code is not null") > 0
    )
    assert (
        one(
            claims_db,
            """select count(*) from med where bill_type_code = '111'
        and (admission_date is null or discharge_date is null or discharge_disposition_code is null)""",
        )
        == 0
    )
    # Claim type is constant within a claim.
    assert (
        one(
            claims_db,
            "select count(*) from (select claim_id from med group by 1 "
            "having count(distinct claim_type) > 1)",
        )
        == 0
    )


def test_thirty_day_readmissions_happen(claims_db: duckdb.DuckDBPyConnection) -> None:
    row = claims_db.execute("""
        with s as (select distinct person_id, claim_id, admission_date a, discharge_date d,
                          discharge_disposition_code disp
                   from med where bill_type_code = '111'),
        o as (select *, lead(a) over (partition by person_id order by a) next_admit from s)
        select count(*) filter (where next_admit - d between 0 and 30),
               avg(coalesce(next_admit - d <= 30, false)::int)
        from o where disp not in ('20', '02')""").fetchone()
    assert row is not None
    count, rate = row
    assert count > 0
    assert 0.08 <= rate <= 0.25, rate


def test_pharmacy_fills(claims_db: duckdb.DuckDBPyConnection) -> None:
    assert one(claims_db, "select count(*) from rx where not regexp_matches(ndc_code, '^[0-9]{11}$')") == 0
    supplies = {int(r[0]) for r in claims_db.execute("select distinct days_supply from rx").fetchall()}
    assert {30, 90} <= supplies
    assert one(claims_db, "select avg((days_supply in (30, 90))::int) from rx") > 0.85
    assert one(claims_db, "select count(*) from rx where prescribing_provider_npi is null") == 0
