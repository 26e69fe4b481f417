"""``tandem instruments``: score a validated instrument from the command line, or list them.

    tandem instruments list [--json]
    tandem instruments score phq9 --answers 1,2,0,3,1,0,2,1,0
    tandem instruments score promis10 --answers Global01=4,Global02=3,...   (key=value form)

``score`` prints one JSON object. Any answer the instrument cannot score (wrong count, not a
number, out of range, unknown instrument) is reported on stderr with the item named and the
command exits with status 2, so scripts can tell bad input (2) from a crash (1).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tandem.assessment.instruments import InvalidAnswers, UnknownInstrument, all_instruments, get

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Score validated instruments (PHQ-2, PHQ-9, GAD-7, PROMIS-10, AHC HRSN) or list them."
    # Scoring touches neither the database nor URLs; skipping system checks keeps the command
    # fast and usable while other apps are misconfigured.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{list,score}")
        listing = sub.add_parser("list", help="List instruments with their LOINC codes.")
        listing.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
        scoring = sub.add_parser("score", help="Score one administration and print JSON.")
        scoring.add_argument(
            "instrument", help="Instrument id: " + ", ".join(i.id for i in all_instruments())
        )
        scoring.add_argument(
            "--answers",
            required=True,
            help="Comma-separated answers in form order, or key=value pairs; see docs/instruments.md.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list(as_json=bool(options["json"]))
        else:
            self._score(str(options["instrument"]), str(options["answers"]))

    def _score(self, instrument_id: str, answers: str) -> None:
        try:
            instrument = get(instrument_id)
            result = instrument.score(instrument.parse_answers(answers))
        except UnknownInstrument as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from exc
        except InvalidAnswers as exc:
            prefix = "" if exc.message.startswith(exc.instrument) else f"{exc.instrument}: "
            raise CommandError(prefix + exc.message, returncode=BAD_INPUT) from exc
        self.stdout.write(json.dumps(result.to_dict()))

    def _list(self, *, as_json: bool) -> None:
        instruments = all_instruments()
        if as_json:
            rows = [
                {
                    "id": i.id,
                    "title": i.title,
                    "items": len(i.items),
                    "panel_loinc": i.panel_loinc,
                    "total_loinc": i.total_loinc,
                    "other_loinc": dict(i.other_codes),
                }
                for i in instruments
            ]
            self.stdout.write(json.dumps(rows))
            return
        self.stdout.write(f"{'id':<10} {'items':>5}  {'panel':<9} {'total':<9} title / other codes")
        for i in instruments:
            self.stdout.write(
                f"{i.id:<10} {len(i.items):>5}  {i.panel_loinc or '-':<9} {i.total_loinc or '-':<9} {i.title}"
            )
            if i.other_codes:
                other = ", ".join(f"{name} {code}" for name, code in i.other_codes.items())
                self.stdout.write(f"{'':<37}{other}")
