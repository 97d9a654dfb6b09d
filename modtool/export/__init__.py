"""Labeled datasets out of the store: JSONL, CSV, Parquet and ConvoKit.

Library API::

    from modtool.export import export, Selection
    export(store, fmt="jsonl", output=Path("labeled.jsonl"),
           selection=Selection(policy="news-comments", labeled_only=True))

Every format derives from the records of :mod:`modtool.export.records` (the
JSONL schema); every export streams and is written atomically.
"""

from __future__ import annotations

from modtool.export.records import FIELDS, build_record, iter_records
from modtool.export.runner import FORMATS, ExportResult, export, format_for
from modtool.export.split import Part, assign, parse_split
from modtool.store.dataset import Selection

__all__ = [
    "FIELDS",
    "FORMATS",
    "ExportResult",
    "Part",
    "Selection",
    "assign",
    "build_record",
    "export",
    "format_for",
    "iter_records",
    "parse_split",
]
