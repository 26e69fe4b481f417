"""Run the population pipeline on the demo claims, as a program's analyst would.

Load the claims into the analytics store, train the risk model on the population's own history,
then stratify with the shipped Camden criteria and queue the candidates, so the population pages,
the risk card on patient pages and the recruitment queue all show a real run.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone


def as_of_for_demo() -> date:
    """The last day of last month: the demo claims end there."""
    return timezone.localdate().replace(day=1) - timedelta(days=1)


def run_pipeline(claims_dir: Path, *, var_dir: Path | None = None) -> list[str]:
    """Load, train and stratify; return the commands' last output lines for the operator."""
    var = var_dir or Path(settings.VAR_DIR)
    db = var / "analytics.duckdb"
    as_of = as_of_for_demo().isoformat()
    steps = [
        ["population", "load", str(claims_dir), "--format", "tuva", "--db", str(db)],
        ["population", "train", "--as-of", as_of, "--db", str(db), "--out", str(settings.RISK_MODEL_PATH)],
        [
            "population",
            "stratify",
            "--as-of",
            as_of,
            "--db",
            str(db),
            "--out",
            str(var / "demo" / "candidates.csv"),
            "--to-queue",
            "--program",
            "complex-care",
        ],
    ]
    lines = []
    for argv in steps:
        out = io.StringIO()
        call_command(*argv, stdout=out)
        text = out.getvalue().strip().splitlines()
        lines.append(f"tandem {' '.join(argv[:2])}: {text[-1] if text else 'done'}")
    return lines
