"""Shared fixtures: one realistic-size synthetic population generated once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tandem.synth.generator import generate

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
REALISM_MEMBERS = 20_000
REALISM_MONTHS = 24


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only reference data folder; tests that compare against it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA} (only present in the development workspace)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def population_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth_population")
    generate(members=REALISM_MEMBERS, months=REALISM_MONTHS, seed=20240, out_dir=out, fmt="parquet")
    return out


@pytest.fixture(scope="session")
def claims_db(population_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """DuckDB views `elig`, `med`, `rx` over the generated population."""
    con = duckdb.connect()
    for view, table in (("elig", "eligibility"), ("med", "medical_claim"), ("rx", "pharmacy_claim")):
        con.execute(f"create view {view} as select * from read_parquet('{population_dir / table}.parquet')")
    yield con
    con.close()
