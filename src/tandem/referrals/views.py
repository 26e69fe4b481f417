"""Directory, referral and follow-up pages (thin: rules are in services)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tandem.accounts.models import Role, User
from tandem.core import audit
from tandem.core.errors import DomainError
from tandem.core.models import AuditAction
from tandem.core.permissions import CLINICAL_ROLES, patient_or_denial, role_required
from tandem.referrals import groups, services
from tandem.referrals.forms import (
    JoinGroupForm,
    MoveFollowUpForm,
    ReferForm,
    ResourceForm,
    ResourceSearchForm,
    StatusForm,
)
from tandem.referrals.models import CommunityResource, ResourceReferral


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _search(form: ResourceSearchForm) -> list[CommunityResource] | None:
    if not form.is_bound or not form.is_valid() or not any(form.cleaned_data.values()):
        return None
    d = form.cleaned_data
    return list(services.search_resources(need=d["need"], area=d["area"], text=d["q"]))


@role_required(*CLINICAL_ROLES)
def directory(request: HttpRequest) -> HttpResponse:
    """Searching the directory needs no patient, so the query can live in the URL and be bookmarked."""
    form = ResourceSearchForm(request.GET if request.GET else None)
    results = _search(form)
    return render(request, "referrals/directory.html", {"form": form, "results": results})


@role_required(*CLINICAL_ROLES)
def patient_referrals(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One person's referrals and groups, with a search to refer them (POSTed: a need is PHI)."""
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    patient = found
    if request.method == "POST":
        form = ResourceSearchForm(request.POST)
    else:
        audit.record_view(patient, detail="referrals page")
        form = ResourceSearchForm(initial={"area": patient.postal_code})
    referrals = patient.resource_referrals.select_related("resource", "made_by").prefetch_related(
        "history__changed_by"
    )
    context = {
        "patient": patient,
        "form": form,
        "results": _search(form),
        "referrals": referrals,
        "memberships": patient.peer_group_memberships.select_related("group").order_by("-joined_on"),
        "join_form": JoinGroupForm(initial={"joined_on": timezone.localdate()}),
        "today": timezone.localdate(),
    }
    return render(request, "referrals/patient.html", context)


@role_required(*CLINICAL_ROLES)
def refer(request: HttpRequest, public_id: UUID, resource_id: int) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    patient = found
    resource = get_object_or_404(CommunityResource, pk=resource_id, active=True)
    today = timezone.localdate()
    if request.method == "POST":
        form = ReferForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            services.refer(
                patient,
                resource=resource,
                by=_user(request),
                on=d["made_on"],
                follow_up_on=d["follow_up_on"],
                note=d["note"],
            )
            messages.success(
                request,
                f"Referred to {resource.name}; follow up on {d['follow_up_on']:%b} {d['follow_up_on'].day}.",
            )
            return redirect("referrals:patient", public_id=patient.public_id)
    else:
        form = ReferForm(
            initial={
                "made_on": today,
                "follow_up_on": today + timedelta(days=services.DEFAULT_FOLLOW_UP_DAYS),
            }
        )
    return render(
        request, "referrals/refer_form.html", {"patient": patient, "resource": resource, "form": form}
    )


@role_required(*CLINICAL_ROLES)
def update_status(request: HttpRequest, public_id: UUID, referral_id: int) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    referral = get_object_or_404(
        ResourceReferral.objects.select_related("resource", "patient"), pk=referral_id, patient=found
    )
    allowed = sorted(services.ALLOWED_TRANSITIONS[referral.status])
    if not allowed:
        messages.error(request, f"This referral is {referral.get_status_display().lower()}; make a new one.")
        return redirect("referrals:patient", public_id=public_id)
    if request.method == "POST":
        form = StatusForm(request.POST, allowed=allowed)
        if form.is_valid():
            d = form.cleaned_data
            services.update_status(
                referral,
                to=d["status"],
                by=_user(request),
                expected=d["expected"],
                on=d["changed_on"],
                note=d["note"],
                follow_up_on=d["follow_up_on"],
            )
            messages.success(request, f"{referral.resource.name}: marked {d['status'].replace('_', ' ')}.")
            if request.POST.get("next") == "follow-ups":
                return redirect("referrals:follow-ups")
            return redirect("referrals:patient", public_id=public_id)
    else:
        audit.record_view(referral, detail="status form")
        initial_status = request.GET.get("status") if request.GET.get("status") in allowed else allowed[0]
        form = StatusForm(
            allowed=allowed,
            initial={
                "status": initial_status,
                "changed_on": timezone.localdate(),
                "expected": referral.status,
            },
        )
    return render(
        request,
        "referrals/status_form.html",
        {"patient": referral.patient, "referral": referral, "form": form},
    )


@role_required(*CLINICAL_ROLES)
def move_follow_up(request: HttpRequest, public_id: UUID, referral_id: int) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    referral = get_object_or_404(
        ResourceReferral.objects.select_related("resource", "patient"), pk=referral_id, patient=found
    )
    if not referral.is_open:
        messages.error(
            request, f"This referral is {referral.get_status_display().lower()}; it has no follow-up."
        )
        return redirect("referrals:patient", public_id=public_id)
    if request.method == "POST":
        form = MoveFollowUpForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.move_follow_up(
                    referral, to=d["follow_up_on"], by=_user(request), expected=d["expected"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                when = d["follow_up_on"]
                messages.success(request, f"{referral.resource.name}: follow up on {when:%b} {when.day}.")
                if request.POST.get("next") == "follow-ups":
                    return redirect("referrals:follow-ups")
                return redirect("referrals:patient", public_id=public_id)
    else:
        audit.record_view(referral, detail="follow-up date form")
        form = MoveFollowUpForm(initial={"follow_up_on": referral.follow_up_on, "expected": referral.status})
    back_to_list = (request.POST.get("next") or request.GET.get("next")) == "follow-ups"
    context = {"patient": referral.patient, "referral": referral, "form": form, "back_to_list": back_to_list}
    return render(request, "referrals/move_follow_up.html", context)


@role_required(*CLINICAL_ROLES)
def follow_ups(request: HttpRequest) -> HttpResponse:
    rows = services.follow_ups_due(_user(request))
    audit.record(AuditAction.VIEW, resource_type="referrals.follow_ups", detail=f"{len(rows)} row(s)")
    return render(request, "referrals/follow_ups.html", {"rows": rows, "today": timezone.localdate()})


@role_required(*CLINICAL_ROLES)
@require_POST
def join_group(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    form = JoinGroupForm(request.POST)
    if form.is_valid():
        group = form.cleaned_data["group"]
        groups.add_member(group, patient=found, by=_user(request), on=form.cleaned_data["joined_on"])
        messages.success(request, f"Added to {group.name}.")
    else:
        messages.error(request, "Choose a group and the date they joined.")
    return redirect("referrals:patient", public_id=public_id)


# Directory administration: reference data, the administrator's to keep.


@role_required(Role.ADMIN)
def manage_resources(request: HttpRequest) -> HttpResponse:
    form = ResourceSearchForm(request.GET if request.GET else None)
    d = form.cleaned_data if form.is_valid() else {"need": "", "area": "", "q": ""}
    resources = services.search_resources(need=d["need"], area=d["area"], text=d["q"], include_inactive=True)
    return render(request, "referrals/manage_list.html", {"form": form, "resources": resources})


@role_required(Role.ADMIN)
def resource_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(CommunityResource, pk=pk) if pk else None
    form = ResourceForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        resource = services.save_resource(form.save(commit=False))
        messages.success(request, f"{resource.name} saved.")
        return redirect("referrals:manage-list")
    return render(request, "referrals/manage_form.html", {"form": form, "resource": instance})


@role_required(Role.ADMIN)
@require_POST
def resource_active(request: HttpRequest, pk: int) -> HttpResponse:
    resource = get_object_or_404(CommunityResource, pk=pk)
    active = request.POST.get("active") == "1"
    services.set_resource_active(resource, active=active)
    state = "listed again" if active else "deactivated: it no longer appears in searches"
    messages.success(request, f"{resource.name} {state}.")
    return redirect("referrals:manage-list")
