"""The caseload's window onto care-plan goals (owned by `tandem.careplans`).

Everything the caseload needs from goals goes through this module, so contacts, case-conference
triggers, dashboard counts and graduation each depend on one small interface rather than on the
care plan's internals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, QuerySet

from tandem.accounts.models import User
from tandem.careplans import services as careplans
from tandem.careplans.models import CURRENT_PLAN_STATUSES, Goal, GoalCheckIn, GoalStatus
from tandem.programs.models import Episode

STALLED_DAYS = 28


@dataclass(frozen=True)
class GoalSummary:
    met: bool
    reason: str


def summaries(episodes: Sequence[Episode], *, top: Mapping[int, int]) -> dict[int, GoalSummary]:
    """Per episode: are the patient's top-priority goals (their order, dropped ones aside) done?

    "Done" is achieved or marked self-managed: a goal the patient now keeps up on their own
    counts as much as one finished.
    """
    by_episode: dict[int, list[Goal]] = defaultdict(list)
    for goal in (
        Goal.objects.filter(
            care_plan__episode_id__in=[e.pk for e in episodes], care_plan__status__in=CURRENT_PLAN_STATUSES
        )
        .exclude(status=GoalStatus.DROPPED)
        .select_related("care_plan")
        .order_by("priority", "id")
    ):
        by_episode[goal.care_plan.episode_id].append(goal)
    out = {}
    for e in episodes:
        wanted = by_episode[e.pk][: top.get(e.pk, 3)]
        if not wanted:
            out[e.pk] = GoalSummary(False, "No goals in a current care plan yet.")
            continue
        done = sum(g.status == GoalStatus.ACHIEVED or g.self_managed for g in wanted)
        out[e.pk] = GoalSummary(
            done == len(wanted), f"{done} of the top {len(wanted)} goals achieved or self-managed."
        )
    return out


def achieved_counts(episodes: Sequence[Episode] | QuerySet[Episode, Any]) -> dict[int, int]:
    """Goals achieved per episode, across all its plans (a revised plan keeps what was achieved).

    A queryset (of pks) is used as a subquery: a team's IN list of thousands of ids costs more to
    send and plan than the join.
    """
    ids = episodes if isinstance(episodes, QuerySet) else [e.pk for e in episodes]
    return dict(
        Goal.objects.filter(care_plan__episode_id__in=ids, status=GoalStatus.ACHIEVED)
        .values("care_plan__episode_id")
        .annotate(n=Count("id"))
        .values_list("care_plan__episode_id", "n")
    )


def stalled_patient_ids(patient_ids: Sequence[int], *, as_of: date) -> dict[int, str]:
    """Patients with an active goal that has not moved for 4 weeks.

    Stalled = the goal has been active for at least 4 weeks and no check-in in the last 4 weeks
    rated it higher than the last rating before them (no check-in at all counts as no progress).
    """
    window = as_of - timedelta(days=STALLED_DAYS)
    goals = list(
        Goal.objects.filter(
            care_plan__patient_id__in=patient_ids,
            care_plan__status__in=CURRENT_PLAN_STATUSES,
            status=GoalStatus.ACTIVE,
            created_at__date__lte=window,
        ).select_related("care_plan")
    )
    checkins: dict[int, list[GoalCheckIn]] = defaultdict(list)
    for c in GoalCheckIn.objects.filter(goal__in=goals, checked_on__lte=as_of).order_by("checked_on", "id"):
        checkins[c.goal_id].append(c)
    out: dict[int, str] = {}
    for g in goals:
        before = [c.rating for c in checkins[g.pk] if c.checked_on <= window]
        recent = [c.rating for c in checkins[g.pk] if c.checked_on > window]
        baseline = before[-1] if before else None
        progressed = bool(recent) and (baseline is None or max(recent) > baseline)
        if not progressed:
            out.setdefault(g.care_plan.patient_id, f"No progress for 4 weeks on: {g.text[:120]}")
    return out


def active_goals(episode: Episode) -> list[Goal]:
    """Goals to rate at a contact: the active goals of the episode's current plan, in priority order."""
    return list(
        Goal.objects.filter(
            care_plan__episode=episode, care_plan__status__in=CURRENT_PLAN_STATUSES, status=GoalStatus.ACTIVE
        ).order_by("priority", "id")
    )


def check_in(goal: Goal, *, by: User, rating: int, note: str, on: date) -> GoalCheckIn:
    return careplans.check_in(goal, by=by, rating=rating, note=note, on=on)


__all__ = ["GoalSummary", "achieved_counts", "active_goals", "check_in", "stalled_patient_ids", "summaries"]
