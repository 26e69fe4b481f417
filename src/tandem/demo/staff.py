"""Demo staff accounts and care teams, so every role can be tried from `make run`."""

from __future__ import annotations

from dataclasses import dataclass

from tandem.accounts.models import CareTeam, CareTeamMembership, Discipline, Role, User

# Printed by `make run`; refused outside debug mode by the loader.
DEMO_PASSWORD = "tandem-demo-2026"


@dataclass(frozen=True)
class DemoStaff:
    username: str
    first: str
    last: str
    role: str
    discipline: str
    team: str | None


HARBOR, RIVERSIDE = "Harbor Team", "Riverside Team"
TEAMS = (HARBOR, RIVERSIDE)
STAFF = [
    DemoStaff("admin", "Avery", "Admin", Role.ADMIN, Discipline.OTHER, None),
    DemoStaff("analyst", "Lee", "Morgan", Role.ANALYST, Discipline.OTHER, None),
    DemoStaff("sup.okafor", "Grace", "Okafor", Role.SUPERVISOR, Discipline.NURSE, HARBOR),
    DemoStaff("sup.nguyen", "Minh", "Nguyen", Role.SUPERVISOR, Discipline.SOCIAL_WORKER, RIVERSIDE),
    DemoStaff("cm.rivera", "Rosa", "Rivera", Role.CARE_MANAGER, Discipline.NURSE, HARBOR),
    DemoStaff("cm.johnson", "Darnell", "Johnson", Role.CARE_MANAGER, Discipline.SOCIAL_WORKER, HARBOR),
    DemoStaff("cm.chen", "Mei", "Chen", Role.CARE_MANAGER, Discipline.COMMUNITY_HEALTH_WORKER, HARBOR),
    DemoStaff("rx.shah", "Priya", "Shah", Role.CARE_MANAGER, Discipline.PHARMACIST, HARBOR),
    DemoStaff("cm.patel", "Anil", "Patel", Role.CARE_MANAGER, Discipline.NURSE, RIVERSIDE),
    DemoStaff("cm.garcia", "Luis", "Garcia", Role.CARE_MANAGER, Discipline.PEER_SPECIALIST, RIVERSIDE),
    DemoStaff("cm.brooks", "Tanya", "Brooks", Role.CARE_MANAGER, Discipline.BEHAVIORAL_HEALTH, RIVERSIDE),
]


def ensure_staff() -> dict[str, list[User]]:
    """Create the demo accounts and teams if missing; return care managers by team name."""
    users: dict[str, User] = {}
    for s in STAFF:
        user, created = User.objects.get_or_create(
            username=s.username,
            defaults={
                "first_name": s.first,
                "last_name": s.last,
                "role": s.role,
                "discipline": s.discipline,
                "email": f"{s.username}@example.org",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        users[s.username] = user
    by_team: dict[str, list[User]] = {}
    for name in TEAMS:
        supervisor = next(users[s.username] for s in STAFF if s.team == name and s.role == Role.SUPERVISOR)
        team, _ = CareTeam.objects.get_or_create(name=name, defaults={"supervisor": supervisor})
        members = [users[s.username] for s in STAFF if s.team == name and s.role == Role.CARE_MANAGER]
        for m in members:
            CareTeamMembership.objects.get_or_create(team=team, user=m)
        by_team[name] = members
    return by_team
