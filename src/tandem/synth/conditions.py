"""Chronic conditions, status codes and social needs: prevalence, correlation loadings and ICD-10-CM codes.

Prevalence is given per population segment (see `SEGMENTS`) in percent. The figures are approximate and
rounded; they are set from these publications (read from memory, no network was available while
writing, so treat them as ballpark, not as citations of exact cells):

* CMS Chronic Conditions Warehouse (CCW), "Chronic Conditions among Medicare Beneficiaries" chartbook
  (2012 ed.) and the CCW Medicare FFS condition-prevalence tables 2015-2018: hypertension ~58%,
  hyperlipidemia ~47%, ischaemic heart disease ~28%, diabetes ~27%, CKD ~20-24%, heart failure ~14%,
  depression ~17%, COPD ~11%, Alzheimer's and related dementia ~11% overall and ~30% at 85+, atrial
  fibrillation ~8%; far higher behavioural-health prevalence among beneficiaries entitled by
  disability (depression ~35-40%, schizophrenia/other psychoses ~10-15%).
* MACPAC, "Behavioral Health in the Medicaid Program" (2015) and CMS Medicaid adult chronic-condition
  figures: about 1 in 5 non-elderly adult Medicaid enrollees has a mental-health condition, roughly
  10-12% a substance-use disorder; diabetes ~10%, asthma ~10%.
* CMS Office of Minority Health Data Highlight No. 18/24 (2019-2021): Z codes Z55-Z65 are documented for
  only ~1.5-2% of Medicare FFS beneficiaries, far more often for duals and people with SMI/SUD.

Codes are ICD-10-CM without dots, valid for FY2024-FY2026. Condition code pools were checked against
the Tuva Project value sets (CMS-HCC ICD-10 to HCC mappings for payment years 2024-2026 and the CMS CCW
condition code lists) by `tests/synth/test_codes.py`, so generated codes hit HCCs and CCW groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

# Population segments, used as the second index of every prevalence table.
SEGMENTS: Final[tuple[str, ...]] = (
    "medicaid_child",  # Medicaid, 0-17
    "medicaid_adult",  # Medicaid, 18-64 (expansion adults and disabled)
    "medicare_disabled",  # Medicare, under 65, entitled by disability or ESRD
    "medicare_65_74",
    "medicare_75_84",
    "medicare_85_plus",
)
SEG_CHILD, SEG_MCD_ADULT, SEG_DISABLED, SEG_65, SEG_75, SEG_85 = range(6)

# Latent factors: physical frailty, behavioural health, social risk.
FACTOR_CORRELATION: Final[tuple[tuple[float, float, float], ...]] = (
    (1.0, 0.30, 0.20),
    (0.30, 1.0, 0.50),
    (0.20, 0.50, 1.0),
)


@dataclass(frozen=True)
class Condition:
    """A chronic condition: liability-threshold prevalence plus the codes used on claims.

    `codes` are ordered from mild to severe; people with high physical frailty draw later codes more
    often. `cost` is the condition's contribution to baseline log-utilisation (loosely scaled like
    CMS-HCC relative factors). `female_ratio` is the female/male prevalence ratio.
    """

    key: str
    codes: tuple[tuple[str, float], ...]
    prevalence: tuple[float, float, float, float, float, float]
    loadings: tuple[float, float, float]
    cost: float
    female_ratio: float = 1.0
    codes_female: tuple[tuple[str, float], ...] = field(default=())
    behavioural: bool = False


CONDITIONS: Final[tuple[Condition, ...]] = (
    Condition("hypertension", (("I10", 1.0),), (1, 22, 50, 52, 64, 70), (0.50, 0.0, 0.10), 0.05),
    Condition(
        "hyperlipidemia",
        (("E785", 0.7), ("E782", 0.2), ("E7800", 0.1)),
        (0.5, 15, 38, 45, 50, 42),
        (0.40, 0.0, 0.0),
        0.0,
    ),
    Condition(
        "diabetes",
        (
            ("E119", 0.38),
            ("E1169", 0.05),
            ("E1165", 0.22),
            ("E1140", 0.09),
            ("E1142", 0.07),
            ("E1122", 0.14),
            ("E1151", 0.05),
        ),
        (0.4, 11, 32, 27, 30, 23),
        (0.60, 0.10, 0.15),
        0.15,
    ),
    Condition(
        "ischemic_heart_disease",
        (("I2510", 0.75), ("I252", 0.15), ("I25119", 0.10)),
        (0, 4, 18, 22, 32, 40),
        (0.60, 0.0, 0.0),
        0.15,
        female_ratio=0.65,
    ),
    Condition(
        "heart_failure",
        (("I509", 0.15), ("I110", 0.20), ("I5022", 0.20), ("I5032", 0.25), ("I5042", 0.05), ("I130", 0.15)),
        (0.1, 2, 12, 9, 15, 26),
        (0.75, 0.0, 0.0),
        0.45,
    ),
    Condition(
        "atrial_fibrillation",
        (("I4891", 0.65), ("I480", 0.15), ("I4820", 0.10), ("I4811", 0.10)),
        (0, 0.5, 3, 5, 10, 16),
        (0.45, 0.0, 0.0),
        0.20,
    ),
    Condition(
        "chronic_kidney_disease",
        (("N189", 0.10), ("N1830", 0.15), ("N1831", 0.30), ("N1832", 0.15), ("N184", 0.20), ("N185", 0.10)),
        (0.3, 4, 17, 14, 22, 32),
        (0.65, 0.0, 0.05),
        0.25,
    ),
    Condition("esrd", (("N186", 1.0),), (0.02, 0.4, 3, 0.6, 0.6, 0.4), (0.80, 0.0, 0.10), 1.2),
    Condition(
        "copd",
        (("J449", 0.72), ("J439", 0.13), ("J440", 0.05), ("J9611", 0.10)),
        (0.1, 4, 15, 10, 12, 11),
        (0.50, 0.20, 0.25),
        0.35,
    ),
    Condition(
        "asthma",
        (("J45909", 0.6), ("J4520", 0.1), ("J4540", 0.2), ("J4550", 0.1)),
        (9, 9, 10, 5, 4, 3),
        (0.30, 0.15, 0.15),
        0.10,
    ),
    Condition(
        "depression",
        (("F329", 0.40), ("F341", 0.10), ("F321", 0.15), ("F331", 0.20), ("F322", 0.08), ("F332", 0.07)),
        (3, 20, 38, 15, 16, 18),
        (0.20, 0.65, 0.15),
        0.20,
        female_ratio=1.8,
        behavioural=True,
    ),
    Condition(
        "anxiety",
        (("F419", 0.55), ("F411", 0.30), ("F410", 0.05), ("F4310", 0.10)),
        (5, 18, 30, 13, 12, 11),
        (0.10, 0.60, 0.15),
        0.10,
        female_ratio=1.8,
        behavioural=True,
    ),
    Condition(
        "serious_mental_illness",
        (("F319", 0.20), ("F3130", 0.10), ("F3181", 0.10), ("F29", 0.15), ("F259", 0.15), ("F209", 0.30)),
        (0.5, 5, 18, 2, 1.5, 1.5),
        (0.10, 0.80, 0.30),
        0.50,
        behavioural=True,
    ),
    Condition(
        "drug_use_disorder",
        (
            ("F1220", 0.15),
            ("F1110", 0.05),
            ("F1121", 0.10),
            ("F1120", 0.30),
            ("F1420", 0.15),
            ("F1520", 0.15),
            ("F1920", 0.10),
        ),
        (1, 10, 12, 2, 1, 0.5),
        (0.10, 0.50, 0.35),
        0.45,
        female_ratio=0.6,
        behavioural=True,
    ),
    Condition(
        "alcohol_use_disorder",
        (("F1010", 0.25), ("F1021", 0.10), ("F1020", 0.65)),
        (0.3, 6, 7, 2.5, 1.5, 0.8),
        (0.10, 0.50, 0.30),
        0.35,
        female_ratio=0.5,
        behavioural=True,
    ),
    Condition(
        "tobacco_use", (("F17200", 0.10), ("F17210", 0.90)), (2, 25, 25, 10, 6, 3), (0.20, 0.35, 0.35), 0.0
    ),
    Condition(
        "dementia",
        (("F0390", 0.40), ("G309", 0.35), ("G301", 0.10), ("F0280", 0.15)),
        (0, 0.2, 3, 4, 13, 33),
        (0.45, 0.20, 0.10),
        0.45,
    ),
    Condition(
        "stroke",
        (("G459", 0.35), ("I69398", 0.25), ("I69351", 0.20), ("I69320", 0.20)),
        (0.1, 1.5, 5, 3.5, 6, 9),
        (0.55, 0.0, 0.0),
        0.30,
    ),
    Condition(
        "cancer",
        (("C61", 0.45), ("C3490", 0.25), ("C189", 0.18), ("C8590", 0.12)),
        (0.2, 2, 4, 7, 9, 9),
        (0.30, 0.0, 0.0),
        0.60,
        codes_female=(("C50911", 0.30), ("C50912", 0.15), ("C3490", 0.20), ("C189", 0.20), ("C8590", 0.15)),
    ),
    Condition(
        "arthritis",
        (("M1990", 0.25), ("M179", 0.25), ("M170", 0.30), ("M069", 0.12), ("M0579", 0.08)),
        (0.5, 12, 33, 28, 36, 40),
        (0.35, 0.10, 0.0),
        0.10,
        female_ratio=1.4,
    ),
    Condition(
        "osteoporosis",
        (("M810", 0.9), ("M8000XA", 0.1)),
        (0, 1, 5, 5, 8, 14),
        (0.35, 0.0, 0.0),
        0.05,
        female_ratio=4.0,
    ),
    Condition(
        "obesity",
        (("E669", 0.50), ("Z6835", 0.15), ("E6601", 0.25), ("Z6841", 0.10)),
        (15, 25, 25, 18, 12, 5),
        (0.35, 0.10, 0.15),
        0.05,
    ),
    Condition(
        "hypothyroidism", (("E039", 1.0),), (0.5, 6, 12, 14, 17, 20), (0.15, 0.0, 0.0), 0.0, female_ratio=3.0
    ),
    Condition(
        "anemia",
        (("D509", 0.25), ("D649", 0.60), ("D631", 0.15)),
        (3, 8, 18, 15, 24, 34),
        (0.50, 0.10, 0.10),
        0.10,
    ),
    Condition(
        "chronic_pain",
        (("G8929", 0.60), ("G894", 0.25), ("M5416", 0.15)),
        (0.5, 8, 18, 8, 8, 7),
        (0.20, 0.35, 0.10),
        0.10,
        female_ratio=1.5,
    ),
    Condition(
        "peripheral_vascular_disease",
        (("I739", 0.60), ("I70203", 0.25), ("I70213", 0.15)),
        (0, 1, 5, 5, 8, 11),
        (0.55, 0.0, 0.05),
        0.25,
    ),
    Condition(
        "liver_disease",
        (("K760", 0.50), ("K7460", 0.20), ("K7469", 0.10), ("K7030", 0.20)),
        (0.1, 3, 5, 2.5, 2.5, 1.5),
        (0.35, 0.35, 0.30),
        0.35,
    ),
    Condition(
        "hiv", (("B20", 1.0),), (0.05, 0.8, 1.5, 0.2, 0.1, 0.05), (0.0, 0.30, 0.35), 0.40, female_ratio=0.4
    ),
    Condition("hepatitis_c", (("B182", 1.0),), (0.05, 1.5, 3, 0.8, 0.4, 0.2), (0.10, 0.45, 0.40), 0.15),
    Condition(
        "epilepsy",
        (("G40909", 0.70), ("G40209", 0.15), ("G40919", 0.15)),
        (1, 1.5, 5, 1, 1, 1),
        (0.20, 0.20, 0.10),
        0.30,
    ),
    Condition(
        "parkinsons", (("G20A1", 1.0),), (0, 0, 0.5, 0.6, 1.5, 2.5), (0.40, 0.0, 0.0), 0.35, female_ratio=0.7
    ),
    Condition(
        "intellectual_disability",
        (("F840", 0.30), ("F70", 0.40), ("F71", 0.20), ("F79", 0.10)),
        (3, 1.5, 8, 0.2, 0.1, 0),
        (0.10, 0.20, 0.10),
        0.30,
    ),
    Condition(
        "pressure_ulcer",
        (("L89152", 0.30), ("L97419", 0.20), ("L89153", 0.30), ("L89154", 0.20)),
        (0, 0.2, 2, 1, 2.5, 6),
        (0.70, 0.0, 0.10),
        0.60,
    ),
    Condition(
        "adhd", (("F909", 0.7), ("F902", 0.3)), (8, 3, 2, 0.2, 0, 0), (0.0, 0.35, 0.20), 0.0, female_ratio=0.5
    ),
)

CONDITION_INDEX: Final[dict[str, int]] = {c.key: i for i, c in enumerate(CONDITIONS)}

# Status codes added to a person's chronic code list when they have the condition:
# (code, condition key, probability). Z794 long-term insulin (a V24 HCC 19 code), Z7984 oral
# hypoglycaemics, Z7901 anticoagulants, Z992 dialysis dependence, Z9981 supplemental oxygen,
# C787/C7951 metastases (Charlson metastatic solid tumour), Z89511 below-knee amputation.
STATUS_CODES: Final[tuple[tuple[str, str, float], ...]] = (
    ("Z794", "diabetes", 0.30),
    ("Z7984", "diabetes", 0.40),
    ("Z7901", "atrial_fibrillation", 0.70),
    ("Z992", "esrd", 0.95),
    ("Z9981", "copd", 0.25),
    ("C787", "cancer", 0.10),
    ("C7951", "cancer", 0.08),
    ("Z89511", "peripheral_vascular_disease", 0.04),
    ("Z87891", "hypertension", 0.12),
)


@dataclass(frozen=True)
class SocialNeed:
    """A health-related social need coded with ICD-10-CM Z55-Z65 codes when documented."""

    key: str
    codes: tuple[tuple[str, float], ...]
    prevalence: tuple[float, float, float, float, float, float]
    loadings: tuple[float, float, float]


# Prevalence here is of the *documented* need, by segment. Overall about 5% of members get a Z code,
# above the CMS OMH national Z-code rate (~2%) because this population is weighted toward duals, SMI
# and SUD, where screening and documentation are more common.
SOCIAL_NEEDS: Final[tuple[SocialNeed, ...]] = (
    SocialNeed(
        "homelessness",
        (("Z5900", 0.5), ("Z5901", 0.25), ("Z5902", 0.25)),
        (0.48, 2.1, 1.8, 0.3, 0.18, 0.06),
        (0.05, 0.30, 0.65),
    ),
    SocialNeed(
        "housing_instability",
        (("Z59811", 0.4), ("Z59819", 0.3), ("Z5919", 0.3)),
        (1.2, 2.4, 2.1, 0.72, 0.48, 0.3),
        (0.05, 0.25, 0.60),
    ),
    SocialNeed(
        "food_insecurity",
        (("Z5941", 0.85), ("Z5948", 0.15)),
        (2.4, 3.0, 2.7, 0.9, 0.6, 0.42),
        (0.10, 0.20, 0.60),
    ),
    SocialNeed("low_income", (("Z596", 1.0),), (1.8, 2.4, 2.4, 0.9, 0.72, 0.6), (0.05, 0.10, 0.65)),
    SocialNeed("transportation", (("Z5982", 1.0),), (0.6, 1.2, 1.8, 0.72, 0.72, 0.9), (0.20, 0.15, 0.60)),
    SocialNeed("unemployment", (("Z560", 1.0),), (0.0, 2.1, 1.2, 0.06, 0.0, 0.0), (0.0, 0.25, 0.50)),
    SocialNeed("living_alone", (("Z602", 1.0),), (0.0, 0.6, 1.8, 1.8, 3.0, 4.2), (0.25, 0.20, 0.30)),
    SocialNeed("legal_problems", (("Z653", 1.0),), (0.06, 0.72, 0.48, 0.06, 0.03, 0.0), (0.0, 0.40, 0.45)),
)
