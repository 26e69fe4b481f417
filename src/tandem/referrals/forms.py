"""Forms for the directory, referrals and peer groups; the rules themselves live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import User
from tandem.core.errors import DomainError
from tandem.core.permissions import CLINICAL_ROLES
from tandem.referrals import services
from tandem.referrals.models import CommunityResource, PeerGroup, ReferralStatus, ResourceCategory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResourceSearchForm(forms.Form):
    need = forms.ChoiceField(
        label=_("Need"), required=False, choices=[("", _("Any need"))] + list(ResourceCategory.choices)
    )
    area = forms.CharField(
        label=_("ZIP code or area"),
        required=False,
        max_length=120,
        help_text=_("For example 02118 or Eastside."),
    )
    q = forms.CharField(
        label=_("Words"), required=False, max_length=120, help_text=_("Name, language, eligibility…")
    )


class ResourceForm(forms.ModelForm):  # type: ignore[type-arg]
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = CommunityResource
        fields = [
            "name",
            "category",
            "area",
            "zip_codes",
            "address",
            "phone",
            "website",
            "hours",
            "eligibility",
            "languages",
            "notes",
        ]
        widgets = {
            "eligibility": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_zip_codes(self) -> str:
        try:
            return services.normalise_zip_codes(self.cleaned_data.get("zip_codes") or "")
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


class ReferForm(forms.Form):
    made_on = forms.DateField(label=_("Referred on"), widget=DATE)
    follow_up_on = forms.DateField(
        label=_("Follow up on"), widget=DATE, help_text=_("When to check whether the person got help.")
    )
    note = forms.CharField(
        label=_("Note for the team"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        made, follow = data.get("made_on"), data.get("follow_up_on")
        if made and made > timezone.localdate():
            self.add_error("made_on", _("A referral cannot be dated in the future."))
        if made and follow and follow < made:
            self.add_error("follow_up_on", _("The follow-up date cannot be before the referral was made."))
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=ReferralStatus.choices)
    changed_on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(
        label=_("What you heard"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when declined: why, and by whom."),
    )
    follow_up_on = forms.DateField(
        label=_("Next follow-up"),
        required=False,
        widget=DATE,
        help_text=_("For sent or accepted referrals; two weeks from the date if left empty."),
    )
    expected = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, allowed: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if allowed is not None:
            field = self.fields["status"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(v, label) for v, label in ReferralStatus.choices if v in allowed]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == ReferralStatus.DECLINED and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the referral was declined, and by whom."))
        return data


class JoinGroupForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Peer group"), queryset=PeerGroup.objects.filter(active=True))
    joined_on = forms.DateField(label=_("Joined on"), widget=DATE)


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("Meeting date"), widget=DATE)
    topic = forms.CharField(label=_("Topic"), required=False, max_length=200)
    notes = forms.CharField(
        label=_("Notes about the session"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("About the group, not about a named person."),
    )

    def clean_held_on(self) -> Any:
        held = self.cleaned_data["held_on"]
        if held > timezone.localdate():
            raise forms.ValidationError(_("A meeting cannot be recorded before it has happened."))
        return held


class MoveFollowUpForm(forms.Form):
    follow_up_on = forms.DateField(
        label=_("New follow-up date"),
        widget=DATE,
        help_text=_("For when there is no news yet: the open task on your worklist moves with it."),
    )
    expected = forms.CharField(widget=forms.HiddenInput)

    def clean_follow_up_on(self) -> Any:
        when = self.cleaned_data["follow_up_on"]
        if when < timezone.localdate():
            raise forms.ValidationError(_("Choose today or a later date."))
        return when


class StaffLeadersField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class PeerGroupForm(forms.ModelForm):  # type: ignore[type-arg]
    staff_leaders = StaffLeadersField(
        label=_("Staff leaders"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Care managers or supervisors who run the group. A group needs a staff or peer leader."),
    )

    class Meta:
        model = PeerGroup
        fields = [
            "name",
            "focus",
            "description",
            "schedule",
            "location",
            "area",
            "staff_leaders",
            "peer_leaders",
            "active",
        ]
        labels = {
            "focus": _("Focus (need or condition)"),
            "active": _("Open: meeting and taking new members"),
        }
        help_texts = {
            "description": _("What the group does, for the people you might invite. No patient details."),
            "peer_leaders": _("Names of peer leaders who are not staff, for example Dolores M."),
            "active": _("Untick to close the group. Members stay on record; it can be opened again."),
        }
        error_messages = {"name": {"unique": _("There is already a group with this name.")}}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Current leaders stay listed even if no longer active, so the save names them rather
        # than dropping them without a word.
        current = self.instance.staff_leaders.all() if self.instance.pk else User.objects.none()
        field = self.fields["staff_leaders"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = User.objects.filter(
            Q(is_active=True, role__in=CLINICAL_ROLES) | Q(pk__in=current.values("pk"))
        ).order_by("last_name", "first_name", "username")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("staff_leaders") and not (data.get("peer_leaders") or "").strip():
            self.add_error("peer_leaders", _("Name at least one leader: a member of staff or a peer leader."))
        return data


class AddMemberForm(forms.Form):
    """The person is picked from a search of the viewer's own patients, by public id, never by name."""

    patient = forms.UUIDField(
        label=_("Person to add"), error_messages={"required": _("Choose the person to add.")}
    )
    joined_on = forms.DateField(label=_("Joined on"), widget=DATE)

    def clean_joined_on(self) -> Any:
        joined = self.cleaned_data["joined_on"]
        if joined > timezone.localdate():
            raise forms.ValidationError(_("The joining date cannot be in the future."))
        return joined
