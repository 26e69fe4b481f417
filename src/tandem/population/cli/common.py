"""Argument types shared by the population subcommands."""

from __future__ import annotations

import argparse
import datetime as dt


def iso_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date in YYYY-MM-DD form") from exc


def lookback(value: str) -> tuple[int, int]:
    try:
        parts = tuple(int(p) for p in value.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError("lookback months must be two integers, e.g. 6,12") from exc
    if len(parts) != 2 or not 0 < parts[0] <= parts[1]:
        raise argparse.ArgumentTypeError(
            "lookback months must be two increasing positive integers, e.g. 6,12"
        )
    return parts[0], parts[1]


def add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=None, help="analytics store path (default var/analytics.duckdb)")
