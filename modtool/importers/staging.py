"""Group records of formats whose threads interleave (Disqus, Pushshift) on disk.

A 1 GB export cannot be grouped in memory. The records go to a private,
temporary SQLite file (no journal, ``synchronous = OFF``: it is thrown away
whatever happens), and come back one thread at a time, in the order each
thread first appeared, each thread's records in file order. Memory is bounded
by the largest thread, not by the export.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import NamedTuple

from modtool.errors import InputError
from modtool.importers.records import (
    CommentRecord,
    MissingRecord,
    ProblemRecord,
    Record,
    ThreadRecord,
)
from modtool.importers.tree import meta_json

BATCH = 5_000


class StagedThread(NamedTuple):
    external_id: str
    threads: list[ThreadRecord]
    """Every declaration of the thread, in file order (merged by the caller)."""
    comments: list[CommentRecord]
    missing: int
    problems: list[ProblemRecord]


_SCHEMA = """
CREATE TABLE threads (seq INTEGER PRIMARY KEY, thread TEXT NOT NULL, platform TEXT, title TEXT,
    article TEXT, url TEXT, created_at TEXT, article_source TEXT, meta TEXT);
CREATE TABLE comments (seq INTEGER PRIMARY KEY, thread TEXT NOT NULL, external_id TEXT,
    parent TEXT, author TEXT, body TEXT, created_at TEXT, status TEXT, meta TEXT, "where" TEXT,
    line INTEGER);
CREATE TABLE other (seq INTEGER PRIMARY KEY, thread TEXT, kind TEXT, count INTEGER,
    "where" TEXT, message TEXT);
"""


def stage(records: Iterable[Record], folder: str | None = None) -> Iterator[StagedThread]:
    """Yield the records grouped by thread (threads in first-seen order).

    ``folder``: where the temporary file goes (default ``$TMPDIR``; the file is
    unlinked at once, so nothing is left behind even after a kill).

    Reads ``records`` to the end before yielding anything, so an error in the
    document surfaces before any thread is stored.
    """
    try:
        yield from _stage(records, folder)
    except (sqlite3.Error, OSError) as exc:  # the temporary file, not the user's database
        where = folder or tempfile.gettempdir()
        if isinstance(exc, OSError) and not isinstance(exc, sqlite3.Error):
            exc = exc.strerror or exc  # type: ignore[assignment]
        raise InputError(
            f"cannot group the document's threads in a temporary file in {where}: {exc} "
            "(set TMPDIR to a folder with room for about the document's size)"
        ) from None


def _stage(records: Iterable[Record], folder: str | None) -> Iterator[StagedThread]:
    """See :func:`stage`."""
    handle, name = tempfile.mkstemp(prefix="modtool-staging-", suffix=".db", dir=folder)
    os.close(handle)
    conn = sqlite3.connect(name, isolation_level=None)
    with contextlib.suppress(OSError):
        os.unlink(name)  # nothing is left behind, whatever happens to this process
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA temp_store=FILE")
        conn.execute("PRAGMA cache_size=-16000")  # 16 MB
        conn.executescript(_SCHEMA)
        conn.execute("BEGIN")
        iterator = iter(records)
        seq = 0
        while batch := list(islice(iterator, BATCH)):
            threads, comments, other = [], [], []
            for record in batch:
                seq += 1
                kind = type(record)
                if kind is CommentRecord:
                    comments.append(
                        (
                            seq,
                            record.thread_external_id,
                            record.external_id,
                            record.parent_external_id,
                            record.author,
                            record.body,
                            record.created_at,
                            record.status,
                            meta_json(record.meta),
                            record.where,
                            record.line,
                        )
                    )
                elif kind is ThreadRecord:
                    threads.append(
                        (
                            seq,
                            record.external_id,
                            record.platform,
                            record.title,
                            record.article,
                            record.url,
                            record.created_at,
                            record.article_source,
                            json.dumps(record.meta) if record.meta else None,
                        )
                    )
                elif kind is MissingRecord:
                    other.append(
                        (seq, record.thread_external_id, "missing", record.count, None, None)
                    )
                else:
                    other.append(
                        (seq, record.thread_external_id, "problem", 0, record.where, record.message)
                    )
            conn.executemany("INSERT INTO comments VALUES (?,?,?,?,?,?,?,?,?,?,?)", comments)
            conn.executemany("INSERT INTO threads VALUES (?,?,?,?,?,?,?,?,?)", threads)
            conn.executemany("INSERT INTO other VALUES (?,?,?,?,?,?)", other)
        conn.execute("CREATE INDEX comments_thread ON comments(thread, seq)")
        conn.execute("CREATE INDEX threads_thread ON threads(thread, seq)")
        conn.execute("COMMIT")
        order = conn.execute(
            """SELECT thread FROM (
                   SELECT thread, MIN(seq) AS first FROM comments GROUP BY thread
                   UNION ALL SELECT thread, MIN(seq) FROM threads GROUP BY thread
                   UNION ALL SELECT thread, MIN(seq) FROM other WHERE thread IS NOT NULL
                             GROUP BY thread)
               GROUP BY thread ORDER BY MIN(first)"""
        ).fetchall()
        for (thread,) in order:
            yield _read(conn, thread)
        orphaned = conn.execute(
            """SELECT "where", message FROM other WHERE thread IS NULL AND kind = 'problem'
               ORDER BY seq"""
        ).fetchall()
        if orphaned:
            yield StagedThread(
                "", [], [], 0, [ProblemRecord(None, where, message) for where, message in orphaned]
            )
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, thread: str) -> StagedThread:
    loads = json.loads
    threads = [
        ThreadRecord(
            platform,
            thread,
            title or "",
            article or "",
            url,
            created,
            source,
            loads(meta) if meta else None,
        )
        for platform, title, article, url, created, source, meta in conn.execute(
            """SELECT platform, title, article, url, created_at, article_source, meta
               FROM threads WHERE thread = ? ORDER BY seq""",
            [thread],
        )
    ]
    # Rows in CommentRecord's field order, made into records without a Python call
    # each; ``meta`` stays the JSON text staging wrote (the tree builder keeps text).
    comments = list(
        map(
            CommentRecord._make,
            conn.execute(
                """SELECT thread, external_id, parent, author, body, created_at, status, meta,
                          "where", line, NULL
                   FROM comments WHERE thread = ? ORDER BY seq""",
                [thread],
            ),
        )
    )
    missing = 0
    problems = []
    for kind, count, where, message in conn.execute(
        """SELECT kind, count, "where", message FROM other WHERE thread = ? ORDER BY seq""",
        [thread],
    ):
        if kind == "missing":
            missing += count
        else:
            problems.append(ProblemRecord(thread, where, message))
    return StagedThread(thread, threads, comments, missing, problems)
