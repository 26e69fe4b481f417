"""Evaluation metrics for the risk models, written out in numpy so each one can be checked by hand.

A care-management program acts on the top of a ranked list, so the metrics that matter are the ranking
quality (AUC), whether the top 1% / 5% really are the people with the outcome (precision at k), and whether
a stated probability can be read as a probability (Brier score and a reliability table by decile).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _as_arrays(y_true: npt.ArrayLike, score: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = np.asarray(y_true, dtype=np.float64)
    s = np.asarray(score, dtype=np.float64)
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError("outcomes and scores must be 1-d arrays of the same length")
    if np.isnan(s).any():
        raise ValueError("scores contain NaN")
    return y, s


def average_ranks(values: FloatArray) -> FloatArray:
    """1-based ranks with ties sharing their average rank, as in the Mann-Whitney U statistic."""
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    ranks = np.empty(len(values), dtype=np.float64)
    _, first, counts = np.unique(sorted_values, return_index=True, return_counts=True)
    for start, count in zip(first, counts, strict=True):
        ranks[order[start : start + count]] = start + (count + 1) / 2.0
    return ranks


def auc(y_true: npt.ArrayLike, score: npt.ArrayLike) -> float:
    """Probability that a random positive outranks a random negative (ties count one half)."""
    y, s = _as_arrays(y_true, score)
    n_pos = float(y.sum())
    n_neg = float(len(y) - n_pos)
    if n_pos == 0 or n_neg == 0:
        return math.nan
    ranks = average_ranks(s)
    return float((ranks[y == 1].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def top_k(n: int, fraction: float) -> int:
    """How many people "the top X%" means: at least one, rounded up so small cohorts still get a list."""
    return max(1, math.ceil(n * fraction))


def precision_at(y_true: npt.ArrayLike, score: npt.ArrayLike, fraction: float) -> float:
    """Share of outcomes among the highest-scored `fraction` of people.

    Ties at the cut are broken by position (stable sort), so the figure is reproducible; a ranking with
    heavy ties (e.g. many people with zero prior cost) is reported as it would be acted on.
    """
    y, s = _as_arrays(y_true, score)
    if len(y) == 0:
        return math.nan
    k = top_k(len(y), fraction)
    order = np.argsort(-s, kind="mergesort")[:k]
    return float(y[order].mean())


def brier(y_true: npt.ArrayLike, probability: npt.ArrayLike) -> float:
    y, p = _as_arrays(y_true, probability)
    return float(np.mean((p - y) ** 2)) if len(y) else math.nan


@dataclass(frozen=True)
class ReliabilityRow:
    decile: int
    n: int
    mean_predicted: float
    observed_rate: float


def reliability_table(
    y_true: npt.ArrayLike, probability: npt.ArrayLike, bins: int = 10
) -> list[ReliabilityRow]:
    """Mean predicted probability against the observed rate in groups of equal size by predicted risk."""
    y, p = _as_arrays(y_true, probability)
    order = np.argsort(p, kind="mergesort")
    rows = []
    for i, idx in enumerate(np.array_split(order, bins), start=1):
        if len(idx):
            rows.append(ReliabilityRow(i, len(idx), float(p[idx].mean()), float(y[idx].mean())))
    return rows


def ranking_metrics(y_true: npt.ArrayLike, score: npt.ArrayLike) -> dict[str, float]:
    return {
        "auc": auc(y_true, score),
        "precision_top1": precision_at(y_true, score, 0.01),
        "precision_top5": precision_at(y_true, score, 0.05),
    }


def probability_metrics(y_true: npt.ArrayLike, probability: npt.ArrayLike) -> dict[str, object]:
    out: dict[str, object] = dict(ranking_metrics(y_true, probability))
    out["brier"] = brier(y_true, probability)
    out["reliability"] = [row.__dict__ for row in reliability_table(y_true, probability)]
    return out
