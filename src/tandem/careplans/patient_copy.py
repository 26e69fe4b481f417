"""The patient's written copy of their plan: plain words, their language, their goals as they said them.

Labels, headings and statuses go through Django's translation machinery (catalog in
`careplans/locale/`); goal text and step descriptions are kept exactly as written. The same content
feeds the print view and the PDF, so the two never say different things.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from tandem.careplans.models import (
    CarePlan,
    Coaching,
    Goal,
    GoalStatus,
    OwnerKind,
    PlanStatus,
    Step,
    StepStatus,
)
from tandem.patients.models import Patient

TRANSLATED_LANGUAGES = ("en", "es")

# Plain-language statuses for the patient, not the staff's workflow words.
GOAL_STATUS_WORDS = {
    GoalStatus.PROPOSED: gettext_lazy("Getting started"),
    GoalStatus.ACTIVE: gettext_lazy("Working on it"),
    GoalStatus.ON_HOLD: gettext_lazy("On hold for now"),
    GoalStatus.ACHIEVED: gettext_lazy("Done!"),
    GoalStatus.DROPPED: gettext_lazy("Set aside"),
}
COACHING_WORDS = {
    Coaching.I_DO: gettext_lazy("Your team does this for now"),
    Coaching.WE_DO: gettext_lazy("We do this together"),
    Coaching.YOU_DO: gettext_lazy("You do this on your own"),
}
STEP_STATUS_WORDS = {
    StepStatus.PLANNED: gettext_lazy("To do"),
    StepStatus.DONE: gettext_lazy("Done"),
    StepStatus.CANCELLED: gettext_lazy("Not needed"),
}


def copy_language(patient: Patient) -> str:
    """The patient's language where the copy is translated, else English."""
    return patient.preferred_language if patient.preferred_language in TRANSLATED_LANGUAGES else "en"


@dataclass
class CopyStep:
    description: str
    who: str
    how: str
    due: str
    status: str
    done: bool


@dataclass
class CopyGoal:
    number: int
    text: str
    why: str
    target: str
    status: str
    steps: list[CopyStep] = field(default_factory=list)


@dataclass
class PatientCopy:
    language: str
    title: str
    name: str
    intro: str
    draft_note: str
    prepared: str
    goals_heading: str
    goals: list[CopyGoal]
    achieved_heading: str
    achieved: list[CopyGoal]
    labels: dict[str, str]
    contact_heading: str
    contact_lines: list[str]
    closing: str


def _date(value: date | None) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def _who(step: Step) -> str:
    if step.owner_kind == OwnerKind.PATIENT:
        return _("You")
    if step.owner_kind == OwnerKind.CARE_MANAGER and step.owner_user is not None:
        return _("%(name)s, your care manager") % {"name": step.owner_user.display_name}
    if step.owner_kind == OwnerKind.TEAM_MEMBER and step.owner_user is not None:
        return _("%(name)s, from your care team") % {"name": step.owner_user.display_name}
    return step.owner_name


def _goal(number: int, goal: Goal, steps: list[Step]) -> CopyGoal:
    return CopyGoal(
        number=number,
        text=goal.text,
        why=goal.why_it_matters,
        target=_date(goal.target_date),
        status=str(GOAL_STATUS_WORDS[GoalStatus(goal.status)]),
        steps=[
            CopyStep(
                description=s.description,
                who=_who(s),
                how=str(COACHING_WORDS[Coaching(s.coaching)]),
                due=_date(s.due_on),
                status=str(STEP_STATUS_WORDS[StepStatus(s.status)]),
                done=s.status == StepStatus.DONE,
            )
            for s in steps
            if s.status != StepStatus.CANCELLED
        ],
    )


def build(plan: CarePlan, *, on: date | None = None) -> PatientCopy:
    """The copy's words in the patient's language (call within no particular language)."""
    patient = plan.patient
    language = copy_language(patient)
    manager = plan.episode.primary_care_manager
    goals = list(plan.goals.order_by("priority", "id").prefetch_related("steps__owner_user"))
    with override(language):
        open_goals = [g for g in goals if g.is_open]
        done = [g for g in goals if g.status == GoalStatus.ACHIEVED]
        contact = []
        if manager is not None:
            contact.append(_("Your care manager: %(name)s") % {"name": manager.display_name})
            if manager.phone:
                contact.append(_("Phone: %(phone)s") % {"phone": manager.phone})
        if patient.care_team is not None:
            contact.append(_("Your care team: %(team)s") % {"team": patient.care_team.name})
        return PatientCopy(
            language=language,
            title=_("My care plan"),
            name=patient.preferred_name or patient.given_name,
            intro=_("These are the goals you chose, in your own words and in the order that matters to you."),
            draft_note=_("This plan is a draft. We will finish it together.")
            if plan.status == PlanStatus.DRAFT
            else "",
            prepared=_("Printed on %(date)s · version %(version)s")
            % {"date": _date(on or timezone.localdate()), "version": plan.version},
            goals_heading=_("My goals"),
            goals=[_goal(n, g, list(g.steps.all())) for n, g in enumerate(open_goals, start=1)],
            achieved_heading=_("Goals I have reached"),
            achieved=[_goal(n, g, []) for n, g in enumerate(done, start=1)],
            labels={
                "goal": _("Goal"),
                "why": _("Why it matters to me"),
                "target": _("I want to get there by"),
                "status": _("Where I am"),
                "steps": _("Next steps"),
                "who": _("Who"),
                "how": _("How"),
                "due": _("By"),
                "no_goals": _("We have not written down any goals yet."),
                "print": _("Print"),
            },
            contact_heading=_("Questions? Call us"),
            contact_lines=contact,
            closing=_("You can change your goals at any time. Tell your care manager."),
        )
