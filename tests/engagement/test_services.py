"""Outreach rules: spacing and limits, declining and re-approach, eligibility, consent and enrollment."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.core.errors import ConflictError, DomainError
from tandem.core.models import AuditAction, AuditEvent
from tandem.engagement import services
from tandem.engagement.models import Consent, ConsentKind, Outcome, Referral, WarmHandoff
from tandem.programs.models import Episode, EpisodeStatus
from tandem.referrals.models import ResourceReferral
from tests.builders import make_episode, make_patient, make_program, make_team, make_user
from tests.engagement.builders import make_recruitment, make_resource

pytestmark = pytest.mark.django_db
S = EpisodeStatus
TODAY = timezone.localdate()


def _attempt(ep: Episode, on: date, outcome: str = Outcome.NO_ANSWER, **kw: object) -> None:
    services.record_attempt(ep, by=kw.pop("by", None), channel="phone", outcome=outcome, on=on, **kw)  # type: ignore[arg-type]


def test_first_attempt_moves_candidate_to_outreach_and_spaces_the_next() -> None:
    r = make_recruitment(attempt_spacing_days=4)
    on = TODAY - timedelta(days=10)
    services.record_attempt(r.episode, by=r.recruiter, channel="phone", outcome=Outcome.LEFT_MESSAGE, on=on)
    r.episode.refresh_from_db()
    assert r.episode.status == S.OUTREACH
    assert r.episode.next_attempt_on == on + timedelta(days=4)
    assert r.episode.assigned_to == r.recruiter  # whoever tries first owns it until reassigned
    assert [h.to_status for h in r.episode.status_history.all()] == ["candidate", "outreach"]


def test_reaching_the_attempt_limit_asks_for_review_but_keeps_the_episode_open() -> None:
    r = make_recruitment(max_outreach_attempts=3, attempt_spacing_days=2)
    start = TODAY - timedelta(days=20)
    _attempt(r.episode, start)
    _attempt(r.episode, start + timedelta(days=2))
    r.episode.refresh_from_db()
    assert not r.episode.needs_outreach_review
    _attempt(r.episode, start + timedelta(days=4))
    r.episode.refresh_from_db()
    assert r.episode.needs_outreach_review
    assert r.episode.status == S.OUTREACH
    assert r.episode.next_attempt_on == start + timedelta(days=6)
    with pytest.raises(DomainError):
        services.review_outreach(r.episode, by=r.recruiter)
    services.review_outreach(r.episode, by=r.supervisor)
    assert not Episode.objects.get(pk=r.episode.pk).needs_outreach_review


def test_declined_needs_reason_and_date_and_returns_to_queue_on_that_date() -> None:
    r = make_recruitment()
    on = TODAY - timedelta(days=5)
    with pytest.raises(DomainError, match="why the person declined"):
        _attempt(r.episode, on, Outcome.DECLINED, reapproach_on=TODAY + timedelta(days=30))
    with pytest.raises(DomainError, match="when to approach"):
        _attempt(r.episode, on, Outcome.DECLINED, decline_reason="Busy with housing court")
    back_on = TODAY + timedelta(days=30)
    _attempt(r.episode, on, Outcome.DECLINED, decline_reason="Busy with housing court", reapproach_on=back_on)
    r.episode.refresh_from_db()
    assert r.episode.status == S.DECLINED and r.episode.reapproach_on == back_on
    assert r.episode.end_reason == "Busy with housing court"

    def queued(day: date) -> list[int]:
        return [row.episode.pk for row in services.queue(r.recruiter, today=day)]

    assert r.episode.pk not in queued(TODAY)
    assert r.episode.pk not in queued(back_on - timedelta(days=1))
    assert r.episode.pk in queued(back_on)
    with pytest.raises(ConflictError, match="asked not to be approached before"):
        services.reapproach(r.episode, by=r.recruiter, on=back_on - timedelta(days=1))
    with pytest.raises(ConflictError, match="re-approach them"):
        _attempt(r.episode, TODAY)
    services.reapproach(r.episode, by=r.recruiter, on=back_on)
    assert r.episode.status == S.OUTREACH and r.episode.next_attempt_on == back_on


def test_suggested_reapproach_date_follows_program_config() -> None:
    r = make_recruitment(reapproach_default_days=45)
    assert services.suggested_reapproach_on(r.episode, on=date(2026, 1, 1)) == date(2026, 2, 15)


def test_reapproach_starts_a_fresh_round_of_attempts() -> None:
    r = make_recruitment(max_outreach_attempts=2)
    _attempt(r.episode, TODAY - timedelta(days=3))
    _attempt(r.episode, TODAY - timedelta(days=2), Outcome.DECLINED, decline_reason="No", reapproach_on=TODAY)
    services.reapproach(r.episode, by=None, on=TODAY)
    assert services.attempts_this_round(r.episode) == 0
    _attempt(r.episode, TODAY)
    r.episode.refresh_from_db()
    assert not r.episode.needs_outreach_review


def test_not_eligible_requires_where_they_were_referred_instead() -> None:
    r = make_recruitment()
    with pytest.raises(DomainError, match="referred instead"):
        _attempt(r.episode, TODAY, Outcome.NOT_ELIGIBLE)
    assert r.episode.outreach_attempts.count() == 0
    _attempt(r.episode, TODAY, Outcome.NOT_ELIGIBLE, referred_elsewhere="County ACT team")
    r.episode.refresh_from_db()
    assert r.episode.status == S.NOT_ELIGIBLE
    assert r.episode.end_reason == "Referred to: County ACT team"
    assert r.episode.outreach_attempts.get().referred_elsewhere == "County ACT team"


def test_value_offered_can_include_a_community_resource_referral() -> None:
    r = make_recruitment()
    food = make_resource()
    services.record_attempt(
        r.episode,
        by=r.recruiter,
        channel="home_visit",
        outcome=Outcome.REACHED_NOT_NOW,
        on=TODAY,
        value_offered="Brought groceries",
        resource=food,
        resource_follow_up_on=TODAY + timedelta(days=7),
    )
    referral = ResourceReferral.objects.get(patient=r.patient)
    assert referral.resource == food and referral.made_by == r.recruiter and referral.status == "sent"
    assert r.episode.outreach_attempts.get().resource_referral == referral


def test_attempts_cannot_be_in_the_future_or_after_outreach_ends() -> None:
    r = make_recruitment()
    with pytest.raises(DomainError, match="future"):
        _attempt(r.episode, TODAY + timedelta(days=1))
    enrolled = make_episode(make_patient(), status="enrolled", care_manager=r.care_manager)
    with pytest.raises(ConflictError, match="outreach is over"):
        _attempt(enrolled, TODAY)


def test_enrollment_requires_program_consent() -> None:
    r = make_recruitment()
    with pytest.raises(DomainError, match="consent to the program"):
        services.enroll(r.episode, by=r.recruiter, care_manager=r.care_manager, tier="high")
    # Medicare consent alone is not program consent.
    services.record_consent(
        r.episode,
        kind=ConsentKind.MEDICARE_CARE_MANAGEMENT,
        by=r.recruiter,
        given_on=TODAY,
        method="written",
        cost_sharing_explained=True,
        right_to_stop_explained=True,
    )
    with pytest.raises(DomainError, match="consent to the program"):
        services.enroll(r.episode, by=r.recruiter, care_manager=r.care_manager, tier="high")
    services.record_consent(
        r.episode,
        kind=ConsentKind.PROGRAM,
        by=r.recruiter,
        given_on=TODAY,
        method="verbal",
        witnessed_by="J. Ortiz",
    )
    services.enroll(r.episode, by=r.recruiter, care_manager=r.care_manager, tier="high")
    r.episode.refresh_from_db()
    assert r.episode.status == S.ENROLLED
    assert r.episode.primary_care_manager == r.care_manager and r.episode.tier == "high"
    assert set(Consent.objects.filter(episode=r.episode).values_list("kind", flat=True)) == {
        "program",
        "medicare_care_management",
    }


def test_medicare_consent_needs_cost_sharing_and_right_to_stop_explained() -> None:
    r = make_recruitment()
    for cost, stop in ((False, True), (True, False)):
        with pytest.raises(DomainError, match="cost-sharing"):
            services.record_consent(
                r.episode,
                kind=ConsentKind.MEDICARE_CARE_MANAGEMENT,
                by=None,
                given_on=TODAY,
                method="verbal",
                cost_sharing_explained=cost,
                right_to_stop_explained=stop,
            )
    assert not Consent.objects.exists()


def test_consent_is_recorded_once_per_kind_and_verbal_needs_a_witness() -> None:
    r = make_recruitment()
    with pytest.raises(DomainError, match="witnessed"):
        services.record_consent(r.episode, kind=ConsentKind.PROGRAM, by=None, given_on=TODAY, method="verbal")
    services.record_consent(r.episode, kind=ConsentKind.PROGRAM, by=None, given_on=TODAY, method="written")
    with pytest.raises(ConflictError, match="already recorded"):
        services.record_consent(
            r.episode, kind=ConsentKind.PROGRAM, by=None, given_on=TODAY, method="written"
        )


def test_warm_handoff_is_recorded_between_two_people() -> None:
    r = make_recruitment()
    with pytest.raises(DomainError, match="different care manager"):
        services.record_handoff(
            r.episode, from_user=r.recruiter, to_user=r.recruiter, on=TODAY, method="joint_visit"
        )
    handoff = services.record_handoff(
        r.episode,
        from_user=r.recruiter,
        to_user=r.care_manager,
        on=TODAY,
        method="three_way_call",
        note="Went well",
    )
    assert WarmHandoff.objects.get() == handoff
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, resource_type="engagement.WarmHandoff", patient_id=r.patient.pk
    ).exists()


def test_referral_opens_a_candidate_episode_and_never_a_duplicate() -> None:
    cm = make_user(Role.CARE_MANAGER)
    patient = make_patient(team=make_team(members=(cm,)))
    program = make_program()
    referral = services.create_referral(
        patient,
        program=program,
        by=cm,
        source="primary_care",
        reason="Three ED visits in two months",
        referrer_name="Dr. Amara Osei",
        referrer_organisation="Eastside Family Medicine",
        referrer_role="PCP",
        received_on=TODAY - timedelta(days=1),
    )
    ep = referral.episode
    assert ep.status == S.CANDIDATE and ep.referral_source == "primary_care"
    assert ep.next_attempt_on == TODAY - timedelta(days=1)
    with pytest.raises(ConflictError, match="already candidate in Complex Care"):
        services.create_referral(patient, program=program, by=cm, source="hospital", reason="Admitted")
    assert Episode.objects.filter(patient=patient).count() == 1
    assert Referral.objects.count() == 1


def test_referral_for_someone_who_declined_reopens_the_same_episode() -> None:
    patient = make_patient()
    declined = make_episode(patient, status="declined")
    referral = services.create_referral(
        patient, program=declined.program, by=None, source="hospital", reason="Inpatient again"
    )
    assert referral.episode.pk == declined.pk
    assert Episode.objects.get(pk=declined.pk).status == S.OUTREACH
    assert Episode.objects.filter(patient=patient).count() == 1


def test_queue_shows_only_visible_patients_sorted_by_due_date() -> None:
    r = make_recruitment()
    later = make_patient(team=r.team)
    later_ep = services.create_referral(
        later, program=r.program, by=None, source="self", reason="Asked for help", received_on=TODAY
    ).episode
    r.episode.next_attempt_on = TODAY - timedelta(days=3)
    r.episode.save()
    make_episode(make_patient(team=make_team()), program=r.program)  # another team's candidate
    make_episode(make_patient(team=r.team), status="enrolled", care_manager=r.care_manager)
    rows = services.queue(r.recruiter, today=TODAY)
    assert [row.episode.pk for row in rows] == [r.episode.pk, later_ep.pk]
    assert [row.overdue for row in rows] == [True, False]
    assert [row.episode.pk for row in services.queue(r.recruiter, today=TODAY, newest_first=True)] == [
        later_ep.pk,
        r.episode.pk,
    ]
    assert services.queue(make_user(Role.ANALYST)) == []


def test_assign_only_to_clinical_staff_who_can_see_the_person() -> None:
    r = make_recruitment()
    services.assign(r.episode, assignee=r.care_manager, by=r.supervisor)
    assert Episode.objects.get(pk=r.episode.pk).assigned_to == r.care_manager
    with pytest.raises(DomainError, match="not on this person's care team"):
        services.assign(r.episode, assignee=make_user(Role.CARE_MANAGER), by=r.supervisor)
    with pytest.raises(DomainError, match="active care manager or supervisor"):
        services.assign(r.episode, assignee=make_user(Role.ANALYST), by=r.supervisor)
