"""QuestionnaireResponse export: shape, codes, and that the score can be recomputed from it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tandem.assessment.instruments import InvalidAnswers, get, score, to_questionnaire_response

ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"


def test_phq9_response_shape_and_recomputed_total() -> None:
    answers = [1, 2, 0, 3, 1, 0, 2, 1, 0]
    qr = to_questionnaire_response(
        get("phq9"), answers, "Patient/42", datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
    )
    assert qr["resourceType"] == "QuestionnaireResponse"
    assert qr["status"] == "completed"
    assert qr["questionnaire"] == "http://loinc.org/q/44249-1"
    assert qr["subject"] == {"reference": "Patient/42"}
    assert qr["authored"] == "2025-03-01T09:30:00+00:00"
    assert [i["linkId"] for i in qr["item"]][-1] == "/44260-8"
    codings = [i["answer"][0]["valueCoding"] for i in qr["item"]]
    assert codings[3]["code"] == "LA6571-9" and codings[3]["display"] == "Nearly every day"
    recomputed = [c["extension"][0]["valueDecimal"] for c in codings if c["extension"][0]["url"] == ORDINAL]
    assert recomputed == answers
    assert sum(recomputed) == score("phq9", answers).total


def test_promis_pain_is_value_integer() -> None:
    qr = to_questionnaire_response(get("promis10"), [3, 3, 3, 4, 2, 3, 7, 2, 3, 4], "Patient/1", "2025-01-02")
    pain = qr["item"][6]
    assert pain["linkId"] == "/61583-1"
    assert pain["answer"] == [{"valueInteger": 7}]


def test_ahc_multi_select_gives_one_answer_per_ticked_box_without_ordinal() -> None:
    ahc = get("ahc-hrsn")
    qr = to_questionnaire_response(ahc, ahc.parse_answers("3,2+4,1,3,2,3,1,1,1,1"), "Patient/7", "2025-01-02")
    problems = qr["item"][1]
    assert problems["linkId"] == "/96778-6"
    assert [a["valueCoding"]["code"] for a in problems["answer"]] == ["LA28580-1", "LA31998-0"]
    assert all("extension" not in a["valueCoding"] for a in problems["answer"])
    living = qr["item"][0]["answer"][0]["valueCoding"]
    assert living["code"] == "LA31995-6" and "extension" not in living
    utilities = qr["item"][5]["answer"][0]["valueCoding"]
    assert utilities["code"] == "LA32002-0"
    safety = qr["item"][6]["answer"][0]["valueCoding"]
    assert safety["extension"] == [{"url": ORDINAL, "valueDecimal": 1}]


def test_invalid_answers_are_refused_before_export() -> None:
    with pytest.raises(InvalidAnswers):
        to_questionnaire_response(get("gad7"), [0] * 6, "Patient/1", "2025-01-02")
