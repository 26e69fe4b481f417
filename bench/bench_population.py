"""Population analytics benchmark: load, features, stratification, model scoring, against two references.

Prints figures only, never asserts: wall time per stage (stratification as the `stratify` command does
it, including the app-database write of every person's scores, into a fresh SQLite database), peak
memory, a plain-pandas implementation of the utilisation/cost features on 100,000 members (speed ratio),
DuckDB's time to scan the input columns once (the floor) with our ratios to it, and the machine's load
average (the bench machine is shared). Run:
python bench/bench_population.py --members N --months M
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from tandem.population.criteria_config import load as load_criteria
from tandem.population.features import build_features
from tandem.population.load_tuva import load_directory
from tandem.population.model import fit, score_with_model, training_set
from tandem.population.stratify import evaluate_population, load_population
from tandem.synth.generator import generate

START = dt.date(2024, 1, 1)
PANDAS_MEMBERS = 100_000


def own_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # ru_maxrss is KiB on Linux


def children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0


def last_day(months: int) -> dt.date:
    year, month = divmod(START.month - 1 + months, 12)
    return dt.date(START.year + year, month + 1, 1) - dt.timedelta(days=1)


def scan_floor(claims: Path) -> float:
    """Read every column of the three inputs once: no engine can compute features faster than this."""
    con = duckdb.connect()
    started = time.perf_counter()
    for table in ("eligibility", "medical_claim", "pharmacy_claim"):
        source = f"read_parquet('{claims / table}*')"
        cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]
        aggregates = ", ".join(f'count("{c}")' for c in cols)
        con.execute(f"SELECT {aggregates} FROM {source}").fetchall()
    con.close()
    return time.perf_counter() - started


def pandas_features(claims: Path, as_of: dt.date) -> pd.DataFrame:
    """Utilisation and cost features (12-month allowed/paid, ED days, office days, prescribers) in pandas."""
    ts = pd.Timestamp(as_of)
    start = ts - pd.DateOffset(months=12)
    # Only the columns these features read, as a careful pandas user would (all ~110 columns of 3.4 M lines
    # took 7 GB and most of the time).
    med = pd.read_parquet(
        claims / "medical_claim.parquet"
        if (claims / "medical_claim.parquet").exists()
        else claims / "medical_claim",
        columns=[
            "person_id", "claim_type", "claim_start_date", "claim_line_start_date", "allowed_amount",
            "paid_amount", "revenue_center_code", "place_of_service_code", "hcpcs_code",
        ],
    )  # fmt: skip
    rx = pd.read_parquet(
        claims / "pharmacy_claim.parquet"
        if (claims / "pharmacy_claim.parquet").exists()
        else claims / "pharmacy_claim",
        columns=["person_id", "dispensing_date", "allowed_amount", "paid_amount", "prescribing_provider_npi"],
    )
    med["claim_start_date"] = pd.to_datetime(med["claim_start_date"])
    med["service_date"] = pd.to_datetime(med["claim_line_start_date"]).fillna(med["claim_start_date"])
    window = med[(med["claim_start_date"] > start) & (med["claim_start_date"] <= ts)]
    cost = window.groupby("person_id")[["allowed_amount", "paid_amount"]].sum()
    rev = med["revenue_center_code"].fillna("")
    ed = med[
        rev.str.startswith("045")
        | (rev == "0981")
        | (med["place_of_service_code"] == "23")
        | med["hcpcs_code"].isin(["99281", "99282", "99283", "99284", "99285"])
    ]
    ed = ed[(ed["service_date"] > start) & (ed["service_date"] <= ts)]
    ed_days = (
        ed.drop_duplicates(["person_id", "service_date"]).groupby("person_id").size().rename("ed_visits")
    )
    office = window[
        (window["claim_type"] == "professional")
        & window["place_of_service_code"].isin(["11", "19", "22", "49", "50", "71", "72"])
    ]
    office_days = office.drop_duplicates(["person_id", "service_date"]).groupby("person_id").size()
    rx["dispensing_date"] = pd.to_datetime(rx["dispensing_date"])
    rx_window = rx[(rx["dispensing_date"] > start) & (rx["dispensing_date"] <= ts)]
    rx_cost = rx_window.groupby("person_id")[["allowed_amount", "paid_amount"]].sum()
    prescribers = rx_window.groupby("person_id")["prescribing_provider_npi"].nunique()
    out = (
        cost.add(rx_cost, fill_value=0)
        .join(ed_days, how="outer")
        .join(office_days.rename("office"), how="outer")
    )
    return out.join(prescribers, how="outer").fillna(0)


def cpu_seconds() -> float:
    """CPU time of this process (all its threads): on a shared machine it moves less than wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


_cpu_mark = [0.0]


def stage(label: str, seconds: float, note: str = "", *, cpu: float | None = None) -> None:
    cpu_text = f"{cpu:>7.1f} s CPU" if cpu is not None else " " * 13
    print(f"  {label:<40}{seconds:>9.1f} s {cpu_text}  {note}", flush=True)


def app_database(root: Path) -> None:
    """A fresh SQLite app database for the run record: the `stratify` command writes every person's
    scores there, and that write is part of what a stratification costs."""
    os.environ.pop("TANDEM_DATABASE_URL", None)
    os.environ["TANDEM_SQLITE_PATH"] = str(root / "app.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def started() -> float:
    """Start a timed stage: wall clock returned, CPU clock kept for `cpu_since`."""
    _cpu_mark[0] = cpu_seconds()
    return time.perf_counter()


def cpu_since() -> float:
    return cpu_seconds() - _cpu_mark[0]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="generator processes (not timed)")
    parser.add_argument(
        "--claims",
        default="",
        help="reuse claims generated earlier with these --members/--months/--seed (Parquet folder) "
        "instead of generating them",
    )
    parser.add_argument(
        "--duckdb-memory",
        default="2GB",
        help="DuckDB memory limit (TANDEM_ANALYTICS_MEMORY) for the run; '' = DuckDB's default, 80%% of RAM",
    )
    args = parser.parse_args(argv)
    os.environ["TANDEM_ANALYTICS_MEMORY"] = args.duckdb_memory
    as_of = last_day(args.months)
    criteria = load_criteria()
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        root = Path(tmp)
        app_database(root)
        print(
            f"population bench: {args.members:,} members x {args.months} months, as of {as_of}, "
            f"DuckDB memory limit {args.duckdb_memory or 'default'}"
        )
        print(f"  load average at start: {load_average()}")
        t = time.perf_counter()
        if args.claims:
            claims = Path(args.claims)
            stage("generate (reused, not counted)", 0.0, str(claims))
        else:
            claims = root / "claims"
            summary = generate(
                args.members, args.months, args.seed, claims, fmt="parquet", start=START, workers=args.workers
            )
            stage("generate (not counted)", time.perf_counter() - t, f"{summary.rows}")
        # A model to time scoring with: trained on a small population of its own (training is not a stage
        # of a scoring run, and needs 12 months of history before the feature date). Trained first, so the
        # RSS it reaches is known and printed next to the timed stages' peak (max RSS cannot be reset).
        small = root / "small"
        generate(20_000, 24, args.seed + 1, small / "claims", fmt="parquet", start=START)
        load_directory(small / "claims", small / "analytics.duckdb")
        model = fit(training_set(last_day(24), small / "analytics.duckdb"), last_day(24), seed=1)
        rss_before = own_peak_mb()
        # Read now: generator processes forked later from a large parent report its pages as their own.
        generator_peak = children_peak_mb()

        db = root / "analytics.duckdb"
        t = started()
        loaded = load_directory(claims, db)
        load_s, load_cpu = time.perf_counter() - t, cpu_since()
        adopted = sum(loaded.adopted.values())
        stage(
            "load (validate + store)",
            load_s,
            f"{adopted} of {len(loaded.adopted)} files adopted as is",
            cpu=load_cpu,
        )

        t = started()
        frame = build_features(as_of, db)
        features_s = time.perf_counter() - t
        stage(
            "features + Charlson/LACE/HCC",
            features_s,
            f"{frame.num_rows:,} people (`features` command)",
            cpu=cpu_since(),
        )

        t = started()
        population = load_population(as_of, criteria, db)
        facts_s, facts_cpu = time.perf_counter() - t, cpu_since()
        stage(
            "stratify: features + criteria facts",
            facts_s,
            "(recomputes the features, as the command does)",
            cpu=facts_cpu,
        )
        t = started()
        evaluation = evaluate_population(population, criteria, as_of=as_of)  # as the command does
        rules_s, rules_cpu = time.perf_counter() - t, cpu_since()
        candidates = len(evaluation.candidates())
        stage(
            "  of which rules, ranking, reasons",
            rules_s,
            f"{candidates:,} candidates (also inside the next stage)",
            cpu=rules_cpu,
        )
        from tandem.population.runs import record_run

        t = started()
        result = record_run(population, criteria, as_of=as_of, db_path=db, started_at=dt.datetime.now(dt.UTC))
        record_s, record_cpu = time.perf_counter() - t, cpu_since()
        kept = result.run.scores.count()
        stage(
            "stratify: rules + run record (app DB)",
            record_s,
            f"{result.run.people_scored:,} people: snapshot, summary, {kept:,} RiskScore rows (SQLite)",
            cpu=record_cpu,
        )

        t = started()
        scored = score_with_model(frame, model)
        scoring_s, scoring_cpu = time.perf_counter() - t, cpu_since()
        stage("model scoring + explanations", scoring_s, f"{scored.num_rows:,} people", cpu=scoring_cpu)
        from_store = facts_s + record_s + scoring_s
        total = load_s + from_store
        stage(
            "from the loaded store (stratify, scoring)",
            from_store,
            cpu=facts_cpu + record_cpu + scoring_cpu,
        )
        stage(
            "end to end (load, stratify, scoring)", total, cpu=load_cpu + facts_cpu + record_cpu + scoring_cpu
        )
        analytics = load_s + facts_s + rules_s + scoring_s
        stage("end to end without the app-DB write", analytics, "(the figure earlier benches printed)")
        pipeline_peak = own_peak_mb()
        del frame, population, evaluation, scored, result

        floor = scan_floor(claims)
        stage("DuckDB scan of all input columns", floor, "(the floor)")
        print(
            f"  ratio to floor: load {load_s / floor:.1f}x, features {features_s / floor:.1f}x, "
            f"from the store {from_store / floor:.1f}x, end to end {total / floor:.1f}x (target 3x)"
        )

        n = min(PANDAS_MEMBERS, args.members)
        if n == args.members:
            sub_claims, sub_db = claims, db
        else:
            sub = root / "pandas"
            generate(
                n, args.months, args.seed, sub / "claims", fmt="parquet", start=START, workers=args.workers
            )
            load_directory(sub / "claims", sub / "analytics.duckdb")
            sub_claims, sub_db = sub / "claims", sub / "analytics.duckdb"
        t = time.perf_counter()
        build_features(as_of, sub_db)
        ours = time.perf_counter() - t
        t = time.perf_counter()
        pandas_features(sub_claims, as_of)
        theirs = time.perf_counter() - t
        stage(f"pandas subset features, {n:,} members", theirs, "(utilisation/cost columns only)")
        stage(f"our full features, {n:,} members", ours)
        print(f"  pandas/ours speed ratio {theirs / ours:.1f}x (pandas computes fewer features)")
        print(
            f"  peak memory (max RSS) of the timed stages: {pipeline_peak:,.0f} MB "
            f"(target 4,096; includes the {rss_before:,.0f} MB reached before them by model training); "
            f"generator child processes: {generator_peak:,.0f} MB; "
            f"whole run incl. pandas: {own_peak_mb():,.0f} MB"
        )
        print(f"  load average at end: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
