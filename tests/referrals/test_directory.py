"""The directory: search by need, ZIP or area and words; editing is the administrator's alone."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

from tandem.accounts.models import Role
from tandem.core.errors import DomainError
from tandem.referrals import services
from tandem.referrals.demo import seed_resources
from tandem.referrals.models import CommunityResource, PeerGroup
from tests.builders import make_user
from tests.conftest import login
from tests.referrals.builders import make_resource

pytestmark = pytest.mark.django_db


def _soup(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")  # type: ignore[attr-defined]


def _names(**kw: str) -> set[str]:
    return {r.name for r in services.search_resources(**kw)}


def test_search_by_need_zip_area_and_words() -> None:
    make_resource("Harborview Pantry", "food", zip_codes="02118 02119", languages="English, Spanish")
    make_resource("Eastside Meals", "food", area="Eastside", zip_codes="02120")
    make_resource("County SNAP Help", "food", area="County-wide", zip_codes="")
    make_resource(
        "Safe Harbor Housing", "housing", zip_codes="02118", eligibility="Adults at risk of eviction"
    )
    make_resource("Closed Pantry", "food", zip_codes="02118", active=False)

    assert _names(need="food", area="02118") == {"Harborview Pantry", "County SNAP Help"}
    assert _names(need="food", area="02120") == {"Eastside Meals", "County SNAP Help"}
    # A ZIP is matched whole, never as part of another code.
    assert _names(area="0211") == set()
    assert _names(area="Eastside") == {"Eastside Meals"}
    assert _names(text="eviction") == {"Safe Harbor Housing"}
    assert _names(need="food", text="spanish") == {"Harborview Pantry"}
    assert "Closed Pantry" in {r.name for r in services.search_resources(area="02118", include_inactive=True)}


def test_zip_codes_are_normalised_and_checked() -> None:
    assert services.normalise_zip_codes(" 02118,02119; 02118 ") == "02118 02119"
    with pytest.raises(DomainError, match="5-digit"):
        services.normalise_zip_codes("02118, Eastside")


def test_directory_page_searches_for_clinicians_and_refuses_analysts() -> None:
    make_resource("Harborview Pantry", "food")
    make_resource("Safe Harbor Housing", "housing")
    cm = login(Client(), make_user(Role.CARE_MANAGER))
    page = _soup(cm.get(reverse("referrals:directory"), {"need": "food", "area": "02118"}))
    results = page.select_one("[data-testid=results]").get_text()
    assert "Harborview Pantry" in results and "Safe Harbor Housing" not in results
    assert len(page.find_all("h1")) == 1
    assert login(Client(), make_user(Role.ANALYST)).get(reverse("referrals:directory")).status_code == 403


def test_only_administrators_create_edit_and_deactivate_resources() -> None:
    resource = make_resource("Harborview Pantry", "food")
    for role in (Role.CARE_MANAGER, Role.SUPERVISOR, Role.ANALYST):
        client = login(Client(), make_user(role))
        assert client.get(reverse("referrals:manage-list")).status_code == 403
        assert (
            client.post(reverse("referrals:manage-new"), {"name": "X", "category": "food"}).status_code == 403
        )
        assert client.post(reverse("referrals:manage-active", args=[resource.pk])).status_code == 403
    assert CommunityResource.objects.count() == 1 and CommunityResource.objects.get().active

    admin = login(Client(), make_user(Role.ADMIN))
    bad = admin.post(
        reverse("referrals:manage-new"),
        {"name": "Northgate Rides", "category": "transport", "zip_codes": "2125"},
    )
    page = _soup(bad)
    assert bad.status_code == 200 and page.select_one(".has-error #id_zip_codes") is not None
    assert page.select_one("#id_name")["value"] == "Northgate Rides"  # what was typed is kept

    ok = admin.post(
        reverse("referrals:manage-new"),
        {"name": "Northgate Rides", "category": "transport", "zip_codes": "02125, 02126", "hours": "6am-7pm"},
    )
    assert ok.status_code == 302
    assert CommunityResource.objects.get(name="Northgate Rides").zip_codes == "02125 02126"

    edit = admin.post(
        reverse("referrals:manage-edit", args=[resource.pk]),
        {"name": "Harborview Community Pantry", "category": "food", "languages": "English, Spanish"},
    )
    assert edit.status_code == 302
    admin.post(reverse("referrals:manage-active", args=[resource.pk]), {"active": "0"})
    resource.refresh_from_db()
    assert resource.name == "Harborview Community Pantry" and not resource.active
    listing = (
        _soup(admin.get(reverse("referrals:manage-list"))).select_one("[data-testid=resources]").get_text()
    )
    assert "inactive" in listing


def test_administrators_see_no_patient_referral_pages() -> None:
    from tests.referrals.builders import make_caseload

    c = make_caseload()
    admin = login(Client(), make_user(Role.ADMIN))
    assert admin.get(reverse("referrals:patient", args=[c.patient.public_id])).status_code == 403
    assert admin.get(reverse("referrals:follow-ups")).status_code == 403


def test_demo_seed_is_fictional_and_idempotent() -> None:
    assert seed_resources() == (15, 2)
    assert seed_resources() == (0, 0)
    assert CommunityResource.objects.count() == 15 and PeerGroup.objects.count() == 2
    assert all(r.phone.startswith("555-01") for r in CommunityResource.objects.all())
    assert {r.category for r in CommunityResource.objects.all()} >= {
        "food",
        "housing",
        "transport",
        "utilities",
        "legal",
        "behavioral_health",
        "peer_group",
    }
