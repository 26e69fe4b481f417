"""LACE readmission index point tables, installed as DuckDB macros used by ``int_lace.sql``."""

from __future__ import annotations

from pathlib import Path

import duckdb

MACROS = Path(__file__).resolve().parent / "sql" / "macros" / "lace.sql"


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    text = MACROS.read_text(encoding="utf-8")
    code = "\n".join(line for line in text.splitlines() if not line.strip().startswith("--"))
    for statement in code.split(";"):
        if statement.strip():
            con.execute(statement)


def lace_points(
    con: duckdb.DuckDBPyConnection, length_of_stay: int, emergent: bool, charlson: int, ed_visits: int
) -> tuple[int, int, int, int]:
    """L, A, C and E points for one discharge, computed by the same macros the feature models use."""
    row = con.execute(
        "SELECT lace_l_points(?), lace_a_points(?), lace_c_points(?), lace_e_points(?)",
        [length_of_stay, emergent, charlson, ed_visits],
    ).fetchall()[0]
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])
