"""Run the layered feature models (staging -> intermediate -> final) against the analytics store.

Each model is one named SQL file; this runner materialises them in order as temp tables on a session
that attaches the store read-only, so computing features never changes the loaded claims.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv

from . import charlson, hcc_sql, lace
from .store import empty_code_columns, in_use_error, is_lock_conflict, limit_memory, resolve_db_path

PACKAGE_DIR = Path(__file__).resolve().parent
SQL_DIR = PACKAGE_DIR / "sql"
DATA_DIR = PACKAGE_DIR / "data"

# Model order: each entry is a SQL file under sql/, or a (name, step) handled in Python.
MODELS: tuple[str, ...] = (
    "staging/stg_medical_claim",
    "staging/stg_pharmacy_claim",
    "staging/stg_person",
    "intermediate/int_person_diagnoses",
    "intermediate/int_claim_procedures",
    "intermediate/int_inpatient_stays",
    "intermediate/int_stay_procedures",
    "intermediate/int_ed_visits",
    "intermediate/int_readmissions",
    "intermediate/int_charlson_person_dx",
    "intermediate/int_charlson_stay_dx",
    "charlson:int_charlson_person:int_charlson_person_dx",
    "charlson:int_charlson_stay:int_charlson_stay_dx",
    "intermediate/int_lace",
    "intermediate/int_chronic_conditions",
    "intermediate/int_active_meds",
    "intermediate/int_hcc_dx",
    "intermediate/int_flags",
    "intermediate/int_utilization",
    "python:hcc_scores",
    "final/fct_person_features",
)

# Claim-line staging models are views: copying every stored column of every line into a temp table cost
# more than each consumer re-reading the few columns it needs from the columnar store.
VIEW_MODELS = frozenset({"staging/stg_medical_claim", "staging/stg_pharmacy_claim"})

LEADING_COLUMNS = (
    "person_id, age, sex, ip_admits_6m, ip_admits_12m, ed_visits_6m, ed_visits_12m, readmits_30d_12m, "
    "allowed_12m, paid_12m, active_meds, chronic_conditions, charlson, lace_latest, hcc_v24_raw, "
    "hcc_v28_raw, hcc_v28_normalized, p_top5_cost, p_admit_6m"
).split(", ")


def open_session(db_path: str | os.PathLike[str] | None = None) -> duckdb.DuckDBPyConnection:
    path = resolve_db_path(db_path)
    if not path.exists():
        raise FileNotFoundError(f"analytics store {path} does not exist; run `tandem population load` first")
    con = duckdb.connect()
    limit_memory(con, path)
    escaped = str(path).replace("'", "''")
    try:
        con.execute(f"ATTACH '{escaped}' AS store (READ_ONLY)")
    except duckdb.IOException as exc:
        con.close()
        if is_lock_conflict(exc):
            raise in_use_error(path, exc, writing=False) from exc
        raise
    con.execute("SET search_path = 'temp.main,store.main'")
    return con


def _install_value_sets(con: duckdb.DuckDBPyConnection) -> None:
    charlson.install_value_set(con)
    lace.install_macros(con)
    _install_chronic_condition_map(con)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE hcc_cpt_hcpcs AS SELECT * FROM read_csv(?, header = true, "
        "all_varchar = true)",
        [str(DATA_DIR / "cms_hcc_cpt_hcpcs_py2024.csv")],
    )
    # The CMS Planned Readmission Algorithm v4.0's lists, read by int_readmissions (sources: data/README.md):
    # always-planned principal diagnoses (CCS 45, 254), always/potentially planned procedures, acute
    # principal diagnoses.
    for table, file in PLANNED_READMISSION_FILES.items():
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_csv(?, header = true, "
            "all_varchar = true)",
            [str(DATA_DIR / file)],
        )


PLANNED_READMISSION_FILES = {
    "planned_readmission_dx": "cms_planned_readmission_dx.csv",
    "planned_readmission_px": "cms_planned_readmission_procedures.csv",
    "planned_readmission_acute_dx": "cms_planned_readmission_acute_dx.csv",
}


# CCW claim types as int_person_diagnoses numbers them (ccw_class bits); "all" = every non-drug claim type.
CCW_CLAIM_TYPES = {"ip": 1, "snf": 2, "hha": 4, "hop": 8, "carrier": 16, "other": 32, "ed": 64}
CCW_ALL_TYPES = ("ip", "snf", "hha", "hop", "carrier", "other")
PCS_CLAIM_TYPES = 63  # every claim-type bit but ED's (64)


def ccw_class_mask(types: str) -> int:
    """Bit mask of a rule's space-separated claim types (`all` = every non-drug type, not ED on its own)."""
    names = CCW_ALL_TYPES if types.strip() == "all" else types.split()
    return sum(CCW_CLAIM_TYPES[n] for n in names)


def _install_chronic_condition_map(con: duckdb.DuckDBPyConnection) -> None:
    """`chronic_condition_map`: one row per CCW condition and code, with the condition's claim rule.

    Include codes (`cms_chronic_conditions.csv`, ICD-10-CM), the claim-level exclusion codes of BPH and
    stroke/TIA (`cms_chronic_conditions_exclusions.csv`) and the non-diagnosis codes (`code_system` HCPCS,
    NDC, MS-DRG: `cms_chronic_conditions_other_codes.csv`; OUD, tobacco use, HIV/AIDS), each joined to its
    rule (`cms_chronic_conditions_rules.csv`: reference period, claim types for one claim, N claims of which
    types).
    `naltrexone` marks the NDCs of OUD's naltrexone exception, `needs_other_claim` HIV's screening code R75
    (Tuva `additional_logic`). One table so the Spark engine ships it as it is. Sources: data/README.md and
    docs/population.md.
    """
    rules = pacsv.read_csv(
        DATA_DIR / "cms_chronic_conditions_rules.csv",
        convert_options=pacsv.ConvertOptions(
            column_types={"min_claims": pa.int32()}, strings_can_be_null=True
        ),
    )
    rule_table = pa.table(
        {
            "condition_column_name": rules["condition_column_name"],
            "reference_months": pa.array([int(m) for m in rules["reference_months"].to_pylist()], pa.int32()),
            "one_class_mask": pa.array(
                [ccw_class_mask(t or "") for t in rules["one_claim_types"].to_pylist()], pa.int32()
            ),
            "min_claims": rules["min_claims"],
            "min_claims_mask": pa.array(
                [ccw_class_mask(t or "") for t in rules["min_claims_types"].to_pylist()], pa.int32()
            ),
            # ICD-10-PCS codes (rules file `pcs_rule`, from Tuva's claims_qualification text): a claim with
            # one meets the rule alone for these claim types — any type for `one_claim` (alcohol/drug use
            # disorders), else the rule's one-claim types without the ED clause, which is ICD-10-CM only
            # (OUD) — and `needs_diagnosis_on_claim` (liver disease) leaves the codes unread: such a
            # claim already counts by its diagnosis.
            "pcs_one_class_mask": pa.array(
                [
                    ccw_class_mask("all")
                    if rule == "one_claim"
                    else ccw_class_mask(types or "") & PCS_CLAIM_TYPES
                    for rule, types in zip(
                        rules["pcs_rule"].to_pylist(), rules["one_claim_types"].to_pylist(), strict=True
                    )
                ],
                pa.int32(),
            ),
            "pcs_counts": pa.array(
                [rule != "needs_diagnosis_on_claim" for rule in rules["pcs_rule"].to_pylist()]
            ),
        }
    )
    con.register("ccw_rules_input", rule_table)
    try:
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE chronic_condition_map AS
            WITH names AS (
                SELECT DISTINCT condition_column_name, condition, condition_category
                FROM read_csv(?, header = true, all_varchar = true)
            ),
            codes AS (
                SELECT condition_column_name, condition, condition_category, code,
                       'Include' AS inclusion_type, 'ICD-10-CM' AS code_system, false AS naltrexone
                FROM read_csv(?, header = true, all_varchar = true)
                UNION ALL
                SELECT e.condition_column_name, i.condition, i.condition_category, e.code, 'Exclude',
                       'ICD-10-CM', false
                FROM read_csv(?, header = true, all_varchar = true) AS e
                INNER JOIN names AS i USING (condition_column_name)
                UNION ALL
                SELECT o.condition_column_name, i.condition, i.condition_category, o.code, 'Include',
                       o.code_system, o.naltrexone = 'true'
                FROM read_csv(?, header = true, all_varchar = true) AS o
                INNER JOIN names AS i USING (condition_column_name)
            )
            SELECT c.*,
                   -- HIV/AIDS: "R75 requires a second qualifying claim that is not R75 (a screening code)"
                   -- (Tuva additional_logic).
                   c.condition_column_name
                       = 'human_immunodeficiency_virus_and_or_acquired_immunodeficiency_syndrome_hiv_aids'
                       AND c.code_system = 'ICD-10-CM' AND c.code = 'R75' AS needs_other_claim,
                   r.reference_months, r.one_class_mask, r.min_claims, r.min_claims_mask,
                   r.pcs_one_class_mask, r.pcs_counts
            FROM codes AS c
            INNER JOIN ccw_rules_input AS r USING (condition_column_name)
            """,
            [
                str(DATA_DIR / "cms_chronic_conditions.csv"),
                str(DATA_DIR / "cms_chronic_conditions.csv"),
                str(DATA_DIR / "cms_chronic_conditions_exclusions.csv"),
                str(DATA_DIR / "cms_chronic_conditions_other_codes.csv"),
            ],
        )
    finally:
        con.unregister("ccw_rules_input")


def _install_params(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    short_months: int,
    long_months: int,
    chronic_months: int,
    active_med_days: int,
) -> None:
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE params AS
        SELECT CAST(? AS DATE) AS as_of,
               CAST(CAST(? AS DATE) - to_months(?) AS DATE) AS short_start,
               CAST(CAST(? AS DATE) - to_months(?) AS DATE) AS long_start,
               CAST(CAST(? AS DATE) - to_months(?) AS DATE) AS chronic_start,
               CAST(? AS INTEGER) AS active_med_days
        """,
        [as_of, as_of, short_months, as_of, long_months, as_of, chronic_months, active_med_days],
    )


def _hcc_scores(con: duckdb.DuckDBPyConnection) -> None:
    """HCC scores for everyone in `stg_person` from `int_hcc_dx`, as set operations in SQL (`hcc_sql`)."""
    hcc_sql.build_scores(con)


def run_models(con: duckdb.DuckDBPyConnection) -> None:
    empty = empty_code_columns(con)
    for model in MODELS:
        if model.startswith("charlson:"):
            _, name, source = model.split(":")
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {charlson.charlson_sql(source)}")
        elif model == "python:hcc_scores":
            _hcc_scores(con)
        else:
            name = model.split("/")[-1]
            sql = (SQL_DIR / f"{model}.sql").read_text(encoding="utf-8")
            if model == "staging/stg_medical_claim" and empty:
                # The models read code positions as COLUMNS('^diagnosis_code_[0-9]+$'): positions no
                # stored file has a code in are not offered to them (1M members: -2 s of unpivoting).
                sql = f"SELECT * EXCLUDE ({', '.join(empty)}) FROM ({sql})"
            kind = "VIEW" if model in VIEW_MODELS else "TABLE"
            con.execute(f"CREATE OR REPLACE TEMP {kind} {name} AS {sql}")


def build_features(
    as_of: dt.date,
    db_path: str | os.PathLike[str] | None = None,
    *,
    lookback_months: tuple[int, int] = (6, 12),
    chronic_months: int = 24,
    active_med_days: int = 90,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """One row per person as of ``as_of``; window columns are named after the look-back months."""
    short, long = lookback_months
    if not 0 < short <= long:
        raise ValueError("lookback months must be positive with the short window first (e.g. 6,12)")
    own = con is None
    session = open_session(db_path) if con is None else con
    try:
        _install_value_sets(session)
        _install_params(session, as_of, short, long, chronic_months, active_med_days)
        run_models(session)
        names = [d[0] for d in session.execute("SELECT * FROM fct_person_features LIMIT 0").description]
        aliases = ", ".join(f'"{n}" AS "{_window_name(n, short, long)}"' for n in names)
        table: pa.Table = session.sql(f"SELECT {aliases} FROM fct_person_features").to_arrow_table()
    finally:
        if own:
            session.close()
    return table


def _window_name(column: str, short: int, long: int) -> str:
    if column.endswith("_short"):
        return column[: -len("_short")] + f"_{short}m"
    if column.endswith("_long"):
        return column[: -len("_long")] + f"_{long}m"
    return column


def write_csv(table: pa.Table, out: str | os.PathLike[str]) -> None:
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, str(out))
