"""Train the risk models on synthetic claims: better than chance, explained, reproducible."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from django.core.management import call_command

from tandem.population.features import build_features
from tandem.population.load_tuva import load_directory
from tandem.population.model import (
    FEATURES,
    RiskModel,
    TrainingSet,
    fit,
    load_model,
    score_with_model,
    train,
    training_set,
)
from tandem.synth.generator import generate

MEMBERS, MONTHS, SEED = 3000, 36, 11
START = dt.date(2024, 1, 1)
AS_OF = dt.date(2026, 12, 31)  # last day generated; features as of 2025-12-31


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    generate(MEMBERS, MONTHS, SEED, root / "claims", fmt="parquet", start=START)
    db = root / "analytics.duckdb"
    load_directory(root / "claims", db)
    return db


@pytest.fixture(scope="module")
def data(synthetic_db: Path) -> TrainingSet:
    return training_set(AS_OF, synthetic_db)


@pytest.fixture(scope="module")
def model(data: TrainingSet) -> RiskModel:
    return fit(data, AS_OF, seed=5)


def test_model_beats_random_and_is_deterministic(
    synthetic_db: Path, data: TrainingSet, model: RiskModel
) -> None:
    first = model
    metrics = first.record["metrics"]
    assert first.record["feature_as_of"] == "2025-12-31"
    assert first.record["n_test"] > 500
    for target in ("p_top5_cost", "p_admit_6m"):
        assert metrics[target]["model"]["auc"] > 0.6, metrics[target]
        assert 0 < metrics[target]["model"]["brier"] < 0.25
    rtm = first.record["regression_to_mean"]
    assert rtm["year2_mean"] < rtm["year1_mean"]  # the extreme year is followed by a less extreme one

    again = train(AS_OF, synthetic_db, seed=5)
    for target in first.coefficients:
        assert np.array_equal(first.coefficients[target], again.coefficients[target])
    assert again.record["metrics"] == metrics
    other = fit(data, AS_OF, seed=6)
    assert other.record["metrics"] != metrics  # the split really depends on the seed


def test_saved_model_scores_and_explains(synthetic_db: Path, model: RiskModel, tmp_path: Path) -> None:
    path = model.save(tmp_path / "risk.json")
    loaded = load_model(path)
    assert loaded.record["trained_at"] == model.record["trained_at"]
    frame = build_features(AS_OF, synthetic_db)
    scored = score_with_model(frame, loaded)
    assert scored.column_names[: frame.num_columns] == frame.column_names
    p = np.asarray(scored.column("p_top5_cost").to_pylist(), dtype=float)
    assert ((p > 0) & (p < 1)).all() and p.std() > 0
    names = {name for name, _ in FEATURES}
    reasons = scored.column("p_top5_cost_reasons").to_pylist()
    top = int(np.argmax(p))
    assert reasons[top], "the highest-risk person has reasons"
    for text in reasons[:200] + [reasons[top]]:
        for part in filter(None, text.split("; ")):
            name, weight = part.rsplit(" (+", 1)
            assert name in names and name in frame.column_names
            assert float(weight.rstrip(")")) > 0
        assert len(list(filter(None, text.split("; ")))) <= 3
    # The explanation is coefficient x standardised value: recompute the top reason of the top person.
    z = loaded.standardise(frame.slice(top, 1))[0]
    contributions = z * loaded.coefficients["p_top5_cost"]
    assert reasons[top].split(" (+")[0] == [n for n, _ in FEATURES][int(np.argmax(contributions))]


def test_train_and_features_commands(synthetic_db: Path, tmp_path: Path) -> None:
    from io import StringIO

    out = StringIO()
    model_path = tmp_path / "models" / "risk.json"
    call_command(
        "population",
        "train",
        "--as-of",
        "2026-12-31",
        "--db",
        str(synthetic_db),
        "--out",
        str(model_path),
        stdout=out,
    )
    text = out.getvalue()
    assert "prior-year cost" in text and "HCC V28" in text and "regression to the mean" in text
    assert model_path.exists()
    csv_path = tmp_path / "features.csv"
    call_command(
        "population",
        "features",
        "--as-of",
        "2026-12-31",
        "--db",
        str(synthetic_db),
        "--out",
        str(csv_path),
        "--model",
        str(model_path),
        stdout=StringIO(),
    )
    import pyarrow.csv as pacsv

    table: pa.Table = pacsv.read_csv(csv_path)
    assert table.column("p_admit_6m").null_count == 0


def test_explanations_match_a_per_person_reading_of_the_contributions() -> None:
    """The array-built explanations equal the plain reading: positive contributions, largest first."""
    rng = np.random.default_rng(7)
    k = 6
    model = RiskModel(
        features=tuple((f"f{i}", "identity") for i in range(k)),
        mean=np.zeros(k),
        std=np.ones(k),
        intercepts={"t": 0.0},
        coefficients={"t": rng.normal(size=k)},
        record={},
    )
    z = rng.normal(size=(500, k))
    z[::5] = -np.abs(z[::5]) * np.sign(model.coefficients["t"])  # nothing pushes these people up
    z[3] = 0.0
    expected = []
    for row in z * model.coefficients["t"]:
        order = sorted(range(k), key=lambda i: (-row[i], i))[:3]
        expected.append("; ".join(f"f{i} (+{row[i]:.2f})" for i in order if row[i] > 0))
    got = model.explain("t", z, n=3)
    assert len(got) == 500 and got == expected
    assert got[0] == "" and got[3] == ""
    # Equal contributions: the earlier feature first, as a stable sort orders them.
    tied = RiskModel(
        features=tuple((f"f{i}", "identity") for i in range(4)),
        mean=np.zeros(4),
        std=np.ones(4),
        intercepts={"t": 0.0},
        coefficients={"t": np.array([1.0, 2.0, 1.0, 2.0])},
        record={},
    )
    rows = np.array([[2.0, 1.0, 2.0, 1.0], [0.0, 1.0, 2.0, 1.0], [1.0, 0.5, -1.0, 0.5]])
    assert tied.explain("t", rows, n=3) == [
        "f0 (+2.00); f1 (+2.00); f2 (+2.00)",
        "f1 (+2.00); f2 (+2.00); f3 (+2.00)",
        "f0 (+1.00); f1 (+1.00); f3 (+1.00)",
    ]
    assert tied.explain("t", rows, n=9)[0] == "f0 (+2.00); f1 (+2.00); f2 (+2.00); f3 (+2.00)"


def test_explanation_numbers_are_printf_two_decimals() -> None:
    """The array formatting of contributions equals `"%.2f" % v`, including half-cent neighbours and signs."""
    from tandem.population.model import _two_decimals

    rng = np.random.default_rng(11)
    values = np.concatenate(
        [
            rng.normal(0, 3, 20_000),
            rng.integers(-2_000, 2_000, 4_000) / 200,  # exact and near half cents
            rng.integers(-100_000, 100_000, 4_000) / 1_000,
            np.array([0.125, 1.005, 2.675, 99.995, -0.005, -0.004, 0.0, -0.0, 1e-9, -1e-9, 1234.5678]),
        ]
    )
    assert _two_decimals(values).to_pylist() == [f"{v:.2f}" for v in values]
