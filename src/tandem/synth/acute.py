"""Reasons for acute care: principal diagnoses of admissions and ED visits, tied to chronic conditions.

An admission's principal diagnosis is drawn with weight `base + sum(affinity of the person's
conditions)`, so a person with heart failure is admitted mostly for decompensated heart failure, a
person with dementia for aspiration, UTI or sepsis, and a person with SMI to a psychiatric bed. That is
what lets downstream readmission and condition-specific analytics find realistic patterns.

MS-DRG numbers and relative weights are approximate FY2024 values (CMS IPPS Final Rule Table 5, from
memory; rounded). Lengths of stay are rough medians from the same table's geometric mean LOS.
ICD-10-PCS codes are given for the surgical reasons only, each with the surgeon's CPT code and specialty
for the professional claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class AdmitReason:
    """Principal diagnosis of an inpatient stay with its MS-DRG and cost drivers."""

    code: str
    drg: str
    drg_weight: float
    los: float
    base: float
    affinity: tuple[tuple[str, float], ...]
    kind: str = "medical"  # medical | surgical | psych | sud
    pcs: str = ""
    surgeon: tuple[str, str] = ("", "")  # surgical reasons: (CPT code, provider role) of the surgeon's claim


ADMIT_REASONS: Final[tuple[AdmitReason, ...]] = (
    AdmitReason("I5023", "291", 1.35, 4.5, 0.0, (("heart_failure", 3.0),)),
    AdmitReason("I5033", "291", 1.35, 4.5, 0.0, (("heart_failure", 3.0),)),
    AdmitReason("J441", "190", 1.15, 4.0, 0.0, (("copd", 5.0),)),
    AdmitReason(
        "A419",
        "871",
        1.90,
        5.5,
        1.2,
        (
            ("dementia", 1.0),
            ("diabetes", 0.3),
            ("chronic_kidney_disease", 0.5),
            ("esrd", 1.5),
            ("pressure_ulcer", 1.5),
            ("cancer", 1.0),
        ),
    ),
    AdmitReason("J189", "193", 1.30, 4.5, 1.0, (("copd", 1.5), ("dementia", 0.8), ("tobacco_use", 0.3))),
    AdmitReason("J690", "177", 1.75, 6.0, 0.05, (("dementia", 1.2), ("parkinsons", 1.5), ("stroke", 0.8))),
    AdmitReason("N179", "682", 1.50, 4.5, 0.2, (("chronic_kidney_disease", 2.0), ("heart_failure", 0.5))),
    AdmitReason("N390", "690", 0.80, 3.5, 0.6, (("dementia", 1.2),)),
    # Myocardial infarction, half treated medically and half with a coronary stent (DRG 247, percutaneous
    # cardiovascular procedure with drug-eluting stent).
    AdmitReason("I214", "280", 1.65, 4.5, 0.15, (("ischemic_heart_disease", 1.25), ("diabetes", 0.15))),
    AdmitReason(
        "I214",
        "247",
        2.05,
        2.5,
        0.15,
        (("ischemic_heart_disease", 1.25), ("diabetes", 0.15)),
        kind="surgical",
        pcs="027034Z",
        surgeon=("92928", "cardiology"),
    ),
    AdmitReason(
        "I639", "065", 1.05, 3.5, 0.3, (("stroke", 2.0), ("atrial_fibrillation", 1.2), ("hypertension", 0.2))
    ),
    AdmitReason("I4891", "309", 0.75, 3.0, 0.0, (("atrial_fibrillation", 3.0),)),
    AdmitReason("E1165", "638", 0.90, 3.0, 0.0, (("diabetes", 1.5),)),
    AdmitReason(
        "K922",
        "378",
        1.00,
        3.5,
        0.3,
        (("liver_disease", 2.0), ("atrial_fibrillation", 0.5), ("alcohol_use_disorder", 1.0)),
    ),
    AdmitReason(
        "S72001A",
        "481",
        2.20,
        5.0,
        0.3,
        (("osteoporosis", 1.5), ("dementia", 0.8), ("parkinsons", 0.8)),
        kind="surgical",
        pcs="0QS604Z",
        surgeon=("27236", "orthopedics"),
    ),
    AdmitReason(
        "M1711",
        "470",
        1.90,
        2.0,
        0.1,
        (("arthritis", 1.2),),
        kind="surgical",
        pcs="0SRC0JZ",
        surgeon=("27447", "orthopedics"),
    ),
    # Gangrene from atherosclerosis of the right leg in a person with diabetes, below-knee amputation (DRG
    # 240, amputation for circulatory system disorders except upper limb and toe with CC). With diabetes
    # among the secondary diagnoses this is AHRQ PQI 16 and no other PQI (a diabetic-gangrene principal
    # E11.52 would already count as PQI 03).
    AdmitReason(
        "I70261",
        "240",
        2.45,
        6.0,
        0.0,
        (("diabetes", 0.08),),  # additive weights cannot require PVD too: diabetes alone
        kind="surgical",
        pcs="0Y6H0Z1",
        surgeon=("27880", "orthopedics"),
    ),
    AdmitReason("F209", "885", 1.30, 9.0, 0.0, (("serious_mental_illness", 5.0),), kind="psych"),
    AdmitReason(
        "F332", "885", 1.30, 7.0, 0.0, (("depression", 1.2), ("serious_mental_illness", 0.5)), kind="psych"
    ),
    AdmitReason("F10239", "897", 0.75, 3.5, 0.0, (("alcohol_use_disorder", 4.0),), kind="sud"),
    AdmitReason("F1123", "897", 0.75, 3.5, 0.0, (("drug_use_disorder", 2.5),), kind="sud"),
    AdmitReason("T402X1A", "918", 0.75, 2.5, 0.0, (("drug_use_disorder", 2.0),), kind="sud"),
    AdmitReason("E871", "641", 0.75, 3.0, 0.3, (("dementia", 0.3), ("chronic_kidney_disease", 0.3))),
    AdmitReason("R55", "312", 0.75, 2.5, 0.4, ()),
    AdmitReason("J9601", "189", 1.20, 4.0, 0.0, (("copd", 1.5), ("heart_failure", 1.0))),
    AdmitReason("C3490", "180", 1.70, 6.0, 0.0, (("cancer", 1.2),)),
    AdmitReason("K56609", "389", 0.95, 4.0, 0.4, (("cancer", 0.4),)),
    AdmitReason(
        "L03115",
        "603",
        0.85,
        3.5,
        0.3,
        (
            ("diabetes", 0.6),
            ("obesity", 0.5),
            ("peripheral_vascular_disease", 0.5),
            ("drug_use_disorder", 0.8),
            ("pressure_ulcer", 1.0),
        ),
    ),
    AdmitReason("G40909", "101", 0.85, 3.0, 0.0, (("epilepsy", 3.0),)),
)


@dataclass(frozen=True)
class EdReason:
    """Principal diagnosis of a treat-and-release ED visit; `level` is the typical E/M level (1-5)."""

    code: str
    base: float
    affinity: tuple[tuple[str, float], ...]
    level: int


ED_REASONS: Final[tuple[EdReason, ...]] = (
    EdReason("R0789", 1.5, (("ischemic_heart_disease", 1.0), ("anxiety", 0.5)), 4),
    EdReason("R109", 1.5, (), 4),
    EdReason("J069", 1.2, (), 2),
    EdReason("N390", 0.8, (("dementia", 0.5),), 3),
    EdReason("R519", 0.8, (), 3),
    EdReason("M5450", 0.9, (("chronic_pain", 1.0),), 3),
    EdReason("S0990XA", 0.6, (("alcohol_use_disorder", 0.8), ("dementia", 0.5)), 4),
    EdReason("S93401A", 0.6, (), 3),
    EdReason("R55", 0.4, (), 4),
    EdReason("R42", 0.5, (), 3),
    EdReason("J441", 0.0, (("copd", 2.0),), 4),
    EdReason("J45901", 0.0, (("asthma", 2.5),), 3),
    EdReason("R0602", 0.5, (("heart_failure", 1.0), ("copd", 1.0)), 4),
    EdReason("E1165", 0.0, (("diabetes", 0.8),), 3),
    EdReason("F10129", 0.0, (("alcohol_use_disorder", 2.5),), 3),
    EdReason("T402X1A", 0.0, (("drug_use_disorder", 1.0),), 5),
    EdReason("R45851", 0.0, (("depression", 0.6), ("serious_mental_illness", 1.5)), 4),
    EdReason("F419", 0.0, (("anxiety", 1.2),), 3),
    EdReason("K0889", 0.5, (), 2),
    EdReason("L03115", 0.5, (("diabetes", 0.3), ("drug_use_disorder", 0.6)), 3),
    EdReason("R112", 0.8, (), 3),
    EdReason("I160", 0.0, (("hypertension", 0.4),), 4),
    EdReason("J029", 0.6, (), 2),
)

# Diagnoses for office visits of people with no chronic condition on file (or an acute add-on):
# (code, weight). Z0000/Z00129 are adult/child general examinations, chosen by age.
OFFICE_ACUTE: Final[tuple[tuple[str, float], ...]] = (
    ("Z0000", 0.25),
    ("Z23", 0.10),
    ("J069", 0.15),
    ("J029", 0.08),
    ("J209", 0.08),
    ("M25561", 0.06),
    ("L309", 0.05),
    ("R109", 0.05),
    ("M5450", 0.08),
    ("N390", 0.05),
    ("R5383", 0.05),
)
CHILD_EXAM_CODE: Final = "Z00129"

# Codes used on specific service lines.
CHEMO_ENCOUNTER_CODE: Final = "Z5111"  # encounter for antineoplastic chemotherapy
DIALYSIS_CODE: Final = "N186"
AFTERCARE_CODES: Final[tuple[str, ...]] = ("Z4789", "R262", "R2681", "Z9181")  # SNF / home health
