"""`tandem population <subcommand>`: claims into the analytics store, features, scores and candidates."""

from __future__ import annotations

import argparse
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand

from tandem.population.cli import features, load
from tandem.population.cli import stratify as stratify_cli
from tandem.population.cli import train as train_cli

# One line per subcommand module (see tandem.population.cli).
SUBCOMMANDS: list[ModuleType] = [
    load,
    features,
    train_cli,
    stratify_cli,
]


class Command(BaseCommand):
    help = "Population analytics: load claims, compute features and scores, find candidates."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for module in SUBCOMMANDS:
            module.add_arguments(sub.add_parser(module.NAME, help=module.HELP))

    def handle(self, *args: Any, **options: Any) -> None:
        by_name = {module.NAME: module for module in SUBCOMMANDS}
        by_name[options["action"]].run(self, options)
