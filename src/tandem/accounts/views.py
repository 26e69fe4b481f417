"""Administration of staff accounts and care teams."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from tandem.accounts.forms import CareTeamForm, StaffCreateForm, StaffEditForm
from tandem.accounts.models import CareTeam, Role, User
from tandem.core.permissions import role_required


@role_required(Role.ADMIN)
def user_list(request: HttpRequest) -> HttpResponse:
    users = User.objects.all()
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(
            Q(username__icontains=q) | Q(first_name__icontains=q) | Q(last_name__icontains=q)
        )
    role = request.GET.get("role", "")
    if role in Role.values:
        users = users.filter(role=role)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(
        request, "accounts/user_list.html", {"page": page, "q": q, "role": role, "roles": Role.choices}
    )


@role_required(Role.ADMIN)
def user_create(request: HttpRequest) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, f"Account {user.username} created.")
        return redirect("accounts:user-list")
    return render(request, "accounts/user_form.html", {"form": form, "title": "New staff account"})


@role_required(Role.ADMIN)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    form = StaffEditForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Account {user.username} saved.")
        return redirect("accounts:user-list")
    return render(
        request, "accounts/user_form.html", {"form": form, "title": f"Edit {user.username}", "subject": user}
    )


@role_required(Role.ADMIN)
def team_list(request: HttpRequest) -> HttpResponse:
    teams = CareTeam.objects.select_related("supervisor").annotate(
        n_members=Count("memberships", distinct=True), n_patients=Count("patients", distinct=True)
    )
    return render(request, "accounts/team_list.html", {"teams": teams})


@role_required(Role.ADMIN)
def team_create(request: HttpRequest) -> HttpResponse:
    form = CareTeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        team = form.save()
        messages.success(request, f"Team {team.name} created.")
        return redirect("accounts:team-list")
    return render(request, "accounts/team_form.html", {"form": form, "title": "New care team"})


@role_required(Role.ADMIN)
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = get_object_or_404(CareTeam, pk=pk)
    form = CareTeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Team {team.name} saved.")
        return redirect("accounts:team-list")
    return render(request, "accounts/team_form.html", {"form": form, "title": f"Edit {team.name}"})
