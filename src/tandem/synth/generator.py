"""Public API: `generate(...)` writes eligibility, medical_claim and pharmacy_claim for a synthetic
Medicare/Medicaid population in the Tuva Project input-layer schema.

Determinism: people are generated in fixed chunks of `CHUNK_SIZE` members; chunk k draws from
`SeedSequence(seed, spawn_key=(k,))`, so output depends only on (members, months, seed, start) -- not on
the number of worker processes -- and chunks are always written in order. Workers (spawned processes)
generate chunks ahead while the parent writes; each chunk comes back as Arrow IPC files in a RAM-backed
spool directory, and at most `workers + 1` chunks are in flight to bound memory.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa

from tandem.synth.acute_care import ed_visits, inpatient_claims
from tandem.synth.claims import ClaimBuilder
from tandem.synth.encounters import inpatient_stays
from tandem.synth.outpatient import behavioural_visits, office_visits, wellness_visits
from tandem.synth.pharmacy import build_fills
from tandem.synth.population import build_population
from tandem.synth.postacute import hospice_claims
from tandem.synth.recurring import chemotherapy, outpatient_procedures, recurring_services
from tandem.synth.tables import ChunkContext, eligibility_table, medical_table, pharmacy_table
from tandem.synth.writer import FORMATS, TableWriter

CHUNK_SIZE: Final = 10_000
MAX_MEMBERS: Final = 50_000_000
MAX_MONTHS: Final = 120
MAX_WORKERS: Final = 64
DEFAULT_START: Final = date(2024, 1, 1)
EARLIEST_START: Final = date(2016, 1, 1)
LATEST_START: Final = date(2099, 12, 1)
TABLE_NAMES: Final = ("eligibility", "medical_claim", "pharmacy_claim")


def _worker_init() -> None:
    """One thread per worker process: Arrow thread pools in every process would oversubscribe cores."""
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


class SynthArgumentError(ValueError):
    """Raised when generation arguments make no sense; the message says what to change."""


@dataclass(frozen=True)
class SynthSummary:
    """What a run wrote: rows and file per table, the window covered, and how long it took."""

    members: int
    months: int
    seed: int
    start: date
    end: date  # last day of the window
    fmt: str
    out_dir: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _check(members: int, months: int, seed: int, out_dir: Path, fmt: str, start: date, workers: int) -> None:
    def need(ok: bool, message: str) -> None:
        if not ok:
            raise SynthArgumentError(message)

    need(
        isinstance(members, int) and not isinstance(members, bool),
        f"members must be a whole number, got {members!r}.",
    )
    need(members >= 1, f"members must be at least 1, got {members}.")
    need(members <= MAX_MEMBERS, f"members must be at most {MAX_MEMBERS:,}, got {members:,}.")
    need(
        isinstance(months, int) and not isinstance(months, bool),
        f"months must be a whole number, got {months!r}.",
    )
    need(1 <= months <= MAX_MONTHS, f"months must be between 1 and {MAX_MONTHS}, got {months}.")
    need(
        isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0,
        f"seed must be a non-negative whole number, got {seed!r}.",
    )
    need(fmt in FORMATS, f"format must be one of {', '.join(FORMATS)}; got {fmt!r}.")
    need(isinstance(start, date) and not isinstance(start, datetime), f"start must be a date, got {start!r}.")
    need(
        start.day == 1,
        f"start must be the first day of a month (enrolment is monthly), got {start.isoformat()}.",
    )
    need(
        EARLIEST_START <= start <= LATEST_START,
        f"start must be between {EARLIEST_START.isoformat()} and {LATEST_START.isoformat()} "
        f"(ICD-10-CM era, codes of FY2024-FY2026), got {start.isoformat()}.",
    )
    need(1 <= workers <= MAX_WORKERS, f"workers must be between 1 and {MAX_WORKERS}, got {workers}.")
    need(not out_dir.exists() or out_dir.is_dir(), f"output path {out_dir} exists and is not a directory.")


def month_starts(start: date, months: int) -> np.ndarray:
    """Day numbers (since 1970-01-01) of the first day of each window month, plus the day after the window."""
    first = np.datetime64(start.isoformat(), "M")
    return (first + np.arange(months + 1)).astype("datetime64[D]").astype(np.int64)


def _ingest_seconds(month_start: np.ndarray) -> int:
    """Ingest timestamp: 06:00 fourteen days after the window -- fixed, so output is reproducible."""
    return int((int(month_start[-1]) + 14) * 86_400 + 6 * 3600)


def generate_chunk(seed: int, chunk: int, members: int, months: int, start: date) -> dict[str, pa.Table]:
    """Generate the three tables for chunk `chunk` (members chunk*CHUNK_SIZE+1 ...)."""
    n = min(CHUNK_SIZE, members - chunk * CHUNK_SIZE)
    ms = month_starts(start, months)
    pop_ss, med_ss, rx_ss = np.random.SeedSequence(seed, spawn_key=(chunk,)).spawn(3)
    pop = build_population(np.random.default_rng(pop_ss), chunk * CHUNK_SIZE + 1, n, months, ms)
    b = ClaimBuilder(np.random.default_rng(med_ss), pop)
    office = office_visits(b, pop, ms)
    wellness_visits(b, pop, ms)
    behavioural_visits(b, pop, ms)
    recurring_services(b, pop, ms)
    chemotherapy(b, pop, ms)
    outpatient_procedures(b, pop, ms)
    ed = ed_visits(b, pop, ms)
    stays = inpatient_stays(b.rng, pop, ms)
    inpatient_claims(b, pop, stays, ms)
    hospice_claims(b, pop, ms)
    finished = b.finish(ms)
    fills = build_fills(np.random.default_rng(rx_ss), pop, ms, ed, office)
    ctx = ChunkContext(
        chunk=chunk, month_start=ms, ingest_seconds=_ingest_seconds(ms), id_width=max(7, len(str(members)))
    )
    return {
        "eligibility": eligibility_table(pop, ctx),
        "medical_claim": medical_table(pop, finished, ctx),
        "pharmacy_claim": pharmacy_table(pop, fills, ctx),
    }


def generate(
    members: int,
    months: int,
    seed: int,
    out_dir: Path,
    fmt: str = "parquet",
    start: date | None = None,
    workers: int = 1,
) -> SynthSummary:
    """Write DIR/eligibility.<fmt>, DIR/medical_claim.<fmt> and DIR/pharmacy_claim.<fmt>.

    Raises `SynthArgumentError` (a `ValueError`) for arguments that make no sense.
    """
    out_dir = Path(out_dir)
    start = DEFAULT_START if start is None else start
    _check(members, months, seed, out_dir, fmt, start, workers)
    began = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    writers = {name: TableWriter(out_dir, name, fmt) for name in TABLE_NAMES}
    n_chunks = (members + CHUNK_SIZE - 1) // CHUNK_SIZE
    try:
        # The three tables are encoded in parallel threads (Arrow releases the GIL while writing);
        # each table still receives its chunks strictly in order, so output stays deterministic.
        with ThreadPoolExecutor(max_workers=len(TABLE_NAMES), thread_name_prefix="synth-writer") as threads:
            for tables in _chunks(seed, members, months, start, n_chunks, workers):
                jobs = [threads.submit(writers[name].write, t) for name, t in tables.items() if t.num_rows]
                for job in jobs:
                    job.result()
        files = {name: w.close() for name, w in writers.items()}
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    ms = month_starts(start, months)
    end = date(1970, 1, 1) + timedelta(days=int(ms[-1]) - 1)
    return SynthSummary(
        members=members,
        months=months,
        seed=seed,
        start=start,
        end=end,
        fmt=fmt,
        out_dir=out_dir,
        rows={n: w.rows for n, w in writers.items()},
        files=files,
        seconds=time.perf_counter() - began,
    )


def _chunk_to_files(
    seed: int, chunk: int, members: int, months: int, start: date, spool: str
) -> dict[str, str]:
    """Worker side: generate a chunk and spool each table as an Arrow IPC file; return the paths.

    Handing results over as files in a RAM-backed directory (memory-mapped by the parent) is several
    times cheaper than pickling ~150 MB of arrays through a pipe.
    """
    paths: dict[str, str] = {}
    for name, table in generate_chunk(seed, chunk, members, months, start).items():
        path = os.path.join(spool, f"chunk{chunk:06d}_{name}.arrow")
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as ipc:
            ipc.write_table(table)
        paths[name] = path
    return paths


def _read_spooled(paths: dict[str, str]) -> dict[str, pa.Table]:
    tables: dict[str, pa.Table] = {}
    for name, path in paths.items():
        with pa.memory_map(path, "r") as source:
            tables[name] = pa.ipc.open_file(source).read_all()
        os.unlink(path)  # the mapping stays valid until the table is released
    return tables


def _spool_dir() -> str:
    shm = Path("/dev/shm")
    base = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    return tempfile.mkdtemp(prefix="tandem-synth-", dir=base)


def _chunks(
    seed: int, members: int, months: int, start: date, n_chunks: int, workers: int
) -> Iterator[dict[str, pa.Table]]:
    """Yield each chunk's tables in chunk order, generated in this process or in a worker pool."""
    if workers <= 1 or n_chunks <= 1:
        for k in range(n_chunks):
            yield generate_chunk(seed, k, members, months, start)
        return
    ctx = multiprocessing.get_context("spawn")
    spool = _spool_dir()
    try:
        with ProcessPoolExecutor(
            max_workers=min(workers, n_chunks), mp_context=ctx, initializer=_worker_init
        ) as pool:
            pending: deque[Future[dict[str, str]]] = deque()
            submitted = 0

            def submit() -> None:
                nonlocal submitted
                pending.append(pool.submit(_chunk_to_files, seed, submitted, members, months, start, spool))
                submitted += 1

            while submitted < n_chunks and len(pending) < workers + 1:
                submit()
            while pending:
                paths = pending.popleft().result()
                if submitted < n_chunks:
                    submit()
                yield _read_spooled(paths)
    finally:
        shutil.rmtree(spool, ignore_errors=True)
