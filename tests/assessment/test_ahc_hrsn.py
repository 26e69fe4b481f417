"""AHC HRSN core screen: each domain's positive answers, the safety threshold and the CLI encoding."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.assessment.instruments import InvalidAnswers, get, score
from tandem.assessment.instruments.base import RawAnswer

AHC = get("ahc-hrsn")
# A screen negative in every domain: steady housing, none of the problems, food "Never true",
# transport "No", utilities "No", and "Never" on all four safety items.
NEGATIVE: list[RawAnswer] = [1, frozenset({8}), 3, 3, 2, 2, 1, 1, 1, 1]


def with_answer(position: int, value: RawAnswer) -> list[RawAnswer]:
    answers = list(NEGATIVE)
    answers[position - 1] = value
    return answers


def domains(answers: list[RawAnswer]) -> list[str]:
    result = score("ahc-hrsn", answers)
    assert result.positive_domains is not None
    return result.positive_domains


def test_all_negative_screen() -> None:
    result = score("ahc-hrsn", NEGATIVE)
    assert result.to_dict() == {
        "instrument": "ahc-hrsn",
        "total": 0,
        "band": "negative",
        "flags": [],
        "positive_domains": [],
        "subscores": {"safety_score": 4},
    }


@pytest.mark.parametrize(("option", "positive"), [(1, False), (2, True), (3, True)])
def test_living_situation(option: int, positive: bool) -> None:
    assert domains(with_answer(1, option)) == (["housing_instability"] if positive else [])


@pytest.mark.parametrize("problem", range(1, 8))
def test_any_housing_problem_is_positive(problem: int) -> None:
    assert domains(with_answer(2, frozenset({problem}))) == ["housing_quality"]


def test_several_housing_problems_count_once() -> None:
    assert domains(with_answer(2, frozenset({2, 4, 7}))) == ["housing_quality"]


@pytest.mark.parametrize(("q3", "q4"), list(itertools.product([1, 2, 3], repeat=2)))
def test_food_either_item_often_or_sometimes(q3: int, q4: int) -> None:
    answers = with_answer(3, q3)
    answers[3] = q4
    assert domains(answers) == (["food_insecurity"] if q3 in (1, 2) or q4 in (1, 2) else [])


@pytest.mark.parametrize(("option", "positive"), [(1, True), (2, False)])
def test_transportation(option: int, positive: bool) -> None:
    assert domains(with_answer(5, option)) == (["transportation_needs"] if positive else [])


@pytest.mark.parametrize(("option", "positive"), [(1, True), (2, False), (3, True)])
def test_utilities_yes_and_already_shut_off_are_positive(option: int, positive: bool) -> None:
    assert domains(with_answer(6, option)) == (["utility_needs"] if positive else [])


@pytest.mark.parametrize("safety", list(itertools.product(range(1, 6), repeat=4)))
def test_safety_positive_iff_sum_above_10(safety: tuple[int, int, int, int]) -> None:
    result = score("ahc-hrsn", [*NEGATIVE[:6], *safety])
    assert result.subscores["safety_score"] == sum(safety)
    assert (result.positive_domains == ["interpersonal_safety"]) == (sum(safety) >= 11)


def test_safety_threshold_edge() -> None:
    assert domains([*NEGATIVE[:6], 4, 2, 2, 2]) == []  # 10
    assert domains([*NEGATIVE[:6], 4, 3, 2, 2]) == ["interpersonal_safety"]  # 11


answer_vectors = st.tuples(
    st.integers(1, 3),
    st.one_of(st.just(frozenset({8})), st.frozensets(st.integers(1, 7), min_size=1)),
    st.integers(1, 3),
    st.integers(1, 3),
    st.integers(1, 2),
    st.integers(1, 3),
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(1, 5),
)


@given(answer_vectors)
def test_total_counts_positive_domains_for_any_answers(answers: tuple[object, ...]) -> None:
    result = score("ahc-hrsn", list(answers))  # type: ignore[arg-type]
    expected = []
    q1, q2, q3, q4, q5, q6, *safety = answers
    if q1 in (2, 3):
        expected.append("housing_instability")
    if q2 != frozenset({8}):
        expected.append("housing_quality")
    if q3 in (1, 2) or q4 in (1, 2):
        expected.append("food_insecurity")
    if q5 == 1:
        expected.append("transportation_needs")
    if q6 in (1, 3):
        expected.append("utility_needs")
    if sum(safety) > 10:  # type: ignore[arg-type]
        expected.append("interpersonal_safety")
    assert result.positive_domains == expected
    assert result.total == len(expected)
    assert result.band == ("positive" if expected else "negative")
    assert result.flags == (["positive"] if expected else [])


def test_cli_encoding() -> None:
    parsed = AHC.parse_answers("2,2+4,1,3,2,3,1,1,1,1")
    assert list(parsed) == [2, frozenset({2, 4}), 1, 3, 2, 3, 1, 1, 1, 1]
    result = AHC.score(parsed)
    assert result.positive_domains == [
        "housing_instability",
        "housing_quality",
        "food_insecurity",
        "utility_needs",
    ]


@pytest.mark.parametrize("none", ["8", "0"])
def test_none_of_the_above_spellings(none: str) -> None:
    assert AHC.score(AHC.parse_answers(f"1,{none},3,3,2,2,1,1,1,1")).total == 0


@pytest.mark.parametrize("bad", ["2+8", "0+3"])
def test_none_of_the_above_cannot_be_combined(bad: str) -> None:
    with pytest.raises(InvalidAnswers, match=r"^item 2 \(.*cannot combine 'None of the above'") as caught:
        AHC.score(AHC.parse_answers(f"1,{bad},3,3,2,2,1,1,1,1"))
    assert caught.value.item_id == "/96778-6"


@pytest.mark.parametrize(
    ("position", "value", "expected"),
    [
        (1, "4", "must be 1-3, got 4"),
        (2, "9", "must be 1-8, got 9"),
        (2, "2+x", "must be a whole number 1-8, got '2+x'"),
        (5, "3", "must be 1-2, got 3"),
        (6, "0", "must be 1-3, got 0"),
        (7, "6", "must be 1-5, got 6"),
        (10, "0", "must be 1-5, got 0"),
    ],
)
def test_out_of_range_answers_name_the_item(position: int, value: str, expected: str) -> None:
    fields = ["1", "8", "3", "3", "2", "2", "1", "1", "1", "1"]
    fields[position - 1] = value
    with pytest.raises(InvalidAnswers) as caught:
        AHC.score(AHC.parse_answers(",".join(fields)))
    assert str(caught.value).startswith(f"item {position} (")
    assert expected in str(caught.value)
    assert caught.value.position == position


def test_skipped_question_is_refused() -> None:
    with pytest.raises(InvalidAnswers, match=r"^item 6 \(In the past 12 months has the electric.*is missing"):
        AHC.score(AHC.parse_answers("1,8,3,3,2,,1,1,1,1"))


def test_codes() -> None:
    assert AHC.panel_loinc == "96777-8"
    assert AHC.other_codes["safety_score"] == "95614-4"
    assert [i.loinc for i in AHC.items] == [
        "71802-3", "96778-6", "88122-7", "88123-5", "93030-5", "96779-4",
        "95618-5", "95617-7", "95616-9", "95615-1",
    ]  # fmt: skip
