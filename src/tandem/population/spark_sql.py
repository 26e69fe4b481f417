"""Translate the layered DuckDB feature SQL into Spark SQL: the one place where the dialects differ.

The models in ``sql/`` are the single definition of every feature. SQLGlot parses them as DuckDB and writes
Spark SQL; the rewrites below cover what it does not translate with the same meaning, each checked against
DuckDB by the engine-equality test:

* DuckDB's simplified ``UNPIVOT ... ON COLUMNS('regex')`` becomes Spark's ``UNPIVOT (v FOR n IN (...))``
  over the explicit column list (both drop NULL values by default); ``COLUMNS('regex')`` elsewhere in a
  select list, and ``COALESCE(*COLUMNS('regex'))``, become the explicit code columns.
* ``to_days(n)`` day arithmetic becomes ``date_add`` / ``date_sub``.
* ``date_diff('year', a, b)`` counts year boundaries in DuckDB but whole years in Spark: rewritten as
  ``year(b) - year(a)``.
* ``list(x ORDER BY x)`` becomes ``sort_array(collect_list(x))``; an empty list becomes NULL as in DuckDB.
* ``x IN (SELECT ...)`` inside an aggregate (Spark refuses) becomes ``array_contains`` of a scalar subquery.
* DuckDB macros (the LACE point tables) are inlined from ``sql/macros/lace.sql``.
* ``regexp_full_match(s, p)`` (the HCC dual-status code) has no Spark function; SQLGlot passes the name
  through. It becomes ``s RLIKE '^(?:p)\\z'``: RLIKE finds the pattern anywhere, so it is anchored at both
  ends (``\\z``, not ``$``, which would also accept a trailing newline).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import sqlglot
from sqlglot import exp

from .store import DIAGNOSIS_POSITIONS, PROCEDURE_POSITIONS

SQL_DIR = Path(__file__).resolve().parent / "sql"
CODE_COLUMNS = DIAGNOSIS_POSITIONS + PROCEDURE_POSITIONS
_MACRO = re.compile(r"create\s+or\s+replace\s+temp\s+macro\s+(\w+)\s*\((\w+)\)\s+as\s+(.*?);", re.I | re.S)


def lace_macros(path: Path = SQL_DIR / "macros" / "lace.sql") -> dict[str, tuple[str, exp.Expr]]:
    """name -> (parameter, body) for each one-parameter scalar macro in the file."""
    text = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.strip().startswith("--")
    )
    return {
        m.group(1).lower(): (m.group(2).lower(), sqlglot.parse_one(m.group(3), read="duckdb"))
        for m in _MACRO.finditer(text)
    }


def _columns_regex(node: exp.Expr, available: tuple[str, ...]) -> list[str]:
    pattern = re.compile(node.this.name)
    return [c for c in available if pattern.search(c)]


def _unpivot(node: exp.Expr) -> exp.Expr:
    if not (isinstance(node, exp.Pivot) and node.args.get("unpivot") and node.args.get("into")):
        return node
    inner = node.this
    if not isinstance(inner, exp.Subquery):
        raise NotImplementedError("only UNPIVOT over a subquery is translated")
    select = inner.this.copy()
    names: list[str] = []
    for target in node.expressions:
        names += _columns_regex(target, CODE_COLUMNS) if isinstance(target, exp.Columns) else [target.name]
    projections: list[exp.Expr] = []
    for item in select.expressions:
        if isinstance(item, exp.Columns):
            projections += [exp.column(c) for c in _columns_regex(item, CODE_COLUMNS)]
        else:
            projections.append(item)
    select.set("expressions", projections)
    into = node.args["into"]
    name_col, value_col = into.this.name, into.expressions[0].name
    spark = (
        f"SELECT * FROM ({select.sql('spark')}) UNPIVOT ({value_col} FOR {name_col} IN ({', '.join(names)}))"
    )
    return sqlglot.parse_one(spark, read="spark")


def _code_columns(node: exp.Expr) -> exp.Expr:
    """``COLUMNS('regex')`` in a select list, and ``f(*COLUMNS('regex'))`` in COALESCE, as explicit columns.

    Spark reads every stored position (the exported store has them all), so the expansion is over all of
    them; DuckDB leaves out the positions no file has a code in (`features.run_models`).
    """
    if isinstance(node, exp.Select) and any(isinstance(e, exp.Columns) for e in node.expressions):
        projections: list[exp.Expr] = []
        for item in node.expressions:
            if isinstance(item, exp.Columns) and not item.args.get("unpack"):
                projections += [exp.column(c) for c in _columns_regex(item, CODE_COLUMNS)]
            else:
                projections.append(item)
        node.set("expressions", projections)
        return node
    if isinstance(node, exp.Coalesce) and isinstance(node.this, exp.Columns) and node.this.args.get("unpack"):
        names = _columns_regex(node.this, CODE_COLUMNS)
        rest = [e.copy() for e in node.expressions]
        return exp.Coalesce(this=exp.column(names[0]), expressions=[exp.column(c) for c in names[1:]] + rest)
    if isinstance(node, exp.Columns):
        raise NotImplementedError("COLUMNS() is translated only in a select list or as COALESCE(*COLUMNS())")
    return node


def _day_arithmetic(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Add | exp.Sub):
        right = node.expression
        if isinstance(right, exp.ToDays):
            fn = "DATE_ADD" if isinstance(node, exp.Add) else "DATE_SUB"
            return exp.Anonymous(this=fn, expressions=[node.this.copy(), right.this.copy()])
    if isinstance(node, exp.ToDays):
        raise NotImplementedError(
            "to_days() is translated only as `date + to_days(n)` or `date - to_days(n)`"
        )
    return node


def _year_diff(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.DateDiff) and node.text("unit").lower() == "year":
        # DateDiff(this=end, expression=start) in SQLGlot's representation.
        return exp.Sub(
            this=exp.Anonymous(this="YEAR", expressions=[node.this]),
            expression=exp.Anonymous(this="YEAR", expressions=[node.expression]),
        )
    return node


def _sorted_lists(node: exp.Expr) -> exp.Expr:
    agg = node.this if isinstance(node, exp.Filter) else node
    if not isinstance(agg, exp.ArrayAgg) or not isinstance(agg.this, exp.Order):
        return node
    order = agg.this
    value = order.this
    key = value.expressions[0] if isinstance(value, exp.Distinct) else value
    keys = [o.this for o in order.expressions]
    if len(keys) != 1 or keys[0] != key or order.expressions[0].args.get("desc"):
        raise NotImplementedError(
            "list(... ORDER BY ...) is translated only when ordered by the value itself"
        )
    collected = node.copy()
    collected_agg = collected.this if isinstance(collected, exp.Filter) else collected
    collected_agg.set("this", value.copy())
    sql = collected.sql("spark")
    return sqlglot.parse_one(f"IF(SIZE({sql}) = 0, NULL, SORT_ARRAY({sql}))", read="spark")


def _in_subquery_in_aggregate(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.In) and node.args.get("query") and node.find_ancestor(exp.AggFunc):
        query = node.args["query"]
        select = query.this if isinstance(query, exp.Subquery) else query
        column = select.expressions[0]
        subquery = select.copy()
        subquery.set("expressions", [exp.Anonymous(this="COLLECT_SET", expressions=[column.copy()])])
        return exp.Anonymous(
            this="ARRAY_CONTAINS", expressions=[exp.Subquery(this=subquery), node.this.copy()]
        )
    return node


def _full_match(node: exp.Expr) -> exp.Expr:
    # Spark has no regexp_full_match and SQLGlot writes the DuckDB name unchanged; RLIKE searches, so anchor.
    if isinstance(node, exp.RegexpFullMatch):
        pattern = node.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise NotImplementedError("regexp_full_match is translated only with a literal pattern")
        anchored = exp.Literal.string(f"^(?:{pattern.this})\\z")
        return exp.RegexpLike(this=node.this.copy(), expression=anchored)
    return node


def _inline_macros(
    macros: dict[str, tuple[str, exp.Expr]],
) -> Callable[[exp.Expr], exp.Expr]:
    def rewrite(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Anonymous) and node.name.lower() in macros:
            param, body = macros[node.name.lower()]
            argument = node.expressions[0]

            def bind(n: exp.Expr) -> exp.Expr:
                if isinstance(n, exp.Column) and not n.table and n.name.lower() == param:
                    return exp.Paren(this=argument.copy())
                return n

            return exp.Paren(this=body.copy().transform(bind))
        return node

    return rewrite


def to_spark(duckdb_sql: str) -> str:
    """The Spark SQL text of one model (a single SELECT written for DuckDB)."""
    tree = sqlglot.parse_one(duckdb_sql, read="duckdb")
    for rewrite in (
        _unpivot,
        _code_columns,
        _inline_macros(lace_macros()),
        _day_arithmetic,
        _year_diff,
        _sorted_lists,
        _in_subquery_in_aggregate,
        _full_match,
    ):
        tree = tree.transform(rewrite)
    return tree.sql("spark")
