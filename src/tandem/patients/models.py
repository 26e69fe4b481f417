"""The people a program serves, named after FHIR R4 Patient and RelatedPerson.

URLs carry `public_id` (a random UUID), never a name, MRN or member id, so nothing identifying
reaches browser history or server logs.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import CareTeam
from tandem.core.audit import audited
from tandem.core.models import TimeStampedModel


class AdministrativeSex(models.TextChoices):
    # FHIR administrative-gender value set.
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class Language(models.TextChoices):
    # BCP-47 codes; the first two have translated patient-facing documents.
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"
    CHINESE = "zh", "中文"
    VIETNAMESE = "vi", "Tiếng Việt"
    RUSSIAN = "ru", "Русский"
    HAITIAN_CREOLE = "ht", "Kreyòl ayisyen"
    ARABIC = "ar", "العربية"
    PORTUGUESE = "pt", "Português"
    OTHER = "other", _("Other")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    EMAIL = "email", _("Email")
    MAIL = "mail", _("Letter")
    IN_PERSON = "in_person", _("In person")


class MeetingPlace(models.TextChoices):
    HOME = "home", _("At home")
    CLINIC = "clinic", _("At the clinic")
    COMMUNITY = "community", _("Somewhere in the community")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video")


class PrimaryCarePractice(TimeStampedModel):
    """Where the person gets primary care; graduation hands them back here."""

    name = models.CharField(max_length=200)
    npi = models.CharField("NPI", max_length=10, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@audited(lambda p: p.pk)
class Patient(TimeStampedModel):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pseudo_id = models.CharField(max_length=16, unique=True, editable=False)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    preferred_name = models.CharField(_("preferred name"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=16, choices=AdministrativeSex.choices)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    phone_can_text = models.BooleanField(_("texts are OK on this phone"), default=False)
    email = models.EmailField(_("email"), blank=True)
    address_line = models.CharField(_("street address"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    preferred_contact_method = models.CharField(
        _("how they like to be contacted"), max_length=16, choices=ContactMethod.choices, blank=True
    )
    preferred_meeting_place = models.CharField(
        _("where they like to meet"), max_length=16, choices=MeetingPlace.choices, blank=True
    )
    best_time_to_reach = models.CharField(_("best time to reach them"), max_length=120, blank=True)
    contact_notes = models.TextField(_("other contact preferences"), blank=True)
    primary_care_practice = models.ForeignKey(
        PrimaryCarePractice, null=True, blank=True, on_delete=models.SET_NULL, related_name="patients"
    )
    care_team = models.ForeignKey(
        CareTeam, null=True, blank=True, on_delete=models.PROTECT, related_name="patients"
    )
    # Optimistic lock: a save with an old version is refused instead of overwriting someone's edit.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="patient_name"),
            models.Index(fields=["birth_date"], name="patient_birth_date"),
        ]

    def __str__(self) -> str:
        # Deliberately not the name: str() leaks into logs and error reports.
        return f"Patient {self.public_id}"

    @property
    def display_name(self) -> str:
        if self.preferred_name:
            return f"{self.preferred_name} {self.family_name}"
        return f"{self.given_name} {self.family_name}"

    def age_on(self, on: date) -> int:
        years = on.year - self.birth_date.year
        if (on.month, on.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.pseudo_id:
            from tandem.core.pseudonym import pseudonym

            self.pseudo_id = pseudonym(str(self.public_id))
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class IdentifierSystem(models.TextChoices):
    MEMBER_ID = "member_id", _("Health plan member id")
    MRN = "mrn", _("Medical record number")
    MEDICARE_MBI = "mbi", _("Medicare beneficiary identifier")
    MEDICAID_ID = "medicaid_id", _("Medicaid id")
    CLAIMS_PERSON_ID = "person_id", _("Claims person id")


@audited(lambda i: i.patient_id)
class PatientIdentifier(TimeStampedModel):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=16, choices=IdentifierSystem.choices)
    value = models.CharField(max_length=64)
    assigner = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "value"], name="identifier_unique_per_system")
        ]

    def __str__(self) -> str:
        return f"{self.get_system_display()}"


class Involvement(models.TextChoices):
    NONE = "none", _("Not to be involved")
    INFORMED = "informed", _("May be kept informed")
    COORDINATE = "coordinate", _("May help coordinate care")
    DECIDE = "decide", _("May make decisions with or for the patient")


@audited(lambda r: r.patient_id)
class RelatedPerson(TimeStampedModel):
    """A caregiver or trusted person, and how far the patient lets them be involved."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="related_people")
    name = models.CharField(_("name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_caregiver = models.BooleanField(_("caregiver"), default=False)
    involvement = models.CharField(
        _("permission to be involved"), max_length=16, choices=Involvement.choices, default=Involvement.NONE
    )
    permission_recorded_on = models.DateField(_("permission recorded on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-is_caregiver", "name"]

    def __str__(self) -> str:
        return f"Related person {self.pk}"


@audited(lambda p: p.patient_id)
class CareTeamParticipant(TimeStampedModel):
    """A staff member on one patient's interdisciplinary care team (FHIR CareTeam.participant)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(max_length=100, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "user"],
                condition=models.Q(ended_on__isnull=True),
                name="one_active_participation_per_patient_user",
            )
        ]

    def __str__(self) -> str:
        return f"Participant {self.pk}"
