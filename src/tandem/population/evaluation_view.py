"""The trained risk model's evaluation, read from its stored file, for the population pages.

The model file (written by `tandem population train`) carries its own held-out metrics, so the
page shows exactly what was measured when the model was trained, beside the two baselines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings

TARGETS = {
    "p_top5_cost": "Next year's top 5% of cost",
    "p_admit_6m": "An inpatient admission in the next 6 months",
}
RANKINGS = {
    "model": "Tandem model",
    "prior_year_cost": "Baseline: prior-year cost",
    "hcc_v28": "Baseline: CMS-HCC V28 score",
}


def model_path() -> Path:
    return Path(settings.RISK_MODEL_PATH)


def evaluation() -> dict[str, Any] | None:
    """Metrics of the stored model shaped for the template, or None when no model is trained."""
    path = model_path()
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    metrics = data.get("metrics", {})
    targets = []
    for key, label in TARGETS.items():
        m = metrics.get(key)
        if not m:
            continue
        rows = [
            {
                "label": RANKINGS[name],
                "auc": m[name].get("auc"),
                "p1": m[name].get("precision_top1"),
                "p5": m[name].get("precision_top5"),
                "brier": m[name].get("brier"),
            }
            for name in RANKINGS
            if name in m
        ]
        targets.append(
            {
                "key": key,
                "label": label,
                "rows": rows,
                "prevalence": m.get("prevalence_test"),
                "reliability": m.get("model", {}).get("reliability", []),
            }
        )
    return {
        "trained_at": data.get("trained_at", ""),
        "training_as_of": data.get("training_as_of", ""),
        "feature_as_of": data.get("feature_as_of", ""),
        "n_train": data.get("n_train"),
        "n_test": data.get("n_test"),
        "targets": targets,
        "rtm": data.get("regression_to_mean"),
    }
