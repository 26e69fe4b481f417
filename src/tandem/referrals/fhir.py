"""A referral as FHIR-shaped dicts: an SDOHCC ServiceRequest and the Task that tracks its loop.

Shapes follow the Gravity Project SDOH Clinical Care IG (STU 2.2): the Task has intent `order`,
code `fulfill`, `focus` pointing at the ServiceRequest, and `statusReason.text` when the referral
is rejected or failed. These are plain dicts for export and tests; nothing here validates against
the IG's StructureDefinitions.
"""

from __future__ import annotations

from typing import Any

from tandem.referrals.models import ResourceReferral

SDOHCC_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"

# Tandem's needs onto the IG's SDOH category codes; the ones with no domain of their own in the
# IG's category value set are sent as "unspecified" rather than guessed.
SDOH_CATEGORY = {
    "food": ("food-insecurity", "Food Insecurity"),
    "housing": ("housing-instability", "Housing Instability"),
    "transport": ("transportation-insecurity", "Transportation Insecurity"),
    "peer_group": ("social-connection", "Social Connection"),
}
UNSPECIFIED = ("sdoh-category-unspecified", "SDOH Category Unspecified")

TASK_STATUS = {
    "sent": "requested",
    "accepted": "accepted",
    "completed": "completed",
    "declined": "rejected",
    "no_response": "failed",
}
SERVICE_REQUEST_STATUS = {
    "sent": "active",
    "accepted": "active",
    "completed": "completed",
    "declined": "revoked",
    "no_response": "revoked",
}


def to_fhir(referral: ResourceReferral) -> dict[str, dict[str, Any]]:
    """Return {"ServiceRequest": ..., "Task": ...}; the patient is referenced by public id, never by name."""
    sr_id = f"referral-{referral.pk}"
    patient_ref = {"reference": f"Patient/{referral.patient.public_id}"}
    requester = (
        {"reference": f"Practitioner/{referral.made_by_id}"} if referral.made_by_id else {"display": "Tandem"}
    )
    code, display = SDOH_CATEGORY.get(referral.resource.category, UNSPECIFIED)
    service_request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": sr_id,
        "status": SERVICE_REQUEST_STATUS[referral.status],
        "intent": "order",
        "category": [{"coding": [{"system": SDOHCC_CODES, "code": code, "display": display}]}],
        "code": {"text": f"Referral to {referral.resource.name}"},
        "subject": patient_ref,
        "authoredOn": referral.made_on.isoformat(),
        "requester": requester,
        "performer": [{"display": referral.resource.name}],
    }
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": f"referral-task-{referral.pk}",
        "status": TASK_STATUS[referral.status],
        "intent": "order",
        "code": {"coding": [{"system": "http://hl7.org/fhir/CodeSystem/task-code", "code": "fulfill"}]},
        "focus": {"reference": f"ServiceRequest/{sr_id}"},
        "for": patient_ref,
        "authoredOn": referral.made_on.isoformat(),
        "requester": requester,
        "owner": {"display": referral.resource.name},
    }
    if referral.status_changed_on:
        task["lastModified"] = referral.status_changed_on.isoformat()
    if referral.follow_up_on and referral.is_open:
        task["restriction"] = {"period": {"end": referral.follow_up_on.isoformat()}}
    if task["status"] in ("rejected", "failed"):
        last = referral.history.order_by("-changed_at", "-id").first()
        reason = (last.note if last else "") or (
            "No response by the follow-up date" if referral.status == "no_response" else "Declined"
        )
        task["statusReason"] = {"text": reason}
    return {"ServiceRequest": service_request, "Task": task}
