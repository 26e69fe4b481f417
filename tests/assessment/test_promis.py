"""PROMIS Global Health v1.2: summary raw scores, pain recode, T-score tables, form order, missing items."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.assessment.instruments import InvalidAnswers, get, score
from tandem.assessment.instruments.promis_global import GMH_T, GPH_T, recode_pain

# Positional answers follow the item numbers (Global07r, the 0-10 pain rating, seventh).
FORM_ORDER = [
    "Global01", "Global02", "Global03", "Global04", "Global05",
    "Global06", "Global07r", "Global08r", "Global09r", "Global10r",
]  # fmt: skip
# Pain recode as published: 0 -> 5, 1-3 -> 4, 4-6 -> 3, 7-9 -> 2, 10 -> 1.
PAIN_RECODE = [5, 4, 4, 4, 3, 3, 3, 2, 2, 2, 1]
# Hays's 2009 derivation notes (gim.med.ucla.edu/FacultyPages/Hays, ph4-/mh4-summary), raw 4..20.
HAYS_GPH = [
    16.2,
    19.9,
    23.5,
    26.7,
    29.6,
    32.4,
    34.9,
    37.4,
    39.8,
    42.3,
    44.9,
    47.7,
    50.8,
    54.1,
    57.7,
    61.9,
    67.7,
]
HAYS_GMH = [
    21.1,
    25.1,
    28.4,
    31.3,
    33.8,
    36.3,
    38.8,
    41.1,
    43.5,
    45.8,
    48.3,
    50.8,
    53.3,
    56.0,
    59.0,
    62.5,
    67.6,
]

answers_st = st.fixed_dictionaries(
    {key: (st.integers(0, 10) if key == "Global07r" else st.integers(1, 5)) for key in FORM_ORDER}
)


def positional(keyed: dict[str, int]) -> list[int]:
    return [keyed[k] for k in FORM_ORDER]


def test_items_follow_the_item_numbers() -> None:
    assert [item.key for item in get("promis10").items] == FORM_ORDER


def test_worked_example() -> None:
    # GPH = Global03 3 + Global06 4 + pain 5 -> 3 + Global08r 3 = 13 -> 42.3
    # GMH = Global02 3 + Global04 4 + Global05 2 + Global10r 2 = 11 -> 41.1
    result = score("promis10", [3, 3, 3, 4, 2, 4, 5, 3, 3, 2])
    assert result.to_dict() == {
        "instrument": "promis10",
        "total": None,
        "band": None,
        "flags": [],
        "physical_raw": 13,
        "mental_raw": 11,
        "physical_t": 42.3,
        "mental_t": 41.1,
    }


def test_best_and_worst_forms_hit_the_ends_of_the_published_range() -> None:
    best = score("promis10", [5, 5, 5, 5, 5, 5, 0, 5, 5, 5])
    worst = score("promis10", [1, 1, 1, 1, 1, 1, 10, 1, 1, 1])
    assert (best.physical_raw, best.mental_raw, best.physical_t, best.mental_t) == (20, 20, 67.7, 67.6)
    assert (worst.physical_raw, worst.mental_raw, worst.physical_t, worst.mental_t) == (4, 4, 16.2, 21.2)


@pytest.mark.parametrize("rating", range(11))
def test_pain_recode(rating: int) -> None:
    assert recode_pain(rating) == PAIN_RECODE[rating]


def test_gph_table_matches_hays_notes() -> None:
    assert [GPH_T[raw] for raw in range(4, 21)] == HAYS_GPH


def test_gmh_table_differs_from_hays_notes_only_at_raw_4() -> None:
    ours = [GMH_T[raw] for raw in range(4, 21)]
    assert ours[1:] == HAYS_GMH[1:]
    assert (ours[0], HAYS_GMH[0]) == (21.2, 21.1)


@pytest.mark.parametrize("table", [GPH_T, GMH_T])
def test_tables_cover_4_to_20_and_strictly_increase(table: dict[int, float]) -> None:
    assert sorted(table) == list(range(4, 21))
    values = [table[raw] for raw in range(4, 21)]
    assert all(a < b for a, b in zip(values, values[1:], strict=False))


@given(answers_st)
def test_scores_for_any_answers(keyed: dict[str, int]) -> None:
    result = score("promis10", positional(keyed))
    physical = keyed["Global03"] + keyed["Global06"] + PAIN_RECODE[keyed["Global07r"]] + keyed["Global08r"]
    mental = keyed["Global02"] + keyed["Global04"] + keyed["Global05"] + keyed["Global10r"]
    assert (result.physical_raw, result.mental_raw) == (physical, mental)
    assert result.physical_t == GPH_T[physical]
    assert result.mental_t == GMH_T[mental]
    assert result.physical_t is not None and result.mental_t is not None
    assert 16.2 <= result.physical_t <= 67.7
    assert 21.2 <= result.mental_t <= 67.6
    assert (result.total, result.band) == (None, None)
    assert score("promis10", keyed) == result


@given(answers_st, answers_st)
def test_t_scores_are_monotone_in_raw(a: dict[str, int], b: dict[str, int]) -> None:
    ra, rb = score("promis10", a), score("promis10", b)
    assert ra.physical_raw is not None and rb.physical_raw is not None
    assert ra.mental_raw is not None and rb.mental_raw is not None
    assert ra.physical_t is not None and rb.physical_t is not None
    assert ra.mental_t is not None and rb.mental_t is not None
    if ra.physical_raw < rb.physical_raw:
        assert ra.physical_t < rb.physical_t
    if ra.mental_raw < rb.mental_raw:
        assert ra.mental_t < rb.mental_t


@given(answers_st)
def test_more_pain_never_raises_physical_health(keyed: dict[str, int]) -> None:
    worse = {**keyed, "Global07r": min(10, keyed["Global07r"] + 1)}
    physical_t = score("promis10", keyed).physical_t
    worse_t = score("promis10", worse).physical_t
    assert physical_t is not None and worse_t is not None
    assert worse_t <= physical_t


@given(answers_st)
def test_global01_and_global09r_do_not_move_either_summary(keyed: dict[str, int]) -> None:
    base = score("promis10", keyed)
    changed = score(
        "promis10", {**keyed, "Global01": 6 - keyed["Global01"], "Global09r": 6 - keyed["Global09r"]}
    )
    assert (base.physical_t, base.mental_t) == (changed.physical_t, changed.mental_t)


def test_pain_in_printed_form_position_is_refused_naming_global10r() -> None:
    # Someone copying the printed v1.2 form puts the pain rating last; Global10r sits there.
    with pytest.raises(InvalidAnswers, match=r"^item 10 \(Global10r emotional problems\) must be 1-5, got 8"):
        score("promis10", [4, 4, 4, 4, 4, 4, 4, 4, 4, 8])


@given(st.integers(0, 9), st.integers(-50, 50))
def test_refuses_out_of_range_naming_item(position: int, value: int) -> None:
    allowed = range(0, 11) if position == 6 else range(1, 6)
    if value in allowed:
        return
    answers = [3] * 9 + [3]
    answers[position] = value
    with pytest.raises(InvalidAnswers) as caught:
        score("promis10", answers)
    assert caught.value.position == position + 1
    assert caught.value.item_key == FORM_ORDER[position]
    assert str(caught.value).startswith(f"item {position + 1} ({FORM_ORDER[position]} ")


@pytest.mark.parametrize("missing", FORM_ORDER)
def test_missing_item_is_refused_with_the_published_rule(missing: str) -> None:
    keyed = {k: 3 for k in FORM_ORDER if k != missing}
    with pytest.raises(InvalidAnswers, match="need all four items of each summary score") as caught:
        score("promis10", keyed)
    assert caught.value.item_key == missing


def test_loinc_codes() -> None:
    promis = get("promis10")
    assert promis.panel_loinc == "85524-7"
    assert dict(promis.other_codes) == {
        "physical_raw": "71972-4",
        "mental_raw": "71970-8",
        "physical_t": "71971-6",
        "mental_t": "71969-0",
    }
