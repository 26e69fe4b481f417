"""Re-assessment over the care journey: what is due to be asked again, and why.

The first assessment is not the last: people's lives change, and scores are only useful as a
trend. Defaults follow common practice in collaborative care (re-screen depression and anxiety
about every 3 months while enrolled; revisit social needs and the person's priorities twice a
year); they are program policy, not published cut-offs, so they live in one table here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from tandem.assessment.models import Domain, DomainEntry, InstrumentResponse
from tandem.programs.models import Episode, EpisodeStatus

# Days after which an instrument or domain is due again while the person is enrolled.
INSTRUMENT_INTERVALS = {"phq9": 90, "gad7": 90, "promis10": 180, "ahc-hrsn": 180}
DOMAIN_INTERVALS = {Domain.WHAT_MATTERS: 180, Domain.SOCIAL_NEEDS: 180, Domain.CARE_PREFERENCES: 365}


@dataclass(frozen=True)
class Due:
    kind: str  # "instrument" or "domain"
    key: str
    label: str
    last_on: date | None
    due_on: date

    @property
    def reason(self) -> str:
        if self.last_on is None:
            return "never done"
        return f"last done {self.last_on:%b %-d, %Y}"


def reassessment_due(episode: Episode, *, today: date | None = None) -> list[Due]:
    """Instruments and domains due again for an enrolled person, oldest first."""
    today = today or timezone.localdate()
    if episode.status != EpisodeStatus.ENROLLED or episode.enrolled_on is None:
        return []
    start = episode.enrolled_on
    out: list[Due] = []
    for instrument, days in INSTRUMENT_INTERVALS.items():
        last = (
            InstrumentResponse.objects.filter(patient=episode.patient, instrument=instrument)
            .order_by("-administered_on")
            .values_list("administered_on", flat=True)
            .first()
        )
        due = (last or start) + timedelta(days=days)
        if due <= today:
            out.append(Due("instrument", instrument, instrument.upper(), last, due))
    for domain, days in DOMAIN_INTERVALS.items():
        last = (
            DomainEntry.objects.filter(episode=episode, domain=domain, complete=True)
            .order_by("-recorded_on")
            .values_list("recorded_on", flat=True)
            .first()
        )
        # Domains never completed belong to the first 30 days' assessment, not to re-assessment.
        if last is None:
            continue
        due = last + timedelta(days=days)
        if due <= today:
            out.append(Due("domain", str(domain), Domain(domain).label, last, due))
    return sorted(out, key=lambda d: d.due_on)
