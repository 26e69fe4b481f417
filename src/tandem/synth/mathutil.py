"""Small vectorised helpers: normal distribution functions and weighted categorical draws.

numpy has no erf and scipy is not a dependency, so the normal CDF uses the Abramowitz & Stegun
7.1.26 rational approximation (absolute error < 1.5e-7), which is ample for turning latent scores into
probabilities. Inverse CDF values are only needed for a few scalar thresholds, so the standard
library's `statistics.NormalDist` serves.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_STD_NORMAL = NormalDist()


def norm_cdf(x: FloatArray) -> FloatArray:
    """Standard normal CDF, elementwise."""
    z = np.abs(x) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * z)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = 1.0 - poly * np.exp(-z * z)
    return np.asarray(0.5 * (1.0 + np.sign(x) * erf), dtype=np.float64)


def norm_ppf(p: float) -> float:
    """Inverse standard normal CDF of a scalar probability, clamped away from 0 and 1."""
    return _STD_NORMAL.inv_cdf(min(max(p, 1e-9), 1.0 - 1e-9))


def categorical(rng: np.random.Generator, weights: FloatArray) -> IntArray:
    """Draw one category per row of a (rows x categories) non-negative weight matrix.

    Rows whose weights are all zero get category 0; callers give every row some weight.
    """
    if weights.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    cum = np.cumsum(weights, axis=1)
    total = cum[:, -1]
    u = rng.random(weights.shape[0]) * total
    idx = (cum <= u[:, None]).sum(axis=1)
    return np.asarray(np.minimum(idx, weights.shape[1] - 1), dtype=np.int64)


def choice(rng: np.random.Generator, probs: FloatArray, size: int) -> IntArray:
    """Draw `size` indices from one probability vector (normalised here)."""
    p = np.asarray(probs, dtype=np.float64)
    cum = np.cumsum(p / p.sum())
    idx = np.searchsorted(cum, rng.random(size), side="right")
    return np.minimum(idx, len(p) - 1).astype(np.int64)


def segment_offsets(counts: IntArray) -> IntArray:
    """Start offset of each group for a flat array laid out group after group."""
    out = np.zeros(len(counts), dtype=np.int64)
    if len(counts) > 1:
        np.cumsum(counts[:-1], out=out[1:])
    return out


def rank_within(groups: IntArray) -> IntArray:
    """0-based position of each element within its run of equal values (input must be grouped)."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.ones(n, dtype=bool)
    starts[1:] = groups[1:] != groups[:-1]
    start_pos = np.maximum.accumulate(np.where(starts, np.arange(n), 0))
    return (np.arange(n) - start_pos).astype(np.int64)
