"""The step-by-step assessment: domains gathered over several visits, and scored instruments."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from tandem.core.audit import audited
from tandem.core.models import TimeStampedModel
from tandem.patients.models import Patient
from tandem.programs.models import Episode


class Domain(models.TextChoices):
    WHAT_MATTERS = "what_matters", "What matters to them and their life goals"
    STRENGTHS = "strengths", "Strengths and what gives them energy"
    CARE_EXPERIENCES = "care_experiences", "Past experiences with care"
    HEALTH = "health", "Health conditions and medications"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    SOCIAL_NEEDS = "social_needs", "Social needs"
    CAREGIVERS = "caregivers", "Caregivers and trusted people"
    CARE_PREFERENCES = "care_preferences", "Care preferences"


@audited(lambda e: e.episode.patient_id)
class DomainEntry(TimeStampedModel):
    """What was learned about one domain at one visit.

    Entries are added, never overwritten: two staff recording on the same person at once each
    add their own entry, so nothing either of them wrote is lost.
    """

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="domain_entries")
    domain = models.CharField(max_length=24, choices=Domain.choices)
    recorded_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    responses = models.JSONField(default=dict, blank=True)
    declined_items = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    complete = models.BooleanField(default=False)

    class Meta:
        ordering = ["recorded_on", "id"]
        indexes = [models.Index(fields=["episode", "domain"], name="domain_entry_episode")]

    def __str__(self) -> str:
        return f"Domain entry {self.pk} ({self.domain})"


@audited(lambda r: r.patient_id)
class InstrumentResponse(TimeStampedModel):
    """One administration of a validated instrument, with answers and the exact score.

    Shaped after FHIR QuestionnaireResponse (answers by linkId) plus the score Observation.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="instrument_responses")
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.SET_NULL, related_name="instrument_responses"
    )
    instrument = models.CharField(max_length=16)
    loinc_panel = models.CharField(max_length=16, blank=True)
    loinc_total = models.CharField(max_length=16, blank=True)
    administered_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField()
    total = models.IntegerField(null=True, blank=True)
    band = models.CharField(max_length=24, blank=True)
    flags = models.JSONField(default=list, blank=True)
    physical_t = models.FloatField(null=True, blank=True)
    mental_t = models.FloatField(null=True, blank=True)
    positive_domains = models.JSONField(default=list, blank=True)
    questionnaire_response = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["administered_on", "id"]
        indexes = [models.Index(fields=["patient", "instrument", "administered_on"], name="instrument_trend")]

    def __str__(self) -> str:
        return f"{self.instrument} response {self.pk}"
