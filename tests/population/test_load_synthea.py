"""Synthea CSV loading: the sample loads, errors name file/line/column, failed loads change nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import duckdb
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.population.load_common import load_snomed_map
from tandem.population.load_synthea import load_directory
from tandem.population.load_tuva import LoadError
from tandem.population.management.commands.population import Command

from . import formats
from .claims import store_rows

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "synthea-csv-27"
TABLES = ("eligibility", "medical_claim", "pharmacy_claim")


def _counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for t in TABLES}
    finally:
        con.close()


def _edit(path: Path, line: int, column: str, value: str) -> None:
    """Set ``column`` on CSV ``line`` (header = line 1)."""
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[line - 2][column] = value
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _drop_column(path: Path, column: str) -> None:
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[c for c in rows[0] if c != column], extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.skipif(not (SAMPLE / "patients.csv").exists(), reason=f"Synthea sample not found at {SAMPLE}")
def test_sample_export_loads_every_condition_code_and_reloads_idempotently(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    result = load_directory(SAMPLE, db)
    assert result.rows_in_store["eligibility"] == 1051  # one span per payer_transitions row
    assert result.rows_in_store["medical_claim"] == 604  # one line per encounter
    assert result.rows_in_store["pharmacy_claim"] > 663  # one line per dispense
    assert result.unmapped_codes == {}  # the shipped map covers every SNOMED code in the sample
    assert result.deliberately_unmapped > 0  # employment / education status findings
    assert load_directory(SAMPLE, db).rows_in_store == result.rows_in_store
    con = duckdb.connect(str(db), read_only=True)
    housing = con.execute(
        "SELECT count(*) FROM medical_claim WHERE 'Z5910' IN (diagnosis_code_1, diagnosis_code_2, "
        "diagnosis_code_3, diagnosis_code_4, diagnosis_code_5)"
    ).fetchall()[0][0]
    ed = con.execute("SELECT count(*) FROM medical_claim WHERE revenue_center_code = '0450'").fetchall()[0][0]
    # Three births (183460006 "Obstetric emergency hospital admission"), one emergency admission for asthma
    # and two heart attacks treated in the ED encounter with CABG and PCI (ICD-10-PCS, an inpatient code
    # set) are Synthea emergency-class encounters: stays begun in the ED, not ED visits alone.
    begun_in_ed = con.execute(
        "SELECT count(*) FROM medical_claim WHERE revenue_center_code = '0450' AND bill_type_code = '111' "
        "AND admit_type_code = '1'"
    ).fetchall()[0][0]
    con.close()
    assert housing > 0 and ed == 17 and begun_in_ed == 6


def test_map_rows_have_basis_and_source() -> None:
    path = Path(__file__).resolve().parents[2] / "src/tandem/population/data/snomed_icd10_map.csv"
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(load_snomed_map()) > 100
    for row in rows:
        assert row["basis"] and "NLM" in row["source"] and row["map_version"]
        assert bool(row["icd10cm_code"]) != row["basis"].startswith("not coded")
    by_code = {r["snomed_code"]: r["icd10cm_code"] for r in rows}
    assert by_code["105531004"] == "Z59.10" and by_code["73438004"] == "Z56.0" and by_code["224299000"] == ""


@pytest.mark.parametrize(
    ("file", "line", "column", "value", "message"),
    [
        ("encounters.csv", 3, "START", "2021-02-30T09:00:00Z", "not a date"),
        ("encounters.csv", 4, "ENCOUNTERCLASS", "teleporter", "unknown encounter class"),
        ("encounters.csv", 2, "TOTAL_CLAIM_COST", "lots", "not a number"),
        ("conditions.csv", 5, "CODE", "I50.9x", "not a SNOMED CT"),
        ("medications.csv", 2, "DISPENSES", "two", "not a whole number"),
        ("medications.csv", 3, "CODE", "abc", "not an RxNorm"),
        ("patients.csv", 3, "GENDER", "X", "GENDER must be"),
        ("conditions.csv", 2, "PATIENT", "nobody", "unknown patient"),
    ],
)
def test_bad_value_names_file_line_and_column(
    tmp_path: Path, file: str, line: int, column: str, value: str, message: str
) -> None:
    directory = formats.write_synthea(tmp_path / "s")
    _edit(directory / file, line, column, value)
    with pytest.raises(LoadError, match=message) as info:
        load_directory(directory, tmp_path / "a.duckdb")
    assert (info.value.file, info.value.line, info.value.field) == (str(directory / file), line, column)
    assert f"{file}, line {line}, field '{column}'" in str(info.value)


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    directory = formats.write_synthea(tmp_path / "s")
    _drop_column(directory / "encounters.csv", "ENCOUNTERCLASS")
    with pytest.raises(LoadError) as info:
        load_directory(directory, tmp_path / "a.duckdb")
    assert (info.value.file, info.value.line, info.value.field) == (
        str(directory / "encounters.csv"),
        1,
        "ENCOUNTERCLASS",
    )


def test_icd10_condition_with_system_column_is_checked(tmp_path: Path) -> None:
    directory = formats.write_synthea(tmp_path / "s")
    _edit(directory / "conditions.csv", 2, "SYSTEM", "http://hl7.org/fhir/sid/icd-10-cm")
    _edit(directory / "conditions.csv", 2, "CODE", "I50.9")
    load_directory(directory, tmp_path / "a.duckdb")  # an ICD-10-CM code is taken as is
    _edit(directory / "conditions.csv", 2, "CODE", "150.9")
    with pytest.raises(LoadError, match="not an ICD-10-CM code") as info:
        load_directory(directory, tmp_path / "b.duckdb")
    assert (info.value.line, info.value.field) == (2, "CODE")


def test_failed_load_leaves_store_unchanged_and_reload_does_not_duplicate(tmp_path: Path) -> None:
    db = tmp_path / "a.duckdb"
    good = formats.write_synthea(tmp_path / "good")
    load_directory(good, db)
    before = _counts(db)
    assert before == {"eligibility": 3, "medical_claim": 10, "pharmacy_claim": 9}
    load_directory(good, db)
    assert _counts(db) == before
    bad = formats.write_synthea(tmp_path / "bad")
    _edit(bad / "encounters.csv", 2, "TOTAL_CLAIM_COST", "999")  # a valid change to an early file ...
    _edit(bad / "medications.csv", 4, "START", "yesterday")  # ... and an error in the last one
    with pytest.raises(LoadError, match="medications.csv, line 4"):
        load_directory(bad, db)
    assert _counts(db) == before
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT allowed_amount FROM medical_claim WHERE claim_id = 'e1'").fetchall() == [
        (150.0,)
    ]
    con.close()


def test_unmapped_snomed_codes_are_counted_not_fatal(tmp_path: Path) -> None:
    directory = formats.write_synthea(tmp_path / "s")
    _edit(directory / "conditions.csv", 2, "CODE", "999999999")
    result = load_directory(directory, tmp_path / "a.duckdb")
    assert result.unmapped_codes == {"999999999": 1}
    assert result.deliberately_unmapped == 1  # Full-time employment


def test_command_dispatches_on_format(tmp_path: Path) -> None:
    directory = formats.write_synthea(tmp_path / "s")
    db = str(tmp_path / "a.duckdb")
    call_command(Command(), "load", str(directory), "--format", "synthea", "--db", db)
    assert _counts(Path(db))["medical_claim"] == 10
    _edit(directory / "patients.csv", 2, "BIRTHDATE", "1950/06/15")
    with pytest.raises(CommandError, match=r"nothing was loaded: .*patients\.csv, line 2, field 'BIRTHDATE'"):
        call_command(Command(), "load", str(directory), "--format", "synthea", "--db", db)


def _procedure_columns(db: Path) -> dict[str, tuple[object, ...]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT claim_id, procedure_code_type, procedure_code_1, procedure_date_1, procedure_code_2, "
            "procedure_date_2 FROM medical_claim"
        ).fetchall()
    finally:
        con.close()
    return {r[0]: tuple(r[1:]) for r in rows}


def test_procedures_are_mapped_to_icd10pcs_on_their_institutional_claim(tmp_path: Path) -> None:
    directory = formats.write_synthea(tmp_path / "s", procedures=True)
    with (directory / "procedures.csv").open("a", newline="") as fh:
        writer = csv.writer(fh)
        # A second procedure a day earlier on the same stay goes first; a repeat of the transplant on the
        # same day is one procedure; an ICD-10-PCS-coded row is taken as it is.
        sct = "http://snomed.info/sct"
        writer.writerow(["2021-03-21T08:00:00Z", "", "p1", "e4", sct, "32413006", "x", 1, "", ""])
        writer.writerow(["2021-03-20T15:00:00Z", "", "p1", "e4", sct, "32413006", "x", 1, "", ""])
        writer.writerow(["2021-03-02T10:00:00Z", "", "p1", "e3", "ICD-10-PCS", "0SRC0J9", "knee", 1, "", ""])
    result = load_directory(directory, tmp_path / "a.duckdb")
    assert (result.procedures_stored, result.procedures_not_stored) == (3, 2)
    stored = _procedure_columns(tmp_path / "a.duckdb")
    transplant = (dt.date(2021, 3, 20), dt.date(2021, 3, 21))
    assert stored["e4"] == ("icd-10-pcs", "02YA0Z0", transplant[0], "02YA0Z0", transplant[1])
    assert stored["e3"] == ("icd-10-pcs", "0SRC0J9", dt.date(2021, 3, 2), None, None)
    assert stored["e5"] == (None, None, None, None, None)  # the office visit's PCI: billed as CPT
    assert all(v == (None,) * 5 for k, v in stored.items() if k not in ("e3", "e4"))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("ENCOUNTER", "e99", r"unknown encounter 'e99' for this patient"),
        ("ENCOUNTER", "e7", r"unknown encounter 'e7' for this patient"),  # p2's visit
        ("PATIENT", "p9", r"unknown patient 'p9'"),
        ("CODE", "PCI", r"not a SNOMED CT concept id \(got 'PCI'\)"),
        ("START", "2021-13-01", r"START"),
    ],
)
def test_bad_procedure_rows_name_file_line_and_column(
    tmp_path: Path, column: str, value: str, message: str
) -> None:
    directory = formats.write_synthea(tmp_path / "s", procedures=True)
    db = tmp_path / "a.duckdb"
    load_directory(formats.write_synthea(tmp_path / "before"), db)
    before = _counts(db)
    _edit(directory / "procedures.csv", 3, column, value)
    with pytest.raises(LoadError, match=message) as info:
        load_directory(directory, db)
    assert "procedures.csv, line 3" in str(info.value) and f"field '{column}'" in str(info.value)
    assert _counts(db) == before


def test_icd10pcs_coded_procedure_is_checked(tmp_path: Path) -> None:
    directory = formats.write_synthea(tmp_path / "s", procedures=True)
    _edit(directory / "procedures.csv", 2, "SYSTEM", "ICD-10-PCS")
    _edit(directory / "procedures.csv", 2, "CODE", "02YA0ZI")  # I is not used in ICD-10-PCS
    with pytest.raises(LoadError, match=r"procedures\.csv, line 2, field 'CODE'"):
        load_directory(directory, tmp_path / "a.duckdb")
    _edit(directory / "procedures.csv", 2, "SYSTEM", "http://www.ama-assn.org/go/cpt")
    _edit(directory / "procedures.csv", 2, "CODE", "33945")
    result = load_directory(directory, tmp_path / "a.duckdb")
    assert (result.procedures_stored, result.procedures_not_stored) == (0, 3)  # CPT is not ICD-10-PCS


@pytest.mark.skipif(not (SAMPLE / "procedures.csv").exists(), reason=f"Synthea sample not found at {SAMPLE}")
def test_sample_export_procedures(tmp_path: Path) -> None:
    result = load_directory(SAMPLE, tmp_path / "a.duckdb")
    # Two heart attacks treated in the ED with a bypass and a PCI each; the rest are screenings,
    # assessments and office procedures no rule reads.
    assert (result.procedures_stored, result.procedures_not_stored) == (4, 245)
    con = duckdb.connect(str(tmp_path / "a.duckdb"), read_only=True)
    codes = con.execute(
        "SELECT procedure_code_1, procedure_code_2, count(*) FROM medical_claim "
        "WHERE procedure_code_1 IS NOT NULL GROUP BY ALL"
    ).fetchall()
    con.close()
    assert codes == [("021009W", "02703ZZ", 2)]


def test_command_reports_procedures(tmp_path: Path) -> None:
    directory = formats.write_synthea(tmp_path / "s", procedures=True)
    out = io.StringIO()
    db = str(tmp_path / "a.duckdb")
    call_command(Command(), "load", str(directory), "--format", "synthea", "--db", db, stdout=out)
    expected = (
        "procedures stored as ICD-10-PCS: 1; not stored (no mapping, at an office visit, or its encounter "
        "not in this export): 2"
    )
    assert expected in out.getvalue()


def test_encounter_reason_comes_first_and_is_checked(tmp_path: Path) -> None:
    directory = formats.write_synthea(tmp_path / "s", reasons=True)
    _edit(directory / "encounters.csv", 6, "REASONCODE", "999999999")  # e5: no mapping
    result = load_directory(directory, tmp_path / "a.duckdb")
    assert result.unmapped_codes == {"999999999": 1}
    con = duckdb.connect(str(tmp_path / "a.duckdb"), read_only=True)
    first = dict(con.execute("SELECT claim_id, diagnosis_code_1 FROM medical_claim").fetchall())
    con.close()
    assert first["e3"] == "I509" and first["e5"] == "Z5910"  # e5 keeps the condition diagnosed there
    _edit(directory / "encounters.csv", 4, "REASONCODE", "CHF")
    with pytest.raises(LoadError, match=r"encounters\.csv, line 4, field 'REASONCODE'.*not a SNOMED CT"):
        load_directory(directory, tmp_path / "a.duckdb")


def test_an_admission_procedure_admits_only_from_an_emergency_visit(tmp_path: Path) -> None:
    """An intensive-care admission recorded at an office visit does not make that visit a stay: only an
    emergency visit is read as the start of one (an inpatient encounter is a stay already)."""
    directory = formats.write_synthea(tmp_path / "s", admissions=True)
    with (directory / "procedures.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(
            ["2021-04-10T11:00:00Z", "2021-04-10T13:00:00Z", "p1", "e5", "http://snomed.info/sct",
             "305351004", "Admission to intensive care unit (procedure)", 100.0, "", ""]
        )  # fmt: skip
    load_directory(directory, tmp_path / "a.duckdb")
    shapes = dict(
        store_rows(
            tmp_path / "a.duckdb",
            "SELECT claim_id, claim_type || ':' || coalesce(bill_type_code, '') FROM medical_claim",
        )
    )
    assert (
        shapes["e5"] == "professional:"
        and shapes["e2"] == "institutional:111"
        and shapes["e3"] == "institutional:111"
    )


def test_an_emergency_visit_with_an_inpatient_procedure_code_is_a_stay(tmp_path: Path) -> None:
    """ICD-10-PCS is reported for hospital inpatients only (45 CFR 162.1002), so a PCI done during an
    emergency encounter makes it a stay begun in the ED; the same PCI at an office visit is a CPT service
    and stores no ICD-10-PCS code."""
    directory = formats.write_synthea(tmp_path / "s")
    with (directory / "procedures.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["START", "STOP", "PATIENT", "ENCOUNTER", "SYSTEM", "CODE", "DESCRIPTION", "BASE_COST"]
        )
        for encounter, day in (("e10", "2021-06-01"), ("e5", "2021-04-10")):
            patient = "p3" if encounter == "e10" else "p1"
            writer.writerow(
                [f"{day}T09:30:00Z", f"{day}T09:50:00Z", patient, encounter, "http://snomed.info/sct",
                 "415070008", "Percutaneous coronary intervention (procedure)", 100.0]
            )  # fmt: skip
    result = load_directory(directory, tmp_path / "a.duckdb")
    assert (result.procedures_stored, result.procedures_not_stored) == (1, 1)
    rows = store_rows(
        tmp_path / "a.duckdb",
        "SELECT claim_id, bill_type_code, revenue_center_code, admit_type_code, procedure_code_1 "
        "FROM medical_claim WHERE claim_id IN ('e10', 'e5') ORDER BY claim_id",
    )
    assert rows == [("e10", "111", "0450", "1", "02703ZZ"), ("e5", None, None, None, None)]


def _claim_codes(db: Path, claim: str) -> list[str]:
    columns = ", ".join(f"diagnosis_code_{i}" for i in range(1, 26))
    (row,) = store_rows(db, f"SELECT {columns} FROM medical_claim WHERE claim_id = ?", [claim])
    return [c for c in row if c]


def test_a_birth_is_coded_as_a_delivery_stay(tmp_path: Path) -> None:
    """Synthea's birth encounter (183460006) carries the pregnancy (Z34.90, supervision of pregnancy) as its
    reason; a hospital codes the stay with a chapter-15 principal diagnosis, which the obstetric-stay
    exclusion reads: O80, O82 after a Caesarean, or a complication already coded."""

    def birth(directory: Path) -> Path:
        _edit(directory / "encounters.csv", 11, "CODE", "183460006")  # e10, p3's emergency visit
        _edit(directory / "encounters.csv", 11, "REASONCODE", "72892002")  # Normal pregnancy
        return directory

    plain = birth(formats.write_synthea(tmp_path / "a", reasons=True))
    load_directory(plain, tmp_path / "a.duckdb")
    codes = _claim_codes(tmp_path / "a.duckdb", "e10")
    assert codes[0] == "O80" and "Z370" in codes and "Z3490" not in codes and "J449" in codes

    caesarean = birth(formats.write_synthea(tmp_path / "b", reasons=True))
    with (caesarean / "procedures.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["START", "STOP", "PATIENT", "ENCOUNTER", "SYSTEM", "CODE", "DESCRIPTION", "BASE_COST"]
        )
        writer.writerow(
            ["2021-06-01T09:10:00Z", "2021-06-01T09:50:00Z", "p3", "e10", "http://snomed.info/sct",
             "11466000", "Cesarean section (procedure)", 100.0]
        )  # fmt: skip
    load_directory(caesarean, tmp_path / "b.duckdb")
    assert _claim_codes(tmp_path / "b.duckdb", "e10")[0] == "O82"

    complicated = birth(formats.write_synthea(tmp_path / "c", reasons=True))
    with (complicated / "conditions.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(
            ["2021-06-01", "", "p3", "e10", "http://snomed.info/sct", "398254007", "Preeclampsia"]
        )
    load_directory(complicated, tmp_path / "c.duckdb")
    codes = _claim_codes(tmp_path / "c.duckdb", "e10")
    assert codes[0] == "O1490" and "O80" not in codes and "Z370" not in codes
    # Other visits keep their codes as written: the pregnancy reason stays on a prenatal visit.
    assert _claim_codes(tmp_path / "a.duckdb", "e9") == ["J449"]


def test_an_emergency_visit_spanning_two_midnights_is_a_stay(tmp_path: Path) -> None:
    """Medicare's two-midnight benchmark (42 CFR 412.3(d)): hospital care across two midnights is an
    inpatient admission. Synthea's sepsis encounters stay open in the ED for days."""
    directory = formats.write_synthea(tmp_path / "s")
    _edit(directory / "encounters.csv", 11, "STOP", "2021-06-03T08:00:00Z")  # e10: two midnights
    _edit(directory / "encounters.csv", 3, "STOP", "2021-03-02T08:00:00Z")  # e2: one midnight
    load_directory(directory, tmp_path / "a.duckdb")
    shapes = dict(
        store_rows(
            tmp_path / "a.duckdb",
            "SELECT claim_id, bill_type_code || ':' || coalesce(discharge_date::VARCHAR, '') "
            "FROM medical_claim WHERE claim_id IN ('e2', 'e10')",
        )
    )
    assert shapes == {"e10": "111:2021-06-03", "e2": "131:"}
