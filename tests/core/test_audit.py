"""The audit trail: reads and changes recorded, nothing editable."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from tandem.accounts.models import Role
from tandem.core import audit
from tandem.core.errors import AuditImmutableError
from tandem.core.models import AuditAction, AuditEvent
from tandem.patients.models import RelatedPerson
from tests.builders import make_episode, make_patient, make_team, make_user
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_viewing_a_patient_writes_a_view_event() -> None:
    cm = make_user(Role.CARE_MANAGER)
    patient = make_patient(team=make_team(members=(cm,)))
    before = AuditEvent.objects.filter(action=AuditAction.VIEW).count()
    login(Client(), cm).get(reverse("patients:detail", args=[patient.public_id]), REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("id")
    assert AuditEvent.objects.filter(action=AuditAction.VIEW).count() == before + 1
    assert event.actor == cm
    assert event.actor_username == cm.username
    assert event.actor_role == Role.CARE_MANAGER
    assert event.patient_id == patient.pk
    assert event.resource_type == "patients.Patient"
    assert event.ip_address == "10.1.2.3"
    assert event.request_id


def test_changes_record_the_fields_changed_never_the_values() -> None:
    cm = make_user(Role.CARE_MANAGER)
    patient = make_patient(team=make_team(members=(cm,)))
    client = login(Client(), cm)
    response = client.post(
        reverse("patients:edit-contact", args=[patient.public_id]),
        {
            "version": patient.version,
            "preferred_language": "es",
            "phone": "(856) 555-0101",
            "best_time_to_reach": "after 5pm",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, patient_id=patient.pk).latest("id")
    assert event.actor == cm
    assert {"preferred_language", "phone", "best_time_to_reach"} <= set(event.fields)
    assert "version" not in event.fields
    assert "555-0101" not in str(event.fields) + event.detail


def test_create_and_delete_of_related_records_are_audited() -> None:
    patient = make_patient()
    user = make_user(Role.CARE_MANAGER)
    with audit.acting_as(user):
        person = RelatedPerson.objects.create(patient=patient, name="Ana", relationship="daughter")
        person.delete()
    created = AuditEvent.objects.get(action=AuditAction.CREATE, resource_type="patients.RelatedPerson")
    deleted = AuditEvent.objects.get(action=AuditAction.DELETE, resource_type="patients.RelatedPerson")
    assert created.patient_id == deleted.patient_id == patient.pk
    assert created.actor == deleted.actor == user
    assert "name" in created.fields


def test_episode_transitions_are_audited_against_the_patient() -> None:
    patient = make_patient()
    make_episode(patient, status="enrolled", care_manager=make_user(Role.CARE_MANAGER), tier="high")
    types = set(AuditEvent.objects.filter(patient_id=patient.pk).values_list("resource_type", flat=True))
    assert {
        "programs.Episode",
        "programs.EpisodeStatusChange",
        "programs.TierChange",
        "programs.CareManagerAssignment",
    } <= types


def test_audit_events_cannot_be_changed_or_deleted_through_the_app() -> None:
    event = audit.record(AuditAction.VIEW, resource_type="x", resource_id="1")
    event.detail = "tampered"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()


def test_database_refuses_updates_to_audit_rows() -> None:
    event = audit.record(AuditAction.VIEW, resource_type="x", resource_id="1")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET detail = 'tampered' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.detail == ""


def test_admin_can_browse_and_filter_audit_log() -> None:
    cm = make_user(Role.CARE_MANAGER, username="watched")
    patient = make_patient(team=make_team(members=(cm,)))
    login(Client(), cm).get(reverse("patients:detail", args=[patient.public_id]))
    admin = login(Client(), make_user(Role.ADMIN))
    response = admin.get(reverse("core:audit-list"), {"actor": "watched", "action": "view"})
    assert response.status_code == 200
    from bs4 import BeautifulSoup

    rows = BeautifulSoup(response.content, "html.parser").select("table.data tbody tr")
    assert len(rows) == 1
    assert "watched" in rows[0].get_text()
    bad = admin.get(reverse("core:audit-list"), {"since": "2026-05-02", "until": "2026-05-01"})
    assert b"The end date must be on or after the start date." in bad.content


def test_django_admin_offers_no_way_to_edit_audit_events() -> None:
    event = audit.record(AuditAction.VIEW, resource_type="x", resource_id="1")
    admin = login(Client(), make_user(Role.ADMIN))
    page = admin.get(f"/admin/core/auditevent/{event.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert admin.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_search_is_audited_without_the_search_terms() -> None:
    cm = make_user(Role.CARE_MANAGER)
    make_patient(team=make_team(members=(cm,)), family_name="Searchable")
    login(Client(), cm).post(reverse("patients:search"), {"name": "Searchable"})
    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.fields == ["name"]
    assert "Searchable" not in event.detail
    assert event.detail == "1 result(s)"
