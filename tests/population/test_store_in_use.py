"""A store another process holds: the load and the readers refuse with a message, and nothing changes.

A reload replaces Parquet files and deletes the ones it superseded; a features run in another process
that could still read the old file list would meet a deleted file. DuckDB's file lock rules that out
(one writer or several readers, never both), so these tests hold the store in a second process and
check that the conflict is reported as such — not a traceback, not a half-done load.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.population.features import open_session
from tandem.population.load_tuva import load_directory
from tandem.population.store import StoreInUse, connect, files_dir
from tandem.synth.generator import generate

HOLD = """
import sys, time
from pathlib import Path
from tandem.population import features, store
mode, db, ready = sys.argv[1], sys.argv[2], Path(sys.argv[3])
con = features.open_session(db) if mode == "read" else store.connect(db)
con.execute("SELECT count(*) FROM medical_claim").fetchall()
ready.write_text("held")
time.sleep(60)
"""


@pytest.fixture()
def store_path(tmp_path: Path) -> Path:
    claims = tmp_path / "claims"
    generate(30, 12, 5, claims, fmt="parquet", start=dt.date(2024, 1, 1))
    db = tmp_path / "a.duckdb"
    load_directory(claims, db)
    return db


def _hold(mode: str, db: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    ready = tmp_path / f"ready-{mode}"
    proc = subprocess.Popen([sys.executable, "-c", HOLD, mode, str(db), str(ready)])
    deadline = time.monotonic() + 60
    while not ready.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the holding process exited with {proc.returncode}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the holding process never opened the store")
        time.sleep(0.05)
    return proc


def _snapshot(db: Path) -> tuple[set[str], set[str], int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = {r[0] for r in con.execute("SELECT file_name FROM store_file").fetchall()}
        lines = int(con.execute("SELECT count(*) FROM medical_claim").fetchall()[0][0])
    finally:
        con.close()
    on_disk = {str(p.relative_to(files_dir(db))) for p in files_dir(db).rglob("*.parquet")}
    return names, on_disk, lines


def test_a_reload_while_another_process_reads_is_refused_and_changes_nothing(
    store_path: Path, tmp_path: Path
) -> None:
    before = _snapshot(store_path)
    assert before[2] > 0
    holder = _hold("read", store_path, tmp_path)
    try:
        with pytest.raises(CommandError) as caught:
            call_command("population", "load", str(tmp_path / "claims"), "--db", str(store_path))
        message = str(caught.value)
        assert f"analytics store {store_path} is busy" in message
        assert f"(process {holder.pid})" in message
        assert "nothing was changed" in message
        with pytest.raises(StoreInUse):
            connect(store_path)
    finally:
        holder.kill()
        holder.wait()
    assert _snapshot(store_path) == before
    # Once the reader is gone the same reload goes through and, being the same files, duplicates nothing.
    call_command("population", "load", str(tmp_path / "claims"), "--db", str(store_path))
    assert _snapshot(store_path)[2] == before[2]


def test_readers_are_refused_while_a_load_holds_the_store(store_path: Path, tmp_path: Path) -> None:
    holder = _hold("write", store_path, tmp_path)
    out = tmp_path / "features.csv"
    try:
        with pytest.raises(StoreInUse, match="another process is writing it"):
            open_session(store_path)
        with pytest.raises(StoreInUse, match="is busy"):
            connect(store_path, read_only=True)
        with pytest.raises(CommandError, match=f"process {holder.pid}"):
            call_command(
                "population", "features", "--as-of", "2024-12-31", "--out", str(out), "--db", str(store_path)
            )
    finally:
        holder.kill()
        holder.wait()
    assert not out.exists()
    session = open_session(store_path)
    try:
        assert session.execute("SELECT count(*) FROM medical_claim").fetchall()[0][0] > 0
    finally:
        session.close()
