"""Look instruments up by the short ids used in the CLI, the API and stored results.

Ids are part of stored data (``ScoreResult.instrument``), so they never change once released.
"""

from __future__ import annotations

from .ahc_hrsn import AHC_HRSN
from .base import Instrument
from .gad7 import GAD7
from .phq import PHQ2, PHQ9
from .promis_global import PROMIS10


class UnknownInstrument(LookupError):
    """Raised for an id that is not registered; the message lists the ids that are."""

    def __init__(self, instrument_id: str) -> None:
        self.instrument_id = instrument_id
        super().__init__(f"unknown instrument {instrument_id!r}; known: {', '.join(INSTRUMENTS)}")


INSTRUMENTS: dict[str, Instrument] = {i.id: i for i in (PHQ2, PHQ9, GAD7, PROMIS10, AHC_HRSN)}


def get(instrument_id: str) -> Instrument:
    """Return the instrument registered under ``instrument_id`` (case-insensitive)."""
    try:
        return INSTRUMENTS[instrument_id.strip().lower()]
    except KeyError:
        raise UnknownInstrument(instrument_id) from None


def all_instruments() -> list[Instrument]:
    return list(INSTRUMENTS.values())
