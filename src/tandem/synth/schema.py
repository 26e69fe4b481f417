"""Column lists for the three Tuva Project input-layer tables the generator writes.

The names, their order and their logical types follow the Tuva Project seed documentation
(`integration_tests/seeds/_seeds.yml`, github.com/tuva-health/tuva, Apache-2.0). They are copied
into the package because the app must not read the shared reference folder at run time; a test
compares these tuples with the YAML so a drift is caught.
"""

from __future__ import annotations

from typing import Final, Literal

Kind = Literal["string", "date", "timestamp", "int", "float"]


def _numbered(prefix: str, count: int, kind: Kind) -> list[tuple[str, Kind]]:
    return [(f"{prefix}_{i}", kind) for i in range(1, count + 1)]


ELIGIBILITY: Final[tuple[tuple[str, Kind], ...]] = (
    ("person_id", "string"),
    ("member_id", "string"),
    ("subscriber_id", "string"),
    ("gender", "string"),
    ("race", "string"),
    ("birth_date", "date"),
    ("death_date", "date"),
    ("death_flag", "int"),
    ("enrollment_start_date", "date"),
    ("enrollment_end_date", "date"),
    ("payer", "string"),
    ("payer_type", "string"),
    ("plan", "string"),
    ("original_reason_entitlement_code", "string"),
    ("dual_status_code", "string"),
    ("medicare_status_code", "string"),
    ("group_id", "string"),
    ("group_name", "string"),
    ("name_suffix", "string"),
    ("first_name", "string"),
    ("middle_name", "string"),
    ("last_name", "string"),
    ("social_security_number", "string"),
    ("subscriber_relation", "string"),
    ("address", "string"),
    ("city", "string"),
    ("state", "string"),
    ("zip_code", "string"),
    ("phone", "string"),
    ("email", "string"),
    ("ethnicity", "string"),
    ("data_source", "string"),
    ("file_name", "string"),
    ("file_date", "date"),
    ("ingest_datetime", "timestamp"),
    ("enrollment_status", "string"),
    ("hospice_flag", "int"),
    ("snp_type", "string"),
    ("medicaid_indicator", "int"),
    ("long_term_institutional_flag", "int"),
    ("part_d_raf_type", "string"),
    ("low_income_subsidy_indicator", "string"),
    ("metal_level", "string"),
    ("csr_indicator", "int"),
    ("enrollment_duration_months", "int"),
    ("esrd_status", "string"),
    ("transplant_duration_months", "int"),
)

MEDICAL_CLAIM: Final[tuple[tuple[str, Kind], ...]] = (
    ("claim_id", "string"),
    ("claim_line_number", "int"),
    ("claim_type", "string"),
    ("person_id", "string"),
    ("member_id", "string"),
    ("payer", "string"),
    ("plan", "string"),
    ("claim_start_date", "date"),
    ("claim_end_date", "date"),
    ("claim_line_start_date", "date"),
    ("claim_line_end_date", "date"),
    ("admission_date", "date"),
    ("discharge_date", "date"),
    ("admit_source_code", "string"),
    ("admit_type_code", "string"),
    ("discharge_disposition_code", "string"),
    ("place_of_service_code", "string"),
    ("bill_type_code", "string"),
    ("drg_code_type", "string"),
    ("drg_code", "string"),
    ("revenue_center_code", "string"),
    ("service_unit_quantity", "int"),
    ("hcpcs_code", "string"),
    *_numbered("hcpcs_modifier", 5, "string"),
    ("rendering_npi", "string"),
    ("rendering_tin", "string"),
    ("billing_npi", "string"),
    ("billing_tin", "string"),
    ("facility_npi", "string"),
    ("paid_date", "date"),
    ("paid_amount", "float"),
    ("allowed_amount", "float"),
    ("charge_amount", "float"),
    ("coinsurance_amount", "float"),
    ("copayment_amount", "float"),
    ("deductible_amount", "float"),
    ("total_cost_amount", "float"),
    ("diagnosis_code_type", "string"),
    *_numbered("diagnosis_code", 25, "string"),
    *_numbered("diagnosis_poa", 25, "string"),
    ("procedure_code_type", "string"),
    *_numbered("procedure_code", 25, "string"),
    *_numbered("procedure_date", 25, "date"),
    ("in_network_flag", "int"),
    ("data_source", "string"),
    ("file_name", "string"),
    ("file_date", "date"),
    ("ingest_datetime", "timestamp"),
)

PHARMACY_CLAIM: Final[tuple[tuple[str, Kind], ...]] = (
    ("claim_id", "string"),
    ("claim_line_number", "int"),
    ("person_id", "string"),
    ("member_id", "string"),
    ("payer", "string"),
    ("plan", "string"),
    ("prescribing_provider_npi", "string"),
    ("dispensing_provider_npi", "string"),
    ("dispensing_date", "date"),
    ("ndc_code", "string"),
    ("quantity", "int"),
    ("days_supply", "int"),
    ("refills", "int"),
    ("paid_date", "date"),
    ("paid_amount", "float"),
    ("allowed_amount", "float"),
    ("charge_amount", "float"),
    ("coinsurance_amount", "float"),
    ("copayment_amount", "float"),
    ("deductible_amount", "float"),
    ("in_network_flag", "int"),
    ("data_source", "string"),
    ("file_name", "string"),
    ("file_date", "date"),
    ("ingest_datetime", "timestamp"),
)

TABLES: Final[dict[str, tuple[tuple[str, Kind], ...]]] = {
    "eligibility": ELIGIBILITY,
    "medical_claim": MEDICAL_CLAIM,
    "pharmacy_claim": PHARMACY_CLAIM,
}


def column_names(table: str) -> list[str]:
    """Return the Tuva column names of `table`, in order."""
    return [name for name, _ in TABLES[table]]
