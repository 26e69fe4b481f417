"""The supervisor's caseload dashboard: each care manager's load, timeliness and balance.

All figures for a team come from a fixed number of queries (episodes with their last contact,
assessment completion, graduation facts), then are grouped in Python; a team of a few thousand
patients stays well inside a page load.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.accounts.models import CareTeam, Role, User
from tandem.caseload import goals
from tandem.caseload.graduation import Readiness, readiness_many
from tandem.caseload.services import (
    assessment_dues,
    cadences_for,
    contact_due,
    is_maintenance,
    with_last_contact,
)
from tandem.programs.models import Episode, EpisodeStatus, Tier

DEFAULT_FACTOR = Decimal("1.5")


@dataclass
class CareManagerRow:
    user: User
    by_tier: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Tier.values, 0))
    active: int = 0
    maintenance: int = 0
    outreach: int = 0
    overdue: int = 0
    days_since: list[int] = field(default_factory=list)
    assessments_complete: int = 0
    goals_achieved: int = 0
    ready: list[Episode] = field(default_factory=list)
    high_episodes: list[Episode] = field(default_factory=list)
    overloaded: bool = False

    @property
    def enrolled(self) -> int:
        return sum(self.by_tier.values())

    @property
    def median_days_since(self) -> float | None:
        return statistics.median(self.days_since) if self.days_since else None

    @property
    def max_days_since(self) -> int | None:
        return max(self.days_since) if self.days_since else None

    @property
    def assessment_pct(self) -> int | None:
        return round(100 * self.assessments_complete / self.enrolled) if self.enrolled else None


@dataclass
class TeamDashboard:
    team: CareTeam
    rows: list[CareManagerRow]
    mean_high: float
    threshold: float
    readiness: dict[int, Readiness]

    @property
    def overloaded(self) -> list[CareManagerRow]:
        return [r for r in self.rows if r.overloaded]


def supervised_teams(user: User) -> QuerySet[CareTeam]:
    return CareTeam.objects.filter(Q(supervisor=user) | Q(memberships__user=user), active=True).distinct()


def high_tier_threshold(mean_high: float, *, factor: Decimal, max_high: int | None) -> float:
    """Overloaded = more high-tier patients than factor × the team mean, or than an absolute cap."""
    limit = float(factor) * mean_high
    return min(limit, float(max_high)) if max_high is not None else limit


def team_dashboard(
    team: CareTeam,
    *,
    today: date | None = None,
    factor: Decimal = DEFAULT_FACTOR,
    max_high: int | None = None,
) -> TeamDashboard:
    today = today or timezone.localdate()
    rows: dict[int, CareManagerRow] = {}
    for member in team.members.filter(is_active=True, role__in=[Role.CARE_MANAGER, Role.SUPERVISOR]):
        if member.role == Role.CARE_MANAGER:
            rows[member.pk] = CareManagerRow(user=member)
    enrolled = list(
        with_last_contact(
            Episode.objects.filter(patient__care_team=team, status=EpisodeStatus.ENROLLED).select_related(
                "patient", "primary_care_manager"
            )
        ).order_by("patient__family_name", "patient__given_name")
    )
    cadences = cadences_for(e.program_id for e in enrolled)
    complete = {a.episode.pk for a in assessment_dues(enrolled, today=today) if a.completed >= a.total}
    achieved = goals.achieved_counts(enrolled)
    ready = readiness_many(enrolled, today=today)
    for ep in enrolled:
        cm = ep.primary_care_manager
        assert cm is not None  # the database refuses an enrolled episode without one
        row = rows.setdefault(cm.pk, CareManagerRow(user=cm))
        row.by_tier[ep.tier] = row.by_tier.get(ep.tier, 0) + 1
        cadence = cadences[ep.program_id]
        if is_maintenance(ep, cadence):
            row.maintenance += 1
        else:
            row.active += 1
        due = contact_due(ep, cadence, today=today, last_contact_on=ep.last_contact_on)  # type: ignore[attr-defined]
        row.overdue += due.overdue
        row.days_since.append(due.days_since_contact)
        row.assessments_complete += ep.pk in complete
        row.goals_achieved += achieved.get(ep.pk, 0)
        if ready[ep.pk].ready:
            row.ready.append(ep)
        if ep.tier == Tier.HIGH:
            row.high_episodes.append(ep)
    for ep in Episode.objects.filter(
        patient__care_team=team,
        status__in=[EpisodeStatus.CANDIDATE, EpisodeStatus.OUTREACH],
        assigned_to_id__in=list(rows),
    ).only("assigned_to_id"):
        rows[ep.assigned_to_id].outreach += 1  # type: ignore[index]
    ordered = sorted(rows.values(), key=lambda r: (-r.by_tier[Tier.HIGH], r.user.last_name, r.user.username))
    mean_high = statistics.fmean([r.by_tier[Tier.HIGH] for r in ordered]) if ordered else 0.0
    threshold = high_tier_threshold(mean_high, factor=factor, max_high=max_high)
    for r in ordered:
        r.overloaded = r.by_tier[Tier.HIGH] > threshold
    return TeamDashboard(team=team, rows=ordered, mean_high=mean_high, threshold=threshold, readiness=ready)
