"""`tandem population train --as-of DATE [--out var/models/risk.json]`: fit, evaluate, store, print."""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tandem.population.cli.common import add_db, iso_date
from tandem.population.model import DEFAULT_MODEL_PATH, TARGETS, RiskModel, train
from tandem.population.store import StoreInUse

NAME = "train"
HELP = "train the top-5%-cost and 6-month-admission models on features as of DATE minus 12 months"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of", required=True, type=iso_date, dest="as_of", help="T: outcomes end here (YYYY-MM-DD)"
    )
    add_db(parser)
    parser.add_argument(
        "--out", default=str(DEFAULT_MODEL_PATH), help=f"model file (default {DEFAULT_MODEL_PATH})"
    )
    parser.add_argument("--seed", type=int, default=20240101, help="seed of the train/test split by person")


def _fmt(value: Any, pattern: str = "{:.3f}") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return pattern.format(value)


def report(model: RiskModel) -> list[str]:
    """The evaluation table: the model beside the two rankings a program could use without one."""
    r = model.record
    lines = [
        f"features as of {r['feature_as_of']}, outcomes to {r['training_as_of']}; "
        f"{r['n_train']} people trained, {r['n_test']} held out (seed {r['seed']})",
    ]
    for target in TARGETS:
        m = r["metrics"][target]
        lines.append("")
        lines.append(f"{target}  (held-out prevalence {_fmt(m['prevalence_test'], '{:.1%}')})")
        lines.append(f"  {'ranking':<18}{'AUC':>7}{'prec@1%':>9}{'prec@5%':>9}{'Brier':>8}")
        for label, key in (
            ("model", "model"),
            ("prior-year cost", "prior_year_cost"),
            ("HCC V28", "hcc_v28"),
        ):
            row = m[key]
            lines.append(
                f"  {label:<18}{_fmt(row['auc']):>7}{_fmt(row['precision_top1']):>9}"
                f"{_fmt(row['precision_top5']):>9}{_fmt(row.get('brier'), '{:.4f}'):>8}"
            )
        lines.append("  calibration by decile of predicted risk (predicted / observed):")
        lines.append(
            "   "
            + " ".join(
                f"{b['mean_predicted']:.3f}/{b['observed_rate']:.3f}" for b in m["model"]["reliability"]
            )
        )
    rtm = r["regression_to_mean"]
    lines.append("")
    lines.append(
        f"regression to the mean: the {rtm['n']} people in the top 5% of cost in the year to "
        f"{r['feature_as_of']} cost {_fmt(rtm['year1_mean'], '{:,.0f}')} on average that year and "
        f"{_fmt(rtm['year2_mean'], '{:,.0f}')} the next ({_fmt(rtm['change'], '{:+.0%}')}), "
        "with no program at all"
    )
    return lines


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    started = time.perf_counter()
    try:
        model = train(options["as_of"], options["db"], seed=options["seed"])
    except (FileNotFoundError, ValueError, StoreInUse) as exc:
        raise CommandError(str(exc)) from exc
    path = model.save(options["out"])
    for line in report(model):
        command.stdout.write(line)
    command.stdout.write(f"saved model to {path} in {time.perf_counter() - started:.1f}s")
