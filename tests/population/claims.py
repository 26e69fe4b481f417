"""Tiny Tuva input-layer files for tests: every required column present, defaults for the rest."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from tandem.population.features import _install_params, _install_value_sets, open_session, run_models
from tandem.population.store import TABLES


def _defaults(table: str) -> dict[str, str]:
    return {c.name: "" for c in TABLES[table] if c.required}


ELIGIBILITY_DEFAULT = {
    "person_id": "p1",
    "member_id": "p1",
    "gender": "female",
    "birth_date": "1950-06-15",
    "enrollment_start_date": "2020-01-01",
    "enrollment_end_date": "2021-12-31",
    "payer": "medicare",
    "plan": "medicare",
    "original_reason_entitlement_code": "0",
    "data_source": "test",
}

MEDICAL_DEFAULT = {
    "claim_line_number": "1",
    "person_id": "p1",
    "claim_type": "professional",
    "data_source": "test",
}
PHARMACY_DEFAULT = {"claim_line_number": "1", "person_id": "p1", "data_source": "test"}


def write_table(
    path: Path, table: str, rows: list[dict[str, Any]], extra_columns: tuple[str, ...] = ()
) -> None:
    base = {
        "eligibility": ELIGIBILITY_DEFAULT,
        "medical_claim": MEDICAL_DEFAULT,
        "pharmacy_claim": PHARMACY_DEFAULT,
    }
    columns = list(_defaults(table)) + [c for c in ELIGIBILITY_DEFAULT if table == "eligibility"]
    full_rows = []
    for row in rows:
        merged = {**_defaults(table), **base[table], **{k: str(v) for k, v in row.items()}}
        full_rows.append(merged)
        columns += [k for k in merged if k not in columns]
    columns += [c for c in extra_columns if c not in columns]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(dict.fromkeys(columns)), restval="")
        writer.writeheader()
        writer.writerows(full_rows)


def write_dataset(
    directory: Path,
    eligibility: list[dict[str, Any]] | None = None,
    medical: list[dict[str, Any]] | None = None,
    pharmacy: list[dict[str, Any]] | None = None,
) -> Path:
    write_table(
        directory / "eligibility.csv", "eligibility", eligibility if eligibility is not None else [{}]
    )
    write_table(directory / "medical_claim.csv", "medical_claim", medical or [])
    write_table(directory / "pharmacy_claim.csv", "pharmacy_claim", pharmacy or [])
    return directory


def inpatient(claim_id: str, admit: str, discharge: str, dx: str = "I10", **extra: Any) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "claim_type": "institutional",
        "bill_type_code": "111",
        "claim_start_date": admit,
        "claim_end_date": discharge,
        "admission_date": admit,
        "discharge_date": discharge,
        "diagnosis_code_1": dx,
        "revenue_center_code": "0100",
        **extra,
    }


def professional(claim_id: str, date: str, dx: str = "I10", **extra: Any) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "claim_type": "professional",
        "claim_start_date": date,
        "claim_end_date": date,
        "place_of_service_code": "11",
        "hcpcs_code": "99213",
        "diagnosis_code_1": dx,
        **extra,
    }


def query_models(db: Path, as_of: dt.date, *queries: str) -> list[list[tuple[Any, ...]]]:
    """The rows of each query after every feature model has run as of ``as_of`` (default windows), for tests
    that look inside an intermediate model rather than at the final features."""
    con = open_session(db)
    try:
        _install_value_sets(con)
        _install_params(con, as_of, 6, 12, 24, 90)
        run_models(con)
        return [con.execute(q).fetchall() for q in queries]
    finally:
        con.close()


def ccw_conditions(db: Path, as_of: dt.date, people: list[str]) -> dict[str, set[str]]:
    """Person -> CCW conditions met (int_chronic_conditions), checking the model keeps one row per pair."""
    rows, dupes = query_models(
        db,
        as_of,
        "SELECT person_id, condition_column_name FROM int_chronic_conditions",
        "SELECT count(*) - count(DISTINCT (person_id, condition_column_name)) FROM int_chronic_conditions",
    )
    assert dupes == [(0,)]
    found: dict[str, set[str]] = {p: set() for p in people}
    for person, condition in rows:
        found[person].add(condition)
    return found


def store_rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """The rows of one query on a loaded store, opened read-only and closed again (a load needs it free)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
