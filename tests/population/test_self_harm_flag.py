"""The behavioural-health flag outside chapter F, checked against every code of the ICD-10-CM tabular list.

Self-harm is coded by an intent character buried in injury and poisoning codes whose position moves with the
code's depth (T36.92XA, T36.0X2A, T40.412A), so a rule written from a few examples could silently miss a
subcategory or catch an assault. The FY2026 tabular list shipped in `simple-icd-10-cm` (a dev dependency)
names the intent in every title, which lets the rule be compared with the titles code by code.
"""

from __future__ import annotations

import duckdb
import simple_icd_10_cm as icd

from tandem.population.features import SQL_DIR

SUICIDALITY = {"R45851", "R4588"}  # suicidal ideations; nonsuicidal self-harm (plus T14.91 suicide attempt)


def _titles(code: str) -> list[str]:
    return [icd.get_description(c).lower() for c in [code, *icd.get_ancestors(code)]]


def _flagged(codes: list[str], flag: str = "behavioral_health_flag") -> set[str]:
    """Codes the shipped `int_flags` model marks with ``flag``, one person per code."""
    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TABLE int_person_diagnoses AS SELECT c AS person_id, c AS diagnosis_code, "
            "true AS in_long_window FROM unnest(?::VARCHAR[]) AS t(c)",
            [codes],
        )
        sql = (SQL_DIR / "intermediate" / "int_flags.sql").read_text(encoding="utf-8")
        rows = con.execute(f"SELECT person_id FROM ({sql}) WHERE {flag}").fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def test_every_intentional_self_harm_code_and_nothing_else_outside_chapter_f() -> None:
    codes = [c for c in icd.get_all_codes(with_dots=False) if icd.is_leaf(c)]
    assert len(codes) > 70_000  # the whole billable code set, not a stub
    outside_f = [c for c in codes if not c.startswith("F")]
    expected = {
        c
        for c in outside_f
        if any("intentional self-harm" in t for t in _titles(c)) or c in SUICIDALITY or c.startswith("T1491")
    }
    flagged = _flagged(outside_f)
    assert flagged - expected == set()  # e.g. no assault (intent 3) or undetermined (intent 4) poisoning
    assert expected - flagged == set()
    # The three positions of the intent character, and the external-cause block, are all represented.
    assert {"T3692XA", "T360X2A", "T40412A", "T71162A", "X838XXA", "X820XXA"} <= flagged
    assert len(expected) > 1_000
    # The same codes, and nothing from chapter F, set the self-harm flag the candidate reasons name.
    assert _flagged(codes, "self_harm_flag") == expected


def test_neighbouring_intents_and_histories_are_not_flagged() -> None:
    not_self_harm = [
        "T3691XA",  # poisoning by unspecified systemic antibiotic, accidental
        "T360X3A",  # penicillins, assault
        "T40414A",  # fentanyl, undetermined
        "T40415A",  # fentanyl, adverse effect
        "T71163A",  # hanging, assault
        "T1490XA",  # injury, unspecified
        "Z9151",  # personal history of suicidal behaviour: a history, not a current diagnosis
        "Z9152",
        "Y38812A",  # terrorism involving suicide bomber, civilian injured
        "X8400XA",  # not a code; past the X71-X83 block
    ]
    assert _flagged(not_self_harm) == set()
