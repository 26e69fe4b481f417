"""Loader validation: errors name file, line and field; failed loads change nothing; reloads upsert."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.population.load_tuva import LoadError, load_directory
from tandem.population.management.commands.population import Command

from .claims import professional, write_dataset, write_table


def _counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            t: int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0])
            for t in ("eligibility", "medical_claim", "pharmacy_claim")
        }
    finally:
        con.close()


def _good(tmp_path: Path) -> Path:
    return write_dataset(
        tmp_path / "good",
        medical=[professional("c1", "2021-03-01"), professional("c2", "2021-04-01", dx="E11.9")],
        pharmacy=[
            {
                "claim_id": "r1",
                "dispensing_date": "2021-03-02",
                "ndc_code": "00093721401",
                "days_supply": "30",
            }
        ],
    )


def test_good_load_and_reload_does_not_duplicate(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    result = load_directory(_good(tmp_path), db)
    assert result.rows_in_store == {"eligibility": 1, "medical_claim": 2, "pharmacy_claim": 1}
    load_directory(_good(tmp_path), db)
    assert _counts(db) == {"eligibility": 1, "medical_claim": 2, "pharmacy_claim": 1}
    con = duckdb.connect(str(db), read_only=True)
    stored = con.execute("SELECT diagnosis_code_1 FROM medical_claim WHERE claim_id = 'c2'").fetchall()
    con.close()
    assert stored == [("E119",)]  # dots removed on load


def test_missing_required_column_names_file_and_field(tmp_path: Path) -> None:
    directory = _good(tmp_path)
    path = directory / "medical_claim.csv"
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        del row["claim_start_date"]
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(LoadError) as info:
        load_directory(directory, tmp_path / "a.duckdb")
    assert info.value.file == str(path)
    assert info.value.field == "claim_start_date"
    assert "medical_claim.csv" in str(info.value) and "claim_start_date" in str(info.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("claim_start_date", "2021-02-30"),
        ("claim_start_date", "03/01/2021"),
        ("diagnosis_code_1", "12345"),
        ("bill_type_code", "1X1"),
        ("paid_amount", "twelve"),
        ("claim_type", "dental"),
        ("procedure_code_1", "0SRC0J"),  # ICD-10-PCS: 7 characters
        ("procedure_code_3", "0SRCOJZ"),  # the letter O is not used in ICD-10-PCS
        ("procedure_date_1", "2021-13-01"),
    ],
)
def test_bad_value_names_file_line_and_field(tmp_path: Path, field: str, value: str) -> None:
    directory = _good(tmp_path)
    rows = [professional("c1", "2021-03-01"), professional("c2", "2021-04-01", **{field: value})]
    write_table(directory / "medical_claim.csv", "medical_claim", rows)
    with pytest.raises(LoadError) as info:
        load_directory(directory, tmp_path / "a.duckdb")
    assert (info.value.file, info.value.line, info.value.field) == (
        str(directory / "medical_claim.csv"),
        3,
        field,
    )
    assert f"line 3, field '{field}'" in str(info.value)


def test_failed_load_leaves_store_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    load_directory(_good(tmp_path), db)
    before = _counts(db)
    bad = write_dataset(
        tmp_path / "bad",
        eligibility=[{"person_id": "p2", "member_id": "p2"}],
        medical=[professional("c9", "2021-05-01"), professional("c10", "2021-13-01")],
    )
    with pytest.raises(LoadError):
        load_directory(bad, db)
    assert _counts(db) == before


def test_duplicate_key_within_a_load_is_rejected(tmp_path: Path) -> None:
    directory = _good(tmp_path)
    write_table(
        directory / "medical_claim.csv",
        "medical_claim",
        [professional("c1", "2021-03-01"), professional("c1", "2021-03-01")],
    )
    with pytest.raises(LoadError) as info:
        load_directory(directory, tmp_path / "a.duckdb")
    assert info.value.line == 3 and "first seen at line 2" in str(info.value)


def test_extra_columns_ignored_and_empty_paid_amount_is_valid(tmp_path: Path) -> None:
    directory = _good(tmp_path)
    rows = [professional("c1", "2021-03-01", paid_amount="", paid_date="", shoe_size="44")]
    write_table(directory / "medical_claim.csv", "medical_claim", rows, extra_columns=("favourite_colour",))
    load_directory(directory, tmp_path / "a.duckdb")
    assert _counts(tmp_path / "a.duckdb")["medical_claim"] == 1


def test_parquet_part_files_in_a_folder(tmp_path: Path) -> None:
    directory = _good(tmp_path)
    medical_csv = directory / "medical_claim.csv"
    table = pacsv.read_csv(medical_csv)
    medical_csv.unlink()
    (directory / "medical_claim").mkdir()
    pq.write_table(table.slice(0, 1), directory / "medical_claim" / "part-0.parquet")
    pq.write_table(table.slice(1, 1), directory / "medical_claim" / "part-1.parquet")
    result = load_directory(directory, tmp_path / "a.duckdb")
    assert result.rows_in_store["medical_claim"] == 2
    assert len([f for f in result.files if f.endswith(".parquet")]) == 2


def test_missing_table_file(tmp_path: Path) -> None:
    directory = _good(tmp_path)
    (directory / "pharmacy_claim.csv").unlink()
    with pytest.raises(LoadError, match="pharmacy_claim"):
        load_directory(directory, tmp_path / "a.duckdb")


def test_command_reports_load_error_as_command_error(tmp_path: Path) -> None:
    directory = _good(tmp_path)
    write_table(directory / "medical_claim.csv", "medical_claim", [professional("c1", "2021-99-01")])
    with pytest.raises(CommandError, match=r"medical_claim\.csv, line 2, field 'claim_start_date'"):
        call_command(Command(), "load", str(directory), "--db", str(tmp_path / "a.duckdb"))


def _typed_parquet(directory: Path, **overrides: object) -> Path:
    """The good medical claims as a Parquet file with real column types (dates, doubles, float codes)."""
    columns: dict[str, pa.Array] = {
        "claim_id": pa.array(["c1", "c2"]),
        "claim_line_number": pa.array([1.0, 1.0]),  # a dataframe library's float for an integer column
        "claim_type": pa.array(["professional", "professional"]),
        "person_id": pa.array(["p1", "p1"]),
        "claim_start_date": pa.array([dt.date(2021, 3, 1), dt.date(2021, 4, 1)]),
        "claim_end_date": pa.array([dt.datetime(2021, 3, 1), dt.datetime(2021, 4, 1)]),
        "admission_date": pa.array([None, None], pa.date32()),
        "discharge_date": pa.array([None, None], pa.date32()),
        "admit_type_code": pa.array([None, 1.0]),
        "place_of_service_code": pa.array([11.0, 2.0]),
        "bill_type_code": pa.array([None, None], pa.string()),
        "revenue_center_code": pa.array([None, None], pa.string()),
        "hcpcs_code": pa.array(["99213", "99213"]),
        "paid_amount": pa.array([10.5, None]),
        "allowed_amount": pa.array([12, 13], pa.int32()),
        "diagnosis_code_1": pa.array(["I10", "E11.9"]),
        "data_source": pa.array(["test", "test"]),
    }
    columns.update({k: pa.array(v) for k, v in overrides.items()})  # type: ignore[call-overload]
    (directory / "medical_claim.csv").unlink()
    pq.write_table(pa.table(columns), directory / "medical_claim.parquet")
    return directory / "medical_claim.parquet"


def test_typed_parquet_loads_with_the_same_conventions(tmp_path: Path) -> None:
    directory = _good(tmp_path)
    _typed_parquet(directory)
    db = tmp_path / "a.duckdb"
    load_directory(directory, db)
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT claim_line_number, claim_end_date, admit_type_code, place_of_service_code, paid_amount, "
        "allowed_amount, diagnosis_code_1 FROM medical_claim ORDER BY claim_id"
    ).fetchall()
    con.close()
    assert rows == [
        (1, dt.date(2021, 3, 1), None, "11", 10.5, 12.0, "I10"),
        (1, dt.date(2021, 4, 1), "1", "02", None, 13.0, "E119"),
    ]


@pytest.mark.parametrize(
    ("field", "values", "got"),
    [
        ("claim_line_number", [1.0, 0.0], "'0'"),
        ("claim_line_number", [1.0, 1.5], "'1.5'"),
        ("place_of_service_code", [11.0, 123.0], "'123'"),
        ("diagnosis_code_1", ["I10", "12345"], "'12345'"),
    ],
)
def test_typed_parquet_errors_name_row_and_field(
    tmp_path: Path, field: str, values: list[object], got: str
) -> None:
    directory = _good(tmp_path)
    path = _typed_parquet(directory, **{field: values})
    db = tmp_path / "a.duckdb"
    with pytest.raises(LoadError) as info:
        load_directory(directory, db)
    assert (info.value.file, info.value.line, info.value.field) == (str(path), 2, field)
    assert str(info.value).endswith(f"(got {got})")
    assert _counts(db) == {"eligibility": 0, "medical_claim": 0, "pharmacy_claim": 0}
