"""Evaluation metrics against hand calculations on small arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tandem.population import evaluation
from tandem.population.model import months_before


def test_auc_counts_pairs_and_half_ties() -> None:
    # Positives scored 0.9 and 0.4, negatives 0.4, 0.2, 0.1: pairs (pos > neg) = 3 + 2 + 0.5 (tie) = 5.5 of 6.
    y = [1, 0, 1, 0, 0]
    s = [0.9, 0.4, 0.4, 0.2, 0.1]
    assert evaluation.auc(y, s) == pytest.approx(5.5 / 6)
    assert evaluation.auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]) == 0.0
    assert math.isnan(evaluation.auc([1, 1], [0.2, 0.3]))


def test_precision_at_top_fraction() -> None:
    y = np.zeros(200)
    y[[0, 1, 5, 150]] = 1
    s = np.linspace(1.0, 0.0, 200)  # person 0 scored highest, then 1, 2, ...
    assert evaluation.precision_at(y, s, 0.01) == 1.0  # top 2: persons 0 and 1
    assert evaluation.precision_at(y, s, 0.05) == pytest.approx(3 / 10)  # top 10: 0, 1, 5
    assert evaluation.top_k(1, 0.01) == 1 and evaluation.top_k(101, 0.01) == 2


def test_brier_and_reliability() -> None:
    y = [1, 0, 0, 1]
    p = [0.8, 0.3, 0.1, 0.4]
    # (0.2^2 + 0.3^2 + 0.1^2 + 0.6^2) / 4 = (0.04 + 0.09 + 0.01 + 0.36) / 4
    assert evaluation.brier(y, p) == pytest.approx(0.125)
    rows = evaluation.reliability_table(y, p, bins=2)
    assert [(r.n, r.mean_predicted, r.observed_rate) for r in rows] == [
        (2, pytest.approx(0.2), 0.0),
        (2, pytest.approx(0.6), 1.0),
    ]


def test_months_before_clamps_like_duckdb() -> None:
    import datetime as dt

    assert months_before(dt.date(2021, 3, 31), 1) == dt.date(2021, 2, 28)
    assert months_before(dt.date(2026, 12, 31), 12) == dt.date(2025, 12, 31)
    assert months_before(dt.date(2024, 8, 31), 6) == dt.date(2024, 2, 29)
