"""`tandem load_demo`: synthetic patients, staff and teams for trying Tandem out."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.patients.models import Patient


class Command(BaseCommand):
    help = "Load a synthetic demo population, staff accounts and care teams (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--members", type=int, default=300, help="synthetic patients to load into the app"
        )
        parser.add_argument(
            "--population",
            type=int,
            default=3000,
            help="people in the synthetic claims (the analytics population)",
        )
        parser.add_argument(
            "--no-analytics",
            action="store_true",
            help="skip loading the analytics store, training and stratifying",
        )
        parser.add_argument("--months", type=int, default=24, help="months of claims history")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same people)")
        parser.add_argument("--claims-dir", type=Path, default=None, help="where to write the demo claims")

    def handle(self, *args: Any, **opts: Any) -> None:
        from tandem.demo.loader import load_demo
        from tandem.demo.staff import DEMO_PASSWORD, STAFF

        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts share a published password; load_demo runs only with TANDEM_DEBUG on."
            )
        if opts["members"] < 1 or opts["months"] < 1:
            raise CommandError("--members and --months must be at least 1.")
        claims_dir = opts["claims_dir"] or Path(settings.VAR_DIR) / "demo" / "claims"
        if Patient.objects.exists():
            self.stdout.write("Demo population already loaded (patients exist); nothing to do.")
        else:
            started = time.perf_counter()
            summary = load_demo(
                members=opts["members"],
                months=opts["months"],
                seed=opts["seed"],
                claims_dir=claims_dir,
                population=opts["population"],
            )
            self.stdout.write(
                f"Loaded {summary.patients} synthetic patients ({summary.enrolled} enrolled, "
                f"{summary.outreach} in outreach, {summary.candidates} candidates) in "
                f"{time.perf_counter() - started:.1f}s; claims in {summary.claims_dir}"
            )
            if opts["no_analytics"]:
                self.stdout.write("Analytics skipped (--no-analytics).")
            elif opts["months"] < 24:
                self.stdout.write("Analytics skipped: training the risk model needs 24 months of claims.")
            else:
                from tandem.demo.analytics import run_pipeline

                for line in run_pipeline(claims_dir):
                    self.stdout.write(line)
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        for s in STAFF:
            self.stdout.write(
                f"  {s.username:<12} {s.role.label if hasattr(s.role, 'label') else s.role}"
                f"{' · ' + s.team if s.team else ''}"
            )
