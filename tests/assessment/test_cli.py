"""The ``instruments`` management command: JSON output, listing, and exit status 2 on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> str:
    out = StringIO()
    call_command("instruments", *args, stdout=out)
    return out.getvalue()


def test_score_phq9() -> None:
    data = json.loads(run("score", "phq9", "--answers", "1,2,0,3,1,0,2,1,0"))
    assert data == {"instrument": "phq9", "total": 10, "band": "moderate", "flags": []}


def test_score_phq9_self_harm_flag() -> None:
    data = json.loads(run("score", "phq9", "--answers", "0,0,0,0,0,0,0,0,1"))
    assert (data["total"], data["band"], data["flags"]) == (1, "minimal", ["self_harm_risk"])


def test_score_phq2_and_gad7() -> None:
    assert json.loads(run("score", "phq2", "--answers", "2,1"))["flags"] == ["positive"]
    assert json.loads(run("score", "gad7", "--answers", "3,3,3,3,0,0,0"))["band"] == "moderate"


def test_score_promis_positional_and_keyed_agree() -> None:
    positional = json.loads(run("score", "promis10", "--answers", "3,3,3,4,2,4,5,3,3,2"))
    keyed = json.loads(
        run(
            "score",
            "promis10",
            "--answers",
            "Global07r=5,Global01=3,Global02=3,Global03=3,Global04=4,Global05=2,Global09r=3,"
            "Global06=4,Global10r=2,Global08r=3",
        )
    )
    assert positional == keyed
    assert positional["physical_t"] == 42.3 and positional["mental_t"] == 41.1
    assert (positional["physical_raw"], positional["mental_raw"]) == (13, 11)
    assert positional["total"] is None


def test_score_ahc_hrsn() -> None:
    data = json.loads(run("score", "ahc-hrsn", "--answers", "2,2+4,1,3,2,3,1,1,1,1"))
    assert data["positive_domains"] == [
        "housing_instability",
        "housing_quality",
        "food_insecurity",
        "utility_needs",
    ]
    assert (data["total"], data["band"], data["flags"]) == (4, "positive", ["positive"])


def test_list_shows_codes() -> None:
    text = run("list")
    for code in ("44249-1", "44261-6", "55757-9", "55758-7", "69737-5", "70274-6", "71971-6", "96777-8"):
        assert code in text
    rows = {r["id"]: r for r in json.loads(run("list", "--json"))}
    assert set(rows) == {"phq2", "phq9", "gad7", "promis10", "ahc-hrsn"}
    assert rows["promis10"]["other_loinc"]["mental_t"] == "71969-0"


@pytest.mark.parametrize(
    ("instrument", "answers", "message"),
    [
        (
            "phq9",
            "1,2,0,3,1,0,2,1,4",
            r"item 9 \(Thoughts that you would be better off dead\.\.\.\) must be 0-3, got 4",
        ),
        ("phq9", "1,2,0", r"item 4 \(Feeling tired or having little energy\) is missing"),
        ("phq9", "0,0,0,0,0,0,0,0,0,0", "9 items but 10 answers"),
        (
            "gad7",
            "0,0,x,0,0,0,0",
            r"item 3 \(Worrying too much about different things\) must be a whole number",
        ),
        ("promis10", "4,4,4,4,4,4,11,4,4,4", r"item 7 \(Global07r pain 0-10\) must be 0-10, got 11"),
        ("ahc-hrsn", "1,8,3,3,2,4,1,1,1,1", r"item 6 \(.*\) must be 1-3, got 4"),
        ("nope", "1", "unknown instrument 'nope'"),
    ],
)
def test_bad_input_exits_2_naming_the_problem(instrument: str, answers: str, message: str) -> None:
    with pytest.raises(CommandError, match=message) as caught:
        run("score", instrument, "--answers", answers)
    assert caught.value.returncode == 2


def _django(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "tandem.settings"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-m", "django", "instruments", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_console_entry_point_scores_and_refuses() -> None:
    ok = _django("score", "phq9", "--answers", "1,2,0,3,1,0,2,1,0")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout) == {"instrument": "phq9", "total": 10, "band": "moderate", "flags": []}

    bad = _django("score", "phq9", "--answers", "1,2,0,3,1,0,2,1,4")
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert "item 9 (Thoughts that you would be better off dead...) must be 0-3, got 4" in bad.stderr
