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
from tandem.core.models import AuditAction
from tandem.core.permissions import CLINICAL_ROLES, can_view_patient, deny, role_required
from tandem.referrals import groups
from tandem.referrals.forms import MeetingForm
from tandem.referrals.models import PeerGroup, PeerGroupMembership


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@role_required(*CLINICAL_ROLES)
def group_list(request: HttpRequest) -> HttpResponse:
    rows = (
        PeerGroup.objects.filter(active=True)
        .prefetch_related("staff_leaders")
        .annotate(member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
    )
    return render(request, "referrals/group_list.html", {"groups": rows})


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
            groups.record_meeting(
                group, by=user, held_on=d["held_on"], topic=d["topic"], notes=d["notes"], attended=chosen
            )
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
