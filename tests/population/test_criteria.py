"""Criteria files: the shipped ones load, and every mistake is reported with the key that causes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.population.criteria_config import CRITERIA_DIR, CriteriaError, load, parse

MINIMAL = """
name = "t"
title = "Test"
[[criteria]]
key = "adult"
label = "adult"
measure = "age"
at_least = 18
[ranking]
capacity = 5
"""


def test_shipped_files_load() -> None:
    camden = load(CRITERIA_DIR / "camden.toml")
    assert [c.key for c in camden.criteria] == [
        "index_admission",
        "prior_admission",
        "chronic_conditions",
        "complexity",
    ]
    assert camden.index_days == 30 and camden.prior_months == 6
    assert camden.complexity.min_active_medications == 5
    assert "Z602" in camden.complexity.social_support_codes
    assert camden.flags.polypharmacy_min_medications == 10
    assert "E1165" in (camden.flags.uncontrolled_codes or ())
    oregon = load(CRITERIA_DIR / "careoregon.toml")
    assert [c.measure for c in oregon.criteria[1].any_of] == ["nonobstetric_ip_admits_12m", "ed_visits_12m"]
    assert oregon.weights["ip_admits_12m"] == 0.5
    assert len(camden.sha256) == 64 and camden.sha256 != oregon.sha256


def test_default_is_camden() -> None:
    assert load().name == "camden"


def test_minimal_file_uses_defaults() -> None:
    c = parse(MINIMAL)
    assert c.weights == {"hcc_v28_normalized": 1.0}
    assert c.exclusions.under_age == 18 and c.flags.uncontrolled_codes is None


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (("capacity = 5", "capacity = -1"), "ranking.capacity"),
        (("capacity = 5", 'capacity = "ten"'), "ranking.capacity"),
        (("capacity = 5", ""), "ranking.capacity"),
        (('measure = "age"', 'measure = "agee"'), "criteria[1].measure"),
        (("at_least = 18", ""), "criteria[1].at_least"),
        (('name = "t"', ""), "name"),
        (("capacity = 5", "capacity = 5\ncolour = 1"), "ranking.colour"),
        (("[ranking]", "[ranking]\nweights = { shoe_size = 1 }"), "ranking.weights.shoe_size"),
        (("[ranking]", '[exclusions]\nhospice = "yes"\n[ranking]'), "exclusions.hospice"),
        (
            ("[ranking]", "[flags.polypharmacy]\nmin_active_medications = 0\n[ranking]"),
            "flags.polypharmacy.min_active_medications",
        ),
        (
            ("[ranking]", "[flags.ambulatory_care_sensitive_admission]\n[ranking]"),
            "flags.ambulatory_care_sensitive_admission.pqi",
        ),
        (("[ranking]", "[flags.teleportation]\n[ranking]"), "flags.teleportation"),
        (("[ranking]", "[index_admission]\ndays = 0\n[ranking]"), "index_admission.days"),
    ],
)
def test_errors_name_the_key(change: tuple[str, str], key: str) -> None:
    text = MINIMAL.replace(*change)
    with pytest.raises(CriteriaError) as info:
        parse(text, source="prog.toml")
    assert info.value.key == key
    assert str(info.value).startswith(f"prog.toml: {key}: ")


def test_any_and_measure_are_exclusive() -> None:
    text = MINIMAL.replace("at_least = 18", 'at_least = 18\nany = [{ measure = "age", at_least = 1 }]')
    with pytest.raises(CriteriaError, match=r"criteria\[1\]: give either"):
        parse(text)


ANY = MINIMAL.replace(
    'measure = "age"\nat_least = 18',
    'any = [\n  { measure = "age", at_least = 18, label = "an adult" },\n'
    '  { measure = "ed_visits_12m", at_least = 6 },\n]',
)


def test_alternatives_are_named_and_labelled() -> None:
    (adult,) = parse(ANY).criteria
    assert [(key, x.describe()) for key, x in adult.alternatives] == [
        ("adult:age", "an adult"),
        ("adult:ed_visits_12m", "ed_visits_12m at least 6"),
    ]
    assert parse(MINIMAL).criteria[0].alternatives == ()  # one way to meet it: nothing to tell apart
    oregon = load(CRITERIA_DIR / "careoregon.toml")
    assert [x.describe() for _, x in oregon.criteria[1].alternatives] == [
        "a non-obstetric inpatient stay",
        "6 or more ED visits",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('"ed_visits_12m"', '"age"'), r"criteria\[1\]\.any\[2\]\.measure: 'age' is already an alternative"),
        (("at_least = 6 }", "at_least = 6, colour = 1 }"), r"criteria\[1\]\.any\[2\]\.colour: unknown key"),
        (('label = "an adult"', "label = 3"), r"criteria\[1\]\.any\[1\]\.label: must be text"),
        (('key = "adult"', 'key = "adult:age"'), r"criteria\[1\]\.key: no ':' in a key"),
    ],
)
def test_alternative_mistakes(change: tuple[str, str], message: str) -> None:
    with pytest.raises(CriteriaError, match=message):
        parse(ANY.replace(*change))


def test_duplicate_keys_and_bad_toml() -> None:
    twice = MINIMAL + '[[criteria]]\nkey = "adult"\nlabel = "x"\nmeasure = "age"\nat_least = 1\n'
    with pytest.raises(CriteriaError, match=r"criteria\[2\].key: 'adult' is used twice"):
        parse(twice.replace("[ranking]\ncapacity = 5\n", "") + "[ranking]\ncapacity = 5\n")
    with pytest.raises(CriteriaError, match="not valid TOML"):
        parse("name = ")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(CriteriaError, match="missing.toml"):
        load(tmp_path / "missing.toml")
