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
false: the pipeline groups the records by thread on disk). Compressed dumps
(``.zst``, the format the dumps ship in, ``.gz``, ``.bz2``, ``.xz``) are
decompressed as they are read.

Errors, by the rule of every staged format (``docs/formats.md``): a line that
cannot be used (not JSON, not an object, neither a comment nor a submission,
a comment without an id) is a :class:`~modtool.importers.records.ProblemRecord`
of the thread it names by ``link_id`` (read from its text when it is not
JSON): that thread is not stored, the others are, and the error names the
line. A bad line that names no thread is reported alone. A bad first line,
or more than :data:`MAX_BAD_LINES` bad lines, means the file is no dump: a
document error (:class:`~modtool.errors.ParseError`), nothing stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from modtool import jsonsafe
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


MAX_BAD_LINES = 1_000
"""Bad lines accepted as problems of their threads; more is a document error."""
_LINK_ID = re.compile(rb'"link_id"\s*:\s*"t3_([^"\\]{1,64})"')


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    """Records of every line, in file order (threads interleaved).

    A line that cannot be used (not JSON, not an object, neither a comment nor
    a submission) is a problem of the thread its text names by ``link_id`` (not
    stored), else of no thread (reported alone); the other threads are stored.
    A bad first line, or more than :data:`MAX_BAD_LINES`, is a document error
    (it is no dump): nothing is stored.
    """
    declared: set[str] = set()
    bad = 0
    first = True
    for number, value in jsonread.iter_ndjson(path, bad_lines=True):
        where = f"line {number}"
        problem: str | None = None
        if type(value) is jsonsafe.BadLine:
            where, problem = value.error.where or where, value.error.problem
        elif not isinstance(value, dict):
            problem = f"expected a JSON object: {DESCRIPTION}"
        elif not _is_comment(value) and not _is_submission(value):
            problem = f"neither a Reddit comment nor a submission: {DESCRIPTION}"
        if problem is not None:
            bad += 1
            if first or bad > MAX_BAD_LINES:
                if not first:
                    problem = f"more than {MAX_BAD_LINES:,} bad lines, the last: {problem}"
                raise ParseError.at(path, where, problem)
            yield ProblemRecord(_named_thread(value), where, problem)
            continue
        first = False
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
        else:
            external_id = jsonread.id_text(value.get("id")) or jsonread.strip_kind(
                value.get("name")
            )
            if external_id is None:
                yield ProblemRecord(None, where, "a submission without an id")
                continue
            declared.add(external_id)
            yield thread_record(value, external_id)


def _named_thread(value: object) -> str | None:
    """The thread a bad line names by ``link_id`` (in its parsed value or its raw text)."""
    if isinstance(value, dict):
        return jsonread.strip_kind(value.get("link_id")) if value.get("link_id") else None
    if type(value) is jsonsafe.BadLine:
        found = _LINK_ID.search(value.raw)
        return found.group(1).decode("utf-8", "replace") if found else None
    return None
