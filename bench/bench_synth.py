"""Benchmark `tandem synth`: generate a population into a temporary directory and report speed, memory
and the population statistics that matter for realism.

    python bench/bench_synth.py --members 1000000 --months 24 --workers 2

Wall time and peak memory are measured for generation only (before the DuckDB analysis starts).
Peak memory is `ru_maxrss` of this process plus `ru_maxrss` of its children (the largest worker); with
W workers the true simultaneous peak is at most parent + W x largest worker, also printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from tandem.synth.generator import generate


def _mb(kb: int) -> float:
    return kb / 1024.0


def _analyse(out: Path, fmt: str) -> None:
    con = duckdb.connect()
    con.execute("set threads = 2")
    con.execute("set memory_limit = '6GB'")
    reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
    for view, table in (("elig", "eligibility"), ("med", "medical_claim"), ("rx", "pharmacy_claim")):
        con.execute(f"create view {view} as select * from {reader}('{out / table}.{fmt}')")

    def one(sql: str) -> float:
        row = con.execute(sql).fetchone()
        return float(row[0]) if row and row[0] is not None else float("nan")

    member_years = one("select sum(enrollment_duration_months) / 12.0 from elig")
    members = one("select count(distinct person_id) from elig")
    lines, fills = one("select count(*) from med"), one("select count(*) from rx")
    print(f"members {members:,.0f}, member-years {member_years:,.0f}")
    print(f"medical lines per member-year     {lines / member_years:6.1f}")
    print(f"pharmacy fills per member-year    {fills / member_years:6.1f}")
    con.execute(
        """
        create temp table spend as
        with claims as (
            select person_id, year(claim_start_date) yr, sum(allowed_amount) a from med group by all
            union all select person_id, year(dispensing_date), sum(allowed_amount) from rx group by all),
        enrolled as (
            select distinct person_id, yr from (
                select person_id, unnest(range(year(enrollment_start_date), year(enrollment_end_date) + 1)) yr
                from elig))
        select e.person_id, e.yr, coalesce(sum(c.a), 0) allowed
        from enrolled e left join claims c using (person_id, yr) group by all
        """
    )
    years = [int(r[0]) for r in con.execute("select distinct yr from spend order by 1").fetchall()]
    for yr in years:
        row = con.execute(
            f"""with s as (select allowed, row_number() over (order by allowed desc) rk, count(*) over () n
                           from spend where yr = {yr})
                select sum(allowed) filter (where rk <= n * 0.01) / sum(allowed),
                       sum(allowed) filter (where rk <= n * 0.05) / sum(allowed),
                       avg(allowed), avg((allowed = 0)::int) from s"""
        ).fetchone()
        assert row is not None
        print(
            f"{yr}: top 1% share {row[0]:.3f}, top 5% share {row[1]:.3f}, "
            f"mean allowed ${row[2]:,.0f}, members with no claims {row[3]:.1%}"
        )
    if len(years) >= 2:
        y1, y2 = years[0], years[1]
        row = con.execute(
            f"""with r as (select person_id, yr, allowed,
                                  ntile(20) over (partition by yr order by allowed desc) v from spend),
                j as (select a.allowed a1, b.allowed a2, a.v v1, b.v v2 from r a join r b
                      on a.person_id = b.person_id and a.yr = {y1} and b.yr = {y2})
                select avg((v2 = 1)::int) filter (where v1 = 1), avg(a1) filter (where v1 = 1),
                       avg(a2) filter (where v1 = 1) from j"""
        ).fetchone()
        assert row is not None
        print(
            f"{y1} top 5% still top 5% in {y2}: {row[0]:.1%} "
            f"(their mean allowed ${row[1]:,.0f} -> ${row[2]:,.0f}, {row[2] / row[1] - 1:+.0%})"
        )
    con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--format", default="parquet", choices=("parquet", "csv"))
    parser.add_argument("--start", default="2024-01-01")
    parser.add_argument("--keep", help="write here and keep the files instead of a temporary directory")
    parser.add_argument("--no-analysis", action="store_true", help="skip the DuckDB statistics")
    args = parser.parse_args(argv)

    out = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-synth-"))
    try:
        began = time.perf_counter()
        summary = generate(
            members=args.members,
            months=args.months,
            seed=args.seed,
            out_dir=out,
            fmt=args.format,
            start=date.fromisoformat(args.start),
            workers=args.workers,
        )
        wall = time.perf_counter() - began
        me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
        print(
            f"tandem synth --members {args.members} --months {args.months} --format {args.format} "
            f"--workers {args.workers} (seed {args.seed}, start {args.start})"
        )
        for name, rows in summary.rows.items():
            size = summary.files[name].stat().st_size / 1e6
            print(f"  {name:<15} {rows:>14,} rows  {size:>9,.1f} MB")
        print(f"  {'total':<15} {summary.total_rows:>14,} rows")
        rate = summary.total_rows / wall / 1e6
        print(f"wall time {wall:.1f} s ({rate:.2f} M rows/s), CPU time {cpu:.1f} s (all processes)")
        peak = _mb(me.ru_maxrss) + _mb(kids.ru_maxrss)
        bound = _mb(me.ru_maxrss) + args.workers * _mb(kids.ru_maxrss)
        print(
            f"peak memory (ru_maxrss self + children) {peak:,.0f} MB "
            f"[parent {_mb(me.ru_maxrss):,.0f} MB, largest worker {_mb(kids.ru_maxrss):,.0f} MB; "
            f"upper bound with {args.workers} workers {bound:,.0f} MB]"
        )
        sys.stdout.flush()
        if not args.no_analysis:
            began = time.perf_counter()
            _analyse(out, args.format)
            print(f"(analysis {time.perf_counter() - began:.1f} s)")
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
