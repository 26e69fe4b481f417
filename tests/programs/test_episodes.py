"""Enrollment episodes: lifecycle, history and the rules the database itself enforces."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.core.errors import ConflictError, DomainError, InvalidTransition
from tandem.programs import services
from tandem.programs.models import CareManagerAssignment, Episode, EpisodeStatus
from tests.builders import make_episode, make_patient, make_program, make_user

pytestmark = pytest.mark.django_db
S = EpisodeStatus


def test_full_lifecycle_keeps_every_transition_with_reason() -> None:
    cm = make_user(Role.CARE_MANAGER)
    by = make_user(Role.SUPERVISOR)
    ep = services.open_episode(patient=make_patient(), program=make_program(), by=by, source="stratification")
    services.transition(ep, S.OUTREACH, by=by)
    services.transition(
        ep,
        S.DECLINED,
        by=by,
        reason="Not now, caring for mother",
        reapproach_on=timezone.localdate() + timedelta(days=60),
    )
    assert ep.reapproach_on is not None
    services.transition(ep, S.OUTREACH, by=by, reason="Re-approach")
    assert ep.reapproach_on is None
    services.transition(ep, S.ENROLLED, by=by, care_manager=cm, tier="high")
    services.transition(ep, S.GRADUATED, by=by, reason="Goals met; back to primary care")
    history = [(h.from_status, h.to_status) for h in ep.status_history.all()]
    assert history == [
        ("", "candidate"),
        ("candidate", "outreach"),
        ("outreach", "declined"),
        ("declined", "outreach"),
        ("outreach", "enrolled"),
        ("enrolled", "graduated"),
    ]
    assert ep.status_history.get(to_status=S.DECLINED).reason == "Not now, caring for mother"
    assert ep.ended_on == timezone.localdate()
    assert not CareManagerAssignment.objects.filter(episode=ep, ended_at__isnull=True).exists()


@pytest.mark.parametrize(
    "start,target",
    [
        (S.CANDIDATE, S.GRADUATED),
        (S.OUTREACH, S.DISENROLLED),
        (S.ENROLLED, S.OUTREACH),
        (S.GRADUATED, S.ENROLLED),
        (S.NOT_ELIGIBLE, S.OUTREACH),
        (S.DECLINED, S.ENROLLED),
    ],
)
def test_invalid_transitions_are_refused_with_a_sentence(start: str, target: str) -> None:
    ep = make_episode(make_patient(), status=start, care_manager=make_user(Role.CARE_MANAGER))
    with pytest.raises(InvalidTransition) as exc:
        services.transition(
            ep, target, by=None, reason="x", care_manager=make_user(Role.CARE_MANAGER), tier="low"
        )
    assert exc.value.status_code == 409
    assert "cannot become" in exc.value.message


def test_enrolling_requires_a_care_manager_and_tier() -> None:
    ep = make_episode(make_patient())
    with pytest.raises(DomainError, match="primary care manager"):
        services.transition(ep, S.ENROLLED, by=None, tier="high")
    with pytest.raises(DomainError, match="tier"):
        services.transition(ep, S.ENROLLED, by=None, care_manager=make_user(Role.CARE_MANAGER))
    with pytest.raises(DomainError, match="active care manager"):
        services.transition(ep, S.ENROLLED, by=None, care_manager=make_user(Role.ANALYST), tier="high")


def test_exits_need_a_reason_and_reapproach_must_be_future() -> None:
    ep = make_episode(make_patient(), status=S.OUTREACH)
    with pytest.raises(DomainError, match="reason"):
        services.transition(ep, S.DECLINED, by=None)
    with pytest.raises(DomainError, match="future"):
        services.transition(ep, S.DECLINED, by=None, reason="no", reapproach_on=timezone.localdate())


def test_database_refuses_enrolled_episode_without_primary_care_manager() -> None:
    ep = make_episode(make_patient())
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=ep.pk).update(status=S.ENROLLED, tier="high")


def test_database_refuses_enrolled_episode_without_tier() -> None:
    ep = make_episode(make_patient(), status=S.ENROLLED, care_manager=make_user(Role.CARE_MANAGER))
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.filter(pk=ep.pk).update(tier="")


def test_database_refuses_second_open_episode_in_same_program() -> None:
    patient = make_patient()
    program = make_program()
    make_episode(patient, program=program)
    with pytest.raises(ConflictError):
        services.open_episode(patient=patient, program=program, by=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        Episode.objects.create(patient=patient, program=program, status=S.OUTREACH)


def test_person_can_have_several_episodes_over_the_years() -> None:
    patient = make_patient()
    program = make_program()
    first = make_episode(
        patient, program=program, status=S.ENROLLED, care_manager=make_user(Role.CARE_MANAGER)
    )
    services.transition(first, S.GRADUATED, by=None, reason="done")
    second = services.open_episode(patient=patient, program=program, by=None, source="re-referral")
    assert patient.episodes.count() == 2
    assert services.current_episode(patient) == second


def test_reassignment_and_tier_changes_keep_history() -> None:
    a, b = make_user(Role.CARE_MANAGER), make_user(Role.CARE_MANAGER)
    ep = make_episode(make_patient(), status=S.ENROLLED, care_manager=a, tier="high")
    services.reassign_care_manager(ep, b, by=None, reason="caseload balance")
    services.change_tier(ep, "low", by=None, reason="stable for 3 months")
    assignments = list(ep.assignments.order_by("id"))
    assert [x.care_manager for x in assignments] == [a, b]
    assert assignments[0].ended_at is not None and assignments[1].ended_at is None
    assert [(t.from_tier, t.to_tier) for t in ep.tier_history.all()] == [("", "high"), ("high", "low")]
    with pytest.raises(DomainError):
        services.change_tier(ep, "extreme", by=None, reason="x")
    with pytest.raises(DomainError):
        services.reassign_care_manager(ep, a, by=None, reason=" ")
