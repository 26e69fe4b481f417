"""`tandem population stratify --as-of DATE [--criteria FILE] --out FILE [--to-queue]`."""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tandem.accounts.models import User
from tandem.core.errors import DomainError
from tandem.population.cli.common import add_db, iso_date
from tandem.population.criteria_config import CriteriaError, load
from tandem.population.runs import record_run
from tandem.population.store import StoreInUse, resolve_db_path
from tandem.population.stratify import CSV_COLUMNS, csv_row, load_population

NAME = "stratify"
HELP = "apply a criteria file, rank candidates with reasons, record the run (optionally queue them)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", required=True, type=iso_date, dest="as_of", help="YYYY-MM-DD")
    parser.add_argument(
        "--criteria", default=None, help="criteria TOML file (default: the shipped camden.toml)"
    )
    parser.add_argument("--out", required=True, help="candidates CSV to write")
    parser.add_argument("--to-queue", action="store_true", dest="to_queue", help="open candidate episodes")
    parser.add_argument("--program", default="", help="program slug to queue for (overrides the file)")
    parser.add_argument("--user", default=None, help="username recorded as having run it")
    add_db(parser)


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    started = time.perf_counter()
    started_at = timezone.now()
    try:
        criteria = load(options["criteria"])
    except CriteriaError as exc:
        raise CommandError(f"criteria file not usable: {exc}") from exc
    user = None
    if options["user"]:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"no user named {options['user']!r}")
    db_path = resolve_db_path(options["db"])
    try:
        population = load_population(options["as_of"], criteria, db_path)
        result = record_run(
            population,
            criteria,
            as_of=options["as_of"],
            db_path=db_path,
            started_at=started_at,
            user=user,
            to_queue=options["to_queue"],
            program_slug=options["program"],
        )
    except (FileNotFoundError, ValueError, DomainError, StoreInUse) as exc:
        raise CommandError(str(exc)) from exc
    out = Path(options["out"])
    out.parent.mkdir(parents=True, exist_ok=True)
    candidates = result.evaluation.candidates()
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_row(a) for a in candidates)
    r = result.run
    excluded = ", ".join(f"{k} {v}" for k, v in sorted(r.excluded_by_reason.items())) or "none"
    command.stdout.write(
        f"run {r.pk} ({criteria.name}, as of {r.as_of}): {r.people_scored} scored, {r.eligible} eligible, "
        f"excluded {r.excluded} ({excluded}), {r.candidates} candidates ({r.over_capacity} over capacity)"
    )
    if options["to_queue"]:
        command.stdout.write(
            f"queued {r.queued}; skipped {r.skipped_open_episode} already open in the program"
        )
    command.stdout.write(f"{r.not_in_app} candidate(s) have no patient record in the app (not queued)")
    command.stdout.write(
        f"wrote {len(candidates)} candidates to {out} in {time.perf_counter() - started:.1f}s"
    )
