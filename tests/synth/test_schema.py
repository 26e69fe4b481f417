"""The three tables carry exactly the Tuva input-layer columns, in the Tuva order."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tandem.synth import schema
from tandem.synth.generator import generate

TABLES = ("eligibility", "medical_claim", "pharmacy_claim")


def _seed_columns(seeds_yml: Path) -> dict[str, list[str]]:
    """Column names per seed from `_seeds.yml` (keys of each seed's `column_types`, in file order).

    A tiny indentation-based reader: the file has a fixed layout and PyYAML is not a dependency.
    """
    seeds: dict[str, list[str]] = {}
    current: str | None = None
    in_types = False
    for line in seeds_yml.read_text().splitlines():
        if m := re.match(r"^  - name: (\w+)", line):
            current, in_types = m.group(1), False
            seeds[current] = []
        elif re.match(r"^      column_types:", line):
            in_types = True
        elif in_types and current and (m := re.match(r"^        (\w+):", line)):
            seeds[current].append(m.group(1))
        elif in_types and line.strip() and not line.startswith("          "):
            in_types = False
    return seeds


@pytest.fixture(scope="module")
def tuva_columns(shared_data: Path) -> dict[str, list[str]]:
    seeds = _seed_columns(shared_data / "tuva-input-layer" / "_seeds.yml")
    return {t: seeds[f"{t}_seed"] for t in TABLES}


@pytest.mark.parametrize("table", TABLES)
def test_package_schema_matches_tuva_seed_yaml(table: str, tuva_columns: dict[str, list[str]]) -> None:
    assert schema.column_names(table) == tuva_columns[table]


@pytest.mark.parametrize("table", TABLES)
def test_package_schema_matches_tuva_sample_csv_header(table: str, shared_data: Path) -> None:
    with (shared_data / "tuva-input-layer" / f"{table}_seed.csv").open(newline="") as fh:
        header = next(csv.reader(fh))
    assert schema.column_names(table) == header


def test_column_counts_are_the_documented_ones() -> None:
    # 148 medical_claim and 25 pharmacy_claim columns (SPEC 5.4); eligibility has 47 in the seeds.
    assert [len(schema.column_names(t)) for t in TABLES] == [47, 148, 25]


def test_written_files_have_exact_columns_in_both_formats(tmp_path: Path, population_dir: Path) -> None:
    generate(members=50, months=3, seed=3, out_dir=tmp_path, fmt="csv")
    for table in TABLES:
        with (tmp_path / f"{table}.csv").open(newline="") as fh:
            assert next(csv.reader(fh)) == schema.column_names(table)
        assert pq.read_schema(population_dir / f"{table}.parquet").names == schema.column_names(table)


def test_parquet_readers_see_plain_types(population_dir: Path) -> None:
    sch = pq.read_schema(population_dir / "medical_claim.parquet")
    assert str(sch.field("claim_id").type) == "string"
    assert str(sch.field("claim_start_date").type) == "date32[day]"
    assert str(sch.field("allowed_amount").type) == "double"
    assert str(sch.field("claim_line_number").type) == "int32"
