"""`tandem load_demo`: a realistic synthetic population, loaded all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tandem.accounts.models import CareTeam, Role, User
from tandem.patients.models import Patient, PatientIdentifier
from tandem.programs.models import Episode, EpisodeStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug(settings):  # type: ignore[no-untyped-def]
    # pytest-django runs with DEBUG off; the demo loader only runs in development mode.
    settings.DEBUG = True


def test_load_demo_creates_staff_teams_and_patients_with_episodes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("load_demo", members=80, months=12, seed=7, claims_dir=tmp_path / "claims", population=200)
    out = capsys.readouterr().out
    assert "Loaded 80 synthetic patients" in out
    assert "Analytics skipped: training the risk model needs 24 months" in out
    assert "cm.rivera" in out and "tandem-demo-2026" in out
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert CareTeam.objects.count() == 2
    assert Patient.objects.count() == 80
    enrolled = Episode.objects.filter(status=EpisodeStatus.ENROLLED)
    assert enrolled.exists()
    assert all(ep.primary_care_manager and ep.tier for ep in enrolled)
    assert Episode.objects.filter(status=EpisodeStatus.OUTREACH).exists()
    # Each patient is linked to their synthetic claims by person id.
    assert PatientIdentifier.objects.filter(system="person_id").count() == 80
    # Clearly synthetic contact details.
    assert all("555-01" in p.phone for p in Patient.objects.all())
    assert (tmp_path / "claims" / "eligibility.csv").exists()


def test_load_demo_is_idempotent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_demo", members=30, months=12, seed=7, claims_dir=tmp_path / "c")
    call_command("load_demo", members=30, months=12, seed=7, claims_dir=tmp_path / "c")
    assert "already loaded" in capsys.readouterr().out
    assert Patient.objects.count() == 30


def test_failed_load_leaves_database_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tandem.demo import loader

    calls = {"n": 0}
    original = loader._make_patient

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 10:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(loader, "_make_patient", failing)
    with pytest.raises(RuntimeError):
        call_command("load_demo", members=30, months=12, seed=7, claims_dir=tmp_path / "c")
    assert Patient.objects.count() == 0
    assert User.objects.count() == 0


def test_load_demo_refuses_outside_debug_and_bad_arguments(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="at least 1"):
        call_command("load_demo", members=0, claims_dir=tmp_path)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="TANDEM_DEBUG"):
        call_command("load_demo", members=10, claims_dir=tmp_path)


def test_load_demo_runs_the_population_pipeline(
    tmp_path: Path, settings, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """Claims into the analytics store, a trained model, and a recorded stratification run."""
    from tandem.population.models import StratificationRun

    settings.VAR_DIR = tmp_path
    settings.RISK_MODEL_PATH = tmp_path / "models" / "risk.json"
    call_command(
        "load_demo", members=60, months=24, seed=11, claims_dir=tmp_path / "demo" / "claims", population=800
    )
    out = capsys.readouterr().out
    assert "tandem population load:" in out and "tandem population stratify:" in out
    assert (tmp_path / "analytics.duckdb").exists()
    assert settings.RISK_MODEL_PATH.exists()
    run = StratificationRun.objects.get()
    assert run.people_scored == 800
    # The app holds the 60 costliest people of the 800.
    assert Patient.objects.count() == 60
