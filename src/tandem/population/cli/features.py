"""`tandem population features --as-of DATE --out FILE`."""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tandem.population.cli.common import add_db, iso_date, lookback
from tandem.population.features import write_csv
from tandem.population.model import load_model, score_with_model
from tandem.population.spark_engine import ENGINES, SparkUnavailable, compute_features
from tandem.population.store import StoreInUse

NAME = "features"
HELP = "write one row of features per person as of a date"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", required=True, type=iso_date, dest="as_of", help="YYYY-MM-DD")
    parser.add_argument("--out", required=True, help="CSV file to write")
    add_db(parser)
    parser.add_argument(
        "--lookback-months", type=lookback, default=(6, 12), dest="lookback", help="short,long (default 6,12)"
    )
    parser.add_argument(
        "--model", default=None, help="trained risk model (JSON) to fill p_top5_cost, p_admit_6m"
    )
    parser.add_argument(
        "--engine", choices=ENGINES, default="duckdb", help="where to compute (default duckdb)"
    )


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    started = time.perf_counter()
    try:
        frame = compute_features(
            options["as_of"], options["db"], engine=options["engine"], lookback_months=options["lookback"]
        )
        if options["model"]:
            frame = score_with_model(frame, load_model(options["model"]))
    except (FileNotFoundError, ValueError, SparkUnavailable, StoreInUse) as exc:
        raise CommandError(str(exc)) from exc
    write_csv(frame, options["out"])
    elapsed = time.perf_counter() - started
    command.stdout.write(f"wrote {len(frame)} people to {options['out']} in {elapsed:.1f}s")
