"""Parquet through pyarrow (``pip install 'modtool[parquet]'``): the JSONL schema as
typed columns, written in row groups so memory stays bounded."""

from __future__ import annotations

import io
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any

from modtool.errors import ModtoolError
from modtool.export.base import ExportContext, Record
from modtool.export.schema import RECORD, arrow_schema

EXTENSION = "parquet"
ROW_GROUP = 10_000


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ModtoolError(
            "Parquet export needs pyarrow: pip install 'modtool[parquet]' (or pip install pyarrow)"
        ) from None
    return pa, pq


def schema() -> Any:
    """The pyarrow schema of a record (from :mod:`modtool.export.schema`)."""
    _pyarrow()
    return arrow_schema(RECORD)


class _Forward(io.RawIOBase):
    """A write-only stream that counts what it wrote, so pyarrow never seeks: a pipe,
    standard output or a FIFO takes Parquet like a file does."""

    def __init__(self, handle: io.BufferedWriter) -> None:
        self.handle = handle
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self.handle.write(data)
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        self.handle.flush()


def write_parquet(
    path: Path, records: Iterable[Record], context: ExportContext, *, row_group: int = ROW_GROUP
) -> int:
    pa, pq = _pyarrow()
    table_schema = schema()
    count = 0
    iterator = iter(records)
    with open(path, "wb") as handle:
        sink = pa.PythonFile(_Forward(handle), mode="w")
        with pq.ParquetWriter(sink, table_schema, compression="zstd") as writer:
            while batch := list(islice(iterator, row_group)):
                writer.write_table(pa.Table.from_pylist(batch, schema=table_schema))
                count += len(batch)
        sink.close()
    return count
