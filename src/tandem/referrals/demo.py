"""Fictional community resources and peer groups for the demo install.

Every name, address and phone number here is invented (555-01xx numbers are reserved for
fiction); the ZIP codes are only there so that searching by area has something to find.
"""

from __future__ import annotations

from typing import Any

from tandem.referrals.models import CommunityResource, PeerGroup
from tandem.referrals.services import normalise_zip_codes

_RESOURCES: list[dict[str, Any]] = [
    {
        "name": "Harborview Community Pantry",
        "category": "food",
        "area": "Harborview",
        "zip_codes": "02118 02119",
        "address": "41 Ferry Lane",
        "phone": "555-0101",
        "hours": "Tue and Thu 10am–2pm; Sat 9am–noon",
        "eligibility": "Anyone in the ZIP codes served; bring any proof of address.",
        "languages": "English, Spanish",
        "notes": "Fresh produce on Saturdays; diabetic-friendly boxes on request.",
    },
    {
        "name": "Eastside Meals on Wheels (fictional)",
        "category": "food",
        "area": "Eastside",
        "zip_codes": "02120 02121",
        "address": "9 Orchard Street",
        "phone": "555-0102",
        "hours": "Deliveries weekdays 11am–1pm",
        "eligibility": "Homebound adults after a short phone assessment.",
        "languages": "English, Haitian Creole",
        "notes": "Medically tailored meals for heart failure and kidney disease.",
    },
    {
        "name": "Riverside SNAP Application Help",
        "category": "food",
        "area": "County-wide",
        "zip_codes": "",
        "address": "Online and by phone",
        "phone": "555-0103",
        "hours": "Mon–Fri 9am–5pm",
        "eligibility": "Anyone; helps with SNAP and WIC applications.",
        "languages": "English, Spanish, Vietnamese",
    },
    {
        "name": "Safe Harbor Housing Navigation",
        "category": "housing",
        "area": "Harborview",
        "zip_codes": "02118",
        "address": "200 Dock Road, Suite 3",
        "phone": "555-0111",
        "hours": "Mon–Fri 8:30am–4:30pm",
        "eligibility": "Adults experiencing or at risk of homelessness.",
        "languages": "English, Spanish",
        "notes": "Coordinated-entry assessments; rapid rehousing vouchers when available.",
    },
    {
        "name": "Maple Street Rent Relief Fund",
        "category": "housing",
        "area": "Eastside",
        "zip_codes": "02120 02121 02122",
        "address": "75 Maple Street",
        "phone": "555-0112",
        "hours": "Wed 1pm–6pm",
        "eligibility": "Tenants with an eviction notice or past-due rent; income under 60% of area median.",
        "languages": "English",
    },
    {
        "name": "Northgate Medical Rides",
        "category": "transport",
        "area": "Northgate",
        "zip_codes": "02125 02126",
        "address": "Dispatch by phone",
        "phone": "555-0121",
        "hours": "Book 48 hours ahead; rides 6am–7pm",
        "eligibility": "Medicaid members going to medical appointments.",
        "languages": "English, Spanish, Portuguese",
    },
    {
        "name": "County Reduced-Fare Bus Pass Office",
        "category": "transport",
        "area": "County-wide",
        "zip_codes": "",
        "address": "1 Transit Plaza",
        "phone": "555-0122",
        "hours": "Mon–Fri 9am–4pm",
        "eligibility": "Adults 65+, people with a disability, or receiving SNAP.",
        "languages": "English, Spanish",
    },
    {
        "name": "Warm Homes Utility Assistance",
        "category": "utilities",
        "area": "County-wide",
        "zip_codes": "",
        "address": "310 Elm Avenue",
        "phone": "555-0131",
        "hours": "Mon–Thu 9am–3pm",
        "eligibility": "Households with a shut-off notice; fuel assistance November to April.",
        "languages": "English, Spanish, Haitian Creole",
    },
    {
        "name": "Lifeline Phone Sign-up Desk",
        "category": "utilities",
        "area": "Harborview",
        "zip_codes": "02118 02119",
        "address": "Harborview Library, 12 Tide Street",
        "phone": "555-0132",
        "hours": "Fridays 10am–1pm",
        "eligibility": "People receiving Medicaid, SNAP or SSI.",
        "languages": "English",
    },
    {
        "name": "Tenant Rights Legal Clinic (fictional)",
        "category": "legal",
        "area": "County-wide",
        "zip_codes": "",
        "address": "88 Court Street",
        "phone": "555-0141",
        "hours": "Walk-in Mon 5pm–7pm",
        "eligibility": "Low-income tenants facing eviction or unsafe conditions.",
        "languages": "English, Spanish",
    },
    {
        "name": "Benefits Appeal Project",
        "category": "legal",
        "area": "Eastside",
        "zip_codes": "02120 02121",
        "address": "75 Maple Street, 2nd floor",
        "phone": "555-0142",
        "hours": "By appointment",
        "eligibility": "People denied SSI, SSDI or Medicaid.",
        "languages": "English, Vietnamese",
    },
    {
        "name": "Bridgeway Walk-in Counseling",
        "category": "behavioral_health",
        "area": "Northgate",
        "zip_codes": "02125 02126 02127",
        "address": "14 Bridge Street",
        "phone": "555-0151",
        "hours": "Mon–Sat 9am–8pm, walk-ins until 6pm",
        "eligibility": "Adults; sliding scale, Medicaid accepted.",
        "languages": "English, Spanish",
    },
    {
        "name": "Harbor Recovery Center",
        "category": "behavioral_health",
        "area": "Harborview",
        "zip_codes": "02118 02119",
        "address": "5 Anchor Way",
        "phone": "555-0152",
        "hours": "Open 24 hours",
        "eligibility": "Adults seeking help with alcohol or opioid use; no appointment needed.",
        "languages": "English, Spanish, Portuguese",
        "notes": "Medication for opioid use disorder started same day when appropriate.",
    },
    {
        "name": "Diabetes Circle at Eastside Library",
        "category": "peer_group",
        "area": "Eastside",
        "zip_codes": "02120",
        "address": "Eastside Library community room, 3 Reading Lane",
        "phone": "555-0161",
        "hours": "Thursdays 5:30pm–7pm",
        "eligibility": "Anyone living with diabetes, and family.",
        "languages": "English, Spanish",
    },
    {
        "name": "Second Wind Recovery Peers",
        "category": "peer_group",
        "area": "Harborview",
        "zip_codes": "",
        "address": "5 Anchor Way, room B",
        "phone": "555-0162",
        "hours": "Mondays and Wednesdays 6pm",
        "eligibility": "People in recovery; led by certified peer specialists.",
        "languages": "English",
    },
]

_GROUPS: list[dict[str, Any]] = [
    {
        "name": "Healthy Hearts Peer Circle",
        "description": "People living with heart failure share what works: "
        "salt, swelling, scales and getting to appointments.",
        "peer_leaders": "Dolores M. (peer leader)",
        "schedule": "Tuesdays 2–3:30pm",
        "location": "Harborview Library, 12 Tide Street",
        "area": "Harborview",
    },
    {
        "name": "Steady Ground Recovery Group",
        "description": "Mutual support for people in recovery from "
        "alcohol or drug use, with a certified peer specialist.",
        "peer_leaders": "Marcus T. (peer specialist)",
        "schedule": "Thursdays 6–7:30pm",
        "location": "Bridgeway, 14 Bridge Street",
        "area": "Northgate",
    },
]


def seed_resources() -> tuple[int, int]:
    """Create the fictional directory and groups; safe to run again (matched by name, nothing duplicated)."""
    made_resources = made_groups = 0
    for row in _RESOURCES:
        data = {**row, "zip_codes": normalise_zip_codes(row["zip_codes"])}
        _, created = CommunityResource.objects.get_or_create(name=data.pop("name"), defaults=data)
        made_resources += created
    for row in _GROUPS:
        data = dict(row)
        _, created = PeerGroup.objects.get_or_create(name=data.pop("name"), defaults=data)
        made_groups += created
    return made_resources, made_groups
