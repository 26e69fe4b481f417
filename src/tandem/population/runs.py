"""The app-database side of stratification: who is already known, the run record, scores and the queue.

Kept apart from `stratify.py` so the rules stay free of Django; everything here reads or writes the
transactional database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from tandem.accounts.models import User
from tandem.core import audit
from tandem.core.errors import ConflictError, DomainError
from tandem.core.models import AuditAction
from tandem.core.pseudonym import pseudonym
from tandem.patients.models import IdentifierSystem, Patient, PatientIdentifier
from tandem.programs.models import Episode, EpisodeStatus, Program
from tandem.programs.services import open_episode

from . import charts
from .criteria_config import Criteria
from .models import RiskScore, StratificationRun
from .store import runs_dir
from .stratify import (
    SCORE_FIELDS,
    AppStatus,
    Evaluation,
    Population,
    PriorScore,
    PriorScores,
    evaluate_population,
)

BATCH = 2000
SCORE_BATCH = 50_000  # stored scores written per statement (COPY) or executemany
SNAPSHOT_ROW_GROUP = 65_536


def person_pseudo_id(person_id: str) -> str:
    """Stable across runs, so analysts can follow one person without ever seeing the claims id."""
    return pseudonym(f"claims-person:{person_id}")


def person_pseudo_ids(person_ids: Iterable[str]) -> list[str]:
    """`person_pseudo_id` for many people: the same keyed hash, with the key's state prepared once."""
    keyed = hmac.new(settings.PSEUDONYM_KEY.encode(), digestmod=hashlib.sha256)
    out = []
    for person_id in person_ids:
        h = keyed.copy()
        h.update(f"claims-person:{person_id}".encode())
        out.append("X" + h.hexdigest()[:11].upper())
    return out


def _chunks(items: list[str], size: int = BATCH) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def patients_by_person_id(person_ids: list[str]) -> dict[str, Patient]:
    found: dict[str, Patient] = {}
    linked = PatientIdentifier.objects.filter(system=IdentifierSystem.CLAIMS_PERSON_ID)
    if linked.count() <= len(person_ids):
        # The app usually knows far fewer people than the claims: read its links once, not a query per
        # 2,000 claims ids (500 queries at a million people).
        wanted = set(person_ids)
        for ident in linked.select_related("patient"):
            if ident.value in wanted:
                found[ident.value] = ident.patient
        return found
    for chunk in _chunks(person_ids):
        for ident in PatientIdentifier.objects.filter(
            system=IdentifierSystem.CLAIMS_PERSON_ID, value__in=chunk
        ).select_related("patient"):
            found[ident.value] = ident.patient
    return found


def app_statuses(
    patients: dict[str, Patient], *, program: Program | None, today: dt.date
) -> dict[str, AppStatus]:
    """Enrolled, or declined with a re-approach date still ahead: in the run's program, or any if none."""
    by_patient = {p.pk: pid for pid, p in patients.items()}
    enrolled: set[str] = set()
    declined: set[str] = set()
    ids = list(by_patient)
    for i in range(0, len(ids), BATCH):
        episodes = Episode.objects.filter(patient_id__in=ids[i : i + BATCH])
        if program is not None:
            episodes = episodes.filter(program=program)
        for patient_id, status, reapproach_on in episodes.values_list(
            "patient_id", "status", "reapproach_on"
        ):
            if status == EpisodeStatus.ENROLLED:
                enrolled.add(by_patient[patient_id])
            elif status == EpisodeStatus.DECLINED and reapproach_on is not None and reapproach_on > today:
                declined.add(by_patient[patient_id])
    return {
        pid: AppStatus(enrolled=pid in enrolled, declined_pending=pid in declined)
        for pid in enrolled | declined
    }


def previous_scores(as_of: dt.date) -> Mapping[str, PriorScore]:
    """HCC scores of the latest finished run with an earlier as-of date (the baseline for rising risk).

    Everyone's scores come from that run's snapshot; a run without a readable snapshot (recorded before
    snapshots were kept, or its file moved with the store) falls back to its RiskScore rows, which hold
    everyone for older runs and the eligible and known patients for newer ones."""
    prev = (
        StratificationRun.objects.filter(finished_at__isnull=False, as_of__lt=as_of)
        .order_by("-as_of", "-started_at", "-id")
        .first()
    )
    if prev is None:
        return {}
    snapshot = _snapshot(prev)
    if snapshot is not None:
        table = pq.read_table(snapshot, columns=["person_id", "hcc_v28_normalized"])
        table = table.filter(pc.is_valid(table.column("hcc_v28_normalized")))
        return PriorScores(
            table.column("person_id").to_pylist(),
            pc.cast(table.column("hcc_v28_normalized"), pa.float64()).to_numpy(),
            prev.as_of,
        )
    scores = (
        prev.scores.filter(hcc_v28_normalized__isnull=False)
        .order_by()
        .values_list("person_id", "hcc_v28_normalized")
    )
    # Possibly a million rows: the ORM's SQL, but plain tuples and two columns rather than an object per row.
    sql, params = scores.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return PriorScores([r[0] for r in rows], [float(r[1]) for r in rows], prev.as_of)


def _snapshot(run: StratificationRun) -> Path | None:
    if not run.scores_file:
        return None
    path = Path(run.scores_file)
    return path if path.is_file() else None


def snapshot_path(db_path: str | os.PathLike[str], run: StratificationRun) -> Path:
    return runs_dir(db_path) / f"run-{run.pk}.parquet"


def write_snapshot(path: Path, scores: pa.Table) -> None:
    """Every person's scores, as evaluated (lists stay lists), written whole before the run commits."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        # People are in person-id order; row groups of 64k let a lookup of one person (a patient linked
        # after the run: `trajectory`) skip the rest by their min/max statistics instead of reading them all.
        pq.write_table(scores, partial, compression="zstd", row_group_size=SNAPSHOT_ROW_GROUP)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def stored_people(scores: pa.Table, patients: Mapping[str, Patient]) -> pa.Table:
    """Whom the run keeps RiskScore rows for: everyone eligible (ranked, excluded: the run page and its
    export) and everyone with a patient record (their trajectory on the patient page)."""
    known = pc.is_in(
        pc.cast(scores.column("person_id"), pa.string()), value_set=pa.array(list(patients), pa.string())
    )
    keep = pc.or_(pc.fill_null(scores.column("eligible"), False), known)
    return scores.filter(keep)


def resolve_program(slug: str) -> Program | None:
    if slug:
        program = Program.objects.filter(slug=slug).first()
        if program is None:
            raise DomainError(
                f"No program with slug {slug!r}; check `program` in the criteria file or --program."
            )
        return program
    active = list(Program.objects.filter(active=True)[:2])
    return active[0] if len(active) == 1 else None


@dataclass
class RunResult:
    run: StratificationRun
    evaluation: Evaluation


def _json_lists(lists: pa.ListArray) -> pa.Array:
    """`json.dumps(names)` per person, from a list<string> column (the vocabulary is encoded once)."""
    flat = pc.list_flatten(lists)
    vocabulary = pc.unique(flat)
    encoded = pa.array([json.dumps(v) for v in vocabulary.to_pylist()], pa.string())
    offsets = np.zeros(len(lists) + 1, dtype=np.int32)
    offsets[1:] = np.cumsum(pc.fill_null(pc.list_value_length(lists), 0).to_numpy(zero_copy_only=False))
    quoted = pa.ListArray.from_arrays(
        pa.array(offsets), encoded.take(pc.index_in(flat, value_set=vocabulary))
    )
    return pc.binary_join_element_wise("[", pc.binary_join(quoted, ", "), "]", "")


def _db_column(name: str) -> str:
    field = RiskScore._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"RiskScore.{name} is not a column")
    return field.column


# RiskScore's fields as written from an evaluation, in column order.
STORED_FIELDS = (
    "run",
    "person_id",
    "pseudo_id",
    "patient",
    "rank",
    "score",
    *SCORE_FIELDS[1:],  # the row's own figures, after its person_id
    "reason",
    "criteria_met",
    "flags",
    "exclusions",
    "is_eligible",
    "is_candidate",
)


def score_columns(
    run: StratificationRun, scores: pa.Table, patient_ids: dict[str, int]
) -> dict[str, pa.Array]:
    """`STORED_FIELDS` for (a slice of) `Evaluation.scores`, converted as the model's fields would."""
    n = scores.num_rows

    def col(name: str) -> pa.Array:
        return scores.column(name).combine_chunks()

    def number(name: str) -> pa.Array:  # float(v), kept null
        return pc.cast(col(name), pa.float64())

    def whole(name: str, *, default: int | None = None) -> pa.Array:  # int(v) (or int(v or 0))
        values = pc.cast(col(name), pa.int64(), safe=False)  # towards zero, as int()
        return values if default is None else pc.fill_null(values, default)

    person_ids = pc.cast(col("person_id"), pa.string())
    known = pa.array(list(patient_ids), pa.string())
    patient = pa.array(list(patient_ids.values()), pa.int64()).take(pc.index_in(person_ids, value_set=known))
    age_ok = pc.greater_equal(pc.fill_null(number("age"), 0.0), 0.0)  # `(age or 0) >= 0`
    values = {
        "run": pa.array(np.full(n, run.pk, dtype=np.int64)),
        "person_id": person_ids,
        "pseudo_id": pa.array(person_pseudo_ids(person_ids.to_pylist()), pa.string()),
        "patient": patient,
        "rank": pc.cast(col("rank"), pa.int64()),
        "score": number("score"),
        "age": pc.if_else(age_ok, whole("age"), pa.scalar(None, pa.int64())),
        "hcc_v28_normalized": number("hcc_v28_normalized"),
        "hcc_v24_raw": number("hcc_v24_raw"),
        "charlson": whole("charlson"),
        "lace_latest": whole("lace_latest"),
        "ip_admits_12m": whole("ip_admits_12m", default=0),
        "ed_visits_12m": whole("ed_visits_12m", default=0),
        "allowed_12m": pc.fill_null(number("allowed_12m"), 0.0),
        "chronic_conditions": whole("chronic_conditions", default=0),
        "active_meds": whole("active_meds", default=0),
        "reason": pc.cast(col("reason"), pa.string()),
        "criteria_met": _json_lists(col("criteria_met")),
        "flags": _json_lists(col("flags")),
        "exclusions": _json_lists(col("exclusions")),
        "is_eligible": pc.cast(col("eligible"), pa.bool_()),
        "is_candidate": pc.cast(col("is_candidate"), pa.bool_()),
    }
    return {name: values[name] for name in STORED_FIELDS}


def _copy_scores(batches: Iterable[dict[str, pa.Array]]) -> None:
    """PostgreSQL: one COPY, fed a batch at a time as CSV (every value quoted; an unquoted empty field is
    NULL)."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(_db_column(name)) for name in STORED_FIELDS)
    sql = f"COPY {qn(RiskScore._meta.db_table)} ({columns}) FROM STDIN (FORMAT csv)"
    options = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for batch in batches:
            buffer = io.BytesIO()
            pa_csv.write_csv(pa.table(batch), buffer, options)
            copy.write(buffer.getbuffer())


def _insert_scores(batches: Iterable[dict[str, pa.Array]]) -> None:
    """Other databases (SQLite): an executemany of plain tuples per batch."""
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(RiskScore._meta.db_table)} ({', '.join(qn(_db_column(n)) for n in STORED_FIELDS)}) "
        f"VALUES ({', '.join(['%s'] * len(STORED_FIELDS))})"
    )
    with connection.cursor() as cursor:
        for batch in batches:
            cursor.executemany(sql, list(zip(*(c.to_pylist() for c in batch.values()), strict=True)))


def write_scores(run: StratificationRun, scores: pa.Table, patients: dict[str, Patient]) -> None:
    """Everyone's RiskScore, straight from the evaluation's Arrow columns, `SCORE_BATCH` people at a time."""
    patient_ids = {person_id: p.pk for person_id, p in patients.items()}
    batches = (
        score_columns(run, pa.Table.from_batches([b]), patient_ids)
        for b in scores.to_batches(max_chunksize=SCORE_BATCH)
    )
    (_copy_scores if connection.vendor == "postgresql" else _insert_scores)(batches)


def record_run(
    population: Population,
    criteria: Criteria,
    *,
    as_of: dt.date,
    db_path: str | os.PathLike[str],
    started_at: dt.datetime,
    user: User | None = None,
    to_queue: bool = False,
    program_slug: str = "",
) -> RunResult:
    """Evaluate, keep every score (snapshot, summary, rows for the eligible and patients) and the run's
    counts, and optionally queue candidates; all or nothing."""
    person_ids = population.person_ids()
    snapshot: Path | None = None
    try:
        with transaction.atomic(), audit.acting_as(user):
            program = resolve_program(program_slug or criteria.program)
            if to_queue and program is None:
                raise DomainError(
                    "Name the program to queue candidates for (--program SLUG or `program` in the file)."
                )
            patients = patients_by_person_id(person_ids)
            statuses = app_statuses(patients, program=program, today=timezone.localdate())
            evaluation = evaluate_population(
                population, criteria, as_of=as_of, app_status=statuses, previous=previous_scores(as_of)
            )
            totals = evaluation.counts()
            run = StratificationRun.objects.create(
                run_by=user,
                started_at=started_at,
                as_of=as_of,
                criteria_name=criteria.name,
                criteria_title=criteria.title,
                criteria_text=criteria.text,
                criteria_sha256=criteria.sha256,
                program_slug=program.slug if program else "",
                db_path=str(db_path),
                inputs={"tables": population.inputs, "people_in_features": len(population)},
                **totals,
            )
            audit.record(AuditAction.CREATE, resource=run, detail=f"{totals['candidates']} candidate(s)")
            snapshot = snapshot_path(db_path, run)
            write_snapshot(snapshot, evaluation.scores)
            run.scores_file = str(snapshot)
            run.summary = run_summary(evaluation.scores)
            write_scores(run, stored_people(evaluation.scores, patients), patients)
            queue_stats = {"queued": 0, "skipped_open_episode": 0, "not_in_app": 0}
            for a in evaluation.candidates():
                patient = patients.get(a.person_id)
                if patient is None:
                    queue_stats["not_in_app"] += 1
                elif to_queue and program is not None:
                    try:
                        open_episode(
                            patient=patient, program=program, by=user, source=f"stratification run {run.pk}"
                        )
                        queue_stats["queued"] += 1
                    except ConflictError:
                        queue_stats["skipped_open_episode"] += 1
            for key, value in queue_stats.items():
                setattr(run, key, value)
            run.finished_at = timezone.now()
            run.save()
    except BaseException:
        if snapshot is not None:  # written for a run that did not commit
            snapshot.unlink(missing_ok=True)
        raise
    return RunResult(run=run, evaluation=evaluation)


def run_summary(scores: pa.Table) -> dict[str, Any]:
    """The overview's figures for everyone scored, from the evaluation's columns, with the same readings
    as the stored rows (a missing amount or count is 0; a missing HCC score is left out)."""

    def filled(name: str) -> np.ndarray:
        values: np.ndarray = pc.fill_null(pc.cast(scores.column(name), pa.float64()), 0.0).to_numpy()
        return values

    hcc = pc.drop_null(pc.cast(scores.column("hcc_v28_normalized"), pa.float64())).to_numpy()
    return charts.overview_summary(
        filled("allowed_12m"), filled("ip_admits_12m"), filled("ed_visits_12m"), hcc
    )


def trajectory(patient: Patient) -> list[dict[str, Any]]:
    """A person's scores across runs, oldest first (for the Risk card on the patient page).

    A run holds a RiskScore row for everyone who had a patient record when it ran; for a run from before
    the person was linked to their claims, their scores come from that run's snapshot."""
    person_ids = list(
        PatientIdentifier.objects.filter(
            patient=patient, system=IdentifierSystem.CLAIMS_PERSON_ID
        ).values_list("value", flat=True)
    )
    if not person_ids:
        return []
    rows = list(
        RiskScore.objects.filter(person_id__in=person_ids, run__finished_at__isnull=False).select_related(
            "run"
        )
    )
    points = [
        (
            s.run,
            {
                "hcc": s.hcc_v28_normalized,
                "rank": s.rank,
                "is_candidate": s.is_candidate,
                "reason": s.reason,
            },
        )
        for s in rows
    ]
    have = {s.run_id for s in rows}
    for run in StratificationRun.objects.filter(finished_at__isnull=False).exclude(pk__in=have):
        snapshot = _snapshot(run)
        if snapshot is None:
            continue
        found = pq.read_table(
            snapshot,
            columns=["person_id", "hcc_v28_normalized", "rank", "is_candidate", "reason"],
            filters=[("person_id", "in", person_ids)],
        ).to_pylist()
        for r in found:
            hcc = r["hcc_v28_normalized"]
            points.append(
                (
                    run,
                    {
                        "hcc": float(hcc) if hcc is not None else None,
                        "rank": r["rank"],
                        "is_candidate": bool(r["is_candidate"]),
                        "reason": r["reason"] or "",
                    },
                )
            )
    points.sort(key=lambda p: (p[0].as_of, p[0].started_at, p[0].pk))
    return [
        {"as_of": run.as_of, "criteria": run.criteria_title or run.criteria_name, **point}
        for run, point in points
    ]
