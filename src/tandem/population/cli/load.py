"""`tandem population load DIR --format ...`."""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tandem.population.cli.common import add_db
from tandem.population.load_tuva import LoadError, load_directory

NAME = "load"
HELP = "validate and load eligibility, medical_claim and pharmacy_claim"
FORMATS = ["tuva"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", help="folder with one file (CSV/Parquet) or one folder of parts per table"
    )
    parser.add_argument("--format", choices=FORMATS, default="tuva", help="input schema")
    add_db(parser)


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    started = time.perf_counter()
    try:
        result = load_directory(options["directory"], options["db"])
    except LoadError as exc:
        raise CommandError(f"nothing was loaded: {exc}") from exc
    elapsed = time.perf_counter() - started
    for table, rows in result.rows_in_files.items():
        command.stdout.write(f"{table}: {rows} rows read, {result.rows_in_store[table]} in store")
    command.stdout.write(f"loaded {len(result.files)} files in {elapsed:.1f}s")
