"""CMS-HCC scores checked against coefficients published in the CMS rate announcements (CY2024 for V28,
CY2020+ for V24), as carried in the Tuva value sets; every expected value below is summed by hand."""

from __future__ import annotations

import pytest

from tandem.population import hcc

AGED_WOMAN = hcc.Demographics(age=72, sex="female", orec="0", dual_status_code=None)


def test_v28_diabetes_heart_failure_copd_aged_non_dual() -> None:
    result = hcc.score("CMS-HCC-V28", ["E11.9", "E1122", "I5022", "J449"], AGED_WOMAN)
    # HCC37 (E1122) outranks HCC38 (E119); F70-74 0.395 + HCC37 0.166 + HCC226 0.360 + HCC280 0.319
    # + DIABETES_HF 0.112 + HF_CHR_LUNG 0.078; three payment HCCs carry no count factor.
    assert result.hccs == [37, 226, 280]
    assert result.demographic == pytest.approx(0.395)
    assert result.disease == pytest.approx(0.845)
    assert result.interactions == pytest.approx(0.190)
    assert result.count == 0
    assert result.raw == pytest.approx(1.430)


def test_v24_same_person() -> None:
    result = hcc.score("CMS-HCC-V24", ["E119", "E1122", "I5022", "J449"], AGED_WOMAN)
    # F70-74 0.386 + HCC18 0.302 + HCC85 0.331 + HCC111 0.335 + DIABETES_CHF 0.121 + CHF_gCopdCF 0.155
    assert result.hccs == [18, 85, 111]
    assert result.raw == pytest.approx(1.630)


def test_disabled_segment_and_originally_disabled() -> None:
    young = hcc.Demographics(age=57, sex="male", orec="1")
    result = hcc.score("CMS-HCC-V28", ["E1122", "I5022"], young)
    # M55-59 disabled 0.283 + HCC37 0.191 + HCC226 0.442 + DIABETES_HF (disabled) 0.023
    assert hcc.segment(young) == ("No", "Non", "Disabled")
    assert result.raw == pytest.approx(0.939)
    od = hcc.score("CMS-HCC-V28", [], hcc.Demographics(age=72, sex="female", orec="1"))
    assert od.raw == pytest.approx(0.395 + 0.228)


def test_dual_codes_pick_segment() -> None:
    assert hcc.segment(hcc.Demographics(70, "f", dual_status_code="2"))[:2] == ("Yes", "Full")
    assert hcc.segment(hcc.Demographics(70, "f", dual_status_code="03"))[:2] == ("Yes", "Partial")
    assert hcc.segment(hcc.Demographics(70, "f", dual_status_code="NA"))[:2] == ("No", "Non")


def test_count_factor_applies_from_five_payment_hccs() -> None:
    codes = ["E1122", "I5022", "J449", "N184", "C787", "G20"]
    result = hcc.score("CMS-HCC-V28", codes, AGED_WOMAN)
    assert len(result.hccs) >= 5
    assert result.count > 0
    assert f"D{len(result.hccs) if len(result.hccs) < 10 else '>=10'}" in result.components


def test_no_diagnoses_is_demographic_only_and_unknown_codes_ignored() -> None:
    result = hcc.score("CMS-HCC-V28", ["ZZZ99", "R69"], AGED_WOMAN)
    assert result.hccs == []
    assert result.raw == pytest.approx(0.395)


def test_normalization_factor_and_unknown_model() -> None:
    assert hcc.normalization_factor() == pytest.approx(1.015)
    with pytest.raises(ValueError):
        hcc.score("CMS-HCC-V99", [], AGED_WOMAN)
