"""`tandem population load|features`: claims into the analytics store, and per-person features out."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tandem.population.features import build_features, write_csv
from tandem.population.load_tuva import LoadError, load_directory


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date in YYYY-MM-DD form") from exc


def _lookback(value: str) -> tuple[int, int]:
    try:
        parts = tuple(int(p) for p in value.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError("lookback months must be two integers, e.g. 6,12") from exc
    if len(parts) != 2 or not 0 < parts[0] <= parts[1]:
        raise argparse.ArgumentTypeError(
            "lookback months must be two increasing positive integers, e.g. 6,12"
        )
    return parts[0], parts[1]


class Command(BaseCommand):
    help = "Load Tuva input-layer claims into the analytics store and compute per-person features."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="validate and load eligibility, medical_claim and pharmacy_claim")
        load.add_argument(
            "directory", help="folder with one file (CSV/Parquet) or one folder of parts per table"
        )
        load.add_argument("--format", choices=["tuva"], default="tuva", help="input schema (only tuva)")
        load.add_argument("--db", default=None, help="analytics store path (default var/analytics.duckdb)")

        feats = sub.add_parser("features", help="write one row of features per person as of a date")
        feats.add_argument("--as-of", required=True, type=_date, dest="as_of", help="YYYY-MM-DD")
        feats.add_argument("--out", required=True, help="CSV file to write")
        feats.add_argument("--db", default=None, help="analytics store path (default var/analytics.duckdb)")
        feats.add_argument(
            "--lookback-months",
            type=_lookback,
            default=(6, 12),
            dest="lookback",
            help="short,long (default 6,12)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self._load(options)
        else:
            self._features(options)

    def _load(self, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        try:
            result = load_directory(options["directory"], options["db"])
        except LoadError as exc:
            raise CommandError(f"nothing was loaded: {exc}") from exc
        elapsed = time.perf_counter() - started
        for table, rows in result.rows_in_files.items():
            self.stdout.write(f"{table}: {rows} rows read, {result.rows_in_store[table]} in store")
        self.stdout.write(f"loaded {len(result.files)} files in {elapsed:.1f}s")

    def _features(self, options: dict[str, Any]) -> None:
        started = time.perf_counter()
        try:
            frame = build_features(options["as_of"], options["db"], lookback_months=options["lookback"])
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        write_csv(frame, options["out"])
        elapsed = time.perf_counter() - started
        self.stdout.write(f"wrote {len(frame)} people to {options['out']} in {elapsed:.1f}s")
