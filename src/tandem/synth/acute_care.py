"""Acute and post-acute claims: ED visits, inpatient stays (facility and professional), ambulance,
skilled nursing, home health and hospice.

An emergency admission carries an ED revenue line (0450) on the inpatient facility claim, admit type 1
and an ED physician claim (POS 23) on the admission day, as real claims do; LACE-style "admitted through
the ED" logic can use any of those. Facility inpatient payment follows MS-DRG relative weight x base
rate (psychiatric stays a per diem), with rare cost outliers, and is spread over revenue lines.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt

from tandem.synth import services
from tandem.synth.acute import ADMIT_REASONS, AFTERCARE_CODES, ED_REASONS
from tandem.synth.claims import SHARE_PART_A, SHARE_PART_B, ClaimBuilder
from tandem.synth.common import PRICE_BY_HCPCS, group_billing, noise, provider, unit_price
from tandem.synth.conditions import CONDITION_INDEX, SEG_85
from tandem.synth.encounters import (
    ED_RATE,
    ED_SLOPE,
    Events,
    Stays,
    behavioural_multiplier,
    draw_events,
    hospice_mask,
)
from tandem.synth.mathutil import categorical, choice, rank_within
from tandem.synth.population import Population
from tandem.synth.postacute import home_health, skilled_nursing
from tandem.synth.vocab import BILL_TYPE, DISPOSITION, DRG, HCPCS, ICD, MODIFIER, PCS, POS, REVENUE

Arr = npt.NDArray[Any]

_ED_BASE: Final = np.array([r.base for r in ED_REASONS])
_ED_AFF: Final = np.zeros((len(CONDITION_INDEX), len(ED_REASONS)))
for _j, _r in enumerate(ED_REASONS):
    for _k, _w in _r.affinity:
        _ED_AFF[CONDITION_INDEX[_k], _j] = _w
_ED_CODE: Final = np.array(ICD.indices([r.code for r in ED_REASONS]))
_ED_LEVEL: Final = np.array([r.level for r in ED_REASONS])
_ED_EM: Final = np.array(HCPCS.indices(list(services.ED_EM_CODES)))
_ED_FAC_PRICE: Final = np.array(services.ED_FACILITY_PRICE)
_IP_CODE: Final = np.array(ICD.indices([r.code for r in ADMIT_REASONS]))
_IP_DRG: Final = np.array(DRG.indices([r.drg for r in ADMIT_REASONS]))
_IP_WEIGHT: Final = np.array([r.drg_weight for r in ADMIT_REASONS])
_IP_KIND: Final = np.array([r.kind for r in ADMIT_REASONS])
_IP_PCS: Final = np.array([PCS[r.pcs] if r.pcs else -1 for r in ADMIT_REASONS])
_SURGEON_CPT: Final = np.array([HCPCS[r.surgeon[0]] if r.surgeon[0] else -1 for r in ADMIT_REASONS])
_SURGEON_ROLE: Final = np.array([r.surgeon[1] for r in ADMIT_REASONS])
_AFTERCARE: Final = np.array(ICD.indices(list(AFTERCARE_CODES)))


def ed_visits(b: ClaimBuilder, pop: Population, month_start: Arr) -> Events:
    """Treat-and-release ED visits: hospital facility claim (bill type 131) plus ED physician claim."""
    rng = b.rng
    rate = ED_RATE * np.exp(ED_SLOPE * pop.severity) * behavioural_multiplier(pop)[:, None]
    rate = rate * np.where(hospice_mask(pop), 0.4, 1.0)
    ev = draw_events(rng, pop, rate, month_start)
    p, n, day = ev.person, len(ev), ev.day
    reason = categorical(rng, _ED_BASE[None, :] + pop.has[p].astype(np.float64) @ _ED_AFF)
    sev = pop.severity[p, ev.month]
    level = np.clip(_ED_LEVEL[reason] - 2 + choice(rng, np.array([0.25, 0.5, 0.25]), n) + (sev > 1.5), 0, 4)
    primary = _ED_CODE[reason]
    dx = b.diagnoses(p, primary, rng.integers(0, 4, n), 0.5)
    hospital = provider("hospital", pop.hospital[p])
    first = b.add_claims(
        n,
        dx,
        institutional=True,
        person=p,
        start=day,
        end=day,
        bill=BILL_TYPE["131"],
        disposition=DISPOSITION["01"],
        render=provider("emergency", pop.number[p] + level),
        billing=hospital,
        facility=hospital,
        tin=1000 + pop.hospital[p],
        share=SHARE_PART_B,
    )
    ids = np.arange(first, first + n)
    area = b.area[p]
    b.add_lines(
        ids,
        rev=REVENUE["0450"],
        hcpcs=_ED_EM[level],
        line_start=day,
        line_end=day,
        allowed=_ED_FAC_PRICE[level] * area * noise(rng, n, 0.05),
    )
    extras = (
        ("0300", "80053", 0.55),
        ("0300", "85025", 0.6),
        ("0320", "71046", 0.3),
        ("0350", "70450", 0.12),
        ("0350", "74177", 0.1),
        ("0730", "93005", 0.3),
        ("0636", "J2405", 0.25),
        ("0250", "", 0.3),
    )
    for rev, code, prob in extras:
        hit = np.flatnonzero(rng.random(n) < prob * (0.6 + 0.2 * level))
        price = unit_price(code, True) if code else 25.0
        b.add_lines(
            ids[hit],
            rev=REVENUE[rev],
            hcpcs=HCPCS[code] if code else -1,
            line_start=day[hit],
            line_end=day[hit],
            allowed=price * area[hit] * noise(rng, len(hit), 0.1),
        )
    doc = provider("emergency", pop.number[p] + level)
    first = b.add_claims(
        n,
        dx,
        person=p,
        start=day,
        end=day,
        pos=POS["23"],
        render=doc,
        **group_billing(pop.hospital[p] * 7),
        share=SHARE_PART_B,
    )
    b.add_lines(
        np.arange(first, first + n),
        hcpcs=_ED_EM[level],
        line_start=day,
        line_end=day,
        allowed=PRICE_BY_HCPCS[_ED_EM[level]] * area,
        em=True,
    )
    amb = rng.random(n) < 0.10 + 0.15 * (pop.segment[p] == SEG_85) + 0.25 * pop.lti[p] + 0.05 * level
    _ambulance(b, pop, p[amb], day[amb], dx[amb])
    return ev


def _ambulance(b: ClaimBuilder, pop: Population, person: Arr, day: Arr, dx: Arr) -> None:
    rng = b.rng
    n = len(person)
    als = rng.random(n) < 0.6
    company = provider("ambulance", pop.number[person])
    first = b.add_claims(
        n,
        dx,
        person=person,
        start=day,
        end=day,
        pos=POS["41"],
        render=company,
        billing=company,
        tin=1000 + pop.number[person] % 200,
        share=SHARE_PART_B,
    )
    ids = np.arange(first, first + n)
    code = np.where(als, HCPCS["A0427"], HCPCS["A0429"])
    b.add_lines(
        ids,
        hcpcs=code,
        mod=MODIFIER["RH"],
        line_start=day,
        line_end=day,
        allowed=PRICE_BY_HCPCS[code] * b.area[person],
    )
    miles = rng.integers(2, 25, n)
    b.add_lines(
        ids,
        hcpcs=HCPCS["A0425"],
        mod=MODIFIER["RH"],
        units=miles,
        line_start=day,
        line_end=day,
        allowed=unit_price("A0425") * miles,
    )


def inpatient_claims(b: ClaimBuilder, pop: Population, stays: Stays, month_start: Arr) -> None:
    """Facility (bill type 111) and professional claims for every stay, then post-acute care."""
    rng = b.rng
    n = len(stays)
    p, admit, dis = stays.person, stays.admit, stays.discharge
    los = np.maximum(dis - admit, 1)
    kind = _IP_KIND[stays.reason]
    principal = _IP_CODE[stays.reason]
    dx = b.diagnoses(p, principal, 6 + rng.integers(0, 9, n), 0.6)
    pcs = np.full((n, 2), -1, dtype=np.int64)
    pcs_day = np.full((n, 2), -1, dtype=np.int64)
    pcs[:, 0] = _IP_PCS[stays.reason]
    icu = (stays.outlier > 1.5) | (np.isin(principal, ICD.indices(["A419", "J9601"])) & (rng.random(n) < 0.4))
    pcs[:, 0] = np.where((pcs[:, 0] < 0) & icu & (rng.random(n) < 0.3), PCS["5A1945Z"], pcs[:, 0])
    pcs[:, 1] = np.where(
        pop.has[p, CONDITION_INDEX["esrd"]],
        PCS["5A1D70Z"],
        np.where(principal == ICD["K922"], PCS["30233N1"], -1),
    )
    pcs_day[:, 0] = np.where(pcs[:, 0] >= 0, np.minimum(admit + 1, dis), -1)
    pcs_day[:, 1] = np.where(pcs[:, 1] >= 0, admit, -1)
    order = np.argsort(pcs < 0, axis=1, kind="stable")
    pcs, pcs_day = np.take_along_axis(pcs, order, axis=1), np.take_along_axis(pcs_day, order, axis=1)
    hospital = provider("hospital", pop.hospital[p])
    attending = provider("hospitalist", pop.hospital[p] * 8 + rng.integers(0, 8, n))
    drg = np.where(rng.random(n) < 0.85, _IP_DRG[stays.reason], -1)
    first = b.add_claims(
        n,
        dx,
        pcs,
        pcs_day,
        institutional=True,
        person=p,
        start=admit,
        end=dis,
        admit=admit,
        discharge=dis,
        admit_source=stays.admit_source,
        admit_type=stays.admit_type,
        disposition=stays.disposition,
        bill=BILL_TYPE["111"],
        drg=drg,
        render=attending,
        billing=hospital,
        facility=hospital,
        tin=1000 + pop.hospital[p],
        poa=True,
        share=SHARE_PART_A,
    )
    ids = np.arange(first, first + n)
    psych = (kind == "psych") | (kind == "sud")
    total = np.where(
        psych,
        services.PSYCH_PER_DIEM * los,
        services.IPPS_BASE_RATE * _IP_WEIGHT[stays.reason] * stays.outlier * noise(rng, n, 0.35),
    )
    total = total * b.area[p]
    room = np.where(
        kind == "psych", REVENUE["0124"], np.where(kind == "sud", REVENUE["0126"], REVENUE["0120"])
    )
    icu_days = np.where(icu, np.maximum(los // 2, 1), 0)
    resp = np.isin(principal, ICD.indices(["J441", "J189", "J690", "J9601"]))
    surg = kind == "surgical"
    # (revenue code, HCPCS, present mask, share of the claim payment, units)
    parts: list[tuple[Arr | int, int, Arr, float, Arr]] = [
        (room, -1, np.ones(n, dtype=bool), 0.42, np.maximum(los - icu_days, 1)),
        (REVENUE["0200"], -1, icu, 0.20, icu_days),
        (REVENUE["0250"], -1, np.ones(n, dtype=bool), 0.12, los * 4),
        (REVENUE["0300"], HCPCS["80053"], np.ones(n, dtype=bool), 0.08, los * 2),
        (REVENUE["0320"], HCPCS["71046"], rng.random(n) < 0.7, 0.03, np.ones(n, dtype=np.int64)),
        (REVENUE["0350"], HCPCS["70450"], rng.random(n) < 0.35, 0.05, np.ones(n, dtype=np.int64)),
        (REVENUE["0410"], -1, resp, 0.05, los * 3),
        (REVENUE["0420"], HCPCS["97110"], ~psych & (rng.random(n) < 0.45), 0.03, np.maximum(los // 2, 1)),
        (REVENUE["0450"], HCPCS["99285"], stays.via_ed, 0.04, np.ones(n, dtype=np.int64)),
        (REVENUE["0730"], HCPCS["93005"], ~psych & (rng.random(n) < 0.5), 0.02, np.ones(n, dtype=np.int64)),
        (REVENUE["0360"], -1, surg, 0.22, np.ones(n, dtype=np.int64)),
        (REVENUE["0278"], -1, surg, 0.15, np.ones(n, dtype=np.int64)),
    ]
    weight_sum = np.zeros(n)
    for _, _, present, share, _ in parts:
        weight_sum += present * share
    for rev, hc, present, share, units in parts:
        hit = np.flatnonzero(present)
        rev_arr = rev[hit] if isinstance(rev, np.ndarray) else rev
        b.add_lines(
            ids[hit],
            rev=rev_arr,
            hcpcs=hc,
            units=np.maximum(units[hit], 1),
            line_start=admit[hit],
            line_end=dis[hit],
            allowed=total[hit] * share / weight_sum[hit],
        )
    _inpatient_professional(b, pop, stays, dx)
    amb = np.flatnonzero(stays.via_ed & (rng.random(n) < 0.3 + 0.2 * (pop.segment[p] == SEG_85)))
    _ambulance(b, pop, p[amb], admit[amb], dx[amb])
    skilled_nursing(b, pop, stays, month_start)
    home_health(b, pop, stays, month_start)


def _inpatient_professional(b: ClaimBuilder, pop: Population, stays: Stays, dx: Arr) -> None:
    rng = b.rng
    n = len(stays)
    p, admit, dis = stays.person, stays.admit, stays.discharge
    doc = provider("hospitalist", pop.hospital[p] * 8 + rng.integers(0, 8, n))
    psych = _IP_KIND[stays.reason] == "psych"
    doc = np.where(psych, provider("psychiatry", pop.number[p]), doc)
    first = b.add_claims(
        n,
        dx,
        person=p,
        start=admit,
        end=dis,
        pos=POS["21"],
        render=doc,
        **group_billing(pop.hospital[p] * 3),
        share=SHARE_PART_B,
    )
    days = np.minimum(dis - admit + 1, 31)
    claim = np.repeat(np.arange(first, first + n), days)
    stay = np.repeat(np.arange(n), days)
    offset = rank_within(stay)
    last = offset == days[stay] - 1
    initial = np.where(rng.random(n) < 0.6, HCPCS["99223"], HCPCS["99222"])[stay]
    subsequent = np.where(rng.random(len(stay)) < 0.7, HCPCS["99232"], HCPCS["99233"])
    discharge_code = np.where(days[stay] > 3, HCPCS["99239"], HCPCS["99238"])
    code = np.where(offset == 0, initial, np.where(last, discharge_code, subsequent))
    day = admit[stay] + offset
    b.add_lines(
        claim,
        hcpcs=code,
        line_start=day,
        line_end=day,
        allowed=PRICE_BY_HCPCS[code] * b.area[p[stay]],
        em=True,
    )
    ed = np.flatnonzero(stays.via_ed)
    lvl = np.where(rng.random(len(ed)) < 0.7, HCPCS["99285"], HCPCS["99284"])
    first = b.add_claims(
        len(ed),
        dx[ed],
        person=p[ed],
        start=admit[ed],
        end=admit[ed],
        pos=POS["23"],
        render=provider("emergency", pop.number[p[ed]]),
        **group_billing(pop.hospital[p[ed]] * 7),
        share=SHARE_PART_B,
    )
    b.add_lines(
        np.arange(first, first + len(ed)),
        hcpcs=lvl,
        line_start=admit[ed],
        line_end=admit[ed],
        allowed=PRICE_BY_HCPCS[lvl] * b.area[p[ed]],
        em=True,
    )
    surg = np.flatnonzero(_IP_KIND[stays.reason] == "surgical")
    code = _SURGEON_CPT[stays.reason[surg]]
    sday = np.minimum(admit[surg] + 1, dis[surg])
    surgeon = np.zeros(len(surg), dtype=np.int64)
    for role in sorted(set(_SURGEON_ROLE[_SURGEON_ROLE != ""])):
        mine = _SURGEON_ROLE[stays.reason[surg]] == role
        surgeon[mine] = provider(role, pop.number[p[surg[mine]]])
    first = b.add_claims(
        len(surg),
        dx[surg],
        person=p[surg],
        start=sday,
        end=sday,
        pos=POS["21"],
        render=surgeon,
        **group_billing(pop.number[p[surg]] * 23),
        share=SHARE_PART_B,
    )
    b.add_lines(
        np.arange(first, first + len(surg)),
        hcpcs=code,
        line_start=sday,
        line_end=sday,
        allowed=PRICE_BY_HCPCS[code] * b.area[p[surg]],
    )
