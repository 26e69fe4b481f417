from __future__ import annotations

from django import forms

from tandem.core.models import AuditAction


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="Staff username", required=False)
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any"), *AuditAction.choices])
    resource_type = forms.CharField(label="Record type", required=False)
    patient_id = forms.IntegerField(label="Patient record number", required=False, min_value=1)
    since = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be on or after the start date.")
        return data
