"""Charlson comorbidity index: Quan 2005 ICD-10 coding, Quan 2011 weights (and 1987 weights for LACE).

The coding lives in ``data/charlson_quan2005_icd10.csv`` and the logic in ``sql/macros/charlson.sql``;
this module loads the value set and renders the macro so the feature models and the tests run the same SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

PACKAGE_DIR = Path(__file__).resolve().parent
VALUE_SET = PACKAGE_DIR / "data" / "charlson_quan2005_icd10.csv"
MACRO = PACKAGE_DIR / "sql" / "macros" / "charlson.sql"


@dataclass(frozen=True)
class CharlsonResult:
    quan2011: int
    charlson1987: int
    conditions: tuple[str, ...]


def install_value_set(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE charlson_map AS SELECT * FROM read_csv(?, header = true, "
        "columns = {'condition': 'VARCHAR', 'description': 'VARCHAR', 'weight_quan2011': 'INTEGER', "
        "'weight_charlson1987': 'INTEGER', 'icd10_prefix': 'VARCHAR'})",
        [str(VALUE_SET)],
    )


def charlson_sql(dx_relation: str) -> str:
    """The Charlson query over a relation with columns (entity_id, diagnosis_code)."""
    return MACRO.read_text(encoding="utf-8").replace("{dx}", dx_relation)


def score_codes(codes_by_entity: Mapping[str, Iterable[str]]) -> dict[str, CharlsonResult]:
    """Score small sets of codes directly (used by tests and ad-hoc checks) with the production SQL."""
    con = duckdb.connect()
    try:
        install_value_set(con)
        con.execute("CREATE TEMP TABLE __dx (entity_id VARCHAR, diagnosis_code VARCHAR)")
        rows = [(k, c.replace(".", "").upper()) for k, codes in codes_by_entity.items() for c in codes]
        if rows:
            con.executemany("INSERT INTO __dx VALUES (?, ?)", rows)
        found = con.execute(charlson_sql("__dx")).fetchall()
    finally:
        con.close()
    out = {k: CharlsonResult(0, 0, ()) for k in codes_by_entity}
    for entity_id, quan, c1987, conditions in found:
        out[entity_id] = CharlsonResult(int(quan), int(c1987), tuple(conditions))
    return out
