"""Turns a chunk's integer-coded arrays into Arrow tables with the exact Tuva input-layer schema.

String columns are dictionary-encoded (int32 indices into small vocabularies, or into the chunk's own
id strings), which keeps memory and Parquet encoding cheap; Parquet files are written without the Arrow
schema, so readers (pandas, duckdb, pyarrow) see plain strings. Columns the generator does not fill
(names, addresses, SSN, phone, email and other identifiers) are all-null on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from tandem.synth import schema, vocab
from tandem.synth.claims import DX_SLOTS, PCS_SLOTS, FinishedClaims
from tandem.synth.pharmacy import Fills
from tandem.synth.population import DUAL_CODES, RACES, Population
from tandem.synth.providers import NPIS, TINS

Arr = npt.NDArray[Any]

DICT_STRING: Final = pa.dictionary(pa.int32(), pa.string())
DATA_SOURCE: Final = "tandem_synth"
_KIND_TYPES: Final = {
    "string": DICT_STRING,
    "date": pa.date32(),
    "timestamp": pa.timestamp("s"),
    "int": pa.int32(),
    "float": pa.float64(),
}


@dataclass(frozen=True)
class ChunkContext:
    """What every table of a chunk needs besides the people: window, ids, lineage."""

    chunk: int
    month_start: Arr
    ingest_seconds: int
    id_width: int


@cache
def arrow_schema(table: str) -> pa.Schema:
    """Arrow schema of `table` in Tuva column order (strings as dictionary<int32, string>)."""
    return pa.schema([pa.field(name, _KIND_TYPES[kind]) for name, kind in schema.TABLES[table]])


@cache
def _dictionary(name: str) -> pa.Array:
    sources: dict[str, tuple[str, ...] | list[str]] = {
        "icd": vocab.ICD.codes,
        "hcpcs": vocab.HCPCS.codes,
        "revenue": vocab.REVENUE.codes,
        "pos": vocab.POS.codes,
        "bill": vocab.BILL_TYPE.codes,
        "modifier": vocab.MODIFIER.codes,
        "admit_source": vocab.ADMIT_SOURCE.codes,
        "admit_type": vocab.ADMIT_TYPE.codes,
        "disposition": vocab.DISPOSITION.codes,
        "drg": vocab.DRG.codes,
        "pcs": vocab.PCS.codes,
        "ndc": vocab.NDC.codes,
        "npi": NPIS,
        "tin": TINS,
        "race": RACES,
        "dual": DUAL_CODES,
        "payer": ("medicare", "medicaid"),
        "claim_type": ("professional", "institutional"),
        "gender": ("male", "female"),
        "ethnicity": ("not hispanic or latino", "hispanic or latino"),
        "orec": ("0", "1", "2", "3"),
        "mstatus": ("10", "11", "20", "21", "31"),
        "enrollment_status": ("Continuing", "New", "Institutional", "ESRD"),
    }
    return pa.array(list(sources[name]), type=pa.string())


def codes(indices: Arr, dictionary: str | pa.Array) -> pa.DictionaryArray:
    """Dictionary column from indices (negative = null)."""
    idx = np.asarray(indices)
    dic = _dictionary(dictionary) if isinstance(dictionary, str) else dictionary
    mask = idx < 0 if len(idx) and idx.min() < 0 else None
    arr = pa.array(idx.astype(np.int32, copy=False), type=pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(arr, dic)


def constant(value: str, n: int) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([value]))


def dates(days: Arr, nullable: bool = True) -> pa.Array:
    """Date column from day numbers since 1970-01-01; -1 means null unless `nullable` is False.

    Service dates are all after 2016, so -1 is a safe "no date" marker; birth dates (which may be
    before 1970, i.e. negative) are written with `nullable=False`.
    """
    d = np.asarray(days)
    mask = (d == -1) if nullable else None
    return pa.array(d.astype(np.int32), type=pa.int32(), mask=mask).view(pa.date32())


def ints(values: Arr, mask: Arr | None = None) -> pa.Array:
    return pa.array(np.asarray(values).astype(np.int32), type=pa.int32(), mask=mask)


def floats(values: Arr) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.float64), type=pa.float64())


def timestamps(seconds: int, n: int) -> pa.Array:
    return pa.array(np.full(n, seconds, dtype="datetime64[s]"), type=pa.timestamp("s"))


def _assemble(table: str, n: int, columns: dict[str, pa.Array]) -> pa.Table:
    """A table of only the filled columns, in schema order; `complete` adds the empty ones.

    Worker processes send these partial tables to the writer, so the many all-null columns are never
    pickled between processes.
    """
    sch = arrow_schema(table)
    unknown = set(columns) - set(sch.names)
    if unknown:
        raise KeyError(f"not {table} columns: {sorted(unknown)}")
    fields = [f for f in sch if f.name in columns]
    if not fields:
        return pa.table({"__rows__": pa.nulls(n, type=pa.int8())})
    return pa.Table.from_arrays([columns[f.name] for f in fields], schema=pa.schema(fields))


def complete(table: str, partial: pa.Table) -> pa.Table:
    """The full Tuva table: `partial`'s columns plus all-null columns for everything it lacks."""
    sch = arrow_schema(table)
    n = partial.num_rows
    null_index = pa.nulls(n, type=pa.int32())
    shared: dict[pa.DataType, pa.Array] = {}

    def null_column(t: pa.DataType) -> pa.Array:
        # One null buffer per type, shared by every empty column of this chunk.
        if t not in shared:
            shared[t] = (
                pa.DictionaryArray.from_arrays(null_index, pa.array([], type=pa.string()))
                if pa.types.is_dictionary(t)
                else pa.nulls(n, type=t)
            )
        return shared[t]

    names = set(partial.column_names)
    arrays = [partial.column(f.name) if f.name in names else null_column(f.type) for f in sch]
    return pa.Table.from_arrays(arrays, schema=sch)


def _id_strings(prefix: str, numbers: Arr, width: int) -> pa.Array:
    digits = pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width=width, padding="0"
    )
    return pc.binary_join_element_wise(prefix, digits, "")


def person_ids(pop: Population, ctx: ChunkContext) -> tuple[pa.Array, pa.Array]:
    """person_id ("P" + zero-padded number) and member_id (payer prefix + scrambled number)."""
    pid = _id_strings("P", pop.number, ctx.id_width)
    # A bijective scramble of the person number (odd multiplier mod 10^9) so member ids look unrelated.
    scrambled = (pop.number * 387_420_489 + 123_456_789) % 1_000_000_000
    prefix_medicare = _id_strings("MCR", scrambled, 9)
    prefix_medicaid = _id_strings("MCD", scrambled, 9)
    mid = pc.if_else(pa.array(pop.medicare), prefix_medicare, prefix_medicaid)
    return pid, mid


def _file_names(table: str, ctx: ChunkContext) -> pa.Array:
    months = ctx.month_start[:-1].astype("datetime64[D]").astype("datetime64[M]").astype(str)
    return pa.array([f"{DATA_SOURCE}_{table}_{m.replace('-', '')}" for m in months])


def eligibility_table(pop: Population, ctx: ChunkContext) -> pa.Table:
    """One row per enrolment span (a run of enrolled months)."""
    enrolled = pop.enrolled.astype(np.int8)
    padded = np.pad(enrolled, ((0, 0), (1, 1)))
    step = np.diff(padded, axis=1)
    sp, s_month = np.nonzero(step == 1)
    ep, e_month = np.nonzero(step == -1)
    e_month = e_month - 1
    assert np.array_equal(sp, ep)
    p, n = sp, len(sp)
    ms = ctx.month_start
    pid, mid = person_ids(pop, ctx)
    medicare = pop.medicare[p]
    t_hospice = pop.hospice_month[p]
    hospice = (t_hospice >= 0) & (t_hospice <= e_month)
    esrd = pop.medicare_status[p] % 10 == 1
    status = np.where(esrd, 3, np.where(pop.lti[p], 2, np.where(pop.new_enrollee[p], 1, 0)))
    mstatus_idx = np.searchsorted(np.array([10, 11, 20, 21, 31]), pop.medicare_status[p])
    full_dual = (pop.dual[p] >= 0) & (pop.dual[p] < 3)
    ids_idx = p.astype(np.int32)
    file_date = ms[-2]
    cols: dict[str, pa.Array] = {
        "person_id": codes(ids_idx, pid),
        "member_id": codes(ids_idx, mid),
        "subscriber_id": codes(ids_idx, mid),
        "gender": codes(pop.female[p].astype(np.int64), "gender"),
        "race": codes(pop.race[p], "race"),
        "birth_date": dates(pop.birth_day[p], nullable=False),
        "death_date": dates(pop.death_day[p]),
        "death_flag": ints(pop.death_day[p] >= 0),
        "enrollment_start_date": dates(ms[s_month]),
        "enrollment_end_date": dates(ms[e_month + 1] - 1),
        "payer": codes((~medicare).astype(np.int64), "payer"),
        "payer_type": codes((~medicare).astype(np.int64), "payer"),
        "plan": codes((~medicare).astype(np.int64), "payer"),
        "original_reason_entitlement_code": codes(pop.orec[p], "orec"),
        "dual_status_code": codes(pop.dual[p], "dual"),
        "medicare_status_code": codes(np.where(medicare, mstatus_idx, -1), "mstatus"),
        "subscriber_relation": constant("self", n),
        "ethnicity": codes(pop.hispanic[p].astype(np.int64), "ethnicity"),
        "data_source": constant(DATA_SOURCE, n),
        "file_name": constant(f"{DATA_SOURCE}_eligibility", n),
        "file_date": dates(np.full(n, file_date)),
        "ingest_datetime": timestamps(ctx.ingest_seconds, n),
        "enrollment_status": codes(np.where(medicare, status, -1), "enrollment_status"),
        "hospice_flag": ints(hospice),
        "medicaid_indicator": ints(~medicare | full_dual),
        "long_term_institutional_flag": ints(pop.lti[p]),
        "enrollment_duration_months": ints(e_month - s_month + 1),
    }
    return _assemble("eligibility", n, cols)


def medical_table(pop: Population, fc: FinishedClaims, ctx: ChunkContext) -> pa.Table:
    n = len(fc.person)
    c, ln = fc.claim, fc.line
    pid, mid = person_ids(pop, ctx)
    claim_ids = _id_strings("C", ctx.chunk * 100_000_000 + np.arange(fc.n_claims), 12)
    payer = (~pop.medicare[fc.person]).astype(np.int64)
    month = np.searchsorted(ctx.month_start, c["start"], side="right") - 1
    cols: dict[str, pa.Array] = {
        "claim_id": codes(fc.claim_number, claim_ids),
        "claim_line_number": ints(fc.line_number),
        "claim_type": codes(c["institutional"].astype(np.int64), "claim_type"),
        "person_id": codes(fc.person, pid),
        "member_id": codes(fc.person, mid),
        "payer": codes(payer, "payer"),
        "plan": codes(payer, "payer"),
        "claim_start_date": dates(c["start"]),
        "claim_end_date": dates(c["end"]),
        "claim_line_start_date": dates(ln["line_start"]),
        "claim_line_end_date": dates(ln["line_end"]),
        "admission_date": dates(c["admit"]),
        "discharge_date": dates(c["discharge"]),
        "admit_source_code": codes(c["admit_source"], "admit_source"),
        "admit_type_code": codes(c["admit_type"], "admit_type"),
        "discharge_disposition_code": codes(c["disposition"], "disposition"),
        "place_of_service_code": codes(c["pos"], "pos"),
        "bill_type_code": codes(c["bill"], "bill"),
        "drg_code_type": codes(np.where(c["drg"] >= 0, 0, -1), pa.array(["ms-drg"])),
        "drg_code": codes(c["drg"], "drg"),
        "revenue_center_code": codes(ln["rev"], "revenue"),
        "service_unit_quantity": ints(ln["units"]),
        "hcpcs_code": codes(ln["hcpcs"], "hcpcs"),
        "hcpcs_modifier_1": codes(ln["mod"], "modifier"),
        "rendering_npi": codes(c["render"], "npi"),
        "billing_npi": codes(c["billing"], "npi"),
        "billing_tin": codes(c["tin"], "tin"),
        "facility_npi": codes(c["facility"], "npi"),
        "paid_date": dates(fc.paid_day),
        "paid_amount": floats(fc.paid),
        "allowed_amount": floats(fc.allowed),
        "charge_amount": floats(fc.charge),
        "coinsurance_amount": floats(fc.coinsurance),
        "copayment_amount": floats(fc.copay),
        "deductible_amount": floats(fc.deductible),
        "total_cost_amount": floats(fc.allowed),
        "diagnosis_code_type": constant("icd-10-cm", n),
        "procedure_code_type": codes(np.where(fc.pcs[0] >= 0, 0, -1), pa.array(["icd-10-pcs"])),
        "in_network_flag": ints(np.ones(n, dtype=np.int32)),
        "data_source": constant(DATA_SOURCE, n),
        "file_name": codes(month, _file_names("medical_claim", ctx)),
        "file_date": dates(ctx.month_start[month]),
        "ingest_datetime": timestamps(ctx.ingest_seconds, n),
    }
    poa_dict = pa.array(["Y"])
    poa = np.where(c["poa"][None, :] & (fc.dx >= 0), 0, -1).astype(np.int32)
    for j in range(DX_SLOTS):
        if (fc.dx[j] >= 0).any():
            cols[f"diagnosis_code_{j + 1}"] = codes(fc.dx[j], "icd")
        if (poa[j] >= 0).any():
            cols[f"diagnosis_poa_{j + 1}"] = codes(poa[j], poa_dict)
    for j in range(PCS_SLOTS):
        cols[f"procedure_code_{j + 1}"] = codes(fc.pcs[j], "pcs")
        cols[f"procedure_date_{j + 1}"] = dates(fc.pcs_day[j])
    return _assemble("medical_claim", n, cols)


def pharmacy_table(pop: Population, fills: Fills, ctx: ChunkContext) -> pa.Table:
    n = len(fills)
    pid, mid = person_ids(pop, ctx)
    claim_ids = _id_strings("R", ctx.chunk * 100_000_000 + np.arange(n), 12)
    payer = (~pop.medicare[fills.person]).astype(np.int64)
    month = np.searchsorted(ctx.month_start, fills.day, side="right") - 1
    cols: dict[str, pa.Array] = {
        "claim_id": codes(np.arange(n), claim_ids),
        "claim_line_number": ints(np.ones(n, dtype=np.int32)),
        "person_id": codes(fills.person, pid),
        "member_id": codes(fills.person, mid),
        "payer": codes(payer, "payer"),
        "plan": codes(payer, "payer"),
        "prescribing_provider_npi": codes(fills.prescriber, "npi"),
        "dispensing_provider_npi": codes(fills.dispenser, "npi"),
        "dispensing_date": dates(fills.day),
        "ndc_code": codes(fills.drug, "ndc"),
        "quantity": ints(fills.quantity),
        "days_supply": ints(fills.days_supply),
        "refills": ints(fills.refills),
        "paid_date": dates(fills.paid_day),
        "paid_amount": floats(fills.paid),
        "allowed_amount": floats(fills.allowed),
        "charge_amount": floats(fills.charge),
        "coinsurance_amount": floats(fills.coinsurance),
        "copayment_amount": floats(fills.copay),
        "deductible_amount": floats(np.zeros(n)),
        "in_network_flag": ints(np.ones(n, dtype=np.int32)),
        "data_source": constant(DATA_SOURCE, n),
        "file_name": codes(month, _file_names("pharmacy_claim", ctx)),
        "file_date": dates(ctx.month_start[month]),
        "ingest_datetime": timestamps(ctx.ingest_seconds, n),
    }
    return _assemble("pharmacy_claim", n, cols)
