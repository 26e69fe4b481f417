"""PROMIS Scale v1.2 - Global Health ("PROMIS-10"): Global Physical and Global Mental Health T-scores.

How it is scored (Hays RD, Bjorner JB, Revicki DA, Spritzer KL, Cella D. Qual Life Res
2009;18(7):873-880, doi:10.1007/s11136-009-9496-9, and the HealthMeasures scoring materials):
- GPH raw = Global03 + Global06 + Global07rc + Global08r; GMH raw = Global02 + Global04 + Global05
  + Global10r; each 4-20, converted to a T-score with a published lookup table.
- In v1.2 the fatigue (Global08r) and emotional-problems (Global10r) items are printed already
  reverse-keyed (5 = None / Never ... 1 = Very severe / Always), so no reversal is applied here;
  Hays's 2009 notes reverse them because v1.0 printed 1 = None.
- Global07r is the 0-10 pain rating, collapsed to 1-5 before summing: 0 -> 5, 1-3 -> 4, 4-6 -> 3,
  7-9 -> 2, 10 -> 1.
- Global01 (general health) and Global09r (social roles) are reported alone; they are in neither
  summary score.
- There is no overall PROMIS Global Health score, so ``total`` and ``band`` are None.

Answer order. Positional answers follow the item numbers, Global01..Global10, with Global07 the
0-10 pain rating in seventh place (the order Tandem's issue and scripts use). Note that the printed
v1.2 form runs Global01-05, Global09r, Global06, Global10r, Global08r, Global07r: when copying from
paper, prefer ``key=value`` answers (``Global07r=3``), which avoid any doubt.

Missing items: the raw-score tables assume every item of a summary score was answered
(HealthMeasures asks for at least 4 answered items on measures of 4 or more items, and each summary
has exactly 4), so a missing item is refused; response-pattern scoring through the HealthMeasures
Scoring Service is the published route for incomplete forms.

Item wording is under the HealthMeasures Terms of Use, so only short labels are stored here.
"""

from __future__ import annotations

from .base import Answer, Instrument, Item, Option, ScoreResult

_EXCELLENT_POOR = (
    Option(5, "Excellent", "LA9206-9"),
    Option(4, "Very good", "LA13913-1"),
    Option(3, "Good", "LA8967-7"),
    Option(2, "Fair", "LA8968-5"),
    Option(1, "Poor", "LA8969-3"),
)
_COMPLETELY = (
    Option(5, "Completely", "LA13937-0"),
    Option(4, "Mostly", "LA13938-8"),
    Option(3, "Moderately", "LA13939-6"),
    Option(2, "A little", "LA13940-4"),
    Option(1, "Not at all", "LA6568-5"),
)
_NEVER_ALWAYS = (
    Option(5, "Never", "LA6270-8"),
    Option(4, "Rarely", "LA10066-1"),
    Option(3, "Sometimes", "LA10082-8"),
    Option(2, "Often", "LA10044-8"),
    Option(1, "Always", "LA9933-8"),
)
_NONE_VERY_SEVERE = (
    Option(5, "None", "LA137-2"),
    Option(4, "Mild", "LA6752-5"),
    Option(3, "Moderate", "LA6751-7"),
    Option(2, "Severe", "LA6750-9"),
    Option(1, "Very severe", "LA13958-6"),
)
_PAIN = tuple(Option(v, str(v)) for v in range(11))

# Item-number order Global01..Global10 (positional answers use it): (key, LOINC code, label, options).
ITEMS = (
    Item("Global01", "/61577-3", "Global01 general health", _EXCELLENT_POOR, "61577-3"),
    Item("Global02", "/61578-1", "Global02 quality of life", _EXCELLENT_POOR, "61578-1"),
    Item("Global03", "/61579-9", "Global03 physical health", _EXCELLENT_POOR, "61579-9"),
    Item("Global04", "/61580-7", "Global04 mental health", _EXCELLENT_POOR, "61580-7"),
    Item("Global05", "/61581-5", "Global05 satisfaction with social activities", _EXCELLENT_POOR, "61581-5"),
    Item("Global06", "/61582-3", "Global06 everyday physical activities", _COMPLETELY, "61582-3"),
    Item("Global07r", "/61583-1", "Global07r pain 0-10", _PAIN, "61583-1", answer_as="integer"),
    Item("Global08r", "/61584-9", "Global08r fatigue", _NONE_VERY_SEVERE, "61584-9"),
    Item("Global09r", "/61585-6", "Global09r carrying out social roles", _EXCELLENT_POOR, "61585-6"),
    Item("Global10r", "/61586-4", "Global10r emotional problems", _NEVER_ALWAYS, "61586-4"),
)
_INDEX = {item.key: i for i, item in enumerate(ITEMS)}


def recode_pain(rating: int) -> int:
    """Collapse the 0-10 pain rating to the 1-5 scale of the other GPH items (Global07rc)."""
    if rating == 0:
        return 5
    if rating <= 3:
        return 4
    if rating <= 6:
        return 3
    if rating <= 9:
        return 2
    return 1


# Raw score (4-20) -> T-score. GPH: Hays 2009 notes (ph4-summary-061909) and HealthMeasures agree.
GPH_T = {
    4: 16.2, 5: 19.9, 6: 23.5, 7: 26.7, 8: 29.6, 9: 32.4, 10: 34.9, 11: 37.4, 12: 39.8,
    13: 42.3, 14: 44.9, 15: 47.7, 16: 50.8, 17: 54.1, 18: 57.7, 19: 61.9, 20: 67.7,
}  # fmt: skip
# GMH: identical to Hays's notes (mh4-summary-062209) except raw 4, where the notes print 21.1 and
# the table distributed with the HealthMeasures v1.2 scoring materials (as reproduced by three
# independent implementations) gives 21.2; 21.2 is used. See docs/instruments.md.
GMH_T = {
    4: 21.2, 5: 25.1, 6: 28.4, 7: 31.3, 8: 33.8, 9: 36.3, 10: 38.8, 11: 41.1, 12: 43.5,
    13: 45.8, 14: 48.3, 15: 50.8, 16: 53.3, 17: 56.0, 18: 59.0, 19: 62.5, 20: 67.6,
}  # fmt: skip


def _value(answers: tuple[Answer, ...], key: str) -> int:
    value = answers[_INDEX[key]]
    if not isinstance(value, int):
        raise TypeError(f"{key} takes a single answer")
    return value


def _score(answers: tuple[Answer, ...]) -> ScoreResult:
    physical = (
        _value(answers, "Global03")
        + _value(answers, "Global06")
        + recode_pain(_value(answers, "Global07r"))
        + _value(answers, "Global08r")
    )
    mental = (
        _value(answers, "Global02")
        + _value(answers, "Global04")
        + _value(answers, "Global05")
        + _value(answers, "Global10r")
    )
    return ScoreResult(
        instrument="promis10",
        total=None,
        band=None,
        flags=[],
        physical_raw=physical,
        mental_raw=mental,
        physical_t=GPH_T[physical],
        mental_t=GMH_T[mental],
    )


PROMIS10 = Instrument(
    id="promis10",
    title="PROMIS Scale v1.2 - Global Health (PROMIS-10)",
    panel_loinc="85524-7",
    total_loinc=None,
    items=ITEMS,
    scorer=_score,
    other_codes={
        "physical_raw": "71972-4",
        "mental_raw": "71970-8",
        "physical_t": "71971-6",
        "mental_t": "71969-0",
    },
    missing_rule=(
        "The raw-score to T-score tables need all four items of each summary score; "
        "score incomplete forms with the HealthMeasures Scoring Service instead."
    ),
    sources=(
        "Hays RD, Bjorner JB, Revicki DA, Spritzer KL, Cella D. Qual Life Res 2009;18(7):873-880. "
        "doi:10.1007/s11136-009-9496-9",
        "HealthMeasures PROMIS Global Health scoring materials, https://www.healthmeasures.net/",
    ),
    licence="PROMIS items (c) PROMIS Health Organization; used under the HealthMeasures Terms of Use. "
    "Only short item labels are stored.",
)
