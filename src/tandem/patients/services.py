"""Finding and updating patients, always through the caller's access rules."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from tandem.core.errors import StaleEdit
from tandem.core.permissions import visible_patients
from tandem.patients.models import Patient


def search(
    user: Any, *, name: str = "", birth_date: date | None = None, member_id: str = ""
) -> QuerySet[Patient]:
    """Search only what the user may see; every term narrows the result."""
    qs = visible_patients(user)
    for term in name.split():
        qs = qs.filter(
            Q(given_name__icontains=term) | Q(family_name__icontains=term) | Q(preferred_name__icontains=term)
        )
    if birth_date:
        qs = qs.filter(birth_date=birth_date)
    if member_id.strip():
        qs = qs.filter(identifiers__value__iexact=member_id.strip()).distinct()
    return qs.select_related("care_team").order_by("family_name", "given_name")[:100]


def update_contact(patient: Patient, changes: dict[str, Any], *, expected_version: int) -> Patient:
    """Save edits only if nobody saved since the form was opened (optimistic locking).

    The version check and bump happen in one UPDATE so two simultaneous saves cannot both win.
    """
    fields = {k: v for k, v in changes.items() if k != "version"}
    for key, value in fields.items():
        setattr(patient, key, value)
    patient.version = expected_version + 1
    n = Patient.objects.filter(pk=patient.pk, version=expected_version).update(version=expected_version + 1)
    if n != 1:
        raise StaleEdit("Someone else saved this patient's details while you were editing.")
    patient.save(update_fields=[*fields, "version", "updated_at"])
    return patient
