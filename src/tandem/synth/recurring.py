"""Persistent services: opioid treatment, long-acting injectables, DME rentals, dialysis, chemotherapy
courses and hospital outpatient imaging/procedures.

Dialysis, chemotherapy and specialty injectables are what keep a minority of members expensive year
after year, so they carry much of the cost persistence the population shows.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from tandem.synth import services
from tandem.synth.acute import CHEMO_ENCOUNTER_CODE
from tandem.synth.claims import SHARE_PART_B, ClaimBuilder
from tandem.synth.common import PRICE_BY_HCPCS, Arr, group_billing, noise, provider, unit_price
from tandem.synth.conditions import CONDITION_INDEX, SEG_65, SEG_CHILD
from tandem.synth.encounters import draw_events, random_day
from tandem.synth.mathutil import categorical
from tandem.synth.population import Population
from tandem.synth.providers import role_size
from tandem.synth.vocab import BILL_TYPE, HCPCS, ICD, MODIFIER, POS, REVENUE

IMAGING_RATE: Final = 0.03


def _monthly(
    pop: Population, who: Arr, month_start: Arr, keep: Arr | None = None
) -> tuple[Arr, Arr, Arr, Arr]:
    """Every enrolled month of the given people: (person, month, first day, last day)."""
    mask = np.zeros_like(pop.enrolled)
    mask[who] = pop.enrolled[who]
    if keep is not None:
        mask &= keep
    p, m = np.nonzero(mask)
    first = month_start[m]
    last = np.minimum(month_start[m + 1] - 1, pop.last_day[p, m])
    return p, m, first, last


def recurring_services(b: ClaimBuilder, pop: Population, month_start: Arr) -> None:
    """Monthly services for persistent needs: OTP, LAI antipsychotics, DME rentals, dialysis."""
    rng = b.rng
    n_pop = pop.size
    has = pop.has
    opioid_codes = np.isin(
        pop.cond_code[:, CONDITION_INDEX["drug_use_disorder"]], ICD.indices(["F1120", "F1121", "F1110"])
    )
    otp = np.flatnonzero(opioid_codes & (rng.random(n_pop) < 0.25))
    p, m, d0, d1 = _monthly(pop, otp, month_start, rng.random(pop.enrolled.shape) < 0.8)
    n = len(p)
    dx = b.diagnoses(
        p, pop.cond_code[p, CONDITION_INDEX["drug_use_disorder"]], np.zeros(n, dtype=np.int64), 0.4
    )
    clinic = provider("therapist", pop.number[p] * 11)
    first = b.add_claims(
        n,
        dx,
        person=p,
        start=d0,
        end=d1,
        pos=POS["58"],
        render=clinic,
        billing=clinic,
        tin=pop.number[p] % role_size("group"),
        share=SHARE_PART_B,
    )
    for week in range(4):
        day = d0 + 7 * week
        ok = np.flatnonzero(day <= d1)
        b.add_lines(
            first + ok,
            hcpcs=HCPCS["G2067"],
            line_start=day[ok],
            line_end=day[ok],
            allowed=unit_price("G2067") * b.area[p[ok]],
        )

    lai = np.flatnonzero(has[:, CONDITION_INDEX["serious_mental_illness"]] & (rng.random(n_pop) < 0.2))
    p, m, d0, d1 = _monthly(pop, lai, month_start, rng.random(pop.enrolled.shape) < 0.85)
    n = len(p)
    day = d0 + (rng.random(n) * (d1 - d0 + 1)).astype(np.int64)
    dx = b.diagnoses(
        p, pop.cond_code[p, CONDITION_INDEX["serious_mental_illness"]], np.zeros(n, dtype=np.int64), 0.3
    )
    psych = provider("psychiatry", pop.number[p])
    first = b.add_claims(
        n,
        dx,
        person=p,
        start=day,
        end=day,
        pos=POS["11"],
        render=psych,
        **group_billing(pop.number[p] * 5),
        share=SHARE_PART_B,
    )
    ids = np.arange(first, first + n)
    b.add_lines(
        ids, hcpcs=HCPCS["96372"], line_start=day, line_end=day, allowed=unit_price("96372") * b.area[p]
    )
    b.add_lines(
        ids,
        hcpcs=HCPCS["J2426"],
        units=156,
        line_start=day,
        line_end=day,
        allowed=unit_price("J2426") * 156.0,
    )

    oxygen = has[:, CONDITION_INDEX["copd"]] & ((pop.factors[:, 0] > 0.8) | (rng.random(n_pop) < 0.1))
    cpap = has[:, CONDITION_INDEX["obesity"]] & (rng.random(n_pop) < 0.08)
    chair = (
        has[:, CONDITION_INDEX["dementia"]]
        | has[:, CONDITION_INDEX["stroke"]]
        | has[:, CONDITION_INDEX["parkinsons"]]
    ) & (rng.random(n_pop) < 0.08)
    for who, code, cond in ((oxygen, "E1390", "copd"), (cpap, "E0601", "obesity"), (chair, "K0001", None)):
        p, m, d0, d1 = _monthly(pop, np.flatnonzero(who), month_start)
        n = len(p)
        primary = pop.cond_code[p, CONDITION_INDEX[cond]] if cond else np.full(n, -1)
        supplier = provider("dme", pop.number[p])
        first = b.add_claims(
            n,
            b.diagnoses(p, primary, np.zeros(n, dtype=np.int64), 0.0),
            person=p,
            start=d0,
            end=d0,
            pos=POS["12"],
            render=supplier,
            billing=supplier,
            tin=1000 + pop.number[p] % 200,
            share=SHARE_PART_B,
        )
        b.add_lines(
            np.arange(first, first + n),
            hcpcs=HCPCS[code],
            mod=MODIFIER["RR"],
            line_start=d0,
            line_end=d0,
            allowed=unit_price(code) * b.area[p],
        )
    _dialysis(b, pop, month_start)


def _dialysis(b: ClaimBuilder, pop: Population, month_start: Arr) -> None:
    rng = b.rng
    on_dialysis = np.flatnonzero(pop.has[:, CONDITION_INDEX["esrd"]] & (rng.random(pop.size) < 0.95))
    p, m, d0, d1 = _monthly(pop, on_dialysis, month_start)
    n = len(p)
    month_len = month_start[m + 1] - month_start[m]
    sessions = np.maximum(np.rint(13.0 * (d1 - d0 + 1) / month_len), 1).astype(np.int64)
    facility = provider("dialysis", pop.number[p])
    dx = b.diagnoses(p, np.full(n, ICD["N186"]), np.full(n, 2), 0.1, extra=np.full(n, ICD["Z992"]))
    first = b.add_claims(
        n,
        dx,
        institutional=True,
        person=p,
        start=d0,
        end=d1,
        bill=BILL_TYPE["721"],
        disposition=0,
        render=provider("nephrology", pop.number[p]),
        billing=facility,
        facility=facility,
        tin=1000 + pop.number[p] % 200,
        share=SHARE_PART_B,
    )
    ids = np.arange(first, first + n)
    b.add_lines(
        ids,
        rev=REVENUE["0821"],
        units=sessions,
        line_start=d0,
        line_end=d1,
        allowed=services.DIALYSIS_PER_SESSION * sessions * b.area[p] * noise(rng, n),
    )
    neph = provider("nephrology", pop.number[p])
    first = b.add_claims(
        n,
        dx,
        person=p,
        start=d0,
        end=d1,
        pos=POS["65"],
        render=neph,
        **group_billing(pop.number[p] * 13),
        share=SHARE_PART_B,
    )
    b.add_lines(
        np.arange(first, first + n),
        hcpcs=HCPCS["90960"],
        line_start=d0,
        line_end=d0,
        allowed=unit_price("90960") * b.area[p],
    )


# Chemotherapy drug by cancer code: (HCPCS, billing units per dose).
_CHEMO_DRUG: Final = {
    "C3490": ("J9271", 200),
    "C50911": ("J9355", 40),
    "C50912": ("J9355", 40),
    "C189": ("J9035", 50),
    "C8590": ("J9312", 70),
    "C61": ("J9217", 1),
}
_CHEMO_HCPCS: Final = np.full(len(ICD), HCPCS["J9271"])
_CHEMO_UNITS: Final = np.full(len(ICD), 200)
for _icd, (_hc, _units) in _CHEMO_DRUG.items():
    _CHEMO_HCPCS[ICD[_icd]] = HCPCS[_hc]
    _CHEMO_UNITS[ICD[_icd]] = _units


def chemotherapy(b: ClaimBuilder, pop: Population, month_start: Arr) -> None:
    """Infusion courses for about 20% of people with cancer: 3-7 months of 1-2 visits a month."""
    rng = b.rng
    months = pop.severity.shape[1]
    cancer = np.flatnonzero(pop.has[:, CONDITION_INDEX["cancer"]] & (rng.random(pop.size) < 0.20))
    start = rng.integers(-6, months, len(cancer))
    length = rng.integers(3, 8, len(cancer))
    t = np.arange(months)[None, :]
    active = np.zeros_like(pop.enrolled)
    active[cancer] = (t >= start[:, None]) & (t < (start + length)[:, None])
    p, m, d0, d1 = _monthly(pop, cancer, month_start, active)
    visits = 1 + (rng.random(len(p)) < 0.35)
    p, m = np.repeat(p, visits), np.repeat(m, visits)
    day = random_day(rng, pop, p, m, month_start)
    n = len(p)
    code = pop.cond_code[p, CONDITION_INDEX["cancer"]]
    drug, units = _CHEMO_HCPCS[code], _CHEMO_UNITS[code]
    drug_price = PRICE_BY_HCPCS[drug]
    hospital = provider("hospital", pop.hospital[p])
    dx = b.diagnoses(p, np.full(n, ICD[CHEMO_ENCOUNTER_CODE]), np.full(n, 1), 0.1, extra=code)
    first = b.add_claims(
        n,
        dx,
        institutional=True,
        person=p,
        start=day,
        end=day,
        bill=BILL_TYPE["131"],
        disposition=0,
        render=provider("oncology", pop.number[p]),
        billing=hospital,
        facility=hospital,
        tin=1000 + pop.hospital[p],
        share=SHARE_PART_B,
    )
    ids = np.arange(first, first + n)
    b.add_lines(
        ids,
        rev=REVENUE["0335"],
        hcpcs=HCPCS["96413"],
        line_start=day,
        line_end=day,
        allowed=unit_price("96413", True) * b.area[p],
    )
    b.add_lines(
        ids,
        rev=REVENUE["0636"],
        hcpcs=drug,
        units=units,
        line_start=day,
        line_end=day,
        allowed=drug_price * units * noise(rng, n, 0.03),
    )
    b.add_lines(
        ids,
        rev=REVENUE["0300"],
        hcpcs=HCPCS["85025"],
        line_start=day,
        line_end=day,
        allowed=unit_price("85025", True),
    )
    onc = provider("oncology", pop.number[p])
    first = b.add_claims(
        n,
        b.diagnoses(p, code, np.full(n, 2), 0.1),
        person=p,
        start=day,
        end=day,
        pos=POS["22"],
        render=onc,
        **group_billing(pop.number[p] * 17),
        share=SHARE_PART_B,
    )
    b.add_lines(
        np.arange(first, first + n),
        hcpcs=HCPCS["99215"],
        line_start=day,
        line_end=day,
        allowed=unit_price("99215") * b.area[p],
        em=True,
    )


# Hospital outpatient imaging/procedures: (HCPCS, revenue code, weight, needs professional read).
_OP_PROCS: Final = (
    ("93306", "0483", 0.15),
    ("74177", "0350", 0.2),
    ("70450", "0350", 0.1),
    ("72148", "0610", 0.15),
    ("77067", "0320", 0.15),
    ("45378", "0750", 0.1),
    ("66984", "0360", 0.15),
)


def outpatient_procedures(b: ClaimBuilder, pop: Population, month_start: Arr) -> None:
    """Imaging, endoscopy and cataract surgery in hospital outpatient departments, with professional reads."""
    rng = b.rng
    ev = draw_events(
        rng, pop, IMAGING_RATE * np.exp(0.4 * pop.severity) * (pop.segment > SEG_CHILD)[:, None], month_start
    )
    p, n = ev.person, len(ev)
    w = np.array([x[2] for x in _OP_PROCS])[None, :].repeat(n, axis=0)
    w[:, 0] *= 1 + 4 * (
        pop.has[p, CONDITION_INDEX["heart_failure"]] | pop.has[p, CONDITION_INDEX["atrial_fibrillation"]]
    )
    w[:, 4] *= pop.female[p] & (pop.age[p] > 45)
    w[:, 6] *= pop.segment[p] >= SEG_65
    w[:, 3] *= 1 + 3 * pop.has[p, CONDITION_INDEX["chronic_pain"]]
    k = categorical(rng, w)
    codes = [x[0] for x in _OP_PROCS]
    hc = np.array(HCPCS.indices(codes))[k]
    rev = np.array(REVENUE.indices([x[1] for x in _OP_PROCS]))[k]
    fac_price = np.array([unit_price(c, True) for c in codes])[k]
    hospital = provider("hospital", pop.hospital[p])
    dx = b.diagnoses(p, np.full(n, -1), rng.integers(1, 4, n), 0.1)
    first = b.add_claims(
        n,
        dx,
        institutional=True,
        person=p,
        start=ev.day,
        end=ev.day,
        bill=BILL_TYPE["131"],
        disposition=0,
        render=provider("radiology", pop.number[p] + k),
        billing=hospital,
        facility=hospital,
        tin=1000 + pop.hospital[p],
        share=SHARE_PART_B,
    )
    b.add_lines(
        np.arange(first, first + n),
        rev=rev,
        hcpcs=hc,
        line_start=ev.day,
        line_end=ev.day,
        allowed=fac_price * b.area[p] * noise(rng, n),
    )
    read = k < 5
    r = np.flatnonzero(read)
    rad = provider("radiology", pop.number[p[r]] + k[r])
    first = b.add_claims(
        len(r),
        dx[r],
        person=p[r],
        start=ev.day[r],
        end=ev.day[r],
        pos=POS["22"],
        render=rad,
        **group_billing(pop.number[p[r]] * 19),
        share=SHARE_PART_B,
    )
    prof = np.array([unit_price(c) * 0.3 for c in codes])[k[r]]
    b.add_lines(
        np.arange(first, first + len(r)),
        hcpcs=hc[r],
        mod=MODIFIER["26"],
        line_start=ev.day[r],
        line_end=ev.day[r],
        allowed=prof * b.area[p[r]],
    )
