"""Helpers shared by the service generators: provider choice, unit prices and price noise."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt

from tandem.synth import services
from tandem.synth.providers import role_size, role_start
from tandem.synth.vocab import HCPCS

Arr = npt.NDArray[Any]

PRICE_BY_HCPCS: Final = np.array([services.HCPCS_PRICE[c] for c in HCPCS.codes])


def provider(role: str, key: Arr) -> Arr:
    """Global NPI index of a `role` provider chosen by a per-person or per-claim integer key."""
    return np.asarray(role_start(role) + np.asarray(key) % role_size(role), dtype=np.int64)


def group_billing(key: Arr) -> dict[str, Arr]:
    """Billing group NPI and its TIN, both chosen by the same key, as keyword arguments for add_claims."""
    return {"billing": provider("group", key), "tin": np.asarray(key) % role_size("group")}


def unit_price(code: str, facility: bool = False) -> float:
    """Allowed amount per unit; the hospital outpatient (facility) rate where one exists."""
    table = (
        services.OP_FACILITY_PRICE
        if facility and code in services.OP_FACILITY_PRICE
        else services.HCPCS_PRICE
    )
    return float(table[code])


def noise(rng: np.random.Generator, n: int, sd: float = 0.06) -> Arr:
    """Multiplicative price noise (lognormal, median 1): claims for one service are never all identical."""
    return np.exp(rng.normal(0.0, sd, n))
