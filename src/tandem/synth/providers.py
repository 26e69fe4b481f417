"""A fixed synthetic provider directory: NPIs by role and TINs for billing groups.

NPIs are 10 digits with a valid Luhn check digit (computed with the 80840 prefix, as CMS specifies),
so downstream NPI validation accepts them. They are drawn at random from a fixed seed that does not
depend on the generation seed, so every synthetic population shares one directory and provider-level
analytics (attribution, panels) stay comparable between runs. Random valid NPIs can coincide with real
providers' numbers; nothing else about a real provider is implied. TINs start with 99 to look synthetic.
"""

from __future__ import annotations

from typing import Final

import numpy as np

PROVIDER_SEED: Final = 20_240_101

# Role -> pool size. Individuals first, organisations after; the order fixes indices.
ROLES: Final[tuple[tuple[str, int], ...]] = (
    ("pcp", 4000),
    ("cardiology", 600),
    ("pulmonology", 300),
    ("nephrology", 250),
    ("oncology", 300),
    ("psychiatry", 500),
    ("therapist", 1200),
    ("orthopedics", 300),
    ("hospitalist", 1500),
    ("emergency", 900),
    ("radiology", 400),
    ("nf_physician", 300),
    ("group", 1000),
    ("hospital", 200),
    ("snf", 300),
    ("home_health", 150),
    ("hospice", 80),
    ("lab", 25),
    ("dialysis", 150),
    ("dme", 60),
    ("ambulance", 120),
    ("pharmacy", 1500),
    ("specialty_pharmacy", 20),
)

_ORGANISATION_ROLES: Final = frozenset(
    {
        "group",
        "hospital",
        "snf",
        "home_health",
        "hospice",
        "lab",
        "dialysis",
        "dme",
        "ambulance",
        "pharmacy",
        "specialty_pharmacy",
    }
)


def _luhn_sum(payload: str) -> int:
    """Luhn sum of `payload`, doubling every second digit counted from the right end."""
    total = 0
    for pos, ch in enumerate(reversed(payload)):
        d = int(ch)
        if pos % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total


def _check_digit(first9: str) -> str:
    # The check digit sits at the right end, so the payload's last digit is at an odd position.
    return str((10 - _luhn_sum("80840" + first9 + "0") % 10) % 10)


def _build() -> tuple[list[str], dict[str, tuple[int, int]], list[str]]:
    rng = np.random.default_rng(PROVIDER_SEED)
    total = sum(size for _, size in ROLES)
    # Individuals' NPIs start with 1, organisations' with 1 or 2 -- both valid NPI leading digits.
    body = 100_000_000 + rng.choice(200_000_000, size=total, replace=False)
    npis = [f"{b:09d}" + _check_digit(f"{b:09d}") for b in body.tolist()]
    spans: dict[str, tuple[int, int]] = {}
    start = 0
    for role, size in ROLES:
        spans[role] = (start, size)
        start += size
    tins = [
        f"99{v:07d}" for v in rng.choice(10_000_000, size=spans["group"][1] + 200, replace=False).tolist()
    ]
    return npis, spans, tins


NPIS, ROLE_SPANS, TINS = _build()


def role_start(role: str) -> int:
    """Index of the first NPI of `role` in `NPIS`."""
    return ROLE_SPANS[role][0]


def role_size(role: str) -> int:
    """How many NPIs the directory holds for `role`."""
    return ROLE_SPANS[role][1]


def is_valid_npi(npi: str) -> bool:
    """Luhn check of a 10-digit NPI (with the 80840 prefix); used by tests and callers that validate."""
    if len(npi) != 10 or not npi.isdigit():
        return False
    return _luhn_sum("80840" + npi) % 10 == 0


ORGANISATION_ROLES: Final = _ORGANISATION_ROLES
