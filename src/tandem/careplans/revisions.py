"""Plan snapshots and the differences between them, for the history page and the conflict page."""

from __future__ import annotations

from typing import Any

from tandem.careplans.models import CarePlan, Coaching, GoalStatus, OwnerKind, PlanStatus, Step, StepStatus

GOAL_LABELS = {
    "text": "goal",
    "why_it_matters": "why it matters",
    "linked_need": "linked need",
    "target_date": "target date",
    "status": "status",
    "achieved_on": "achieved on",
    "self_managed": "self-managed",
}
STEP_LABELS = {
    "description": "step",
    "owner_kind": "owner",
    "owner": "owner name",
    "coaching": "who does it",
    "due_on": "due",
    "status": "status",
    "completed_on": "completed on",
}
_CHOICES = {
    ("goal", "status"): dict(GoalStatus.choices),
    ("step", "status"): dict(StepStatus.choices),
    ("step", "owner_kind"): dict(OwnerKind.choices),
    ("step", "coaching"): dict(Coaching.choices),
}


def step_owner(step: Step) -> str:
    """Who owns a step, as staff read it: the staff member's or the caregiver's name, or 'patient'."""
    if step.owner_user_id is not None and step.owner_user is not None:
        return step.owner_user.display_name
    return step.owner_name or str(OwnerKind(step.owner_kind).label)


def snapshot(plan: CarePlan) -> dict[str, Any]:
    """The whole plan as plain JSON: enough to read back what it said at any version."""
    goals = plan.goals.order_by("priority", "id").prefetch_related("steps__owner_user")
    return {
        "version": plan.version,
        "status": plan.status,
        "goals": [
            {
                "id": g.pk,
                "priority": g.priority,
                "text": g.text,
                "why_it_matters": g.why_it_matters,
                "linked_need": g.linked_need,
                "target_date": g.target_date.isoformat() if g.target_date else None,
                "status": g.status,
                "achieved_on": g.achieved_on.isoformat() if g.achieved_on else None,
                "self_managed": g.self_managed,
                "steps": [
                    {
                        "id": s.pk,
                        "description": s.description,
                        "owner_kind": s.owner_kind,
                        "owner": step_owner(s),
                        "coaching": s.coaching,
                        "due_on": s.due_on.isoformat(),
                        "status": s.status,
                        "completed_on": s.completed_on.isoformat() if s.completed_on else None,
                    }
                    for s in g.steps.all()
                ],
            }
            for g in goals
        ],
    }


def _shown(kind: str, field: str, value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(_CHOICES.get((kind, field), {}).get(value, value))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def differences(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """Plain sentences for what changed from one snapshot to the next."""
    if old is None:
        return ["Plan started."]
    lines: list[str] = []
    if old.get("status") != new.get("status"):
        lines.append(f"Plan status: {PlanStatus(old['status']).label} → {PlanStatus(new['status']).label}.")
    old_goals = {g["id"]: g for g in old.get("goals", [])}
    new_goals = {g["id"]: g for g in new.get("goals", [])}
    old_rank = _open_ranks(old)
    new_rank = _open_ranks(new)
    for gid, goal in new_goals.items():
        name = f"“{_short(goal['text'])}”"
        before = old_goals.get(gid)
        if before is None:
            lines.append(f"Goal added: {name}.")
        else:
            for field, label in GOAL_LABELS.items():
                if before.get(field) != goal.get(field):
                    lines.append(
                        f"Goal {name}: {label} {_shown('goal', field, before.get(field))} → "
                        f"{_shown('goal', field, goal.get(field))}."
                    )
            if gid in old_rank and gid in new_rank and old_rank[gid] != new_rank[gid]:
                lines.append(
                    f"Goal {name} moved from {old_rank[gid]} to {new_rank[gid]} in the patient's order."
                )
        lines += _step_differences(name, before["steps"] if before else [], goal["steps"])
    for gid, goal in old_goals.items():
        if gid not in new_goals:
            lines.append(f"Goal removed: “{_short(goal['text'])}”.")
    return lines


def _open_ranks(snap: dict[str, Any]) -> dict[int, int]:
    open_ids = [
        g["id"]
        for g in sorted(snap.get("goals", []), key=lambda g: (g["priority"], g["id"]))
        if g["status"] not in (GoalStatus.ACHIEVED, GoalStatus.DROPPED)
    ]
    return {gid: n for n, gid in enumerate(open_ids, start=1)}


def _step_differences(goal_name: str, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    lines = []
    before = {s["id"]: s for s in old}
    for step in new:
        name = f"“{_short(step['description'])}”"
        prev = before.get(step["id"])
        if prev is None:
            coaching = _shown("step", "coaching", step["coaching"])
            lines.append(f"Step added to {goal_name}: {name} ({coaching}, due {step['due_on']}).")
            continue
        for field, label in STEP_LABELS.items():
            if prev.get(field) != step.get(field):
                lines.append(
                    f"Step {name}: {label} {_shown('step', field, prev.get(field))} → "
                    f"{_shown('step', field, step.get(field))}."
                )
    return lines
