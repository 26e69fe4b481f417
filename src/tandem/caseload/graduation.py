"""Graduation: whether a patient is ready to go back to primary care, and the handoff that ends it.

Readiness is judged from facts gathered per episode (last acute event, last primary care visit
kept, latest self-management confidence, top goals) and one `evaluate` used both for a single
patient's page and, with facts gathered in bulk, for the supervisor's dashboard, so the two can
never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone

from tandem.accounts.models import User
from tandem.caseload import goals
from tandem.caseload.models import (
    ACUTE_KINDS,
    CareEvent,
    CareEventKind,
    Contact,
    GraduationHandoff,
    HandoffMethod,
)
from tandem.caseload.services import Cadence, all_cadences, cadences_for
from tandem.core.errors import ConflictError, DomainError
from tandem.programs import services as programs
from tandem.programs.models import Episode, EpisodeStatus


@dataclass(frozen=True)
class Facts:
    last_acute_on: date | None
    last_pcp_kept_on: date | None
    latest_confidence: int | None
    goals: goals.GoalSummary


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    met: bool
    reason: str


@dataclass(frozen=True)
class Readiness:
    episode: Episode
    criteria: list[Criterion]

    @property
    def ready(self) -> bool:
        return self.episode.status == EpisodeStatus.ENROLLED and all(c.met for c in self.criteria)

    @property
    def unmet(self) -> list[Criterion]:
        return [c for c in self.criteria if not c.met]


def _d(value: date) -> str:
    return f"{value:%b} {value.day}, {value:%Y}"


def evaluate(episode: Episode, facts: Facts, cadence: Cadence, *, today: date) -> Readiness:
    """Apply the program's criteria to the facts; each criterion says why it is met or not."""
    c = cadence
    acute_since = today - timedelta(days=c.graduation_acute_free_days)
    if facts.last_acute_on is None or facts.last_acute_on < acute_since:
        acute = Criterion(
            "acute_free",
            f"No inpatient or ED use in {c.graduation_acute_free_days} days",
            True,
            "None recorded." if facts.last_acute_on is None else f"Last on {_d(facts.last_acute_on)}.",
        )
    else:
        acute = Criterion(
            "acute_free",
            f"No inpatient or ED use in {c.graduation_acute_free_days} days",
            False,
            f"Hospital or ED use on {_d(facts.last_acute_on)}.",
        )
    conf_label = f"Self-management confidence at least {c.graduation_min_confidence} of 10"
    if facts.latest_confidence is None:
        confidence = Criterion("confidence", conf_label, False, "Not yet asked at a contact.")
    else:
        confidence = Criterion(
            "confidence",
            conf_label,
            facts.latest_confidence >= c.graduation_min_confidence,
            f"{facts.latest_confidence} of 10 at the latest contact that asked.",
        )
    pcp_label = f"A primary care visit kept in the last {c.graduation_pcp_within_days} days"
    pcp_since = today - timedelta(days=c.graduation_pcp_within_days)
    if facts.last_pcp_kept_on is not None and facts.last_pcp_kept_on >= pcp_since:
        pcp = Criterion("pcp_visit", pcp_label, True, f"Kept on {_d(facts.last_pcp_kept_on)}.")
    elif facts.last_pcp_kept_on is not None:
        pcp = Criterion("pcp_visit", pcp_label, False, f"Last kept visit was {_d(facts.last_pcp_kept_on)}.")
    else:
        pcp = Criterion("pcp_visit", pcp_label, False, "No kept primary care visit recorded.")
    goal_label = f"Top {c.graduation_top_goals} goals achieved or self-managed"
    goal = Criterion("top_goals", goal_label, facts.goals.met, facts.goals.reason)
    return Readiness(episode=episode, criteria=[acute, goal, confidence, pcp])


def readiness(episode: Episode, *, today: date | None = None) -> Readiness:
    """One patient's readiness with reasons (the patient card and the graduation page)."""
    return readiness_many([episode], today=today or timezone.localdate())[episode.pk]


def readiness_many(episodes: Sequence[Episode], *, today: date | None = None) -> dict[int, Readiness]:
    """Readiness for many episodes with a fixed number of queries (the dashboard and agenda)."""
    today = today or timezone.localdate()
    if not episodes:
        return {}
    patient_ids = {e.patient_id for e in episodes}
    episode_ids = [e.pk for e in episodes]
    acute = dict(
        CareEvent.objects.filter(patient_id__in=patient_ids, kind__in=ACUTE_KINDS)
        .values("patient_id")
        .annotate(last=Max("occurred_on"))
        .values_list("patient_id", "last")
    )
    pcp = dict(
        CareEvent.objects.filter(patient_id__in=patient_ids, kind=CareEventKind.PCP_KEPT)
        .values("patient_id")
        .annotate(last=Max("occurred_on"))
        .values_list("patient_id", "last")
    )
    confidence: dict[int, int] = {}
    for episode_id, value in (
        Contact.objects.filter(episode_id__in=episode_ids, self_management_confidence__isnull=False)
        .order_by("episode_id", "-occurred_on", "-id")
        .values_list("episode_id", "self_management_confidence")
    ):
        if value is not None:
            confidence.setdefault(episode_id, value)  # the first row per episode is the latest
    cadences = cadences_for(e.program_id for e in episodes)
    goal_summaries = goals.summaries(
        episodes, top={e.pk: cadences[e.program_id].graduation_top_goals for e in episodes}
    )
    return {
        e.pk: evaluate(
            e,
            Facts(
                last_acute_on=acute.get(e.patient_id),
                last_pcp_kept_on=pcp.get(e.patient_id),
                latest_confidence=confidence.get(e.pk),
                goals=goal_summaries[e.pk],
            ),
            cadences[e.program_id],
            today=today,
        )
        for e in episodes
    }


def ready_among(episodes: QuerySet[Episode], *, today: date | None = None) -> dict[int, Readiness]:
    """Readiness of those `episodes` that could be ready (the dashboard's "ready to graduate").

    Judging a whole team with `readiness_many` builds facts and reasons for thousands of patients
    to flag a handful. Three criteria are necessary and cheap to test in SQL (confidence at the
    latest contact that asked, a kept primary care visit, no recent acute use), so they narrow the
    team first, with the loosest setting of any program so the filter can only let too many
    through; the survivors are judged by `readiness_many`, the same rule as everywhere else.
    """
    today = today or timezone.localdate()
    cadences = all_cadences()
    min_confidence = min(c.graduation_min_confidence for c in cadences)
    pcp_since = today - timedelta(days=max(c.graduation_pcp_within_days for c in cadences))
    acute_since = today - timedelta(days=min(c.graduation_acute_free_days for c in cadences))
    latest_confidence = Subquery(
        Contact.objects.filter(episode_id=OuterRef("pk"), self_management_confidence__isnull=False)
        .order_by("-occurred_on", "-id")
        .values("self_management_confidence")[:1]
    )
    candidates = list(
        episodes.filter(status=EpisodeStatus.ENROLLED)
        .annotate(latest_confidence=latest_confidence)
        .filter(latest_confidence__gte=min_confidence)
        .filter(
            Exists(
                CareEvent.objects.filter(
                    patient_id=OuterRef("patient_id"), kind=CareEventKind.PCP_KEPT, occurred_on__gte=pcp_since
                )
            )
        )
        .exclude(
            Exists(
                CareEvent.objects.filter(
                    patient_id=OuterRef("patient_id"), kind__in=ACUTE_KINDS, occurred_on__gte=acute_since
                )
            )
        )
        .select_related("patient")
        .order_by("patient__family_name", "patient__given_name", "pk")
    )
    return readiness_many(candidates, today=today)


def graduate(
    episode: Episode,
    *,
    by: User,
    practice_name: str,
    contact_person: str,
    handoff_on: date,
    method: str,
    note: str = "",
    override_reason: str = "",
    today: date | None = None,
) -> GraduationHandoff:
    """Record the warm handoff and graduate the episode.

    Criteria not met need a reason: a supervisor may judge someone ready despite, say, one ED
    visit, but that judgement is written down with the unmet criteria beside it.
    """
    today = today or timezone.localdate()
    if episode.status != EpisodeStatus.ENROLLED:
        raise ConflictError("Only an enrolled patient can graduate.")
    if not practice_name.strip() or not contact_person.strip():
        raise DomainError("Name the primary care practice and the person the patient was handed to.")
    if method not in HandoffMethod.values:
        raise DomainError("Say how the warm handoff happened.")
    if handoff_on > today:
        raise DomainError("Record the warm handoff once it has happened; its date cannot be in the future.")
    result = readiness(episode, today=today)
    unmet = [c.label for c in result.unmet]
    if unmet and not override_reason.strip():
        raise DomainError(
            "Not all graduation criteria are met (" + "; ".join(unmet) + "). "
            "Give the reason for graduating anyway, or wait."
        )
    handoff = GraduationHandoff.objects.create(
        episode=episode,
        practice_name=practice_name.strip(),
        contact_person=contact_person.strip(),
        handoff_on=handoff_on,
        method=method,
        note=note,
        criteria_unmet=unmet,
        override_reason=override_reason.strip() if unmet else "",
        recorded_by=by,
    )
    reason = f"Graduated to primary care ({handoff.practice_name})"
    if unmet:
        reason += f"; criteria not met: {'; '.join(unmet)}; reason: {handoff.override_reason}"
    programs.transition(episode, EpisodeStatus.GRADUATED, by=by, reason=reason, on=today)
    return handoff
