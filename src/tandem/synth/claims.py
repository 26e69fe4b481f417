"""Accumulates medical claims and their lines as integer-coded arrays, then prices and finalises them.

Each service generator appends a block of claims (one row per claim: dates, codes, providers,
diagnoses) and a block of lines (one row per line, pointing at its claim). `finish` concatenates the
blocks, orders claims by person and date so claim ids rise with time, applies Medicaid fee levels,
charges and cost sharing, and returns per-line arrays ready for Arrow. Nothing here loops over rows in
Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from tandem.synth import services
from tandem.synth.population import Population
from tandem.synth.vocab import ICD

Arr = npt.NDArray[Any]

DX_SLOTS: Final = 25
PCS_SLOTS: Final = 2
# Cost-sharing classes.
SHARE_NONE, SHARE_PART_B, SHARE_PART_A = 0, 1, 2
PART_A_DEDUCTIBLE: Final = 1632.0  # 2024 inpatient deductible per benefit period
PART_B_COINSURANCE: Final = 0.20
MEDICAID_COPAY: Final = 3.0

_CLAIM_FIELDS: Final = (
    "person",
    "institutional",
    "start",
    "end",
    "admit",
    "discharge",
    "admit_source",
    "admit_type",
    "disposition",
    "pos",
    "bill",
    "drg",
    "render",
    "billing",
    "facility",
    "tin",
    "poa",
    "share",
)
_LINE_FIELDS: Final = ("claim", "rev", "hcpcs", "mod", "units", "line_start", "line_end", "allowed", "em")
_INT_DEFAULT: Final = -1  # "absent" for codes, providers and dates
_CLAIM_DEFAULTS: Final[dict[str, int | bool]] = {"institutional": False, "poa": False, "share": SHARE_NONE}


@dataclass
class FinishedClaims:
    """Per-line arrays of a chunk's medical claims, ordered by person, claim date, claim, line."""

    claim_number: Arr  # per line, 0-based claim ordinal within the chunk
    line_number: Arr
    person: Arr
    claim: dict[str, Arr]  # claim-level arrays gathered to lines
    line: dict[str, Arr]
    dx: Arr  # (25, lines) ICD indices, one row per diagnosis position
    pcs: Arr  # (2, lines)
    pcs_day: Arr
    paid: Arr
    allowed: Arr
    charge: Arr
    coinsurance: Arr
    copay: Arr
    deductible: Arr
    paid_day: Arr
    n_claims: int


class ClaimBuilder:
    """Collects claim and line blocks for one chunk."""

    def __init__(self, rng: np.random.Generator, pop: Population) -> None:
        self.rng = rng
        self.pop = pop
        self._claims: list[dict[str, Arr]] = []
        self._lines: list[dict[str, Arr]] = []
        self._dx: list[Arr] = []
        self._pcs: list[Arr] = []
        self._pcs_day: list[Arr] = []
        self._count = 0
        # Per-person price level: geographic practice-cost variation (GPCI-like, +-10%).
        self.area = np.exp(rng.normal(0.0, 0.10, pop.size))

    def add_claims(
        self, n: int, dx: Arr, pcs: Arr | None = None, pcs_day: Arr | None = None, **fields: Arr | int | bool
    ) -> int:
        """Append `n` claims; scalar fields broadcast. Returns the index of the first new claim."""
        block: dict[str, Arr] = {}
        for name in _CLAIM_FIELDS:
            value = fields.pop(name, _CLAIM_DEFAULTS.get(name, _INT_DEFAULT))
            arr = np.asarray(value)
            block[name] = np.broadcast_to(arr, (n,)).copy() if arr.ndim == 0 else arr
        if fields:
            raise TypeError(f"unknown claim fields: {sorted(fields)}")
        self._claims.append(block)
        self._dx.append(dx)
        self._pcs.append(pcs if pcs is not None else np.full((n, PCS_SLOTS), -1, dtype=np.int64))
        self._pcs_day.append(pcs_day if pcs_day is not None else np.full((n, PCS_SLOTS), -1, dtype=np.int64))
        first = self._count
        self._count += n
        return first

    def add_lines(self, claim: Arr, **fields: Arr | int | float) -> None:
        """Append lines of already-added claims (`claim` holds absolute claim indices)."""
        n = len(claim)
        block: dict[str, Arr] = {"claim": np.asarray(claim, dtype=np.int64)}
        for name in _LINE_FIELDS[1:]:
            default: int | float | bool = (
                0.0 if name == "allowed" else (False if name == "em" else _INT_DEFAULT)
            )
            if name == "units":
                default = 1
            arr = np.asarray(fields.pop(name, default))
            block[name] = np.broadcast_to(arr, (n,)).copy() if arr.ndim == 0 else arr
        if fields:
            raise TypeError(f"unknown line fields: {sorted(fields)}")
        self._lines.append(block)

    # ----- diagnoses -------------------------------------------------------------------------------
    def diagnoses(
        self, person: Arr, primary: Arr, n_chronic: Arr, p_social: float | Arr, extra: Arr | None = None
    ) -> Arr:
        """Diagnosis matrix: principal code, then chronic codes, then Z codes; duplicates removed.

        `primary` -1 means "use one of the person's chronic codes" (or a general exam if none).
        """
        pop, rng = self.pop, self.rng
        n = len(person)
        cnt = pop.chronic_n[person]
        safe_cnt = np.maximum(cnt, 1)
        offset = (rng.random(n) * safe_cnt).astype(np.int64)
        width = pop.chronic.shape[1]
        take = np.minimum(np.broadcast_to(np.asarray(n_chronic), (n,)), cnt)
        jmax = min(int(take.max(initial=0)), DX_SLOTS - 5)
        sn = pop.social_n[person]
        add_social = (sn > 0) & (rng.random(n) < p_social)
        n_social = min(int(pop.social.shape[1]), 3) if add_social.any() else 0
        cols = 2 + jmax + n_social
        dx = np.full((n, cols), -1, dtype=np.int32)
        first_chronic = pop.chronic[person, np.minimum(offset, width - 1)]
        dx[:, 0] = np.where(primary < 0, np.where(cnt > 0, first_chronic, ICD["Z0000"]), primary)
        if extra is not None:
            dx[:, 1] = extra
        for j in range(jmax):
            code = pop.chronic[person, (offset + j) % safe_cnt]
            dx[:, 2 + j] = np.where(j < take, code, -1)
        for j in range(n_social):
            dx[:, 2 + jmax + j] = np.where(add_social & (j < sn), pop.social[person, j], -1)
        # Remove duplicates of the principal/extra code and compact to the left.
        body = dx[:, 1:]
        body[(body == dx[:, :1]) | ((body == dx[:, 1:2]) & (np.arange(cols - 1) > 0)[None, :])] = -1
        order = np.argsort(dx < 0, axis=1, kind="stable")
        packed = np.take_along_axis(dx, order, axis=1)
        out = np.full((n, DX_SLOTS), -1, dtype=np.int32)
        out[:, : min(cols, DX_SLOTS)] = packed[:, :DX_SLOTS]
        return out

    # ----- finishing ---------------------------------------------------------------------------------
    def finish(self, month_start: Arr) -> FinishedClaims:
        """Order, price and cost-share everything added so far."""
        if not self._claims:
            empty = np.zeros(0, dtype=np.int64)
            self.add_claims(0, np.zeros((0, DX_SLOTS), dtype=np.int64), person=empty)
            self.add_lines(empty)
        claim = {f: np.concatenate([b[f] for b in self._claims]) for f in _CLAIM_FIELDS}
        line = {f: np.concatenate([b[f] for b in self._lines]) for f in _LINE_FIELDS}
        dx = np.concatenate(self._dx)
        pcs, pcs_day = np.concatenate(self._pcs), np.concatenate(self._pcs_day)

        # Claim order: person, start day, then insertion order; claim numbers follow it.
        order = np.lexsort((np.arange(len(claim["start"])), claim["start"], claim["person"]))
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        line_rank = rank[line["claim"]]
        lorder = np.lexsort((np.arange(len(line_rank)), line_rank))
        line = {k: v[lorder] for k, v in line.items()}
        cidx = line["claim"]
        claim_number = rank[cidx]
        starts = np.ones(len(cidx), dtype=bool)
        starts[1:] = claim_number[1:] != claim_number[:-1]
        first_pos = np.maximum.accumulate(np.where(starts, np.arange(len(cidx)), 0))
        line_number = np.arange(len(cidx)) - first_pos + 1

        person = claim["person"][cidx]
        gathered = {k: v[cidx] for k, v in claim.items()}
        amounts = self._amounts(claim, line, cidx, person, month_start)
        return FinishedClaims(
            claim_number=claim_number,
            line_number=line_number,
            person=person,
            claim=gathered,
            line=line,
            dx=np.take(dx.T, cidx, axis=1),
            pcs=np.take(pcs.T, cidx, axis=1),
            pcs_day=np.take(pcs_day.T, cidx, axis=1),
            n_claims=len(order),
            **amounts,
        )

    def _amounts(
        self, claim: dict[str, Arr], line: dict[str, Arr], cidx: Arr, person: Arr, month_start: Arr
    ) -> dict[str, Arr]:
        rng, pop = self.rng, self.pop
        n_claims = len(claim["start"])
        medicaid = ~pop.medicare[person]
        inst = claim["institutional"][cidx]
        factor = np.where(
            medicaid, np.where(inst, services.MEDICAID_FACILITY_FACTOR, services.MEDICAID_PRICE_FACTOR), 1.0
        )
        allowed = np.round(line["allowed"] * factor, 2)
        markup_claim = np.where(
            claim["institutional"], rng.uniform(2.5, 4.5, n_claims), rng.uniform(1.6, 2.6, n_claims)
        )
        charge = np.round(allowed * markup_claim[cidx], 2)
        share = claim["share"][cidx]
        coins = np.where(~medicaid & (share == SHARE_PART_B), np.round(allowed * PART_B_COINSURANCE, 2), 0.0)
        copay = np.where(medicaid & line["em"], np.minimum(MEDICAID_COPAY, allowed), 0.0)
        # Part A deductible: first inpatient claim of each person and calendar year, spread over its lines.
        claim_total = np.bincount(cidx, weights=allowed, minlength=n_claims)
        claim_ded = np.zeros(n_claims)
        part_a = np.unique(cidx[~medicaid & (share == SHARE_PART_A)])
        if len(part_a):
            who = claim["person"][part_a]
            year = claim["start"][part_a].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
            order = np.lexsort((claim["start"][part_a], year, who))
            key = (who * 10_000 + year)[order]
            opens = np.ones(len(order), dtype=bool)
            opens[1:] = key[1:] != key[:-1]
            opening = part_a[order][opens]
            claim_ded[opening] = np.minimum(PART_A_DEDUCTIBLE, claim_total[opening])
        deductible = np.round(claim_ded[cidx] * allowed / np.maximum(claim_total[cidx], 0.01), 2)
        deductible = np.minimum(deductible, allowed - coins - copay)
        paid = np.round(np.maximum(allowed - coins - copay - deductible, 0.0), 2)
        end = claim["end"][cidx]
        lag = 14 + rng.gamma(2.0, 7.0, n_claims).astype(np.int64)
        paid_day = end + lag[cidx]
        return {
            "paid": paid,
            "allowed": allowed,
            "charge": charge,
            "coinsurance": coins,
            "copay": copay,
            "deductible": np.round(deductible, 2),
            "paid_day": paid_day,
        }
