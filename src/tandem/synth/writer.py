"""Streaming writers: one file per table, appended chunk by chunk.

Parquet files get one row group per chunk through a single `ParquetWriter`, so a million-member run
never holds more than a chunk in memory and still yields one file per table. Files are written under a
temporary name and renamed when complete, so a failed run never leaves a truncated file that looks
finished.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from tandem.synth.tables import arrow_schema, complete

FORMATS: Final = ("csv", "parquet")
PARQUET_COMPRESSION: Final = "snappy"


def _plain(sch: pa.Schema) -> pa.Schema:
    """The schema with dictionary string columns replaced by plain strings (what CSV readers see)."""
    return pa.schema(
        [pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type) for f in sch]
    )


class TableWriter:
    """Appends Arrow tables of one Tuva table to `out_dir/<table>.<fmt>`."""

    def __init__(self, out_dir: Path, table: str, fmt: str) -> None:
        self.table = table
        self.fmt = fmt
        self.path = out_dir / f"{table}.{fmt}"
        self._tmp = out_dir / f".{table}.{fmt}.partial"
        self._schema = arrow_schema(table)
        self._plain = _plain(self._schema)
        self.rows = 0
        self._writer: pq.ParquetWriter | pacsv.CSVWriter
        if fmt == "parquet":
            # Min/max statistics only for dates and numbers: they let readers skip row groups by date, and
            # skipping them for the ~100 string columns halves the write time.
            stats = [f.name for f in self._schema if not pa.types.is_dictionary(f.type)]
            self._writer = pq.ParquetWriter(
                str(self._tmp),
                self._schema,
                compression=PARQUET_COMPRESSION,
                store_schema=False,
                write_statistics=stats,
            )
        else:
            self._writer = pacsv.CSVWriter(
                str(self._tmp), self._plain, write_options=pacsv.WriteOptions(quoting_style="needed")
            )

    def write(self, partial: pa.Table) -> None:
        """Append one chunk, given as a partial table of its filled columns (see `tables.complete`)."""
        table = complete(self.table, partial)
        if self.fmt == "parquet":
            self._writer.write_table(table, row_group_size=max(table.num_rows, 1))
        else:
            self._writer.write_table(table.cast(self._plain))
        self.rows += table.num_rows

    def close(self) -> Path:
        self._writer.close()
        self._tmp.replace(self.path)
        return self.path

    def abort(self) -> None:
        try:
            self._writer.close()
        finally:
            self._tmp.unlink(missing_ok=True)
