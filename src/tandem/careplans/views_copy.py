"""The patient's written copy: a print view and a PDF, in their language and in large type."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from tandem.careplans import patient_copy, pdf
from tandem.careplans.views import find_plan
from tandem.core import audit
from tandem.core.models import AuditAction
from tandem.core.permissions import CLINICAL_ROLES, role_required


@role_required(*CLINICAL_ROLES)
def print_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = find_plan(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    assert found.plan is not None
    audit.record_view(found.plan, detail="patient copy, print view")
    copy = patient_copy.build(found.plan)
    with translation.override(copy.language):
        response = render(request, "careplans/print.html", {"patient": found.patient, "copy": copy})
    response["Content-Language"] = copy.language
    return response


@role_required(*CLINICAL_ROLES)
def pdf_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    found = find_plan(request, public_id)
    if isinstance(found, HttpResponse):
        return found
    assert found.plan is not None
    copy = patient_copy.build(found.plan)
    audit.record(AuditAction.EXPORT, resource=found.plan, detail=f"patient copy PDF ({copy.language})")
    response = HttpResponse(pdf.render(copy), content_type="application/pdf")
    # The file name carries no name or id: it is saved on shared computers and printers' queues.
    response["Content-Disposition"] = 'inline; filename="care-plan.pdf"'
    response["Content-Language"] = copy.language
    return response
