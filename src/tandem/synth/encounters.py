"""Encounter events per person-month: rates driven by latent severity, inpatient stays and readmissions.

Rates are log-linear in monthly severity `s`: `rate = base * exp(slope * s) * modifiers`. Slopes grow
with acuity (office 0.45 < ED 0.75 < inpatient 1.0), which is what concentrates spend: the sickest few
percent generate most admissions. Behavioural-health conditions and documented social needs multiply
ED use (Camden Coalition and CareOregon populations), hospice damps hospital use.

Inpatient stays get a principal diagnosis from the person's conditions (`acute.ADMIT_REASONS`), a
length of stay, a discharge disposition and, for the sick, 30-day readmissions: each discharge home
carries a readmission probability rising with severity (Medicare all-cause 30-day readmission is about
15-18%, CMS Hospital Readmissions Reduction Program), with the readmission 1-30 days later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from tandem.synth.acute import ADMIT_REASONS
from tandem.synth.conditions import CONDITION_INDEX, SEG_75, SEG_85, SEG_DISABLED
from tandem.synth.mathutil import categorical
from tandem.synth.population import Population
from tandem.synth.vocab import ADMIT_SOURCE, ADMIT_TYPE, DISPOSITION

Arr = npt.NDArray[Any]

IP_RATE: Final = 0.0048
IP_MAX_MONTHLY: Final = 0.25
IP_SLOPE: Final = 1.4
ED_RATE: Final = 0.028
ED_SLOPE: Final = 0.75
READMIT_INTERCEPT: Final = -3.6
READMIT_SLOPE: Final = 0.45
IN_HOSPITAL_DEATH_SHARE: Final = 0.30  # of decedents not in hospice (Medicare: ~20-30% die in hospital)

# Admission reason affinity matrix: (conditions, reasons) and base weights.
_REASON_BASE: Final = np.array([r.base for r in ADMIT_REASONS])
_REASON_AFFINITY: Final = np.zeros((len(CONDITION_INDEX), len(ADMIT_REASONS)))
for _j, _r in enumerate(ADMIT_REASONS):
    for _key, _w in _r.affinity:
        _REASON_AFFINITY[CONDITION_INDEX[_key], _j] = _w
REASON_LOS: Final = np.array([r.los for r in ADMIT_REASONS])
REASON_KIND: Final = np.array([r.kind for r in ADMIT_REASONS])
# Probability a stay for this reason is elective (planned knee replacement) rather than unplanned.
REASON_ELECTIVE: Final = np.array(
    [0.95 if r.code.startswith("M") else 0.0 if r.kind == "surgical" else 0.03 for r in ADMIT_REASONS]
)


@dataclass
class Events:
    """Point-in-time encounters: person row, month index and service day."""

    person: Arr
    month: Arr
    day: Arr

    def __len__(self) -> int:
        return int(len(self.person))


@dataclass
class Stays:
    """Inpatient stays, sorted by person then admission day."""

    person: Arr
    admit: Arr
    discharge: Arr
    month: Arr
    reason: Arr
    via_ed: Arr
    admit_type: Arr  # index into vocab.ADMIT_TYPE
    admit_source: Arr
    disposition: Arr  # index into vocab.DISPOSITION
    readmission: Arr
    outlier: Arr  # cost multiplier for ICU / long-stay outliers

    def __len__(self) -> int:
        return int(len(self.person))


def month_of(day: Arr, month_start: Arr) -> Arr:
    """Window month index of each day (may be -1 or `months` outside the window)."""
    return np.asarray(np.searchsorted(month_start, day, side="right") - 1, dtype=np.int64)


def draw_events(rng: np.random.Generator, pop: Population, rate: Arr, month_start: Arr) -> Events:
    """Poisson counts per enrolled person-month, each placed on a random allowed day of the month."""
    counts = rng.poisson(np.where(pop.enrolled, rate, 0.0))
    rows, cols = np.nonzero(counts)
    reps = counts[rows, cols]
    person = np.repeat(rows, reps)
    month = np.repeat(cols, reps)
    return Events(person, month, random_day(rng, pop, person, month, month_start))


def random_day(rng: np.random.Generator, pop: Population, person: Arr, month: Arr, month_start: Arr) -> Arr:
    """A uniformly random day in `month` on which the person is still enrolled and alive."""
    first = month_start[month]
    last = np.minimum(month_start[month + 1] - 1, pop.last_day[person, month])
    span = np.maximum(last - first + 1, 1)
    return np.asarray(first + (rng.random(len(person)) * span).astype(np.int64), dtype=np.int64)


def behavioural_multiplier(pop: Population) -> Arr:
    """ED-use multiplier from behavioural health and documented social needs (per person)."""
    has = pop.has
    sud = has[:, CONDITION_INDEX["drug_use_disorder"]] | has[:, CONDITION_INDEX["alcohol_use_disorder"]]
    smi = has[:, CONDITION_INDEX["serious_mental_illness"]]
    return np.asarray(1.0 + 0.5 * (pop.behavioural_n > 0) + 0.8 * sud + 0.4 * smi + 0.6 * (pop.social_n > 0))


def hospice_mask(pop: Population) -> Arr:
    months = pop.severity.shape[1]
    return np.asarray(
        (pop.hospice_month[:, None] >= 0) & (np.arange(months)[None, :] >= pop.hospice_month[:, None])
    )


def _reasons(rng: np.random.Generator, pop: Population, person: Arr) -> Arr:
    weights = _REASON_BASE[None, :] + pop.has[person].astype(np.float64) @ _REASON_AFFINITY
    return categorical(rng, weights)


def _dispositions(rng: np.random.Generator, pop: Population, person: Arr, reason: Arr) -> Arr:
    """Discharge dispositions: home, home health, SNF, IRF, transfer, AMA, hospice by age and frailty."""
    n = len(person)
    seg = pop.segment[person]
    old = (seg == SEG_75) | (seg == SEG_85)
    frail = pop.factors[person, 0]
    sud = (
        pop.has[person, CONDITION_INDEX["drug_use_disorder"]]
        | pop.has[person, CONDITION_INDEX["alcohol_use_disorder"]]
    )
    labels = ("01", "06", "03", "62", "02", "07", "51")
    w = np.zeros((n, len(labels)))
    w[:, 0] = 0.62 - 0.15 * old
    w[:, 1] = 0.14 + 0.06 * old
    w[:, 2] = (0.08 + 0.12 * old + 0.10 * (seg == SEG_85)) * np.exp(0.4 * frail) + 0.5 * pop.lti[person]
    w[:, 3] = 0.02 + 0.02 * old
    w[:, 4] = 0.02
    w[:, 5] = 0.01 + 0.08 * sud
    w[:, 6] = 0.01 + 0.02 * (seg == SEG_85)
    psych = (REASON_KIND[reason] == "psych") | (REASON_KIND[reason] == "sud")
    w[psych, 1:5] *= 0.1
    idx = categorical(rng, w)
    return np.asarray(np.array(DISPOSITION.indices(list(labels)))[idx], dtype=np.int64)


def _build_stays(
    rng: np.random.Generator, pop: Population, person: Arr, admit: Arr, month_start: Arr, readmission: Arr
) -> Stays:
    n = len(person)
    month = month_of(admit, month_start)
    reason = _reasons(rng, pop, person)
    sev = pop.severity[person, month]
    los = REASON_LOS[reason] * np.exp(rng.normal(0.0, 0.45, n)) * (1.0 + 0.06 * np.clip(sev, 0.0, 4.0))
    outlier = np.where(rng.random(n) < 0.06 + 0.06 * (sev > 1.5), np.exp(rng.normal(1.4, 0.8, n)), 1.0)
    los = np.maximum(np.rint(los * np.sqrt(outlier)), 1).astype(np.int64)
    discharge = np.minimum(admit + los, pop.last_day[person, month])
    discharge = np.maximum(discharge, admit)
    kind = REASON_KIND[reason]
    elective = rng.random(n) < REASON_ELECTIVE[reason]
    via_ed = ~elective & (rng.random(n) < np.where(kind == "psych", 0.55, 0.78))
    admit_type = np.where(elective, ADMIT_TYPE["3"], np.where(via_ed, ADMIT_TYPE["1"], ADMIT_TYPE["2"]))
    src_u = rng.random(n)
    admit_source = np.select(
        [via_ed & (src_u < 0.25), via_ed, elective, pop.lti[person] & (src_u < 0.6), src_u < 0.05],
        [ADMIT_SOURCE["7"], ADMIT_SOURCE["1"], ADMIT_SOURCE["2"], ADMIT_SOURCE["5"], ADMIT_SOURCE["4"]],
        default=ADMIT_SOURCE["1"],
    )
    disposition = _dispositions(rng, pop, person, reason)
    return Stays(
        person,
        admit,
        discharge,
        month,
        reason,
        via_ed,
        admit_type,
        admit_source,
        disposition,
        readmission,
        outlier,
    )


def _concat(parts: list[Stays]) -> Stays:
    fields = Stays.__dataclass_fields__
    return Stays(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields})


def _take(stays: Stays, idx: Arr) -> Stays:
    return Stays(**{f: getattr(stays, f)[idx] for f in Stays.__dataclass_fields__})


def _drop_overlaps(stays: Stays, keep_first: Arr) -> Stays:
    """Sort by person and admission; drop stays starting before the previous kept stay's discharge."""
    order = np.lexsort((~keep_first, stays.admit, stays.person))
    stays = _take(stays, order)
    keep_first = keep_first[order]
    while len(stays) > 1:
        same = stays.person[1:] == stays.person[:-1]
        clash = same & (stays.admit[1:] <= stays.discharge[:-1])
        if not clash.any():
            break
        # Drop the later stay of each clash unless it is a pinned stay (in-hospital death).
        drop = np.zeros(len(stays), dtype=bool)
        later = np.flatnonzero(clash) + 1
        pinned = keep_first[later]
        drop[later[~pinned]] = True
        drop[later[pinned] - 1] = True
        keep = ~drop
        stays, keep_first = _take(stays, np.flatnonzero(keep)), keep_first[keep]
    return stays


def inpatient_stays(rng: np.random.Generator, pop: Population, month_start: Arr) -> Stays:
    """Index admissions, in-hospital deaths and chained 30-day readmissions for one chunk."""
    months = pop.severity.shape[1]
    mult = 1.0 + 0.3 * (behavioural_multiplier(pop)[:, None] - 1.0)
    rate = np.minimum(IP_RATE * np.exp(IP_SLOPE * pop.severity) * mult, IP_MAX_MONTHLY)
    rate = rate * np.where(hospice_mask(pop), 0.15, 1.0)
    ev = draw_events(rng, pop, rate, month_start)
    parts = [_build_stays(rng, pop, ev.person, ev.day, month_start, np.zeros(len(ev), dtype=bool))]
    pinned = [np.zeros(len(ev), dtype=bool)]

    # In-hospital deaths: a stay ending on the death day.
    dead = np.flatnonzero((pop.death_day >= 0) & (pop.hospice_month < 0))
    dead = dead[rng.random(len(dead)) < IN_HOSPITAL_DEATH_SHARE]
    if len(dead):
        death_day = pop.death_day[dead]
        admit = np.maximum(death_day - rng.integers(1, 9, len(dead)), month_start[pop.death_month[dead]])
        d = _build_stays(rng, pop, dead, admit, month_start, np.zeros(len(dead), dtype=bool))
        d.discharge = death_day.copy()
        d.disposition = np.full(len(dead), DISPOSITION["20"], dtype=np.int64)
        parts.append(d)
        pinned.append(np.ones(len(dead), dtype=bool))

    # Readmissions, two generations: each discharge alive and not to hospice may bounce back.
    current = parts[0]
    no_return = np.array(DISPOSITION.indices(["20", "51", "50", "02"]))
    for _ in range(2):
        ok = ~np.isin(current.disposition, no_return)
        sev = pop.severity[current.person, current.month]
        logit = (
            READMIT_INTERCEPT
            + READMIT_SLOPE * sev
            + 0.3 * (current.readmission)
            + 0.4 * (pop.segment[current.person] >= SEG_DISABLED)
        )
        hit = np.flatnonzero(ok & (rng.random(len(current)) < 1.0 / (1.0 + np.exp(-logit))))
        gap = 1 + np.minimum(rng.exponential(8.0, len(hit)).astype(np.int64), 28)
        day = current.discharge[hit] + gap
        person = current.person[hit]
        m = month_of(day, month_start)
        valid = (m >= 0) & (m < months)
        valid[valid] &= pop.enrolled[person[valid], m[valid]] & (
            day[valid] <= pop.last_day[person[valid], m[valid]]
        )
        if not valid.any():
            break
        current = _build_stays(
            rng, pop, person[valid], day[valid], month_start, np.ones(int(valid.sum()), dtype=bool)
        )
        current.via_ed = np.where(rng.random(len(current)) < 0.85, True, current.via_ed)
        current.admit_type = np.where(current.via_ed, ADMIT_TYPE["1"], current.admit_type)
        parts.append(current)
        pinned.append(np.zeros(len(current), dtype=bool))
    stays = _concat(parts)
    return _drop_overlaps(stays, np.concatenate(pinned))
