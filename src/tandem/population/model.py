"""Predictive risk models trained on the population's own history, stored locally as JSON.

Two outcomes a program acts on: being in next year's top 5% of allowed cost, and any inpatient admission
in the next 6 months. Features are `build_features` as of T-12 months, outcomes are measured after that
date with the same feature definitions (so "cost" and "admission" mean exactly what the features mean),
and the model is an L2-penalised logistic regression on standardised features fitted by Newton's method
in numpy: deterministic, small enough to read, and its coefficients give per-person explanations.
The model is JSON (not pickle) so it can be read, diffed and versioned with its training date and metrics.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from . import evaluation
from .features import build_features

FORMAT = "tandem-risk-model"
FORMAT_VERSION = 1
DEFAULT_MODEL_PATH = Path("var") / "models" / "risk.json"
TARGETS = ("p_top5_cost", "p_admit_6m")
TOP_COST_FRACTION = 0.05
N_REASONS = 3

# (column in build_features output, transform). Costs are log-scaled: a $1 difference matters at $100,
# not at $100,000. Missing values (no discharge -> no LACE; no demographics -> no HCC) count as 0.
FEATURES: tuple[tuple[str, str], ...] = (
    ("age", "identity"),
    ("sex", "female"),
    ("ip_admits_6m", "identity"),
    ("ip_admits_12m", "identity"),
    ("ed_visits_6m", "identity"),
    ("ed_visits_12m", "identity"),
    ("readmits_30d_12m", "identity"),
    ("allowed_12m", "log1p"),
    ("active_meds", "identity"),
    ("chronic_conditions", "identity"),
    ("charlson", "identity"),
    ("lace_latest", "identity"),
    ("hcc_v24_raw", "identity"),
    ("hcc_v28_raw", "identity"),
    ("outpatient_visits_12m", "identity"),
    ("distinct_prescribers_12m", "identity"),
    ("distinct_facilities_12m", "identity"),
    ("behavioral_health_flag", "bool"),
    ("sud_flag", "bool"),
    ("social_needs_flag", "bool"),
)


def months_before(day: dt.date, months: int) -> dt.date:
    """`day - INTERVAL n MONTH` as DuckDB computes it: same day of month, clamped to the month's end."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def design_matrix(
    frame: pa.Table, features: tuple[tuple[str, str], ...] = FEATURES
) -> npt.NDArray[np.float64]:
    missing = [name for name, _ in features if name not in frame.column_names]
    if missing:
        raise ValueError(f"features frame lacks model columns {missing} (the model uses lookback 6,12)")
    cols = []
    for name, transform in features:
        column = frame.column(name)
        if transform == "female":
            flags = pc.starts_with(pc.utf8_lower(pc.cast(column, pa.string())), "f")
            arr = np.asarray(flags.fill_null(False).to_numpy(zero_copy_only=False), dtype=np.float64)
        elif transform == "bool":
            arr = np.asarray(
                pc.cast(column, pa.bool_()).fill_null(False).to_numpy(zero_copy_only=False), dtype=np.float64
            )
        else:
            arr = np.asarray(
                pc.cast(column, pa.float64()).fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64
            )
        cols.append(np.log1p(np.maximum(arr, 0.0)) if transform == "log1p" else arr)
    return np.column_stack(cols) if cols else np.zeros((frame.num_rows, 0))


def fit_logistic(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], l2: float = 1.0, iterations: int = 50
) -> tuple[float, npt.NDArray[np.float64]]:
    """Penalised maximum likelihood by Newton-Raphson; the intercept is not penalised."""
    n, k = x.shape
    design = np.column_stack([np.ones(n), x])
    beta = np.zeros(k + 1)
    penalty = np.full(k + 1, l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        gradient = design.T @ (y - p) - penalty * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty) + 1e-9 * np.eye(k + 1)
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    return float(beta[0]), beta[1:]


def _two_decimals(values: npt.NDArray[np.float64]) -> pa.Array:
    """`"%.2f" % v` for every value, as one Arrow column.

    Formatting a million floats one by one (numpy's `char.mod`) cost more than the model itself; whole
    cents as integers are joined instead. `rint(v * 100)` can differ from printf's correctly rounded
    result only where `v * 100` sits next to a half cent, so those few values are formatted by Python.
    """
    scaled = values * 100.0
    cents = np.rint(scaled)
    near_half = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6
    for i in np.flatnonzero(near_half):
        cents[i] = np.round(float(f"{values[i]:.2f}") * 100.0)  # keeps the sign of "-0.00"
    whole = np.abs(cents).astype(np.int64)
    sign = pc.if_else(pa.array(np.signbit(cents)), pa.scalar("-"), pa.scalar(""))
    units = pc.cast(pa.array(whole // 100), pa.string())
    hundredths = pc.utf8_lpad(pc.cast(pa.array(whole % 100), pa.string()), width=2, padding="0")
    return pc.binary_join_element_wise(pc.binary_join_element_wise(sign, units, ""), hundredths, ".")


@dataclass(frozen=True)
class RiskModel:
    """A trained model as stored: standardisation, one logistic regression per target, and its record."""

    features: tuple[tuple[str, str], ...]
    mean: npt.NDArray[np.float64]
    std: npt.NDArray[np.float64]
    intercepts: dict[str, float]
    coefficients: dict[str, npt.NDArray[np.float64]]
    record: dict[str, Any]

    def standardise(self, frame: pa.Table) -> npt.NDArray[np.float64]:
        return (design_matrix(frame, self.features) - self.mean) / self.std

    def predict(self, target: str, z: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return 1.0 / (1.0 + np.exp(-(self.intercepts[target] + z @ self.coefficients[target])))

    def explain(self, target: str, z: npt.NDArray[np.float64], n: int = N_REASONS) -> list[str]:
        """The features that pushed each person's score up most: coefficient x standardised value, > 0."""
        return self.explain_array(target, z, n).to_pylist()  # type: ignore[no-any-return]

    def explain_array(self, target: str, z: npt.NDArray[np.float64], n: int = N_REASONS) -> pa.Array:
        """`explain` as one Arrow column, built with array operations (a Python loop per person cost
        more than the model at a million people). Ties keep feature order (stable sort)."""
        contributions = z * self.coefficients[target]
        if contributions.shape[0] == 0 or contributions.shape[1] == 0:
            return pa.array([""] * contributions.shape[0], type=pa.string())
        # The n largest per row by repeated argmax (first index among equals, as a stable sort orders them):
        # a full sort of every row only to keep n of its columns was a third of scoring at 1M people.
        rows, k = contributions.shape[0], min(n, contributions.shape[1])
        left = contributions.copy()
        order = np.empty((rows, k), dtype=np.intp)
        everyone = np.arange(rows)
        for j in range(k):
            order[:, j] = np.argmax(left, axis=1)
            left[everyone, order[:, j]] = -np.inf
        top = np.take_along_axis(contributions, order, axis=1)
        names = pa.array([name for name, _ in self.features], type=pa.string())
        # Sorted descending, so the positive contributions are a prefix of each row: extend the text
        # while the next one is positive.
        joined: pa.Array = pa.array([""] * order.shape[0], type=pa.string())
        for j in range(order.shape[1]):
            values = top[:, j]
            label = pa.DictionaryArray.from_arrays(pa.array(order[:, j], type=pa.int32()), names)
            text = pc.binary_join_element_wise(pc.cast(label, pa.string()), _two_decimals(values), " (+")
            text = pc.binary_join_element_wise(text, pa.scalar(")"), "")
            extended = text if j == 0 else pc.binary_join_element_wise(joined, text, "; ")
            joined = pc.if_else(pa.array(values > 0), extended, joined)
        return joined

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            **self.record,
            "features": [{"column": c, "transform": t} for c, t in self.features],
            "mean": self.mean.tolist(),
            "std": self.std.tolist(),
            "targets": {
                t: {"intercept": self.intercepts[t], "coefficients": self.coefficients[t].tolist()}
                for t in self.intercepts
            },
        }

    def save(self, path: str | os.PathLike[str]) -> Path:
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return out


def load_model(path: str | os.PathLike[str]) -> RiskModel:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{path} is not a {FORMAT} version {FORMAT_VERSION} file")
    features = tuple((f["column"], f["transform"]) for f in data["features"])
    skip = {"features", "mean", "std", "targets", "format", "format_version"}
    return RiskModel(
        features=features,
        mean=np.asarray(data["mean"], dtype=np.float64),
        std=np.asarray(data["std"], dtype=np.float64),
        intercepts={t: float(v["intercept"]) for t, v in data["targets"].items()},
        coefficients={t: np.asarray(v["coefficients"], dtype=np.float64) for t, v in data["targets"].items()},
        record={k: v for k, v in data.items() if k not in skip},
    )


def score_with_model(frame: pa.Table, model: RiskModel | str | os.PathLike[str]) -> pa.Table:
    """Fill `p_top5_cost` / `p_admit_6m` and add `<target>_reasons` (top features pushing the score up).

    Engine-independent: it takes the features table whichever engine computed it.
    """
    risk = model if isinstance(model, RiskModel) else load_model(model)
    z = risk.standardise(frame)
    table = frame
    for target in TARGETS:
        probability = pa.array(risk.predict(target, z), type=pa.float64())
        if target in table.column_names:
            table = table.set_column(table.column_names.index(target), target, probability)
        else:
            table = table.append_column(target, probability)
        reasons = risk.explain_array(target, z)
        name = f"{target}_reasons"
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, reasons)
        else:
            table = table.append_column(name, reasons)
    return table


@dataclass(frozen=True)
class TrainingSet:
    person_id: list[str]
    features: pa.Table
    cost_next: npt.NDArray[np.float64]
    labels: dict[str, npt.NDArray[np.float64]]
    feature_as_of: dt.date


def _by_person(table: pa.Table, column: str) -> dict[str, Any]:
    return dict(zip(table.column("person_id").to_pylist(), table.column(column).to_pylist(), strict=True))


def training_set(as_of: dt.date, db_path: str | os.PathLike[str] | None = None) -> TrainingSet:
    """People enrolled at T-12 with their features then, and what happened to them afterwards.

    Outcomes reuse the feature definitions: next-year cost is `allowed_12m` as of T; an admission in the
    6 months after T-12 is `ip_admits_6m` as of T-6.
    """
    feature_as_of = months_before(as_of, 12)
    features = build_features(feature_as_of, db_path)
    enrolled = features.filter(pc.equal(features.column("enrolled_on_as_of"), True))
    cost = _by_person(build_features(as_of, db_path), "allowed_12m")
    admits = _by_person(build_features(months_before(as_of, 6), db_path), "ip_admits_6m")
    people = enrolled.column("person_id").to_pylist()
    cost_next = np.asarray([float(cost.get(p) or 0.0) for p in people], dtype=np.float64)
    admitted = np.asarray([1.0 if (admits.get(p) or 0) > 0 else 0.0 for p in people])
    top = np.zeros(len(people))
    if people:
        k = evaluation.top_k(len(people), TOP_COST_FRACTION)
        threshold = np.sort(cost_next)[::-1][k - 1]
        top = ((cost_next >= threshold) & (cost_next > 0)).astype(np.float64)
    return TrainingSet(
        people, enrolled, cost_next, {"p_top5_cost": top, "p_admit_6m": admitted}, feature_as_of
    )


def split_people(person_ids: list[str], seed: int, test_fraction: float = 0.3) -> npt.NDArray[np.bool_]:
    """Held-out people, not rows: the permutation is over sorted ids, so it depends on the seed only."""
    order = sorted(range(len(person_ids)), key=lambda i: person_ids[i])
    perm = np.random.default_rng(seed).permutation(len(order))
    n_test = int(round(len(order) * test_fraction))
    test = np.zeros(len(order), dtype=bool)
    test[[order[i] for i in perm[:n_test]]] = True
    return test


def regression_to_mean(data: TrainingSet) -> dict[str, float]:
    """Mean cost of the prior-year top 5% in that year and in the next: the drop expected with no program."""
    prior = data.features.column("allowed_12m").to_numpy(zero_copy_only=False).astype(np.float64)
    if len(prior) == 0:
        return {"n": 0, "year1_mean": math.nan, "year2_mean": math.nan, "change": math.nan}
    k = evaluation.top_k(len(prior), TOP_COST_FRACTION)
    top = np.argsort(-prior, kind="mergesort")[:k]
    year1, year2 = float(prior[top].mean()), float(data.cost_next[top].mean())
    return {
        "n": k,
        "year1_mean": year1,
        "year2_mean": year2,
        "change": (year2 - year1) / year1 if year1 else 0.0,
    }


def train(
    as_of: dt.date, db_path: str | os.PathLike[str] | None = None, *, seed: int = 20240101, l2: float = 1.0
) -> RiskModel:
    """Fit on the training people, evaluate on the held-out people against the two baselines."""
    return fit(training_set(as_of, db_path), as_of, seed=seed, l2=l2)


def fit(data: TrainingSet, as_of: dt.date, *, seed: int = 20240101, l2: float = 1.0) -> RiskModel:
    test = split_people(data.person_id, seed)
    x = design_matrix(data.features)
    if int((~test).sum()) < 10 or int(test.sum()) < 10:
        raise ValueError(f"too few people enrolled on {data.feature_as_of} to train and evaluate ({len(x)})")
    mean = x[~test].mean(axis=0)
    std = x[~test].std(axis=0)
    std[std == 0] = 1.0
    z = (x - mean) / std
    intercepts: dict[str, float] = {}
    coefficients: dict[str, npt.NDArray[np.float64]] = {}
    metrics: dict[str, Any] = {}
    prior_cost = data.features.column("allowed_12m").to_numpy(zero_copy_only=False).astype(np.float64)
    hcc = np.nan_to_num(data.features.column("hcc_v28_raw").to_numpy(zero_copy_only=False).astype(np.float64))
    for target in TARGETS:
        y = data.labels[target]
        intercepts[target], coefficients[target] = fit_logistic(z[~test], y[~test], l2=l2)
        p = 1.0 / (1.0 + np.exp(-(intercepts[target] + z[test] @ coefficients[target])))
        metrics[target] = {
            "prevalence_test": float(y[test].mean()),
            "model": evaluation.probability_metrics(y[test], p),
            "prior_year_cost": evaluation.ranking_metrics(y[test], prior_cost[test]),
            "hcc_v28": evaluation.ranking_metrics(y[test], hcc[test]),
        }
    record = {
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "training_as_of": as_of.isoformat(),
        "feature_as_of": data.feature_as_of.isoformat(),
        "lookback_months": [6, 12],
        "seed": seed,
        "l2": l2,
        "n_train": int((~test).sum()),
        "n_test": int(test.sum()),
        "metrics": metrics,
        "regression_to_mean": regression_to_mean(data),
    }
    return RiskModel(FEATURES, mean, std, intercepts, coefficients, record)
