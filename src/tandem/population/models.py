"""Stratification runs and the scores they produced, kept so risk can be followed across runs.

A run keeps every person's scores in a Parquet snapshot beside the analytics store (`scores_file`) and the
overview's figures in `summary`; `RiskScore` rows in this database are kept for the people the app acts on:
everyone eligible (the ranked list, exclusions, export) and everyone with a patient record (their risk
trajectory). A million rows per run in the transactional database cost more than the rest of a run's
stratification and made the overview read them all on every view.

`RiskScore` rows are analytics snapshots written once per run by bulk insert, not edits of anyone's
record, so they are not registered with `audited` (a per-row audit line for a million members would
swamp the trail without adding accountability). The run itself records who ran it, when, on which
inputs and with which criteria text, and creating a run writes one audit line.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.patients.models import Patient


class StratificationRun(models.Model):
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField()
    criteria_name = models.CharField(max_length=100)
    criteria_title = models.CharField(max_length=200, blank=True)
    criteria_text = models.TextField(help_text="The criteria file exactly as used (versioned copy).")
    criteria_sha256 = models.CharField(max_length=64)
    program_slug = models.CharField(max_length=64, blank=True)
    db_path = models.CharField(max_length=500)
    inputs = models.JSONField(default=dict, help_text="Row counts of the analytics store's input tables.")
    people_scored = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)
    excluded = models.PositiveIntegerField(default=0)
    excluded_by_reason = models.JSONField(default=dict)
    candidates = models.PositiveIntegerField(default=0)
    over_capacity = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0)
    skipped_open_episode = models.PositiveIntegerField(default=0)
    not_in_app = models.PositiveIntegerField(default=0, help_text="Candidates with no patient record.")
    summary = models.JSONField(
        default=dict,
        blank=True,
        help_text="The overview's figures for everyone scored (members, spend, distributions).",
    )
    scores_file = models.CharField(
        max_length=500,
        blank=True,
        help_text="Parquet snapshot of every person's scores, beside the analytics store.",
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Stratification run {self.pk} ({self.criteria_name}, as of {self.as_of})"


class RiskScore(models.Model):
    run = models.ForeignKey(StratificationRun, on_delete=models.CASCADE, related_name="scores")
    person_id = models.CharField(max_length=64)
    pseudo_id = models.CharField(max_length=16)
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.SET_NULL, related_name="risk_scores"
    )
    rank = models.PositiveIntegerField(null=True, blank=True)
    score = models.FloatField(default=0)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    hcc_v28_normalized = models.FloatField(null=True, blank=True)
    hcc_v24_raw = models.FloatField(null=True, blank=True)
    charlson = models.PositiveSmallIntegerField(null=True, blank=True)
    lace_latest = models.PositiveSmallIntegerField(null=True, blank=True)
    ip_admits_12m = models.PositiveIntegerField(default=0)
    ed_visits_12m = models.PositiveIntegerField(default=0)
    allowed_12m = models.FloatField(default=0)
    chronic_conditions = models.PositiveSmallIntegerField(default=0)
    active_meds = models.PositiveSmallIntegerField(default=0)
    reason = models.TextField(blank=True)
    criteria_met = models.JSONField(default=list)
    flags = models.JSONField(default=list)
    exclusions = models.JSONField(default=list)
    is_eligible = models.BooleanField(default=False)
    is_candidate = models.BooleanField(default=False)

    class Meta:
        ordering = ["run", "rank", "person_id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "person_id"], name="one_score_per_person_per_run")
        ]
        indexes = [
            models.Index(fields=["person_id", "run"], name="riskscore_person_run"),
            models.Index(fields=["run", "is_candidate", "rank"], name="riskscore_run_candidates"),
        ]

    def __str__(self) -> str:
        return f"Risk score {self.pk} (run {self.run_id})"
