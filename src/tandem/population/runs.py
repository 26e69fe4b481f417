"""The app-database side of stratification: who is already known, the run record, scores and the queue.

Kept apart from `stratify.py` so the rules stay free of Django; everything here reads or writes the
transactional database.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from tandem.accounts.models import User
from tandem.core import audit
from tandem.core.errors import ConflictError, DomainError
from tandem.core.models import AuditAction
from tandem.core.pseudonym import pseudonym
from tandem.patients.models import IdentifierSystem, Patient, PatientIdentifier
from tandem.programs.models import Episode, EpisodeStatus, Program
from tandem.programs.services import open_episode

from .criteria_config import Criteria
from .models import RiskScore, StratificationRun
from .stratify import AppStatus, Assessment, Population, PriorScore, counts, evaluate

BATCH = 2000


def person_pseudo_id(person_id: str) -> str:
    """Stable across runs, so analysts can follow one person without ever seeing the claims id."""
    return pseudonym(f"claims-person:{person_id}")


def _chunks(items: list[str], size: int = BATCH) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def patients_by_person_id(person_ids: list[str]) -> dict[str, Patient]:
    found: dict[str, Patient] = {}
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


def previous_scores(as_of: dt.date) -> dict[str, PriorScore]:
    """HCC scores of the latest finished run with an earlier as-of date (the baseline for rising risk)."""
    prev = (
        StratificationRun.objects.filter(finished_at__isnull=False, as_of__lt=as_of)
        .order_by("-as_of", "-started_at", "-id")
        .first()
    )
    if prev is None:
        return {}
    rows = prev.scores.filter(hcc_v28_normalized__isnull=False).values_list("person_id", "hcc_v28_normalized")
    return {pid: PriorScore(hcc=float(h), as_of=prev.as_of) for pid, h in rows if h is not None}


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
    assessments: list[Assessment]


def _score_row(run: StratificationRun, a: Assessment, patient: Patient | None) -> RiskScore:
    r = a.row

    def opt_int(name: str) -> int | None:
        v = r.get(name)
        return int(v) if v is not None else None

    return RiskScore(
        run=run,
        person_id=a.person_id,
        pseudo_id=person_pseudo_id(a.person_id),
        patient=patient,
        rank=a.rank,
        score=a.score,
        age=opt_int("age") if (r.get("age") or 0) >= 0 else None,
        hcc_v28_normalized=r.get("hcc_v28_normalized"),
        hcc_v24_raw=r.get("hcc_v24_raw"),
        charlson=opt_int("charlson"),
        lace_latest=opt_int("lace_latest"),
        ip_admits_12m=int(r.get("ip_admits_12m") or 0),
        ed_visits_12m=int(r.get("ed_visits_12m") or 0),
        allowed_12m=float(r.get("allowed_12m") or 0),
        chronic_conditions=int(r.get("chronic_conditions") or 0),
        active_meds=int(r.get("active_meds") or 0),
        reason=a.reason,
        criteria_met=a.criteria_met,
        flags=a.flags,
        exclusions=a.exclusions,
        is_eligible=a.eligible,
        is_candidate=a.is_candidate,
    )


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
    """Evaluate, store every score and the run's counts, and optionally queue candidates; all or nothing."""
    person_ids = population.person_ids()
    with transaction.atomic(), audit.acting_as(user):
        program = resolve_program(program_slug or criteria.program)
        if to_queue and program is None:
            raise DomainError(
                "Name the program to queue candidates for (--program SLUG or `program` in the file)."
            )
        patients = patients_by_person_id(person_ids)
        statuses = app_statuses(patients, program=program, today=timezone.localdate())
        assessments = evaluate(
            population.rows(),
            criteria,
            as_of=as_of,
            app_status=statuses,
            previous=previous_scores(as_of),
            slim=True,
        )
        totals = counts(assessments)
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
        rows = [_score_row(run, a, patients.get(a.person_id)) for a in assessments]
        for i in range(0, len(rows), BATCH):
            RiskScore.objects.bulk_create(rows[i : i + BATCH])
        queue_stats = {"queued": 0, "skipped_open_episode": 0, "not_in_app": 0}
        for a in sorted((a for a in assessments if a.is_candidate), key=lambda a: a.rank or 0):
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
    return RunResult(run=run, assessments=assessments)


def trajectory(patient: Patient) -> list[dict[str, Any]]:
    """A person's scores across runs, oldest first (for the Risk card on the patient page)."""
    person_ids = list(
        PatientIdentifier.objects.filter(
            patient=patient, system=IdentifierSystem.CLAIMS_PERSON_ID
        ).values_list("value", flat=True)
    )
    scores = (
        RiskScore.objects.filter(person_id__in=person_ids, run__finished_at__isnull=False)
        .select_related("run")
        .order_by("run__as_of", "run__started_at")
    )
    return [
        {
            "as_of": s.run.as_of,
            "criteria": s.run.criteria_title or s.run.criteria_name,
            "hcc": s.hcc_v28_normalized,
            "rank": s.rank,
            "is_candidate": s.is_candidate,
            "reason": s.reason,
        }
        for s in scores
    ]
