"""CSV for spreadsheets: one row per comment, one 0/1 column per policy label.

Columns: ``id, global_id, thread_id, thread_global_id, parent_id, depth, path,
author, text, parent_text, reviewers, labels_stale`` (``1`` when some moderator's
verdict was given for an earlier text of the comment: it was edited since), then ``label:<key>`` for each label of the policy (``1`` when a
majority of the reviewing moderators gave it, ``0`` when a majority did not,
empty when nobody reviewed the comment or the moderators tied on it), then
``tied_labels`` (``;``-separated) and ``score:<model>:<attribute>`` for each
score in the selection (empty when not scored).

Comment text is untrusted: a cell that a spreadsheet would run as a formula
(first character ``=``, ``+``, ``-``, ``@``, tab or carriage return, or a
full-width/compatibility form of one of them, such as ``＝``) gets a
leading apostrophe, which spreadsheets show as text. The file is UTF-8 with a
byte-order mark so that Excel reads non-ASCII text correctly.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from modtool.export.base import ExportContext, Record
from modtool.export.schema import Fields, Type

EXTENSION = "csv"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_START)
BASE_COLUMNS = (
    "id",
    "global_id",
    "thread_id",
    "thread_global_id",
    "parent_id",
    "depth",
    "path",
    "author",
    "text",
    "parent_text",
    "reviewers",
    "labels_stale",
)

_PARENT = BASE_COLUMNS.index("parent_id")
_STALE = BASE_COLUMNS.index("labels_stale")


def neutralise(cell: str) -> str:
    """``'=1+1`` for ``=1+1``: a spreadsheet shows it as text instead of running it.

    The first character is NFKC-normalised for the check, so the full-width and
    compatibility forms (``＝``, ``﹦``, ``＋``, ``－``, ``＠``, …) that some
    spreadsheets also read as formula starts are neutralised like ``=``.
    """
    first = cell[:1]
    if not first:
        return cell
    if first in _FORMULA_FIRST or first == "\u2212":  # U+2212 MINUS SIGN
        return "'" + cell
    normal = unicodedata.normalize("NFKC", first)[:1]
    return "'" + cell if normal in _FORMULA_FIRST else cell


def csv_fields(context: ExportContext) -> Fields:
    """The type of every CSV column, for the dataset card (a label cell is 0, 1 or empty)."""
    types = {"id": "int64", "thread_id": "int64", "parent_id": "int64", "depth": "int64"}
    types["reviewers"] = types["labels_stale"] = "int64"
    fields: list[tuple[str, Type]] = []
    for name in header(context):
        if name.startswith("label:"):
            fields.append((name, "int64"))
        elif name.startswith("score:"):
            fields.append((name, "float64"))
        else:
            fields.append((name, types.get(name, "string")))
    return tuple(fields)


def header(context: ExportContext) -> list[str]:
    return [
        *BASE_COLUMNS,
        *(f"label:{key}" for key in context.label_keys),
        "tied_labels",
        *(f"score:{model}:{attribute}" for model, attribute in context.score_columns),
    ]


def row_cells(record: Record, context: ExportContext) -> list[object]:
    labels, tied = set(record["labels"]), set(record["tied_labels"])
    reviewed = record["reviewers"] > 0
    scores = {(s["model"], s["attribute"]): s["score"] for s in record["scores"]}
    cells: list[object] = [record[name] for name in BASE_COLUMNS]
    cells[_PARENT] = "" if record["parent_id"] is None else record["parent_id"]
    cells[_STALE] = int(record["labels_stale"])
    for key in context.label_keys:
        cells.append("" if not reviewed or key in tied else int(key in labels))
    cells.append(";".join(record["tied_labels"]))
    for column in context.score_columns:
        value = scores.get(column)
        cells.append("" if value is None else repr(float(value)))
    return [neutralise(cell) if isinstance(cell, str) else cell for cell in cells]


def write_csv(path: Path, records: Iterable[Record], context: ExportContext) -> int:
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([neutralise(name) for name in header(context)])
        for record in records:
            writer.writerow(row_cells(record, context))
            count += 1
    return count
