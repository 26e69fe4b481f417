"""Patient-level caseload pages: log a contact or care event, change tier, reassign, flag, graduate."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tandem.accounts.models import Role, User
from tandem.caseload import goals, graduation, services
from tandem.caseload.forms import CareEventForm, ContactForm, FlagForm, GraduationForm, ReassignForm, TierForm
from tandem.caseload.models import GraduationHandoff, Task
from tandem.core import audit
from tandem.core.errors import ConflictError
from tandem.core.permissions import CLINICAL_ROLES, can_view_patient, deny, patient_or_denial, role_required
from tandem.patients.models import Patient
from tandem.programs import services as programs
from tandem.programs.models import Episode, EpisodeStatus


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _enrolled(patient: Patient) -> Episode:
    episode = (
        patient.episodes.filter(status=EpisodeStatus.ENROLLED)
        .select_related("program", "primary_care_manager")
        .first()
    )
    if episode is None:
        raise ConflictError("This patient is not enrolled in a program.")
    return episode


@role_required(*CLINICAL_ROLES)
def contact_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    episode = _enrolled(found)
    active_goals = goals.active_goals(episode)
    if request.method == "POST":
        form = ContactForm(request.POST, goals=active_goals)
        if form.is_valid():
            d = form.cleaned_data
            contact = services.log_contact(
                episode,
                by=_user(request),
                occurred_on=d["occurred_on"],
                mode=d["mode"],
                duration_minutes=d["duration_minutes"],
                staff=d["staff"],
                patient_present=d["patient_present"],
                caregiver_present=d["caregiver_present"],
                caregiver_name=d["caregiver_name"],
                note=d["note"],
                self_management_confidence=d["self_management_confidence"],
            )
            for goal, rating, note in form.goal_ratings():
                goals.check_in(goal, by=_user(request), rating=rating, note=note, on=contact.occurred_on)
            messages.success(request, "Contact logged.")
            if request.POST.get("next") == "worklist":
                return redirect("caseload:worklist")
            return redirect("patients:detail", public_id=found.public_id)
    else:
        audit.record_view(found, detail="contact form")
        form = ContactForm(
            initial={"occurred_on": timezone.localdate(), "patient_present": True}, goals=active_goals
        )
    return render(
        request,
        "caseload/contact_form.html",
        {"patient": found, "episode": episode, "form": form, "next": request.GET.get("next", "")},
    )


@role_required(*CLINICAL_ROLES)
def care_event_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    if request.method == "POST":
        form = CareEventForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            services.record_care_event(
                found,
                by=_user(request),
                kind=d["kind"],
                occurred_on=d["occurred_on"],
                source=d["source"],
                note=d["note"],
            )
            messages.success(request, "Care event recorded.")
            return redirect("patients:detail", public_id=found.public_id)
    else:
        audit.record_view(found, detail="care event form")
        form = CareEventForm(initial={"occurred_on": timezone.localdate()})
    return render(
        request,
        "caseload/simple_form.html",
        {
            "patient": found,
            "form": form,
            "title": "Record a care event",
            "button": "Save care event",
        },
    )


@role_required(*CLINICAL_ROLES)
def tier_change(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    episode = _enrolled(found)
    if request.method == "POST":
        form = TierForm(request.POST)
        if form.is_valid():
            programs.change_tier(
                episode, form.cleaned_data["tier"], by=_user(request), reason=form.cleaned_data["reason"]
            )
            messages.success(request, f"Tier changed to {episode.get_tier_display().lower()}.")
            return redirect("patients:detail", public_id=found.public_id)
    else:
        audit.record_view(episode, detail="tier form")
        form = TierForm(initial={"tier": episode.tier})
    history = episode.tier_history.select_related("changed_by")
    return render(
        request,
        "caseload/simple_form.html",
        {
            "patient": found,
            "form": form,
            "title": "Change tier",
            "button": "Change tier",
            "lede": f"Current tier: {episode.get_tier_display()}",
            "tier_history": history,
        },
    )


@role_required(Role.SUPERVISOR)
def reassign(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    episode = _enrolled(found)
    form = ReassignForm(request.POST or None)
    if found.care_team is not None:
        field: Any = form.fields["care_manager"]
        field.queryset = field.queryset.filter(memberships__team=found.care_team)
    if request.method == "POST" and form.is_valid():
        new = form.cleaned_data["care_manager"]
        programs.reassign_care_manager(episode, new, by=_user(request), reason=form.cleaned_data["reason"])
        messages.success(request, f"Reassigned to {new.display_name}.")
        return redirect("patients:detail", public_id=found.public_id)
    if request.method != "POST":
        audit.record_view(episode, detail="reassign form")
    history = episode.assignments.select_related("care_manager", "assigned_by")
    current = episode.primary_care_manager
    return render(
        request,
        "caseload/simple_form.html",
        {
            "patient": found,
            "form": form,
            "title": "Reassign care manager",
            "button": "Reassign",
            "lede": f"Currently {current.display_name if current else '—'}",
            "assignment_history": history,
        },
    )


@role_required(*CLINICAL_ROLES)
def flag_new(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.flag_for_discussion(found, by=_user(request), reason=form.cleaned_data["reason"])
        messages.success(request, "Flagged for the next case conference.")
        return redirect("patients:detail", public_id=found.public_id)
    return render(
        request,
        "caseload/simple_form.html",
        {
            "patient": found,
            "form": form,
            "title": "Flag for case conference",
            "button": "Flag for discussion",
        },
    )


@role_required(*CLINICAL_ROLES)
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.select_related("patient"), pk=task_id)
    if not can_view_patient(request.user, task.patient):
        return deny(request, patient=task.patient, what="patient")
    services.complete_task(task, by=_user(request))
    messages.success(request, "Task marked done.")
    return redirect("caseload:worklist")


@role_required(*CLINICAL_ROLES)
def graduate(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    episode = _enrolled(found)
    result = graduation.readiness(episode)
    if request.method == "POST":
        form = GraduationForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            handoff = graduation.graduate(
                episode,
                by=_user(request),
                practice_name=d["practice_name"],
                contact_person=d["contact_person"],
                handoff_on=d["handoff_on"],
                method=d["method"],
                note=d["note"],
                override_reason=d["override_reason"],
            )
            messages.success(request, "Graduated. Print the certificate for the patient.")
            return redirect("caseload:certificate", public_id=found.public_id, handoff_id=handoff.pk)
    else:
        audit.record_view(episode, detail="graduation form")
        practice = found.primary_care_practice
        form = GraduationForm(
            initial={
                "handoff_on": timezone.localdate(),
                "practice_name": practice.name if practice else "",
            }
        )
    return render(
        request,
        "caseload/graduate.html",
        {"patient": found, "episode": episode, "form": form, "readiness": result},
    )


@role_required(*CLINICAL_ROLES)
def certificate(request: HttpRequest, public_id: UUID, handoff_id: int) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    handoff = get_object_or_404(
        GraduationHandoff.objects.select_related("episode__program"), pk=handoff_id, episode__patient=found
    )
    audit.record_view(handoff, detail="graduation certificate")
    return render(request, "caseload/certificate.html", {"patient": found, "handoff": handoff})
