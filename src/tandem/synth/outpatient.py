"""Ambulatory visits: office and nursing-facility visits, annual wellness visits, independent labs and
behavioural-health visits.

Office and lab volume scales gently with severity and the number of chronic conditions (slope 0.45,
against 1.4 for admissions), so almost everyone has some ambulatory care while spend concentrates in
acute care; persistent services live in `recurring.py`.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from tandem.synth import services
from tandem.synth.acute import CHILD_EXAM_CODE, OFFICE_ACUTE
from tandem.synth.claims import SHARE_PART_B, ClaimBuilder
from tandem.synth.common import PRICE_BY_HCPCS, Arr, group_billing, noise, provider, unit_price
from tandem.synth.conditions import CONDITION_INDEX, SEG_65, SEG_CHILD
from tandem.synth.encounters import Events, draw_events, random_day
from tandem.synth.mathutil import categorical, choice
from tandem.synth.population import Population
from tandem.synth.vocab import HCPCS, ICD, MODIFIER, POS

OFFICE_RATE: Final = 0.22
OFFICE_SLOPE: Final = 0.45
BH_RATE: Final = 0.20

_OFFICE_ACUTE_IDX: Final = np.array(ICD.indices([c for c, _ in OFFICE_ACUTE]))
_OFFICE_ACUTE_W: Final = np.array([w for _, w in OFFICE_ACUTE])
_EM: Final = np.array(HCPCS.indices(list(services.OFFICE_EM_CODES)))
_EM_NEW: Final = np.array(HCPCS.indices(list(services.NEW_PATIENT_EM_CODES)))
_EM_SHARES: Final = np.array(services.OFFICE_EM_SHARES)
_NF_EM: Final = np.array(HCPCS.indices(["99308", "99309", "99310"]))


def _em_level(rng: np.random.Generator, sev: Arr) -> Arr:
    levels = np.arange(5) - 2.0
    w = _EM_SHARES[None, :] * np.exp(0.35 * np.clip(sev, -2, 3)[:, None] * levels[None, :])
    return categorical(rng, w)


def office_visits(b: ClaimBuilder, pop: Population, month_start: Arr) -> Events:
    """Office visits (nursing-facility visits for long-term residents); returns the visit events."""
    rng = b.rng
    chronic_mult = 1.0 + 0.10 * np.minimum(pop.n_chronic, 8)
    rate = (
        OFFICE_RATE
        * np.exp(OFFICE_SLOPE * pop.severity)
        * chronic_mult[:, None]
        * np.where(pop.lti, 1.3, 1.0)[:, None]
    )
    ev = draw_events(rng, pop, rate, month_start)
    p, n = ev.person, len(ev)
    sev = pop.severity[p, ev.month]
    lti = pop.lti[p]
    tele = ~lti & (rng.random(n) < 0.08)
    pos = np.where(lti, POS["32"], np.where(tele, POS["10"], POS["11"]))
    render = np.where(lti, provider("nf_physician", pop.number[p]), provider("pcp", pop.pcp[p]))
    use_chronic = (pop.chronic_n[p] > 0) & (rng.random(n) < 0.8)
    acute = _OFFICE_ACUTE_IDX[choice(rng, _OFFICE_ACUTE_W, n)]
    acute = np.where((acute == ICD["Z0000"]) & (pop.segment[p] == SEG_CHILD), ICD[CHILD_EXAM_CODE], acute)
    primary = np.where(use_chronic, -1, acute)
    dx = b.diagnoses(p, primary, 1 + rng.poisson(1.5, n), 0.3)
    first = b.add_claims(
        n,
        dx,
        person=p,
        start=ev.day,
        end=ev.day,
        pos=pos,
        render=render,
        **group_billing(pop.group[p]),
        share=SHARE_PART_B,
    )
    ids = np.arange(first, first + n)
    level = _em_level(rng, sev)
    new = ~lti & (rng.random(n) < 0.05)
    em = np.where(
        lti,
        _NF_EM[np.minimum(level // 2 + (level > 3), 2)],
        np.where(new, _EM_NEW[np.minimum(level, 3)], _EM[level]),
    )
    em_price = PRICE_BY_HCPCS[em]
    b.add_lines(
        ids,
        hcpcs=em,
        mod=np.where(tele, MODIFIER["95"], -1),
        line_start=ev.day,
        line_end=ev.day,
        allowed=em_price * b.area[p] * noise(rng, n),
        em=True,
    )
    # Add-on lines: visit complexity (G2211), ECG, advance care planning.
    medicare = pop.medicare[p]
    for code, prob in (
        ("G2211", np.where(medicare, 0.30, 0.0)),
        ("93000", 0.06),
        ("99497", np.where(pop.segment[p] >= SEG_65, 0.02, 0.0)),
    ):
        hit = np.flatnonzero(rng.random(n) < prob)
        b.add_lines(
            ids[hit],
            hcpcs=HCPCS[code],
            line_start=ev.day[hit],
            line_end=ev.day[hit],
            allowed=unit_price(code) * b.area[p[hit]] * noise(rng, len(hit)),
        )
    _labs(b, pop, p, ev.day)
    return ev


def _labs(b: ClaimBuilder, pop: Population, person: Arr, day: Arr) -> None:
    """Independent-lab claims for a share of visits; panels depend on the person's conditions."""
    rng = b.rng
    p_lab = 0.22 + 0.04 * np.minimum(pop.n_chronic[person], 6)
    hit = rng.random(len(person)) < p_lab
    p, d = person[hit], day[hit]
    n = len(p)
    lab = provider("lab", pop.number[p] % 7)
    first = b.add_claims(
        n,
        b.diagnoses(p, np.full(n, -1), rng.integers(0, 3, n), 0.0),
        person=p,
        start=d,
        end=d,
        pos=POS["81"],
        render=lab,
        billing=lab,
        tin=1000 + pop.number[p] % 200,
        share=SHARE_PART_B,
    )
    ids = np.arange(first, first + n)
    dm = pop.has[p, CONDITION_INDEX["diabetes"]]
    ckd = pop.has[p, CONDITION_INDEX["chronic_kidney_disease"]]
    lines = list(services.LAB_LINES) + [("83036", 0.0), ("82043", 0.0)]
    for code, prob in lines:
        prob_arr = np.full(n, prob)
        if code == "83036":
            prob_arr = np.where(dm, 0.7, 0.03)
        elif code == "82043":
            prob_arr = np.where(ckd | dm, 0.4, prob)
        take = np.flatnonzero(rng.random(n) < prob_arr)
        b.add_lines(
            ids[take],
            hcpcs=HCPCS[code],
            line_start=d[take],
            line_end=d[take],
            allowed=unit_price(code) * noise(rng, len(take)),
        )


def wellness_visits(b: ClaimBuilder, pop: Population, month_start: Arr) -> None:
    """Annual wellness visits (G0439) for about half of Medicare members each year."""
    rng = b.rng
    months = pop.severity.shape[1]
    for y0 in range(0, months, 12):
        span = min(12, months - y0)
        m = y0 + rng.integers(0, span, pop.size)
        who = np.flatnonzero(
            pop.medicare & ~pop.lti & (rng.random(pop.size) < 0.5) & pop.enrolled[np.arange(pop.size), m]
        )
        d = random_day(rng, pop, who, m[who], month_start)
        n = len(who)
        first = b.add_claims(
            n,
            b.diagnoses(who, np.full(n, ICD["Z0000"]), rng.integers(1, 4, n), 0.2),
            person=who,
            start=d,
            end=d,
            pos=POS["11"],
            render=provider("pcp", pop.pcp[who]),
            billing=provider("group", pop.group[who]),
            tin=pop.group[who],
            share=0,
        )
        b.add_lines(
            np.arange(first, first + n),
            hcpcs=HCPCS["G0439"],
            line_start=d,
            line_end=d,
            allowed=unit_price("G0439") * b.area[who] * noise(rng, n),
        )


def behavioural_visits(b: ClaimBuilder, pop: Population, month_start: Arr) -> None:
    """Psychotherapy, group therapy and psychiatric medication management for behavioural conditions."""
    rng = b.rng
    smi = pop.has[:, CONDITION_INDEX["serious_mental_illness"]]
    sud = (
        pop.has[:, CONDITION_INDEX["drug_use_disorder"]] | pop.has[:, CONDITION_INDEX["alcohol_use_disorder"]]
    )
    mult = (pop.behavioural_n > 0) * (1.0 + 1.2 * smi + 0.6 * sud) * np.where(pop.segment >= SEG_65, 0.5, 1.0)
    ev = draw_events(rng, pop, BH_RATE * np.exp(0.4 * pop.severity) * mult[:, None], month_start)
    p, n = ev.person, len(ev)
    kinds = ("90834", "90837", "90832", "90853", "99214")
    kind = choice(rng, np.array([0.40, 0.25, 0.10, 0.10, 0.15]), n)
    code = np.array(HCPCS.indices(list(kinds)))[kind]
    place = choice(rng, np.array([0.6, 0.15, 0.2, 0.05]), n)
    pos = np.array(POS.indices(["11", "53", "10", "02"]))[place]
    render = np.where(
        kind == 4, provider("psychiatry", pop.number[p]), provider("therapist", pop.number[p] * 3)
    )
    bw = pop.behavioural.shape[1]
    primary = pop.behavioural[p, (rng.random(n) * np.maximum(pop.behavioural_n[p], 1)).astype(np.int64) % bw]
    dx = b.diagnoses(p, primary, rng.integers(0, 2, n), 0.5)
    first = b.add_claims(
        n,
        dx,
        person=p,
        start=ev.day,
        end=ev.day,
        pos=pos,
        render=render,
        **group_billing(pop.number[p] * 5),
        share=SHARE_PART_B,
    )
    prices = np.array([unit_price(c) for c in kinds])[kind]
    b.add_lines(
        np.arange(first, first + n),
        hcpcs=code,
        mod=np.where(place >= 2, MODIFIER["95"], -1),
        line_start=ev.day,
        line_end=ev.day,
        allowed=prices * b.area[p] * noise(rng, n),
        em=kind == 4,
    )
