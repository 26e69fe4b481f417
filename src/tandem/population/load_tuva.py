"""Validate Tuva input-layer claim files and load them into the analytics store all-or-nothing.

Every file is read as text and checked in full before anything is written, so a bad extract is
rejected with the file, line and field to fix, and the store keeps its previous contents. Rows are
upserted on the Tuva unique keys so that re-sending a file does not double-count utilisation.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .store import TABLES, UNIQUE_KEYS, Column, connect


class LoadError(ValueError):
    """A claim file that cannot be loaded; names the file, line (1-based, header = line 1) and field."""

    def __init__(self, message: str, *, file: str, line: int | None = None, field: str | None = None):
        self.file = file
        self.line = line
        self.field = field
        where = file
        if line is not None:
            where += f", line {line}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {message}")


# Each check is a SQL predicate over the raw text value ``{v}`` (never NULL when evaluated) that is TRUE
# for an acceptable value, plus the explanation given when it fails.
CHECKS: dict[str, tuple[str, str]] = {
    "text": ("TRUE", ""),
    "date": ("try_strptime({v}, '%Y-%m-%d') IS NOT NULL", "not a date in YYYY-MM-DD form"),
    "line_number": (
        "regexp_full_match({v}, '[0-9]+') AND try_cast({v} AS INTEGER) >= 1",
        "not a positive integer",
    ),
    "count": ("regexp_full_match({v}, '-?[0-9]+(\\.0+)?')", "not a whole number"),
    "amount": ("try_cast({v} AS DOUBLE) IS NOT NULL", "not a number"),
    "claim_type": (
        "lower({v}) IN ('institutional', 'professional', 'undetermined')",
        "claim_type must be institutional, professional or undetermined",
    ),
    "gender": ("lower({v}) IN ('male', 'female', 'unknown')", "gender must be male, female or unknown"),
    "icd10cm": (
        "regexp_full_match(upper(replace({v}, '.', '')), '[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}')",
        "not an ICD-10-CM code",
    ),
    "bill_type": (
        "regexp_full_match(upper({v}), '0?[0-9]{2}[0-9A-Z]')",
        "bill type code must be 3 characters (optional leading 0)",
    ),
    "revenue_code": ("regexp_full_match({v}, '[0-9]{3,4}')", "revenue center code must be 3 or 4 digits"),
    "pos": ("regexp_full_match({v}, '[0-9]{1,2}')", "place of service code must be 1 or 2 digits"),
    "hcpcs": ("regexp_full_match(upper({v}), '[A-Z0-9]{5}')", "HCPCS/CPT code must be 5 characters"),
    "ndc": ("regexp_full_match(replace({v}, '-', ''), '[0-9]{10,11}')", "NDC must be 10 or 11 digits"),
    "small_code": ("regexp_full_match({v}, '[0-9A-Za-z]{1,3}(\\.0+)?')", "not a short code"),
}


def _normalise(col: Column, expr: str) -> str:
    """SQL turning validated raw text into the stored value, applying the code conventions we rely on."""
    if col.check == "date":
        return f"CAST(strptime({expr}, '%Y-%m-%d') AS DATE)"
    if col.check in ("line_number", "count"):
        return f"CAST(CAST({expr} AS DOUBLE) AS INTEGER)"
    if col.check == "amount":
        return f"CAST({expr} AS DOUBLE)"
    if col.check in ("claim_type", "gender"):
        return f"lower({expr})"
    if col.check == "icd10cm":
        return f"upper(replace({expr}, '.', ''))"
    if col.check == "bill_type":
        return f"right(upper({expr}), 3)"
    if col.check == "revenue_code":
        return f"lpad({expr}, 4, '0')"
    if col.check == "pos":
        return f"lpad({expr}, 2, '0')"
    if col.check == "hcpcs":
        return f"upper({expr})"
    if col.check == "ndc":
        return f"lpad(replace({expr}, '-', ''), 11, '0')"
    if col.check == "small_code":
        # Exports from spreadsheets turn "04" into "4.0"; keep the code, not the float.
        return f"regexp_replace({expr}, '\\.0+$', '')"
    return expr


@dataclass
class LoadedFile:
    table: str
    path: Path
    data: pa.Table  # all columns as text, plus __line


@dataclass
class LoadResult:
    rows_in_files: dict[str, int] = field(default_factory=dict)
    rows_in_store: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def find_table_files(directory: Path, table: str) -> list[Path]:
    """A table is one file (``medical_claim.csv``, ``medical_claim_seed.parquet``) or a folder of parts."""
    for stem in (table, f"{table}_seed"):
        folder = directory / stem
        if folder.is_dir():
            parts = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".csv", ".parquet"))
            if not parts:
                raise LoadError("folder holds no .csv or .parquet part files", file=str(folder))
            return parts
        for ext in (".csv", ".parquet"):
            candidate = directory / f"{stem}{ext}"
            if candidate.is_file():
                return [candidate]
    raise LoadError(
        f"no {table}.csv, {table}.parquet or {table}/ folder of part files found", file=str(directory)
    )


def _read_as_text(path: Path) -> pa.Table:
    if path.suffix.lower() == ".parquet":
        table = pq.read_table(path)
        cols = []
        for column in table.columns:
            if pa.types.is_timestamp(column.type):
                column = column.cast(pa.date32())
            cols.append(column.cast(pa.string()))
        table = pa.table(cols, names=table.column_names)
        first_line = 1  # parquet rows are numbered from 1
    else:
        with path.open(encoding="utf-8-sig") as fh:
            header = fh.readline().rstrip("\r\n").split(",")
        names = [h.strip().strip('"') for h in header]
        try:
            table = pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.string() for n in names},
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                ),
            )
        except pa.ArrowInvalid as exc:
            raise LoadError(f"unreadable CSV ({exc})", file=str(path)) from exc
        first_line = 2  # line 1 is the header
    lines = pa.array(range(first_line, first_line + table.num_rows), type=pa.int64())
    return table.append_column("__line", lines)


def _validate(con: duckdb.DuckDBPyConnection, loaded: LoadedFile) -> None:
    columns = TABLES[loaded.table]
    present = set(loaded.data.column_names)
    for col in columns:
        if col.required and col.name not in present:
            raise LoadError(
                f"required column {col.name!r} is missing", file=str(loaded.path), line=1, field=col.name
            )
    probes: list[tuple[str, str]] = []  # (column, message)
    selects: list[str] = []
    for col in columns:
        if col.name not in present:
            continue
        ident = f'"{col.name}"'
        if col.not_null:
            selects.append(f"min(CASE WHEN {ident} IS NULL OR trim({ident}) = '' THEN __line END)")
            probes.append((col.name, "value is required"))
        predicate, message = CHECKS[col.check]
        if predicate != "TRUE":
            value = f"nullif(trim({ident}), '')"
            cond = predicate.replace("{v}", value)
            skip = ""
            if col.check == "icd10cm" and "diagnosis_code_type" in present:
                skip = " AND coalesce(lower(diagnosis_code_type), 'icd-10-cm') = 'icd-10-cm'"
            selects.append(f"min(CASE WHEN {value} IS NOT NULL{skip} AND NOT ({cond}) THEN __line END)")
            probes.append((col.name, message))
    if not selects:
        return
    con.register("__raw", loaded.data)
    try:
        row = con.execute(f"SELECT {', '.join(selects)} FROM __raw").fetchall()[0]
    finally:
        con.unregister("__raw")
    failures = [(line, probes[i]) for i, line in enumerate(row) if line is not None]
    if failures:
        line, (name, message) = min(failures, key=lambda f: f[0])
        bad = _value_at(loaded.data, name, line)
        raise LoadError(f"{message} (got {bad!r})", file=str(loaded.path), line=int(line), field=name)


def _value_at(table: pa.Table, column: str, line: int) -> str | None:
    first = table.column("__line")[0].as_py()
    value = table.column(column)[line - first].as_py()
    return None if value is None else str(value)


def _typed_select(loaded: LoadedFile, file_label: str) -> str:
    present = set(loaded.data.column_names)
    parts = []
    for col in TABLES[loaded.table]:
        if col.name in present:
            raw = f"nullif(trim(\"{col.name}\"), '')"
            parts.append(f"CAST({_normalise(col, raw)} AS {col.sql_type}) AS {col.name}")
        else:
            parts.append(f"CAST(NULL AS {col.sql_type}) AS {col.name}")
    label = file_label.replace("'", "''")
    parts.append(f"'{label}' AS __file")
    parts.append("__line")
    return "SELECT " + ", ".join(parts) + " FROM __raw"


def _check_duplicates(con: duckdb.DuckDBPyConnection, table: str) -> None:
    keys = ", ".join(UNIQUE_KEYS[table])
    dup = con.execute(
        f"""
        WITH ranked AS (
            SELECT __file, __line,
                   row_number() OVER (PARTITION BY {keys} ORDER BY __file, __line) AS n,
                   first_value(__line) OVER (PARTITION BY {keys} ORDER BY __file, __line) AS first_line
            FROM __stage_{table}
        )
        SELECT __file, __line, first_line FROM ranked WHERE n > 1 ORDER BY __file, __line LIMIT 1
        """
    ).fetchall()
    if dup:
        dup_file, dup_line, first_line = dup[0]
        raise LoadError(
            f"duplicate {table} key ({keys}); first seen at line {first_line}",
            file=str(dup_file),
            line=int(dup_line),
            field=UNIQUE_KEYS[table][0],
        )


def load_directory(
    directory: str | os.PathLike[str],
    db_path: str | os.PathLike[str] | None = None,
    tables: tuple[str, ...] = ("eligibility", "medical_claim", "pharmacy_claim"),
) -> LoadResult:
    """Load every table from ``directory`` or nothing at all; raises LoadError naming the first problem."""
    root = Path(directory)
    if not root.is_dir():
        raise LoadError("not a directory", file=str(root))
    plan: list[LoadedFile] = []
    for table in tables:
        for path in find_table_files(root, table):
            plan.append(LoadedFile(table, path, _read_as_text(path)))

    result = LoadResult()
    con = connect(db_path)
    try:
        for loaded in plan:
            _validate(con, loaded)
        # Stage in temp tables (outside the store's tables) and check keys before touching anything.
        for table in tables:
            cols = ", ".join(f"{c.name} {c.sql_type}" for c in TABLES[table])
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE __stage_{table} ({cols}, __file VARCHAR, __line BIGINT)"
            )
        for loaded in plan:
            con.register("__raw", loaded.data)
            try:
                con.execute(f"INSERT INTO __stage_{loaded.table} {_typed_select(loaded, str(loaded.path))}")
            finally:
                con.unregister("__raw")
            result.rows_in_files[loaded.table] = (
                result.rows_in_files.get(loaded.table, 0) + loaded.data.num_rows
            )
            result.files.append(str(loaded.path))
        for table in tables:
            _check_duplicates(con, table)

        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        con.begin()
        try:
            for table in tables:
                keys = UNIQUE_KEYS[table]
                match = " AND ".join(f"t.{k} IS NOT DISTINCT FROM s.{k}" for k in keys)
                con.execute(
                    f"DELETE FROM {table} t WHERE EXISTS (SELECT 1 FROM __stage_{table} s WHERE {match})"
                )
                names = ", ".join(c.name for c in TABLES[table])
                con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM __stage_{table}")
            for loaded in plan:
                con.execute(
                    "INSERT INTO load_log VALUES (?, ?, ?, ?)",
                    [now, loaded.table, str(loaded.path), loaded.data.num_rows],
                )
            con.commit()
        except BaseException:
            con.rollback()
            raise
        for table in tables:
            result.rows_in_store[table] = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    finally:
        con.close()
    return result
