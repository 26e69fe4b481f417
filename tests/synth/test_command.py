"""`tandem synth` refuses nonsense with a helpful message and reports what it wrote."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.synth.generator import SynthArgumentError, generate


def _run(tmp_path: Path, **overrides: object) -> str:
    args: dict[str, object] = {"members": 20, "months": 2, "seed": 1, "out": str(tmp_path / "out")}
    args.update(overrides)
    out = StringIO()
    call_command("synth", stdout=out, **args)
    return out.getvalue()


def test_success_prints_rows_per_table_and_time(tmp_path: Path) -> None:
    text = _run(tmp_path, format="csv")
    for table in ("eligibility", "medical_claim", "pharmacy_claim", "total"):
        assert table in text
    assert " s" in text and (tmp_path / "out" / "eligibility.csv").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"members": 0}, "members must be at least 1"),
        ({"members": -5}, "members must be at least 1"),
        ({"months": 0}, "months must be between 1 and 120"),
        ({"months": 121}, "months must be between 1 and 120"),
        ({"format": "xlsx"}, "format must be one of csv, parquet"),
        ({"start": "2024-02-30"}, "--start must be a date"),
        ({"start": "yesterday"}, "--start must be a date"),
        ({"start": "2024-01-15"}, "first day of a month"),
        ({"start": "1999-01-01"}, "start must be between"),
        ({"seed": -1}, "seed must be a non-negative"),
        ({"workers": 0}, "workers must be between"),
    ],
)
def test_refuses_nonsense_arguments(tmp_path: Path, overrides: dict[str, object], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _run(tmp_path, **overrides)
    assert not (tmp_path / "out").exists(), "nothing may be written for refused arguments"


def test_refuses_an_output_path_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("not a directory")
    with pytest.raises(CommandError, match="exists and is not a directory"):
        _run(tmp_path, out=str(target))


def test_library_raises_a_value_error_subclass(tmp_path: Path) -> None:
    with pytest.raises(SynthArgumentError) as info:
        generate(members=10, months=0, seed=1, out_dir=tmp_path)
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError, match="start must be a date"):
        generate(members=10, months=1, seed=1, out_dir=tmp_path, start="2024-01-01")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="first day of a month"):
        generate(members=10, months=1, seed=1, out_dir=tmp_path, start=date(2024, 3, 2))


def test_output_files_are_complete_or_absent(tmp_path: Path) -> None:
    _run(tmp_path, format="parquet")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["eligibility.parquet", "medical_claim.parquet", "pharmacy_claim.parquet"]
