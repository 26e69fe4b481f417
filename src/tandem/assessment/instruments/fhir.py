"""Answers as a FHIR R4 QuestionnaireResponse, as plain dicts.

Plain dicts keep the scoring library free of a FHIR dependency; the shape follows the US Core
QuestionnaireResponse must-support elements (status, subject, questionnaire, authored,
item.linkId, item.answer.value[x]). Coded answers carry the LOINC answer code and, for ordinal
scales, the R4 ``ordinalValue`` extension so the score can be recomputed from the resource alone.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from .base import Answers, Instrument

ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
LOINC = "http://loinc.org"


def to_questionnaire_response(
    instrument: Instrument,
    answers: Answers,
    subject_ref: str,
    authored: datetime | date | str,
) -> dict[str, Any]:
    """Build a completed QuestionnaireResponse; invalid answers raise InvalidAnswers first.

    ``subject_ref`` is a FHIR reference string such as ``Patient/123``. ``authored`` may be a
    datetime/date or an already-formatted FHIR dateTime string.
    """
    validated = instrument.validate(answers)
    items: list[dict[str, Any]] = []
    for item, answer in zip(instrument.items, validated, strict=True):
        values = sorted(answer) if isinstance(answer, frozenset) else [answer]
        out: list[dict[str, Any]] = []
        for value in values:
            option = item.option(value)
            if item.answer_as == "integer" or option.loinc is None:
                out.append({"valueInteger": value})
            else:
                coding: dict[str, Any] = {"system": LOINC, "code": option.loinc, "display": option.label}
                if item.ordinal and not item.multiple:
                    coding["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": value}]
                out.append({"valueCoding": coding})
        items.append({"linkId": item.link_id, "text": item.text, "answer": out})
    authored_text = authored.isoformat() if isinstance(authored, date | datetime) else str(authored)
    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": instrument.questionnaire_url,
        "subject": {"reference": subject_ref},
        "authored": authored_text,
        "item": items,
    }
