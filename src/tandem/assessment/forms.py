"""Forms built from the domain prompts and from each instrument's items."""

from __future__ import annotations

from typing import Any

from django import forms

from tandem.assessment.domains import PROMPTS
from tandem.assessment.instruments import Instrument

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DomainForm(forms.Form):
    """One text box per prompt, each with its own 'prefer not to say'."""

    def __init__(self, *args: Any, domain: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domain = domain
        for key, prompt in PROMPTS[domain]:
            self.fields[f"q_{key}"] = forms.CharField(
                label=prompt, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"skip_{key}"] = forms.BooleanField(label="Prefer not to say", required=False)
        self.fields["notes"] = forms.CharField(
            label="Other notes from this visit", required=False, widget=forms.Textarea(attrs={"rows": 3})
        )
        self.fields["complete"] = forms.BooleanField(
            label="This domain is complete for now",
            required=False,
            help_text="Leave unticked to come back to it at another visit.",
        )
        self.fields["recorded_on"] = forms.DateField(label="Visit date", widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key, _ in PROMPTS[self.domain]:
            if data.get(f"skip_{key}") and (data.get(f"q_{key}") or "").strip():
                self.add_error(
                    f"q_{key}", "This question is marked 'prefer not to say'; clear one of the two."
                )
        return data

    def prompt_pairs(self) -> list[tuple[Any, Any]]:
        return [(self[f"q_{key}"], self[f"skip_{key}"]) for key, _ in PROMPTS[self.domain]]

    def responses(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"q_{key}") or "" for key, _ in PROMPTS[self.domain]}

    def declined(self) -> list[str]:
        return [key for key, _ in PROMPTS[self.domain] if self.cleaned_data.get(f"skip_{key}")]


class InstrumentForm(forms.Form):
    """Radio buttons per item, so answers can only be values the instrument allows."""

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields["administered_on"] = forms.DateField(label="Date given", widget=DATE)
        for item in instrument.items:
            choices = [(str(o.value), f"{o.value} — {o.label}") for o in item.options]
            if item.multiple:
                self.fields[item.key] = forms.MultipleChoiceField(
                    label=item.text, choices=choices, widget=forms.CheckboxSelectMultiple, required=True
                )
            else:
                self.fields[item.key] = forms.ChoiceField(
                    label=item.text, choices=choices, widget=forms.RadioSelect, required=True
                )

    def answers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in self.instrument.items:
            raw = self.cleaned_data[item.key]
            out[item.key] = [int(v) for v in raw] if item.multiple else int(raw)
        return out
