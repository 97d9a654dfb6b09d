"""Reading JSON and NDJSON exports, with errors that name the file and the place.

Shared by the JSON formats (``reddit``, ``pushshift``, ``hackernews``,
``discourse``, ``convokit``), so each of them is only the mapping of one
platform's fields to :mod:`~modtool.importers.records`.

* :func:`load_document` reads one whole JSON document (a Reddit listing, an
  Algolia item, a Discourse topic) through :mod:`modtool.jsonsafe`: real
  threads nest deeply (a Reddit reply chain is four JSON levels per comment),
  up to :data:`MAX_NESTING` levels are read, and beyond that, an integer of
  thousands of digits or a document too large is one clean
  :class:`~modtool.errors.ParseError`, never a traceback.
* :func:`iter_ndjson` streams one JSON value per line (Pushshift dumps,
  ConvoKit utterances) without holding the file: blank lines are skipped, a
  line that is not JSON is a ParseError naming the line. Compressed files
  (gzip, bzip2, xz, zstd: how Pushshift and Arctic-Shift ship their dumps) are
  decompressed as they are read (:mod:`~modtool.importers.compressed`).
* :func:`json_path` writes a place as ``$[1].data.children[3].data``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from modtool import jsonsafe
from modtool.errors import ParseError
from modtool.importers import compressed
from modtool.importers.dates import iso_utc
from modtool.jsonsafe import ObjectHook

MAX_NESTING = jsonsafe.MAX_NESTING
"""JSON nesting levels accepted (a 25,000-deep Reddit reply chain)."""

Segment = str | int


def json_path(segments: Sequence[Segment]) -> str:
    """``("1", "data")`` style segments as ``$[1].data``: ints index, strings name keys."""
    parts = ["$"]
    for segment in segments:
        if isinstance(segment, int):
            parts.append(f"[{segment}]")
        else:
            parts.append(f".{segment}")
    return "".join(parts)


def strip_kind(fullname: object) -> str | None:
    """A platform id as text without its type prefix (Reddit ``t1_abc`` → ``abc``).

    ``None`` and ``""`` give ``None``; numbers become their decimal text.
    """
    if type(fullname) is not str:
        return id_text(fullname)
    if fullname[2:3] == "_" and fullname[:1] == "t" and fullname[1:2].isdigit():
        return fullname[3:].strip() or None
    return fullname.strip() or None


_DAYS: dict[int, str] = {}
_LAST_EPOCH = 253402300800  # 10000-01-01: beyond it, iso_utc says None


def epoch_utc(value: object) -> str | None:
    """:func:`~modtool.importers.dates.iso_utc` with a fast path for epoch seconds.

    The NDJSON dumps carry one timestamp per line; formatting a ``datetime``
    each time was a tenth of the import. Same results (a test checks).
    """
    if type(value) is str and value.isdigit():
        value = int(value)
    kind = type(value)
    if (kind is int or kind is float) and 0 <= value < _LAST_EPOCH:  # type: ignore[operator]
        # ``datetime.fromtimestamp`` rounds to the microsecond, then seconds are cut.
        day, second = divmod(int(value) if kind is int else int(round(value, 6)), 86400)  # type: ignore[call-overload]
        date = _DAYS.get(day)
        if date is None:
            date = iso_utc(day * 86400)[:10]  # type: ignore[index]
            if len(_DAYS) < 100_000:
                _DAYS[day] = date
        hour, second = divmod(second, 3600)
        minute, second = divmod(second, 60)
        return f"{date}T{hour:02d}:{minute:02d}:{second:02d}Z"
    return iso_utc(value)


def id_text(value: object) -> str | None:
    """An id (int or string) as text; ``None``, ``""`` and booleans give ``None``."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def is_number(value: object) -> bool:
    """An int or a finite float (not a bool): what meta keeps as a score.

    ``NaN`` and ``Infinity`` parse from JSON but cannot be written back as JSON
    (the exports refuse them), so they are not kept.
    """
    if type(value) is int:
        return True
    return type(value) is float and math.isfinite(value)


def text(value: object) -> str:
    """A text field that may be missing or ``null`` as ``str``."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def decode(path: Path, data: bytes, line: int) -> str:
    try:
        return data.decode("utf-8-sig" if line <= 1 else "utf-8")
    except UnicodeDecodeError as exc:
        where = f"line {line}, byte {exc.start + 1}" if line else f"byte {exc.start + 1}"
        raise ParseError.at(path, where, "not UTF-8 text") from None


def load_document(path: Path, object_hook: ObjectHook | None = None) -> Any:
    """One whole JSON document, or a one-line ParseError naming file and place.

    ``object_hook`` (``json.loads``'s) may slim each object as it is parsed:
    a format keeps only the keys it reads, which for real exports (Reddit
    things carry ~80 keys) is most of the memory.
    """
    with open_binary(path) as handle:
        return jsonsafe.load(path, handle=handle, allow_nan=True, object_hook=object_hook)


def loads(
    path: Path,
    document: str | bytes,
    line: int | None = None,
    object_hook: ObjectHook | None = None,
) -> Any:
    """:func:`modtool.jsonsafe.loads` for a format (``NaN`` read; :func:`is_number` drops it)."""
    return jsonsafe.loads(document, path, line=line, allow_nan=True, object_hook=object_hook)


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is compressed (gzip, bzip2, xz, zstd: by its
    first bytes), streamed (:func:`modtool.importers.compressed.open_input`)."""
    return compressed.open_input(path)


def iter_ndjson(path: Path, bad_lines: bool = False) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for every non-blank line of a JSON-lines file, streamed
    (:func:`modtool.jsonsafe.iter_lines` over the decompressed bytes; ``bad_lines``:
    a line that is not JSON comes as a :class:`~modtool.jsonsafe.BadLine`)."""
    with open_binary(path) as handle:
        yield from jsonsafe.iter_lines(path, handle=handle, allow_nan=True, bad_lines=bad_lines)


def is_json_lines(path: Path, objects_only: bool = False) -> bool:
    """The first non-blank line is a whole JSON value (an object, or also an array
    unless ``objects_only``) and another non-blank line follows: a JSON-lines file.

    Lines are read with a bound (:data:`modtool.jsonsafe.MAX_LINE_BYTES`): a
    compressed file holding one line of gigabytes is not held to find out.
    """
    limit = jsonsafe.MAX_LINE_BYTES
    starts = (b"{",) if objects_only else (b"{", b"[")
    with open_binary(path) as handle:
        first = b""
        while raw := handle.readline(limit):
            if raw.strip():
                first = raw
                break
        if not first.lstrip().removeprefix(b"\xef\xbb\xbf").startswith(starts):
            return False
        if not first.endswith(b"\n"):  # the only line, or one past the bound
            return False
        try:
            loads(path, first, 1)
        except ParseError:
            return False
        while raw := handle.readline(limit):
            if raw.strip():
                return True
        return False


def first_line(head: bytes) -> bytes:
    """The first non-blank line of a sniffed head (without a byte-order mark)."""
    for raw in head.removeprefix(b"\xef\xbb\xbf").split(b"\n"):
        if raw.strip():
            return raw.strip()
    return b""


def first_value(head: bytes) -> Any:
    """The first line parsed as JSON, or ``None`` when it is incomplete or not JSON."""
    line = first_line(head)
    if not line.startswith((b"{", b"[")):
        return None
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return None


def strip_head(head: bytes) -> bytes:
    """The head without a byte-order mark and leading white space."""
    return head.removeprefix(b"\xef\xbb\xbf").lstrip()


def shape_error(path: Path, where: Sequence[Segment] | str | None, problem: str) -> ParseError:
    """A ParseError for valid JSON of the wrong shape, placed by JSON path."""
    if where is None or isinstance(where, str):
        return ParseError.at(path, where, problem)
    return ParseError.at(path, json_path(where), problem)
