"""Care plan forms. Every form that changes the plan carries the plan version it was opened at."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from tandem.careplans.models import Coaching, Goal, GoalStatus, OwnerKind, Step
from tandem.careplans.services import GRADUAL

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Suggestions only: the field is free text, so a need in the patient's words is never refused.
NEED_SUGGESTIONS = [
    "Diabetes",
    "Heart failure",
    "COPD or asthma",
    "High blood pressure",
    "Kidney disease",
    "Chronic pain",
    "Depression",
    "Anxiety",
    "Serious mental illness",
    "Alcohol use",
    "Drug use",
    "Housing",
    "Food",
    "Transportation",
    "Utilities",
    "Money and benefits",
    "Safety",
    "Loneliness and isolation",
    "Legal",
    "Medicines",
]


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class GoalForm(forms.ModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Goal
        fields = [
            "text",
            "why_it_matters",
            "linked_need",
            "target_date",
            "status",
            "achieved_on",
            "self_managed",
        ]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "why_it_matters": forms.Textarea(attrs={"rows": 2}),
            "linked_need": forms.TextInput(attrs={"list": "need-suggestions", "autocomplete": "off"}),
            "target_date": DATE,
            "achieved_on": DATE,
        }
        help_texts = {
            "text": "Write it the way they said it, e.g. “Walk my granddaughter to school”.",
            "linked_need": "Optional: the condition or social need this goal touches.",
            "achieved_on": "Only for an achieved goal; today if left empty.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("achieved_on") and data.get("status") != GoalStatus.ACHIEVED:
            self.add_error("achieved_on", "Leave this empty unless the goal is achieved.")
        if data.get("status") == GoalStatus.ACHIEVED and not data.get("achieved_on"):
            data["achieved_on"] = self.instance.achieved_on or timezone.localdate()
        return data

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class StepForm(forms.ModelForm):  # type: ignore[type-arg]
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Step
        fields = ["description", "coaching", "owner_kind", "owner_user", "owner_name", "due_on"]
        widgets = {"due_on": DATE, "coaching": forms.RadioSelect, "owner_kind": forms.RadioSelect}
        help_texts = {
            "owner_user": "For a step the care manager or another team member owns.",
            "owner_name": "For a step a caregiver or community partner owns.",
        }

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = owners  # type: ignore[attr-defined]
        self.fields["owner_user"].label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]
        self.fields["owner_user"].required = False
        self.fields["coaching"].choices = Coaching.choices  # type: ignore[attr-defined]
        self.fields["owner_kind"].choices = OwnerKind.choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, coaching = data.get("owner_kind"), data.get("coaching")
        if kind in (OwnerKind.CARE_MANAGER, OwnerKind.TEAM_MEMBER) and not data.get("owner_user"):
            self.add_error("owner_user", "Choose the staff member who owns this step.")
        if (
            kind in (OwnerKind.CAREGIVER, OwnerKind.COMMUNITY_PARTNER)
            and not data.get("owner_name", "").strip()
        ):
            self.add_error("owner_name", "Name the caregiver or community partner.")
        if coaching == Coaching.YOU_DO and kind and kind != OwnerKind.PATIENT:
            self.add_error("owner_kind", "A 'you do' step is the patient's own: choose the patient.")
        if coaching == Coaching.I_DO and kind == OwnerKind.PATIENT:
            self.add_error(
                "coaching", "'I do' means someone else does it for now; choose 'we do' or 'you do'."
            )
        return data

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class CheckInForm(forms.Form):
    checked_on = forms.DateField(label="Date", widget=DATE)
    rating = forms.TypedChoiceField(
        label="How is it going, 0 to 10, in their own eyes?",
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text="0 = no progress at all, 10 = they are there.",
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class BackwardPlanForm(VersionedForm):
    target_date = forms.DateField(label="Target date", widget=DATE)
    steps = forms.CharField(
        label="Steps, in the order they happen, one per line",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The last step is due on the target date; each earlier one an interval before the next.",
    )
    interval_days = forms.IntegerField(label="Days between steps", min_value=1, max_value=90, initial=7)
    coaching = forms.ChoiceField(
        label="Who does the steps",
        choices=[(GRADUAL, "Hand over gradually: I do, then we do, then you do"), *Coaching.choices],
        initial=GRADUAL,
        widget=forms.RadioSelect,
    )

    def clean_steps(self) -> list[str]:
        lines = [line.strip() for line in str(self.cleaned_data["steps"]).splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError("List at least one step.")
        if len(lines) > 20:
            raise forms.ValidationError("Plan at most 20 steps at a time.")
        if any(len(line) > 300 for line in lines):
            raise forms.ValidationError("Keep each step under 300 characters.")
        return lines
