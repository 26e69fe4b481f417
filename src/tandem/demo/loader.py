"""Load a realistic synthetic population into the app for `make run`.

Claims come from the project's own generator (`tandem.synth`); names and contact details come
from Faker and are clearly synthetic (555-01xx phone numbers, example.org addresses). Until the
stratification engine assigns candidates, program status here follows each person's allowed
spend in the last 12 months of claims: the costliest are enrolled, the next are in outreach.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
from django.db import transaction
from django.utils import timezone
from faker import Faker

from tandem.accounts.models import CareTeam, User
from tandem.demo.activity import add_activity
from tandem.patients.models import (
    CareTeamParticipant,
    IdentifierSystem,
    Involvement,
    Patient,
    PatientIdentifier,
    PrimaryCarePractice,
    RelatedPerson,
)
from tandem.programs import services as programs
from tandem.programs.models import EpisodeStatus, Program
from tandem.referrals.demo import seed_resources
from tandem.synth.generator import generate

S = EpisodeStatus


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    enrolled: int
    outreach: int
    candidates: int
    claims_dir: Path


def load_demo(
    *, members: int, months: int, seed: int, claims_dir: Path, population: int | None = None
) -> DemoSummary:
    """Generate claims, then create staff, teams and patients in one transaction (all or nothing).

    The claims cover `population` people (the payer's whole population, for the analytics);
    the app receives the `members` costliest of them, the kind of people a program serves.
    """
    from tandem.demo.staff import ensure_staff

    claims_dir.mkdir(parents=True, exist_ok=True)
    # Claims run up to the end of last month, so "the last 12 months" means the real recent past.
    this_month = timezone.localdate().replace(day=1)
    year, month0 = divmod(this_month.year * 12 + this_month.month - 1 - months, 12)
    generate(
        members=max(members, population or members),
        months=months,
        seed=seed,
        out_dir=claims_dir,
        fmt="csv",
        start=date(year, month0 + 1, 1),
    )
    spend = _spend_last_12_months(claims_dir)
    people = sorted(_read_people(claims_dir), key=lambda p: -spend.get(p["person_id"], 0.0))[:members]
    with transaction.atomic():
        by_team = ensure_staff()
        program, _ = Program.objects.get_or_create(
            slug="complex-care",
            defaults={
                "name": "Complex Care Program",
                "description": "Intensive care management for high-need patients.",
            },
        )
        practices = _practices(seed)
        seed_resources()
        summary = _create_patients(people, spend, by_team, program, practices, seed)
    return DemoSummary(claims_dir=claims_dir, **summary)


def _read_people(claims_dir: Path) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    with (claims_dir / "eligibility.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            seen.setdefault(row["person_id"], row)
    return [seen[k] for k in sorted(seen)]


def _spend_last_12_months(claims_dir: Path) -> dict[str, float]:
    path = str(claims_dir / "medical_claim.csv")
    con = duckdb.connect()
    rows = con.execute(
        """
        with claims as (select * from read_csv_auto(?, all_varchar = true))
        select person_id, sum(try_cast(allowed_amount as double)) as allowed
        from claims
        where try_cast(claim_start_date as date) >
              (select max(try_cast(claim_start_date as date)) from claims) - interval 12 month
        group by person_id
        """,
        [path],
    ).fetchall()
    con.close()
    return {str(pid): float(allowed or 0.0) for pid, allowed in rows}


def _practices(seed: int) -> list[PrimaryCarePractice]:
    names = [
        "Cooper Family Medicine",
        "Broadway Community Health Center",
        "Fairview Primary Care",
        "Parkside Internal Medicine",
    ]
    out = []
    for i, name in enumerate(names):
        practice, _ = PrimaryCarePractice.objects.get_or_create(
            name=name, defaults={"phone": f"(856) 555-01{i + 10:02d}", "address": f"{100 + i} Example St"}
        )
        out.append(practice)
    return out


def _create_patients(
    people: list[dict[str, str]],
    spend: dict[str, float],
    by_team: dict[str, list[User]],
    program: Program,
    practices: list[PrimaryCarePractice],
    seed: int,
) -> dict[str, int]:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    teams = list(CareTeam.objects.filter(name__in=by_team).order_by("name"))
    ranked = sorted(people, key=lambda p: -spend.get(p["person_id"], 0.0))
    n = len(ranked)
    counts = {"patients": 0, "enrolled": 0, "outreach": 0, "candidates": 0}
    today = timezone.localdate()
    assigned = dict.fromkeys(by_team, 0)
    for rank, person in enumerate(ranked):
        if PatientIdentifier.objects.filter(
            system=IdentifierSystem.CLAIMS_PERSON_ID, value=person["person_id"]
        ).exists():
            continue
        team = teams[rank % len(teams)]
        patient = _make_patient(fake, rng, person, team, rng.choice(practices))
        counts["patients"] += 1
        share = rank / max(n, 1)
        # Pharmacists consult on the team; they are not primary care managers.
        team_cms = [u for u in by_team[team.name] if u.discipline != "pharmacist"]
        if share < 0.12:
            # Round-robin within the team, so every care manager carries a caseload.
            cm = team_cms[assigned[team.name] % len(team_cms)]
            assigned[team.name] += 1
            ep = programs.open_episode(patient=patient, program=program, by=None, source="demo: top spend")
            programs.transition(ep, S.OUTREACH, by=None)
            tier = "high" if share < 0.04 else "medium" if share < 0.08 else "low"
            programs.transition(
                ep,
                S.ENROLLED,
                by=None,
                care_manager=cm,
                tier=tier,
                on=today - timedelta(days=rng.randint(7, 200)),
            )
            CareTeamParticipant.objects.create(
                patient=patient, user=cm, role="Primary care manager", started_on=ep.enrolled_on
            )
            add_activity(ep, care_manager=cm, rng=rng, today=today)
            counts["enrolled"] += 1
        elif share < 0.18:
            ep = programs.open_episode(patient=patient, program=program, by=None, source="demo: high spend")
            programs.transition(ep, S.OUTREACH, by=None)
            counts["outreach"] += 1
        elif share < 0.21:
            ep = programs.open_episode(patient=patient, program=program, by=None, source="demo: high spend")
            programs.transition(
                ep,
                S.DECLINED,
                by=None,
                reason="Not ready right now",
                reapproach_on=today + timedelta(days=rng.randint(14, 90)),
            )
        elif share < 0.28:
            programs.open_episode(patient=patient, program=program, by=None, source="demo: rising spend")
            counts["candidates"] += 1
    return counts


def _make_patient(
    fake: Faker, rng: random.Random, person: dict[str, str], team: CareTeam, practice: PrimaryCarePractice
) -> Patient:
    sex = {"female": "female", "male": "male"}.get(person.get("gender", "").lower(), "unknown")
    given = fake.first_name_female() if sex == "female" else fake.first_name_male()
    language = rng.choices(["en", "es", "vi", "ht"], weights=[78, 18, 2, 2])[0]
    birth = date.fromisoformat(person["birth_date"]) if person.get("birth_date") else date(1950, 1, 1)
    patient = Patient.objects.create(
        given_name=given,
        family_name=fake.last_name(),
        birth_date=birth,
        sex=sex,
        preferred_language=language,
        interpreter_needed=language != "en" and rng.random() < 0.6,
        phone=f"({rng.randint(201, 989)}) 555-01{rng.randint(0, 99):02d}",
        phone_can_text=rng.random() < 0.6,
        email=f"{given.lower()}.{rng.randint(100, 999)}@example.org" if rng.random() < 0.4 else "",
        address_line=fake.street_address(),
        city=fake.city(),
        state="NJ",
        postal_code=f"08{rng.randint(100, 199)}",
        preferred_contact_method=rng.choice(["phone", "text", "in_person", "mail"]),
        preferred_meeting_place=rng.choice(["home", "clinic", "community", "phone"]),
        best_time_to_reach=rng.choice(["Mornings", "After 3pm", "Weekdays before noon", "Evenings", ""]),
        primary_care_practice=practice,
        care_team=team,
    )
    PatientIdentifier.objects.create(
        patient=patient,
        system=IdentifierSystem.CLAIMS_PERSON_ID,
        value=person["person_id"],
        assigner="claims",
    )
    PatientIdentifier.objects.create(
        patient=patient,
        system=IdentifierSystem.MEMBER_ID,
        value=person["member_id"],
        assigner=person.get("payer", ""),
    )
    PatientIdentifier.objects.create(
        patient=patient,
        system=IdentifierSystem.MRN,
        value=f"MRN{rng.randint(10**7, 10**8 - 1)}",
        assigner=practice.name,
    )
    if rng.random() < 0.45:
        relation = rng.choice(["daughter", "son", "spouse", "sister", "neighbor", "friend"])
        RelatedPerson.objects.create(
            patient=patient,
            name=fake.name(),
            relationship=relation,
            is_caregiver=rng.random() < 0.7,
            phone=f"({rng.randint(201, 989)}) 555-01{rng.randint(0, 99):02d}",
            involvement=rng.choice([Involvement.INFORMED, Involvement.COORDINATE, Involvement.DECIDE]),
            permission_recorded_on=date(2026, 1, 1) + timedelta(days=rng.randint(0, 300)),
        )
    return patient
