"""Caseload rules: cadence, contacts, care events, worklist, dashboard balance, conferences, graduation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tandem.assessment import services as assessment
from tandem.assessment.models import Domain, DomainEntry
from tandem.caseload import conferences, dashboard, graduation, services
from tandem.caseload.models import (
    AgendaItem,
    AgendaTrigger,
    CareEventKind,
    ConferenceStatus,
    ProgramCadence,
    StaffFlag,
    Task,
    TaskKind,
    TaskPriority,
)
from tandem.core.errors import ConflictError, DomainError
from tandem.core.models import AuditEvent
from tandem.programs import services as programs
from tandem.programs.models import CareManagerAssignment, Episode, EpisodeStatus
from tests.builders import make_episode, make_patient, make_program, make_user
from tests.caseload.builders import TODAY, contact, enrolled, make_caseload

pytestmark = pytest.mark.django_db


def test_next_contact_due_from_last_contact_or_enrollment_at_the_tier_cadence() -> None:
    c = make_caseload(tier="high", enrolled_days_ago=10)
    due = services.next_contact(c.episode)
    assert (
        due is not None and due.due_on == TODAY - timedelta(days=3) and due.overdue and due.days_overdue == 3
    )
    contact(c.episode, c.care_manager, on=TODAY - timedelta(days=2))
    due = services.next_contact(c.episode)
    assert due is not None and due.due_on == TODAY + timedelta(days=5) and not due.overdue


def test_program_cadence_overrides_defaults() -> None:
    c = make_caseload(tier="medium", enrolled_days_ago=20)
    assert services.next_contact(c.episode).due_on == TODAY - timedelta(days=6)  # type: ignore[union-attr]
    ProgramCadence.objects.create(program=c.episode.program, medium_days=21)
    assert services.next_contact(c.episode).due_on == TODAY + timedelta(days=1)  # type: ignore[union-attr]


def test_log_contact_validates_and_records_staff_and_audit() -> None:
    c = make_caseload()
    colleague = c.other_care_manager
    with pytest.raises(DomainError, match="minutes"):
        services.log_contact(
            c.episode, by=c.care_manager, occurred_on=TODAY, mode="phone", duration_minutes=0
        )
    with pytest.raises(DomainError, match="future"):
        services.log_contact(
            c.episode,
            by=c.care_manager,
            occurred_on=TODAY + timedelta(days=1),
            mode="phone",
            duration_minutes=5,
        )
    with pytest.raises(DomainError, match="who took part"):
        services.log_contact(
            c.episode,
            by=c.care_manager,
            occurred_on=TODAY,
            mode="phone",
            duration_minutes=5,
            patient_present=False,
        )
    made = services.log_contact(
        c.episode,
        by=c.care_manager,
        occurred_on=TODAY,
        mode="in_person_home",
        duration_minutes=45,
        staff=[colleague],
        caregiver_present=True,
        caregiver_name="Rosa",
        self_management_confidence=8,
    )
    assert set(made.staff.all()) == {c.care_manager, colleague}
    assert AuditEvent.objects.filter(resource_type="caseload.Contact", patient_id=c.patient.pk).exists()


def test_contacts_refused_for_a_patient_not_enrolled() -> None:
    c = make_caseload()
    episode = make_episode(make_patient(team=c.team), status=EpisodeStatus.OUTREACH)
    with pytest.raises(ConflictError):
        services.log_contact(episode, by=c.care_manager, occurred_on=TODAY, mode="phone", duration_minutes=5)


def test_bulk_assessment_rule_agrees_with_assessment_progress() -> None:
    c = make_caseload(enrolled_days_ago=45)
    _, fresh = enrolled(c.team, c.care_manager, enrolled_days_ago=3)
    for domain in list(Domain.values)[:4]:
        DomainEntry.objects.create(
            episode=fresh, domain=domain, recorded_on=TODAY, recorded_by=c.care_manager, complete=True
        )
    episodes = list(Episode.objects.filter(pk__in=[c.episode.pk, fresh.pk]))
    for due in services.assessment_dues(episodes, today=TODAY):
        expected = assessment.progress(due.episode, today=TODAY)
        assert (due.completed, due.total, due.day, due.overdue) == (
            expected.completed,
            expected.total,
            expected.day,
            expected.overdue,
        )


def test_worklist_lists_due_contacts_assessments_safety_first_and_reapproaches() -> None:
    c = make_caseload(tier="high", enrolled_days_ago=40)
    _, recent = enrolled(c.team, c.care_manager, tier="low", enrolled_days_ago=1)
    _, not_mine = enrolled(c.team, c.other_care_manager, tier="high", enrolled_days_ago=40)
    Task.objects.create(
        patient=c.patient, title="Call pharmacy", due_on=TODAY, assigned_to=c.care_manager, priority="high"
    )
    Task.objects.create(
        patient=c.patient,
        kind=TaskKind.SAFETY_ALERT,
        priority=TaskPriority.URGENT,
        title="Safety check",
        due_on=TODAY,
        assigned_to=c.care_manager,
    )
    declined = make_episode(make_patient(team=c.team), status=EpisodeStatus.DECLINED)
    declined.reapproach_on = TODAY
    declined.save()
    later = make_episode(make_patient(team=c.team), status=EpisodeStatus.DECLINED)
    later.reapproach_on = TODAY + timedelta(days=5)
    later.save()
    work = services.worklist(c.care_manager)
    assert [d.episode_id for d in work.contacts] == [c.episode.pk]
    assert work.contacts[0].overdue
    assert work.contacts[0].patient.public_id == c.patient.public_id
    assert work.contacts[0].patient.display_name == c.patient.display_name
    assert {a.episode_id for a in work.assessments} == {c.episode.pk, recent.pk}
    assert [a.overdue for a in work.assessments] == [True, False]
    assert work.tasks[0].kind == TaskKind.SAFETY_ALERT
    assert work.reapproaches == [declined]
    assert not_mine.pk not in [d.episode_id for d in work.contacts]


def test_dashboard_counts_balance_and_maintenance() -> None:
    c = make_caseload(tier="high", enrolled_days_ago=30)
    for _ in range(4):
        enrolled(c.team, c.care_manager, tier="high")
    enrolled(c.team, c.other_care_manager, tier="low")
    _, m = enrolled(c.team, c.other_care_manager, tier="medium")
    contact(m, c.other_care_manager, on=TODAY - timedelta(days=1))
    third = make_user()
    c.team.memberships.create(user=third)
    board = dashboard.team_dashboard(c.team)
    rows = {r.user: r for r in board.rows}
    assert rows[c.care_manager].by_tier["high"] == 5
    assert rows[c.other_care_manager].maintenance == 1 and rows[c.other_care_manager].active == 1
    assert rows[third].enrolled == 0
    assert board.mean_high == pytest.approx(5 / 3)
    assert [r.user for r in board.overloaded] == [c.care_manager]
    assert len(rows[c.care_manager].high_episodes) == 5  # listed for the balance view's Reassign links
    assert rows[c.care_manager].overdue == 5
    assert rows[c.other_care_manager].max_days_since == 60
    capped = dashboard.team_dashboard(c.team, max_high=1)
    assert capped.threshold == 1
    relaxed = dashboard.team_dashboard(c.team, factor=dashboard.Decimal("4"))
    assert relaxed.overloaded == []


def test_reassignment_keeps_history() -> None:
    c = make_caseload()
    programs.reassign_care_manager(c.episode, c.other_care_manager, by=c.supervisor, reason="balance")
    history = list(CareManagerAssignment.objects.filter(episode=c.episode))
    assert [h.care_manager for h in history] == [c.care_manager, c.other_care_manager]
    assert history[0].ended_at is not None and history[1].ended_at is None


def _ready(c: object) -> None:
    episode = c.episode  # type: ignore[attr-defined]
    cm = c.care_manager  # type: ignore[attr-defined]
    services.record_care_event(
        episode.patient, by=cm, kind=CareEventKind.PCP_KEPT, occurred_on=TODAY - timedelta(days=20)
    )
    contact(episode, cm, on=TODAY - timedelta(days=3), confidence=8)


def test_graduation_criteria_with_reasons() -> None:
    c = make_caseload()
    result = graduation.readiness(c.episode)
    met = {cr.key: cr.met for cr in result.criteria}
    assert met == {"acute_free": True, "top_goals": False, "confidence": False, "pcp_visit": False}
    _ready(c)
    contact(c.episode, c.care_manager, on=TODAY - timedelta(days=10), confidence=3)  # older answer
    services.record_care_event(
        c.patient, by=None, kind=CareEventKind.ED_VISIT, occurred_on=TODAY - timedelta(days=30)
    )
    result = graduation.readiness(c.episode)
    by_key = {cr.key: cr for cr in result.criteria}
    assert by_key["confidence"].met and "8 of 10" in by_key["confidence"].reason
    assert by_key["pcp_visit"].met
    assert not by_key["acute_free"].met and "ED use" in by_key["acute_free"].reason
    ProgramCadence.objects.create(program=c.episode.program, graduation_acute_free_days=20)
    assert {cr.key: cr.met for cr in graduation.readiness(c.episode).criteria}["acute_free"]


def test_graduate_needs_reason_when_criteria_unmet_then_reenrollment_keeps_history() -> None:
    c = make_caseload()
    kw = {
        "practice_name": "Eastside Clinic",
        "contact_person": "Dr. Lee",
        "handoff_on": TODAY,
        "method": "meeting",
    }
    with pytest.raises(DomainError, match="reason"):
        graduation.graduate(c.episode, by=c.supervisor, **kw)  # type: ignore[arg-type]
    handoff = graduation.graduate(c.episode, by=c.supervisor, override_reason="Team judgement", **kw)  # type: ignore[arg-type]
    episode = Episode.objects.get(pk=c.episode.pk)
    assert episode.status == EpisodeStatus.GRADUATED and episode.ended_on == TODAY
    assert handoff.criteria_unmet and "Team judgement" in episode.status_history.last().reason  # type: ignore[union-attr]
    with pytest.raises(ConflictError):
        graduation.graduate(episode, by=c.supervisor, override_reason="again", **kw)  # type: ignore[arg-type]
    again = programs.open_episode(patient=c.patient, program=make_program(), by=c.care_manager)
    programs.transition(again, EpisodeStatus.ENROLLED, by=None, care_manager=c.care_manager, tier="high")
    assert c.patient.episodes.count() == 2
    assert Episode.objects.get(pk=c.episode.pk).graduation == handoff
    assert CareManagerAssignment.objects.filter(episode__patient=c.patient).count() == 2


def test_agenda_triggers_rollover_and_decision_task() -> None:
    c = make_caseload(tier="high", enrolled_days_ago=30)
    services.record_care_event(
        c.patient, by=None, kind=CareEventKind.IP_ADMISSION, occurred_on=TODAY - timedelta(days=2)
    )
    p2, _ = enrolled(c.team, c.care_manager, tier="low", enrolled_days_ago=2)
    services.flag_for_discussion(p2, by=c.other_care_manager, reason="Housing lost")
    Task.objects.create(
        patient=p2, kind=TaskKind.SAFETY_ALERT, title="Safety", due_on=TODAY, assigned_to=c.care_manager
    )
    with pytest.raises(DomainError):
        conferences.schedule(c.team, held_on=TODAY, by=c.care_manager)
    first = conferences.schedule(c.team, held_on=TODAY, by=c.supervisor)
    items = conferences.build_agenda(first)
    triggers = {(i.patient_id, i.trigger) for i in items}
    assert (c.patient.pk, AgendaTrigger.ACUTE) in triggers
    assert (c.patient.pk, AgendaTrigger.OVERDUE) in triggers
    assert (p2.pk, AgendaTrigger.STAFF_FLAG) in triggers and (p2.pk, AgendaTrigger.SAFETY) in triggers
    assert conferences.build_agenda(first) == []  # idempotent
    assert StaffFlag.objects.get().agenda_item is not None
    acute = AgendaItem.objects.get(conference=first, trigger=AgendaTrigger.ACUTE)
    with pytest.raises(DomainError):
        conferences.record_discussion(
            acute,
            by=c.supervisor,
            discussed=True,
            notes="",
            decision="",
            task_assignee=c.care_manager,
            task_due_on=TODAY,
        )
    conferences.record_discussion(
        acute,
        by=c.supervisor,
        discussed=True,
        notes="Discharged home",
        decision="Home visit within 48h",
        task_assignee=c.care_manager,
        task_due_on=TODAY + timedelta(days=2),
    )
    task = Task.objects.get(source=f"conference:{first.pk}")
    assert task.assigned_to == c.care_manager and "Home visit" in task.title
    conferences.mark_held(first, by=c.supervisor)
    assert first.status == ConferenceStatus.HELD
    second = conferences.schedule(c.team, held_on=TODAY + timedelta(days=7), by=c.supervisor)
    rolled = conferences.build_agenda(second, today=TODAY)
    rolled_from = {i.rolled_from_id for i in rolled if i.rolled_from_id}
    undiscussed = set(
        AgendaItem.objects.filter(conference=first, discussed=False).values_list("pk", flat=True)
    )
    assert rolled_from == undiscussed and acute.pk not in rolled_from
    assert not any(i.trigger == AgendaTrigger.ACUTE for i in rolled)  # the admission was before this window
