"""Navigation links that depend on the signed-in user's role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from tandem.accounts.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    role = Role.ADMIN if user.is_superuser else user.role
    links = [("home", reverse("home"), "Home")]
    if role in (Role.CARE_MANAGER, Role.SUPERVISOR):
        links.append(("patient-search", reverse("patients:search"), "Find a patient"))
        links.append(("recruitment", reverse("engagement:queue"), "Recruitment queue"))
        links.append(("worklist", reverse("caseload:worklist"), "Today's worklist"))
        links.append(("resources", reverse("referrals:directory"), "Community resources"))
    if role == Role.SUPERVISOR:
        links.append(("caseload-dashboard", reverse("caseload:dashboard"), "Caseload dashboard"))
    if role in (Role.ANALYST, Role.SUPERVISOR):
        links.append(("population", reverse("population:overview"), "Population"))
    if role == Role.ADMIN:
        links += [
            ("users", reverse("accounts:user-list"), "Users"),
            ("teams", reverse("accounts:team-list"), "Care teams"),
            ("resources", reverse("referrals:manage-list"), "Resources"),
            ("audit", reverse("core:audit-list"), "Audit log"),
            ("reference", reverse("admin:index"), "Reference data"),
        ]
    return {"nav_links": links, "user_role": role}
