"""Patient search and the forms care managers keep a person's details in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tandem.patients.models import Patient, RelatedPerson

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PatientSearchForm(forms.Form):
    """Sent by POST, so names and birth dates never appear in a URL or a server log."""

    name = forms.CharField(
        label=_("Name"), required=False, max_length=100, help_text=_("Given or family name, or both.")
    )
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE)
    member_id = forms.CharField(label=_("Member id or MRN"), required=False, max_length=64)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(k) for k in ("name", "birth_date", "member_id")):
            raise forms.ValidationError(_("Enter a name, a birth date or a member id to search."))
        name = (data.get("name") or "").strip()
        if name and len(name) < 2 and not data.get("birth_date"):
            self.add_error("name", _("Enter at least two letters of the name."))
        return data


class PatientContactForm(forms.ModelForm):  # type: ignore[type-arg]
    """Contact details and preferences; the hidden version guards against overwriting a colleague's edit."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Patient
        fields = [
            "preferred_name",
            "preferred_language",
            "interpreter_needed",
            "phone",
            "phone_can_text",
            "email",
            "address_line",
            "city",
            "state",
            "postal_code",
            "preferred_contact_method",
            "preferred_meeting_place",
            "best_time_to_reach",
            "contact_notes",
            "primary_care_practice",
        ]
        widgets = {"contact_notes": forms.Textarea(attrs={"rows": 3})}

    def clean_state(self) -> str:
        state = str(self.cleaned_data.get("state") or "").strip().upper()
        if state and (len(state) != 2 or not state.isalpha()):
            raise forms.ValidationError(_("Use the two-letter state code, e.g. NJ."))
        return state

    def clean_postal_code(self) -> str:
        code = str(self.cleaned_data.get("postal_code") or "").strip()
        digits = code.replace("-", "")
        if code and (not digits.isdigit() or len(digits) not in (5, 9)):
            raise forms.ValidationError(_("Use a 5-digit ZIP code (or ZIP+4)."))
        return code

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").strip()
        digits = "".join(c for c in phone if c.isdigit())
        if phone and len(digits) < 10:
            raise forms.ValidationError(_("Enter a phone number with area code."))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("phone_can_text") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Add the phone number that can receive texts."))
        if data.get("preferred_contact_method") == "email" and not data.get("email"):
            self.add_error("email", _("Add an email address, or choose another way to contact them."))
        return data


class RelatedPersonForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = RelatedPerson
        fields = [
            "name",
            "relationship",
            "phone",
            "email",
            "is_caregiver",
            "involvement",
            "permission_recorded_on",
            "notes",
        ]
        widgets = {"permission_recorded_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("involvement") not in (None, "", "none") and not data.get("permission_recorded_on"):
            self.add_error(
                "permission_recorded_on",
                _("Record when the patient gave permission for this person to be involved."),
            )
        return data
