"""Recruitment queue, referrals in, outreach attempts and enrollment pages (thin: rules are in services)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tandem.accounts.models import User
from tandem.core import audit
from tandem.core.models import AuditAction
from tandem.core.permissions import CLINICAL_ROLES, patient_or_denial, role_required
from tandem.engagement import services
from tandem.engagement.forms import AssignForm, AttemptForm, EnrollForm, ReferralForm
from tandem.engagement.models import ConsentKind
from tandem.programs.models import Episode


def _episode_or_denial(request: HttpRequest, public_id: UUID, episode_id: int) -> Episode | HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    return get_object_or_404(
        Episode.objects.select_related("program", "patient"), pk=episode_id, patient=found
    )


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@role_required(*CLINICAL_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    newest_first = request.GET.get("order") == "latest"
    rows = services.queue(_user(request), newest_first=newest_first)
    # A list of names is an access to each record; one line says how many were shown, never who.
    audit.record(AuditAction.VIEW, resource_type="engagement.queue", detail=f"{len(rows)} row(s)")
    return render(
        request,
        "engagement/queue.html",
        {
            "rows": rows,
            "newest_first": newest_first,
            "assign_form": AssignForm(),
            "today": timezone.localdate(),
        },
    )


@role_required(*CLINICAL_ROLES)
@require_POST
def assign(request: HttpRequest, public_id: UUID, episode_id: int) -> HttpResponse:
    found = _episode_or_denial(request, public_id, episode_id)
    if isinstance(found, HttpResponse):
        return found
    form = AssignForm(request.POST)
    if form.is_valid():
        services.assign(found, assignee=form.cleaned_data["assignee"], by=_user(request))
        messages.success(request, f"Outreach assigned to {form.cleaned_data['assignee'].display_name}.")
    else:
        messages.error(request, "Choose someone to assign the outreach to.")
    return redirect("engagement:queue")


@role_required(*CLINICAL_ROLES)
@require_POST
def reapproach(request: HttpRequest, public_id: UUID, episode_id: int) -> HttpResponse:
    found = _episode_or_denial(request, public_id, episode_id)
    if isinstance(found, HttpResponse):
        return found
    services.reapproach(found, by=_user(request))
    messages.success(request, "Back in outreach: the next attempt is due today.")
    return redirect("engagement:attempt", public_id=public_id, episode_id=episode_id)


@role_required(*CLINICAL_ROLES)
@require_POST
def review(request: HttpRequest, public_id: UUID, episode_id: int) -> HttpResponse:
    found = _episode_or_denial(request, public_id, episode_id)
    if isinstance(found, HttpResponse):
        return found
    services.review_outreach(found, by=_user(request))
    messages.success(request, "Reviewed: outreach continues, next attempt due today.")
    return redirect("engagement:queue")


@role_required(*CLINICAL_ROLES)
def new_referral(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    patient = found
    if request.method != "POST":
        audit.record_view(patient, detail="referral form")
        form = ReferralForm(initial={"received_on": timezone.localdate()})
    elif "fill_letter" in request.POST:
        # Re-show what was typed with the letter filled from it; nothing is saved yet.
        data = request.POST.copy()
        form = ReferralForm(data)
        form.is_valid()
        program = form.cleaned_data.get("program")
        if program is not None:
            data["letter"] = services.referral_letter(
                patient,
                program=program,
                reason=data.get("reason", ""),
                referrer_name=data.get("referrer_name", ""),
                referrer_organisation=data.get("referrer_organisation", ""),
            )
        form = ReferralForm(data)
    else:
        form = ReferralForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            services.create_referral(
                patient,
                program=d["program"],
                by=_user(request),
                source=d["source"],
                reason=d["reason"],
                referrer_name=d["referrer_name"],
                referrer_organisation=d["referrer_organisation"],
                referrer_role=d["referrer_role"],
                letter=d["letter"],
                received_on=d["received_on"],
            )
            messages.success(request, "Referral recorded; the person is in the recruitment queue.")
            return redirect("patients:detail", public_id=patient.public_id)
    return render(request, "engagement/referral_form.html", {"patient": patient, "form": form})


@role_required(*CLINICAL_ROLES)
def attempt(request: HttpRequest, public_id: UUID, episode_id: int) -> HttpResponse:
    found = _episode_or_denial(request, public_id, episode_id)
    if isinstance(found, HttpResponse):
        return found
    episode = found
    today = timezone.localdate()
    if request.method == "POST":
        form = AttemptForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            result = services.record_attempt(
                episode,
                by=_user(request),
                on=d["attempted_on"],
                channel=d["channel"],
                outcome=d["outcome"],
                notes=d["notes"],
                value_offered=d["value_offered"],
                resource=d["resource"],
                resource_follow_up_on=d["resource_follow_up_on"],
                decline_reason=d["decline_reason"],
                reapproach_on=d["reapproach_on"],
                referred_elsewhere=d["referred_elsewhere"],
            )
            messages.success(request, f"Outreach attempt recorded: {result.get_outcome_display()}.")
            if result.outcome == "enrolled":
                return redirect("engagement:enroll", public_id=public_id, episode_id=episode_id)
            return redirect("patients:detail", public_id=public_id)
    else:
        audit.record_view(episode, detail="outreach attempt form")
        form = AttemptForm(
            initial={
                "attempted_on": today,
                "reapproach_on": services.suggested_reapproach_on(episode, on=today),
            }
        )
    context = {
        "patient": episode.patient,
        "episode": episode,
        "form": form,
        "attempts": episode.outreach_attempts.select_related("made_by", "resource_referral__resource"),
        "attempts_this_round": services.attempts_this_round(episode),
    }
    return render(request, "engagement/attempt_form.html", context)


@role_required(*CLINICAL_ROLES)
def enroll(request: HttpRequest, public_id: UUID, episode_id: int) -> HttpResponse:
    found = _episode_or_denial(request, public_id, episode_id)
    if isinstance(found, HttpResponse):
        return found
    episode = found
    user = _user(request)
    today = timezone.localdate()
    if request.method == "POST":
        form = EnrollForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            # One request, one transaction: a refusal below leaves no consent half-recorded.
            services.record_consent(
                episode,
                kind=ConsentKind.PROGRAM,
                by=user,
                given_on=d["program_consent_on"],
                method=d["program_consent_method"],
                witnessed_by=d["program_consent_witness"],
            )
            if d["medicare_consent"]:
                services.record_consent(
                    episode,
                    kind=ConsentKind.MEDICARE_CARE_MANAGEMENT,
                    by=user,
                    given_on=d["medicare_consent_on"],
                    method=d["medicare_consent_method"],
                    cost_sharing_explained=d["cost_sharing_explained"],
                    right_to_stop_explained=d["right_to_stop_explained"],
                )
            services.enroll(episode, by=user, care_manager=d["care_manager"], tier=d["tier"], on=today)
            if d["handoff_from"] != d["care_manager"]:
                services.record_handoff(
                    episode,
                    from_user=d["handoff_from"],
                    to_user=d["care_manager"],
                    on=d["handoff_on"],
                    method=d["handoff_method"],
                    note=d["handoff_note"],
                )
            messages.success(request, "Enrolled.")
            return redirect("patients:detail", public_id=public_id)
    else:
        audit.record_view(episode, detail="enrollment form")
        form = EnrollForm(
            initial={
                "program_consent_on": today,
                "handoff_on": today,
                "handoff_from": episode.assigned_to or user,
            }
        )
    return render(
        request, "engagement/enroll_form.html", {"patient": episode.patient, "episode": episode, "form": form}
    )
