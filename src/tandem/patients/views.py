"""Patient search, the patient page and the forms that keep a person's details."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from tandem.core import audit
from tandem.core.errors import StaleEdit
from tandem.core.models import AuditAction
from tandem.core.permissions import CLINICAL_ROLES, patient_or_denial, role_required
from tandem.patients import services
from tandem.patients.forms import PatientContactForm, PatientSearchForm, RelatedPersonForm
from tandem.patients.models import Patient, RelatedPerson
from tandem.programs.services import current_episode


@role_required(*CLINICAL_ROLES)
def search(request: HttpRequest) -> HttpResponse:
    results = None
    form = PatientSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        results = list(
            services.search(
                request.user,
                name=data.get("name") or "",
                birth_date=data.get("birth_date"),
                member_id=data.get("member_id") or "",
            )
        )
        used = [k for k in ("name", "birth_date", "member_id") if data.get(k)]
        audit.record(
            AuditAction.SEARCH,
            resource_type="patients.Patient",
            fields=used,
            detail=f"{len(results)} result(s)",
        )
    return render(request, "patients/search.html", {"form": form, "results": results})


@role_required(*CLINICAL_ROLES)
def detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    patient = found
    audit.record_view(patient)
    episode = current_episode(patient)
    context: dict[str, Any] = {
        "patient": patient,
        "episode": episode,
        "episodes": patient.episodes.select_related("program").order_by("-created_at"),
        "status_history": episode.status_history.select_related("changed_by") if episode else [],
        "identifiers": patient.identifiers.all(),
        "related_people": patient.related_people.all(),
        "participants": patient.care_participants.filter(ended_on__isnull=True).select_related("user"),
        "team": patient.care_team,
        "team_members": patient.care_team.members.all() if patient.care_team else [],
    }
    return render(request, "patients/detail.html", context)


@role_required(*CLINICAL_ROLES)
def edit_contact(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    patient = found
    conflict: list[dict[str, Any]] = []
    if request.method == "POST":
        form = PatientContactForm(request.POST, instance=Patient.objects.get(pk=patient.pk))
        if form.is_valid():
            try:
                services.update_contact(
                    patient, form.cleaned_data, expected_version=form.cleaned_data["version"]
                )
            except StaleEdit as exc:
                saved = Patient.objects.get(pk=patient.pk)
                conflict = _differences(form, saved)
                messages.error(
                    request,
                    exc.message + " Their saved values are shown beside yours; "
                    "check them, then save again to keep yours.",
                )
                data = request.POST.copy()
                data["version"] = str(saved.version)
                form = PatientContactForm(data, instance=saved)
                form.is_valid()
            else:
                messages.success(request, "Contact details saved.")
                return redirect("patients:detail", public_id=patient.public_id)
    else:
        audit.record_view(patient, detail="edit form")
        form = PatientContactForm(instance=patient, initial={"version": patient.version})
    return render(
        request, "patients/edit_contact.html", {"patient": patient, "form": form, "conflict": conflict}
    )


def _differences(form: PatientContactForm, saved: Patient) -> list[dict[str, Any]]:
    rows = []
    for name in form.Meta.fields:
        theirs = getattr(saved, name)
        mine = form.cleaned_data.get(name)
        if (theirs or "") != (mine or ""):
            field = form.fields[name]
            rows.append({"label": field.label, "theirs": theirs, "mine": mine})
    return rows


@role_required(*CLINICAL_ROLES)
def related_person_form(request: HttpRequest, public_id: UUID, pk: int | None = None) -> HttpResponse:
    found = patient_or_denial(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    patient = found
    instance = get_object_or_404(RelatedPerson, pk=pk, patient=patient) if pk else None
    form = RelatedPersonForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        person = form.save(commit=False)
        person.patient = patient
        person.save()
        messages.success(request, "Saved.")
        return redirect("patients:detail", public_id=patient.public_id)
    return render(request, "patients/related_person_form.html", {"patient": patient, "form": form})
