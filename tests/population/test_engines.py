"""The same feature models on DuckDB and on Spark give the same features and scores."""

from __future__ import annotations

import datetime as dt
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from tandem.population import hcc_sql
from tandem.population.features import build_features
from tandem.population.load_tuva import load_directory
from tandem.population.spark_sql import to_spark
from tandem.synth.generator import generate

from .test_hcc_segments import _population

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "tuva-input-layer"
REQUIRE = os.environ.get("TANDEM_REQUIRE_SPARK") == "1"


def test_translation_rewrites_duckdb_only_constructs() -> None:
    sql = to_spark(
        "select date_diff('year', b, a) as age, a - to_days(3) as d, list(x order by x) as xs "
        "from t group by a, b"
    )
    assert "YEAR(a) - YEAR(b)" in sql and "DATE_SUB(a, 3)" in sql and "SORT_ARRAY(COLLECT_LIST(x))" in sql


def test_full_match_becomes_an_anchored_rlike() -> None:
    sql = to_spark("select regexp_full_match(d, '[0-9]+') as digits from t")
    assert "REGEXP_FULL_MATCH" not in sql.upper()
    assert "d RLIKE '^(?:[0-9]+)\\\\z'" in sql  # the Spark literal '\\z' is the regex end of input \z
    with pytest.raises(NotImplementedError):
        to_spark("select regexp_full_match(d, p) from t")


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


# ---------------------------------------------------------------------------------------------------------
# HCC scores: hcc_sql.scores_sql on DuckDB and, translated, on Spark

FULL_MATCH_CASES = ["1", "12", "02", "a1", "1a", "", " 1", "1\n", "\n1", "x"]


def test_full_match_means_the_same_on_spark(spark: Any) -> None:
    duck = duckdb.connect()
    try:
        expected = [
            duck.execute("SELECT regexp_full_match(?, '[0-9]+')", [case]).fetchone()[0]  # type: ignore[index]
            for case in FULL_MATCH_CASES
        ]
    finally:
        duck.close()
    spark.createDataFrame(
        pa.table({"i": range(len(FULL_MATCH_CASES)), "d": FULL_MATCH_CASES})
    ).createOrReplaceTempView("full_match_cases")
    sql = to_spark("select i, regexp_full_match(d, '[0-9]+') as digits from full_match_cases order by i")
    assert [r["digits"] for r in spark.sql(sql).collect()] == expected
    assert expected.count(True) == 3  # "1", "12", "02": the newline cases must not match


# Codes either side of each behavioural-health rule of int_flags: chapter F ranges, suicidality outside F,
# the intent character of self-harm poisonings in its three positions, X71-X83, and social-needs Z codes.
FLAG_CODES = [
    "F19",
    "F20",
    "F489",
    "F49",
    "F60",
    "F70",
    "F99",
    "F17210",
    "F1010",
    "R45851",
    "R4588",
    "R4589",
    "T1491XA",
    "T1490XA",
    "T3692XA",
    "T3691XA",
    "T360X2A",
    "T360X3A",
    "T40412A",
    "T40414A",
    "T652X2A",
    "T6592XA",
    "T66XXXA",
    "T71162A",
    "T71163A",
    "X710XXA",
    "X838XXA",
    "X8400XA",
    "Z590",
    "Z5900",
    "Z560",
    "Z655",
    "Z66",
    "Z9151",
]


def test_flag_rules_mean_the_same_on_spark(spark: Any) -> None:
    """Synthetic and sample claims carry few of these codes, so the flag predicates (substr positions,
    range comparisons, the social-needs code list) are compared code by code."""
    from tandem.population.features import SQL_DIR

    sql = (SQL_DIR / "intermediate" / "int_flags.sql").read_text(encoding="utf-8")
    people = pa.table(
        {"person_id": FLAG_CODES, "diagnosis_code": FLAG_CODES, "in_long_window": [True] * len(FLAG_CODES)}
    )
    duck = duckdb.connect()
    try:
        duck.register("int_person_diagnoses", people)
        expected = duck.execute(f"SELECT * FROM ({sql}) ORDER BY person_id").fetchall()
        columns = [d[0] for d in duck.description]
    finally:
        duck.close()
    spark.createDataFrame(people.to_pylist()).createOrReplaceTempView("int_person_diagnoses")
    frame = spark.sql(f"SELECT * FROM ({to_spark(sql)}) ORDER BY person_id")
    assert frame.columns == columns
    got = [tuple(r) for r in frame.collect()]
    flagged = {r[0] for r in expected if r[columns.index("behavioral_health_flag")]}
    assert {"T3692XA", "T360X2A", "T40412A", "X838XXA", "R45851"} <= flagged
    assert not flagged & {"T3691XA", "T360X3A", "T40414A", "X8400XA", "Z9151", "F1010", "F70"}
    assert got == expected


HCC_COLUMNS = [
    "person_id",
    "hcc_v24_raw",
    "hcc_v28_raw",
    "hcc_v28_normalized",
    "hcc_v24_list",
    "hcc_v28_list",
    "hcc_segment",
]
PERSON_SCHEMA = pa.schema(
    [
        ("person_id", pa.string()),
        ("age", pa.int32()),
        ("sex", pa.string()),
        ("orec", pa.string()),
        ("dual_status_code", pa.string()),
        ("entitled_months_base_year", pa.int32()),
        ("long_term_institutional_on_as_of", pa.bool_()),
    ]
)


def _hcc_on_both(
    spark: Any, people: pa.Table, dx: pa.Table
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    from tandem.population.spark_engine import build_hcc_scores

    con = duckdb.connect()
    try:
        con.register("people", people)
        con.register("dx", dx)
        con.execute("CREATE TEMP TABLE stg_person AS SELECT * FROM people")
        con.execute("CREATE TEMP TABLE int_hcc_dx AS SELECT * FROM dx")
        hcc_sql.build_scores(con)
        duck = con.execute(f"SELECT {', '.join(HCC_COLUMNS)} FROM hcc_scores ORDER BY person_id").fetchall()
    finally:
        con.close()
    spark.createDataFrame(people).createOrReplaceTempView("stg_person")
    spark.createDataFrame(dx).createOrReplaceTempView("int_hcc_dx")
    build_hcc_scores(spark)
    frame = spark.sql(f"SELECT {', '.join(HCC_COLUMNS)} FROM hcc_scores ORDER BY person_id")
    assert frame.columns == HCC_COLUMNS
    on_spark = [tuple(r) for r in frame.collect()]
    spark.catalog.clearCache()
    return duck, on_spark


@pytest.mark.slow
def test_hcc_scores_same_on_spark_in_every_segment(spark: Any) -> None:
    """The population of test_hcc_segments (checked there against hcc.score in all three segments, with its
    institutional interactions, DISABLED_* terms, count factors and new-enrollee cells), plus people without
    age or sex, dotted lower-case codes and codes that map to nothing: identical on both engines."""
    people, dx = _population(900, seed=23)
    people += [
        ("no_age", None, "female", "0", None, 12, False),  # type: ignore[list-item]
        ("no_sex", 70, None, "0", None, 12, False),  # type: ignore[list-item]
        ("dotted", 70, "m", "0", "4", 12, False),
        ("unmapped", 70, "f", "1", "1", 12, True),
    ]
    dx += [("dotted", "e11.9"), ("dotted", "i50.22"), ("unmapped", "Z000"), ("no_age", "E119")]
    person_table = pa.Table.from_pylist(
        [dict(zip(PERSON_SCHEMA.names, p, strict=True)) for p in people], PERSON_SCHEMA
    )
    dx_table = pa.table({"person_id": [d[0] for d in dx], "diagnosis_code": [d[1] for d in dx]})
    duck, on_spark = _hcc_on_both(spark, person_table, dx_table)
    assert len(duck) == len(people)
    assert on_spark == duck  # exact: integer thousandths, one division, the same rounding of V28
    by_id = {r[0]: r for r in duck}
    segments = [r[6] for r in duck]
    assert min(segments.count(s) for s in hcc_sql.SEGMENTS) >= 150
    assert by_id["no_age"][1:] == (None, None, None, "", "", None) and by_id["no_sex"][6] is None
    assert by_id["dotted"][4] == "HCC19 HCC85" and by_id["unmapped"][4:] == ("", "", "institutional")
    lists = [r[k].split() for r in duck for k in (4, 5)]
    assert sum(1 for hccs in lists if len(hccs) >= 2) >= 100
    assert any(sorted(hccs) != hccs for hccs in lists)  # text order differs: the lists are sorted as numbers
    assert all(
        [int(h.removeprefix("HCC")) for h in hccs] == sorted(int(h[3:]) for h in hccs) for hccs in lists
    )

    # an older stg_person without the segment columns: everyone is community, on both engines
    duck, on_spark = _hcc_on_both(
        spark,
        person_table.drop_columns(["entitled_months_base_year", "long_term_institutional_on_as_of"]),
        dx_table,
    )
    assert on_spark == duck and {r[6] for r in duck} == {"community", None}

    # nobody scorable: no raw V28 score to normalise
    nobody = person_table.filter(pc.is_null(person_table["age"]))
    duck, on_spark = _hcc_on_both(spark, nobody, dx_table)
    assert on_spark == duck == [("no_age", None, None, None, "", "", None)]
