"""Admin forms for staff and care teams."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm

from tandem.accounts.models import CareTeam, CareTeamMembership, Role, User


class StaffCreateForm(BaseUserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "phone", "role", "discipline"]


class StaffEditForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "phone", "role", "discipline", "is_active"]
        labels = {"is_active": "Account active (untick to stop this person signing in)"}


class CareTeamForm(forms.ModelForm):  # type: ignore[type-arg]
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).exclude(role__in=[Role.ANALYST, Role.ADMIN]),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Staff who work this team's patients.",
    )

    class Meta:
        model = CareTeam
        fields = ["name", "description", "supervisor", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        supervisor_field = self.fields["supervisor"]
        assert isinstance(supervisor_field, forms.ModelChoiceField)
        supervisor_field.queryset = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
        if self.instance.pk:
            self.fields["members"].initial = list(self.instance.members.all())

    def save(self, commit: bool = True) -> CareTeam:
        team: CareTeam = super().save(commit=True)
        wanted = set(self.cleaned_data["members"])
        current = {m.user: m for m in team.memberships.select_related("user")}
        for user, membership in current.items():
            if user not in wanted:
                membership.delete()
        for user in wanted - set(current):
            CareTeamMembership.objects.create(team=team, user=user)
        return team
