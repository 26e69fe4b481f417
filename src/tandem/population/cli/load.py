"""`tandem population load DIR --format tuva|synthea|fhir`."""

from __future__ import annotations

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tandem.population import load_fhir, load_synthea
from tandem.population.cli.common import add_db
from tandem.population.load_common import ConvertResult
from tandem.population.load_tuva import LoadError, LoadResult, load_directory
from tandem.population.store import StoreInUse

NAME = "load"
HELP = "validate and load eligibility, medical_claim and pharmacy_claim"
FORMATS = ["tuva", "synthea", "fhir"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory",
        help="tuva: one file (CSV/Parquet) or folder of parts per table; synthea: a CSV export folder; "
        "fhir: Bulk Data .ndjson files or Bundle .json files",
    )
    parser.add_argument("--format", choices=FORMATS, default="tuva", help="input schema")
    add_db(parser)


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    started = time.perf_counter()
    fmt = options["format"]
    try:
        result: LoadResult
        if fmt == "synthea":
            result = load_synthea.load_directory(options["directory"], options["db"])
        elif fmt == "fhir":
            result = load_fhir.load_directory(options["directory"], options["db"])
        else:
            result = load_directory(options["directory"], options["db"])
    except LoadError as exc:
        raise CommandError(f"nothing was loaded: {exc}") from exc
    except StoreInUse as exc:
        raise CommandError(str(exc)) from exc
    elapsed = time.perf_counter() - started
    for table, rows in result.rows_in_files.items():
        command.stdout.write(f"{table}: {rows} rows read, {result.rows_in_store[table]} in store")
    if isinstance(result, ConvertResult):
        command.stdout.write(
            f"conditions not coded on purpose (status findings): {result.deliberately_unmapped}; "
            f"SNOMED CT codes with no ICD-10-CM mapping: {sum(result.unmapped_codes.values())} "
            f"({len(result.unmapped_codes)} distinct)"
        )
        if result.procedures_stored or result.procedures_not_stored:
            command.stdout.write(
                f"procedures stored as ICD-10-PCS: {result.procedures_stored}; not stored (no mapping, at an "
                f"office visit, or its encounter not in this export): {result.procedures_not_stored}"
            )
        top = ", ".join(f"{code} x{n}" for code, n in list(result.unmapped_codes.items())[:10])
        if top:
            command.stdout.write(f"most frequent unmapped: {top}")
    command.stdout.write(f"loaded {len(result.files)} files in {elapsed:.1f}s")
