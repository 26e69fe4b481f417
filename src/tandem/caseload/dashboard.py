"""The supervisor's caseload dashboard: each care manager's load, timeliness and balance.

All figures for a team come from a fixed number of queries (episodes with their last contact,
assessment completion, graduation facts), then are grouped in Python over plain value rows; a
team of a few thousand patients stays well inside a page load.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from tandem.accounts.models import CareTeam, Role, User
from tandem.assessment.models import Domain
from tandem.caseload import goals
from tandem.caseload.graduation import Readiness, ready_among
from tandem.caseload.services import (
    cadences_for,
    completed_domains,
    is_maintenance_values,
    last_contact_subquery,
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
    # Filled for overloaded care managers only: the balance view lists no one else's.
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
    # Only the episodes that passed `ready_among`'s necessary criteria; absent ones are not ready.
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
    """One team's figures.

    The team's enrolled episodes are read as plain value rows and every per-patient fact comes
    from a team-scoped subquery rather than an IN list of thousands of ids: a team of 2,500
    patients as model instances cost half a second of Python per page. Model instances are built
    only for the patients the page names (ready to graduate, high tier of an overloaded manager).
    """
    today = today or timezone.localdate()
    rows: dict[int, CareManagerRow] = {}
    for member in team.members.filter(is_active=True, role__in=[Role.CARE_MANAGER, Role.SUPERVISOR]):
        if member.role == Role.CARE_MANAGER:
            rows[member.pk] = CareManagerRow(user=member)
    team_enrolled = Episode.objects.filter(patient__care_team=team, status=EpisodeStatus.ENROLLED).order_by()
    enrolled = list(
        team_enrolled.annotate(last_contact_on=last_contact_subquery()).values_list(
            "pk", "program_id", "tier", "enrolled_on", "primary_care_manager_id", "last_contact_on"
        )
    )
    others = {cm_id for *_, cm_id, _last in enrolled if cm_id not in rows}
    if others:  # care managers outside the team who still carry some of its patients
        for user in User.objects.filter(pk__in=others):
            rows[user.pk] = CareManagerRow(user=user)
    cadences = cadences_for({row[1] for row in enrolled})
    # `due_on` and `is_maintenance_values` per (program, tier), applied once each rather than per
    # row: overdue means last contact (or enrollment) + cadence < today, i.e. start < today - cadence.
    overdue_before = {
        (pid, tier): today - timedelta(days=c.days_for(tier))
        for pid, c in cadences.items()
        for tier in Tier.values
    }
    maintenance = {
        (pid, tier): is_maintenance_values(status=EpisodeStatus.ENROLLED, tier=tier, cadence=c)
        for pid, c in cadences.items()
        for tier in Tier.values
    }
    total = len(Domain.values)
    complete = {pk for pk, n in completed_domains(team_enrolled.values("pk")).items() if n >= total}
    achieved = goals.achieved_counts(team_enrolled.values("pk"))
    ready = ready_among(team_enrolled, today=today)
    high: dict[int, int] = {}
    for pk, program_id, tier, enrolled_on, cm_id, last_contact_on in enrolled:
        row = rows[cm_id]  # the database refuses an enrolled episode without a care manager
        row.by_tier[tier] = row.by_tier.get(tier, 0) + 1
        key = (program_id, tier)
        if maintenance[key]:
            row.maintenance += 1
        else:
            row.active += 1
        start = last_contact_on or enrolled_on or today
        row.overdue += start < overdue_before[key]
        row.days_since.append((today - start).days)
        if pk in complete:
            row.assessments_complete += 1
        if achieved:
            row.goals_achieved += achieved.get(pk, 0)
        if tier == Tier.HIGH:
            high[pk] = cm_id
    # Ready episodes come ordered by patient name, as the page lists them.
    for result in ready.values():
        if result.ready:
            rows[result.episode.primary_care_manager_id].ready.append(result.episode)  # type: ignore[index]
    for cm_id, n in (
        Episode.objects.filter(
            patient__care_team=team,
            status__in=[EpisodeStatus.CANDIDATE, EpisodeStatus.OUTREACH],
            assigned_to_id__in=list(rows),
        )
        .values("assigned_to_id")
        .annotate(n=Count("pk"))
        .values_list("assigned_to_id", "n")
    ):
        rows[cm_id].outreach += n
    ordered = sorted(rows.values(), key=lambda r: (-r.by_tier[Tier.HIGH], r.user.last_name, r.user.username))
    mean_high = statistics.fmean([r.by_tier[Tier.HIGH] for r in ordered]) if ordered else 0.0
    threshold = high_tier_threshold(mean_high, factor=factor, max_high=max_high)
    for r in ordered:
        r.overloaded = r.by_tier[Tier.HIGH] > threshold
    overloaded = {r.user.pk: r for r in ordered if r.overloaded}
    if overloaded:
        for ep in (
            Episode.objects.filter(pk__in=[pk for pk, cm_id in high.items() if cm_id in overloaded])
            .select_related("patient")
            .order_by("patient__family_name", "patient__given_name", "pk")
        ):
            overloaded[ep.primary_care_manager_id].high_episodes.append(ep)  # type: ignore[index]
    return TeamDashboard(team=team, rows=ordered, mean_high=mean_high, threshold=threshold, readiness=ready)
