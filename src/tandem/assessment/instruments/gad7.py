"""GAD-7 anxiety scale.

Source: Spitzer RL, Kroenke K, Williams JBW, Lowe B. A brief measure for assessing generalized
anxiety disorder: the GAD-7. Arch Intern Med 2006;166(10):1092-1097 — seven items scored 0-3,
total 0-21, with 5, 10 and 15 marking mild, moderate and severe anxiety.
LOINC: panel 69737-5, total 70274-6, items 69725-0, 68509-9, 69733-4, 69734-2, 69735-9, 69689-8,
69736-7 (as in LOINC-derived FHIR Questionnaires). Item wording (c) Pfizer Inc.; the notice LOINC
distributes says no permission is required to reproduce, translate, display or distribute.
"""

from __future__ import annotations

from .base import Answer, Instrument, Item, ScoreResult, band_for, sum_scale
from .phq import FREQUENCY

_ITEMS = (
    ("69725-0", "Feeling nervous, anxious, or on edge"),
    ("68509-9", "Not being able to stop or control worrying"),
    ("69733-4", "Worrying too much about different things"),
    ("69734-2", "Trouble relaxing"),
    ("69735-9", "Being so restless that it is hard to sit still"),
    ("69689-8", "Becoming easily annoyed or irritable"),
    ("69736-7", "Feeling afraid, as if something awful might happen"),
)

GAD7_BANDS = ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe"))


def _score(answers: tuple[Answer, ...]) -> ScoreResult:
    total = sum_scale(answers)
    return ScoreResult(instrument="gad7", total=total, band=band_for(total, GAD7_BANDS), flags=[])


GAD7 = Instrument(
    id="gad7",
    title="Generalized Anxiety Disorder 7-item scale (GAD-7)",
    panel_loinc="69737-5",
    total_loinc="70274-6",
    items=tuple(
        Item(key=f"q{n}", link_id=f"/{code}", text=text, options=FREQUENCY, loinc=code)
        for n, (code, text) in enumerate(_ITEMS, start=1)
    ),
    scorer=_score,
    sources=(
        "Spitzer RL, Kroenke K, Williams JBW, Lowe B. Arch Intern Med 2006;166(10):1092-1097. "
        "doi:10.1001/archinte.166.10.1092",
    ),
    licence=(
        "GAD-7 (c) Pfizer Inc., developed by Drs. Spitzer, Williams, Kroenke and colleagues with an "
        "educational grant from Pfizer; the notice LOINC distributes says no permission is required to "
        "reproduce, translate, display or distribute."
    ),
)
