"""Demo care activity for enrolled people: a co-created plan, recent contacts, a first screen.

Makes the worklist, dashboard and care-plan pages look like a program a few months in, so
`make run` shows what Tandem is for rather than empty tables.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from tandem.accounts.models import User
from tandem.assessment import services as assessment
from tandem.assessment.models import Domain
from tandem.careplans import services as careplans
from tandem.careplans import steps
from tandem.caseload.services import log_contact
from tandem.programs.models import Episode

# Goals as people say them: several are not medical, and that is the point.
GOALS = [
    ("Reconnect with my daughter", "She is the reason I keep going"),
    ("Get my own apartment", "I'm tired of moving between couches"),
    ("Walk to church without stopping", "I miss seeing my friends there"),
    ("Keep my sugar under control so I can keep my feet", "My brother lost his leg"),
    ("Stop ending up in the ER for my breathing", "Every visit costs me a week"),
    ("Cook real meals again", "I used to feed the whole block"),
    ("Stay sober through the holidays", "I want to be there for my grandkids"),
    ("Understand all these pills", "I don't know what half of them do"),
]
STEPS = [
    ("Call the housing authority together", "care_manager", "we_do"),
    ("Fill the pill box every Sunday", "patient", "you_do"),
    ("Book a ride for the clinic visit", "care_manager", "i_do"),
    ("Walk to the corner and back each morning", "patient", "you_do"),
]


def add_activity(episode: Episode, *, care_manager: User, rng: random.Random, today: date) -> None:
    """Plan, contacts and a PHQ-9 for one enrolled episode (deterministic for the rng)."""
    plan = careplans.start_plan(episode, by=care_manager)
    for text, why in rng.sample(GOALS, 2):
        goal = careplans.add_goal(
            plan,
            by=care_manager,
            expected_version=None,
            text=text,
            why_it_matters=why,
            target_date=today + timedelta(days=rng.randint(30, 120)),
            status="active",
        )
        description, owner, coaching = rng.choice(STEPS)
        steps.add_step(
            goal,
            by=care_manager,
            expected_version=None,
            description=description,
            owner_kind=owner,
            coaching=coaching,
            due_on=today + timedelta(days=rng.randint(3, 21)),
            owner_user=care_manager if owner == "care_manager" else None,
        )
        careplans.check_in(
            goal, by=care_manager, rating=rng.randint(2, 7), note="", on=today - timedelta(days=3)
        )
    start = episode.enrolled_on or today - timedelta(days=30)
    # Some people are overdue for contact; most are not.
    last = today - timedelta(days=rng.choice([2, 5, 9, 16, 25, 40]))
    for when in sorted({max(start, last - timedelta(days=14)), max(start, last)}):
        log_contact(
            episode,
            by=care_manager,
            occurred_on=when,
            mode=rng.choice(["phone", "in_person_home", "video"]),
            duration_minutes=rng.choice([15, 20, 30, 45]),
            note="Demo contact.",
            self_management_confidence=rng.randint(3, 9),
        )
    # The step-by-step assessment: further along the longer someone has been enrolled.
    days_in = (today - start).days
    done = min(len(Domain.values), 2 + days_in // 10 + rng.randint(0, 2))
    for i, domain in enumerate(rng.sample(list(Domain.values), done)):
        assessment.record_domain(
            episode,
            domain,
            by=care_manager,
            responses={"notes": "Talked this through at a visit."},
            declined_items=[],
            complete=True,
            on=min(today, start + timedelta(days=3 + 4 * i)),
        )
    answers = [rng.randint(0, 2) for _ in range(8)] + [0]
    assessment.record_instrument(
        episode.patient,
        "phq9",
        answers,
        by=care_manager,
        episode=episode,
        on=max(start, today - timedelta(days=20)),
    )
