"""PHQ-9 and PHQ-2: published cut points, the item-9 safety flag and refusal of bad answers."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.assessment.instruments import InvalidAnswers, get, score

# Kroenke 2001 severity table, written out independently of the library's cut-point list.
PHQ9_TABLE = {
    "minimal": range(0, 5),
    "mild": range(5, 10),
    "moderate": range(10, 15),
    "moderately_severe": range(15, 20),
    "severe": range(20, 28),
}
PHQ9_ORDER = list(PHQ9_TABLE)

phq9_vectors = st.lists(st.integers(0, 3), min_size=9, max_size=9)


def vector_with_total(total: int, item9: int = 0) -> list[int]:
    """A PHQ-9 answer vector summing to ``total`` with item 9 fixed, filling items 1-8 greedily."""
    rest = total - item9
    assert 0 <= rest <= 24
    items = []
    for _ in range(8):
        take = min(3, rest)
        items.append(take)
        rest -= take
    return [*items, item9]


def test_worked_example_from_cli_docs() -> None:
    result = score("phq9", [1, 2, 0, 3, 1, 0, 2, 1, 0])
    assert result.to_dict() == {"instrument": "phq9", "total": 10, "band": "moderate", "flags": []}


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_every_band_boundary(total: int, band: str) -> None:
    result = score("phq9", vector_with_total(total, item9=max(0, total - 24)))
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_item9_flags_self_harm_even_at_minimal_total(item9: int) -> None:
    result = score("phq9", [0] * 8 + [item9])
    assert result.total == item9
    assert result.band == "minimal"
    assert result.flags == ["self_harm_risk"]


def test_no_flag_when_item9_is_zero_even_when_severe() -> None:
    result = score("phq9", [3] * 8 + [0])
    assert result.band == "severe"
    assert result.flags == []


@given(phq9_vectors)
def test_phq9_total_band_and_flag_for_any_answers(answers: list[int]) -> None:
    result = score("phq9", answers)
    assert result.total == sum(answers)
    assert result.total in PHQ9_TABLE[result.band or ""]
    assert ("self_harm_risk" in result.flags) == (answers[8] > 0)


@given(phq9_vectors, phq9_vectors)
def test_phq9_band_is_monotone_in_total(a: list[int], b: list[int]) -> None:
    ra, rb = score("phq9", a), score("phq9", b)
    assert ra.total is not None and rb.total is not None
    if ra.total <= rb.total:
        assert PHQ9_ORDER.index(ra.band or "") <= PHQ9_ORDER.index(rb.band or "")


@given(st.integers(0, 8), st.integers().filter(lambda v: not 0 <= v <= 3))
def test_phq9_refuses_every_out_of_range_value_naming_the_item(position: int, value: int) -> None:
    answers = [0] * 9
    answers[position] = value
    with pytest.raises(InvalidAnswers) as caught:
        score("phq9", answers)
    err = caught.value
    assert err.position == position + 1
    assert err.item_id == get("phq9").items[position].link_id
    assert str(err).startswith(f"item {position + 1} (")
    assert f"must be 0-3, got {value}" in str(err)


def test_item9_message_names_the_question() -> None:
    with pytest.raises(
        InvalidAnswers, match=r"^item 9 \(Thoughts that you would be better off dead\.\.\.\) "
    ):
        score("phq9", [0] * 8 + [4])


@pytest.mark.parametrize("bad", [True, 1.0, "1", None, [1]])
def test_phq9_refuses_non_integer_answers(bad: object) -> None:
    with pytest.raises(InvalidAnswers) as caught:
        score("phq9", [0, 0, bad, 0, 0, 0, 0, 0, 0])  # type: ignore[list-item]
    assert caught.value.position == 3


def test_phq9_refuses_short_and_long_vectors() -> None:
    with pytest.raises(InvalidAnswers, match=r"item 9 .* is missing \(got 8 of 9 answers\)"):
        score("phq9", [0] * 8)
    with pytest.raises(InvalidAnswers, match="9 items but 10 answers"):
        score("phq9", [0] * 10)


def test_keyed_answers_match_positional() -> None:
    keyed = {f"q{n}": v for n, v in enumerate([1, 2, 0, 3, 1, 0, 2, 1, 0], start=1)}
    assert score("phq9", keyed) == score("phq9", [1, 2, 0, 3, 1, 0, 2, 1, 0])
    by_loinc = {"/44260-8": 2, **{f"q{n}": 0 for n in range(1, 9)}}
    assert score("phq9", by_loinc).flags == ["self_harm_risk"]


@pytest.mark.parametrize("answers", list(itertools.product(range(4), repeat=2)))
def test_phq2_all_sixteen_vectors(answers: tuple[int, int]) -> None:
    result = score("phq2", list(answers))
    total = answers[0] + answers[1]
    assert result.total == total
    if total >= 3:
        assert (result.band, result.flags) == ("positive", ["positive"])
    else:
        assert (result.band, result.flags) == ("negative", [])


def test_phq2_cut_point_is_three_not_two() -> None:
    assert score("phq2", [1, 1]).band == "negative"
    assert score("phq2", [2, 1]).band == "positive"


def test_phq2_items_are_phq9_items_1_and_2() -> None:
    phq2, phq9 = get("phq2"), get("phq9")
    assert [i.loinc for i in phq2.items] == [i.loinc for i in phq9.items[:2]] == ["44250-9", "44255-8"]
    assert (phq2.panel_loinc, phq2.total_loinc) == ("55757-9", "55758-7")
    assert (phq9.panel_loinc, phq9.total_loinc) == ("44249-1", "44261-6")
    assert phq9.items[8].loinc == "44260-8"


@pytest.mark.parametrize(
    "text", ["1,2,0,3,1,0,2,1,x", "1,2,0,3,1,0,2,1,1.0", "1,2,0,3,1,0,2,1,\u0663", "1,2,0,3,1,0,2,1,1_0"]
)
def test_cli_text_must_be_plain_ascii_integers(text: str) -> None:
    phq9 = get("phq9")
    with pytest.raises(InvalidAnswers, match=r"^item 9 \(.*must be a whole number 0-3") as caught:
        phq9.parse_answers(text)
    assert caught.value.position == 9


def test_keyed_answer_errors() -> None:
    phq9 = get("phq9")
    with pytest.raises(InvalidAnswers, match="has no item 'q10'"):
        score("phq9", {"q10": 1})
    with pytest.raises(InvalidAnswers, match=r"^item 1 \(.*answered twice"):
        score("phq9", {"q1": 1, "/44250-9": 2})
    with pytest.raises(InvalidAnswers, match="not a mix"):
        phq9.parse_answers("1,q2=3")
    assert phq9.parse_answers("q9=2,q1=1") == {"q9": 2, "q1": 1}


def test_unknown_instrument() -> None:
    from tandem.assessment.instruments import UnknownInstrument

    with pytest.raises(UnknownInstrument, match="known: phq2, phq9, gad7, promis10, ahc-hrsn"):
        score("pam", [1])
    assert get(" PHQ9 ").id == "phq9"
