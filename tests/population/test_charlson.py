"""Charlson (Quan 2005 coding, Quan 2011 and 1987 weights), hand-computed per condition and hierarchy."""

from __future__ import annotations

import pytest

from tandem.population.charlson import score_codes

# condition -> (example code, Quan 2011 weight, Charlson 1987 weight), one per condition in SPEC.md §2.3
CASES = {
    "mi": ("I21.4", 0, 1),
    "chf": ("I50.22", 2, 1),
    "pvd": ("I70.0", 0, 1),
    "cevd": ("I63.9", 0, 1),
    "dementia": ("G30.9", 2, 1),
    "cpd": ("J44.9", 1, 1),
    "rheumd": ("M05.79", 1, 1),
    "pud": ("K25.9", 0, 1),
    "mld": ("K70.30", 2, 1),
    "diab": ("E11.9", 0, 1),
    "diabwc": ("E11.22", 1, 2),
    "hp": ("G81.90", 2, 2),
    "rend": ("N18.4", 1, 2),
    "canc": ("C50.911", 2, 2),
    "msld": ("K72.90", 4, 3),
    "metacanc": ("C78.7", 6, 6),
    "aids": ("B20", 4, 6),
}


@pytest.mark.parametrize("condition", sorted(CASES))
def test_each_condition_alone(condition: str) -> None:
    code, quan, c1987 = CASES[condition]
    result = score_codes({"p": [code]})["p"]
    assert result.conditions == (condition,)
    assert (result.quan2011, result.charlson1987) == (quan, c1987)


def test_codes_outside_the_map_score_zero() -> None:
    result = score_codes({"p": ["I10", "E78.5", "E11"], "q": []})
    # bare E11 has no 4th character, so neither diabetes category applies
    assert result["p"].quan2011 == 0 and result["p"].conditions == ()
    assert result["q"].quan2011 == 0


@pytest.mark.parametrize(
    ("codes", "kept", "quan"),
    [
        (["K70.30", "K72.90"], ("msld",), 4),  # severe liver zeroes mild liver
        (["E11.9", "E11.22"], ("diabwc",), 1),  # complicated diabetes zeroes uncomplicated
        (["C50.911", "C78.7"], ("metacanc",), 6),  # metastatic zeroes any malignancy
    ],
)
def test_hierarchies(codes: list[str], kept: tuple[str, ...], quan: int) -> None:
    result = score_codes({"p": codes})["p"]
    assert result.conditions == kept
    assert result.quan2011 == quan


def test_sum_of_many_conditions_and_duplicates_count_once() -> None:
    codes = ["I50.9", "I50.22", "J44.9", "N18.4", "B20", "G30.9", "I21.4"]
    result = score_codes({"p": codes})["p"]
    # CHF 2 + CPD 1 + renal 1 + AIDS 4 + dementia 2 + MI 0 = 10 (1987: 1+1+2+6+1+1 = 12)
    assert result.quan2011 == 10
    assert result.charlson1987 == 12


def test_maximum_quan_score_is_24() -> None:
    result = score_codes({"p": [code for code, _, _ in CASES.values()]})["p"]
    assert result.quan2011 == 24
