"""Diagnosis and procedure positions without a single code are left out of a stored file's manifest columns,
and the feature models skip them; a position that any file fills is read everywhere."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from tandem.population.load_tuva import load_directory
from tandem.population.store import DIAGNOSIS_POSITIONS, PROCEDURE_POSITIONS, empty_code_columns

from .claims import inpatient, professional, query_models, write_table

AS_OF = dt.date(2021, 12, 31)
ALL_POSITIONS = DIAGNOSIS_POSITIONS + PROCEDURE_POSITIONS


def _dataset(directory: Path, medical: list[dict[str, str]]) -> Path:
    write_table(directory / "eligibility.csv", "eligibility", [{}])
    # every position in the header, as a Tuva extract has them, most of them empty
    write_table(directory / "medical_claim.csv", "medical_claim", medical, extra_columns=ALL_POSITIONS)
    write_table(directory / "pharmacy_claim.csv", "pharmacy_claim", [])
    return directory


def _manifest(db: Path) -> list[set[str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT columns FROM store_file WHERE table_name = 'medical_claim'").fetchall()
        return [set(r[0]) for r in rows]
    finally:
        con.close()


def _empty(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return empty_code_columns(con)
    finally:
        con.close()


FIRST = [
    professional("c1", "2021-03-01", dx="I10", diagnosis_code_2="   "),  # blank is no code
    inpatient(
        "c2", "2021-05-01", "2021-05-04", dx="E119", diagnosis_code_2="N184", procedure_code_1="0SRD0JZ"
    ),
]


def test_empty_positions_are_left_out_and_not_read(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    load_directory(_dataset(tmp_path / "a", FIRST), db)
    (listed,) = _manifest(db)
    assert {"diagnosis_code_1", "diagnosis_code_2", "procedure_code_1"} <= listed
    assert not listed & (set(DIAGNOSIS_POSITIONS[2:]) | set(PROCEDURE_POSITIONS[1:]))
    assert _empty(db) == [*DIAGNOSIS_POSITIONS[2:], *PROCEDURE_POSITIONS[1:]]
    staged, codes, procedures, stored = query_models(
        db,
        AS_OF,
        "SELECT column_name FROM (DESCRIBE stg_medical_claim)",
        "SELECT diagnosis_code FROM int_person_diagnoses ORDER BY 1",
        "SELECT procedure_code FROM int_claim_procedures",
        "SELECT count(diagnosis_code_25), count(*) FROM medical_claim",
    )
    staged_names = {r[0] for r in staged}
    assert {"diagnosis_code_1", "diagnosis_code_2", "procedure_code_1"} <= staged_names
    assert not staged_names & {"diagnosis_code_3", "diagnosis_code_25", "procedure_code_2"}
    assert codes == [("E119",), ("I10",), ("N184",)]
    assert procedures == [("0SRD0JZ",)]
    assert stored == [(0, 2)]  # the store still has every column; the empty ones read as NULL


def test_a_position_filled_in_a_later_file_is_read(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    load_directory(_dataset(tmp_path / "a", FIRST), db)
    later = [professional("c3", "2021-07-01", dx="I10", diagnosis_code_20="F329", procedure_code_2="0SRC0JZ")]
    load_directory(_dataset(tmp_path / "b", later), db)
    assert "diagnosis_code_20" not in _empty(db) and "procedure_code_2" not in _empty(db)
    assert "diagnosis_code_19" in _empty(db)
    (codes,) = query_models(db, AS_OF, "SELECT diagnosis_code FROM int_person_diagnoses ORDER BY 1")
    assert codes == [("E119",), ("F329",), ("I10",), ("N184",)]


def test_a_rewritten_file_keeps_its_empty_positions(tmp_path: Path) -> None:
    # Reloading claim c1 replaces it in the first file, which is rewritten with c2 alone: still no code
    # past position 2 in either file.
    db = tmp_path / "s.duckdb"
    load_directory(_dataset(tmp_path / "a", FIRST), db)
    load_directory(_dataset(tmp_path / "b", [professional("c1", "2021-03-02", dx="J449")]), db)
    assert len(_manifest(db)) == 2
    assert _empty(db) == [*DIAGNOSIS_POSITIONS[2:], *PROCEDURE_POSITIONS[1:]]
    (codes,) = query_models(db, AS_OF, "SELECT diagnosis_code FROM int_person_diagnoses ORDER BY 1")
    assert codes == [("E119",), ("J449",), ("N184",)]


def test_a_store_without_the_manifest_reads_every_position() -> None:
    con = duckdb.connect()
    try:
        assert empty_code_columns(con) == []
        con.execute("CREATE TABLE store_file (table_name VARCHAR, columns VARCHAR[])")
        assert empty_code_columns(con) == []  # nothing loaded yet
    finally:
        con.close()
