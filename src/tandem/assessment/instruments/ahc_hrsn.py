"""CMS Accountable Health Communities (AHC) Health-Related Social Needs screening tool, core items.

This is the updated tool CMS published in 2018 (the 2017 original asked "What is your housing
situation today?" and had two "Yes" transportation answers). Item wording, answer order and the
positive ("underlined") answers follow the CMS core questions as reproduced in PhenX protocol
281401 and the NY SHIN-NY HRSN FHIR IG; LOINC question and answer codes come from the same IG.
The tool is a US federal (CMS) work.

Positive screens:
- housing_instability (item 1): "worried about losing it" or "no steady place to live".
- housing_quality (item 2, tick all that apply): any problem other than "None of the above".
- food_insecurity (items 3-4): "Often true" or "Sometimes true" on either item.
- transportation_needs (item 5): "Yes".
- utility_needs (item 6): "Yes" or "Already shut off" (both underlined on the CMS form).
- interpersonal_safety (items 7-10, each 1 = Never ... 5 = Frequently): sum greater than 10, i.e.
  11 or more; the two wordings in circulation describe the same integer threshold (HITS, Sherin
  et al. 1998).

CMS prints items 1 and 2 under one "Living situation" heading; Tandem reports them as two domains
because they lead to different referrals (housing instability vs inadequate housing, as the Gravity
Project codes them). ``total`` is the number of positive domains (0-6).

Answer encoding: each item is answered with its option number on the form (1 = first option);
items 7-10 with their printed value 1-5. Item 2 takes option numbers joined with ``+`` (``2+4``);
``8`` (or ``0``) means "None of the above".
"""

from __future__ import annotations

from .base import Answer, Instrument, Item, Option, ScoreResult

_TRUE = (
    Option(1, "Often true", "LA28397-0"),
    Option(2, "Sometimes true", "LA6729-3"),
    Option(3, "Never true", "LA28398-8"),
)
_FREQ = (
    Option(1, "Never", "LA6270-8"),
    Option(2, "Rarely", "LA10066-1"),
    Option(3, "Sometimes", "LA10082-8"),
    Option(4, "Fairly often", "LA16644-9"),
    Option(5, "Frequently", "LA6482-9"),
)
NONE_OF_THE_ABOVE = 8

ITEMS = (
    Item(
        "q1",
        "/71802-3",
        "What is your living situation today?",
        (
            Option(1, "I have a steady place to live", "LA31993-1"),
            Option(
                2,
                "I have a place to live today, but I am worried about losing it in the future",
                "LA31994-9",
            ),
            Option(
                3,
                "I do not have a steady place to live (I am temporarily staying with others, in a hotel, "
                "in a shelter, living outside on the street, on a beach, in a car, abandoned building, "
                "bus or train station, or in a park)",
                "LA31995-6",
            ),
        ),
        "71802-3",
        ordinal=False,
    ),
    Item(
        "q2",
        "/96778-6",
        "Think about the place you live. Do you have problems with any of the following?",
        (
            Option(1, "Pests such as bugs, ants, or mice", "LA31996-4"),
            Option(2, "Mold", "LA28580-1"),
            Option(3, "Lead paint or pipes", "LA31997-2"),
            Option(4, "Lack of heat", "LA31998-0"),
            Option(5, "Oven or stove not working", "LA31999-8"),
            Option(6, "Smoke detectors missing or not working", "LA32000-4"),
            Option(7, "Water leaks", "LA32001-2"),
            Option(NONE_OF_THE_ABOVE, "None of the above", "LA9-3"),
        ),
        "96778-6",
        multiple=True,
        ordinal=False,
        exclusive=frozenset({NONE_OF_THE_ABOVE}),
        aliases={0: NONE_OF_THE_ABOVE},
    ),
    Item(
        "q3",
        "/88122-7",
        "Within the past 12 months, you worried that your food would run out before you got money "
        "to buy more.",
        _TRUE,
        "88122-7",
        ordinal=False,
    ),
    Item(
        "q4",
        "/88123-5",
        "Within the past 12 months, the food you bought just didn't last and you didn't have money "
        "to get more.",
        _TRUE,
        "88123-5",
        ordinal=False,
    ),
    Item(
        "q5",
        "/93030-5",
        "In the past 12 months, has lack of reliable transportation kept you from medical appointments, "
        "meetings, work or from getting things needed for daily living?",
        (Option(1, "Yes", "LA33-6"), Option(2, "No", "LA32-8")),
        "93030-5",
        ordinal=False,
    ),
    Item(
        "q6",
        "/96779-4",
        "In the past 12 months has the electric, gas, oil, or water company threatened to shut off services "
        "in your home?",
        (Option(1, "Yes", "LA33-6"), Option(2, "No", "LA32-8"), Option(3, "Already shut off", "LA32002-0")),
        "96779-4",
        ordinal=False,
    ),
    Item(
        "q7",
        "/95618-5",
        "How often does anyone, including family and friends, physically hurt you?",
        _FREQ,
        "95618-5",
    ),
    Item(
        "q8",
        "/95617-7",
        "How often does anyone, including family and friends, insult or talk down to you?",
        _FREQ,
        "95617-7",
    ),
    Item(
        "q9",
        "/95616-9",
        "How often does anyone, including family and friends, threaten you with harm?",
        _FREQ,
        "95616-9",
    ),
    Item(
        "q10",
        "/95615-1",
        "How often does anyone, including family and friends, scream or curse at you?",
        _FREQ,
        "95615-1",
    ),
)

SAFETY_THRESHOLD = 10  # positive when the items 7-10 sum is greater than 10 (11-20)
DOMAINS = (
    "housing_instability",
    "housing_quality",
    "food_insecurity",
    "transportation_needs",
    "utility_needs",
    "interpersonal_safety",
)


def _one(answer: Answer) -> int:
    if not isinstance(answer, int):
        raise TypeError("single-choice item given a multi-select answer")
    return answer


def _score(answers: tuple[Answer, ...]) -> ScoreResult:
    problems = answers[1]
    if not isinstance(problems, frozenset):
        raise TypeError("item 2 is multi-select")
    safety = sum(_one(a) for a in answers[6:10])
    positive = {
        "housing_instability": _one(answers[0]) in {2, 3},
        "housing_quality": bool(problems - {NONE_OF_THE_ABOVE}),
        "food_insecurity": _one(answers[2]) in {1, 2} or _one(answers[3]) in {1, 2},
        "transportation_needs": _one(answers[4]) == 1,
        "utility_needs": _one(answers[5]) in {1, 3},
        "interpersonal_safety": safety > SAFETY_THRESHOLD,
    }
    domains = [d for d in DOMAINS if positive[d]]
    return ScoreResult(
        instrument="ahc-hrsn",
        total=len(domains),
        band="positive" if domains else "negative",
        flags=["positive"] if domains else [],
        positive_domains=domains,
        subscores={"safety_score": safety},
    )


AHC_HRSN = Instrument(
    id="ahc-hrsn",
    title="AHC Health-Related Social Needs Screening Tool, core questions (CMS, 2018 update)",
    panel_loinc="96777-8",
    total_loinc=None,
    items=ITEMS,
    scorer=_score,
    other_codes={"safety_score": "95614-4", "supplemental_panel": "97023-6"},
    missing_rule=(
        "Tandem scores complete core screens only; a skipped question cannot be read as a negative "
        "screen, and the safety score needs all of items 7-10."
    ),
    sources=(
        "CMS Innovation Center. Accountable Health Communities Health-Related Social Needs Screening Tool "
        "(2018). https://www.cms.gov/priorities/innovation/files/worksheets/ahcm-screeningtool.pdf",
        "Billioux A, Verlander K, Anthony S, Alley D. Standardized Screening for Health-Related Social Needs "
        "in Clinical Settings: The AHC Screening Tool. NAM Perspectives, 2017. doi:10.31478/201705b",
        "PhenX Toolkit protocol 281401, https://www.phenxtoolkit.org/protocols/view/281401",
        "Sherin KM et al. HITS: a short domestic violence screening tool. Fam Med 1998;30(7):508-512",
    ),
    licence="US federal government work (CMS); no licence restriction known.",
)
