"""Peer group pages. Members are listed only where the viewer may open that patient; others are counted."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tandem.accounts.models import User
from tandem.core import audit
from tandem.core.errors import DomainError
from tandem.core.models import AuditAction
from tandem.core.permissions import CLINICAL_ROLES, can_view_patient, deny, patient_or_denial, role_required
from tandem.patients import services as patients
from tandem.patients.forms import PatientSearchForm
from tandem.referrals import groups
from tandem.referrals.forms import AddMemberForm, MeetingForm, PeerGroupForm
from tandem.referrals.models import PeerGroup, PeerGroupMembership


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@role_required(*CLINICAL_ROLES)
def group_list(request: HttpRequest) -> HttpResponse:
    rows = PeerGroup.objects.prefetch_related("staff_leaders").annotate(
        member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True))
    )
    context = {"groups": rows.filter(active=True), "closed": rows.filter(active=False)}
    return render(request, "referrals/group_list.html", context)


@role_required(*CLINICAL_ROLES)
def group_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a group; it holds no patient data, so any care manager or supervisor may."""
    group = get_object_or_404(PeerGroup, pk=pk) if pk else None
    form = PeerGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            saved = groups.save_group(
                form.save(commit=False), staff_leaders=form.cleaned_data["staff_leaders"], by=_user(request)
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{saved.name} saved." if saved.active else f"{saved.name} is closed.")
            return redirect("referrals:group", pk=saved.pk)
    return render(request, "referrals/group_form.html", {"form": form, "group": group})


@role_required(*CLINICAL_ROLES)
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(PeerGroup.objects.prefetch_related("staff_leaders"), pk=pk)
    user = _user(request)
    members = groups.current_members(group, viewer=user)
    # A list of names is an access to each record; the line says how many were shown, never who.
    audit.record(
        AuditAction.VIEW,
        resource_type="referrals.PeerGroup",
        resource_id=str(group.pk),
        detail=f"{len(members.visible)} member(s) shown, {members.hidden_count} not shown",
    )
    context = {
        "group": group,
        "members": members,
        "meetings": groups.meeting_summaries(group, viewer=user),
        "today": timezone.localdate(),
    }
    return render(request, "referrals/group_detail.html", context)


@role_required(*CLINICAL_ROLES)
def record_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(PeerGroup, pk=pk, active=True)
    user = _user(request)
    members = groups.current_members(group, viewer=user)
    if request.method == "POST":
        form = MeetingForm(request.POST)
        chosen = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
        if form.is_valid():
            d = form.cleaned_data
            try:
                groups.record_meeting(
                    group, by=user, held_on=d["held_on"], topic=d["topic"], notes=d["notes"], attended=chosen
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Meeting of {d['held_on']:%b} {d['held_on'].day} recorded.")
                return redirect("referrals:group", pk=group.pk)
    else:
        form = MeetingForm(initial={"held_on": timezone.localdate()})
        chosen = set()
    context = {"group": group, "members": members, "form": form, "chosen": chosen}
    return render(request, "referrals/meeting_form.html", context)


@role_required(*CLINICAL_ROLES)
@require_POST
def leave_group(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(
        PeerGroupMembership.objects.select_related("patient", "group"), pk=membership_id, group_id=pk
    )
    if not can_view_patient(request.user, membership.patient):
        return deny(request, patient=membership.patient, what="patient")
    groups.remove_member(membership, by=_user(request))
    messages.success(request, f"{membership.patient.display_name} has left {membership.group.name}.")
    return redirect("referrals:group", pk=pk)


@role_required(*CLINICAL_ROLES)
def add_member(request: HttpRequest, pk: int) -> HttpResponse:
    """Find one of the viewer's own patients and add them; names travel only in POST bodies.

    One form carries both the search and the choice, so a refused add can show the same results
    again with the reason.
    """
    group = get_object_or_404(PeerGroup, pk=pk, active=True)
    user = _user(request)
    search = PatientSearchForm(request.POST if request.method == "POST" else None)
    add = AddMemberForm(
        request.POST if request.POST.get("action") == "add" else None,
        initial={"joined_on": timezone.localdate()},
    )
    if add.is_bound and add.is_valid():
        chosen = patient_or_denial(request, add.cleaned_data["patient"])
        if isinstance(chosen, HttpResponse):
            return chosen
        try:
            groups.add_member(group, patient=chosen, by=user, on=add.cleaned_data["joined_on"])
        except DomainError as exc:
            add.add_error(None, exc.message)
        else:
            messages.success(request, f"{chosen.display_name} added to {group.name}.")
            return redirect("referrals:group", pk=group.pk)
    results = None
    if search.is_bound and search.is_valid():
        d = search.cleaned_data
        found = patients.search(
            user, name=d["name"] or "", birth_date=d["birth_date"], member_id=d["member_id"]
        )
        current = set(group.memberships.filter(left_on__isnull=True).values_list("patient_id", flat=True))
        results = [p for p in found if p.pk not in current]
        audit.record(
            AuditAction.SEARCH,
            resource_type="patients.Patient",
            fields=[k for k in ("name", "birth_date", "member_id") if d.get(k)],
            detail=f"{len(results)} result(s) to add to peer group {group.pk}",
        )
    context = {"group": group, "search": search, "add": add, "results": results}
    return render(request, "referrals/member_add.html", context)
