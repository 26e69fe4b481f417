"""CMS-HCC V24 and V28 community risk scores from diagnoses and enrolment demographics.

Risk scores let a program compare expected cost across people with different disease burdens; we need
them for community-dwelling continuing enrollees (aged or disabled, non-dual, partial or full dual).
Coefficients, hierarchies and the ICD-10-CM map come from the Tuva Project value sets shipped in
``data/`` (see data/README.md); this module only applies them.
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

Segment = tuple[str, str, str]  # (medicaid_status, dual_status, orec) as spelled in the Tuva tables


@dataclass(frozen=True)
class Demographics:
    """What CMS-HCC needs about a person; ``orec`` is the original reason for entitlement code (0-3)."""

    age: int
    sex: str
    orec: str | None = None
    dual_status_code: str | None = None


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


@dataclass
class _Tables:
    icd: dict[tuple[str, str], set[int]]
    hierarchy: dict[tuple[str, int], set[int]]
    demographic: dict[tuple[str, str, str, Segment], float]
    disease: dict[tuple[str, Segment, int], tuple[float, str]]
    interactions: dict[tuple[str, Segment], dict[str, tuple[float, set[tuple[int, int]]]]]
    orig_disabled: dict[tuple[str, str, str, str], float]
    counts: dict[tuple[str, Segment], dict[str, float]]
    normalization: dict[tuple[str, int], float]


def _rows(name: str) -> Iterable[dict[str, str]]:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def _community(row: dict[str, str]) -> bool:
    return row.get("enrollment_status") == "Continuing" and row.get("institutional_status") == "No"


@cache
def tables() -> _Tables:
    """Parse the value sets once per process; they are small and read-only."""
    icd: dict[tuple[str, str], set[int]] = defaultdict(set)
    for r in _rows(f"cms_hcc_icd10_map_py{ICD_MAP_PAYMENT_YEAR}.csv"):
        icd[(r["model_version"], r["diagnosis_code"])].add(int(r["hcc_code"]))
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
    return _Tables(icd, hierarchy, demographic, disease, interactions, orig_disabled, counts, normalization)


def normalization_factor(
    model: str = "CMS-HCC-V28", payment_year: int = V28_NORMALIZATION_PAYMENT_YEAR
) -> float:
    return tables().normalization[(model, payment_year)]


def age_band(age: int) -> str:
    for low, high, label in AGE_BANDS:
        if low <= age <= high:
            return label
    return ">=95"


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


def hccs_for(model: str, diagnosis_codes: Iterable[str]) -> list[int]:
    """Map codes to HCCs and apply the hierarchy, so only the most severe HCC in a family is paid."""
    t = tables()
    found: set[int] = set()
    for code in diagnosis_codes:
        found |= t.icd.get((model, code.replace(".", "").upper()), set())
    excluded: set[int] = set()
    for hcc in found:
        excluded |= t.hierarchy.get((model, hcc), set())
    return sorted(found - excluded)


def score(model: str, diagnosis_codes: Iterable[str], demo: Demographics) -> HccScore:
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; expected one of {MODELS}")
    t = tables()
    seg = segment(demo)
    sex = "Female" if demo.sex.lower().startswith("f") else "Male"
    components: dict[str, float] = {}

    demographic = t.demographic.get((model, sex, age_band(demo.age), seg), 0.0)
    components[f"{sex[0]}{age_band(demo.age)}"] = demographic
    originally_disabled = (demo.orec or "").strip() in ("1", "3") and demo.age >= 65
    if originally_disabled:
        od = t.orig_disabled.get((model, sex, seg[0], seg[1]), 0.0)
        components["originally_disabled"] = od
        demographic += od

    hccs = hccs_for(model, diagnosis_codes)
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

    paid = [h for h in hccs if (model, seg, h) in t.disease]
    count_table = t.counts.get((model, seg), {})
    n = len(paid)
    count_key = ">=10" if n >= 10 else str(n)
    count = count_table.get(count_key, 0.0)
    if count:
        components[f"D{count_key}"] = count
    return HccScore(
        model, hccs, round(demographic, 3), round(disease, 3), round(interactions, 3), count, components
    )
