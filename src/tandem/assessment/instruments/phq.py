"""PHQ-9 and PHQ-2 depression screens.

Sources (see docs/instruments.md):
- Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity
  measure. J Gen Intern Med 2001;16:606-613 — 0-3 per item, total 0-27, cut points 5/10/15/20.
- Kroenke K, Spitzer RL, Williams JBW. The Patient Health Questionnaire-2: validity of a two-item
  depression screener. Med Care 2003;41:1284-1292 — total 0-6, >=3 is the screening cut point.
- LOINC panel/total/item/answer codes as used in the HL7 FHIR R4 PHQ-9 example Questionnaire and
  LOINC-derived Questionnaires (44249-1, 44261-6, 44250-9 ... 44260-8; 55757-9, 55758-7;
  LA6568-5 ... LA6571-9).
- Item wording: Copyright Pfizer Inc.; the notice LOINC distributes with the forms reads "No
  permission required to reproduce, translate, display or distribute."

Item 9 asks about thoughts of death or self-harm. Any answer above 0 raises ``self_harm_risk``
whatever the total, because a low total with a positive item 9 still needs same-day follow-up.
"""

from __future__ import annotations

from .base import Answer, Instrument, Item, Option, ScoreResult, band_for, sum_scale

FREQUENCY = (
    Option(0, "Not at all", "LA6568-5"),
    Option(1, "Several days", "LA6569-3"),
    Option(2, "More than half the days", "LA6570-1"),
    Option(3, "Nearly every day", "LA6571-9"),
)

# (LOINC item code, item wording) in form order.
_PHQ9_ITEMS = (
    ("44250-9", "Little interest or pleasure in doing things"),
    ("44255-8", "Feeling down, depressed, or hopeless"),
    ("44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    ("44254-1", "Feeling tired or having little energy"),
    ("44251-7", "Poor appetite or overeating"),
    (
        "44258-2",
        "Feeling bad about yourself - or that you are a failure or have let yourself or your family down",
    ),
    ("44252-5", "Trouble concentrating on things, such as reading the newspaper or watching television"),
    (
        "44253-3",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite - being so "
        "fidgety or restless that you have been moving around a lot more than usual",
    ),
    ("44260-8", "Thoughts that you would be better off dead or of hurting yourself in some way"),
)


def _items(count: int) -> tuple[Item, ...]:
    return tuple(
        Item(key=f"q{n}", link_id=f"/{code}", text=text, options=FREQUENCY, loinc=code)
        for n, (code, text) in enumerate(_PHQ9_ITEMS[:count], start=1)
    )


# Kroenke 2001: 5, 10, 15 and 20 mark mild, moderate, moderately severe and severe depression.
PHQ9_BANDS = ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately_severe"), (20, "severe"))
PHQ2_CUTOFF = 3  # Kroenke 2003: a total of 3 or more screens positive; give the full PHQ-9.
SELF_HARM_ITEM = 8  # zero-based index of item 9


def _score_phq9(answers: tuple[Answer, ...]) -> ScoreResult:
    total = sum_scale(answers)
    flags = ["self_harm_risk"] if answers[SELF_HARM_ITEM] != 0 else []
    return ScoreResult(instrument="phq9", total=total, band=band_for(total, PHQ9_BANDS), flags=flags)


def _score_phq2(answers: tuple[Answer, ...]) -> ScoreResult:
    total = sum_scale(answers)
    positive = total >= PHQ2_CUTOFF
    return ScoreResult(
        instrument="phq2",
        total=total,
        band="positive" if positive else "negative",
        flags=["positive"] if positive else [],
    )


_PFIZER = (
    "PHQ-9/PHQ-2 (c) Pfizer Inc., developed by Drs. Spitzer, Williams, Kroenke and colleagues with an "
    "educational grant from Pfizer; the notice LOINC distributes says no permission is required to "
    "reproduce, translate, display or distribute."
)

PHQ9 = Instrument(
    id="phq9",
    title="Patient Health Questionnaire-9 (PHQ-9)",
    panel_loinc="44249-1",
    total_loinc="44261-6",
    items=_items(9),
    scorer=_score_phq9,
    sources=(
        "Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16(9):606-613. "
        "doi:10.1046/j.1525-1497.2001.016009606.x",
    ),
    licence=_PFIZER,
)

PHQ2 = Instrument(
    id="phq2",
    title="Patient Health Questionnaire-2 (PHQ-2)",
    panel_loinc="55757-9",
    total_loinc="55758-7",
    items=_items(2),
    scorer=_score_phq2,
    sources=(
        "Kroenke K, Spitzer RL, Williams JBW. Med Care 2003;41(11):1284-1292. "
        "doi:10.1097/01.MLR.0000093487.78664.3C",
    ),
    licence=_PFIZER,
)
