"""The DuckDB analytics store: where loaded claims live, separate from the Django database.

Claims are large, append-mostly and queried column-wise, so they go to an embedded columnar store
rather than to the transactional database. This module owns the stored schema so that the loader and
the feature models agree on column names and types.

The claim rows themselves are Parquet files in a folder beside the DuckDB file
(``var/analytics.duckdb.files/``), listed in a manifest table; each claim table is a view over its files.
Copying tens of millions of validated rows into DuckDB's own format cost more than every feature
computed from them, while a Parquet file already in the stored form is adopted by a file copy and a
file that needs normalising is rewritten once, in Parquet. Files never hold rows with the same key:
a reload rewrites or drops the older files whose keys it brings again, inside the manifest's
transaction, so readers see either the old set of files or the new one.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

DEFAULT_DB_PATH = Path("var") / "analytics.duckdb"
DB_ENV_VAR = "TANDEM_ANALYTICS_DB"

N_DIAGNOSES = 25
N_PROCEDURES = 25
DIAGNOSIS_POSITIONS = tuple(f"diagnosis_code_{i}" for i in range(1, N_DIAGNOSES + 1))
PROCEDURE_POSITIONS = tuple(f"procedure_code_{i}" for i in range(1, N_PROCEDURES + 1))
# Positional code columns: a file's position without a single code is left out of the manifest's columns
# at load (it reads as NULL, as if the file lacked it), so the feature models can skip it
# (`empty_code_columns`).
POSITIONAL_CODES = frozenset(DIAGNOSIS_POSITIONS + PROCEDURE_POSITIONS)


@dataclass(frozen=True)
class Column:
    """One stored column and how its raw text is checked before loading.

    ``check`` names a validation rule in ``load_tuva.CHECKS``; ``required`` means the column must be
    present in the file (it may still hold empty values unless ``not_null``).
    """

    name: str
    sql_type: str
    check: str = "text"
    required: bool = False
    not_null: bool = False


def _dx_columns() -> list[Column]:
    cols = [Column("diagnosis_code_type", "VARCHAR", "text")]
    for i in range(1, N_DIAGNOSES + 1):
        cols.append(Column(f"diagnosis_code_{i}", "VARCHAR", "icd10cm", required=(i == 1)))
    return cols


def _px_columns() -> list[Column]:
    """ICD-10-PCS procedure codes and dates of the Tuva input layer (institutional claim-header fields).

    Optional: professional claims and many extracts carry none. They feed the rules that turn on an
    inpatient procedure (planned readmissions, PQI procedure exclusions and PQI 16, CCW's PCS criteria).
    """
    cols = [Column("procedure_code_type", "VARCHAR", "text")]
    cols += [Column(f"procedure_code_{i}", "VARCHAR", "icd10pcs") for i in range(1, N_PROCEDURES + 1)]
    cols += [Column(f"procedure_date_{i}", "DATE", "date") for i in range(1, N_PROCEDURES + 1)]
    return cols


TABLES: dict[str, list[Column]] = {
    "eligibility": [
        Column("person_id", "VARCHAR", required=True, not_null=True),
        Column("member_id", "VARCHAR", required=True),
        Column("gender", "VARCHAR", "gender", required=True),
        Column("race", "VARCHAR"),
        Column("birth_date", "DATE", "date", required=True),
        Column("death_date", "DATE", "date"),
        Column("enrollment_start_date", "DATE", "date", required=True, not_null=True),
        Column("enrollment_end_date", "DATE", "date", required=True, not_null=True),
        Column("payer", "VARCHAR", required=True),
        Column("payer_type", "VARCHAR"),
        Column("plan", "VARCHAR", required=True),
        Column("original_reason_entitlement_code", "VARCHAR", "small_code"),
        Column("dual_status_code", "VARCHAR", "small_code"),
        Column("medicare_status_code", "VARCHAR", "small_code"),
        Column("long_term_institutional_flag", "VARCHAR"),
        Column("data_source", "VARCHAR", required=True),
    ],
    "medical_claim": [
        Column("claim_id", "VARCHAR", required=True, not_null=True),
        Column("claim_line_number", "INTEGER", "line_number", required=True, not_null=True),
        Column("claim_type", "VARCHAR", "claim_type", required=True, not_null=True),
        Column("person_id", "VARCHAR", required=True, not_null=True),
        Column("member_id", "VARCHAR"),
        Column("payer", "VARCHAR"),
        Column("plan", "VARCHAR"),
        Column("claim_start_date", "DATE", "date", required=True),
        Column("claim_end_date", "DATE", "date", required=True),
        Column("claim_line_start_date", "DATE", "date"),
        Column("claim_line_end_date", "DATE", "date"),
        Column("admission_date", "DATE", "date", required=True),
        Column("discharge_date", "DATE", "date", required=True),
        Column("admit_source_code", "VARCHAR", "small_code"),
        Column("admit_type_code", "VARCHAR", "small_code", required=True),
        Column("discharge_disposition_code", "VARCHAR", "small_code"),
        Column("place_of_service_code", "VARCHAR", "pos", required=True),
        Column("bill_type_code", "VARCHAR", "bill_type", required=True),
        Column("drg_code", "VARCHAR"),
        Column("revenue_center_code", "VARCHAR", "revenue_code", required=True),
        Column("hcpcs_code", "VARCHAR", "hcpcs", required=True),
        Column("rendering_npi", "VARCHAR"),
        Column("billing_npi", "VARCHAR"),
        Column("facility_npi", "VARCHAR"),
        Column("paid_date", "DATE", "date"),
        Column("paid_amount", "DOUBLE", "amount", required=True),
        Column("allowed_amount", "DOUBLE", "amount", required=True),
        Column("charge_amount", "DOUBLE", "amount"),
        *_dx_columns(),
        *_px_columns(),
        Column("data_source", "VARCHAR", required=True, not_null=True),
    ],
    "pharmacy_claim": [
        Column("claim_id", "VARCHAR", required=True, not_null=True),
        Column("claim_line_number", "INTEGER", "line_number", required=True, not_null=True),
        Column("person_id", "VARCHAR", required=True, not_null=True),
        Column("member_id", "VARCHAR"),
        Column("payer", "VARCHAR"),
        Column("plan", "VARCHAR"),
        Column("prescribing_provider_npi", "VARCHAR", required=True),
        Column("dispensing_provider_npi", "VARCHAR"),
        Column("dispensing_date", "DATE", "date", required=True),
        Column("ndc_code", "VARCHAR", "ndc", required=True),
        Column("quantity", "DOUBLE", "amount"),
        Column("days_supply", "INTEGER", "count", required=True),
        Column("paid_date", "DATE", "date"),
        Column("paid_amount", "DOUBLE", "amount", required=True),
        Column("allowed_amount", "DOUBLE", "amount", required=True),
        Column("data_source", "VARCHAR", required=True, not_null=True),
    ],
}

UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "eligibility": (
        "person_id",
        "member_id",
        "enrollment_start_date",
        "enrollment_end_date",
        "plan",
        "payer",
    ),
    "medical_claim": ("claim_id", "claim_line_number", "data_source"),
    "pharmacy_claim": ("claim_id", "claim_line_number", "data_source"),
}


def resolve_db_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Explicit path first, then the environment, then ``var/analytics.duckdb``."""
    if path is not None:
        return Path(path)
    env = os.environ.get(DB_ENV_VAR)
    return Path(env) if env else DEFAULT_DB_PATH


MEMORY_ENV_VAR = "TANDEM_ANALYTICS_MEMORY"


def limit_memory(con: duckdb.DuckDBPyConnection, db_path: str | os.PathLike[str]) -> None:
    """Apply TANDEM_ANALYTICS_MEMORY, spilling to a folder beside the store: DuckDB's default is 80 % of
    RAM, which on a shared machine lets one population run crowd out the app and its database."""
    limit = os.environ.get(MEMORY_ENV_VAR, "").strip()
    con.execute("SET enable_progress_bar = false")  # a bar on stdout would garble command output
    if not limit:
        return
    spill = Path(db_path).resolve()
    spill = spill.with_name(spill.name + ".tmp")
    con.execute(f"SET temp_directory = '{_sql_path(spill)}'")
    con.execute("SET memory_limit = ?", [limit])


def files_dir(db_path: str | os.PathLike[str]) -> Path:
    """The folder holding the store's Parquet files: ``<store>.files`` beside the DuckDB file."""
    path = Path(db_path).resolve()
    return path.with_name(path.name + ".files")


def runs_dir(db_path: str | os.PathLike[str]) -> Path:
    """The folder holding stratification runs' score snapshots: ``<store>.runs`` beside the DuckDB file,
    so a run's scores live with the data they were computed from."""
    path = Path(db_path).resolve()
    return path.with_name(path.name + ".runs")


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


class StoreInUse(RuntimeError):
    """Another process holds the store in a way that conflicts with this one.

    DuckDB lets one process write a database file or several read it, never both: a load waits for
    nobody and a features run must not see a half-replaced set of Parquet files. The lock is what keeps
    a reader from meeting a file a reload has just deleted, so a conflict is reported, not retried."""


def is_lock_conflict(exc: BaseException) -> bool:
    """DuckDB reports a held file lock as an IOException whose text names the conflicting lock."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def in_use_error(db_path: str | os.PathLike[str], exc: BaseException, *, writing: bool) -> StoreInUse:
    """The message a person can act on: which store, who holds it (DuckDB names the process id) and
    that nothing was changed."""
    holder = ""
    detail = str(exc)
    if "(PID " in detail:
        holder = " (process " + detail.split("(PID ", 1)[1].split(")", 1)[0] + ")"
    if writing:
        action = f"it is open in another process{holder}; nothing was changed, try again when that finishes"
    else:
        action = f"another process is writing it{holder} (a load); try again when the load finishes"
    return StoreInUse(f"analytics store {db_path} is busy: {action}")


def connect(
    path: str | os.PathLike[str] | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the store and make sure the manifest and claim views exist, so every caller sees one schema."""
    db_path = resolve_db_path(path)
    if read_only:
        if not db_path.exists():
            raise FileNotFoundError(f"analytics store {db_path} does not exist; run `population load` first")
        try:
            return duckdb.connect(str(db_path), read_only=True)
        except duckdb.IOException as exc:
            if is_lock_conflict(exc):
                raise in_use_error(db_path, exc, writing=False) from exc
            raise
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path))
    except duckdb.IOException as exc:
        if is_lock_conflict(exc):
            raise in_use_error(db_path, exc, writing=True) from exc
        raise
    limit_memory(con, db_path)
    ensure_schema(con, db_path)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection, db_path: str | os.PathLike[str]) -> None:
    """Create the manifest, move any claims kept in DuckDB tables by an older store into files, and
    (re)build the views from the manifest, with paths resolved where the store now lies."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS load_log (loaded_at TIMESTAMP, table_name VARCHAR, "
        "file_name VARCHAR, rows_in_file BIGINT)"
    )
    con.execute(
        "CREATE TABLE IF NOT EXISTS store_file (table_name VARCHAR NOT NULL, file_name VARCHAR NOT NULL, "
        "row_count BIGINT NOT NULL, columns VARCHAR[] NOT NULL, added_at TIMESTAMP NOT NULL)"
    )
    folder = files_dir(db_path)
    base_tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            "AND table_schema = 'main' AND table_catalog = current_database()"
        ).fetchall()
    }
    for table in TABLES:
        if table in base_tables:  # a store from before claims were kept as files
            name = new_file_name(table)
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            con.execute(f"COPY (SELECT * FROM {table}) TO '{_sql_path(folder / name)}' (FORMAT parquet)")
            count = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
            con.execute(f"DROP TABLE {table}")
            if count:
                _add_manifest(con, table, name, int(count), [c.name for c in TABLES[table]])
            else:
                (folder / name).unlink()
    refresh_views(con, db_path)


def new_file_name(table: str) -> str:
    """A fresh name for a stored file; never reused, so a rolled-back load cannot clobber a live file."""
    return f"{table}/{uuid.uuid4().hex}.parquet"


def write_file(
    con: duckdb.DuckDBPyConnection,
    db_path: str | os.PathLike[str],
    table: str,
    rows: int,
    *,
    select: str | None = None,
    copy_from: Path | None = None,
    columns: list[str] | None = None,
) -> StoredFile:
    """Write one new file for ``table`` under the files folder, not yet listed in the manifest: the rows
    of ``select`` as Parquet, or a copy of ``copy_from`` (a file already in the stored form). ``columns``:
    the columns the manifest lists for it (default: all of the table's), those read from the file; the
    others read as NULL (`POSITIONAL_CODES`). The caller passes it to `commit_files`, or deletes it if
    the load fails first."""
    name = new_file_name(table)
    target = files_dir(db_path) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if copy_from is not None:
        shutil.copyfile(copy_from, target)
    else:
        con.execute(f"COPY ({select}) TO '{_sql_path(target)}' (FORMAT parquet)")
    present = list(columns) if columns is not None else [c.name for c in TABLES[table]]
    return StoredFile(table, target, name, rows, present)


def discard(files: list[StoredFile]) -> None:
    """Delete files written for a load that did not commit."""
    for f in files:
        f.path.unlink(missing_ok=True)


def _add_manifest(
    con: duckdb.DuckDBPyConnection, table: str, name: str, rows: int, columns: list[str]
) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("INSERT INTO store_file VALUES (?, ?, ?, ?, ?)", [table, name, rows, columns, now])


def _file_select(table: str, path: Path, present: Iterable[str]) -> str:
    have = set(present)
    parts = [
        f'CAST("{c.name}" AS {c.sql_type}) AS {c.name}'
        if c.name in have
        else f"CAST(NULL AS {c.sql_type}) AS {c.name}"
        for c in TABLES[table]
    ]
    return f"SELECT {', '.join(parts)} FROM read_parquet('{_sql_path(path)}')"


def table_select(table: str, files: list[tuple[Path, list[str]]]) -> str:
    """The stored rows of a table as one query over its files (no files: an empty, typed relation)."""
    if not files:
        cols = ", ".join(f"CAST(NULL AS {c.sql_type}) AS {c.name}" for c in TABLES[table])
        return f"SELECT {cols} WHERE false"
    return " UNION ALL ".join(_file_select(table, path, cols) for path, cols in files)


def stored_files(
    con: duckdb.DuckDBPyConnection, db_path: str | os.PathLike[str], table: str
) -> list[StoredFile]:
    folder = files_dir(db_path)
    rows = con.execute(
        "SELECT file_name, row_count, columns FROM store_file WHERE table_name = ? "
        "ORDER BY added_at, file_name",
        [table],
    ).fetchall()
    return [StoredFile(table, folder / r[0], r[0], int(r[1]), list(r[2])) for r in rows]


def empty_code_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Diagnosis and procedure positions that no stored medical-claim file lists (see `POSITIONAL_CODES`).

    The feature models unpivot every position a line may hold a code in; positions known to be empty
    in every file are left out of their staging view, which is most of the unpivot's work on data that
    fills 18 of 25 diagnosis positions and 2 of 25 procedure positions. Position 1 of each is always read,
    so the models always have a column to unpivot. A store without files (none loaded, or one from before
    files) has none empty.
    """
    try:
        rows = con.execute("SELECT columns FROM store_file WHERE table_name = 'medical_claim'").fetchall()
    except duckdb.CatalogException:
        return []
    if not rows:
        return []
    listed = {c for r in rows for c in r[0]}
    return [c for c in (*DIAGNOSIS_POSITIONS[1:], *PROCEDURE_POSITIONS[1:]) if c not in listed]


def refresh_views(con: duckdb.DuckDBPyConnection, db_path: str | os.PathLike[str]) -> None:
    for table in TABLES:
        files = [(f.path, f.columns) for f in stored_files(con, db_path, table)]
        con.execute(f"CREATE OR REPLACE VIEW {table} AS {table_select(table, files)}")


@dataclass(frozen=True)
class StoredFile:
    table: str
    path: Path
    name: str  # relative to the files folder, as kept in the manifest
    rows: int
    columns: list[str]


def key_match(left: str, right: str, table: str) -> str:
    return " AND ".join(f"{left}.{k} IS NOT DISTINCT FROM {right}.{k}" for k in UNIQUE_KEYS[table])


def commit_files(
    con: duckdb.DuckDBPyConnection,
    db_path: str | os.PathLike[str],
    new_files: list[StoredFile],
    log: list[tuple[str, str, int]],
) -> None:
    """Make ``new_files`` (already written under the files folder) part of the store, all or nothing.

    Rows of older files whose keys come again are replaced: an older file entirely superseded is
    dropped, one partly superseded is rewritten without those rows. The manifest, the views and the
    load log change in one transaction; files no longer listed are deleted only after it commits, and
    on failure every file written here is deleted and the store is as it was.
    """
    written = [f.path for f in new_files]
    retired: list[Path] = []
    try:
        replacements: dict[str, StoredFile | None] = {}  # old file name -> rewritten file (None: dropped)
        for table in TABLES:
            incoming = [f for f in new_files if f.table == table]
            old = stored_files(con, db_path, table)
            if not incoming or not old:
                continue
            keys = ", ".join(UNIQUE_KEYS[table])
            new_keys = " UNION ALL ".join(
                f"SELECT {keys} FROM ({_file_select(table, f.path, f.columns)})" for f in incoming
            )
            con.execute(f"CREATE OR REPLACE TEMP TABLE __incoming_keys AS {new_keys}")
            for f in old:
                source = _file_select(table, f.path, f.columns)
                hit = con.execute(
                    f"SELECT count(*) FROM ({source}) AS o WHERE EXISTS "
                    f"(SELECT 1 FROM __incoming_keys AS n WHERE {key_match('o', 'n', table)})"
                ).fetchall()[0][0]
                if not hit:
                    continue
                if hit == f.rows:
                    replacements[f.name] = None
                    continue
                name = new_file_name(table)
                target = files_dir(db_path) / name
                written.append(target)
                con.execute(
                    f"COPY (SELECT * FROM ({source}) AS o WHERE NOT EXISTS (SELECT 1 FROM __incoming_keys "
                    f"AS n WHERE {key_match('o', 'n', table)})) TO '{_sql_path(target)}' (FORMAT parquet)"
                )
                # its rows are a subset of the old file's: a code position empty there is empty here
                columns = [
                    c.name for c in TABLES[table] if c.name in f.columns or c.name not in POSITIONAL_CODES
                ]
                replacements[f.name] = StoredFile(table, target, name, int(f.rows - hit), columns)
            con.execute("DROP TABLE IF EXISTS __incoming_keys")
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        con.begin()
        try:
            for old_name, rewritten in replacements.items():
                con.execute("DELETE FROM store_file WHERE file_name = ?", [old_name])
                retired.append(files_dir(db_path) / old_name)
                if rewritten is not None:
                    _add_manifest(con, rewritten.table, rewritten.name, rewritten.rows, rewritten.columns)
            for f in new_files:
                if f.rows:
                    _add_manifest(con, f.table, f.name, f.rows, f.columns)
            for table, label, rows in log:
                con.execute("INSERT INTO load_log VALUES (?, ?, ?, ?)", [now, table, label, rows])
            refresh_views(con, db_path)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    for path in retired:
        path.unlink(missing_ok=True)
    for f in new_files:
        if not f.rows:
            f.path.unlink(missing_ok=True)
