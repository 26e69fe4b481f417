"""People: demographics, coverage, chronic conditions, social needs, enrolment and latent severity.

The model, in short:

* Three correlated latent factors per person -- physical frailty, behavioural health, social risk
  (`conditions.FACTOR_CORRELATION`). Each condition and social need is a liability-threshold trait:
  present when `loadings . factors + noise` exceeds the segment's prevalence threshold. Conditions that
  load on the same factor co-occur (diabetes-CKD-heart failure; depression-SUD-homelessness) while each
  marginal prevalence stays what the table says.
* A baseline log-utilisation `mu` (condition cost weights + factors + noise) plus an AR(1) monthly
  deviation and a small personal trend give the monthly severity `s[i, t]`. All claim rates are
  log-linear in `s`, so persistent conditions make cost persistent while the AR(1) part, acute
  episodes and deaths make it regress toward the mean year over year.
* Deaths are drawn from a severity-dependent hazard; the last months of life get a severity surge and
  some decedents enter hospice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from tandem.synth.conditions import (
    CONDITION_INDEX,
    CONDITIONS,
    FACTOR_CORRELATION,
    SEG_75,
    SEG_85,
    SEG_CHILD,
    SEG_DISABLED,
    SEG_MCD_ADULT,
    SOCIAL_NEEDS,
    STATUS_CODES,
)
from tandem.synth.mathutil import choice, norm_cdf, norm_ppf
from tandem.synth.providers import role_size
from tandem.synth.vocab import ICD

Arr = npt.NDArray[Any]

MEDICARE_SHARE: Final = 0.65
# Segment mix within each programme (CMS enrolment snapshots: ~15% of Medicare under 65; ~40% of
# Medicaid enrollees are children, fewer in a care-management population, hence 25%).
MEDICARE_SEGMENTS: Final = np.array([0.15, 0.52 * 0.85, 0.33 * 0.85, 0.15 * 0.85])  # disabled, 65, 75, 85
MEDICAID_CHILD_SHARE: Final = 0.25
FEMALE_SHARE: Final = np.array([0.49, 0.58, 0.47, 0.53, 0.56, 0.65])
# Tuva normalised race values and shares (Medicare, Medicaid): CMS enrolment and KFF Medicaid figures.
RACES: Final = (
    "white",
    "black or african american",
    "asian",
    "american indian or alaska native",
    "native hawaiian or other pacific islander",
    "other race",
    "unknown",
)
RACE_SHARES: Final = (
    np.array([0.76, 0.10, 0.045, 0.006, 0.002, 0.06, 0.027]),
    np.array([0.44, 0.21, 0.05, 0.015, 0.005, 0.18, 0.10]),
)
HISPANIC_SHARE: Final = (0.09, 0.28)
# Full and partial dual shares by Medicare segment (MedPAC/MACPAC Data Book on duals: ~19% of
# Medicare beneficiaries are dual, ~40% of those under 65).
FULL_DUAL: Final = np.array([0.0, 0.0, 0.38, 0.12, 0.13, 0.17])
PARTIAL_DUAL: Final = np.array([0.0, 0.0, 0.06, 0.05, 0.05, 0.05])
FULL_DUAL_CODES: Final = ("02", "04", "08")
PARTIAL_DUAL_CODES: Final = ("01", "03", "06")
DUAL_CODES: Final = FULL_DUAL_CODES + PARTIAL_DUAL_CODES

# Severity model. Baseline log-utilisation by segment, AR(1) monthly deviation, trend.
SEGMENT_BASE: Final = np.array([-0.9, -0.55, -0.25, -0.45, -0.2, 0.0])
MU_NOISE: Final = 0.10
AR_RHO: Final = 0.60
AR_SIGMA: Final = 1.05
TREND_SD_PER_YEAR: Final = 0.15
TREND_MEAN_PER_YEAR: Final = 0.06  # ageing and disease progression
# Acute shocks: monthly probability and size of a jump in the AR(1) deviation (it then decays).
SHOCK_RATE: Final = 0.025
SHOCK_SIZE: Final = (0.8, 1.8)
# Monthly death hazard: exp(DEATH_BASE[segment] + DEATH_SLOPE * s). Tuned so annual mortality is about
# 0.05% children, 0.6% Medicaid adults, 2% disabled, 2.5% / 5% / 13% for 65-74 / 75-84 / 85+
# (CDC life tables and Medicare FFS mortality).
DEATH_BASE: Final = np.array([-10.3, -7.7, -7.3, -6.65, -6.2, -5.3])
DEATH_SLOPE: Final = 0.9
TERMINAL_SURGE: Final = (1.3, 0.8, 0.4)  # added to severity 0, 1, 2 months before death
HOSPICE_SHARE: Final = np.array([0.05, 0.15, 0.25, 0.45, 0.50, 0.55])
# Enrolment churn: monthly disenrolment and re-enrolment hazards (Medicare, Medicaid).
LEAVE_HAZARD: Final = (0.004, 0.014)
RETURN_HAZARD: Final = (0.02, 0.08)
NEW_ENROLLEE_SHARE: Final = 0.12


@dataclass
class Population:
    """Arrays describing one chunk of people; row i is the chunk's i-th person."""

    number: Arr  # global 1-based person number
    segment: Arr
    medicare: Arr
    female: Arr
    age: Arr  # years at the window start
    birth_day: Arr  # days since 1970-01-01
    race: Arr
    hispanic: Arr
    dual: Arr  # index into DUAL_CODES, -1 if not dual
    orec: Arr  # "0".."3" as int, -1 if not Medicare
    medicare_status: Arr  # 10, 11, 20, 21, 31, or -1
    lti: Arr
    factors: Arr  # (n, 3)
    has: Arr  # (n, conditions) bool
    cond_code: Arr  # (n, conditions) ICD index or -1
    chronic: Arr  # (n, k) ICD indices of the person's chronic/status codes, shuffled, -1 padded
    chronic_n: Arr
    behavioural: Arr  # (n, k) behavioural ICD codes, -1 padded
    behavioural_n: Arr
    social: Arr  # (n, k) Z codes, -1 padded
    social_n: Arr
    n_chronic: Arr  # count of chronic conditions (excluding status codes)
    mu: Arr
    severity: Arr  # (n, months) float
    enrolled: Arr  # (n, months) bool: enrolled and alive at the month's start
    last_day: Arr  # (n, months) last day a service starting that month may run to
    new_enrollee: Arr
    death_month: Arr  # -1 if alive at the end
    death_day: Arr  # -1 if alive
    hospice_month: Arr  # first hospice month, -1 if none
    pcp: Arr
    hospital: Arr
    pharmacy: Arr
    group: Arr

    @property
    def size(self) -> int:
        return int(len(self.number))


def _thresholds() -> tuple[Arr, Arr]:
    """Liability thresholds per (condition, segment, sex) and per (need, segment)."""
    cond = np.zeros((len(CONDITIONS), 6, 2))
    for c, spec in enumerate(CONDITIONS):
        r = spec.female_ratio
        for s, pct in enumerate(spec.prevalence):
            p = pct / 100.0
            cond[c, s, 0] = norm_ppf(1.0 - min(p * 2.0 / (1.0 + r), 0.95))  # male
            cond[c, s, 1] = norm_ppf(1.0 - min(p * 2.0 * r / (1.0 + r), 0.95))  # female
    need = np.array([[norm_ppf(1.0 - pct / 100.0) for pct in n.prevalence] for n in SOCIAL_NEEDS])
    return cond, need


COND_THRESHOLD, NEED_THRESHOLD = _thresholds()
COND_LOADINGS: Final = np.array([c.loadings for c in CONDITIONS])
NEED_LOADINGS: Final = np.array([n.loadings for n in SOCIAL_NEEDS])
# Condition cost weights are damped so persistent (condition-driven) variance does not swamp the
# transient part; see docs/synth.md on calibrating persistence.
COND_COST_SCALE: Final = 0.4
COND_COST: Final = COND_COST_SCALE * np.array([c.cost for c in CONDITIONS])
FACTOR_CHOL: Final = np.linalg.cholesky(np.array(FACTOR_CORRELATION))
BEHAVIOURAL: Final = np.array([c.behavioural for c in CONDITIONS])


def _liability(rng: np.random.Generator, factors: Arr, loadings: Arr) -> Arr:
    """Unit-variance liabilities: factor part plus independent noise filling the remaining variance."""
    common = factors @ loadings.T
    common_var = np.einsum("ij,jk,ik->i", loadings, np.array(FACTOR_CORRELATION), loadings)
    noise_sd = np.sqrt(np.clip(1.0 - common_var, 0.05, None))
    return np.asarray(common + rng.standard_normal(common.shape) * noise_sd, dtype=np.float64)


def _pick_codes(rng: np.random.Generator, pool: tuple[tuple[str, float], ...], frailty: Arr) -> Arr:
    """ICD indices from a mild-to-severe pool; frailer people draw later (more severe) codes."""
    weights = np.array([w for _, w in pool], dtype=np.float64)
    cum = np.cumsum(weights / weights.sum())
    u = norm_cdf(0.5 * frailty + np.sqrt(0.75) * rng.standard_normal(len(frailty)))
    pos = np.minimum(np.searchsorted(cum, u, side="right"), len(pool) - 1)
    return np.asarray(np.array(ICD.indices([c for c, _ in pool]))[pos], dtype=np.int64)


def _shuffled_lists(rng: np.random.Generator, codes: Arr) -> tuple[Arr, Arr]:
    """Compact each row's non-negative codes to the left in random order; return (matrix, counts)."""
    keys = rng.random(codes.shape)
    keys[codes < 0] = 2.0
    order = np.argsort(keys, axis=1, kind="stable")
    packed = np.take_along_axis(codes, order, axis=1)
    counts = (codes >= 0).sum(axis=1)
    width = max(int(counts.max(initial=0)), 1)
    return np.ascontiguousarray(packed[:, :width]), counts


def _demographics(rng: np.random.Generator, n: int) -> dict[str, Arr]:
    medicare = rng.random(n) < MEDICARE_SHARE
    seg = np.where(rng.random(n) < MEDICAID_CHILD_SHARE, SEG_CHILD, SEG_MCD_ADULT)
    seg = np.where(medicare, SEG_DISABLED + choice(rng, MEDICARE_SEGMENTS, n), seg)
    u = rng.random(n)
    age = np.select(
        [seg == SEG_CHILD, seg == SEG_MCD_ADULT, seg == SEG_DISABLED, seg == SEG_DISABLED + 1, seg == SEG_75],
        [
            u * 18.0,
            19.0 + 45.0 * rng.beta(1.3, 1.8, n),
            21.0 + 43.9 * rng.beta(2.2, 1.3, n),
            65.0 + 10.0 * u,
            75.0 + 10.0 * u,
        ],
        default=np.minimum(85.0 + rng.exponential(4.5, n), 104.0),
    )
    female = rng.random(n) < FEMALE_SHARE[seg]
    prog = np.where(medicare, 0, 1)
    race = np.where(medicare, choice(rng, RACE_SHARES[0], n), choice(rng, RACE_SHARES[1], n))
    hispanic = rng.random(n) < np.where(medicare, HISPANIC_SHARE[0], HISPANIC_SHARE[1])
    u = rng.random(n)
    dual = np.full(n, -1, dtype=np.int64)
    full = u < FULL_DUAL[seg]
    partial = ~full & (u < FULL_DUAL[seg] + PARTIAL_DUAL[seg])
    dual[full] = choice(rng, np.array([0.5, 0.1, 0.4]), int(full.sum()))
    dual[partial] = 3 + choice(rng, np.array([0.5, 0.35, 0.15]), int(partial.sum()))
    return {
        "medicare": medicare,
        "segment": seg,
        "age": age,
        "female": female,
        "program": prog,
        "race": race,
        "hispanic": hispanic,
        "dual": dual,
    }


def _conditions(rng: np.random.Generator, seg: Arr, female: Arr, factors: Arr) -> tuple[Arr, Arr]:
    n = len(seg)
    liab = _liability(rng, factors, COND_LOADINGS)
    thr = COND_THRESHOLD[:, seg, female.astype(np.int64)].T  # (n, conditions)
    has = liab > thr
    ckd, esrd = CONDITION_INDEX["chronic_kidney_disease"], CONDITION_INDEX["esrd"]
    has[:, ckd] &= ~has[:, esrd]
    codes = np.full((n, len(CONDITIONS)), -1, dtype=np.int64)
    for c, spec in enumerate(CONDITIONS):
        rows = np.flatnonzero(has[:, c])
        if len(rows) == 0:
            continue
        picked = _pick_codes(rng, spec.codes, factors[rows, 0])
        if spec.codes_female:
            fem = female[rows]
            picked[fem] = _pick_codes(rng, spec.codes_female, factors[rows[fem], 0])
        codes[rows, c] = picked
    return has, codes


def _social(rng: np.random.Generator, seg: Arr, factors: Arr) -> Arr:
    liab = _liability(rng, factors, NEED_LOADINGS)
    present = liab > NEED_THRESHOLD[:, seg].T
    codes = np.full(present.shape, -1, dtype=np.int64)
    for k, need in enumerate(SOCIAL_NEEDS):
        rows = np.flatnonzero(present[:, k])
        if len(rows):
            codes[rows, k] = _pick_codes(rng, need.codes, np.zeros(len(rows)))
    return codes


def _enrolment(rng: np.random.Generator, medicare: Arr, months: int) -> tuple[Arr, Arr]:
    n = len(medicare)
    leave = np.where(medicare, LEAVE_HAZARD[0], LEAVE_HAZARD[1])
    back = np.where(medicare, RETURN_HAZARD[0], RETURN_HAZARD[1])
    join = np.where(rng.random(n) < NEW_ENROLLEE_SHARE, rng.integers(1, max(months, 2), n), 0)
    join = np.minimum(join, months - 1)
    u = rng.random((n, months))
    enrolled = np.zeros((n, months), dtype=bool)
    state = join == 0
    for t in range(months):
        started = join == t
        stay = state & (u[:, t] >= leave)
        ret = ~state & (join < t) & (u[:, t] < back)
        state = started | stay | ret
        enrolled[:, t] = state
    return enrolled, join > 0


def _severity(rng: np.random.Generator, mu: Arr, months: int) -> Arr:
    n = len(mu)
    x = np.empty((n, months))
    x[:, 0] = rng.standard_normal(n) * AR_SIGMA
    eps = rng.standard_normal((n, months)) * (AR_SIGMA * np.sqrt(1.0 - AR_RHO**2))
    for t in range(1, months):
        x[:, t] = AR_RHO * x[:, t - 1] + eps[:, t]
    shocks = (rng.random((n, months)) < SHOCK_RATE) * rng.uniform(SHOCK_SIZE[0], SHOCK_SIZE[1], (n, months))
    eps += shocks
    x[:, 0] += shocks[:, 0]
    trend = (TREND_MEAN_PER_YEAR + rng.standard_normal(n) * TREND_SD_PER_YEAR) / 12.0
    return np.asarray(mu[:, None] + x + trend[:, None] * np.arange(months)[None, :], dtype=np.float64)


def build_population(
    rng: np.random.Generator, first_number: int, n: int, months: int, month_start: Arr
) -> Population:
    """Draw `n` people numbered from `first_number` for a window whose month starts are `month_start`.

    `month_start` holds months + 1 day numbers (the last one is the day after the window).
    """
    demo = _demographics(rng, n)
    seg, female, medicare = demo["segment"], demo["female"], demo["medicare"]
    factors = rng.standard_normal((n, 3)) @ FACTOR_CHOL.T
    has, cond_code = _conditions(rng, seg, female, factors)
    status = np.full((n, len(STATUS_CODES)), -1, dtype=np.int64)
    for k, (code, cond, p) in enumerate(STATUS_CODES):
        hit = has[:, CONDITION_INDEX[cond]] & (rng.random(n) < p)
        status[hit, k] = ICD[code]
    chronic, chronic_n = _shuffled_lists(rng, np.concatenate([cond_code, status], axis=1))
    behavioural, behavioural_n = _shuffled_lists(rng, np.where(BEHAVIOURAL[None, :], cond_code, -1))
    social, social_n = _shuffled_lists(rng, _social(rng, seg, factors))
    n_chronic = has.sum(axis=1)

    esrd = has[:, CONDITION_INDEX["esrd"]]
    orec = np.where(medicare, np.where(seg == SEG_DISABLED, 1, np.where(rng.random(n) < 0.12, 1, 0)), -1)
    orec = np.where(medicare & esrd & (seg == SEG_DISABLED), np.where(rng.random(n) < 0.5, 2, 3), orec)
    mstatus = np.where(seg == SEG_DISABLED, np.where(esrd, 21, 20), np.where(esrd, 11, 10))
    mstatus = np.where(orec == 2, 31, mstatus)
    mstatus = np.where(medicare, mstatus, -1)
    dementia = has[:, CONDITION_INDEX["dementia"]]
    intellectual = has[:, CONDITION_INDEX["intellectual_disability"]]
    lti_logit = (
        -5.2
        + 2.0 * dementia
        + 0.8 * factors[:, 0]
        + 1.5 * (seg == SEG_85)
        + 0.7 * (seg == SEG_75)
        + 0.5 * (seg == SEG_DISABLED)
        + 2.0 * intellectual
    )
    lti = (seg >= SEG_DISABLED) & (rng.random(n) < 1.0 / (1.0 + np.exp(-lti_logit)))

    mu = (
        SEGMENT_BASE[seg]
        + has.astype(np.float64) @ COND_COST
        + 0.15 * factors[:, 0]
        + 0.10 * factors[:, 1]
        + 0.10 * factors[:, 2]
        + 0.4 * lti
        + rng.standard_normal(n) * MU_NOISE
    )
    severity = _severity(rng, mu, months)
    enrolled, new_enrollee = _enrolment(rng, medicare, months)

    # Deaths: first enrolled month whose hazard fires. Later months are not enrolled.
    hazard = np.exp(DEATH_BASE[seg][:, None] + DEATH_SLOPE * severity)
    dies = enrolled & (rng.random((n, months)) < hazard)
    any_death: Arr = np.asarray(dies.any(axis=1))
    death_month = np.where(any_death, dies.argmax(axis=1), -1)
    month_len = np.diff(month_start)
    rows = np.flatnonzero(any_death)
    death_day = np.full(n, -1, dtype=np.int64)
    dm = death_month[rows]
    death_day[rows] = month_start[dm] + (rng.random(len(rows)) * month_len[dm]).astype(np.int64)
    t_idx = np.arange(months)[None, :]
    after_death = any_death[:, None] & (t_idx > death_month[:, None])
    enrolled &= ~after_death
    for k, bump in enumerate(TERMINAL_SURGE):
        m = death_month[rows] - k
        ok = m >= 0
        severity[rows[ok], m[ok]] += bump
    hospice_month = np.full(n, -1, dtype=np.int64)
    to_hospice = rows[rng.random(len(rows)) < HOSPICE_SHARE[seg[rows]]]
    hospice_month[to_hospice] = np.maximum(death_month[to_hospice] - rng.integers(0, 3, len(to_hospice)), 0)

    last_day = _last_days(enrolled, month_start, death_day)
    age_days = (demo["age"] * 365.25).astype(np.int64) + rng.integers(0, 365, n)
    return Population(
        number=np.arange(first_number, first_number + n, dtype=np.int64),
        segment=seg,
        medicare=medicare,
        female=female,
        age=demo["age"],
        birth_day=month_start[0] - age_days,
        race=demo["race"],
        hispanic=demo["hispanic"],
        dual=demo["dual"],
        orec=orec,
        medicare_status=mstatus,
        lti=lti,
        factors=factors,
        has=has,
        cond_code=cond_code,
        chronic=chronic,
        chronic_n=chronic_n,
        behavioural=behavioural,
        behavioural_n=behavioural_n,
        social=social,
        social_n=social_n,
        n_chronic=n_chronic,
        mu=mu,
        severity=severity,
        enrolled=enrolled,
        last_day=last_day,
        new_enrollee=new_enrollee,
        death_month=death_month,
        death_day=death_day,
        hospice_month=hospice_month,
        pcp=rng.integers(0, role_size("pcp"), n),
        hospital=rng.integers(0, role_size("hospital"), n),
        pharmacy=rng.integers(0, role_size("pharmacy"), n),
        group=rng.integers(0, role_size("group"), n),
    )


def _last_days(enrolled: Arr, month_start: Arr, death_day: Arr) -> Arr:
    """For each enrolled person-month, the last day of the enrolment span containing it (or death)."""
    n, months = enrolled.shape
    last = np.full((n, months), -1, dtype=np.int64)
    run_end = np.full(n, -1, dtype=np.int64)
    for t in range(months - 1, -1, -1):
        month_last = month_start[t + 1] - 1
        cont = enrolled[:, t] & (run_end >= 0)
        run_end = np.where(enrolled[:, t], np.where(cont, run_end, month_last), -1)
        last[:, t] = run_end
    died = death_day >= 0
    last[died] = np.where(last[died] >= 0, np.minimum(last[died], death_day[died][:, None]), -1)
    return last
