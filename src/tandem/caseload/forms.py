"""Forms for contacts, care events, tiers, reassignment, flags, conferences and graduation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone

from tandem.caseload.models import CareEventKind, CareEventSource, ContactMode, HandoffMethod
from tandem.engagement.forms import DATE, StaffChoiceField, clinical_staff
from tandem.programs.models import Tier


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _not_future(form: forms.Form, data: dict[str, Any], name: str) -> None:
    if data.get(name) and data[name] > timezone.localdate():
        form.add_error(name, "This date cannot be in the future.")


class ContactForm(forms.Form):
    occurred_on = forms.DateField(label="Date of the contact", widget=DATE)
    mode = forms.ChoiceField(label="How", choices=ContactMode.choices)
    duration_minutes = forms.IntegerField(label="Length in minutes", min_value=1, max_value=1440)
    staff = StaffMultipleChoiceField(
        label="Staff who took part",
        queryset=clinical_staff(),
        required=False,
        help_text="You are included automatically.",
    )
    patient_present = forms.BooleanField(label="The patient took part", required=False, initial=True)
    caregiver_present = forms.BooleanField(label="A caregiver took part", required=False)
    caregiver_name = forms.CharField(label="Caregiver's name (optional)", max_length=120, required=False)
    self_management_confidence = forms.IntegerField(
        label="How confident is the patient they can manage their health? (0-10, optional)",
        min_value=0,
        max_value=10,
        required=False,
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, goals: Sequence[Any] = (), **kwargs: Any) -> None:
        """One optional 0-10 rating and note per active goal: the check-in happens at the contact."""
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}_rating"] = forms.IntegerField(
                label=f"Progress on “{goal.text}” (0-10, in the patient's eyes)",
                min_value=0,
                max_value=10,
                required=False,
            )
            self.fields[f"goal_{goal.pk}_note"] = forms.CharField(
                label=f"Note on “{goal.text}”", required=False, max_length=500
            )

    def goal_ratings(self) -> list[tuple[Any, int, str]]:
        data = self.cleaned_data
        return [
            (g, data[f"goal_{g.pk}_rating"], data.get(f"goal_{g.pk}_note") or "")
            for g in self.goals
            if data.get(f"goal_{g.pk}_rating") is not None
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _not_future(self, data, "occurred_on")
        if not data.get("patient_present") and not data.get("caregiver_present"):
            self.add_error("patient_present", "Say who took part: the patient, a caregiver or both.")
        return data


class CareEventForm(forms.Form):
    kind = forms.ChoiceField(label="What happened", choices=CareEventKind.choices)
    occurred_on = forms.DateField(label="Date", widget=DATE)
    source = forms.ChoiceField(label="Source", choices=CareEventSource.choices)
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _not_future(self, data, "occurred_on")
        return data


class TierForm(forms.Form):
    tier = forms.ChoiceField(label="New tier", choices=Tier.choices)
    reason = forms.CharField(label="Reason for the change", widget=forms.Textarea(attrs={"rows": 3}))


class ReassignForm(forms.Form):
    care_manager = StaffChoiceField(label="New primary care manager", queryset=clinical_staff())
    reason = forms.CharField(label="Reason for the reassignment", widget=forms.Textarea(attrs={"rows": 3}))


class FlagForm(forms.Form):
    reason = forms.CharField(label="What should the team discuss?", widget=forms.Textarea(attrs={"rows": 3}))


class ConferenceForm(forms.Form):
    held_on = forms.DateField(label="Meeting date", widget=DATE)


class AgendaItemForm(forms.Form):
    discussed = forms.BooleanField(label="Discussed", required=False)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    decision = forms.CharField(label="Decision", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    task_assignee = StaffChoiceField(
        label="Make the decision a task for", queryset=clinical_staff(), required=False
    )
    task_due_on = forms.DateField(label="Task due on", required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("task_assignee")) != bool(data.get("task_due_on")):
            self.add_error("task_due_on", "A task needs both an assignee and a due date.")
        if data.get("task_assignee") and not (data.get("decision") or "").strip():
            self.add_error("decision", "Write the decision before turning it into a task.")
        return data


class GraduationForm(forms.Form):
    practice_name = forms.CharField(label="Primary care practice", max_length=200)
    contact_person = forms.CharField(label="Contact person at the practice", max_length=120)
    handoff_on = forms.DateField(label="Date of the warm handoff", widget=DATE)
    method = forms.ChoiceField(label="How the handoff happened", choices=HandoffMethod.choices)
    note = forms.CharField(label="Handoff note", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    override_reason = forms.CharField(
        label="Reason to graduate although some criteria are not met (only if any are unmet)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(label="I confirm the patient and the practice agreed to this graduation")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _not_future(self, data, "handoff_on")
        return data
