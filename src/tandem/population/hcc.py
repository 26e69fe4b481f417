"""CMS-HCC V24 and V28 risk scores from diagnoses and enrolment demographics.

Risk scores let a program compare expected cost across people with different disease burdens; the features
need them for every person, which ``hcc_sql`` scores for a whole population: community continuing enrollees
(aged or disabled, non-dual, partial or full dual), long-term institutional residents and new enrollees. The
C-SNP new-enrollee factors are here only (the population has no plan segment).
Coefficients, hierarchies and the ICD-10-CM map come from the Tuva Project value sets shipped in
``data/`` (see data/README.md); the age/sex diagnosis edits come from the CMS model software
(``cms_hcc_dx_edits.csv``). This module only applies them, in the order of the CMS software: map codes,
edit by age/sex, V28 HCC 223 recode, hierarchies, then factors.

Cross-checked against hccinfhir 0.4.0 and against scores of the CMS V28 reference engine
(tests/population/test_hcc_reference.py); docs/population.md lists what differs and why.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
MODELS = ("CMS-HCC-V24", "CMS-HCC-V28")
ICD_MAP_PAYMENT_YEAR = 2026
# Normalisation factor for V28 from cms_hcc__adjustment_rates.csv (CY2024 Rate Announcement, PY2024);
# the shipped table has no later V28 year, so this is the most recent published factor we carry.
V28_NORMALIZATION_PAYMENT_YEAR = 2024

AGE_BANDS = (
    (0, 34, "0-34"),
    (35, 44, "35-44"),
    (45, 54, "45-54"),
    (55, 59, "55-59"),
    (60, 64, "60-64"),
    (65, 69, "65-69"),
    (70, 74, "70-74"),
    (75, 79, "75-79"),
    (80, 84, "80-84"),
    (85, 89, "85-89"),
    (90, 94, "90-94"),
)
FULL_DUAL_CODES = {"02", "04", "08"}
PARTIAL_DUAL_CODES = {"01", "03", "05", "06"}
# Originally disabled = OREC 1 (disability) and no longer disabled, i.e. aged 65+. OREC 3 (disability and
# ESRD) does not count: CMS software `ORIGDS = (OREC='1')*(DISABL=0)` (V24/V28 SAS) and `ORIGDIS` in the
# CMS-HCC V28 Python package (common/CMS_HCC_utils.py, get_bene_info_df), as mirrored by hccinfhir.
ORIGINALLY_DISABLED_OREC = "1"
# V28: HCC 223 (heart assist device/artificial heart) is only kept alongside another heart-failure HCC; CMS
# V28 Python package, CMS_HCC_v28/transform.py ("Recode CCs based on model version rules"), applied after
# the age/sex edits and before the hierarchies.
V28_HCC223_NEEDS_ONE_OF = frozenset({221, 222, 224, 225, 226})

Segment = tuple[str, str, str]  # (medicaid_status, dual_status, orec) as spelled in the Tuva tables


# New-enrollee age cells: the CMS new-enrollee table has single years 65-69 where others have 65-69.
NEW_ENROLLEE_AGE_BANDS = (
    *AGE_BANDS[:5],
    (65, 65, "65"),
    (66, 66, "66"),
    (67, 67, "67"),
    (68, 68, "68"),
    (69, 69, "69"),
    *AGE_BANDS[6:],
)


@dataclass(frozen=True)
class Demographics:
    """What CMS-HCC needs about a person; ``orec`` is the original reason for entitlement code (0-3).

    ``institutional`` (long-term institutional, 90+ days in a facility) and ``new_enrollee`` (under 12
    months of Part B in the data year, so no diagnosis history) pick the other two CMS segments; ``snp``
    selects the C-SNP new-enrollee factors, which only ``hcc.score`` applies (``hcc_sql`` decides the other
    two from eligibility; docs/population.md, CMS-HCC *Segments*)."""

    age: int
    sex: str
    orec: str | None = None
    dual_status_code: str | None = None
    institutional: bool = False
    new_enrollee: bool = False
    snp: bool = False


@dataclass
class HccScore:
    model: str
    hccs: list[int]
    demographic: float
    disease: float
    interactions: float
    count: float
    components: dict[str, float] = field(default_factory=dict)

    @property
    def raw(self) -> float:
        return round(self.demographic + self.disease + self.interactions + self.count, 3)


@dataclass(frozen=True)
class DxEdit:
    """One CMS age/sex edit on a diagnosis code: it fires for ``sex``, or for an age outside
    ``[valid_age_min, valid_age_max]``; the code then maps to ``hcc_override`` or, if None, to nothing."""

    sex: str | None
    valid_age_min: int
    valid_age_max: int | None
    hcc_override: int | None

    def fires(self, age: int, sex: str) -> bool:
        if self.sex is not None:
            return sex == self.sex
        return age < self.valid_age_min or (self.valid_age_max is not None and age > self.valid_age_max)


@dataclass
class _Tables:
    icd: dict[tuple[str, str], set[int]]
    edits: dict[tuple[str, str], list[DxEdit]]
    hierarchy: dict[tuple[str, int], set[int]]
    demographic: dict[tuple[str, str, str, Segment], float]
    disease: dict[tuple[str, Segment, int], tuple[float, str]]
    interactions: dict[tuple[str, Segment], dict[str, tuple[float, set[tuple[int, int]]]]]
    orig_disabled: dict[tuple[str, str, str, str], float]
    counts: dict[tuple[str, Segment], dict[str, float]]
    normalization: dict[tuple[str, int], float]
    institutional: _InstitutionalTables
    # (model, C-SNP, sex, new-enrollee age cell, Medicaid, originally disabled) -> factor
    new_enrollee: dict[tuple[str, bool, str, str, bool, bool], float]


@dataclass
class _InstitutionalTables:
    demographic: dict[tuple[str, str, str], float] = field(default_factory=dict)  # (model, sex, age band)
    disease: dict[tuple[str, int], float] = field(default_factory=dict)
    interactions: dict[str, dict[str, tuple[float, set[tuple[int, int]]]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    # DISABLED_* interactions: an HCC of the group for someone under 65 entitled by disability
    disabled: dict[str, dict[str, tuple[float, set[int]]]] = field(default_factory=lambda: defaultdict(dict))
    medicaid: dict[str, float] = field(default_factory=dict)  # LTIMCAID
    counts: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))


def _rows(name: str) -> Iterable[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def _community(row: dict[str, str]) -> bool:
    return row.get("enrollment_status") == "Continuing" and row.get("institutional_status") == "No"


def _institutional(row: dict[str, str]) -> bool:
    return row.get("enrollment_status") == "Continuing" and row.get("institutional_status") == "Yes"


def _institutional_tables() -> _InstitutionalTables:
    ins = _InstitutionalTables()
    for r in _rows("cms_hcc__demographic_factors.csv"):
        if _institutional(r):
            ins.demographic[(r["model_version"], r["gender"], r["age_group"])] = float(r["coefficient"])
    for r in _rows("cms_hcc__disease_factors.csv"):
        if _institutional(r):
            ins.disease[(r["model_version"], int(r["hcc_code"]))] = float(r["coefficient"])
    for r in _rows("cms_hcc__disease_interaction_factors.csv"):
        if _institutional(r):
            coef, pairs = ins.interactions[r["model_version"]].get(
                r["short_name"], (float(r["coefficient"]), set())
            )
            pairs.add((int(r["hcc_code_1"]), int(r["hcc_code_2"])))
            ins.interactions[r["model_version"]][r["short_name"]] = (coef, pairs)
    for r in _rows("cms_hcc__disabled_interaction_factors.csv"):
        if _institutional(r):
            coef, group = ins.disabled[r["model_version"]].get(
                r["short_name"], (float(r["coefficient"]), set())
            )
            group.add(int(r["hcc_code"]))
            ins.disabled[r["model_version"]][r["short_name"]] = (coef, group)
    for r in _rows("cms_hcc__enrollment_interaction_factors.csv"):
        if _institutional(r) and r["description"] == "Medicaid":
            ins.medicaid[r["model_version"]] = float(r["coefficient"])
    for r in _rows("cms_hcc__payment_hcc_count_factors.csv"):
        if _institutional(r):
            ins.counts[r["model_version"]][r["payment_hcc_count"]] = float(r["coefficient"])
    return ins


def _new_enrollee_tables() -> dict[tuple[str, bool, str, str, bool, bool], float]:
    """In the Tuva table a new enrollee's ``orec`` column says Disabled for the originally-disabled cells."""
    out = {}
    for r in _rows("cms_hcc__demographic_factors.csv"):
        if r["enrollment_status"] == "New":
            key = (
                r["model_version"],
                r["plan_segment"] == "C-SNP",
                r["gender"],
                r["age_group"],
                r["medicaid_status"] == "Yes",
                r["orec"] == "Disabled",
            )
            out[key] = float(r["coefficient"])
    return out


@cache
def tables() -> _Tables:
    """Parse the value sets once per process; they are small and read-only."""
    icd: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in _rows(f"cms_hcc_icd10_map_py{ICD_MAP_PAYMENT_YEAR}.csv"):
        icd[(r["model_version"], r["diagnosis_code"])].add(int(r["hcc_code"]))
    edits: dict[tuple[str, str], list[DxEdit]] = defaultdict(list)
    for r in _rows("cms_hcc_dx_edits.csv"):
        edits[(r["model_version"], r["diagnosis_code"])].append(
            DxEdit(
                r["sex"] or None,
                int(r["valid_age_min"] or 0),
                int(r["valid_age_max"]) if r["valid_age_max"] else None,
                int(r["hcc_override"]) if r["hcc_override"] else None,
            )
        )
    hierarchy: dict[tuple[str, int], set[int]] = defaultdict(set)
    for r in _rows("cms_hcc__disease_hierarchy.csv"):
        hierarchy[(r["model_version"], int(r["hcc_code"]))].add(int(r["hccs_to_exclude"]))
    demographic = {}
    for r in _rows("cms_hcc__demographic_factors.csv"):
        if _community(r) and not r["plan_segment"]:
            seg = (r["medicaid_status"], r["dual_status"], r["orec"])
            demographic[(r["model_version"], r["gender"], r["age_group"], seg)] = float(r["coefficient"])
    disease = {}
    for r in _rows("cms_hcc__disease_factors.csv"):
        if _community(r):
            seg = (r["medicaid_status"], r["dual_status"], r["orec"])
            disease[(r["model_version"], seg, int(r["hcc_code"]))] = (
                float(r["coefficient"]),
                r["description"],
            )
    interactions: dict[tuple[str, Segment], dict[str, tuple[float, set[tuple[int, int]]]]] = defaultdict(dict)
    for r in _rows("cms_hcc__disease_interaction_factors.csv"):
        if _community(r):
            seg = (r["medicaid_status"], r["dual_status"], r["orec"])
            coef, pairs = interactions[(r["model_version"], seg)].get(
                r["short_name"], (float(r["coefficient"]), set())
            )
            pairs.add((int(r["hcc_code_1"]), int(r["hcc_code_2"])))
            interactions[(r["model_version"], seg)][r["short_name"]] = (coef, pairs)
    orig_disabled = {}
    for r in _rows("cms_hcc__enrollment_interaction_factors.csv"):
        if _community(r) and r["description"].startswith("Originally Disabled"):
            key = (r["model_version"], r["gender"], r["medicaid_status"], r["dual_status"])
            orig_disabled[key] = float(r["coefficient"])
    counts: dict[tuple[str, Segment], dict[str, float]] = defaultdict(dict)
    for r in _rows("cms_hcc__payment_hcc_count_factors.csv"):
        if _community(r):
            seg = (r["medicaid_status"], r["dual_status"], r["orec"])
            counts[(r["model_version"], seg)][r["payment_hcc_count"]] = float(r["coefficient"])
    normalization = {
        (r["model_version"], int(r["payment_year"])): float(r["normalization_factor"])
        for r in _rows("cms_hcc__adjustment_rates.csv")
    }
    return _Tables(
        icd,
        edits,
        hierarchy,
        demographic,
        disease,
        interactions,
        orig_disabled,
        counts,
        normalization,
        _institutional_tables(),
        _new_enrollee_tables(),
    )


def normalization_factor(
    model: str = "CMS-HCC-V28", payment_year: int = V28_NORMALIZATION_PAYMENT_YEAR
) -> float:
    return tables().normalization[(model, payment_year)]


def age_band(age: int) -> str:
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return ">=95"


def is_medicaid(demo: Demographics) -> bool:
    """Full or partial dual; CMS's LTIMCAID / NEMCAID inputs, which we derive from the dual status code."""
    return segment(demo)[0] == "Yes"


def segment(demo: Demographics) -> Segment:
    """Community segment: aged if 65 or over, otherwise disabled; dual status from the CMS dual code."""
    code = (demo.dual_status_code or "").strip()
    code = code.zfill(2) if code.isdigit() else code
    if code in FULL_DUAL_CODES:
        medicaid, dual = "Yes", "Full"
    elif code in PARTIAL_DUAL_CODES:
        medicaid, dual = "Yes", "Partial"
    else:
        medicaid, dual = "No", "Non"
    return medicaid, dual, ("Aged" if demo.age >= 65 else "Disabled")


def sex_label(sex: str) -> str:
    """The Tuva tables spell sex Female/Male; anything not starting with F scores as male, as before."""
    return "Female" if sex.lower().startswith("f") else "Male"


def _edited(model: str, code: str, demo: Demographics | None) -> set[int]:
    """HCCs of one code after the CMS age/sex edits (V24I0ED3 / V28I0ED3 and the MCE age ranges):
    any firing edit without an override drops the code, else the override replaces its HCCs."""
    t = tables()
    hccs = t.icd.get((model, code), set())
    if not hccs or demo is None:
        return hccs
    fired = [e for e in t.edits.get((model, code), []) if e.fires(demo.age, sex_label(demo.sex))]
    if not fired:
        return hccs
    if any(e.hcc_override is None for e in fired):
        return set()
    return {e.hcc_override for e in fired if e.hcc_override is not None}


def hccs_for(model: str, diagnosis_codes: Iterable[str], demo: Demographics | None = None) -> list[int]:
    """Map codes to HCCs and apply the hierarchy, so only the most severe HCC in a family is paid.

    With ``demo`` the CMS age/sex edits apply first (female hemophilia, COPD under 18, breast cancer
    under 50 in V28, newborn codes after age 1, MCE age ranges); without it codes map as listed."""
    found: set[int] = set()
    for code in diagnosis_codes:
        found |= _edited(model, code.replace(".", "").upper(), demo)
    if model == "CMS-HCC-V28" and 223 in found and not found & V28_HCC223_NEEDS_ONE_OF:
        found.discard(223)
    t = tables()
    excluded: set[int] = set()
    for hcc in found:
        excluded |= t.hierarchy.get((model, hcc), set())
    return sorted(found - excluded)


def score(model: str, diagnosis_codes: Iterable[str], demo: Demographics) -> HccScore:
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {MODELS}")
    if demo.new_enrollee:
        return _new_enrollee_score(model, demo)
    if demo.institutional:
        return _institutional_score(model, diagnosis_codes, demo)
    t = tables()
    seg = segment(demo)
    sex = sex_label(demo.sex)
    components: dict[str, float] = {}

    demographic = t.demographic.get((model, sex, age_band(demo.age), seg), 0.0)
    components[f"{sex[0]}{age_band(demo.age)}"] = demographic
    if (demo.orec or "").strip() == ORIGINALLY_DISABLED_OREC and demo.age >= 65:
        od = t.orig_disabled.get((model, sex, seg[0], seg[1]), 0.0)
        components["originally_disabled"] = od
        demographic += od

    hccs = hccs_for(model, diagnosis_codes, demo)
    disease = 0.0
    for hcc in hccs:
        coef = t.disease.get((model, seg, hcc), (0.0, ""))[0]
        components[f"HCC{hcc}"] = coef
        disease += coef

    present = set(hccs)
    interactions = 0.0
    for name, (coef, pairs) in sorted(t.interactions.get((model, seg), {}).items()):
        if any(a in present and b in present for a, b in pairs):
            components[name] = coef
            interactions += coef

    # D1..D10P count every payment HCC left after the hierarchies, including those whose coefficient is 0
    # in this segment (the Tuva tables omit such rows, e.g. V24 HCC74 for full-dual aged): CMS V28 package
    # common/utils.py get_bene_hcc_counts sums all HCC columns. Every HCC in the map is a payment HCC
    # (86 in V24, 115 in V28).
    n = len(hccs)
    count_key = ">=10" if n >= 10 else str(n)
    count = t.counts.get((model, seg), {}).get(count_key, 0.0)
    if count:
        components[f"D{count_key}"] = count
    return HccScore(
        model, hccs, round(demographic, 3), round(disease, 3), round(interactions, 3), count, components
    )


def new_enrollee_age_band(age: int, orec: str | None) -> str:
    """CMS puts a 64-year-old entitled by age (OREC 0) in the 65 cell, as they turn 65 during the payment
    year; any other 64-year-old stays in 60-64 (CMS V28 package, get_ne_bene_age_sex_vars)."""
    if age == 64:
        return "65" if (orec or "0").strip() == "0" else "60-64"
    for low, high, label in NEW_ENROLLEE_AGE_BANDS:
        if low <= age <= high:
            return label
    return ">=95"


def _new_enrollee_score(model: str, demo: Demographics) -> HccScore:
    """New enrollees have no diagnosis year, so the score is one demographic cell: sex x age x Medicaid x
    originally disabled (OREC 1 and 65+: NE_ORIGDIS in the CMS V28 package), C-SNP members separately."""
    sex = sex_label(demo.sex)
    cell = new_enrollee_age_band(demo.age, demo.orec)
    orig_disabled = demo.age >= 65 and (demo.orec or "").strip() == ORIGINALLY_DISABLED_OREC
    factor = tables().new_enrollee[(model, demo.snp, sex, cell, is_medicaid(demo), orig_disabled)]
    mcaid = "MCAID" if is_medicaid(demo) else "NMCAID"
    origdis = "ORIGDIS" if orig_disabled else "NORIGDIS"
    name = f"{'SNPNE' if demo.snp else 'NE'}_{mcaid}_{origdis}"
    return HccScore(model, [], factor, 0.0, 0.0, 0.0, {f"{name}_{sex[0]}{cell}": factor})


def _institutional_score(model: str, diagnosis_codes: Iterable[str], demo: Demographics) -> HccScore:
    """Long-term institutional segment: its own age/sex, disease, interaction and count factors, plus
    LTIMCAID and the DISABLED_* interactions (DISABL = under 65 and OREC not 0, as in the CMS software).
    CMS also lists an institutional ORIGDS term; its factor is 0 in V24 and V28, so it is left out."""
    t = tables()
    ins = t.institutional
    sex = sex_label(demo.sex)
    components: dict[str, float] = {}
    demographic = ins.demographic.get((model, sex, age_band(demo.age)), 0.0)
    components[f"{sex[0]}{age_band(demo.age)}"] = demographic
    if is_medicaid(demo):
        components["LTIMCAID"] = ins.medicaid[model]
        demographic += ins.medicaid[model]

    hccs = hccs_for(model, diagnosis_codes, demo)
    present = set(hccs)
    disease = 0.0
    for hcc in hccs:
        coef = ins.disease.get((model, hcc), 0.0)
        components[f"HCC{hcc}"] = coef
        disease += coef
    interactions = 0.0
    for name, (coef, pairs) in sorted(ins.interactions.get(model, {}).items()):
        if any(a in present and b in present for a, b in pairs):
            components[name] = coef
            interactions += coef
    disabled = demo.age < 65 and (demo.orec or "").strip() in ("1", "2", "3")
    if disabled:
        for name, (coef, group) in sorted(ins.disabled.get(model, {}).items()):
            if present & group:
                components[name] = coef
                interactions += coef
    n = len(hccs)
    count_key = ">=10" if n >= 10 else str(n)
    count = ins.counts.get(model, {}).get(count_key, 0.0)
    if count:
        components[f"D{count_key}"] = count
    return HccScore(
        model, hccs, round(demographic, 3), round(disease, 3), round(interactions, 3), count, components
    )
