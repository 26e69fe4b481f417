"""The same feature models on DuckDB and on Spark give the same features and scores."""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from tandem.population.features import build_features
from tandem.population.load_tuva import load_directory
from tandem.population.spark_sql import to_spark
from tandem.synth.generator import generate

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "tuva-input-layer"
REQUIRE = os.environ.get("TANDEM_REQUIRE_SPARK") == "1"


def test_translation_rewrites_duckdb_only_constructs() -> None:
    sql = to_spark(
        "select date_diff('year', b, a) as age, a - to_days(3) as d, list(x order by x) as xs "
        "from t group by a, b"
    )
    assert "YEAR(a) - YEAR(b)" in sql and "DATE_SUB(a, 3)" in sql and "SORT_ARRAY(COLLECT_LIST(x))" in sql


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    reason = ""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        reason = "no Java runtime (install a JRE 17+, e.g. Debian openjdk-17-jre-headless)"
    else:
        try:
            from tandem.population.spark_engine import SparkUnavailable, spark_session

            try:
                session = spark_session(shuffle_partitions=1)
            except SparkUnavailable as exc:
                reason = str(exc)
        except ImportError as exc:
            reason = f"pyspark is not importable: {exc}"
    if reason:
        if REQUIRE:
            pytest.fail(f"TANDEM_REQUIRE_SPARK=1 but Spark is unavailable: {reason}")
        pytest.skip(reason)
    yield session
    session.stop()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9)
    return bool(a == b)


def assert_same_tables(duck: pa.Table, spark: pa.Table) -> None:
    assert spark.column_names == duck.column_names
    assert spark.num_rows == duck.num_rows
    for name in duck.column_names:
        left, right = duck.column(name).to_pylist(), spark.column(name).to_pylist()
        bad = [(i, x, y) for i, (x, y) in enumerate(zip(left, right, strict=True)) if not _same(x, y)]
        assert not bad, f"column {name} differs in {len(bad)} rows, e.g. {bad[:3]}"


@pytest.mark.slow
@pytest.mark.skipif(
    not (SAMPLE / "medical_claim_seed.csv").exists(), reason=f"Tuva sample not found at {SAMPLE}"
)
def test_tuva_sample_same_on_both_engines(spark: Any, tmp_path: Path) -> None:
    from tandem.population.spark_engine import build_features_spark

    db = tmp_path / "tuva.duckdb"
    load_directory(SAMPLE, db)
    as_of = dt.date(2018, 6, 30)
    assert_same_tables(build_features(as_of, db), build_features_spark(as_of, db, spark=spark))


@pytest.mark.slow
def test_synthetic_sample_same_features_and_scores(spark: Any, tmp_path: Path) -> None:
    from tandem.population.model import fit, score_with_model, training_set
    from tandem.population.spark_engine import build_features_spark

    generate(400, 24, 3, tmp_path / "claims", fmt="parquet", start=dt.date(2024, 1, 1))
    db = tmp_path / "synthetic.duckdb"
    load_directory(tmp_path / "claims", db)
    as_of = dt.date(2025, 12, 31)
    duck = build_features(as_of, db)
    on_spark = build_features_spark(as_of, db, spark=spark)
    assert duck.num_rows > 300
    assert_same_tables(duck, on_spark)
    model = fit(training_set(as_of, db), as_of, seed=1)
    assert_same_tables(score_with_model(duck, model), score_with_model(on_spark, model))
