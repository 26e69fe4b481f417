"""The set-based HCC scoring (`hcc_sql`) must give exactly the reference `hcc.score` for every person."""

from __future__ import annotations

import random
from typing import Any

import duckdb
import pytest

from tandem.population import hcc, hcc_sql

Person = tuple[str, int | None, str | None, str | None, str | None]


def _random_people(n: int, seed: int) -> tuple[list[Person], list[tuple[str, str]]]:
    rng = random.Random(seed)
    codes = sorted({code for (_, code) in hcc.tables().icd})
    # Families with hierarchies and interactions (diabetes, heart failure, COPD, CKD, cancer) so those
    # rules are exercised, codes with CMS age/sex edits (hemophilia, COPD, breast cancer, newborn, MCE
    # age ranges such as dementia and atherosclerosis with ulcer), the V28 HCC 223 status codes, plus
    # codes that map to nothing.
    focus = [
        c
        for c in codes
        if c.startswith(("E11", "I50", "J44", "N18", "C78", "F20", "G20", "I48"))
        or c.startswith(("D66", "D67", "C50", "P04", "F03", "I702", "C58", "F348", "Z9581", "T8251"))
    ]
    people: list[Person] = []
    dx: list[tuple[str, str]] = []
    for i in range(n):
        pid = f"p{i:04d}"
        age = rng.choice([None, -1, 0, 34, 35, 59, 64, 65, 66, 72, 94, 95, 101, rng.randint(18, 99)])
        sex = rng.choice([None, "female", "male", "unknown", "F"])
        orec = rng.choice([None, "0", "1", "2", "3", " 1"])
        dual = rng.choice([None, "", "2", "02", "03", "4", "08", "1", "05", "06", "NA", "10", "99"])
        people.append((pid, age, sex, orec, dual))
        k = rng.choice([0, 1, 2, 4, 8, 15])
        for code in {rng.choice(focus if rng.random() < 0.7 else codes) for _ in range(k)}:
            dx.append((pid, code))
        if rng.random() < 0.1:
            dx.append((pid, "ZZZ99"))
    return people, dx


COMMUNITY_PERSON = "person_id VARCHAR, age INTEGER, sex VARCHAR, orec VARCHAR, dual_status_code VARCHAR"


def sql_scores(
    people: list[tuple[Any, ...]],
    dx: list[tuple[str, str]],
    *,
    person_columns: str = COMMUNITY_PERSON,
    select: str = "*",
) -> dict[str, tuple[Any, ...]]:
    """`hcc_sql` on hand-made `stg_person` rows (columns as given) and `int_hcc_dx` pairs, by person id."""
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TEMP TABLE stg_person ({person_columns})")
        marks = ", ".join("?" * len(person_columns.split(",")))
        con.executemany(f"INSERT INTO stg_person VALUES ({marks})", people)
        con.execute("CREATE TEMP TABLE int_hcc_dx (person_id VARCHAR, diagnosis_code VARCHAR)")
        if dx:
            con.executemany("INSERT INTO int_hcc_dx VALUES (?, ?)", dx)
        hcc_sql.build_scores(con)
        rows = con.execute(f"SELECT {select} FROM hcc_scores").fetchall()
    finally:
        con.close()
    return {str(r[0]): tuple(r[1:]) for r in rows}


def test_sql_scores_equal_reference_scores_exactly() -> None:
    people, dx = _random_people(600, seed=11)
    got = sql_scores(people, dx)
    codes: dict[str, list[str]] = {}
    for pid, code in dx:
        codes.setdefault(pid, []).append(code)
    factor = hcc.normalization_factor()
    assert set(got) == {p[0] for p in people}
    for pid, age, sex, orec, dual in people:
        if age is None or sex is None:
            expected: tuple[object, ...] = (None, None, None, "", "", None)
        else:
            demo = hcc.Demographics(age=age, sex=sex, orec=orec, dual_status_code=dual)
            v24 = hcc.score("CMS-HCC-V24", codes.get(pid, []), demo)
            v28 = hcc.score("CMS-HCC-V28", codes.get(pid, []), demo)
            expected = (
                v24.raw,
                v28.raw,
                round(v28.raw / factor, 3),
                " ".join(f"HCC{h}" for h in v24.hccs),
                " ".join(f"HCC{h}" for h in v28.hccs),
                # no enrolment or institutional columns in this stg_person: everyone is community
                "community",
            )
        assert got[pid] == expected, pid


def test_interactions_and_count_factor_are_exercised() -> None:
    """Guard the random test's coverage: some people must carry interactions and count factors."""
    people, dx = _random_people(600, seed=11)
    codes: dict[str, list[str]] = {}
    for pid, code in dx:
        codes.setdefault(pid, []).append(code)
    demo = hcc.Demographics(age=72, sex="female")
    scores = [hcc.score("CMS-HCC-V28", c, demo) for c in codes.values()]
    assert any(s.interactions > 0 for s in scores)
    assert any(s.count > 0 for s in scores)
    # ...and the age/sex edits must change some people's HCCs, in both directions (dropped and recoded).
    by_pid = {p[0]: p for p in people}
    changed = dropped = recoded = 0
    for pid, c in codes.items():
        _, age, sex, _, _ = by_pid[pid]
        if age is None or sex is None:
            continue
        demo = hcc.Demographics(age=age, sex=sex)
        for model in hcc.MODELS:
            with_edits, without = set(hcc.hccs_for(model, c, demo)), set(hcc.hccs_for(model, c))
            changed += with_edits != without
            dropped += bool(without - with_edits) and not (with_edits - without)
            recoded += bool(with_edits - without)
    assert changed >= 10 and dropped > 0 and recoded > 0


def test_coefficients_with_more_than_three_decimals_are_refused() -> None:
    assert hcc_sql._milli(0.395) == 395
    with pytest.raises(ValueError, match="three decimals"):
        hcc_sql._milli(0.3951)
