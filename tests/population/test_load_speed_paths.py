"""The loader's fast paths give the same answers as the exact checks: yes/no first pass, per-column
DISTINCT code checks, and the sorted-key duplicate check with its hash fallback."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tandem.population import load_tuva
from tandem.population.load_tuva import ICD10PCS_MESSAGE, LoadError, load_directory
from tandem.synth.generator import generate

DUP_MESSAGE = "duplicate medical_claim key (claim_id, claim_line_number, data_source); first seen at line {}"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generator output: Parquet sorted by (claim_id, claim_line_number), one data_source, stored form."""
    claims = tmp_path_factory.mktemp("generated") / "claims"
    generate(40, 12, 3, claims, fmt="parquet", start=dt.date(2024, 1, 1))
    return claims


@pytest.fixture
def claims(generated: Path, tmp_path: Path) -> Path:
    target = tmp_path / "claims"
    shutil.copytree(generated, target)
    return target


@pytest.fixture
def sorted_answers(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """What the sorted-key check answered per table (False: the hash check decided)."""
    answers: dict[str, bool] = {}
    real = load_tuva._sorted_keys_unique

    def spy(con: duckdb.DuckDBPyConnection, table: str, files: list[load_tuva.LoadedFile]) -> bool:
        answers[table] = real(con, table, files)
        return answers[table]

    monkeypatch.setattr(load_tuva, "_sorted_keys_unique", spy)
    return answers


def _medical(claims: Path) -> pa.Table:
    return pq.read_table(claims / "medical_claim.parquet")


def _write(path: Path, table: pa.Table, row_group_size: int = 100) -> None:
    """Several row groups, so that neighbours across a row-group boundary are compared too."""
    pq.write_table(table, path, row_group_size=row_group_size)


def _set(
    table: pa.Table, column: str, values: Mapping[int, object], kind: pa.DataType | None = None
) -> pa.Table:
    """``values`` maps 1-based line (row) numbers to new values of ``column``."""
    data = table.column(column).to_pylist()
    for line, value in values.items():
        data[line - 1] = value
    index = table.column_names.index(column)
    return table.set_column(index, column, pa.array(data, kind or table.schema.field(column).type))


def _load_error(claims: Path, tmp_path: Path) -> LoadError:
    with pytest.raises(LoadError) as info:
        load_directory(claims, tmp_path / "a.duckdb")
    return info.value


def test_generated_files_take_the_sorted_path_and_are_adopted(
    claims: Path, tmp_path: Path, sorted_answers: dict[str, bool]
) -> None:
    _write(claims / "medical_claim.parquet", _medical(claims))
    result = load_directory(claims, tmp_path / "a.duckdb")
    assert sorted_answers == {"eligibility": False, "medical_claim": True, "pharmacy_claim": True}
    assert set(result.adopted.values()) == {True}
    assert result.rows_in_store == result.rows_in_files


@pytest.mark.parametrize("twin", [2, 100, 101, 757])  # first lines, either side of a row-group boundary, last
def test_duplicate_in_a_sorted_file_is_named_by_the_hash_check(
    claims: Path, tmp_path: Path, sorted_answers: dict[str, bool], twin: int
) -> None:
    medical = _medical(claims)
    rows = list(range(medical.num_rows))
    rows.insert(twin, twin - 1)  # line twin + 1 repeats line twin, keeping the file sorted (not strictly)
    path = claims / "medical_claim.parquet"
    _write(path, medical.take(rows))
    error = _load_error(claims, tmp_path)
    assert sorted_answers["medical_claim"] is False
    assert (error.file, error.line, error.field) == (str(path), twin + 1, "claim_id")
    assert str(error).endswith(DUP_MESSAGE.format(twin))


def test_duplicate_in_an_unsorted_file_is_found(
    claims: Path, tmp_path: Path, sorted_answers: dict[str, bool]
) -> None:
    medical = _medical(claims)
    rows = list(reversed(range(medical.num_rows)))
    rows.insert(500, rows[10])  # line 501 repeats line 11
    path = claims / "medical_claim.parquet"
    _write(path, medical.take(rows))
    error = _load_error(claims, tmp_path)
    assert sorted_answers["medical_claim"] is False
    assert (error.file, error.line) == (str(path), 501)
    assert str(error).endswith(DUP_MESSAGE.format(11))


def test_unsorted_file_without_duplicates_loads(
    claims: Path, tmp_path: Path, sorted_answers: dict[str, bool]
) -> None:
    medical = _medical(claims)
    _write(claims / "medical_claim.parquet", medical.take(list(reversed(range(medical.num_rows)))))
    result = load_directory(claims, tmp_path / "a.duckdb")
    assert sorted_answers["medical_claim"] is False
    assert result.rows_in_store["medical_claim"] == medical.num_rows


def _parts(claims: Path, first: pa.Table, second: pa.Table) -> tuple[Path, Path]:
    (claims / "medical_claim.parquet").unlink()
    folder = claims / "medical_claim"
    folder.mkdir()
    paths = (folder / "part-0.parquet", folder / "part-1.parquet")
    _write(paths[0], first)
    _write(paths[1], second)
    return paths


def test_sorted_parts_with_disjoint_ranges_take_the_sorted_path(
    claims: Path, tmp_path: Path, sorted_answers: dict[str, bool]
) -> None:
    medical = _medical(claims)
    # Listed in the folder in the opposite order to their key ranges: ranges are compared, not order.
    _parts(claims, medical.slice(400), medical.slice(0, 400))
    result = load_directory(claims, tmp_path / "a.duckdb")
    assert sorted_answers["medical_claim"] is True
    assert result.rows_in_store["medical_claim"] == medical.num_rows


def test_duplicate_across_sorted_parts_names_the_later_file(
    claims: Path, tmp_path: Path, sorted_answers: dict[str, bool]
) -> None:
    medical = _medical(claims)
    # part-1 (lines 1..358) repeats the last line of part-0 as its line 1: both files sorted, ranges touch.
    _, second = _parts(claims, medical.slice(0, 400), medical.slice(399))
    error = _load_error(claims, tmp_path)
    assert sorted_answers["medical_claim"] is False
    assert (error.file, error.line) == (str(second), 1)
    assert str(error).endswith(DUP_MESSAGE.format(400))


def test_overlapping_parts_without_duplicates_load(
    claims: Path, tmp_path: Path, sorted_answers: dict[str, bool]
) -> None:
    medical = _medical(claims)
    even = medical.take(list(range(0, medical.num_rows, 2)))
    odd = medical.take(list(range(1, medical.num_rows, 2)))
    _parts(claims, even, odd)
    result = load_directory(claims, tmp_path / "a.duckdb")
    assert sorted_answers["medical_claim"] is False
    assert result.rows_in_store["medical_claim"] == medical.num_rows


def test_same_keys_under_another_data_source_are_no_duplicates(
    claims: Path, tmp_path: Path, sorted_answers: dict[str, bool]
) -> None:
    medical = _medical(claims)
    other = _set(medical, "data_source", dict.fromkeys(range(1, medical.num_rows + 1), "other_source"))
    _parts(claims, medical, other)
    result = load_directory(claims, tmp_path / "a.duckdb")
    assert sorted_answers["medical_claim"] is True
    assert result.rows_in_store["medical_claim"] == 2 * medical.num_rows


def test_padded_claim_id_duplicate_is_found_after_trimming(
    claims: Path, tmp_path: Path, sorted_answers: dict[str, bool]
) -> None:
    """Sorted as raw text, but " C..." and "C..." are one key once stored: the sorted path must not decide."""
    medical = _medical(claims)
    first_id = medical.column("claim_id")[0].as_py()
    rows = [0, *range(medical.num_rows)]
    padded = _set(medical.take(rows), "claim_id", {1: " " + first_id})
    path = claims / "medical_claim.parquet"
    _write(path, padded)
    error = _load_error(claims, tmp_path)
    assert sorted_answers["medical_claim"] is False
    assert (error.file, error.line) == (str(path), 2)
    assert str(error).endswith(DUP_MESSAGE.format(1))


def test_one_data_source_per_file_is_required_for_the_sorted_path(
    claims: Path, tmp_path: Path, sorted_answers: dict[str, bool]
) -> None:
    medical = _medical(claims)
    _write(claims / "medical_claim.parquet", _set(medical, "data_source", {757: "other_source"}))
    load_directory(claims, tmp_path / "a.duckdb")
    assert sorted_answers["medical_claim"] is False


def test_bad_code_in_the_twentieth_diagnosis_column_names_its_earliest_line(
    claims: Path, tmp_path: Path
) -> None:
    path = claims / "medical_claim.parquet"
    _write(path, _set(_medical(claims), "diagnosis_code_20", {650: "9999", 120: "12.34", 700: "I10"}))
    error = _load_error(claims, tmp_path)
    assert (error.file, error.line, error.field) == (str(path), 120, "diagnosis_code_20")
    assert str(error) == f"{path}, line 120, field 'diagnosis_code_20': not an ICD-10-CM code (got '12.34')"


def test_mixed_problems_report_the_earliest_line_then_the_leftmost_field(
    claims: Path, tmp_path: Path
) -> None:
    """Row-level rules and code columns fail on several lines; fixing the reported problem each time
    walks through them in line order, and on one line from left to right."""
    path = claims / "medical_claim.parquet"
    original = _medical(claims)
    broken = {
        (7, "revenue_center_code"): "12",
        (7, "diagnosis_code_25"): "BAD",
        (9, "hcpcs_code"): "123456",
        (12, "claim_type"): "dental",
        (30, "claim_line_number"): 0,
        (30, "person_id"): "  ",
        (30, "hcpcs_code"): "1234",
        (30, "diagnosis_code_25"): "!",
    }
    expected = [
        (7, "revenue_center_code", "revenue center code must be 3 or 4 digits (got '12')"),
        (7, "diagnosis_code_25", "not an ICD-10-CM code (got 'BAD')"),
        (9, "hcpcs_code", "HCPCS/CPT code must be 5 characters (got '123456')"),
        (12, "claim_type", "claim_type must be institutional, professional or undetermined (got 'dental')"),
        (30, "claim_line_number", "not a positive integer (got '0')"),
        (30, "person_id", "value is required (got '  ')"),
        (30, "hcpcs_code", "HCPCS/CPT code must be 5 characters (got '1234')"),
        (30, "diagnosis_code_25", "not an ICD-10-CM code (got '!')"),
    ]
    for line, field, message in expected:
        medical = original
        for (at, column), value in broken.items():
            medical = _set(medical, column, {at: value})
        _write(path, medical)
        error = _load_error(claims, tmp_path)
        assert str(error) == f"{path}, line {line}, field '{field}': {message}"
        del broken[(line, field)]  # fixed: the next load reports the next problem


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("claim_id", "   ", "value is required (got '   ')"),
        ("claim_id", "", "value is required (got '')"),
        ("data_source", None, "value is required (got None)"),
        ("claim_line_number", 2**31, f"not a positive integer (got '{2**31}')"),
        ("claim_line_number", -3, "not a positive integer (got '-3')"),
    ],
)
def test_row_level_rules_found_by_the_first_pass(
    claims: Path, tmp_path: Path, column: str, value: object, message: str
) -> None:
    path = claims / "medical_claim.parquet"
    kind = pa.int64() if column == "claim_line_number" else None
    _write(path, _set(_medical(claims), column, {300: value}, kind))
    error = _load_error(claims, tmp_path)
    assert str(error) == f"{path}, line 300, field '{column}': {message}"


def test_spaces_inside_text_are_no_padding(claims: Path, tmp_path: Path) -> None:
    """A space anywhere makes the first pass look again; only a leading or trailing one means rewriting."""
    medical = _medical(claims)
    path = claims / "medical_claim.parquet"
    _write(path, _set(medical, "payer", dict.fromkeys(range(1, 758), "blue cross")))
    result = load_directory(claims, tmp_path / "a.duckdb")
    assert result.adopted[str(path)] is True
    _write(path, _set(medical, "payer", {5: "medicare "}))
    result = load_directory(claims, tmp_path / "b.duckdb")
    assert result.adopted[str(path)] is False
    con = duckdb.connect(str(tmp_path / "b.duckdb"), read_only=True)
    payers = con.execute("SELECT DISTINCT payer FROM medical_claim ORDER BY 1").fetchall()
    con.close()
    assert payers == [("medicaid",), ("medicare",)]


# Code columns checked only on lines of their own code system: (column, type column, ICD-9 code, message).
DX = ("diagnosis_code_2", "diagnosis_code_type", "4019", "not an ICD-10-CM code")  # ICD-9: hypertension
PX = ("procedure_code_2", "procedure_code_type", "8154", ICD10PCS_MESSAGE)  # ICD-9: knee replacement


@pytest.mark.parametrize(
    ("code", "kinds", "expected_line"),
    [
        (DX, {}, 40),  # one type in the file: the distinct codes alone decide
        (DX, {40: "icd-9-cm"}, 80),  # line 40 holds an ICD-9 code, not checked; line 80 is ICD-10
        (DX, {40: "icd-9-cm", 80: "ICD-9-CM"}, None),
        (DX, {80: "icd-9-cm", 40: "ICD-10-CM"}, 40),
        (PX, {}, 40),
        (PX, {40: "icd-9-pcs"}, 80),
        (PX, {40: "icd-9-pcs", 80: "ICD-9-PCS"}, None),
        (PX, {80: "icd-9-pcs", 40: "ICD-10-PCS"}, 40),
    ],
)
def test_icd10_checked_only_where_the_type_is_icd10(
    claims: Path,
    tmp_path: Path,
    code: tuple[str, str, str, str],
    kinds: dict[int, str],
    expected_line: int | None,
) -> None:
    column, type_column, icd9, message = code
    path = claims / "medical_claim.parquet"
    medical = _set(_medical(claims), column, {40: icd9, 80: icd9})
    _write(path, _set(medical, type_column, kinds))
    if expected_line is None:
        load_directory(claims, tmp_path / "a.duckdb")
        return
    error = _load_error(claims, tmp_path)
    assert str(error) == f"{path}, line {expected_line}, field '{column}': {message} (got '{icd9}')"


def _pharmacy_dup(claims: Path) -> Path:
    path = claims / "pharmacy_claim.parquet"
    pharmacy = pq.read_table(path)
    rows = list(range(pharmacy.num_rows))
    rows.insert(200, 199)
    _write(path, pharmacy.take(rows))
    return path


def test_pharmacy_duplicate_found_too(claims: Path, tmp_path: Path, sorted_answers: dict[str, bool]) -> None:
    path = _pharmacy_dup(claims)
    error = _load_error(claims, tmp_path)
    assert sorted_answers["pharmacy_claim"] is False
    assert (error.file, error.line) == (str(path), 201)
    assert str(error).endswith("first seen at line 200")
