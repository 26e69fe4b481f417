"""CMS-HCC segments in the population SQL: new enrollees and long-term institutional residents.

`stg_person.sql` counts each person's months of the base year (the 12 calendar months ending with the as-of
month) from their first enrolment on, and reads the input's long-term institutional flag; `hcc_sql` then
scores new enrollees (< 12 months) with the new-enrollee cell and flagged residents with the institutional
factors. Every person's score must equal the reference `hcc.score` with the matching `Demographics` flags.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tandem.population import hcc, hcc_sql
from tandem.population.features import SQL_DIR, build_features
from tandem.population.load_tuva import load_directory

from .claims import professional, write_dataset
from .test_hcc_sql import COMMUNITY_PERSON, sql_scores

AS_OF = dt.date(2024, 6, 15)  # base year: July 2023 .. June 2024
V28, V24 = "CMS-HCC-V28", "CMS-HCC-V24"

# ---------------------------------------------------------------------------------------------------------
# stg_person: entitlement months and the institutional flag


def _stg_person(spans: list[tuple[str, str, str, str | None]], as_of: dt.date = AS_OF) -> dict[str, Any]:
    """Run stg_person.sql over (person, start, end, long_term_institutional_flag) spans."""
    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TABLE eligibility (person_id VARCHAR, gender VARCHAR, birth_date DATE, "
            "enrollment_start_date DATE, enrollment_end_date DATE, original_reason_entitlement_code VARCHAR, "
            "dual_status_code VARCHAR, long_term_institutional_flag VARCHAR)"
        )
        con.executemany(
            "INSERT INTO eligibility VALUES (?, 'female', DATE '1950-01-01', ?, ?, '0', NULL, ?)", spans
        )
        con.execute("CREATE TABLE params AS SELECT CAST(? AS DATE) AS as_of", [as_of])
        sql = (SQL_DIR / "staging" / "stg_person.sql").read_text(encoding="utf-8")
        rows = con.execute(
            f"SELECT person_id, entitled_months_base_year, long_term_institutional_on_as_of FROM ({sql})"
        ).fetchall()
    finally:
        con.close()
    return {r[0]: (r[1], r[2]) for r in rows}


def test_entitled_months_run_from_the_first_enrolment() -> None:
    got = _stg_person(
        [
            ("always", "2020-01-01", "2030-12-31", None),
            ("since_jan", "2024-01-01", "2030-12-31", None),  # Jan..Jun 2024: 6, a new enrollee
            ("last_day_of_july", "2023-07-31", "2030-12-31", None),  # July is the first month: 12
            ("since_august", "2023-08-01", "2030-12-31", None),  # Aug..Jun: 11, a new enrollee
            ("as_of_month", "2024-06-01", "2030-12-31", None),  # the as-of month only: 1
            ("gap", "2023-01-01", "2023-10-31", None),  # a plan gap in the base year does not
            ("gap", "2024-03-01", "2024-12-31", None),  # restart entitlement: 12
            ("late_first", "2023-11-15", "2024-01-31", None),  # first enrolment in November: Nov..Jun 8
            ("late_first", "2024-03-01", "2024-12-31", None),
            ("ended_before", "2020-01-01", "2023-06-30", None),  # enrolled long before the base year: 12
            ("after_as_of", "2023-12-01", "2024-02-29", None),  # Dec..Jun: 7; the span starting after
            ("after_as_of", "2024-06-20", "2025-12-31", None),  # 15 June is not in stg_person's view
        ]
    )
    months = {pid: m for pid, (m, _) in got.items()}
    assert months == {
        "always": 12,
        "since_jan": 6,
        "last_day_of_july": 12,
        "since_august": 11,
        "as_of_month": 1,
        "gap": 12,
        "late_first": 8,
        "ended_before": 12,
        "after_as_of": 7,
    }


def test_entitled_months_match_a_month_loop() -> None:
    """Random spans against a plain count of base-year months on or after the first enrolment month."""
    rng = random.Random(5)
    base = [dt.date(2023 + (6 + k) // 12, (6 + k) % 12 + 1, 1) for k in range(12)]
    assert base[-1] == dt.date(2024, 6, 1) and len(set(base)) == 12
    spans: list[tuple[str, str, str, str | None]] = []
    expected: dict[str, int] = {}
    for i in range(300):
        pid = f"r{i}"
        starts = []
        for _ in range(rng.randint(1, 4)):
            start = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 1000))
            end = start + dt.timedelta(days=rng.randint(0, 400))
            spans.append((pid, start.isoformat(), end.isoformat(), None))
            starts.append(start)
        first = min((s for s in starts if s <= AS_OF), default=None)
        if first is not None:
            expected[pid] = sum(month >= first.replace(day=1) for month in base)
    got = _stg_person(spans)
    assert set(got) == set(expected)
    assert {pid: got[pid][0] for pid in expected} == expected
    assert {1, 12} <= set(expected.values()) and len(set(expected.values())) > 5


def test_institutional_flag_on_a_span_covering_the_as_of_date() -> None:
    got = _stg_person(
        [
            ("resident", "2020-01-01", "2030-12-31", " Y "),
            ("word", "2020-01-01", "2030-12-31", "true"),
            ("left", "2020-01-01", "2023-12-31", "Y"),  # flagged only on a span that has ended
            ("left", "2024-01-01", "2030-12-31", "N"),
            ("unflagged", "2020-01-01", "2030-12-31", None),
        ]
    )
    assert {pid: lti for pid, (_, lti) in got.items()} == {
        "resident": True,
        "word": True,
        "left": False,
        "unflagged": False,
    }


# ---------------------------------------------------------------------------------------------------------
# hcc_sql against hcc.score, segment by segment

Person = tuple[str, int, str, str | None, str | None, int | None, bool | None]


def _population(n: int, seed: int) -> tuple[list[Person], list[tuple[str, str]]]:
    rng = random.Random(seed)
    codes = sorted({code for (_, code) in hcc.tables().icd})
    # institutional interaction and DISABLED_* groups (heart failure, diabetes, lung, cancer, neuro, ulcers,
    # sepsis, CHF/COPD), edits (hemophilia, breast cancer) and the count factor (many codes at once)
    focus = [
        c
        for c in codes
        if c.startswith(("E11", "I50", "J44", "C50", "C78", "G20", "G35", "L89", "A41", "N18", "F20", "D66"))
    ]
    people: list[Person] = []
    dx: list[tuple[str, str]] = []
    for i in range(n):
        pid = f"s{i:04d}"
        age = rng.choice([0, 30, 50, 63, 64, 65, 66, 67, 68, 69, 70, 82, 94, 95, rng.randint(18, 100)])
        sex = rng.choice(["female", "male", "F", "M"])
        orec = rng.choice([None, "", "0", "1", "2", "3"])
        dual = rng.choice([None, "02", "4", "01", "05", "NA", "10"])
        months = rng.choice([None, 0, 1, 6, 11, 12, 12, 12, 12])
        lti = rng.choice([None, False, False, True, True])
        people.append((pid, age, sex, orec, dual, months, lti))
        k = rng.choice([0, 1, 3, 6, 12, 20])
        for code in {rng.choice(focus if rng.random() < 0.8 else codes) for _ in range(k)}:
            dx.append((pid, code))
    return people, dx


def _sql_scores(people: list[Person], dx: list[tuple[str, str]]) -> dict[str, tuple[Any, ...]]:
    return sql_scores(
        people,
        dx,
        person_columns=f"{COMMUNITY_PERSON}, entitled_months_base_year INTEGER, "
        "long_term_institutional_on_as_of BOOLEAN",
        select="person_id, hcc_v24_raw, hcc_v28_raw, hcc_v28_normalized, hcc_v24_list, hcc_v28_list, "
        "hcc_segment",
    )


def _demographics(person: Person) -> hcc.Demographics:
    _, age, sex, orec, dual, months, lti = person
    new = months is not None and months < hcc_sql.NEW_ENROLLEE_MONTHS
    return hcc.Demographics(
        age=age,
        sex=sex,
        orec=orec,
        dual_status_code=dual,
        new_enrollee=new,
        institutional=bool(lti) and not new,
    )


def test_sql_equals_reference_in_every_segment() -> None:
    people, dx = _population(900, seed=23)
    got = _sql_scores(people, dx)
    codes: dict[str, list[str]] = {}
    for pid, code in dx:
        codes.setdefault(pid, []).append(code)
    factor = hcc.normalization_factor()
    assert set(got) == {p[0] for p in people}
    seen: dict[str, int] = {}
    for person in people:
        pid = person[0]
        demo = _demographics(person)
        v24 = hcc.score(V24, codes.get(pid, []), demo)
        v28 = hcc.score(V28, codes.get(pid, []), demo)
        segment = (
            "new_enrollee" if demo.new_enrollee else "institutional" if demo.institutional else "community"
        )
        seen[segment] = seen.get(segment, 0) + 1
        r24, r28, norm, l24, l28, seg = got[pid]
        assert seg == segment, pid
        assert r24 == pytest.approx(v24.raw, abs=1e-9), (pid, segment)
        assert r28 == pytest.approx(v28.raw, abs=1e-9), (pid, segment)
        assert norm == pytest.approx(round(v28.raw / factor, 3), abs=1e-9), pid
        assert (l24, l28) == (" ".join(f"HCC{h}" for h in v24.hccs), " ".join(f"HCC{h}" for h in v28.hccs))
    assert min(seen.values()) >= 150, seen


def test_segment_rules_are_exercised() -> None:
    """Guard the random test: each institutional and new-enrollee term must be hit by someone."""
    people, dx = _population(900, seed=23)
    codes: dict[str, list[str]] = {}
    for pid, code in dx:
        codes.setdefault(pid, []).append(code)
    components: set[str] = set()
    for person in people:
        demo = _demographics(person)
        for model in hcc.MODELS:
            s = hcc.score(model, codes.get(person[0], []), demo)
            if demo.institutional:
                components |= {f"LTI:{name}" for name in s.components}
            elif demo.new_enrollee:
                components |= {f"NE:{name.split('_')[1]}_{name.split('_')[2]}" for name in s.components}
                components |= {f"NE:{name.rsplit('_', 1)[1]}" for name in s.components}
    assert "LTI:LTIMCAID" in components
    assert "LTI:D>=10" in components  # the V28 institutional count factor
    ins = hcc.tables().institutional
    disabled = {f"LTI:{n}" for named in ins.disabled.values() for n in named}
    interactions = {f"LTI:{n}" for named in ins.interactions.values() for n in named}
    assert len(components & disabled) >= 3 and len(components & interactions) >= 3
    assert {"NE:MCAID_ORIGDIS", "NE:NMCAID_NORIGDIS", "NE:MCAID_NORIGDIS", "NE:NMCAID_ORIGDIS"} <= components
    single_years = {f"NE:{sex}{age}" for sex in "FM" for age in range(65, 70)}
    assert len(components & single_years) >= 8 and "NE:M60-64" in components


def test_new_enrollee_and_institutional_by_hand() -> None:
    """Factors quoted from data/cms_hcc__demographic_factors.csv (Tuva tables of the CMS announcements):
    CMS-HCC-V28,Demographic,New,,Female,67,No,,Aged,,0.557  /  CMS-HCC-V24,...,Female,67,No,,Aged,,0.544
    CMS-HCC-V28,Demographic,New,,Male,65,No,,Aged,,0.567   (a 64-year-old entitled by age takes the 65 cell)
    Institutional V28 (institutional_status Yes): Female 80-84 0.862, Medicaid (LTIMCAID) 0.130,
    HCC38 0.280, HCC226 0.217, DIABETES_HF 0.209; no count factor below 10 HCCs."""
    people: list[Person] = [
        ("ne", 67, "female", "0", None, 6, False),
        ("ne64", 64, "male", "0", None, 0, False),
        ("ne_lti", 67, "female", "0", None, 11, True),  # new-enrollee test first, as in hcc.score
        ("lti", 82, "female", "0", "02", 12, True),
        ("community", 82, "female", "0", "02", 12, False),
    ]
    dx = [(pid, code) for pid in ("ne", "ne64", "ne_lti", "lti", "community") for code in ("E119", "I5022")]
    got = _sql_scores(people, dx)
    assert got["ne"] == (0.544, 0.557, round(0.557 / 1.015, 3), "", "", "new_enrollee")
    assert got["ne"][2] == 0.549
    assert got["ne64"][1] == 0.567
    assert got["ne_lti"][5] == "new_enrollee" and got["ne_lti"][1] == 0.557
    assert got["lti"][1] == pytest.approx(0.862 + 0.130 + 0.280 + 0.217 + 0.209, abs=1e-9)  # 1.698
    assert got["lti"][4:] == ("HCC38 HCC226", "institutional")
    assert got["community"][5] == "community" and got["community"][1] != got["lti"][1]


def test_without_segment_columns_everyone_is_community() -> None:
    """A stg_person without the enrolment count or the flag (older callers) keeps the community scores."""
    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TEMP TABLE stg_person AS SELECT 'a' AS person_id, 67 AS age, 'female' AS sex, "
            "'0' AS orec, NULL::VARCHAR AS dual_status_code"
        )
        con.execute("CREATE TEMP TABLE int_hcc_dx (person_id VARCHAR, diagnosis_code VARCHAR)")
        hcc_sql.build_scores(con)
        row = con.execute("SELECT hcc_v28_raw, hcc_segment FROM hcc_scores").fetchone()
    finally:
        con.close()
    assert row == (hcc.score(V28, [], hcc.Demographics(age=67, sex="female", orec="0")).raw, "community")


# ---------------------------------------------------------------------------------------------------------
# end to end: eligibility file -> features


def test_features_score_new_enrollees_and_residents(tmp_path: Path) -> None:
    as_of = dt.date(2021, 6, 30)
    eligibility = [
        {"person_id": "full", "member_id": "full"},  # enrolled 2020-01-01 .. 2021-12-31: continuing
        {
            "person_id": "new",
            "member_id": "new",
            "birth_date": "1954-03-10",  # 67 on the as-of date
            "enrollment_start_date": "2021-02-01",  # Feb..Jun 2021: 5 months
        },
        {
            "person_id": "home",
            "member_id": "home",
            "birth_date": "1939-01-01",  # 82
            "dual_status_code": "02",
            "long_term_institutional_flag": "Y",
        },
    ]
    medical = [
        professional(f"c-{pid}-{code}", "2021-03-01", dx=code, person_id=pid)
        for pid in ("full", "new", "home")
        for code in ("E11.9", "I50.22")
    ]
    db = tmp_path / "store.duckdb"
    load_directory(write_dataset(tmp_path / "in", eligibility, medical), db)
    rows = {r["person_id"]: r for r in build_features(as_of, db).to_pylist()}
    assert {pid: r["hcc_segment"] for pid, r in rows.items()} == {
        "full": "community",
        "new": "new_enrollee",
        "home": "institutional",
    }
    assert (rows["new"]["hcc_v28_raw"], rows["new"]["hcc_v24_raw"], rows["new"]["hcc_v28_list"]) == (
        0.557,
        0.544,
        "",
    )
    assert rows["home"]["hcc_v28_raw"] == pytest.approx(1.698, abs=1e-9)
    full = hcc.score(V28, ["E119", "I5022"], hcc.Demographics(age=71, sex="female", orec="0"))
    assert rows["full"]["hcc_v28_raw"] == pytest.approx(full.raw, abs=1e-9)
