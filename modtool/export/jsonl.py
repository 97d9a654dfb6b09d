"""JSON Lines: one record per line, UTF-8, keys in schema order (see ``records``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from modtool.export.base import ExportContext, Record

EXTENSION = "jsonl"


def write_jsonl(path: Path, records: Iterable[Record], context: ExportContext) -> int:
    count = 0
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(encode(record))
            out.write("\n")
            count += 1
    return count
