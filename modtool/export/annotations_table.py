"""``--format annotations`` (JSONL) and ``annotations-csv``: one row per moderator's
label on a comment, the long table agreement studies start from (no ``explode``
or ``json_normalize`` needed).

A row: ``comment_id``, ``global_id``, ``thread_id``, ``moderator``, ``label``,
``state``, ``policy``, ``policy_hash``, ``time``, ``stale`` (``1``: given for an
earlier text, the comment was edited since), ``notes`` (the moderator's notes on
the comment, one per line). A moderator who approved a
comment (reviewed, no label) has one row with an empty ``label`` and state
``approved``; one who gave two labels has two rows. Comments nobody reviewed
have no row.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from modtool.export.base import ExportContext, Record
from modtool.export.csv_format import neutralise
from modtool.export.schema import Fields

FIELDS: Fields = (
    ("comment_id", "int64"),
    ("global_id", "string"),
    ("thread_id", "int64"),
    ("moderator", "string"),
    ("label", "string"),
    ("state", "string"),
    ("policy", "string"),
    ("policy_hash", "string"),
    ("time", "string"),
    ("stale", "int64"),
    ("notes", "string"),
)
COLUMNS = tuple(name for name, _ in FIELDS)


def rows(records: Iterable[Record]) -> Iterator[dict[str, Any]]:
    for record in records:
        for annotation in record["annotations"]:
            base = {
                "comment_id": record["id"],
                "global_id": record["global_id"],
                "thread_id": record["thread_id"],
                "moderator": annotation["moderator"],
                "state": annotation["state"],
                "policy": record["policy"]["name"],
                "policy_hash": annotation["policy_hash"],
                "time": annotation["updated_at"],
                "stale": int(annotation["stale"]),
                "notes": "\n".join(annotation["notes"]),
            }
            for label in annotation["labels"] or [None]:
                yield {key: (label if key == "label" else base[key]) for key in COLUMNS}


def fields(context: ExportContext) -> Fields:
    return FIELDS


def write_annotations(path: Path, records: Iterable[Record], context: ExportContext) -> int:
    count = 0
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for row in rows(records):
            out.write(encode(row) + "\n")
            count += 1
    return count


def write_annotations_csv(path: Path, records: Iterable[Record], context: ExportContext) -> int:
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows(records):
            writer.writerow(
                [
                    ""
                    if row[k] is None
                    else neutralise(row[k])
                    if isinstance(row[k], str)
                    else row[k]
                    for k in COLUMNS
                ]
            )
            count += 1
    return count
