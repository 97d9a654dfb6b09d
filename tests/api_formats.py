"""Shared by the tests of the API-answer formats (mastodon, activitypub, lemmy, bluesky,
youtube, github, commento, remark42, stackexchange): importing through the real
pipeline, and each platform's rendering of a random tree (:class:`Node` lists from
:func:`tests.json_formats.trees`) as that platform's API answers it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

from benchmarks.formats_json import Node, children_of
from modtool.ingest import ImportReport, import_path, import_together
from modtool.store import open_store
from tests.json_formats import by_id, dump

FIXTURES = Path(__file__).parent / "fixtures"


def iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def html(body: str) -> str:
    """A body as the platforms write it in HTML: one ``<p>`` per paragraph."""
    return "".join(f"<p>{escape(part)}</p>" for part in body.split("\n\n"))


def import_into(db: Path, *paths: Path, format: str | None = None) -> ImportReport:
    """Import ``paths`` as one document (several: :func:`import_together`)."""
    store = open_store(db)
    try:
        if len(paths) == 1:
            report = import_path(store, paths[0], format)
        else:
            assert format is not None
            report = import_together(store, list(paths), format)
    finally:
        store.close()
    assert not report.failed, [failure.problems for failure in report.failures]
    return report


def reimport_is_idempotent(db: Path, *paths: Path, format: str | None = None) -> None:
    """Importing the same document again leaves every row as it was."""
    before = dump(db)
    import_into(db, *paths, format=format)
    assert dump(db) == before


def stored_tree(db: Path) -> dict[tuple[str, str], tuple[str | None, str, bool, str]]:
    """``(thread, comment) → (parent external id, path, orphan, status)`` as stored."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT t.external_id, c.external_id, p.external_id, c.path, c.orphan, c.status "
            "FROM comments c JOIN threads t ON t.id = c.thread_id "
            "LEFT JOIN comments p ON p.id = c.parent_id ORDER BY c.thread_id, c.position"
        ).fetchall()
    return {(row[0], row[1]): (row[2], row[3], bool(row[4]), row[5]) for row in rows}


def raw_database(db: Path) -> bytes:
    """The database file and its journal/WAL side files, as bytes."""
    return (
        b"".join(path.read_bytes() for path in db.parent.glob(db.name + "*") if path.is_file())
        + "\n".join(dump(db)).encode()
    )


def write_json(folder: Path, name: str, value: Any) -> Path:
    import json

    path = folder / name
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def link_files(folder: Path, paths: Sequence[Path]) -> Path:
    """A folder of links to ``paths`` (a folder document)."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, path in enumerate(paths):
        os.symlink(path.resolve(), folder / f"{number:03d}-{path.name}")
    return folder


def preorder(nodes: Sequence[Node]) -> list[Node]:
    """``nodes`` parent first (each reply right after its parent's earlier replies)."""
    top, replies = children_of(nodes)
    out: list[Node] = []
    stack = list(reversed(top))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(replies.get(node.id, [])))
    return out


Shape = tuple[dict[str, tuple[str | None, str]], dict[str | None, list[str]]]


def mapped_shape(nodes: Sequence[Node], name: Callable[[str], str]) -> Shape:
    """:func:`tests.json_formats.node_shape` with every id renamed by ``name``."""
    parents: dict[str, tuple[str | None, str]] = {}
    replies: dict[str | None, list[str]] = {}
    for node in nodes:
        parent = None if node.parent is None else name(node.parent)
        parents[name(node.id)] = (parent, node.status)
        replies.setdefault(parent, []).append(name(node.id))
    return parents, replies


def assert_one_parse_error(
    read: Callable[[Path], list], folder: Path, value: object, message: str
) -> None:
    """``value`` saved as JSON is refused with one ParseError naming the file and matching
    ``message`` (a regular expression)."""
    import pytest

    from modtool.errors import ParseError

    path = write_json(folder, "bad.json", value)
    with pytest.raises(ParseError, match=message) as caught:
        read(path)
    assert str(caught.value).startswith(f"{path}: ")


def stored_parents(folder: Path, document: Path) -> dict[str, tuple[str | None, str]]:
    """Import ``document`` into a new database in ``folder``: each stored comment's
    ``(parent external id, status)`` by its external id."""
    db = folder / "m.db"
    import_into(db, document)
    return {key[1]: (value[0], value[3]) for key, value in stored_tree(db).items()}


def assert_read_and_stored(
    records: Sequence[Any], nodes: Sequence[Node], db: Path, path: Path
) -> None:
    """A random tree's records read back exactly (parents, authors, bodies, nothing
    missing) and, imported, stored with the same parents."""
    from modtool.importers.records import MissingRecord

    found = by_id(records)
    assert {key: r.parent_external_id for key, r in found.items()} == {
        n.id: n.parent for n in nodes
    }
    for node in nodes:
        assert (found[node.id].author, found[node.id].body) == (node.author, node.body)
    assert not [r for r in records if isinstance(r, MissingRecord)]
    if not nodes:
        return
    import_into(db, path)
    assert {key[1]: value[0] for key, value in stored_tree(db).items()} == {
        n.id: n.parent for n in nodes
    }
