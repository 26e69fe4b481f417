"""Referral follow-ups become caseload tasks on the day they fall due: once, for the right person."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.models import CareTeamMembership, Role
from tandem.caseload import services as caseload
from tandem.caseload.models import Task, TaskKind, TaskStatus
from tandem.core.errors import ConflictError, DomainError
from tandem.core.models import AuditAction, AuditEvent
from tandem.referrals import followups, services
from tandem.referrals.followups import Outcome
from tandem.referrals.models import ResourceReferral
from tests.builders import make_episode, make_patient, make_user
from tests.conftest import login
from tests.referrals.builders import Caseload, make_caseload, make_resource

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _soup(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")  # type: ignore[attr-defined]


def _refer(c: Caseload, *, follow_up_on: date, made_on: date | None = None) -> ResourceReferral:
    return services.refer(
        c.patient,
        resource=make_resource(),
        by=c.care_manager,
        on=made_on or TODAY - timedelta(days=10),
        follow_up_on=follow_up_on,
    )


def _open_tasks(referral: ResourceReferral) -> list[Task]:
    return list(Task.objects.filter(source=f"referral-follow-up:{referral.pk}", status=TaskStatus.OPEN))


def test_task_is_raised_on_the_day_for_the_referrer_once_and_shows_on_their_worklist() -> None:
    c = make_caseload()
    due = TODAY + timedelta(days=3)
    r = _refer(c, follow_up_on=due)
    assert not Task.objects.exists()  # not today's work yet

    assert followups.raise_due(today=due - timedelta(days=1)).counts[Outcome.CREATED] == 0
    summary = followups.raise_due(today=due)
    assert summary.counts[Outcome.CREATED] == 1
    assert summary.line().startswith(f"Referral follow-ups on {due.isoformat()}: 1 task(s) raised")
    [task] = _open_tasks(r)
    assert (task.assigned_to, task.patient, task.due_on) == (c.care_manager, c.patient, due)
    assert task.kind == TaskKind.OTHER and task.title == "Referral follow-up: Harborview Pantry"
    assert task.created_by is None
    r.refresh_from_db()
    assert r.follow_up_task == task

    again = followups.raise_due(today=due)
    assert again.counts[Outcome.CREATED] == 0 and again.counts[Outcome.UNCHANGED] == 1
    assert followups.raise_due(today=due + timedelta(days=4)).counts[Outcome.CREATED] == 0
    assert Task.objects.count() == 1
    # Tasks are audited against the patient like every other change to the record.
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, resource_type="caseload.Task", patient_id=c.patient.pk
    ).exists()
    shown = caseload.worklist(c.care_manager, today=due).tasks
    assert task in shown
    assert task not in caseload.worklist(c.supervisor, today=due).tasks


def test_a_follow_up_already_due_gets_its_task_when_the_referral_is_saved() -> None:
    c = make_caseload()
    r = _refer(c, follow_up_on=TODAY)
    [task] = _open_tasks(r)
    assert task.due_on == TODAY and task.created_by == c.care_manager
    assert followups.raise_due().counts[Outcome.CREATED] == 0
    assert Task.objects.count() == 1


def test_recording_what_happened_completes_the_task_and_the_next_date_gets_a_new_one() -> None:
    c = make_caseload()
    r = _refer(c, follow_up_on=TODAY - timedelta(days=2))
    [first] = _open_tasks(r)

    services.update_status(r, to="accepted", by=c.care_manager, expected="sent", note="Intake booked")
    first.refresh_from_db()
    r.refresh_from_db()
    assert first.status == TaskStatus.DONE and first.completed_at is not None
    assert r.follow_up_task is None and r.follow_up_on == TODAY + timedelta(days=14)
    assert _open_tasks(r) == []

    later = TODAY + timedelta(days=14)
    assert followups.raise_due(today=later).counts[Outcome.CREATED] == 1
    [second] = _open_tasks(r)
    assert second.pk != first.pk and second.due_on == later

    services.update_status(r, to="completed", by=c.supervisor, note="Got a food box")
    second.refresh_from_db()
    assert second.status == TaskStatus.DONE
    assert followups.raise_due(today=later + timedelta(days=30)).counts == followups.RunSummary(TODAY).counts


def test_a_new_follow_up_on_the_same_day_is_a_new_task() -> None:
    c = make_caseload()
    r = _refer(c, follow_up_on=TODAY)
    [first] = _open_tasks(r)
    services.update_status(r, to="accepted", by=c.care_manager, follow_up_on=TODAY)
    [second] = _open_tasks(r)
    assert second.pk != first.pk and second.due_on == TODAY
    first.refresh_from_db()
    assert first.status == TaskStatus.DONE


def test_moving_the_follow_up_date_moves_the_open_task() -> None:
    c = make_caseload()
    r = _refer(c, follow_up_on=TODAY - timedelta(days=1))
    [task] = _open_tasks(r)
    services.move_follow_up(r, to=TODAY + timedelta(days=5), by=c.care_manager, expected="sent")
    task.refresh_from_db()
    r.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.due_on == TODAY + timedelta(days=5)
    assert r.follow_up_on == TODAY + timedelta(days=5) and r.follow_up_task == task
    assert list(r.history.values_list("to_status", flat=True)) == ["sent"]  # not news: no history line
    assert followups.raise_due(today=TODAY + timedelta(days=5)).counts[Outcome.CREATED] == 0
    assert Task.objects.count() == 1

    with pytest.raises(DomainError, match="today or a later date"):
        services.move_follow_up(r, to=TODAY - timedelta(days=1), by=c.care_manager)
    with pytest.raises(ConflictError, match="marked this referral sent meanwhile"):
        services.move_follow_up(r, to=TODAY, by=c.care_manager, expected="accepted")
    services.update_status(r, to="declined", by=c.care_manager, note="Full until spring, said Ana")
    with pytest.raises(ConflictError, match="only open referrals"):
        services.move_follow_up(r, to=TODAY, by=c.care_manager)


def test_a_task_done_on_the_worklist_is_not_raised_again_until_the_date_moves() -> None:
    c = make_caseload()
    r = _refer(c, follow_up_on=TODAY - timedelta(days=1))
    [task] = _open_tasks(r)
    caseload.complete_task(task, by=c.care_manager)
    assert followups.raise_due(today=TODAY + timedelta(days=1)).counts[Outcome.CREATED] == 0
    assert Task.objects.count() == 1
    assert ResourceReferral.objects.get(pk=r.pk).status == "sent"  # the outcome is still to be recorded

    services.move_follow_up(r, to=TODAY + timedelta(days=7), by=c.care_manager)
    assert _open_tasks(r) == []
    assert followups.raise_due(today=TODAY + timedelta(days=7)).counts[Outcome.CREATED] == 1
    [again] = _open_tasks(r)
    assert again.due_on == TODAY + timedelta(days=7)


def test_daily_run_repairs_referrals_changed_outside_the_services() -> None:
    c = make_caseload()
    closed = _refer(c, follow_up_on=TODAY)
    moved = _refer(c, follow_up_on=TODAY)
    ResourceReferral.objects.filter(pk=closed.pk).update(status="declined")
    ResourceReferral.objects.filter(pk=moved.pk).update(follow_up_on=TODAY + timedelta(days=3))
    summary = followups.raise_due()
    assert summary.counts[Outcome.CLOSED] == 1 and summary.counts[Outcome.UPDATED] == 1
    assert Task.objects.get(source=f"referral-follow-up:{closed.pk}").status == TaskStatus.CANCELLED
    [task] = _open_tasks(moved)
    assert task.due_on == TODAY + timedelta(days=3)
    after = followups.raise_due()
    assert after.counts[Outcome.CLOSED] == 0 and after.counts[Outcome.UPDATED] == 0


def test_task_goes_to_the_primary_care_manager_then_the_supervisor_when_the_referrer_cannot_act() -> None:
    c = make_caseload()
    pcm = make_user(Role.CARE_MANAGER)
    make_episode(c.patient, status="enrolled", care_manager=pcm)

    # The referrer moved to another team: they can no longer open the patient.
    moved_on = _refer(c, follow_up_on=TODAY + timedelta(days=1))
    CareTeamMembership.objects.filter(user=c.care_manager).delete()
    followups.raise_due(today=TODAY + timedelta(days=1))
    assert _open_tasks(moved_on)[0].assigned_to == pcm

    # An open task follows when the person who should act changes.
    back = make_caseload()
    r = services.refer(back.patient, resource=make_resource(), by=back.care_manager, follow_up_on=TODAY)
    assert _open_tasks(r)[0].assigned_to == back.care_manager
    back.care_manager.is_active = False
    back.care_manager.save()
    summary = followups.raise_due()
    assert summary.counts[Outcome.UPDATED] == 1
    assert _open_tasks(r)[0].assigned_to == back.supervisor  # no enrolled episode: the team's supervisor

    # Nobody at all: counted, not invented.
    orphan = make_patient(team=None)
    lost = services.refer(
        orphan, resource=make_resource(), by=make_user(Role.CARE_MANAGER), on=TODAY - timedelta(days=1)
    )
    ResourceReferral.objects.filter(pk=lost.pk).update(follow_up_on=TODAY)
    summary = followups.raise_due()
    assert summary.counts[Outcome.UNASSIGNED] == 1 and _open_tasks(lost) == []
    assert "1 due with nobody to assign" in summary.line()


def test_the_command_prints_counts_only_and_checks_its_date() -> None:
    c = make_caseload(given_name="Marisol", family_name="Quintero")
    _refer(c, follow_up_on=TODAY + timedelta(days=2))
    out = StringIO()
    call_command("referral_followups", "--date", (TODAY + timedelta(days=2)).isoformat(), stdout=out)
    text = out.getvalue()
    assert "1 task(s) raised" in text and "Quintero" not in text and "Harborview" not in text
    assert Task.objects.filter(assigned_to=c.care_manager, status=TaskStatus.OPEN).count() == 1
    out = StringIO()
    call_command("referral_followups", "--date", (TODAY + timedelta(days=2)).isoformat(), stdout=out)
    assert "0 task(s) raised" in out.getvalue()
    with pytest.raises(CommandError, match="not a date"):
        call_command("referral_followups", "--date", "31/12/2026")


def test_pages_keep_the_task_in_step_and_the_move_form_explains_errors() -> None:
    c = make_caseload()
    r = _refer(c, follow_up_on=TODAY)
    [task] = _open_tasks(r)
    client = login(Client(), c.care_manager)

    follow_list = _soup(client.get(reverse("referrals:follow-ups")))
    move_url = reverse("referrals:move-follow-up", args=[c.patient.public_id, r.pk])
    assert (
        follow_list.find("a", string="No news yet: move the follow-up")["href"]
        == f"{move_url}?next=follow-ups"
    )
    form = _soup(client.get(f"{move_url}?next=follow-ups"))
    assert form.select_one("#id_follow_up_on")["value"] == TODAY.isoformat()
    assert form.select_one("input[name=next]")["value"] == "follow-ups"
    past = client.post(move_url, {"follow_up_on": str(TODAY - timedelta(days=1)), "expected": "sent"})
    assert _soup(past).select_one(".has-error #id_follow_up_on") is not None
    moved = client.post(
        move_url, {"follow_up_on": str(TODAY + timedelta(days=3)), "expected": "sent", "next": "follow-ups"}
    )
    assert moved.status_code == 302 and moved["Location"] == reverse("referrals:follow-ups")
    task.refresh_from_db()
    assert task.due_on == TODAY + timedelta(days=3) and task.status == TaskStatus.OPEN

    stale = client.post(move_url, {"follow_up_on": str(TODAY + timedelta(days=4)), "expected": "accepted"})
    assert "meanwhile" in _soup(stale).select_one("#form-errors").get_text()

    status_url = reverse("referrals:status", args=[c.patient.public_id, r.pk])
    client.post(status_url, {"status": "completed", "changed_on": str(TODAY), "expected": "sent"})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    closed = client.get(move_url)
    assert closed.status_code == 302  # a closed referral has no follow-up to move

    outsider = login(Client(), make_caseload().care_manager)
    assert outsider.get(move_url).status_code == 403
    assert outsider.post(move_url, {"follow_up_on": str(TODAY), "expected": "sent"}).status_code == 403
