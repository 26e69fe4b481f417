"""Exact scoring of validated instruments (PHQ-2, PHQ-9, GAD-7, PROMIS Global Health v1.2, AHC HRSN).

Pure Python: no Django, no database. See docs/instruments.md for items, bands, codes and sources.

    >>> from tandem.assessment.instruments import score
    >>> score("phq9", [1, 2, 0, 3, 1, 0, 2, 1, 0]).to_dict()["band"]
    'moderate'
"""

from __future__ import annotations

from .base import Answer, Answers, Instrument, InvalidAnswers, Item, Option, ScoreResult
from .fhir import to_questionnaire_response
from .registry import INSTRUMENTS, UnknownInstrument, all_instruments, get


def score(instrument_id: str, answers: Answers) -> ScoreResult:
    """Score ``answers`` with the instrument registered as ``instrument_id``."""
    return get(instrument_id).score(answers)


__all__ = [
    "INSTRUMENTS",
    "Answer",
    "Answers",
    "Instrument",
    "InvalidAnswers",
    "Item",
    "Option",
    "ScoreResult",
    "UnknownInstrument",
    "all_instruments",
    "get",
    "score",
    "to_questionnaire_response",
]
