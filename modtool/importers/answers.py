"""Several saved API answers as one document: what the API formats share.

A thread fetched from a platform's API rarely fits one answer: Mastodon's
``/context`` lacks the focal status, YouTube and GitHub page their comments,
Lemmy answers the post and its comments separately. The API formats
(``mastodon``, ``lemmy``, ``bluesky``, ``youtube``, ``github``, ``activitypub``)
therefore read a document made of any number of answers, saved as:

* one answer in a file (``context.json``);
* several answers in one file: one JSON value per line (NDJSON), or a JSON
  array whose elements are answers (each format says which arrays it reads
  as a list of items and which as a list of answers);
* a folder: every ``.json``, ``.jsonl`` and ``.ndjson`` file in it (also
  ``.gz``, ``.bz2``, ``.xz``), in name order, is one answer or a line-per-answer
  file; other files are ignored, a file that is not a regular file is refused;
* files of one such format named together on the command line
  (``modtool import status.json context.json``), which the CLI reads as such
  a folder (:func:`modtool.ingest.import_together`).

The formats set ``MULTI_FILE = True``. Every answer is parsed whole (API answers
are pages of a few hundred items); a line-per-answer file is streamed line by
line. Errors name the member file and the place in it.
"""

from __future__ import annotations

import lzma
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from modtool.errors import ParseError
from modtool.importers import jsonread, pipeline

SUFFIXES = (".json", ".jsonl", ".ndjson")
COMPRESSED = ("", ".gz", ".bz2", ".xz")
_NAMES = tuple(suffix + packed for suffix in SUFFIXES for packed in COMPRESSED)


def members(path: Path) -> list[Path]:
    """The files a document is made of: the file itself, or a folder's answer files
    in name order (symbolic links followed, so messages name the real file)."""
    if not path.is_dir():
        return [path]
    found = []
    for entry in sorted(path.iterdir(), key=lambda item: item.name):
        if not entry.name.lower().endswith(_NAMES) or entry.name.startswith("."):
            continue
        real = entry.resolve()
        pipeline.check_input(real)  # a FIFO or device in the folder: one line, nothing read
        found.append(real)
    return found


def head(head: bytes, path: Path) -> bytes:
    """The bytes a format sniffs: ``head`` for a file (decompressed when its name says
    ``.gz``, ``.bz2``, ``.xz``), the first answer file's first 64 KiB for a folder
    (``b""`` when the folder has none)."""
    if head and path.suffix.lower() not in _PACKED:
        return head
    if head or not path.is_dir():
        return _unpacked_head(path) if head else head
    try:
        files = members(path)
    except (OSError, ParseError):
        return b""
    return _unpacked_head(files[0]) if files else b""


_PACKED = (".gz", ".bz2", ".xz")


def _unpacked_head(path: Path) -> bytes:
    try:
        with jsonread.open_binary(path) as handle:
            return handle.read(pipeline.SNIFF_BYTES)
    except (OSError, EOFError, ValueError, ParseError):  # damaged: not this format's
        return b""


def looks_like_json(head: bytes) -> bool:
    return jsonread.strip_head(head)[:1] in (b"{", b"[")


def sniff_keys(head_bytes: bytes, path: Path, *patterns: re.Pattern[bytes]) -> bool:
    """The document (or its folder's first answer) is JSON and every pattern is found
    in its first 64 KiB."""
    data = head(head_bytes, path)
    return looks_like_json(data) and all(pattern.search(data) for pattern in patterns)


Answer = tuple[Path, str, Any]
"""``(file, where, value)``: one answer, ``where`` is ``$`` or ``line N``."""


def iter_answers(path: Path) -> Iterator[Answer]:
    """Every answer of the document, in order (see the module docstring)."""
    files = members(path)
    if not files:
        raise ParseError.at(path, None, f"no answer files ({', '.join(SUFFIXES)}) in this folder")
    for member in files:
        try:
            if jsonread.is_json_lines(member):
                for number, value in jsonread.iter_ndjson(member):
                    yield member, f"line {number}", value
            else:
                yield member, "$", jsonread.load_document(member)
        except (EOFError, zlib.error, lzma.LZMAError, OSError) as exc:
            # A damaged .gz/.bz2/.xz (a cut download): one line, not a traceback.
            problem = (
                f"damaged compressed file ({exc})"
                if member.suffix.lower() in _PACKED
                else (f"cannot read: {getattr(exc, 'strerror', None) or exc}")
            )
            raise ParseError.at(member, None, problem) from None


def place(where: str, *segments: str | int) -> str:
    """``$.items[3]`` style places inside an answer (``line 4: $.items[3]`` for a line)."""
    tail = jsonread.json_path(segments)[1:]
    if not tail:
        return where
    if where.startswith("$") or ": $" in where:
        return where + tail
    return f"{where}: ${tail}"


def shape_error(member: Path, where: str, problem: str) -> ParseError:
    return ParseError.at(member, where, problem)


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one (optional sub-objects)."""
    return value if isinstance(value, dict) else {}


def headline(text: str, limit: int = 80) -> str:
    """A title for a thread whose platform has none (a status, a Bluesky post): the
    first non-blank line of its text, cut at ``limit`` characters with ``…``."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
