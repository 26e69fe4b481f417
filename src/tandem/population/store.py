"""The DuckDB analytics store: where loaded claims live, separate from the Django database.

Claims are large, append-mostly and queried column-wise, so they go to an embedded columnar store
rather than to the transactional database. This module owns the stored schema so that the loader and
the feature models agree on column names and types.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

DEFAULT_DB_PATH = Path("var") / "analytics.duckdb"
DB_ENV_VAR = "TANDEM_ANALYTICS_DB"

N_DIAGNOSES = 25


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


def connect(
    path: str | os.PathLike[str] | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open the store and make sure the claim tables exist, so every caller sees one schema."""
    db_path = resolve_db_path(path)
    if read_only:
        if not db_path.exists():
            raise FileNotFoundError(f"analytics store {db_path} does not exist; run `population load` first")
        return duckdb.connect(str(db_path), read_only=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for table, columns in TABLES.items():
        cols = ", ".join(f"{c.name} {c.sql_type}" for c in columns)
        con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")
    con.execute(
        "CREATE TABLE IF NOT EXISTS load_log (loaded_at TIMESTAMP, table_name VARCHAR, "
        "file_name VARCHAR, rows_in_file BIGINT)"
    )
