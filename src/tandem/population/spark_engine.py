"""Run the same feature models on Apache Spark, for populations that outgrow one machine.

Nothing about a feature is defined here: the models are the files in ``sql/`` run in the order of
``features.MODELS``, translated by ``spark_sql.to_spark``; the value sets, the parameter row and the HCC
coefficient tables are produced by the same code the DuckDB engine uses and handed to Spark as tables. The
CMS-HCC scores run in Spark too: ``hcc_sql.scores_sql`` translated like the models, so no person passes
through the driver (only the distinct raw V28 scores, normalised as ``hcc_sql.build_scores`` does). Spark
reads the claims as Parquet in the stored schema (``export_store`` writes that from a DuckDB store; at scale
the loader's output would be written there directly).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from . import charlson, features, hcc_sql
from .spark_sql import to_spark
from .store import TABLES
from .store import connect as store_connect

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

ENGINES = ("duckdb", "spark")
VALUE_SET_TABLES = (
    "charlson_map",
    "chronic_condition_map",
    "hcc_cpt_hcpcs",
    *features.PLANNED_READMISSION_FILES,
)


class SparkUnavailable(RuntimeError):
    """PySpark is not installed or no Java runtime could start it."""


def spark_session(master: str = "local[2]", shuffle_partitions: int = 4) -> SparkSession:
    """A local session sized for one machine; at scale, pass a session built for the cluster instead."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SparkUnavailable("pyspark is not installed (pip install pyspark)") from exc
    try:
        session = (
            SparkSession.builder.master(master)
            .appName("tandem-population")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.memory", os.environ.get("TANDEM_SPARK_DRIVER_MEMORY", "2g"))
            .getOrCreate()
        )
    except Exception as exc:  # pragma: no cover - Java missing or failing to start
        raise SparkUnavailable(f"Spark could not start (is a Java 17+ runtime installed?): {exc}") from exc
    session.sparkContext.setLogLevel("ERROR")
    # py4j logs "closing connection" from finalizers at interpreter exit, after the console
    # stream is gone, which prints a spurious "Logging error" traceback.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    return session


def export_store(db_path: str | os.PathLike[str] | None, out_dir: str | os.PathLike[str]) -> Path:
    """Write the stored claim tables as Parquet, the input format of the Spark engine."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = store_connect(db_path, read_only=True)
    try:
        for table in TABLES:
            target = str(out / f"{table}.parquet").replace("'", "''")
            con.execute(f"COPY (SELECT * FROM {table}) TO '{target}' (FORMAT parquet)")
    finally:
        con.close()
    return out


def _to_spark_table(spark: SparkSession, name: str, table: pa.Table) -> None:
    spark.createDataFrame(table).createOrReplaceTempView(name)


def build_features_spark(
    as_of: dt.date,
    db_path: str | os.PathLike[str] | None = None,
    *,
    input_dir: str | os.PathLike[str] | None = None,
    lookback_months: tuple[int, int] = (6, 12),
    chronic_months: int = 24,
    active_med_days: int = 90,
    spark: SparkSession | None = None,
) -> pa.Table:
    """`features.build_features` on Spark: same columns, same values."""
    short, long = lookback_months
    if not 0 < short <= long:
        raise ValueError("lookback months must be positive with the short window first (e.g. 6,12)")
    session = spark or spark_session()
    with tempfile.TemporaryDirectory(prefix="tandem-spark-") as tmp:
        source = Path(input_dir) if input_dir is not None else export_store(db_path, tmp)
        for table in TABLES:
            session.read.parquet(str(source / f"{table}.parquet")).createOrReplaceTempView(table)
        helper = duckdb.connect()
        try:
            features._install_value_sets(helper)
            features._install_params(helper, as_of, short, long, chronic_months, active_med_days)
            for name in (*VALUE_SET_TABLES, "params"):
                _to_spark_table(session, name, helper.sql(f"SELECT * FROM {name}").to_arrow_table())
            _run_models(session)
        finally:
            helper.close()
        # Handed over as Parquet files, not `toArrow()`: the socket-served Arrow collect hung now and then in
        # local mode (the driver waiting in SocketAuthServer.getResult after the batches were served; seen
        # in CI and in test runs, never reproduced on demand), and files are what a cluster would hand over.
        out = Path(tmp) / "fct_person_features"
        session.sql("SELECT * FROM fct_person_features").write.parquet(str(out))
        result = pq.read_table(out)
        cached: Any = session.catalog
        cached.clearCache()
    names = [features._window_name(n, short, long) for n in result.column_names]
    return result.rename_columns(names).sort_by("person_id")


def _run_models(spark: SparkSession) -> None:
    for model in features.MODELS:
        if model.startswith("charlson:"):
            _, name, source = model.split(":")
            sql = to_spark(charlson.charlson_sql(source))
        elif model == "python:hcc_scores":
            build_hcc_scores(spark)
            continue
        else:
            name = model.split("/")[-1]
            sql = to_spark((features.SQL_DIR / f"{model}.sql").read_text(encoding="utf-8"))
        # Each model is computed and cut from its lineage as it is made (a plan leaf for the models that read
        # it), as the HCC step below is: with only `cache()`, the final model's analysed plan held every
        # model's full plan, inlined once per reference, and analysis ran the driver out of heap once the
        # procedure models were added (a 400-person sample, 2 GB, in CI).
        _checkpoint(spark, spark.sql(sql)).createOrReplaceTempView(name)


def hcc_tables() -> dict[str, pa.Table]:
    """The coefficient and mapping tables `hcc_sql.install_tables` creates, read back as Arrow by name."""
    con = duckdb.connect()
    try:
        hcc_sql.install_tables(con)
        names = [
            r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
        ]
        return {name: con.sql(f"SELECT * FROM {name}").to_arrow_table() for name in sorted(names)}
    finally:
        con.close()


def build_hcc_scores(spark: SparkSession, target: str = "hcc_scores") -> None:
    """`hcc_sql.build_scores` on Spark: ``target`` from the Spark relations ``stg_person`` and ``int_hcc_dx``.

    The query is `hcc_sql.scores_sql` through `to_spark`; its tables (a few thousand rows) are handed over
    like the value sets. The V28 normalisation is Python's `round` on the distinct raw scores, as in
    `build_scores`, so only those few values visit the driver.
    """
    for name, table in hcc_tables().items():
        _to_spark_table(spark, name, table)
    # The query names `seg` a dozen times and Spark inlines CTEs, so with the inputs' whole lineage in the
    # plan its analysis took seconds and `fct_person_features` (which joins the result) ran out of driver
    # heap in analysis. Checkpointed inputs and results are plan leaves; the rows stay on the executors.
    for name in ("stg_person", "int_hcc_dx"):
        _checkpoint(spark, spark.table(name)).createOrReplaceTempView(name)
    columns = set(spark.table("stg_person").columns)
    sql = hcc_sql.scores_sql(
        hcc_sql.ENROLLED_MONTHS_COLUMN in columns, hcc_sql.INSTITUTIONAL_COLUMN in columns
    )
    _checkpoint(spark, spark.sql(to_spark(sql))).createOrReplaceTempView("__hcc_raw")
    distinct = spark.sql("SELECT DISTINCT hcc_v28_raw FROM __hcc_raw WHERE hcc_v28_raw IS NOT NULL")
    raws = [r[0] for r in distinct.collect()]
    _to_spark_table(spark, "__hcc_norm", hcc_sql.normalization_table(raws))
    scores = spark.sql(to_spark(hcc_sql.NORMALIZED_SCORES))
    _checkpoint(spark, scores).createOrReplaceTempView(target)
    spark.catalog.dropTempView("__hcc_raw")
    spark.catalog.dropTempView("__hcc_norm")


def _checkpoint(spark: SparkSession, frame: DataFrame) -> DataFrame:
    """``frame`` computed now and cut from its lineage: reliably (`checkpoint`) when the session has a
    checkpoint directory, as a cluster's should; otherwise in the executors' block stores
    (`localCheckpoint`)."""
    if spark.sparkContext.getCheckpointDir() is not None:
        return frame.checkpoint(eager=True)
    return frame.localCheckpoint(eager=True)


def compute_features(
    as_of: dt.date,
    db_path: str | os.PathLike[str] | None = None,
    *,
    engine: str = "duckdb",
    lookback_months: tuple[int, int] = (6, 12),
) -> pa.Table:
    """The features table from the chosen engine (the CLI's `--engine`)."""
    if engine == "duckdb":
        return features.build_features(as_of, db_path, lookback_months=lookback_months)
    if engine == "spark":
        return build_features_spark(as_of, db_path, lookback_months=lookback_months)
    raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
