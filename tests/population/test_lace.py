"""LACE point bands (van Walraven, CMAJ 2010) at their boundaries."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from tandem.population.lace import install_macros, lace_points


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    install_macros(connection)
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("los", "points"),
    [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (6, 4), (7, 5), (13, 5), (14, 7), (60, 7)],
)
def test_length_of_stay_bands(con: duckdb.DuckDBPyConnection, los: int, points: int) -> None:
    assert lace_points(con, los, False, 0, 0)[0] == points


@pytest.mark.parametrize(("charlson", "points"), [(0, 0), (1, 1), (2, 2), (3, 3), (4, 5), (12, 5)])
def test_charlson_bands(con: duckdb.DuckDBPyConnection, charlson: int, points: int) -> None:
    assert lace_points(con, 1, False, charlson, 0)[2] == points


@pytest.mark.parametrize(("visits", "points"), [(0, 0), (1, 1), (3, 3), (4, 4), (5, 4), (20, 4)])
def test_ed_visits_capped_at_four(con: duckdb.DuckDBPyConnection, visits: int, points: int) -> None:
    assert lace_points(con, 1, False, 0, visits)[3] == points


def test_acuity_and_maximum(con: duckdb.DuckDBPyConnection) -> None:
    assert lace_points(con, 1, True, 0, 0)[1] == 3
    assert lace_points(con, 1, False, 0, 0)[1] == 0
    assert sum(lace_points(con, 30, True, 9, 9)) == 19
