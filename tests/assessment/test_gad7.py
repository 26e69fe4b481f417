"""GAD-7: Spitzer 2006 cut points and refusal of bad answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.assessment.instruments import InvalidAnswers, get, score

GAD7_TABLE = {
    "minimal": range(0, 5),
    "mild": range(5, 10),
    "moderate": range(10, 15),
    "severe": range(15, 22),
}
ORDER = list(GAD7_TABLE)
vectors = st.lists(st.integers(0, 3), min_size=7, max_size=7)


def with_total(total: int) -> list[int]:
    out = []
    for _ in range(7):
        take = min(3, total)
        out.append(take)
        total -= take
    return out


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"),
     (15, "severe"), (21, "severe")],
)  # fmt: skip
def test_every_band_boundary(total: int, band: str) -> None:
    result = score("gad7", with_total(total))
    assert (result.total, result.band, result.flags) == (total, band, [])


@given(vectors)
def test_total_is_sum_and_band_matches_table(answers: list[int]) -> None:
    result = score("gad7", answers)
    assert result.total == sum(answers)
    assert result.total in GAD7_TABLE[result.band or ""]


@given(vectors, vectors)
def test_band_monotone(a: list[int], b: list[int]) -> None:
    ra, rb = score("gad7", a), score("gad7", b)
    assert ra.total is not None and rb.total is not None
    if ra.total <= rb.total:
        assert ORDER.index(ra.band or "") <= ORDER.index(rb.band or "")


@given(st.integers(0, 6), st.integers().filter(lambda v: not 0 <= v <= 3))
def test_refuses_out_of_range_naming_item(position: int, value: int) -> None:
    answers = [1] * 7
    answers[position] = value
    with pytest.raises(InvalidAnswers) as caught:
        score("gad7", answers)
    assert caught.value.position == position + 1
    assert str(caught.value).startswith(f"item {position + 1} (")


def test_codes() -> None:
    gad7 = get("gad7")
    assert (gad7.panel_loinc, gad7.total_loinc) == ("69737-5", "70274-6")
    assert [i.loinc for i in gad7.items] == [
        "69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7",
    ]  # fmt: skip
