"""Every code the generator can write, gathered into fixed, ordered vocabularies.

Claim columns are written as Arrow dictionary arrays: small integer indices into these vocabularies.
That keeps generation vectorised (no per-row strings) and makes Parquet writing cheap. A vocabulary's
order only has to be stable for a given package version; it is sorted so it does not depend on the
order modules list their codes in.
"""

from __future__ import annotations

from typing import Final

from tandem.synth import acute, services
from tandem.synth.conditions import CONDITIONS, SOCIAL_NEEDS, STATUS_CODES
from tandem.synth.drugs import DRUGS


class Vocabulary:
    """An ordered list of codes with a reverse index."""

    def __init__(self, codes: list[str] | tuple[str, ...], *, keep_order: bool = False) -> None:
        unique = list(dict.fromkeys(codes)) if keep_order else sorted(set(codes))
        self.codes: tuple[str, ...] = tuple(unique)
        self._index = {c: i for i, c in enumerate(self.codes)}

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, code: str) -> int:
        return self._index[code]

    def indices(self, codes: list[str] | tuple[str, ...]) -> list[int]:
        """Indices of several codes, in order."""
        return [self._index[c] for c in codes]


def _icd_codes() -> list[str]:
    codes: list[str] = []
    for cond in CONDITIONS:
        codes += [c for c, _ in cond.codes] + [c for c, _ in cond.codes_female]
    codes += [c for c, _, _ in STATUS_CODES]
    for need in SOCIAL_NEEDS:
        codes += [c for c, _ in need.codes]
    codes += [r.code for r in acute.ADMIT_REASONS] + [r.code for r in acute.ED_REASONS]
    codes += [c for c, _ in acute.OFFICE_ACUTE] + [acute.CHILD_EXAM_CODE, acute.CHEMO_ENCOUNTER_CODE]
    codes += list(acute.AFTERCARE_CODES) + [acute.DIALYSIS_CODE]
    return codes


ICD: Final = Vocabulary(_icd_codes())
HCPCS: Final = Vocabulary(list(services.HCPCS_PRICE))
REVENUE: Final = Vocabulary(services.REVENUE_CODES)
POS: Final = Vocabulary(services.PLACES_OF_SERVICE)
BILL_TYPE: Final = Vocabulary(services.BILL_TYPES)
MODIFIER: Final = Vocabulary(services.MODIFIERS)
ADMIT_SOURCE: Final = Vocabulary(services.ADMIT_SOURCES)
ADMIT_TYPE: Final = Vocabulary(services.ADMIT_TYPES)
DISPOSITION: Final = Vocabulary(services.DISCHARGE_DISPOSITIONS)
DRG: Final = Vocabulary([r.drg for r in acute.ADMIT_REASONS])
PCS: Final = Vocabulary(services.PROCEDURE_CODES)
NDC: Final = Vocabulary([d.ndc for d in DRUGS], keep_order=True)
