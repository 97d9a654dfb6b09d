"""Pushshift / Arctic-Shift Reddit dumps: NDJSON, one comment or submission per line.

The monthly dumps (``RC_2024-01`` comments, ``RS_2024-01`` submissions) and
Arctic-Shift's per-subreddit downloads hold one Reddit object per line, in
time order, so the comments of many threads interleave::

    {"id": "kq1aaaa", "link_id": "t3_1cebxh", "parent_id": "t3_1cebxh", "author": "jane",
     "body": "…", "created_utc": 1714001000, "score": 12, "subreddit": "AskHistorians", …}
    {"id": "1cebxh", "title": "…", "selftext": "…", "num_comments": 14, "created_utc": …, …}

Mapping: the same as the Reddit listing (:mod:`modtool.importers.reddit`,
platform ``reddit``, so a dump and a ``/comments`` listing of one thread are the
same thread): a comment's thread is its ``link_id`` (prefix dropped), a line
with ``title`` and no ``link_id`` is a submission and becomes its thread's
record (title, selftext as article, permalink). ``created_utc`` is an int, a
float or a string depending on the dump's year: all read. A ``parent_id``
that is not in the file is kept by name (the tree builder makes the comment
an orphan).

Streaming: the file is read line by line and never held (``GROUPED`` is
false: the pipeline groups the records by thread on disk). ``.gz``, ``.bz2``,
``.xz`` dumps are read directly; ``.zst`` (the format the dumps ship in) needs
the optional ``zstandard`` package, else one line says to decompress first.

Errors: a line that is not JSON, or JSON that is not an object, is a document
error (:class:`~modtool.errors.ParseError` naming file and line, nothing
stored): the dumps are machine-written, so a bad line means a damaged or
truncated file, and the thread it belonged to cannot be known. A comment line
without an id is a :class:`~modtool.importers.records.ProblemRecord` for its
thread (that thread is not stored, the others are).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from modtool.errors import ParseError
from modtool.importers import jsonread
from modtool.importers.records import ProblemRecord, Record
from modtool.importers.reddit import comment_record, linked_thread, parent_of, thread_record

NAME = "pushshift"
PLATFORM = "reddit"
# Compressed dumps cannot be sniffed: their extension decides. Plain NDJSON is sniffed.
EXTENSIONS = (".zst", ".gz", ".bz2", ".xz")
GROUPED = False
DESCRIPTION = (
    "Pushshift/Arctic-Shift NDJSON: one Reddit comment "
    '({"id", "link_id", "parent_id", "body", "created_utc"}) or submission '
    '({"id", "title", "selftext"}) per line'
)

_DUMP_NAME = re.compile(r"^(RC|RS)_\d{4}-\d{2}", re.I)
_COMMENT_KEY = re.compile(rb'"link_id"\s*:\s*"t3_')
_SUBMISSION_KEYS = (b'"selftext"', b'"num_comments"')


def sniff(head: bytes, path: Path) -> bool:
    """The first line is one Reddit object (not a listing), or the file is named like a dump."""
    if path.suffix.lower() == ".zst" or _DUMP_NAME.match(path.name):
        return True
    value = jsonread.first_value(head)
    if isinstance(value, dict):
        if "kind" in value and "data" in value:
            return False  # a Reddit listing or thing, not a dump line
        return _is_comment(value) or _is_submission(value)
    line = jsonread.first_line(head)
    if not line.startswith(b"{") or line.startswith((b'{"kind"', b'{ "kind"')):
        return False
    # A first line longer than the sniffed head.
    return bool(_COMMENT_KEY.search(line)) or all(key in line for key in _SUBMISSION_KEYS)


def _is_comment(value: dict) -> bool:
    return "link_id" in value and ("body" in value or "parent_id" in value)


def _is_submission(value: dict) -> bool:
    return (
        "title" in value
        and "link_id" not in value
        and ("selftext" in value or "subreddit" in value)
    )


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    """Records of every line, in file order (threads interleaved)."""
    declared: set[str] = set()
    for number, value in jsonread.iter_ndjson(path):
        where = f"line {number}"
        if not isinstance(value, dict):
            raise ParseError.at(path, where, f"expected a JSON object: {DESCRIPTION}")
        if _is_comment(value):
            thread = jsonread.strip_kind(value.get("link_id"))
            external_id = jsonread.id_text(value.get("id")) or jsonread.strip_kind(
                value.get("name")
            )
            if thread is None:
                yield ProblemRecord(None, where, "a comment with an empty link_id")
                continue
            if thread not in declared and value.get("link_title"):
                declared.add(thread)
                yield linked_thread(value, thread)
            if external_id is None:
                yield ProblemRecord(thread, where, "a comment without an id")
                continue
            yield comment_record(
                value, thread, external_id, parent_of(value, None), where, line=number
            )
        elif _is_submission(value):
            external_id = jsonread.id_text(value.get("id")) or jsonread.strip_kind(
                value.get("name")
            )
            if external_id is None:
                yield ProblemRecord(None, where, "a submission without an id")
                continue
            declared.add(external_id)
            yield thread_record(value, external_id)
        else:
            raise ParseError.at(
                path, where, f"neither a Reddit comment nor a submission: {DESCRIPTION}"
            )
