"""Post-acute and end-of-life claims: skilled nursing after discharges to SNF, home-health periods after
discharges home with services, and monthly hospice claims from election to death.
"""

from __future__ import annotations

from typing import Final

import numpy as np

from tandem.synth import services
from tandem.synth.acute import ADMIT_REASONS, AFTERCARE_CODES
from tandem.synth.claims import ClaimBuilder
from tandem.synth.common import Arr, noise, provider
from tandem.synth.conditions import CONDITION_INDEX
from tandem.synth.encounters import Stays, month_of
from tandem.synth.population import Population
from tandem.synth.vocab import BILL_TYPE, DISPOSITION, HCPCS, ICD, REVENUE

_IP_CODE: Final = np.array(ICD.indices([r.code for r in ADMIT_REASONS]))
_AFTERCARE: Final = np.array(ICD.indices(list(AFTERCARE_CODES)))


def _next_admission(stays: Stays) -> Arr:
    """Admission day of each stay's person's next stay (stays are sorted), or a far-future day."""
    nxt = np.full(len(stays), 10**9, dtype=np.int64)
    if len(stays) > 1:
        same = stays.person[1:] == stays.person[:-1]
        nxt[:-1] = np.where(same, stays.admit[1:], 10**9)
    return nxt


def _post_acute_window(
    pop: Population, stays: Stays, sel: Arr, start: Arr, length: Arr, month_start: Arr
) -> tuple[Arr, Arr, Arr, Arr]:
    """Clip post-acute episodes to enrolment, death and the next admission; drop empty ones."""
    months = pop.severity.shape[1]
    p = stays.person[sel]
    m = month_of(start, month_start)
    ok = (m >= 0) & (m < months)
    ok[ok] &= pop.enrolled[p[ok], m[ok]]
    mm = np.clip(m, 0, months - 1)
    end = np.minimum(np.minimum(start + length - 1, pop.last_day[p, mm]), _next_admission(stays)[sel] - 1)
    ok &= end >= start
    return sel[ok], p[ok], start[ok], end[ok]


def skilled_nursing(b: ClaimBuilder, pop: Population, stays: Stays, month_start: Arr) -> None:
    rng = b.rng
    sel = np.flatnonzero(stays.disposition == DISPOSITION["03"])
    length = np.minimum(3 + rng.gamma(2.0, 11.0, len(sel)).astype(np.int64), 100)
    sel, p, start, end = _post_acute_window(pop, stays, sel, stays.discharge[sel], length, month_start)
    n = len(sel)
    days = end - start + 1
    fac = provider("snf", pop.number[p])
    aftercare = _AFTERCARE[rng.integers(0, len(_AFTERCARE), n)]
    dx = b.diagnoses(p, aftercare, np.full(n, 6), 0.2, extra=_IP_CODE[stays.reason[sel]])
    first = b.add_claims(
        n,
        dx,
        institutional=True,
        person=p,
        start=start,
        end=end,
        admit=start,
        discharge=end,
        disposition=DISPOSITION["01"],
        bill=BILL_TYPE["211"],
        render=provider("nf_physician", pop.number[p]),
        billing=fac,
        facility=fac,
        tin=1000 + pop.number[p] % 200,
        share=0,
    )
    ids = np.arange(first, first + n)
    total = services.SNF_PER_DIEM * days * b.area[p]
    for rev, hc, share, units in (
        (REVENUE["0120"], -1, 0.7, days),
        (REVENUE["0420"], HCPCS["97110"], 0.15, days // 2 + 1),
        (REVENUE["0430"], HCPCS["97535"], 0.1, days // 3 + 1),
        (REVENUE["0250"], -1, 0.05, days),
    ):
        b.add_lines(
            ids, rev=rev, hcpcs=hc, units=units, line_start=start, line_end=end, allowed=total * share
        )


def home_health(b: ClaimBuilder, pop: Population, stays: Stays, month_start: Arr) -> None:
    rng = b.rng
    sel = np.flatnonzero(stays.disposition == DISPOSITION["06"])
    start = stays.discharge[sel] + rng.integers(1, 4, len(sel))
    sel, p, start, end = _post_acute_window(pop, stays, sel, start, np.full(len(sel), 30), month_start)
    n = len(sel)
    agency = provider("home_health", pop.number[p])
    aftercare = _AFTERCARE[rng.integers(0, len(_AFTERCARE), n)]
    dx = b.diagnoses(p, aftercare, np.full(n, 4), 0.2, extra=_IP_CODE[stays.reason[sel]])
    first = b.add_claims(
        n,
        dx,
        institutional=True,
        person=p,
        start=start,
        end=end,
        disposition=DISPOSITION["01"],
        bill=BILL_TYPE["329"],
        render=provider("pcp", pop.pcp[p]),
        billing=agency,
        facility=agency,
        tin=1000 + pop.number[p] % 200,
        share=0,
    )
    ids = np.arange(first, first + n)
    sn, pt = rng.integers(4, 11, n), rng.integers(2, 7, n)
    total = services.HOME_HEALTH_PERIOD * b.area[p] * noise(rng, n, 0.1)
    b.add_lines(
        ids,
        rev=REVENUE["0551"],
        hcpcs=HCPCS["G0299"],
        units=sn,
        line_start=start,
        line_end=end,
        allowed=total * sn / (sn + pt),
    )
    b.add_lines(
        ids,
        rev=REVENUE["0421"],
        hcpcs=HCPCS["G0151"],
        units=pt,
        line_start=start,
        line_end=end,
        allowed=total * pt / (sn + pt),
    )


_HOSPICE_PRIORITY: Final = (
    "cancer",
    "dementia",
    "heart_failure",
    "copd",
    "esrd",
    "chronic_kidney_disease",
    "stroke",
)


def hospice_claims(b: ClaimBuilder, pop: Population, month_start: Arr) -> None:
    """Monthly hospice routine-home-care claims (bill type 811) from hospice election to death."""
    months = pop.severity.shape[1]
    t = np.arange(months)[None, :]
    mask = pop.enrolled & (pop.hospice_month[:, None] >= 0) & (t >= pop.hospice_month[:, None])
    p, m = np.nonzero(mask)
    start = month_start[m]
    end = np.minimum(month_start[m + 1] - 1, pop.last_day[p, m])
    n = len(p)
    primary = np.full(n, -1, dtype=np.int64)
    for key in reversed(_HOSPICE_PRIORITY):
        code = pop.cond_code[p, CONDITION_INDEX[key]]
        primary = np.where(code >= 0, code, primary)
    agency = provider("hospice", pop.number[p])
    first = b.add_claims(
        n,
        b.diagnoses(p, primary, np.full(n, 3), 0.1),
        institutional=True,
        person=p,
        start=start,
        end=end,
        disposition=np.where(end == pop.death_day[p], DISPOSITION["40"], DISPOSITION["30"]),
        bill=BILL_TYPE["811"],
        render=provider("pcp", pop.pcp[p]),
        billing=agency,
        facility=agency,
        tin=1000 + pop.number[p] % 200,
        share=0,
    )
    days = end - start + 1
    b.add_lines(
        np.arange(first, first + n),
        rev=REVENUE["0651"],
        units=days,
        line_start=start,
        line_end=end,
        allowed=services.HOSPICE_PER_DIEM * days * b.area[p],
    )
