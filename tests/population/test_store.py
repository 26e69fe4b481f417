"""The claim store as Parquet files under a manifest: adoption, rewrites on reload, no orphans, migration."""

from __future__ import annotations

import datetime as dt
import filecmp
from pathlib import Path

import duckdb
import pytest

from tandem.population.load_tuva import LoadError, load_directory
from tandem.population.store import TABLES, connect, files_dir
from tandem.synth.generator import generate

from .claims import professional, write_dataset


def _stored_names(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT file_name FROM store_file").fetchall()}
    finally:
        con.close()


def _files_on_disk(db: Path) -> set[str]:
    root = files_dir(db)
    return {str(p.relative_to(root)) for p in root.rglob("*.parquet")}


def _amounts(db: Path) -> dict[str, float | None]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT claim_id, allowed_amount FROM medical_claim").fetchall()
    finally:
        con.close()
    return {r[0]: r[1] for r in rows}


def test_parquet_already_in_stored_form_is_adopted_by_copy(tmp_path: Path) -> None:
    claims = tmp_path / "claims"
    generate(40, 12, 3, claims, fmt="parquet", start=dt.date(2024, 1, 1))
    db = tmp_path / "a.duckdb"
    result = load_directory(claims, db)
    assert set(result.adopted.values()) == {True}
    stored = sorted(files_dir(db).rglob("*.parquet"))
    sources = {p.name.split(".")[0]: p for p in claims.glob("*.parquet")}
    for path in stored:
        assert filecmp.cmp(path, sources[path.parent.name], shallow=False)
    assert _stored_names(db) == _files_on_disk(db)
    assert result.rows_in_store == result.rows_in_files


def test_csv_is_rewritten_in_stored_form(tmp_path: Path) -> None:
    directory = write_dataset(tmp_path / "csv", medical=[professional("c1", "2021-03-01", dx="E11.9")])
    db = tmp_path / "a.duckdb"
    result = load_directory(directory, db)
    assert set(result.adopted.values()) == {False}
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT diagnosis_code_1 FROM medical_claim").fetchall() == [("E119",)]
    con.close()


def test_reload_of_some_keys_rewrites_the_older_file_without_them(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    first = write_dataset(
        tmp_path / "first",
        medical=[
            {**professional("c1", "2021-03-01"), "allowed_amount": "10"},
            {**professional("c2", "2021-03-02"), "allowed_amount": "20"},
        ],
    )
    load_directory(first, db)
    second = write_dataset(
        tmp_path / "second",
        medical=[
            {**professional("c2", "2021-03-02"), "allowed_amount": "25"},
            {**professional("c3", "2021-03-03"), "allowed_amount": "30"},
        ],
    )
    load_directory(second, db)
    assert _amounts(db) == {"c1": 10.0, "c2": 25.0, "c3": 30.0}
    # The first medical file was rewritten (c1 only), the first eligibility file fully replaced: no
    # file on disk is outside the manifest and none in it is missing.
    assert _stored_names(db) == _files_on_disk(db)
    con = duckdb.connect(str(db), read_only=True)
    per_table = dict(
        con.execute("SELECT table_name, count(*) FROM store_file GROUP BY table_name").fetchall()
    )
    con.close()
    assert per_table == {"eligibility": 1, "medical_claim": 2}  # files of no rows are not kept


def test_failed_load_leaves_files_and_manifest_as_they_were(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    load_directory(write_dataset(tmp_path / "good", medical=[professional("c1", "2021-03-01")]), db)
    before = (_stored_names(db), _files_on_disk(db))
    bad = write_dataset(
        tmp_path / "bad",
        medical=[professional("c1", "2021-03-01"), professional("c9", "2021-02-30")],
    )
    with pytest.raises(LoadError):
        load_directory(bad, db)
    assert (_stored_names(db), _files_on_disk(db)) == before


def test_store_with_claims_in_duckdb_tables_is_converted_on_open(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    for table, columns in TABLES.items():
        con.execute(f"CREATE TABLE {table} ({', '.join(f'{c.name} {c.sql_type}' for c in columns)})")
    con.execute(
        "INSERT INTO medical_claim (claim_id, claim_line_number, claim_type, person_id, data_source, "
        "allowed_amount) VALUES ('c1', 1, 'professional', 'p1', 'old', 12.5)"
    )
    con.close()
    con = connect(db)
    kinds = dict(
        con.execute(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_name = 'medical_claim'"
        ).fetchall()
    )
    rows = con.execute("SELECT claim_id, allowed_amount FROM medical_claim").fetchall()
    empty = con.execute("SELECT count(*) FROM pharmacy_claim").fetchall()[0][0]
    con.close()
    assert kinds == {"medical_claim": "VIEW"}
    assert rows == [("c1", 12.5)] and empty == 0
    assert len(_files_on_disk(db)) == 1
