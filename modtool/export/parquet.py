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
    pa, _ = _pyarrow()
    strings = pa.list_(pa.string())
    return pa.schema(
        [
            ("id", pa.int64()),
            ("thread_id", pa.int64()),
            ("parent_id", pa.int64()),
            ("depth", pa.int64()),
            ("path", pa.string()),
            ("position", pa.int64()),
            ("author", pa.string()),
            ("text", pa.string()),
            ("parent_text", pa.string()),
            (
                "scores",
                pa.list_(
                    pa.struct(
                        [
                            ("model", pa.string()),
                            ("attribute", pa.string()),
                            ("score", pa.float64()),
                        ]
                    )
                ),
            ),
            ("labels", strings),
            ("tied_labels", strings),
            ("reviewers", pa.int64()),
            (
                "annotations",
                pa.list_(
                    pa.struct(
                        [
                            ("moderator", pa.string()),
                            ("state", pa.string()),
                            ("labels", strings),
                            ("updated_at", pa.string()),
                            ("policy_hash", pa.string()),
                        ]
                    )
                ),
            ),
            ("policy", pa.struct([("name", pa.string()), ("hashes", strings)])),
        ]
    )


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
