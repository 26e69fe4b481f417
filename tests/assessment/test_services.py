"""Assessment over the first 30 days: progress, domain entries, stored scores, safety alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.assessment import services
from tandem.assessment.models import Domain, DomainEntry, InstrumentResponse
from tandem.caseload.models import Task, TaskKind, TaskPriority
from tandem.core.errors import DomainError
from tandem.core.models import AuditAction, AuditEvent
from tests.builders import make_episode, make_patient, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled():  # type: ignore[no-untyped-def]
    cm = make_user(Role.CARE_MANAGER)
    sup = make_user(Role.SUPERVISOR)
    patient = make_patient(team=make_team(supervisor=sup, members=(cm,)))
    episode = make_episode(patient, status="enrolled", care_manager=cm, tier="high")
    return cm, sup, patient, episode


def test_progress_counts_complete_domains_and_days_since_enrollment(enrolled) -> None:  # type: ignore[no-untyped-def]
    cm, _, _, episode = enrolled
    start = timezone.localdate()
    episode.enrolled_on = start
    episode.save()
    assert services.progress(episode, today=start).label == "0 of 9 domains · day 1 of 30"
    for domain in [
        Domain.WHAT_MATTERS,
        Domain.STRENGTHS,
        Domain.SOCIAL_NEEDS,
        Domain.HEALTH,
        Domain.CAREGIVERS,
    ]:
        services.record_domain(
            episode, domain, by=cm, responses={"x": "answer"}, declined_items=[], complete=True
        )
    # A started-but-incomplete domain does not count.
    services.record_domain(episode, Domain.SUBSTANCE_USE, by=cm, responses={}, declined_items=["use"])
    progress = services.progress(episode, today=start + timedelta(days=11))
    assert progress.label == "5 of 9 domains · day 12 of 30"
    assert not progress.overdue
    assert services.progress(episode, today=start + timedelta(days=30)).overdue


def test_domain_entries_accumulate_and_prefer_not_to_say_is_kept(enrolled) -> None:  # type: ignore[no-untyped-def]
    cm, _, _, episode = enrolled
    other = make_user(Role.CARE_MANAGER)
    services.record_domain(
        episode,
        Domain.CARE_EXPERIENCES,
        by=cm,
        responses={"good_experiences": "Dr. Lee"},
        declined_items=["hard_experiences"],
    )
    services.record_domain(
        episode,
        Domain.CARE_EXPERIENCES,
        by=other,
        responses={"good_experiences": "ED nurse"},
        declined_items=[],
        complete=True,
    )
    entries = list(DomainEntry.objects.filter(episode=episode, domain=Domain.CARE_EXPERIENCES))
    assert [e.responses["good_experiences"] for e in entries] == ["Dr. Lee", "ED nurse"]
    assert entries[0].declined_items == ["hard_experiences"]
    with pytest.raises(DomainError, match="at least one answer"):
        services.record_domain(
            episode, Domain.STRENGTHS, by=cm, responses={"strengths": "  "}, declined_items=[]
        )


def test_phq9_is_stored_with_score_band_loinc_and_questionnaire_response(enrolled) -> None:  # type: ignore[no-untyped-def]
    cm, _, patient, episode = enrolled
    r = services.record_instrument(patient, "phq9", [1, 2, 0, 3, 1, 0, 2, 1, 0], by=cm, episode=episode)
    r = InstrumentResponse.objects.get(pk=r.pk)
    assert (r.total, r.band, r.flags, r.loinc_panel, r.loinc_total) == (
        10,
        "moderate",
        [],
        "44249-1",
        "44261-6",
    )
    assert r.questionnaire_response["resourceType"] == "QuestionnaireResponse"
    assert r.questionnaire_response["subject"]["reference"] == f"Patient/{patient.public_id}"
    assert not Task.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, resource_type="assessment.InstrumentResponse", patient_id=patient.pk
    ).exists()


def test_item9_above_zero_raises_urgent_tasks_for_care_manager_and_supervisor(enrolled) -> None:  # type: ignore[no-untyped-def]
    cm, sup, patient, episode = enrolled
    recorder = make_user(Role.CARE_MANAGER)
    r = services.record_instrument(patient, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 1], by=recorder, episode=episode)
    assert r.total == 1 and r.band == "minimal" and r.flags == ["self_harm_risk"]
    tasks = Task.objects.filter(patient=patient, kind=TaskKind.SAFETY_ALERT)
    assert {t.assigned_to for t in tasks} == {cm, sup}
    assert all(t.priority == TaskPriority.URGENT and t.due_on == timezone.localdate() for t in tasks)


def test_invalid_answers_are_refused_naming_the_item(enrolled) -> None:  # type: ignore[no-untyped-def]
    cm, _, patient, episode = enrolled
    with pytest.raises(DomainError, match="item 9"):
        services.record_instrument(patient, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 4], by=cm, episode=episode)
    with pytest.raises(DomainError, match="Unknown instrument"):
        services.record_instrument(patient, "pam", [1], by=cm)
    assert not InstrumentResponse.objects.exists()


def test_promis_and_ahc_results_are_stored(enrolled) -> None:  # type: ignore[no-untyped-def]
    cm, _, patient, episode = enrolled
    p = services.record_instrument(
        patient, "promis10", [3, 3, 3, 4, 2, 4, 5, 3, 3, 2], by=cm, episode=episode
    )
    assert (p.physical_t, p.mental_t, p.total) == (42.3, 41.1, None)
    from tandem.assessment.instruments import get

    ahc = services.record_instrument(
        patient, "ahc-hrsn", get("ahc-hrsn").parse_answers("3,2+4,1,3,2,3,1,1,1,1"), by=cm, episode=episode
    )
    assert ahc.positive_domains
    assert ahc.band == "positive"
