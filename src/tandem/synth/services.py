"""Billing vocabularies (HCPCS, revenue centres, places of service, bill types) and prices.

Prices are Medicare *allowed* amounts per unit, rounded, approximating CY2024 national rates: the
Physician Fee Schedule for professional codes, OPPS APC payments for hospital outpatient lines, the
Clinical Laboratory Fee Schedule for labs, the ESRD PPS base rate (~$270/treatment), the SNF PDPM and
hospice routine-home-care per diems, and ASP+6% for Part B drugs. They are from memory and only need to
be right in order of magnitude; the population spend distribution is what the tests check.
Medicaid pays a fraction of Medicare (`MEDICAID_PRICE_FACTOR`, after KFF's Medicaid-to-Medicare fee
index, ~0.72 for physician services).
"""

from __future__ import annotations

from typing import Final

# HCPCS/CPT code -> Medicare allowed per unit (USD).
HCPCS_PRICE: Final[dict[str, float]] = {
    # Office / outpatient E&M (new 99202-99205, established 99211-99215), wellness, care management.
    "99202": 73,
    "99203": 112,
    "99204": 167,
    "99205": 220,
    "99211": 23,
    "99212": 56,
    "99213": 90,
    "99214": 128,
    "99215": 180,
    "G0439": 133,
    "99497": 85,
    "G2211": 16,
    "99490": 62,
    # Nursing facility visits for long-term residents.
    "99308": 65,
    "99309": 95,
    "99310": 140,
    # ED visits (professional fee; facility lines are priced by `ED_FACILITY_PRICE`).
    "99281": 12,
    "99282": 40,
    "99283": 68,
    "99284": 118,
    "99285": 172,
    # Hospital inpatient visits, critical care.
    "99221": 105,
    "99222": 135,
    "99223": 200,
    "99231": 45,
    "99232": 75,
    "99233": 110,
    "99238": 75,
    "99239": 110,
    "99291": 280,
    # Behavioural health: diagnostic evaluation, psychotherapy, group, injection, LAI antipsychotic
    # (J2426 paliperidone palmitate per mg), opioid treatment programme weekly bundle.
    "90791": 175,
    "90832": 75,
    "90834": 100,
    "90837": 148,
    "90853": 28,
    "96372": 15,
    "J2426": 13.5,
    "G2067": 240,
    # Laboratory.
    "36415": 3,
    "80053": 11,
    "85025": 8,
    "83036": 10,
    "80061": 14,
    "84443": 17,
    "82043": 6,
    "81001": 3,
    "80048": 8,
    "87086": 8,
    "80307": 62,
    # Cardiology, imaging, procedures.
    "27447": 1350,
    "27236": 1250,
    "92928": 640,  # coronary stent, single vessel (approximate national PFS amount, from memory)
    "27880": 1050,  # amputation, leg, through tibia and fibula (approximate, from memory)
    "93000": 16,
    "93005": 9,
    "93306": 205,
    "71046": 28,
    "70450": 110,
    "74177": 300,
    "73562": 35,
    "72148": 230,
    "77067": 130,
    "45378": 210,
    "66984": 540,
    # Chemotherapy administration and Part B oncology drugs (per HCPCS billing unit).
    "96413": 140,
    "96415": 30,
    "J9271": 55,
    "J9355": 80,
    "J9035": 70,
    "J9312": 90,
    "J9217": 240,
    # ED facility drugs.
    "J1885": 1,
    "J2405": 1,
    # Dialysis monthly capitation (physician), DME rentals, ambulance.
    "90960": 270,
    "E1390": 80,
    "E0601": 70,
    "K0001": 40,
    "A0427": 480,
    "A0429": 400,
    "A0425": 8,
    # Home health visits (skilled nursing, physical therapy), SNF therapy.
    "G0299": 140,
    "G0151": 160,
    "97110": 30,
    "97535": 32,
}

# Hospital outpatient ED facility payment by visit level 1-5 (OPPS type A ED APCs 5021-5025, approx).
ED_FACILITY_PRICE: Final[tuple[float, ...]] = (85.0, 155.0, 275.0, 445.0, 640.0)
ED_EM_CODES: Final[tuple[str, ...]] = ("99281", "99282", "99283", "99284", "99285")

# Facility add-on prices (hospital outpatient) that differ from the professional fee.
OP_FACILITY_PRICE: Final[dict[str, float]] = {
    "71046": 75,
    "70450": 200,
    "74177": 330,
    "72148": 420,
    "93306": 520,
    "93005": 30,
    "45378": 820,
    "66984": 2100,
    "96413": 330,
    "96415": 70,
    "80053": 11,
    "85025": 8,
    "87086": 8,
    "81001": 3,
    "J1885": 1,
    "J2405": 1,
}

# Per diem and per-session institutional prices.
SNF_PER_DIEM: Final = 610.0
HOSPICE_PER_DIEM: Final = 220.0
DIALYSIS_PER_SESSION: Final = 275.0
HOME_HEALTH_PERIOD: Final = 2050.0
IPPS_BASE_RATE: Final = 9000.0  # standardised amount plus typical IME/DSH/outlier add-ons, FY2024, approx.
PSYCH_PER_DIEM: Final = 1000.0  # IPF PPS per diem, approx.

MEDICAID_PRICE_FACTOR: Final = 0.72
MEDICAID_FACILITY_FACTOR: Final = 0.85

# Vocabularies written to the claim tables. Their order fixes dictionary indices; only append.
REVENUE_CODES: Final[tuple[str, ...]] = (
    "0120",
    "0124",
    "0126",
    "0200",
    "0250",
    "0278",
    "0300",
    "0320",
    "0350",
    "0360",
    "0410",
    "0420",
    "0430",
    "0450",
    "0483",
    "0610",
    "0636",
    "0730",
    "0750",
    "0821",
    "0335",
    "0551",
    "0421",
    "0651",
    "0191",
)
PLACES_OF_SERVICE: Final[tuple[str, ...]] = (
    "11",
    "12",
    "21",
    "22",
    "23",
    "31",
    "32",
    "41",
    "81",
    "02",
    "10",
    "53",
    "58",
    "65",
)
BILL_TYPES: Final[tuple[str, ...]] = ("111", "131", "211", "329", "721", "811")
MODIFIERS: Final[tuple[str, ...]] = ("25", "26", "RR", "RH", "95", "TC")
ADMIT_SOURCES: Final[tuple[str, ...]] = ("1", "2", "4", "5", "7")
ADMIT_TYPES: Final[tuple[str, ...]] = ("1", "2", "3")
DISCHARGE_DISPOSITIONS: Final[tuple[str, ...]] = (
    "01",
    "02",
    "03",
    "06",
    "07",
    "20",
    "30",
    "40",
    "50",
    "51",
    "62",
)
# ICD-10-PCS codes on inpatient claims (new codes go last: the vocabulary's order fixes its indices). The
# coronary stent (027034Z, an AHRQ PQI cardiac procedure) and the below-knee amputation (0Y6H0Z1, PQI 16's
# numerator) let the synthetic population exercise the PQI procedure rules and the planned-readmission
# procedure lists.
PROCEDURE_CODES: Final[tuple[str, ...]] = (
    "0QS604Z",
    "0SRC0JZ",
    "5A1D70Z",
    "5A1945Z",
    "30233N1",
    "027034Z",
    "0Y6H0Z1",
)

# Office E&M level mix for established patients 99211-99215 (Medicare Part B utilisation shares,
# roughly 2%/11%/42%/38%/7%); sicker people shift toward 99214/99215.
OFFICE_EM_CODES: Final[tuple[str, ...]] = ("99211", "99212", "99213", "99214", "99215")
OFFICE_EM_SHARES: Final[tuple[float, ...]] = (0.02, 0.11, 0.42, 0.38, 0.07)
NEW_PATIENT_EM_CODES: Final[tuple[str, ...]] = ("99202", "99203", "99204", "99205")

# Lab panels ordered at visits: (codes, probability that a lab claim carries the line).
LAB_LINES: Final[tuple[tuple[str, float], ...]] = (
    ("36415", 0.8),
    ("80053", 0.45),
    ("85025", 0.4),
    ("80061", 0.2),
    ("84443", 0.1),
    ("81001", 0.1),
    ("82043", 0.05),
    ("80048", 0.15),
)
