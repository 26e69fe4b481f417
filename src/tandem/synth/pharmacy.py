"""Pharmacy fills: maintenance regimens refilled on a days-supply cycle, plus short acute courses.

Each treated condition gives a person one or two regimens (`drugs.THERAPIES`). A regimen has a days
supply (30, or 90 for about a third of Medicare and a sixth of Medicaid maintenance fills; controlled
and specialty drugs are always 30), an adherence level (proportion of days covered ~ Beta(6, 1.5), mean
0.8, in line with Part D adherence measures) that stretches the refill interval, a start (most are
ongoing when the window opens) and, for some, a discontinuation inside the window. Fills only happen
on enrolled days before death.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from tandem.synth.common import provider
from tandem.synth.conditions import CONDITION_INDEX
from tandem.synth.drugs import ACUTE_COURSES, DRUG_INDEX, DRUGS, THERAPIES
from tandem.synth.encounters import Events, month_of
from tandem.synth.mathutil import choice, rank_within
from tandem.synth.population import Population

Arr = npt.NDArray[Any]

_COST30: Final = np.array([d.cost30 for d in DRUGS])
_QTY30: Final = np.array([d.qty30 for d in DRUGS])
_SPECIALTY: Final = np.array([d.specialty for d in DRUGS])
_CONTROLLED: Final = np.array([d.controlled for d in DRUGS])
_SEX: Final = np.array([d.sex for d in DRUGS])
# Prescriber specialty for regimens of a condition (default: the person's PCP).
_PRESCRIBER: Final = {
    "serious_mental_illness": "psychiatry",
    "drug_use_disorder": "psychiatry",
    "cancer": "oncology",
    "esrd": "nephrology",
    "heart_failure": "cardiology",
    "atrial_fibrillation": "cardiology",
    "copd": "pulmonology",
}
NINETY_DAY_SHARE: Final = (0.25, 0.10)  # Medicare, Medicaid
TURNOVER_MONTHS: Final = 48.0  # sets how many regimens start or stop inside the window


@dataclass
class Fills:
    """One row per pharmacy claim (single-line claims), ordered by person and dispensing day."""

    person: Arr
    drug: Arr
    day: Arr
    days_supply: Arr
    quantity: Arr
    refills: Arr
    prescriber: Arr  # NPI index
    dispenser: Arr
    allowed: Arr
    charge: Arr
    copay: Arr
    coinsurance: Arr
    paid: Arr
    paid_day: Arr

    def __len__(self) -> int:
        return int(len(self.person))


def _regimens(rng: np.random.Generator, pop: Population) -> tuple[Arr, Arr, Arr, Arr]:
    """(person, drug, prescriber NPI index, course months) for every regimen, de-duplicated."""
    persons, drugs, prescribers, course = [], [], [], []
    for therapy in THERAPIES:
        eligible = (
            pop.age >= 18 if therapy.condition == "adult" else pop.has[:, CONDITION_INDEX[therapy.condition]]
        )
        who = np.flatnonzero(eligible & (rng.random(pop.size) < therapy.p_treated))
        if len(who) == 0:
            continue
        names = [name for name, _ in therapy.drugs]
        idx = np.array([DRUG_INDEX[name] for name in names])
        w = np.array([wt for _, wt in therapy.drugs])[None, :].repeat(len(who), axis=0)
        sex = _SEX[idx][None, :]
        fem = pop.female[who][:, None]
        w[((sex == "female") & ~fem) | ((sex == "male") & fem)] = 0.0
        usable = w.sum(axis=1) > 0
        who, w = who[usable], w[usable]
        cum = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
        first = np.minimum((cum < rng.random(len(who))[:, None]).sum(axis=1), len(idx) - 1)
        second = np.minimum((cum < rng.random(len(who))[:, None]).sum(axis=1), len(idx) - 1)
        two = (rng.random(len(who)) < therapy.p_second) & (second != first)
        p_all = np.concatenate([who, who[two]])
        d_all = np.concatenate([idx[first], idx[second[two]]])
        role = _PRESCRIBER.get(therapy.condition, "pcp")
        key = pop.pcp[p_all] if role == "pcp" else pop.number[p_all]
        persons.append(p_all)
        drugs.append(d_all)
        prescribers.append(provider(role, key))
        course.append(np.full(len(p_all), therapy.course_months))
    if not persons:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    p, d, pr, co = (np.concatenate(x) for x in (persons, drugs, prescribers, course))
    order = np.lexsort((d, p))
    p, d, pr, co = p[order], d[order], pr[order], co[order]
    keep = np.ones(len(p), dtype=bool)
    keep[1:] = (p[1:] != p[:-1]) | (d[1:] != d[:-1])
    return p[keep], d[keep], pr[keep], co[keep]


def maintenance_fills(
    rng: np.random.Generator, pop: Population, month_start: Arr
) -> tuple[Arr, Arr, Arr, Arr, Arr]:
    """(person, drug, day, days supply, prescriber) of all maintenance fills in the window."""
    p, d, prescriber, course = _regimens(rng, pop)
    r = len(p)
    months = pop.severity.shape[1]
    window0, window1 = month_start[0], month_start[-1]
    ninety = rng.random(r) < np.where(pop.medicare[p], NINETY_DAY_SHARE[0], NINETY_DAY_SHARE[1])
    ds = np.where(ninety & ~_SPECIALTY[d] & ~_CONTROLLED[d] & (course == 0), 90, 30)
    ds = np.where(course > 0, 28, ds)
    adherence = np.clip(rng.beta(6.0, 1.5, r), 0.45, 1.0)
    interval = np.maximum(np.rint(ds / adherence), ds - 3).astype(np.int64)
    # Therapy turnover that keeps volume level over any window length: a share q of regimens starts
    # inside the window, an equal share stops inside it, the rest run throughout (coverage 1 - q at
    # every point in time).
    q = months / (2.0 * (months + TURNOVER_MONTHS))
    u = rng.random(r)
    span = window1 - window0
    first = np.where(
        u < q,
        window0 + (rng.random(r) * span).astype(np.int64),
        window0 - (rng.random(r) * interval).astype(np.int64),
    )
    stop = np.where((u >= q) & (u < 2 * q), window0 + (rng.random(r) * span).astype(np.int64), window1)
    course_start = window0 + (rng.random(r) * span).astype(np.int64)
    first = np.where(course > 0, course_start, first)
    stop = np.where(course > 0, first + course * 28, stop)
    k_max = np.where(course > 0, course, (window1 - first) // np.maximum(interval, 1) + 2)
    k_max = np.clip(k_max, 0, months * 4 + 4)
    reg = np.repeat(np.arange(r), k_max)
    k = rank_within(reg)
    day = first[reg] + k * np.where(course[reg] > 0, 28, interval[reg]) + rng.integers(-2, 3, len(reg))
    person = p[reg]
    m = month_of(day, month_start)
    ok = (day >= window0) & (day < window1) & (day < stop[reg]) & (rng.random(len(reg)) > 0.04)
    mm = np.clip(m, 0, months - 1)
    ok &= pop.enrolled[person, mm] & (day <= pop.last_day[person, mm])
    return person[ok], d[reg[ok]], day[ok], ds[reg[ok]], prescriber[reg[ok]]


def acute_fills(
    rng: np.random.Generator, pop: Population, events: Events, p_fill: float
) -> tuple[Arr, Arr, Arr, Arr, Arr]:
    """Short courses (antibiotics, steroids, analgesics) written at a share of acute visits."""
    hit = np.flatnonzero(rng.random(len(events)) < p_fill)
    person, day = events.person[hit], events.day[hit]
    k = choice(rng, np.array([w for _, _, w in ACUTE_COURSES]), len(hit))
    drug = np.array([DRUG_INDEX[name] for name, _, _ in ACUTE_COURSES])[k]
    ds = np.array([days for _, days, _ in ACUTE_COURSES])[k]
    return person, drug, day, ds, provider("pcp", pop.pcp[person])


def build_fills(
    rng: np.random.Generator, pop: Population, month_start: Arr, ed: Events, office: Events
) -> Fills:
    """All fills of a chunk, priced and cost-shared, ordered by person and day."""
    parts = [
        maintenance_fills(rng, pop, month_start),
        acute_fills(rng, pop, ed, 0.35),
        acute_fills(rng, pop, office, 0.08),
    ]
    person, drug, day, ds, prescriber = (np.concatenate([x[i] for x in parts]) for i in range(5))
    order = np.lexsort((drug, day, person))
    person, drug, day, ds, prescriber = person[order], drug[order], day[order], ds[order], prescriber[order]
    n = len(person)
    quantity = np.maximum(np.rint(_QTY30[drug] * ds / 30.0), 1).astype(np.int64)
    refills = np.where(ds >= 28, rng.integers(0, 6, n), 0)
    specialty = _SPECIALTY[drug]
    dispenser = np.where(
        specialty,
        provider("specialty_pharmacy", pop.number[person]),
        provider("pharmacy", pop.pharmacy[person]),
    )
    allowed = np.round(_COST30[drug] * ds / 30.0 * np.exp(rng.normal(0.0, 0.05, n)), 2)
    charge = np.round(allowed * rng.uniform(1.1, 1.5, n), 2)
    medicare = pop.medicare[person]
    low_income = pop.dual[person] >= 0
    generic = _COST30[drug] < 50
    copay = np.where(
        medicare,
        np.where(low_income, np.where(generic, 1.55, 4.60), np.where(generic, 5.0, 45.0)),
        np.where(generic, 1.0, 4.0),
    )
    copay = np.where(specialty & medicare & ~low_income, 0.0, np.minimum(copay, allowed))
    coinsurance = np.where(
        specialty & medicare & ~low_income, np.round(np.minimum(0.25 * allowed, 1000.0), 2), 0.0
    )
    paid = np.round(np.maximum(allowed - copay - coinsurance, 0.0), 2)
    paid_day = day + rng.integers(7, 15, n)
    return Fills(
        person,
        drug,
        day,
        ds,
        quantity,
        refills,
        prescriber,
        dispenser,
        allowed,
        charge,
        np.round(copay, 2),
        coinsurance,
        paid,
        paid_day,
    )
