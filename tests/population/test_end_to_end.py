"""Load the Tuva sample (10 synthetic Medicare members) and compute features for all of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.population.features import LEADING_COLUMNS, build_features
from tandem.population.load_tuva import load_directory

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "tuva-input-layer"

pytestmark = pytest.mark.skipif(
    not (SAMPLE / "medical_claim_seed.csv").exists(), reason=f"Tuva sample data not found at {SAMPLE}"
)


def test_sample_loads_and_yields_ten_people(tmp_path: Path) -> None:
    db = tmp_path / "analytics.duckdb"
    result = load_directory(SAMPLE, db)
    assert result.rows_in_store == {"eligibility": 31, "medical_claim": 2075, "pharmacy_claim": 291}
    assert load_directory(SAMPLE, db).rows_in_store == result.rows_in_store  # reload is idempotent

    table = build_features(dt.date(2018, 6, 30), db)
    rows = {r["person_id"]: r for r in table.to_pylist()}
    assert table.column_names[: len(LEADING_COLUMNS)] == LEADING_COLUMNS
    assert len(rows) == 10
    # Person 10046: stays 2018-04-07..04-10 and 2018-04-17..04-24 (the second a 30-day readmission).
    assert (rows["10046"]["ip_admits_6m"], rows["10046"]["readmits_30d_12m"]) == (2, 1)
    assert rows["10"]["age"] == 73  # born 1945-05-16
    for row in rows.values():
        assert row["hcc_v28_raw"] is not None and row["hcc_v28_raw"] > 0
        assert row["charlson"] >= 0 and row["ed_visits_12m"] >= row["ed_visits_6m"]
        assert row["ip_admits_12m"] >= row["ip_admits_6m"]
