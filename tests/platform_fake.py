"""A tiny platform format for tests of the shared pipeline: one JSON object a line.

``{"kind": "thread", "id": "t1", "title": "T"}`` declares a thread;
``{"id": "c1", "thread": "t1", "parent": null, "author": "a", "body": "b"}`` is a
comment (``status``, ``at`` optional); ``{"kind": "missing", "thread": "t1",
"count": 2}`` and ``{"kind": "problem", "thread": "t1", "message": "m"}`` too.
A line ``BROKEN`` is a document error. Interleaved threads are fine
(``GROUPED = False``); :data:`GROUPED` can be patched to test the grouped path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from modtool.errors import ParseError
from modtool.importers.records import (
    CommentRecord,
    MissingRecord,
    ProblemRecord,
    Record,
    ThreadRecord,
)

NAME = "fake"
PLATFORM = "fakeplatform"
EXTENSIONS = (".fake",)
DESCRIPTION = "test lines of JSON ({'kind': 'thread'|'missing'|'problem'} or a comment)"
GROUPED = False


def sniff(head: bytes, path: Path) -> bool:
    return head.startswith(b'{"fake"')


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip() == "BROKEN":
                raise ParseError.at(path, f"line {number}", "broken on purpose")
            item = json.loads(line)
            if "fake" in item:
                continue
            kind = item.get("kind")
            if kind == "thread":
                yield ThreadRecord(
                    PLATFORM, item["id"], item.get("title", ""), item.get("article", "")
                )
            elif kind == "missing":
                yield MissingRecord(item["thread"], item["count"])
            elif kind == "problem":
                yield ProblemRecord(item["thread"], f"line {number}", item["message"])
            elif kind is None:
                yield CommentRecord(
                    item["thread"],
                    item["id"],
                    item.get("parent"),
                    item["author"],
                    item["body"],
                    created_at=item.get("at"),
                    status=item.get("status", "visible"),
                    where=f"line {number}",
                )


def write(path: Path, items: list[dict]) -> Path:
    path.write_text(
        '{"fake": 1}\n' + "".join(json.dumps(i) + "\n" for i in items), encoding="utf-8"
    )
    return path
