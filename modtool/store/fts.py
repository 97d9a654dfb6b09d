"""Full-text search: the ``comments_fts`` (body, author) and ``threads_fts`` (title)
FTS5 indexes that migration m005 makes the way ``sqlite-utils enable-fts
--create-triggers`` does, so ``sqlite-utils search DB comments WORD`` and
Datasette's ``_search`` use them unchanged.

Triggers keep both in sync on every write (any tool's). One write path indexes
by itself: an import's new comments (:func:`insert_unindexed`), which pauses the
insert trigger for its batches and indexes them in one statement before its
transaction commits (:func:`index_comments`), because FTS5 row by row from a
trigger was six times slower (migrations.m005), and indexing each batch as it
came, inside a savepoint per thread, cost a seventh of a Disqus import's
writer (FTS5 writes its pending terms out as a new segment at every savepoint).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from modtool.errors import InputError


def insert_unindexed(conn: Any, insert_sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """``executemany(insert_sql, rows)`` of new comments with the index trigger paused:
    the caller indexes them (:func:`index_comments`) before its transaction commits."""
    if not rows:
        return
    # No try/finally: when the insert fails, the caller rolls its transaction (the
    # paused row with it) back, and a statement run now would hide the error.
    conn.execute("INSERT INTO fts_paused (reason) VALUES ('import')")
    conn.executemany(insert_sql, rows)
    conn.execute("DELETE FROM fts_paused")


def index_comments(conn: Any, ranges: Sequence[tuple[int, int]]) -> None:
    """Index the comments with ids in ``ranges`` (inclusive ``(first, last)`` pairs,
    inserted by :func:`insert_unindexed`), one statement per run of adjacent ranges."""
    merged: list[list[int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    for first, last in merged:
        conn.execute(
            """INSERT INTO comments_fts (rowid, body, author)
               SELECT id, body, author FROM comments WHERE id BETWEEN ? AND ?""",
            [first, last],
        )


def as_phrase(text: str) -> str:
    """``text`` as one FTS5 phrase: what a person typed, searched word for word."""
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True, slots=True)
class ThreadHit:
    id: int
    title: str


def check_query(db: sqlite_utils.Database, query: str) -> str:
    """``query`` if FTS5 can parse it against the comments' index (``body``,
    ``author``); else one clear :class:`InputError`."""
    text = query.strip()
    if not text:
        raise InputError("search: give some words to look for")
    try:
        db.execute(
            "SELECT rowid FROM comments_fts WHERE comments_fts MATCH ? LIMIT 1", [text]
        ).fetchall()
    except sqlite3.OperationalError as exc:
        raise InputError(
            f"search: {query!r} is not a search SQLite understands ({exc}); "
            'words match whole words, "quote a phrase", end a word with * for a prefix, '
            "AND OR NOT combine"
        ) from None
    return text


def matching_threads(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[ThreadHit]:
    """Threads whose title matches ``query`` (best first)."""
    text = check_query(db, query)
    try:
        rows = db.execute(
            """SELECT t.id, t.title FROM threads_fts f JOIN threads t ON t.id = f.rowid
               WHERE threads_fts MATCH ? ORDER BY f.rank LIMIT ?""",
            [text, limit],
        ).fetchall()
    except sqlite3.OperationalError:
        return []  # a column filter titles do not have (author:NAME): no title matches
    return [ThreadHit(int(tid), title) for tid, title in rows]


FEW = 20_000
"""Up to this many matches a search is *few*: ranked by relevance (bm25 over every
match) and used to drive a queue. A common word matches most of a million
comments, and ranking or collecting them all would take seconds: then results
come newest first, and the queue checks each of its rows against the index."""


class SearchRepo:
    """Searches of the full-text indexes (``store.search``)."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def few(self, query: str) -> bool:
        """Does ``query`` match at most :data:`FEW` comments (present or not)? Cheap:
        stops counting after FEW + 1."""
        text = check_query(self.db, query)
        row = self.db.execute(
            """SELECT COUNT(*) FROM (SELECT rowid FROM comments_fts
               WHERE comments_fts MATCH ? LIMIT ?)""",
            [text, FEW + 1],
        ).fetchone()
        return int(row[0]) <= FEW

    def comment_ids(
        self,
        query: str,
        *,
        thread_id: int | None = None,
        limit: int | None = None,
        offset: int = 0,
        ranked: bool = True,
    ) -> list[int]:
        """Present comments whose text or author matches ``query``: best match first
        (``ranked``), else newest (highest id) first."""
        text = check_query(self.db, query)
        where = "" if thread_id is None else "AND c.thread_id = :thread"
        order = "f.rank, c.id" if ranked else "f.rowid DESC"  # the index's own order
        return [
            int(cid)
            for (cid,) in self.db.execute(
                f"""SELECT c.id FROM comments_fts f JOIN comments c ON c.id = f.rowid
                    WHERE comments_fts MATCH :query AND c.present = 1 {where}
                    ORDER BY {order} LIMIT :limit OFFSET :offset""",
                {
                    "query": text,
                    "thread": thread_id,
                    "limit": -1 if limit is None else limit,
                    "offset": offset,
                },
            )
        ]

    def count(self, query: str, *, thread_id: int | None = None) -> int:
        """How many present comments match ``query``."""
        text = check_query(self.db, query)
        where = "" if thread_id is None else "AND c.thread_id = :thread"
        return int(
            self.db.execute(
                f"""SELECT COUNT(*) FROM comments_fts f JOIN comments c ON c.id = f.rowid
                    WHERE comments_fts MATCH :query AND c.present = 1 {where}""",
                {"query": text, "thread": thread_id},
            ).fetchone()[0]
        )

    def threads(self, query: str, limit: int = 20) -> list[ThreadHit]:
        return matching_threads(self.db, query, limit)
