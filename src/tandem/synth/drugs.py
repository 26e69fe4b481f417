"""Outpatient drugs (NDC) and which conditions they treat.

NDCs are 11-digit (5-4-2) package codes of the named products as recalled from FDA NDC Directory and
DailyMed package labels. They were written without network access and have NOT been re-verified: the
labeler prefixes are real manufacturers, but a product or package segment may be outdated or wrong.
For this synthetic data the drug name attached here, not an external NDC lookup, is authoritative.

`cost30` is an approximate allowed amount for a 30-day supply (2024 list/NADAC-like prices, rounded;
specialty drugs such as Biktarvy, Epclusa, Humira and Ibrance cost thousands a month, which is what
makes some members persistently expensive). Treatment shares (`Therapy.p_treated`) are rough shares of
people with the condition on maintenance therapy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Drug:
    """One dispensable product. `qty30` is dispensing units for 30 days; `sex` restricts use."""

    ndc: str
    name: str
    cost30: float
    qty30: int
    specialty: bool = False
    controlled: bool = False
    sex: str = ""


DRUGS: Final[tuple[Drug, ...]] = (
    Drug("68180051301", "lisinopril 10 mg tablet", 6, 30),
    Drug("69097012705", "amlodipine 5 mg tablet", 5, 30),
    Drug("00093736556", "losartan 50 mg tablet", 9, 30),
    Drug("16729018301", "hydrochlorothiazide 25 mg tablet", 4, 30),
    Drug("62037083190", "metoprolol succinate ER 50 mg tablet", 12, 30),
    Drug("00378212377", "atorvastatin 40 mg tablet", 8, 30),
    Drug("00591377319", "rosuvastatin 10 mg tablet", 9, 30),
    Drug("16714068302", "simvastatin 20 mg tablet", 5, 30),
    Drug("00093104801", "metformin 500 mg tablet", 6, 60),
    Drug("00093095301", "glipizide 5 mg tablet", 6, 30),
    Drug("00597015230", "Jardiance 10 mg tablet", 610, 30),
    Drug("00169413212", "Ozempic 1 mg/dose pen", 980, 1),
    Drug("00002143380", "Trulicity 1.5 mg/0.5 mL pen", 990, 2),
    Drug("00006027731", "Januvia 100 mg tablet", 560, 30),
    Drug("00088221905", "Lantus SoloStar 100 unit/mL pen", 420, 15),
    Drug("00093731456", "clopidogrel 75 mg tablet", 8, 30),
    Drug("59762330402", "nitroglycerin 0.4 mg sublingual tablet", 25, 25),
    Drug("00054429731", "furosemide 40 mg tablet", 5, 30),
    Drug("00093729501", "carvedilol 12.5 mg tablet", 7, 60),
    Drug("53489014301", "spironolactone 25 mg tablet", 8, 30),
    Drug("00078065920", "Entresto 49/51 mg tablet", 650, 60),
    Drug("00003089421", "Eliquis 5 mg tablet", 580, 60),
    Drug("50458057930", "Xarelto 20 mg tablet", 580, 30),
    Drug("00093171201", "warfarin 5 mg tablet", 6, 30),
    Drug("00093031801", "diltiazem ER 180 mg capsule", 25, 30),
    Drug("58468013001", "sevelamer carbonate 800 mg tablet", 160, 270),
    Drug("00597007541", "Spiriva HandiHaler 18 mcg capsule", 520, 30),
    Drug("00173088710", "Trelegy Ellipta 100/62.5/25 mcg", 680, 1),
    Drug("00173068220", "Ventolin HFA 90 mcg inhaler", 60, 1),
    Drug("00173069600", "Advair Diskus 250/50 mcg", 420, 1),
    Drug("00186037220", "Symbicort 160/4.5 mcg inhaler", 360, 1),
    Drug("00093742656", "montelukast 10 mg tablet", 9, 30),
    Drug("16729021301", "sertraline 50 mg tablet", 6, 30),
    Drug("00093585101", "escitalopram 10 mg tablet", 6, 30),
    Drug("00591354330", "bupropion XL 150 mg tablet", 18, 30),
    Drug("50111056101", "trazodone 50 mg tablet", 6, 30),
    Drug("00093754256", "duloxetine 60 mg capsule", 14, 30),
    Drug("00093005401", "buspirone 10 mg tablet", 10, 60),
    Drug("00093506101", "hydroxyzine HCl 25 mg tablet", 8, 60),
    Drug("59762010102", "aripiprazole 10 mg tablet", 12, 30),
    Drug("47335090788", "quetiapine 100 mg tablet", 12, 60),
    Drug("00093596101", "olanzapine 10 mg tablet", 12, 30),
    Drug("00093737601", "risperidone 2 mg tablet", 10, 60),
    Drug("00054452725", "lithium carbonate 300 mg capsule", 12, 90),
    Drug("00093039201", "lamotrigine 100 mg tablet", 9, 60),
    Drug("12496120803", "buprenorphine/naloxone 8/2 mg film", 210, 60, controlled=True),
    Drug("00406117001", "naltrexone 50 mg tablet", 45, 30),
    Drug("69547035302", "naloxone 4 mg nasal spray", 45, 2),
    Drug("00093558201", "acamprosate 333 mg DR tablet", 60, 180),
    Drug("00093731201", "donepezil 10 mg tablet", 8, 30),
    Drug("00093731656", "memantine 10 mg tablet", 14, 60),
    Drug("00093053601", "anastrozole 1 mg tablet", 12, 30, sex="female"),
    Drug("00093099301", "abiraterone 250 mg tablet", 330, 120, specialty=True, sex="male"),
    Drug("00069018821", "Ibrance 125 mg capsule", 14800, 21, specialty=True),
    Drug("00093555301", "ondansetron 4 mg ODT", 10, 20),
    Drug("29300012505", "meloxicam 15 mg tablet", 6, 30),
    Drug("00093714601", "celecoxib 200 mg capsule", 14, 30),
    Drug("00093005801", "tramadol 50 mg tablet", 10, 90, controlled=True),
    Drug("00054455025", "methotrexate 2.5 mg tablet", 25, 24),
    Drug("00074433902", "Humira 40 mg/0.4 mL pen", 6900, 2, specialty=True),
    Drug("00093517105", "alendronate 70 mg tablet", 8, 4),
    Drug("00378180577", "levothyroxine 50 mcg tablet", 8, 30),
    Drug("00228270811", "gabapentin 300 mg capsule", 9, 90),
    Drug("00406052301", "oxycodone/acetaminophen 5/325 mg tablet", 18, 60, controlled=True),
    Drug("00054353563", "lactulose 10 g/15 mL solution", 25, 900),
    Drug("61958250101", "Biktarvy 50/200/25 mg tablet", 3950, 30, specialty=True),
    Drug("61958220101", "Epclusa 400/100 mg tablet", 24900, 28, specialty=True),
    Drug("50090321900", "levetiracetam 500 mg tablet", 10, 60),
    Drug("00093029301", "carbidopa/levodopa 25/100 mg tablet", 14, 90),
    Drug("59417011610", "methylphenidate ER 36 mg tablet", 110, 30, controlled=True),
    Drug("00555097202", "amphetamine salts 20 mg tablet", 30, 60, controlled=True),
    Drug("00093531301", "omeprazole 20 mg capsule", 7, 30),
    # Short courses written at acute visits (days supply 5-10, not 30/90).
    Drug("00093415373", "amoxicillin 500 mg capsule", 8, 30),
    Drug("00093715319", "azithromycin 250 mg tablet", 10, 6),
    Drug("00093314701", "cephalexin 500 mg capsule", 9, 28),
    Drug("00054001820", "prednisone 20 mg tablet", 5, 10),
    Drug("47781030301", "nitrofurantoin monohydrate 100 mg capsule", 14, 10),
)

DRUG_INDEX: Final[dict[str, int]] = {d.name: i for i, d in enumerate(DRUGS)}


@dataclass(frozen=True)
class Therapy:
    """Maintenance therapy for a condition: who is treated, how many drugs, which ones.

    `course_months` > 0 marks a fixed course (hepatitis C: 12 weeks) instead of open-ended therapy.
    The pseudo-condition "adult" means every person aged 18 or over.
    """

    condition: str
    p_treated: float
    p_second: float
    drugs: tuple[tuple[str, float], ...]
    course_months: int = 0


THERAPIES: Final[tuple[Therapy, ...]] = (
    Therapy(
        "hypertension",
        0.90,
        0.45,
        (
            ("lisinopril 10 mg tablet", 0.3),
            ("amlodipine 5 mg tablet", 0.3),
            ("losartan 50 mg tablet", 0.2),
            ("hydrochlorothiazide 25 mg tablet", 0.1),
            ("metoprolol succinate ER 50 mg tablet", 0.1),
        ),
    ),
    Therapy(
        "hyperlipidemia",
        0.78,
        0.0,
        (
            ("atorvastatin 40 mg tablet", 0.5),
            ("rosuvastatin 10 mg tablet", 0.25),
            ("simvastatin 20 mg tablet", 0.25),
        ),
    ),
    Therapy(
        "diabetes",
        0.88,
        0.6,
        (
            ("metformin 500 mg tablet", 0.45),
            ("glipizide 5 mg tablet", 0.10),
            ("Jardiance 10 mg tablet", 0.10),
            ("Ozempic 1 mg/dose pen", 0.10),
            ("Trulicity 1.5 mg/0.5 mL pen", 0.05),
            ("Januvia 100 mg tablet", 0.05),
            ("Lantus SoloStar 100 unit/mL pen", 0.15),
        ),
    ),
    Therapy(
        "ischemic_heart_disease",
        0.6,
        0.3,
        (("clopidogrel 75 mg tablet", 0.6), ("nitroglycerin 0.4 mg sublingual tablet", 0.4)),
    ),
    Therapy(
        "heart_failure",
        0.9,
        0.75,
        (
            ("furosemide 40 mg tablet", 0.4),
            ("carvedilol 12.5 mg tablet", 0.25),
            ("spironolactone 25 mg tablet", 0.15),
            ("Entresto 49/51 mg tablet", 0.2),
        ),
    ),
    Therapy(
        "atrial_fibrillation",
        0.85,
        0.35,
        (
            ("Eliquis 5 mg tablet", 0.55),
            ("Xarelto 20 mg tablet", 0.2),
            ("warfarin 5 mg tablet", 0.15),
            ("diltiazem ER 180 mg capsule", 0.1),
        ),
    ),
    Therapy("esrd", 0.8, 0.0, (("sevelamer carbonate 800 mg tablet", 1.0),)),
    Therapy(
        "copd",
        0.8,
        0.65,
        (
            ("Spiriva HandiHaler 18 mcg capsule", 0.3),
            ("Trelegy Ellipta 100/62.5/25 mcg", 0.2),
            ("Ventolin HFA 90 mcg inhaler", 0.35),
            ("Advair Diskus 250/50 mcg", 0.15),
        ),
    ),
    Therapy(
        "asthma",
        0.75,
        0.5,
        (
            ("Ventolin HFA 90 mcg inhaler", 0.45),
            ("montelukast 10 mg tablet", 0.25),
            ("Symbicort 160/4.5 mcg inhaler", 0.3),
        ),
    ),
    Therapy(
        "depression",
        0.72,
        0.3,
        (
            ("sertraline 50 mg tablet", 0.3),
            ("escitalopram 10 mg tablet", 0.25),
            ("bupropion XL 150 mg tablet", 0.15),
            ("trazodone 50 mg tablet", 0.15),
            ("duloxetine 60 mg capsule", 0.15),
        ),
    ),
    Therapy(
        "anxiety",
        0.55,
        0.0,
        (
            ("buspirone 10 mg tablet", 0.35),
            ("hydroxyzine HCl 25 mg tablet", 0.35),
            ("sertraline 50 mg tablet", 0.3),
        ),
    ),
    Therapy(
        "serious_mental_illness",
        0.85,
        0.55,
        (
            ("aripiprazole 10 mg tablet", 0.25),
            ("quetiapine 100 mg tablet", 0.25),
            ("olanzapine 10 mg tablet", 0.15),
            ("risperidone 2 mg tablet", 0.15),
            ("lithium carbonate 300 mg capsule", 0.1),
            ("lamotrigine 100 mg tablet", 0.1),
        ),
    ),
    Therapy(
        "drug_use_disorder",
        0.35,
        0.3,
        (
            ("buprenorphine/naloxone 8/2 mg film", 0.6),
            ("naltrexone 50 mg tablet", 0.2),
            ("naloxone 4 mg nasal spray", 0.2),
        ),
    ),
    Therapy(
        "alcohol_use_disorder",
        0.2,
        0.0,
        (("naltrexone 50 mg tablet", 0.6), ("acamprosate 333 mg DR tablet", 0.4)),
    ),
    Therapy("dementia", 0.65, 0.35, (("donepezil 10 mg tablet", 0.6), ("memantine 10 mg tablet", 0.4))),
    Therapy("stroke", 0.6, 0.0, (("clopidogrel 75 mg tablet", 0.6), ("atorvastatin 40 mg tablet", 0.4))),
    Therapy(
        "cancer",
        0.45,
        0.2,
        (
            ("anastrozole 1 mg tablet", 0.3),
            ("abiraterone 250 mg tablet", 0.2),
            ("Ibrance 125 mg capsule", 0.03),
            ("ondansetron 4 mg ODT", 0.47),
        ),
    ),
    Therapy(
        "arthritis",
        0.55,
        0.2,
        (
            ("meloxicam 15 mg tablet", 0.35),
            ("celecoxib 200 mg capsule", 0.15),
            ("tramadol 50 mg tablet", 0.2),
            ("methotrexate 2.5 mg tablet", 0.28),
            ("Humira 40 mg/0.4 mL pen", 0.02),
        ),
    ),
    Therapy("osteoporosis", 0.45, 0.0, (("alendronate 70 mg tablet", 1.0),)),
    Therapy("hypothyroidism", 0.9, 0.0, (("levothyroxine 50 mcg tablet", 1.0),)),
    Therapy(
        "chronic_pain",
        0.7,
        0.3,
        (
            ("gabapentin 300 mg capsule", 0.45),
            ("tramadol 50 mg tablet", 0.2),
            ("duloxetine 60 mg capsule", 0.15),
            ("oxycodone/acetaminophen 5/325 mg tablet", 0.2),
        ),
    ),
    Therapy(
        "liver_disease",
        0.2,
        0.0,
        (("lactulose 10 g/15 mL solution", 0.5), ("spironolactone 25 mg tablet", 0.5)),
    ),
    Therapy("hiv", 0.9, 0.0, (("Biktarvy 50/200/25 mg tablet", 1.0),)),
    Therapy("hepatitis_c", 0.12, 0.0, (("Epclusa 400/100 mg tablet", 1.0),), course_months=3),
    Therapy(
        "epilepsy", 0.85, 0.2, (("levetiracetam 500 mg tablet", 0.7), ("lamotrigine 100 mg tablet", 0.3))
    ),
    Therapy("parkinsons", 0.9, 0.0, (("carbidopa/levodopa 25/100 mg tablet", 1.0),)),
    Therapy(
        "adhd", 0.6, 0.0, (("methylphenidate ER 36 mg tablet", 0.6), ("amphetamine salts 20 mg tablet", 0.4))
    ),
    Therapy("tobacco_use", 0.08, 0.0, (("bupropion XL 150 mg tablet", 1.0),)),
    # Not tied to a modelled condition: acid suppression is among the most common chronic adult drugs.
    Therapy("adult", 0.10, 0.0, (("omeprazole 20 mg capsule", 1.0),)),
)

# Short courses after acute visits: (drug name, days supply, weight).
ACUTE_COURSES: Final[tuple[tuple[str, int, float], ...]] = (
    ("amoxicillin 500 mg capsule", 10, 0.25),
    ("azithromycin 250 mg tablet", 5, 0.2),
    ("cephalexin 500 mg capsule", 7, 0.15),
    ("prednisone 20 mg tablet", 5, 0.15),
    ("nitrofurantoin monohydrate 100 mg capsule", 5, 0.1),
    ("oxycodone/acetaminophen 5/325 mg tablet", 5, 0.1),
    ("ondansetron 4 mg ODT", 5, 0.05),
)
