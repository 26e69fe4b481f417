"""Referral follow-ups as caseload tasks: one open task per follow-up, raised on the day it falls due.

A referral's follow-up date is a promise to find out whether the person got help. On that date,
while the loop is still open (sent or accepted), the person who should ask gets a `Task` on their
worklist:

- the care manager who made the referral, while they are active and may still open the patient;
- otherwise the primary care manager of the person's enrolled episode;
- otherwise the supervisor of the person's care team. With none of these there is nobody to ask,
  and the daily run reports the count rather than inventing an owner.

The task is raised on the day, not when the referral is saved: a follow-up two weeks out is not
today's work, and the home page lists every open task whatever its date. `sync` is called by the
services that save a referral (so a follow-up already due gets its task at once) and by the daily
`tandem referral_followups` run (for dates that arrive later, and to repair edits made elsewhere).

The referral keeps a link to the task of its current follow-up. Recording what happened (a status
change) completes the task and drops the link, so the next follow-up date gets a task of its own;
closing the referral any other way cancels it; moving the date moves the open task. A task ticked
done on the worklist stays linked, so the same follow-up is not raised again the next morning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tandem.accounts.models import User
from tandem.caseload.models import Task, TaskKind, TaskPriority, TaskStatus
from tandem.core.permissions import can_view_patient
from tandem.programs.models import Episode, EpisodeStatus
from tandem.referrals.models import OPEN_REFERRAL_STATUSES, ResourceReferral

SOURCE_PREFIX = "referral-follow-up:"


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    CLOSED = "closed"
    UNASSIGNED = "unassigned"
    UNCHANGED = "unchanged"


def assignee(referral: ResourceReferral) -> User | None:
    """Who should ask how the referral went (the rule in the module docstring)."""
    patient = referral.patient
    made_by = referral.made_by
    if made_by is not None and made_by.is_active and can_view_patient(made_by, patient):
        return made_by
    episode = (
        Episode.objects.filter(
            patient=patient, status=EpisodeStatus.ENROLLED, primary_care_manager__is_active=True
        )
        .select_related("primary_care_manager")
        .order_by("-enrolled_on", "-id")
        .first()
    )
    if episode is not None and episode.primary_care_manager is not None:
        return episode.primary_care_manager
    team = patient.care_team
    if team is not None and team.supervisor.is_active:
        return team.supervisor
    return None


def _title(referral: ResourceReferral) -> str:
    return f"Referral follow-up: {referral.resource.name}"[:200]


def _detail(referral: ResourceReferral) -> str:
    return (
        f"Referred on {referral.made_on:%b} {referral.made_on.day}, {referral.made_on.year}; now "
        f"{referral.get_status_display().lower()}. Find out whether the person got help and update the "
        "referral: accepted, completed, declined or no response."
    )


def sync(referral: ResourceReferral, *, by: User | None, today: date | None = None) -> Outcome:
    """Bring the referral's follow-up task in line with the referral; safe to call any number of times."""
    today = today or timezone.localdate()
    task = referral.follow_up_task
    open_task = task if task is not None and task.status == TaskStatus.OPEN else None
    due = referral.follow_up_on
    if not referral.is_open or due is None:
        if open_task is None:
            return Outcome.UNCHANGED
        open_task.status = TaskStatus.CANCELLED
        open_task.save()
        return Outcome.CLOSED
    if open_task is not None:
        who = assignee(referral)
        who_id = who.pk if who is not None else open_task.assigned_to_id  # nobody better: keep it
        wanted = (due, who_id, _title(referral))
        if (open_task.due_on, open_task.assigned_to_id, open_task.title) == wanted:
            return Outcome.UNCHANGED
        open_task.due_on, open_task.assigned_to_id, open_task.title = wanted
        open_task.save()
        return Outcome.UPDATED
    if task is not None and task.due_on == due:
        return Outcome.UNCHANGED  # this follow-up's task was already closed on the worklist
    if due > today:
        return Outcome.UNCHANGED  # not due yet: the daily run raises it on the day
    who = assignee(referral)
    if who is None:
        return Outcome.UNASSIGNED
    referral.follow_up_task = Task.objects.create(
        patient_id=referral.patient_id,
        kind=TaskKind.OTHER,
        priority=TaskPriority.NORMAL,
        title=_title(referral),
        detail=_detail(referral),
        due_on=due,
        assigned_to=who,
        created_by=by,
        source=f"{SOURCE_PREFIX}{referral.pk}",
    )
    referral.save(update_fields=["follow_up_task", "updated_at"])
    return Outcome.CREATED


def complete_current(referral: ResourceReferral) -> None:
    """Someone recorded what happened: this follow-up is done. The caller saves the referral.

    The link is dropped so the next follow-up date, even one on the same day, gets a task of its own.
    """
    task = referral.follow_up_task
    if task is None:
        return
    if task.status == TaskStatus.OPEN:
        task.status = TaskStatus.DONE
        task.completed_at = timezone.now()
        task.save()
    referral.follow_up_task = None


@dataclass
class RunSummary:
    """What a daily run did, in counts only (the output may end up in a log)."""

    day: date
    counts: dict[Outcome, int] = field(default_factory=lambda: dict.fromkeys(Outcome, 0))

    def line(self) -> str:
        c = self.counts
        text = (
            f"Referral follow-ups on {self.day.isoformat()}: {c[Outcome.CREATED]} task(s) raised, "
            f"{c[Outcome.UPDATED]} moved or reassigned, {c[Outcome.CLOSED]} cancelled for closed referrals"
        )
        if c[Outcome.UNASSIGNED]:
            text += (
                f"; {c[Outcome.UNASSIGNED]} due with nobody to assign "
                "(no active referrer, primary care manager or team supervisor)"
            )
        return text + "."


def raise_due(*, today: date | None = None) -> RunSummary:
    """The daily run: raise tasks for follow-ups that have come, and repair tasks edited out of step.

    Looks at open referrals whose date has come and at every referral with an open follow-up task
    (which may since have been closed, re-dated or lost its referrer). One transaction; each
    referral row is locked while it is synced so a save from a page cannot raise a second task.
    """
    today = today or timezone.localdate()
    summary = RunSummary(today)
    candidates = ResourceReferral.objects.filter(
        Q(status__in=[s.value for s in OPEN_REFERRAL_STATUSES], follow_up_on__lte=today)
        | Q(follow_up_task__status=TaskStatus.OPEN)
    ).order_by("follow_up_on", "id")
    with transaction.atomic():
        for pk in list(candidates.values_list("pk", flat=True)):
            referral = (
                ResourceReferral.objects.select_for_update(of=("self",))
                .select_related("patient__care_team__supervisor", "made_by", "resource", "follow_up_task")
                .get(pk=pk)
            )
            summary.counts[sync(referral, by=None, today=today)] += 1
    return summary
