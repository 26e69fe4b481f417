"""Validate Tuva input-layer claim files and load them into the analytics store all-or-nothing.

Every file is read as text and checked in full before anything is written, so a bad extract is
rejected with the file, line and field to fix, and the store keeps its previous contents. Rows are
upserted on the Tuva unique keys so that re-sending a file does not double-count utilisation.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .store import (
    POSITIONAL_CODES,
    TABLES,
    UNIQUE_KEYS,
    Column,
    StoredFile,
    commit_files,
    connect,
    discard,
    resolve_db_path,
    write_file,
)


def _sql_literal(path: Path) -> str:
    return str(path).replace("'", "''")


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


# ICD-10-PCS: seven characters, digits and letters without I and O (CMS, ICD-10-PCS Official Guidelines for
# Coding and Reporting, A.1-A.2: "Letters O and I are not used to avoid confusion with 0 and 1"). Shared with
# the FHIR loader's check at the source element (load_common.check_icd10pcs).
ICD10PCS_PATTERN = "[0-9A-HJ-NP-Z]{7}"
ICD10PCS_MESSAGE = "not an ICD-10-PCS code (7 characters, digits and letters other than I and O)"

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
    "icd10pcs": (
        f"regexp_full_match(upper(replace({{v}}, '.', '')), '{ICD10PCS_PATTERN}')",
        ICD10PCS_MESSAGE,
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
    if col.check in ("icd10cm", "icd10pcs"):
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


INTEGER_TYPES = frozenset(
    {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"}
)
FLOAT_TYPES = frozenset({"FLOAT", "DOUBLE"})


def _is_numeric(kind: str) -> bool:
    return kind in INTEGER_TYPES or kind in FLOAT_TYPES or kind.startswith("DECIMAL(")


@dataclass
class LoadedFile:
    """One input file, read in place by DuckDB (Parquet) or as text by Arrow (CSV, for its line numbers)."""

    table: str
    path: Path
    types: dict[str, str]  # present column -> DuckDB type of the source column
    num_rows: int
    data: pa.Table | None = None  # CSV only: all columns as text, plus __line
    view: str = ""  # name of the relation holding the file on the load connection
    untrimmed: set[str] = field(default_factory=set)  # text columns holding blank or space-padded values
    empty_codes: set[str] = field(default_factory=set)  # diagnosis/procedure positions with no code at all

    def scan(self) -> str:
        """The file's columns without line numbers: what a check that only asks "is there any?" reads."""
        if self.data is not None:
            return self.view
        return f"read_parquet('{_sql_literal(self.path)}')"

    def source(self) -> str:
        if self.data is not None:
            return self.view
        names = ", ".join(f'"{n}"' for n in self.types)
        path = str(self.path).replace("'", "''")
        return (
            f"(SELECT {names}, file_row_number + 1 AS __line "
            f"FROM read_parquet('{path}', file_row_number = true))"
        )

    def text(self, name: str) -> str:
        """The column as the text the checks were written for (CSV is text; Parquet types are cast).

        Whole floats print without ".0" (as Arrow's cast did), so a POS code stored as 11.0 by a
        dataframe library reads as "11", not "11.0".
        """
        kind = self.types[name]
        ident = f'"{name}"'
        if kind == "VARCHAR":
            return ident
        if kind.startswith("TIMESTAMP"):
            return f"CAST(CAST({ident} AS DATE) AS VARCHAR)"
        if kind in FLOAT_TYPES:
            return (
                f"CASE WHEN {ident} = floor({ident}) AND abs({ident}) < 1e15 "
                f"THEN CAST(CAST({ident} AS BIGINT) AS VARCHAR) ELSE CAST({ident} AS VARCHAR) END"
            )
        return f"CAST({ident} AS VARCHAR)"

    def typed_path(self, col: Column) -> tuple[str, str | None] | None:
        """For a Parquet column whose type makes the text check moot: (stored value, condition a
        non-NULL value must meet or None); None when the column must be checked as text.

        Checking a DATE column's text for YYYY-MM-DD, or a DOUBLE's for a number, is pointless work on
        tens of millions of values; numeric line numbers and counts still need range checks.
        """
        kind = self.types[col.name]
        ident = f'"{col.name}"'
        if col.check == "date" and kind == "DATE":
            return ident, None
        if col.check == "date" and kind.startswith("TIMESTAMP"):
            return f"CAST({ident} AS DATE)", None
        if col.check == "amount" and _is_numeric(kind):
            return f"CAST({ident} AS DOUBLE)", None
        if col.check in ("line_number", "count") and (kind in INTEGER_TYPES or kind in FLOAT_TYPES):
            whole = f"try_cast({ident} AS INTEGER) IS NOT NULL"
            if kind in FLOAT_TYPES:
                whole = f"{ident} = floor({ident}) AND {whole}"
            if col.check == "line_number":
                whole += f" AND {ident} >= 1"
            return f"CAST({ident} AS INTEGER)", whole
        return None


@dataclass
class LoadResult:
    rows_in_files: dict[str, int] = field(default_factory=dict)
    rows_in_store: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    adopted: dict[str, bool] = field(default_factory=dict)  # file -> copied as is (already in stored form)


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


def _read_csv_as_text(path: Path) -> pa.Table:
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
    lines = pa.array(range(2, 2 + table.num_rows), type=pa.int64())  # line 1 is the header
    return table.append_column("__line", lines)


def _open_file(con: duckdb.DuckDBPyConnection, table: str, path: Path, index: int) -> LoadedFile:
    wanted = {c.name for c in TABLES[table]}
    if path.suffix.lower() != ".parquet":
        data = _read_csv_as_text(path)
        view = f"__raw_{index}"
        con.register(view, data)
        types = {n: "VARCHAR" for n in data.column_names if n in wanted}
        return LoadedFile(table, path, types, data.num_rows, data, view)
    escaped = str(path).replace("'", "''")
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{escaped}')").fetchall()
        rows = con.execute(f"SELECT sum(num_rows) FROM parquet_file_metadata('{escaped}')").fetchall()
    except duckdb.Error as exc:
        raise LoadError(f"unreadable Parquet ({exc})", file=str(path)) from exc
    types = {str(r[0]): str(r[1]) for r in described if r[0] in wanted}
    return LoadedFile(table, path, types, int(rows[0][0] or 0))


# Code columns hold few distinct values however many rows there are, so they are checked (and their
# normal form compared) once per distinct value rather than once per row.
CODE_CHECKS = frozenset(
    {
        "claim_type",
        "gender",
        "icd10cm",
        "icd10pcs",
        "bill_type",
        "revenue_code",
        "pos",
        "hcpcs",
        "ndc",
        "small_code",
    }
)

# Code columns whose rule applies only on lines that name no other code system: (column giving the system,
# the system the rule is for). An ICD-9 diagnosis or a CPT code in a procedure position is kept, unchecked,
# and the feature models read only the codes of the system they use.
CODE_SYSTEMS: dict[str, tuple[str, str]] = {
    "icd10cm": ("diagnosis_code_type", "icd-10-cm"),
    "icd10pcs": ("procedure_code_type", "icd-10-pcs"),
}


def _cast_keeps_value(kind: str, col: Column) -> bool:
    """Whether the store's view, which casts each column to its stored type, reads the value the loader
    would have stored (so a file with this column type can be adopted as is)."""
    if kind == col.sql_type:
        return True
    if col.sql_type == "DOUBLE":
        return _is_numeric(kind)
    if col.sql_type == "INTEGER":  # the range was checked (typed_path)
        return kind in INTEGER_TYPES
    if col.sql_type == "DATE":
        return kind.startswith("TIMESTAMP")
    # Free text (not a code with a normal form): an integer reads as its digits.
    return col.sql_type == "VARCHAR" and col.check == "text" and kind in INTEGER_TYPES


def _blank_or_padded(expr: str) -> str:
    return f"({expr} = '' OR prefix({expr}, ' ') OR suffix({expr}, ' '))"


@dataclass(frozen=True)
class _Probe:
    """One row-level rule: ``cond`` is TRUE on a row that breaks it. An empty message marks a rule that
    is no error but means the file is not in the stored form (blank or space-padded text).

    ``fast`` are aggregates of which one is TRUE whenever some row meets ``cond`` (one may also be when
    none does): cheap column-wide facts -- a NULL count, a shortest length, any space at all, a minimum
    and maximum -- instead of a string test per value. Only a rule with a TRUE ``fast`` answer is
    checked exactly, so the answer stays exact while a clean file is read once, cheaply.
    """

    order: int  # the column's place in the table, so the leftmost field wins on a line
    name: str
    cond: str
    message: str
    fast: tuple[str, ...]  # rules on one column share these, and each is computed once


INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1


def _any(cond: str) -> str:
    return f"coalesce(bool_or({cond}), false)"


def _may_be_blank_or_padded(ident: str) -> str:
    """Superset of `_blank_or_padded` for a VARCHAR column: an empty value or a space anywhere."""
    return f"coalesce(min(strlen({ident})) = 0 OR max(contains({ident}, ' ')), false)"


def _empty(text: str) -> str:
    return f"({text} IS NULL OR trim({text}) = '')"


def _required_probe(loaded: LoadedFile, order: int, col: Column, typed: bool) -> _Probe:
    ident = f'"{col.name}"'
    has_null = f"count({ident}) < count(*)"
    if typed:
        return _Probe(order, col.name, f"{ident} IS NULL", "value is required", (has_null,))
    text = loaded.text(col.name)
    fast: tuple[str, ...] = (has_null,)
    if loaded.types[col.name] == "VARCHAR":  # other types never print as blank
        fast = (has_null, _may_be_blank_or_padded(ident))
    return _Probe(order, col.name, _empty(text), "value is required", fast)


def _typed_probe(loaded: LoadedFile, order: int, col: Column, whole: str, message: str) -> _Probe:
    ident = f'"{col.name}"'
    cond = f"{ident} IS NOT NULL AND NOT ({whole})"
    if loaded.types[col.name] not in INTEGER_TYPES:
        return _Probe(order, col.name, cond, message, (_any(cond),))
    # An integer column meets the rule exactly when its range does (fits INTEGER; >= 1 for line numbers).
    low = 1 if col.check == "line_number" else INTEGER_MIN
    fast = f"coalesce(min({ident}) < {low} OR max({ident}) > {INTEGER_MAX}, false)"
    return _Probe(order, col.name, cond, message, (fast,))


def _validate(con: duckdb.DuckDBPyConnection, loaded: LoadedFile) -> bool:
    """Check the whole file; return whether its values are already exactly as the store keeps them.

    A clean file is the common case, so the first pass only asks *whether* anything fails: one
    aggregate of yes/no answers over the row-level rules, and one DISTINCT per code column (the code
    rules run per distinct value). Only when something fails does a second pass look for lines, and only
    for the failing rules; the error names the earliest failing line (the leftmost field on it). Which
    text columns hold blank or padded values is kept on ``loaded`` for the duplicate check.
    """
    columns = TABLES[loaded.table]
    present = set(loaded.types)
    for col in columns:
        if col.required and col.name not in present:
            raise LoadError(
                f"required column {col.name!r} is missing", file=str(loaded.path), line=1, field=col.name
            )
    probes: list[_Probe] = []
    stored_form = loaded.data is None  # CSV text is always rewritten
    code_columns: list[tuple[int, Column]] = []
    for order, col in enumerate(columns):
        if col.name not in present:
            continue
        typed = loaded.typed_path(col)
        text = loaded.text(col.name)
        ident = f'"{col.name}"'
        if not _cast_keeps_value(loaded.types[col.name], col):
            stored_form = False
        if col.not_null:
            probes.append(_required_probe(loaded, order, col, typed is not None))
        predicate, message = CHECKS[col.check]
        if col.check in CODE_CHECKS:
            code_columns.append((order, col))
            continue
        if col.sql_type == "VARCHAR" and loaded.types[col.name] == "VARCHAR" and loaded.data is None:
            # Stored text is trimmed with blanks as NULL: a file that already is can be adopted as is.
            padded = _blank_or_padded(ident)
            probes.append(_Probe(order, col.name, padded, "", (_may_be_blank_or_padded(ident),)))
        if typed is not None:
            if typed[1] is not None:
                probes.append(_typed_probe(loaded, order, col, typed[1], message))
        elif predicate != "TRUE":
            value = f"nullif(trim({text}), '')"
            cond = f"{value} IS NOT NULL AND NOT ({predicate.replace('{v}', value)})"
            probes.append(_Probe(order, col.name, cond, message, (_any(cond),)))
    suspects: list[_Probe] = []
    if probes:
        facts = list(dict.fromkeys(f for p in probes for f in p.fast))
        row = con.execute(f"SELECT {', '.join(facts)} FROM {loaded.scan()}").fetchall()[0]
        answers = dict(zip(facts, row, strict=True))
        suspects = [probe for probe in probes if any(answers[f] for f in probe.fast)]
    failures: list[tuple[int, int, str, str]] = []  # (line, column order, column, message)
    if suspects:
        lines = con.execute(
            f"SELECT {', '.join(f'min(CASE WHEN {p.cond} THEN __line END)' for p in suspects)} "
            f"FROM {loaded.source()}"
        ).fetchall()[0]
        for probe, line in zip(suspects, lines, strict=True):
            if line is None:
                continue
            if probe.message == "":
                stored_form = False  # padded or blank text: rewritten, not an error
                loaded.untrimmed.add(probe.name)
            else:
                failures.append((int(line), probe.order, probe.name, probe.message))
    mixed: set[str] = set()  # code checks whose lines name more than one code system
    for check, (kind_column, system) in CODE_SYSTEMS.items():
        if kind_column in present and any(col.check == check for _, col in code_columns):
            kinds = con.execute(
                f"SELECT DISTINCT lower({loaded.text(kind_column)}) FROM {loaded.scan()}"
            ).fetchall()
            if any(k[0] is not None and k[0] != system for k in kinds):
                mixed.add(check)
    for order, col in code_columns:
        failure, normal, has_codes = _check_codes(con, loaded, col, col.check in mixed)
        if failure is not None:
            failures.append((failure, order, col.name, CHECKS[col.check][1]))
        stored_form = stored_form and normal
        if not has_codes and col.name in POSITIONAL_CODES:
            loaded.empty_codes.add(col.name)
    if failures:
        line, _, name, message = min(failures)
        bad = con.execute(
            f"SELECT {loaded.text(name)} FROM {loaded.source()} WHERE __line = ?", [line]
        ).fetchall()[0][0]
        raise LoadError(f"{message} (got {bad!r})", file=str(loaded.path), line=line, field=name)
    return stored_form


def _check_codes(
    con: duckdb.DuckDBPyConnection, loaded: LoadedFile, col: Column, mixed_kinds: bool
) -> tuple[int | None, bool, bool]:
    """(first line with an invalid code or None, whether every code is already in its stored form,
    whether the column holds any code at all).

    ICD-10-CM (ICD-10-PCS) is checked only on lines whose ``diagnosis_code_type``
    (``procedure_code_type``) is empty or icd-10-cm (icd-10-pcs); when the file holds no other type (the
    usual case) the distinct codes alone decide, which halves the work of pairing every code with its type.
    """
    text = loaded.text(col.name)
    value = "nullif(trim(v), '')"
    skip = ""
    kind = ""
    if col.check in CODE_SYSTEMS and mixed_kinds:
        kind_column, system = CODE_SYSTEMS[col.check]
        kind = f", lower({loaded.text(kind_column)}) AS k"
        skip = f" AND coalesce(k, '{system}') = '{system}'"
    predicate = CHECKS[col.check][0].replace("{v}", value)
    normal = _normalise(col, value)
    counts = con.execute(
        f"""
        WITH d AS (SELECT DISTINCT {text} AS v{kind} FROM {loaded.scan()})
        SELECT list(DISTINCT v) FILTER (WHERE {value} IS NOT NULL{skip} AND NOT ({predicate})),
               count(*) FILTER (WHERE v IS NOT NULL AND (v IS DISTINCT FROM {normal}
                                 OR {_blank_or_padded("v")})),
               count(*) FILTER (WHERE {value} IS NOT NULL)
        FROM d
        """
    ).fetchall()[0]
    bad, to_normalise, has_codes = counts[0] or [], int(counts[1] or 0), bool(counts[2])
    if not bad:
        return None, to_normalise == 0, has_codes
    extra = ""
    if skip:
        kind_column, system = CODE_SYSTEMS[col.check]
        extra = f" AND coalesce(lower({loaded.text(kind_column)}), '{system}') = '{system}'"
    line = con.execute(
        f"SELECT min(__line) FROM {loaded.source()} WHERE list_contains(?, {text}){extra}", [bad]
    ).fetchall()[0][0]
    return int(line), False, has_codes


def _stored_value(loaded: LoadedFile, col: Column) -> str:
    if col.name not in loaded.types:
        return f"CAST(NULL AS {col.sql_type})"
    typed = loaded.typed_path(col)
    if typed is not None:
        return typed[0]
    raw = f"nullif(trim({loaded.text(col.name)}), '')"
    return f"CAST({_normalise(col, raw)} AS {col.sql_type})"


def _typed_select(loaded: LoadedFile, names: list[str] | None = None, extra: str = "") -> str:
    """The file's rows as stored (normalised and typed); ``names`` limits the columns."""
    cols = [c for c in TABLES[loaded.table] if names is None or c.name in names]
    parts = [f"{_stored_value(loaded, c)} AS {c.name}" for c in cols]
    return "SELECT " + ", ".join(parts) + extra + f" FROM {loaded.source()}"


# Claim tables whose key is (claim_id, claim_line_number, data_source): the ones the sorted path handles.
SORTED_KEY = ("claim_id", "claim_line_number", "data_source")

_RowGroupKeys = tuple[bool, tuple[str, int], tuple[str, int]]  # (strictly increasing, first key, last key)


def _row_group_keys(path: Path, metadata: pq.FileMetaData, group: int) -> _RowGroupKeys | None:
    # One reader per call (pyarrow's reader is not shared between threads); the footer, which for a
    # file of a hundred row groups and 180 columns is over a megabyte, is parsed once and shared.
    reader = pq.ParquetFile(path, metadata=metadata)
    data = reader.read_row_group(group, columns=list(SORTED_KEY[:2]), use_threads=False)
    ids = data.column(0).combine_chunks()
    lines = data.column(1).combine_chunks()
    n = len(ids)
    if n == 0:
        return None
    increasing = True
    if n > 1:
        before, after = ids.slice(0, n - 1), ids.slice(1)
        greater = pc.greater(after, before)
        if not pc.all(greater).as_py():
            # Lines of one claim share its id: there the line number must increase.
            same = pc.and_(pc.equal(after, before), pc.greater(lines.slice(1), lines.slice(0, n - 1)))
            increasing = bool(pc.all(pc.or_(greater, same)).as_py())
    return increasing, (ids[0].as_py(), lines[0].as_py()), (ids[n - 1].as_py(), lines[n - 1].as_py())


def _sorted_keys_unique(con: duckdb.DuckDBPyConnection, table: str, files: list[LoadedFile]) -> bool:
    """True when the keys are proven unique because every file is sorted on them; False means "not
    proven" (the hash check then decides, and names any duplicate).

    Claim extracts usually come sorted by claim and line. Then a duplicate can only sit next to its
    twin, so one streaming pass comparing neighbours is exact, where grouping tens of millions of keys
    costs several times more. It applies to Parquet files whose key values are stored as they are: an
    integer ``claim_line_number``, a ``claim_id`` with no blank or padded values (trimming could merge
    two ids), and one ``data_source`` per file; files with the same data_source must not overlap.
    """
    if UNIQUE_KEYS[table] != SORTED_KEY or not files:
        return False
    ranges: dict[str, list[tuple[tuple[str, int], tuple[str, int]]]] = {}
    for f in files:
        if (
            f.data is not None
            or f.types.get("claim_id") != "VARCHAR"
            or f.types.get("data_source") != "VARCHAR"
            or f.types.get("claim_line_number") not in INTEGER_TYPES
            or {"claim_id", "data_source"} & f.untrimmed
        ):
            return False
        sources = con.execute(f"SELECT DISTINCT data_source FROM {f.scan()}").fetchall()
        if len(sources) > 1:
            return False
        if f.num_rows == 0:
            continue
        metadata = pq.read_metadata(f.path)
        with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            found = list(pool.map(partial(_row_group_keys, f.path, metadata), range(metadata.num_row_groups)))
        parts = [p for p in found if p is not None]
        if not parts:
            continue
        if not all(p[0] for p in parts):
            return False
        for prev, nxt in itertools.pairwise(parts):
            if not prev[2] < nxt[1]:
                return False
        ranges.setdefault(str(sources[0][0]), []).append((parts[0][1], parts[-1][2]))
    for spans in ranges.values():
        spans.sort()
        for prev_span, next_span in itertools.pairwise(spans):
            if not prev_span[1] < next_span[0]:
                return False
    return True


def _check_duplicates(con: duckdb.DuckDBPyConnection, table: str, files: list[LoadedFile]) -> None:
    """Duplicate keys across the table's files: proven absent by the sorted path when the files are
    sorted on the key, else a hash pass over the keys, exact only on suspects.

    Keeping (file, line) for tens of millions of keys to name a duplicate that almost never exists would
    cost gigabytes; hashing the keys finds the candidate groups (collisions are re-checked exactly).
    """
    if _sorted_keys_unique(con, table, files):
        return
    keys = list(UNIQUE_KEYS[table])
    key_list = ", ".join(keys)
    union = " UNION ALL ".join(_typed_select(f, keys) for f in files)
    suspects = con.execute(
        f"SELECT h FROM (SELECT hash({key_list}) AS h FROM ({union})) GROUP BY h HAVING count(*) > 1"
    ).fetchall()
    if not suspects:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE __dup_hash (h UBIGINT)")
    con.executemany("INSERT INTO __dup_hash VALUES (?)", suspects)
    parts = []
    for f in files:
        label = str(f.path).replace("'", "''")
        select = _typed_select(f, keys, f", '{label}' AS __file, __line")
        parts.append(f"SELECT * FROM ({select}) WHERE hash({key_list}) IN (SELECT h FROM __dup_hash)")
    rows = " UNION ALL ".join(parts)
    dup = con.execute(
        f"""
        WITH candidates AS ({rows}),
        ranked AS (
            SELECT __file, __line,
                   row_number() OVER (PARTITION BY {key_list} ORDER BY __file, __line) AS n,
                   first_value(__line) OVER (PARTITION BY {key_list} ORDER BY __file, __line) AS first_line
            FROM candidates
        )
        SELECT __file, __line, first_line FROM ranked WHERE n > 1 ORDER BY __file, __line LIMIT 1
        """
    ).fetchall()
    if dup:
        dup_file, dup_line, first_line = dup[0]
        raise LoadError(
            f"duplicate {table} key ({key_list}); first seen at line {first_line}",
            file=str(dup_file),
            line=int(dup_line),
            field=keys[0],
        )


def load_directory(
    directory: str | os.PathLike[str],
    db_path: str | os.PathLike[str] | None = None,
    tables: tuple[str, ...] = ("eligibility", "medical_claim", "pharmacy_claim"),
) -> LoadResult:
    """Load every table from ``directory`` or nothing at all; raises LoadError naming the first problem.

    Files are validated where they lie (DuckDB reads Parquet columns in place). A Parquet file whose
    values are already in the stored form is adopted by copying it; any other file is written once as
    Parquet in the stored form. Nothing is visible until the store's manifest commits them together
    (`store.commit_files`), so a failure leaves the store as it was.
    """
    root = Path(directory)
    if not root.is_dir():
        raise LoadError("not a directory", file=str(root))
    paths = [(table, path) for table in tables for path in find_table_files(root, table)]
    store_path = resolve_db_path(db_path)

    result = LoadResult()
    con = connect(store_path)
    try:
        con.execute("SET preserve_insertion_order = false")
        # Validation reads each file many times (a DISTINCT per code column); parse its footer once.
        con.execute("SET parquet_metadata_cache = true")
        plan = [_open_file(con, table, path, i) for i, (table, path) in enumerate(paths)]
        adopt = {id(loaded): _validate(con, loaded) for loaded in plan}
        for table in tables:
            _check_duplicates(con, table, [f for f in plan if f.table == table])

        new_files: list[StoredFile] = []
        try:
            for loaded in plan:
                # A diagnosis or procedure position without a single code is left out of the manifest's
                # columns: it reads as NULL like a column the file lacks, and the feature models skip it.
                present = [
                    c.name
                    for c in TABLES[loaded.table]
                    if c.name in loaded.types and c.name not in loaded.empty_codes
                ]
                if adopt[id(loaded)]:
                    stored = write_file(
                        con, store_path, loaded.table, loaded.num_rows, copy_from=loaded.path, columns=present
                    )
                else:
                    stored = write_file(
                        con,
                        store_path,
                        loaded.table,
                        loaded.num_rows,
                        select=_typed_select(loaded),
                        columns=present,
                    )
                new_files.append(stored)
        except BaseException:
            discard(new_files)
            raise
        log = [(loaded.table, str(loaded.path), loaded.num_rows) for loaded in plan]
        commit_files(con, store_path, new_files, log)
        for loaded in plan:
            result.rows_in_files[loaded.table] = result.rows_in_files.get(loaded.table, 0) + loaded.num_rows
            result.files.append(str(loaded.path))
            result.adopted[str(loaded.path)] = adopt[id(loaded)]
        for table in tables:
            result.rows_in_store[table] = int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
    finally:
        con.close()
    return result
