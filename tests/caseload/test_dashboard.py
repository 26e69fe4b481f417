"""The dashboard's per-care-manager figures agree with the single-patient rules they summarise."""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest

from tandem.caseload import dashboard, services
from tandem.caseload.models import ProgramCadence
from tandem.programs.models import Episode
from tests.builders import make_episode, make_patient, make_program
from tests.caseload.builders import TODAY, contact, enrolled, make_caseload

pytestmark = pytest.mark.django_db


def test_overdue_maintenance_and_days_since_match_the_cadence_rules_at_the_boundary() -> None:
    c = make_caseload(tier="high", enrolled_days_ago=60)
    ProgramCadence.objects.create(program=c.episode.program, high_days=10, low_days=45)
    contact(c.episode, c.care_manager, on=TODAY - timedelta(days=10))  # due today: not overdue
    _, late = enrolled(c.team, c.care_manager, tier="high", enrolled_days_ago=60)
    contact(late, c.care_manager, on=TODAY - timedelta(days=11))  # due yesterday: overdue
    _, low_due_soon = enrolled(c.team, c.care_manager, tier="low", enrolled_days_ago=44)
    _, low_late = enrolled(c.team, c.care_manager, tier="low", enrolled_days_ago=46)
    # Another program keeps the default cadence (low tier monthly: maintenance; medium fortnightly).
    other = make_program("Transitions")
    other_low = make_episode(
        make_patient(team=c.team), status="enrolled", care_manager=c.care_manager, tier="low", program=other
    )
    Episode.objects.filter(pk=other_low.pk).update(enrolled_on=TODAY - timedelta(days=31))
    other_medium = make_episode(
        make_patient(team=c.team),
        status="enrolled",
        care_manager=c.care_manager,
        tier="medium",
        program=other,
    )
    Episode.objects.filter(pk=other_medium.pk).update(enrolled_on=TODAY - timedelta(days=14))
    episodes = [Episode.objects.get(pk=e.pk) for e in (c.episode, late, low_due_soon, low_late)]
    episodes += [Episode.objects.get(pk=e.pk) for e in (other_low, other_medium)]

    row = next(r for r in dashboard.team_dashboard(c.team, today=TODAY).rows if r.user == c.care_manager)

    dues = [services.next_contact(e, today=TODAY) for e in episodes]
    assert row.overdue == sum(d.overdue for d in dues if d is not None) == 3  # late, low_late, other_low
    cadences = services.cadences_for({e.program_id for e in episodes})
    assert row.maintenance == sum(services.is_maintenance(e, cadences[e.program_id]) for e in episodes) == 3
    assert row.active == 3
    assert sorted(row.days_since) == sorted(d.days_since_contact for d in dues if d is not None)
    assert row.median_days_since == statistics.median([10, 11, 44, 46, 31, 14])
    assert row.by_tier == {"high": 2, "medium": 1, "low": 3}
