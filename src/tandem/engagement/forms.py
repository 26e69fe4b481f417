"""Forms for referrals in, outreach attempts and enrollment; rules themselves live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import Role, User
from tandem.engagement.models import Channel, ConsentMethod, HandoffMethod, Outcome, ReferralSource
from tandem.programs.models import Program, Tier
from tandem.referrals.models import CommunityResource

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def clinical_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role__in=[Role.CARE_MANAGER, Role.SUPERVISOR])


class StaffChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class ReferralForm(forms.Form):
    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.filter(active=True))
    source = forms.ChoiceField(label=_("Referred by"), choices=ReferralSource.choices)
    referrer_name = forms.CharField(label=_("Referrer's name"), max_length=120, required=False)
    referrer_organisation = forms.CharField(
        label=_("Referrer's organisation"), max_length=200, required=False
    )
    referrer_role = forms.CharField(
        label=_("Referrer's role"), max_length=120, required=False, help_text=_("e.g. PCP, ED social worker.")
    )
    reason = forms.CharField(label=_("Reason for referral"), widget=forms.Textarea(attrs={"rows": 3}))
    received_on = forms.DateField(label=_("Received on"), widget=DATE)
    letter = forms.CharField(
        label=_("Referral letter"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Use “Fill in the letter” to start from the template, then edit it freely."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source = data.get("source")
        if source in (ReferralSource.PRIMARY_CARE, ReferralSource.HOSPITAL) and not data.get("referrer_name"):
            self.add_error("referrer_name", _("Name the clinician who made the referral."))
        received = data.get("received_on")
        if received and received > timezone.localdate():
            self.add_error("received_on", _("The referral cannot be received in the future."))
        return data


class AttemptForm(forms.Form):
    attempted_on = forms.DateField(label=_("Date of the attempt"), widget=DATE)
    channel = forms.ChoiceField(label=_("How"), choices=Channel.choices)
    outcome = forms.ChoiceField(label=_("What happened"), choices=Outcome.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    value_offered = forms.CharField(
        label=_("Something of value offered"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A ride, a food voucher, help with a bill: what did you bring or offer?"),
    )
    resource = forms.ModelChoiceField(
        label=_("Community resource referral (optional)"),
        required=False,
        queryset=CommunityResource.objects.filter(active=True),
    )
    resource_follow_up_on = forms.DateField(
        label=_("Follow up on the resource referral on"), required=False, widget=DATE
    )
    decline_reason = forms.CharField(
        label=_("Why they declined"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reapproach_on = forms.DateField(label=_("Approach again on"), required=False, widget=DATE)
    referred_elsewhere = forms.CharField(
        label=_("Referred instead to (if not eligible)"), required=False, max_length=500
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        outcome = data.get("outcome")
        on = data.get("attempted_on")
        if on and on > timezone.localdate():
            self.add_error("attempted_on", _("An outreach attempt cannot be dated in the future."))
        if outcome == Outcome.DECLINED:
            if not (data.get("decline_reason") or "").strip():
                self.add_error("decline_reason", _("Record why the person declined."))
            reapproach = data.get("reapproach_on")
            if reapproach is None:
                self.add_error("reapproach_on", _("Choose when to approach the person again."))
            elif on and reapproach <= on:
                self.add_error("reapproach_on", _("The re-approach date must be after the attempt."))
        if outcome == Outcome.NOT_ELIGIBLE and not (data.get("referred_elsewhere") or "").strip():
            self.add_error("referred_elsewhere", _("Record where the person was referred instead."))
        if data.get("resource_follow_up_on") and not data.get("resource"):
            self.add_error("resource", _("Choose the resource the follow-up is for."))
        return data


class AssignForm(forms.Form):
    assignee = StaffChoiceField(label=_("Assign to"), queryset=clinical_staff())


class EnrollForm(forms.Form):
    program_consent_on = forms.DateField(label=_("Program consent given on"), widget=DATE)
    program_consent_method = forms.ChoiceField(
        label=_("Program consent method"), choices=ConsentMethod.choices
    )
    program_consent_witness = forms.CharField(
        label=_("Program consent witnessed by"), max_length=120, required=False
    )
    medicare_consent = forms.BooleanField(
        label=_("Medicare care management consent given (CCM/PCM)"), required=False
    )
    medicare_consent_on = forms.DateField(label=_("Medicare consent given on"), required=False, widget=DATE)
    medicare_consent_method = forms.ChoiceField(
        label=_("Medicare consent method"), choices=[("", "—"), *ConsentMethod.choices], required=False
    )
    cost_sharing_explained = forms.BooleanField(label=_("Cost-sharing was explained"), required=False)
    right_to_stop_explained = forms.BooleanField(
        label=_("The right to stop at any time was explained"), required=False
    )
    care_manager = StaffChoiceField(label=_("Primary care manager"), queryset=clinical_staff())
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", "—"), *Tier.choices])
    handoff_from = StaffChoiceField(label=_("Warm handoff from (recruiter)"), queryset=clinical_staff())
    handoff_on = forms.DateField(label=_("Warm handoff date"), widget=DATE)
    handoff_method = forms.ChoiceField(
        label=_("How the handoff happened"),
        choices=[("", "—"), *HandoffMethod.choices],
        required=False,
        help_text=_("Leave empty only when the recruiter is also the care manager."),
    )
    handoff_note = forms.CharField(
        label=_("Handoff note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        for name in ("program_consent_on", "medicare_consent_on", "handoff_on"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("This date cannot be in the future."))
        if data.get("program_consent_method") == ConsentMethod.VERBAL and not data.get(
            "program_consent_witness"
        ):
            self.add_error("program_consent_witness", _("Verbal consent needs the name of who witnessed it."))
        if data.get("medicare_consent"):
            if not data.get("medicare_consent_on"):
                self.add_error("medicare_consent_on", _("Give the date of the Medicare consent."))
            if not data.get("medicare_consent_method"):
                self.add_error("medicare_consent_method", _("Choose how Medicare consent was given."))
            if not data.get("cost_sharing_explained"):
                self.add_error("cost_sharing_explained", _("Explain the cost-sharing before this consent."))
            if not data.get("right_to_stop_explained"):
                self.add_error("right_to_stop_explained", _("Explain the right to stop before this consent."))
        recruiter, cm = data.get("handoff_from"), data.get("care_manager")
        if recruiter and cm and recruiter != cm and not data.get("handoff_method"):
            self.add_error("handoff_method", _("Say how the recruiter introduced the care manager."))
        return data
