"""`tandem referral_followups`: raise the caseload tasks of referral follow-ups that fall due today."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from tandem.referrals import followups


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = (
        "Give the referring care manager a task for each open referral whose follow-up date has come; "
        "run daily. Safe to run again: nothing is raised twice."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--date", type=_day, default=None, help="Treat this day as today (YYYY-MM-DD); default today."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day: date | None = options["date"]
        self.stdout.write(followups.raise_due(today=day).line())
