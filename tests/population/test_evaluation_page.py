"""The population overview reports the stored model's held-out evaluation beside the baselines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tandem.accounts.models import Role
from tests.builders import make_user

pytestmark = pytest.mark.django_db


def _metrics(auc: float) -> dict[str, Any]:
    return {
        "model": {
            "auc": auc,
            "brier": 0.045,
            "precision_top1": 0.6,
            "precision_top5": 0.44,
            "reliability": [{"decile": 1, "n": 100, "mean_predicted": 0.002, "observed_rate": 0.01}],
        },
        "prior_year_cost": {"auc": 0.777, "precision_top1": 0.2, "precision_top5": 0.36},
        "hcc_v28": {"auc": 0.509, "precision_top1": 0.5, "precision_top5": 0.2},
        "prevalence_test": 0.05,
    }


def write_model(path: Path) -> Path:
    """A stored model's file as `tandem population train` writes it: the evaluation the overview reads."""
    path.write_text(
        json.dumps(
            {
                "trained_at": "2026-11-23T17:17:37+00:00",
                "training_as_of": "2026-10-31",
                "feature_as_of": "2025-10-31",
                "n_train": 2321,
                "n_test": 995,
                "metrics": {"p_top5_cost": _metrics(0.793), "p_admit_6m": _metrics(0.680)},
                "regression_to_mean": {
                    "n": 166,
                    "year1_mean": 70153.2,
                    "year2_mean": 35321.8,
                    "change": -0.4965,
                },
            }
        ),
        encoding="utf-8",
    )
    return path


def test_overview_shows_model_against_baselines(client: Client, settings: Any, tmp_path: Path) -> None:
    path = write_model(tmp_path / "risk.json")
    settings.RISK_MODEL_PATH = path
    client.force_login(make_user(Role.ANALYST))
    soup = BeautifulSoup(client.get("/population/").content, "html.parser")
    section = soup.find(attrs={"data-testid": "model-evaluation"})
    assert section is not None
    text = section.get_text(" ", strip=True)
    assert "evaluated on 995 held-out people" in text
    tables = section.select("table.data")
    first = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in tables[0].select("tbody tr")]
    assert first == [
        ["Tandem model", "0.793", "0.60", "0.44", "0.045"],
        ["Baseline: prior-year cost", "0.777", "0.20", "0.36", "—"],
        ["Baseline: CMS-HCC V28 score", "0.509", "0.50", "0.20", "—"],
    ]
    assert "$70,153" in text and "$35,322" in text
