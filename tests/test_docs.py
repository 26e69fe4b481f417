"""A command or setting that exists but is undocumented fails here (after Datasette's test_docs)."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[1]


def test_every_tandem_command_is_documented() -> None:
    doc = (ROOT / "docs" / "cli.md").read_text()
    ours = sorted(name for name, app in get_commands().items() if app.startswith("tandem."))
    assert ours, "no tandem management commands found"
    missing = [name for name in ours if f"## tandem {name}" not in doc]
    assert not missing, f"undocumented commands in docs/cli.md: {missing}"


def test_every_setting_variable_is_documented() -> None:
    settings_src = (ROOT / "src" / "tandem" / "settings.py").read_text()
    readme = (ROOT / "README.md").read_text()
    variables = set(re.findall(r'"(TANDEM_[A-Z_]+)"', settings_src))
    internal = {"TANDEM_HOME", "TANDEM_SQLITE_PATH", "TANDEM_TEST_DATABASE_NAME", "TANDEM_LOG_LEVEL"}
    missing = sorted(v for v in variables - internal if f"`{v}`" not in readme)
    assert not missing, f"settings variables missing from the README's configuration table: {missing}"


def test_readme_quick_start_names_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
