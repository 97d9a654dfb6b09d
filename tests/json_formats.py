"""Shared by the JSON importer tests: random comment trees and a way to compare them.

The trees are :class:`benchmarks.formats_json.Node` lists, which the same module
renders in every JSON format; a test renders one, reads it back with the
importer and compares what came back with :func:`shape`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from hypothesis import strategies as st

from benchmarks.formats_json import START, Node
from modtool.importers.records import CommentRecord
from modtool.store import Store

MARKERS = {"[deleted]", "[removed]"}

authors = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters="_-"),
    min_size=1,
    max_size=12,
)
bodies = (
    st.lists(
        st.text(
            alphabet=st.characters(
                blacklist_categories=("Cs", "Cc", "Zl", "Zp"), whitelist_characters="\n"
            ),
            max_size=8,
        )
        | st.sampled_from(["&", "<", ">", "&amp;", '"', "'", "&#x27;", "<p>"]),
        min_size=1,
        max_size=6,
    )
    .map(lambda parts: "".join(parts).strip())
    .filter(lambda text: text and text not in MARKERS)
)

words = st.text(
    alphabet=st.characters(
        whitelist_categories=("Lu", "Ll", "Nd", "Po", "Sm", "So"), whitelist_characters="&<>'\"/"
    ),
    min_size=1,
    max_size=10,
)
html_bodies = st.lists(
    st.lists(words, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=3
).map("\n\n".join)
"""Bodies that survive HTML (single spaces, paragraphs), for formats whose text is HTML."""


@st.composite
def trees(
    draw: st.DrawFn,
    max_size: int = 25,
    statuses: bool = True,
    body: st.SearchStrategy[str] = bodies,
    numeric_ids: bool = False,
) -> list[Node]:
    """A random tree: each comment replies to an earlier one or to the thread."""
    count = draw(st.integers(0, max_size))
    nodes: list[Node] = []
    for index in range(count):
        parent = draw(st.sampled_from([None, *(node.id for node in nodes)])) if nodes else None
        status = (
            draw(st.sampled_from(["visible"] * 4 + ["deleted", "removed"]))
            if statuses
            else ("visible")
        )
        nodes.append(
            Node(
                str(1000 + index) if numeric_ids else f"n{index}",
                parent,
                draw(authors),
                draw(body),
                START + index * 60,
                status,
            )
        )
    return nodes


def shape(
    records: Iterable[object],
) -> tuple[dict[str, tuple[str | None, str]], dict[str | None, list[str]]]:
    """``{id: (parent, status)}`` and each parent's replies in order, of comment records."""
    parents: dict[str, tuple[str | None, str]] = {}
    replies: dict[str | None, list[str]] = {}
    for record in records:
        if isinstance(record, CommentRecord):
            parents[record.external_id] = (record.parent_external_id, record.status)
            replies.setdefault(record.parent_external_id, []).append(record.external_id)
    return parents, replies


def node_shape(
    nodes: Iterable[Node],
) -> tuple[dict[str, tuple[str | None, str]], dict[str | None, list[str]]]:
    parents: dict[str, tuple[str | None, str]] = {}
    replies: dict[str | None, list[str]] = {}
    for node in nodes:
        parents[node.id] = (node.parent, node.status)
        replies.setdefault(node.parent, []).append(node.id)
    return parents, replies


def comments(records: Iterable[object]) -> list[CommentRecord]:
    return [record for record in records if isinstance(record, CommentRecord)]


def by_id(records: Iterable[object]) -> dict[str, CommentRecord]:
    """The comment records of ``records`` by their external id."""
    return {record.external_id: record for record in comments(records)}


def no_warnings(message: str) -> None:
    raise AssertionError(f"unexpected warning: {message}")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def stored_shape(
    store: Store, thread_id: int
) -> tuple[dict[str, tuple[str | None, str]], dict[str | None, list[str]]]:
    """:func:`shape` of a thread as the store holds it (parents by their platform ids)."""
    stored = store.comments.for_thread(thread_id)
    by_db = {comment.id: comment for comment in stored}
    parents: dict[str, tuple[str | None, str]] = {}
    replies: dict[str | None, list[str]] = {}
    for comment in stored:
        parent = by_db[comment.parent_id].external_id if comment.parent_id else None
        parents[comment.external_id] = (parent, comment.status)  # type: ignore[index]
        replies.setdefault(parent, []).append(comment.external_id)  # type: ignore[arg-type]
    return parents, replies


def dump(db_path: Path) -> list[str]:
    """Every row of every table, for 'exactly as it was' comparisons."""
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def one_error_line(stderr: str) -> str:
    """The CLI's one ``modtool: error: …`` line (and nothing else, no traceback)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("modtool: error: "), stderr
    return lines[0]
