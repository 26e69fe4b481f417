"""Care plan rules: order, achievement, coached steps and tasks, check-ins, backward planning, versions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tandem.accounts.models import Role
from tandem.careplans import services
from tandem.careplans.models import (
    CarePlan,
    Coaching,
    Goal,
    GoalCheckIn,
    GoalStatus,
    OwnerKind,
    PlanRevision,
    PlanStatus,
    Step,
    StepStatus,
)
from tandem.careplans.revisions import differences
from tandem.caseload.models import Task, TaskKind, TaskStatus
from tandem.core.errors import ConflictError, DomainError, StaleEdit
from tests.builders import make_episode, make_patient, make_user
from tests.careplans.builders import Setup, add_goal, make_plan, version

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _step(s: Setup, goal: Goal, **kw: object) -> Step:
    fields: dict[str, object] = {
        "description": "Call the housing office",
        "owner_kind": OwnerKind.PATIENT,
        "coaching": Coaching.WE_DO,
        "due_on": TODAY + timedelta(days=7),
    }
    fields.update(kw)
    return services.add_step(goal, by=s.care_manager, expected_version=version(s), **fields)  # type: ignore[arg-type]


def _ordered_texts(s: Setup) -> list[str]:
    return [g.text for g in services.open_goals(s.plan)]


# ---- Plans --------------------------------------------------------------------------------------


def test_a_plan_starts_only_for_an_enrolled_episode_and_once() -> None:
    s = make_plan()
    assert (s.plan.status, s.plan.version) == (PlanStatus.DRAFT, 1)
    assert PlanRevision.objects.get(care_plan=s.plan).summary == "Plan started."
    with pytest.raises(ConflictError):
        services.start_plan(s.episode, by=s.care_manager)
    candidate = make_episode(make_patient(), status="candidate")
    with pytest.raises(DomainError, match="enrolled"):
        services.start_plan(candidate, by=s.care_manager)


def test_the_database_refuses_a_second_current_plan_for_an_episode() -> None:
    s = make_plan()
    with pytest.raises(IntegrityError), transaction.atomic():
        CarePlan.objects.create(patient=s.patient, episode=s.episode, status=PlanStatus.ACTIVE)
    services.set_plan_status(s.plan, PlanStatus.CLOSED, by=s.care_manager, expected_version=version(s))
    assert services.start_plan(s.episode, by=s.care_manager).status == PlanStatus.DRAFT


def test_a_closed_plan_refuses_changes_and_cancels_its_open_tasks() -> None:
    s = make_plan()
    goal = add_goal(s, "Get my own apartment")
    step = _step(
        s, goal, owner_kind=OwnerKind.CARE_MANAGER, owner_user=s.care_manager, coaching=Coaching.I_DO
    )
    services.set_plan_status(s.plan, PlanStatus.CLOSED, by=s.care_manager, expected_version=version(s))
    assert Task.objects.get(pk=step.task_id).status == TaskStatus.CANCELLED
    with pytest.raises(ConflictError, match="closed"):
        add_goal(s, "Another goal")


# ---- Goals and their order ----------------------------------------------------------------------


def test_goals_keep_the_patients_words_and_go_last_in_their_order() -> None:
    s = make_plan()
    with pytest.raises(DomainError, match="own words"):
        add_goal(s, "   ")
    add_goal(s, "Reconnect with my daughter", why_it_matters="She is having a baby")
    add_goal(s, "Lower my A1c", linked_need="Diabetes", target_date=TODAY + timedelta(days=90))
    assert _ordered_texts(s) == ["Reconnect with my daughter", "Lower my A1c"]
    assert [g.priority for g in s.plan.goals.all()] == [1, 2]


def test_moving_and_reordering_goals_follows_the_patients_choice() -> None:
    s = make_plan()
    a, b, c = (add_goal(s, t) for t in ("Walk to church", "Stop drinking", "Keep my apartment"))
    services.move_goal(c, "up", by=s.care_manager, expected_version=version(s))
    assert _ordered_texts(s) == ["Walk to church", "Keep my apartment", "Stop drinking"]
    services.move_goal(a, "down", by=s.care_manager, expected_version=version(s))
    assert _ordered_texts(s) == ["Keep my apartment", "Walk to church", "Stop drinking"]
    with pytest.raises(ConflictError, match="already first"):
        services.move_goal(Goal.objects.get(pk=c.pk), "up", by=s.care_manager, expected_version=version(s))
    services.reorder_goals(s.plan, [b, a, c], by=s.care_manager, expected_version=version(s))
    assert _ordered_texts(s) == ["Stop drinking", "Walk to church", "Keep my apartment"]
    with pytest.raises(DomainError, match="exactly once"):
        services.reorder_goals(s.plan, [b, a], by=s.care_manager, expected_version=version(s))
    assert "first is now “Stop drinking”" in s.plan.revisions.first().summary  # type: ignore[union-attr]


def test_achieved_goals_leave_the_order_and_the_plan_asks_for_the_next_one() -> None:
    s = make_plan()
    first = add_goal(s, "Get my ID card back")
    add_goal(s, "See a dentist")
    assert services.next_goal_prompt(s.plan) is None
    with pytest.raises(DomainError, match="future"):
        services.set_goal_status(
            first,
            GoalStatus.ACHIEVED,
            by=s.care_manager,
            expected_version=version(s),
            on=TODAY + timedelta(1),
        )
    services.set_goal_status(first, GoalStatus.ACHIEVED, by=s.care_manager, expected_version=version(s))
    first.refresh_from_db()
    assert first.achieved_on == TODAY
    assert services.next_goal_prompt(s.plan) == first
    assert _ordered_texts(s) == ["See a dentist"]
    with pytest.raises(ConflictError):
        services.move_goal(first, "down", by=s.care_manager, expected_version=version(s))
    add_goal(s, "Cook for my grandkids")
    assert services.next_goal_prompt(s.plan) is None
    # Reopening the goal clears its achievement date.
    services.update_goal(first, {"status": GoalStatus.ACTIVE}, by=s.care_manager, expected_version=version(s))
    first.refresh_from_db()
    assert (first.status, first.achieved_on) == (GoalStatus.ACTIVE, None)


def test_dropping_a_goal_cancels_its_planned_steps_and_their_tasks() -> None:
    s = make_plan()
    goal = add_goal(s, "Go back to work")
    step = _step(
        s, goal, owner_kind=OwnerKind.CARE_MANAGER, owner_user=s.care_manager, coaching=Coaching.I_DO
    )
    services.set_goal_status(goal, GoalStatus.DROPPED, by=s.care_manager, expected_version=version(s))
    step.refresh_from_db()
    assert step.status == StepStatus.CANCELLED
    assert Task.objects.get(pk=step.task_id).status == TaskStatus.CANCELLED


# ---- Steps and tasks ----------------------------------------------------------------------------


def test_staff_steps_become_tasks_for_their_owner_and_we_do_for_the_primary_care_manager() -> None:
    s = make_plan()
    goal = add_goal(s, "Keep my lights on")
    mine = _step(
        s,
        goal,
        description="Apply for LIHEAP with them",
        owner_kind=OwnerKind.TEAM_MEMBER,
        owner_user=s.colleague,
        coaching=Coaching.I_DO,
    )
    together = _step(s, goal, description="Sort the bills together", coaching=Coaching.WE_DO)
    daughter = _step(
        s,
        goal,
        description="Drive to the utility office",
        owner_kind=OwnerKind.CAREGIVER,
        owner_name="Maria (daughter)",
        coaching=Coaching.WE_DO,
    )
    alone = _step(s, goal, description="Call the utility company", coaching=Coaching.YOU_DO)
    assert mine.task is not None and mine.task.assigned_to == s.colleague
    assert mine.task.kind == TaskKind.NEXT_STEP and mine.task.due_on == mine.due_on
    assert together.task is not None and together.task.assigned_to == s.care_manager
    assert daughter.task is not None and daughter.task.assigned_to == s.care_manager
    assert alone.task is None
    assert Task.objects.filter(patient=s.patient, kind=TaskKind.NEXT_STEP).count() == 3


def test_completing_a_step_completes_its_task_and_the_reverse() -> None:
    s = make_plan()
    goal = add_goal(s, "Keep my lights on")
    one = _step(s, goal, owner_kind=OwnerKind.CARE_MANAGER, owner_user=s.care_manager, coaching=Coaching.I_DO)
    two = _step(s, goal, description="Fill in the form together")
    services.set_step_status(one, StepStatus.DONE, by=s.care_manager, expected_version=version(s))
    task = Task.objects.get(pk=one.task_id)
    assert (task.status, task.completed_at is not None) == (TaskStatus.DONE, True)
    before = version(s)
    # A task completed on a worklist completes the step, as a new plan version.
    task_two = Task.objects.get(pk=two.task_id)
    task_two.status, task_two.completed_at = TaskStatus.DONE, timezone.now()
    task_two.save()
    two.refresh_from_db()
    assert (two.status, two.completed_on) == (StepStatus.DONE, TODAY)
    assert version(s) == before + 1
    assert "done" in s.plan.revisions.first().summary  # type: ignore[union-attr]


def test_editing_a_step_moves_reassigns_or_cancels_its_task() -> None:
    s = make_plan()
    goal = add_goal(s, "Take my pills every day")
    step = _step(
        s, goal, owner_kind=OwnerKind.CARE_MANAGER, owner_user=s.care_manager, coaching=Coaching.I_DO
    )
    task_id = step.task_id
    later = TODAY + timedelta(days=21)
    services.update_step(
        step,
        {"owner_kind": OwnerKind.TEAM_MEMBER, "owner_user": s.colleague, "due_on": later},
        by=s.care_manager,
        expected_version=version(s),
    )
    task = Task.objects.get(pk=task_id)
    assert (task.assigned_to, task.due_on, task.status) == (s.colleague, later, TaskStatus.OPEN)
    services.update_step(
        step,
        {"owner_kind": OwnerKind.PATIENT, "owner_user": None, "coaching": Coaching.YOU_DO},
        by=s.care_manager,
        expected_version=version(s),
    )
    assert Task.objects.get(pk=task_id).status == TaskStatus.CANCELLED


def test_step_owners_and_coaching_must_make_sense() -> None:
    s = make_plan()
    goal = add_goal(s, "Walk every morning")
    outsider = make_user(Role.CARE_MANAGER)
    with pytest.raises(DomainError, match="care team"):
        _step(s, goal, owner_kind=OwnerKind.CARE_MANAGER, owner_user=outsider, coaching=Coaching.I_DO)
    with pytest.raises(DomainError, match="staff member"):
        _step(s, goal, owner_kind=OwnerKind.TEAM_MEMBER, coaching=Coaching.I_DO)
    with pytest.raises(DomainError, match="on their own"):
        _step(s, goal, owner_kind=OwnerKind.CAREGIVER, owner_name="Ana", coaching=Coaching.YOU_DO)
    with pytest.raises(DomainError, match="'I do'"):
        _step(s, goal, coaching=Coaching.I_DO)
    with pytest.raises(DomainError, match="Name the caregiver"):
        _step(s, goal, owner_kind=OwnerKind.COMMUNITY_PARTNER, coaching=Coaching.WE_DO)
    assert not Step.objects.exists()
    assert version(s) == 2  # the refusals took no version
    assert s.colleague in services.eligible_owners(s.patient) and outsider not in services.eligible_owners(
        s.patient
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Step.objects.create(
            goal=goal, description="x", owner_kind=OwnerKind.CAREGIVER, coaching=Coaching.YOU_DO, due_on=TODAY
        )


# ---- Check-ins ----------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", [-1, 11, 7.5, "7", True, None])
def test_check_in_ratings_are_whole_numbers_from_0_to_10(rating: object) -> None:
    s = make_plan()
    goal = add_goal(s, "Sleep through the night")
    with pytest.raises(DomainError, match="0 to 10"):
        services.check_in(goal, by=s.care_manager, rating=rating, note="")  # type: ignore[arg-type]
    assert not GoalCheckIn.objects.exists()


def test_check_ins_record_the_patients_rating_without_touching_the_plan_version() -> None:
    s = make_plan()
    goal = add_goal(s, "Sleep through the night")
    before = version(s)
    low = services.check_in(goal, by=s.care_manager, rating=0, note="Rough week", on=TODAY - timedelta(7))
    high = services.check_in(goal, by=s.care_manager, rating=10, note=" Slept 7 hours ")
    assert (low.rating, high.rating, high.note, high.checked_on, high.by) == (
        0,
        10,
        "Slept 7 hours",
        TODAY,
        s.care_manager,
    )
    assert version(s) == before
    with pytest.raises(DomainError, match="future"):
        services.check_in(goal, by=s.care_manager, rating=5, note="", on=TODAY + timedelta(1))
    services.set_goal_status(goal, GoalStatus.DROPPED, by=s.care_manager, expected_version=version(s))
    with pytest.raises(ConflictError, match="dropped"):
        services.check_in(goal, by=s.care_manager, rating=5, note="")
    with pytest.raises(IntegrityError), transaction.atomic():
        GoalCheckIn.objects.create(goal=goal, checked_on=TODAY, rating=11)


# ---- Backward planning --------------------------------------------------------------------------


def test_backward_dates_end_on_the_target_at_the_chosen_interval() -> None:
    target = date(2027, 3, 1)
    assert services.backward_dates(target, 3, 7) == [date(2027, 2, 15), date(2027, 2, 22), date(2027, 3, 1)]
    assert services.backward_dates(target, 1, 14) == [target]
    with pytest.raises(DomainError):
        services.backward_dates(target, 0, 7)
    with pytest.raises(DomainError):
        services.backward_dates(target, 2, 0)


def test_gradual_handover_goes_from_i_do_to_you_do() -> None:
    i, we, you = Coaching.I_DO, Coaching.WE_DO, Coaching.YOU_DO
    assert services.gradual_coaching(1) == [you]
    assert services.gradual_coaching(2) == [we, you]
    assert services.gradual_coaching(3) == [i, we, you]
    assert services.gradual_coaching(5) == [i, we, we, you, you]


def test_planning_a_goal_backwards_makes_dated_coached_steps_and_tasks() -> None:
    s = make_plan()
    target = TODAY + timedelta(days=28)
    goal = add_goal(s, "Cook a real dinner for my family", target_date=target)
    steps = services.plan_backwards(
        goal,
        ["Visit the food pantry", "Shop for groceries", "Plan a meal", "Cook the dinner"],
        by=s.colleague,
        expected_version=version(s),
        interval_days=7,
    )
    assert [st.due_on for st in steps] == [target - timedelta(days=7 * n) for n in (3, 2, 1, 0)]
    assert [st.coaching for st in steps] == [Coaching.I_DO, Coaching.WE_DO, Coaching.YOU_DO, Coaching.YOU_DO]
    assert steps[0].owner_user == s.care_manager  # the primary care manager, not whoever planned
    assert steps[-1].owner_kind == OwnerKind.PATIENT and steps[-1].task is None
    assert Task.objects.filter(kind=TaskKind.NEXT_STEP, assigned_to=s.care_manager).count() == 2
    assert "planned backwards" in s.plan.revisions.first().summary  # type: ignore[union-attr]


def test_backward_planning_refuses_a_first_step_in_the_past_or_no_target() -> None:
    s = make_plan()
    goal = add_goal(s, "Move into my apartment")
    with pytest.raises(DomainError, match="target date"):
        services.plan_backwards(
            goal, ["Sign the lease"], by=s.care_manager, expected_version=version(s), interval_days=7
        )
    with pytest.raises(DomainError, match="has passed"):
        services.plan_backwards(
            goal,
            ["Find listings", "Visit", "Sign the lease"],
            by=s.care_manager,
            expected_version=version(s),
            interval_days=30,
            target=TODAY + timedelta(days=10),
        )
    assert not Step.objects.exists()
    steps = services.plan_backwards(
        goal,
        ["Sign the lease", "  "],
        by=s.care_manager,
        expected_version=version(s),
        interval_days=30,
        target=TODAY + timedelta(days=10),
        coaching=Coaching.WE_DO,
    )
    goal.refresh_from_db()
    assert len(steps) == 1 and goal.target_date == TODAY + timedelta(days=10)


# ---- The "you do" share -------------------------------------------------------------------------


def _backdate(step: Step, created: date, done: date | None = None) -> None:
    when = timezone.make_aware(timezone.datetime(created.year, created.month, created.day, 12))
    Step.objects.filter(pk=step.pk).update(
        created_at=when, completed_on=done, status="done" if done else "planned"
    )


def test_you_do_share_counts_current_and_recently_done_steps() -> None:
    s = make_plan()
    goal = add_goal(s, "Manage my sugar")
    assert services.you_do_share(s.plan) == 0.0
    i_do = _step(
        s, goal, owner_kind=OwnerKind.CARE_MANAGER, owner_user=s.care_manager, coaching=Coaching.I_DO
    )
    we_do = _step(s, goal)
    you_do = _step(s, goal, coaching=Coaching.YOU_DO)
    cancelled = _step(s, goal, coaching=Coaching.YOU_DO)
    services.set_step_status(cancelled, StepStatus.CANCELLED, by=s.care_manager, expected_version=version(s))
    _backdate(i_do, date(2026, 1, 5), done=date(2026, 2, 1))
    _backdate(we_do, date(2026, 1, 10))
    _backdate(you_do, date(2026, 3, 10))
    assert services.you_do_share(s.plan, on=date(2026, 1, 31)) == 0.0  # i do + we do
    assert services.you_do_share(s.plan, on=date(2026, 2, 28)) == 0.0  # i do done 27 days ago still counts
    assert services.you_do_share(s.plan, on=date(2026, 3, 3)) == 0.0  # i do dropped out; we do alone
    assert services.you_do_share(s.plan, on=date(2026, 3, 31)) == 0.5  # we do + you do
    series = services.you_do_series(s.plan, on=date(2026, 4, 15))
    assert series == [
        (date(2026, 1, 31), 0.0),
        (date(2026, 2, 28), 0.0),
        (date(2026, 3, 31), 0.5),
        (date(2026, 4, 15), 0.5),
    ]


# ---- Versions, conflicts and revisions ----------------------------------------------------------


def test_a_stale_version_raises_and_overwrites_nothing() -> None:
    s = make_plan()
    add_goal(s, "Lower my A1c")
    goal = add_goal(s, "Reconnect with my daughter")
    opened_at = version(s)
    services.update_goal(
        goal, {"why_it_matters": "She calls on Sundays"}, by=s.colleague, expected_version=opened_at
    )
    revisions = PlanRevision.objects.count()
    for attempt in (
        lambda: services.update_goal(
            goal, {"text": "Call my daughter"}, by=s.care_manager, expected_version=opened_at
        ),
        lambda: add_goal_at(s, opened_at),
        lambda: services.move_goal(goal, "up", by=s.care_manager, expected_version=opened_at),
        lambda: services.set_goal_status(
            goal, GoalStatus.ACHIEVED, by=s.care_manager, expected_version=opened_at
        ),
    ):
        with pytest.raises(StaleEdit):
            attempt()
    goal.refresh_from_db()
    assert (goal.text, goal.why_it_matters, goal.status) == (
        "Reconnect with my daughter",
        "She calls on Sundays",
        "proposed",
    )
    assert version(s) == opened_at + 1
    assert PlanRevision.objects.count() == revisions
    assert s.plan.goals.count() == 2


def add_goal_at(s: Setup, opened_at: int) -> Goal:
    return services.add_goal(s.plan, by=s.care_manager, expected_version=opened_at, text="Another")


def test_every_change_is_a_revision_with_who_when_and_a_snapshot() -> None:
    s = make_plan()
    goal = add_goal(s, "Stay out of the hospital")
    step = _step(s, goal)
    services.update_goal(goal, {"target_date": date(2027, 1, 1)}, by=s.colleague, expected_version=version(s))
    services.set_step_status(step, StepStatus.DONE, by=s.care_manager, expected_version=version(s))
    services.set_plan_status(s.plan, PlanStatus.ACTIVE, by=s.care_manager, expected_version=version(s))
    revisions = list(s.plan.revisions.order_by("version"))
    assert [r.version for r in revisions] == [1, 2, 3, 4, 5, 6]
    assert revisions[3].changed_by == s.colleague and "target date" in revisions[3].summary
    assert revisions[-1].snapshot["status"] == "active"
    assert revisions[2].snapshot["goals"][0]["steps"][0]["description"] == "Call the housing office"
    lines = differences(revisions[2].snapshot, revisions[3].snapshot)
    assert lines == ["Goal “Stay out of the hospital”: target date (empty) → 2027-01-01."]
    assert differences(revisions[3].snapshot, revisions[4].snapshot) == [
        "Step “Call the housing office”: status Planned → Done.",
        f"Step “Call the housing office”: completed on (empty) → {TODAY.isoformat()}.",
    ]
    assert differences(None, revisions[0].snapshot) == ["Plan started."]


def test_saving_unchanged_values_takes_no_version() -> None:
    s = make_plan()
    goal = add_goal(s, "Stay housed", why_it_matters="My kids")
    before = version(s)
    services.update_goal(
        goal,
        {"text": "Stay housed ", "why_it_matters": "My kids"},
        by=s.care_manager,
        expected_version=before,
    )
    assert version(s) == before and s.plan.revisions.count() == before
