"""`tandem synth`: write a synthetic Medicare/Medicaid claims population in the Tuva input-layer schema."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.synth.generator import DEFAULT_START, SynthArgumentError, generate
from tandem.synth.writer import FORMATS


def _parse_start(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--start must be a date like 2024-01-01, got {value!r}.") from exc


class Command(BaseCommand):
    help = (
        "Generate a synthetic Medicare/Medicaid population as Tuva input-layer tables "
        "(eligibility, medical_claim, pharmacy_claim) in DIR."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, required=True, help="number of people to generate")
        parser.add_argument(
            "--months", type=int, required=True, help="length of the window in months (1-120)"
        )
        parser.add_argument(
            "--seed", type=int, required=True, help="random seed; same arguments give identical files"
        )
        parser.add_argument("--out", required=True, help="output directory (created if missing)")
        parser.add_argument(
            "--format", default="parquet", help=f"one of {', '.join(FORMATS)} (default parquet)"
        )
        parser.add_argument(
            "--start",
            default=DEFAULT_START.isoformat(),
            help=f"first day of the window, first of a month (default {DEFAULT_START.isoformat()})",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="worker processes; output is identical for any value (default 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt = str(options["format"]).lower()
        start = _parse_start(str(options["start"]))
        try:
            summary = generate(
                members=options["members"],
                months=options["months"],
                seed=options["seed"],
                out_dir=Path(options["out"]),
                fmt=fmt,
                start=start,
                workers=options["workers"],
            )
        except SynthArgumentError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"could not write to {options['out']}: {exc}") from exc
        lines = [
            f"Wrote {summary.members:,} members x {summary.months} months "
            f"({summary.start.isoformat()} to {summary.end.isoformat()}) "
            f"to {summary.out_dir} as {summary.fmt}:",
        ]
        lines += [
            f"  {name:<15} {rows:>12,} rows  {summary.files[name].name}"
            for name, rows in summary.rows.items()
        ]
        lines.append(f"  {'total':<15} {summary.total_rows:>12,} rows  in {summary.seconds:.1f} s")
        self.stdout.write("\n".join(lines))
