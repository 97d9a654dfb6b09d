"""Threads: storing imported threads (idempotent, id-stable) and listing them.

An import writes each thread of a document in a savepoint of its own: a thread
with a problem is rolled back alone and the others are kept. Threads read one
at a time from the file share one write transaction, so an error later in the
document rolls back every thread of it; when the whole document was read
before the first thread arrives (staged formats), each thread is committed on
its own (``docs/formats.md``). Identity is ``(platform, thread external id, comment
external id)``; plain text, which has no ids, is matched by content
(:func:`_match_text`).
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from modtool.errors import InputError, NotFoundError
from modtool.models import Thread, content_hash
from modtool.store import fts, sources
from modtool.store.common import write_transaction

SIMILAR = 0.6
"""``difflib`` ratio from which a plain-text comment at the same place by the same
author counts as *edited* (below it: a new comment, the old one marked absent).
Measured on the sample thread (``tests/test_import_identity.py``): edits (a
typo, an added sentence, the last quarter cut) score 0.70-1.0, median 0.94; any
two different comments at most 0.46 (median 0.05), two by the same author at
most 0.27."""

COMMIT_EVERY_S = 0.5
"""Staged documents commit between threads at most this often (moderators' label
writes wait at most about this long for a long import)."""

_COMMENT_INSERT = """INSERT INTO comments (id, thread_id, parent_id, imported_at, updated_at,
        external_id, parent_external_id, position, depth, path, orphan, author, body, status,
        created_at, meta, line, content_hash)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
# The columns after updated_at follow TreeComment's fields after parent_position.
_COMMENT_UPDATE = """UPDATE comments SET parent_id = ?, position = ?, depth = ?, path = ?,
        author = ?, body = ?, content_hash = ?, line = ?, present = 1, updated_at = ?,
        external_id = ?, parent_external_id = ?, orphan = ?, status = ?, created_at = ?, meta = ?
    WHERE id = ?"""
_THREAD_FIELDS = (
    "title",
    "source",
    "format",
    "article",
    "article_source",
    "article_hash",
    "platform",
    "external_id",
    "url",
    "created_at",
)


@dataclass(slots=True)
class ImportResult:
    """What one import did to one thread."""

    thread_id: int
    created: bool
    platform: str = "text"
    external_id: str | None = None
    title: str = ""
    added: int = 0
    unchanged: int = 0
    updated: int = 0
    moved: int = 0
    absent: int = 0
    """Stored comments this import did not find again (now ``present = 0``)."""
    missing: int = 0
    """Comments the platform knows but the export lacked (``threads.missing``)."""
    orphans: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.added + self.unchanged + self.updated + self.moved


@dataclass(slots=True)
class _Known:
    id: int
    path: str
    parent_id: int | None
    author: str
    content_hash: str
    position: int
    depth: int
    present: int
    line: int | None
    external_id: str | None
    parent_external_id: str | None
    orphan: int
    status: str
    created_at: str | None
    meta: str | None
    matched: bool = False


class ThreadRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- reading -------------------------------------------------------------
    _SELECT = """
        SELECT t.*, COUNT(c.id) AS comment_count, MAX(c.depth) AS max_depth,
               COALESCE(SUM(c.orphan), 0) AS orphan_count,
               MIN(c.created_at) AS first_comment_at, MAX(c.created_at) AS last_comment_at
        FROM threads t LEFT JOIN comments c ON c.thread_id = t.id AND c.present = 1
    """

    def list(self) -> list[Thread]:
        rows = self.db.query(self._SELECT + " GROUP BY t.id ORDER BY t.id")
        return [_thread(row) for row in rows]

    def get(self, thread_id: int) -> Thread:
        rows = list(self.db.query(self._SELECT + " WHERE t.id = ? GROUP BY t.id", [thread_id]))
        if not rows:
            raise NotFoundError(f"no thread with id {thread_id} (see `modtool threads`)")
        return _thread(rows[0])

    def resolve(self, ref: str | int | None) -> Thread:
        """A thread by id, by source (exactly, as it would be recorded now, or by file
        name: see :mod:`modtool.store.sources`), or the most recent when ``ref`` is None."""
        if ref is None:
            row = self.db.execute(
                "SELECT id FROM threads ORDER BY updated_at DESC, id DESC LIMIT 1"
            ).fetchone()
            if row is None:
                raise NotFoundError(
                    "the database has no threads yet: run `modtool import FILE` first"
                )
            return self.get(row[0])
        text = str(ref)
        if text.isdigit():
            return self.get(int(text))
        for named in sources.candidates(text):
            row = self.db.execute(
                "SELECT id FROM threads WHERE source = ? ORDER BY id DESC LIMIT 1", [named]
            ).fetchone()
            if row is not None:
                return self.get(row[0])
        name = sources.file_name(text)
        found = name and [
            thread_id
            for thread_id, source in self.db.execute(
                "SELECT id, source FROM threads WHERE instr(source, ?) > 0 ORDER BY id DESC",
                [name],
            )
            if sources.file_name(source) == name
        ]
        if not found:
            raise NotFoundError(f"no thread with id or source {text!r} (see `modtool threads`)")
        return self.get(found[0])

    # -- importing -------------------------------------------------------------
    @contextmanager
    def document(
        self, source: str, format: str, now: str, replace_thread: int | None = None
    ) -> Iterator[DocumentWriter]:
        """One document's import: one write transaction, committed when the block ends.

        An exception inside the block rolls back every thread of the document.
        """
        if replace_thread is not None:
            self.get(replace_thread)  # NotFoundError before anything is written
        with write_transaction(self.db):
            writer = DocumentWriter(self.db, source, format, now, replace_thread)
            yield writer
            writer.index()


class DocumentWriter:
    """Writes the threads of one document, each in a savepoint of its own where a
    thread can still fail after its comments were written (:attr:`savepoints`).

    New comments are indexed for search (``comments_fts``) before each commit, not
    batch by batch (:func:`~modtool.store.fts.index_comments`).
    """

    def __init__(
        self,
        db: sqlite_utils.Database,
        source: str,
        format: str,
        now: str,
        replace_thread: int | None,
    ) -> None:
        self.db = db
        self.conn = db.conn
        self.source = source
        self.format = format
        self.now = now
        self.replace_thread = replace_thread
        self._replaced = False
        self._thread: _ThreadWrite | None = None
        self._committed = time.monotonic()
        self.commit_each = False
        """Commit after each thread (set when the whole document was read before the
        first thread arrives, so a document error can no longer come after one)."""
        self.savepoints = True
        """A thread may fail after its comments were written (``end_thread(failed=True)``
        rolls it back alone). Off when no thread can (the reader says so before the
        first one; see ``pipeline.fails_late``). Even on, the first thread since the
        last commit needs no savepoint: the transaction holds nothing else, so a
        failure rolls it all back. A savepoint per thread made SQLite copy every
        index page it touched aside, a fifth of the writer's time for a Disqus export."""
        self._unindexed: list[tuple[int, int]] = []  # new comments' id ranges, stored
        self._stored = False  # a thread was stored since the last commit
        self._savepoint = False  # the current thread is in a savepoint

    def restart(self) -> None:
        """Forget everything written so far (the document is read again another way)."""
        self.conn.execute("ROLLBACK")
        self.conn.execute("BEGIN IMMEDIATE")
        self._replaced = False
        self._thread = None
        self._unindexed.clear()
        self._stored = False

    def start_thread(
        self,
        *,
        platform: str,
        external_id: str,
        title: str,
        article: str,
        article_source: str | None,
        url: str | None,
        created_at: str | None,
    ) -> None:
        fields = {
            "title": title,
            "source": self.source,
            "format": self.format,
            "article": article,
            "article_source": article_source,
            "article_hash": content_hash(title, article),
            "platform": platform,
            "external_id": external_id,
            "url": url,
            "created_at": created_at,
        }
        if self.replace_thread is not None:
            if self._replaced:
                raise InputError(
                    f"{self.source}: --replace-thread needs a document with one thread; "
                    "this one has more"
                )
            self._replaced = True
            thread_id: int | None = self.replace_thread
        else:
            row = self.conn.execute(
                "SELECT id FROM threads WHERE platform = ? AND external_id = ? ORDER BY id LIMIT 1",
                [platform, external_id],
            ).fetchone()
            thread_id = None if row is None else int(row[0])
        if thread_id is not None:
            # Its stored comments may be updated (and their index entries rewritten
            # by trigger): what this document stored so far is indexed first, outside
            # the thread's savepoint (a rollback of the thread must not undo it).
            self.index()
        self._savepoint = self.savepoints and self._stored
        if self._savepoint:
            self.conn.execute("SAVEPOINT thread")
        if thread_id is None:
            cursor = self.conn.execute(
                f"""INSERT INTO threads ({", ".join(_THREAD_FIELDS)}, imported_at, updated_at)
                    VALUES ({", ".join("?" * len(_THREAD_FIELDS))}, ?, ?)""",
                [*fields.values(), self.now, self.now],
            )
            thread_id = int(cursor.lastrowid)
            result = ImportResult(thread_id, True)
        else:
            self._update_thread(thread_id, fields)
            result = ImportResult(thread_id, False)
        result.platform, result.external_id, result.title = platform, external_id, title
        self._thread = _ThreadWrite(self.conn, thread_id, platform, self.now, result)

    def _update_thread(self, thread_id: int, fields: dict[str, Any]) -> None:
        """Only what differs, and an empty new value never blanks a stored one
        (a comments-only dump does not erase the title a full export gave)."""
        row = self.conn.execute(
            f"SELECT {', '.join(_THREAD_FIELDS)} FROM threads WHERE id = ?", [thread_id]
        ).fetchone()
        stored = dict(zip(_THREAD_FIELDS, row, strict=True))
        changes = {
            name: value
            for name, value in fields.items()
            if value != stored[name] and (value or name in ("source", "format"))
        }
        if "title" in changes or "article" in changes:
            title = changes.get("title", stored["title"])
            changes["article_hash"] = content_hash(title, changes.get("article", stored["article"]))
        elif "article_hash" in changes:
            del changes["article_hash"]
        if changes:
            assignments = ", ".join(f"{name} = ?" for name in changes)
            self.conn.execute(
                f"UPDATE threads SET {assignments}, updated_at = ? WHERE id = ?",
                [*changes.values(), self.now, thread_id],
            )

    def add_comments(self, comments: Iterable[Any]) -> None:
        assert self._thread is not None
        self._thread.add(comments)

    def end_thread(self, *, missing: int, failed: bool) -> ImportResult | None:
        """Finish the thread (``failed``: roll it back alone and return ``None``)."""
        assert self._thread is not None
        write, self._thread = self._thread, None
        if failed:
            if self._savepoint:
                self.conn.execute("ROLLBACK TO thread")
                self.conn.execute("RELEASE thread")
            elif self.savepoints:  # the first thread since the commit: nothing else to keep
                self.conn.execute("ROLLBACK")
                self.conn.execute("BEGIN IMMEDIATE")
            else:
                # The reader promised this cannot happen; the whole document is
                # rolled back rather than a thread kept half-written.
                raise RuntimeError("a thread failed after its comments were written")
            return None
        result = write.finish(missing)
        if self._savepoint:
            self.conn.execute("RELEASE thread")
        self._stored = True
        self._unindexed.extend(write.inserted)
        if self.commit_each and time.monotonic() - self._committed >= COMMIT_EVERY_S:
            # Let other writers (moderators) in between two threads, a few times a
            # second: a commit per thread cost 5 ms each (checkpoints), half a
            # Disqus import.
            self.index()
            self.conn.execute("COMMIT")
            self.conn.execute("BEGIN IMMEDIATE")
            self._committed = time.monotonic()
            self._stored = False
        return result

    def index(self) -> None:
        """Index the comments stored so far for search (before every commit)."""
        if self._unindexed:
            fts.index_comments(self.conn, self._unindexed)
            self._unindexed.clear()


class _ThreadWrite:
    """Matches one thread's comments to the stored ones (keeping their ids) or inserts them."""

    def __init__(self, conn: Any, thread_id: int, platform: str, now: str, result: ImportResult):
        self.conn = conn
        self.thread_id = thread_id
        self.now = now
        self.result = result
        self.text = platform == "text"
        self.known = [
            _Known(*row)
            for row in conn.execute(
                """SELECT id, path, parent_id, author, content_hash, position, depth, present,
                          line, external_id, parent_external_id, orphan, status, created_at, meta
                   FROM comments WHERE thread_id = ? ORDER BY position, id""",
                [thread_id],
            )
        ]
        self.ids: list[int] = []  # database id by position in this import
        self.inserted: list[tuple[int, int]] = []  # id ranges of new comments, not yet indexed
        if self.text:
            self.by_path = {item.path: item for item in self.known if item.present}
            self.by_parent_content: dict[tuple[int | None, str], list[_Known]] = {}
            for item in self.known:
                key = (item.parent_id, item.content_hash)
                self.by_parent_content.setdefault(key, []).append(item)
        else:
            self.by_external = {item.external_id: item for item in self.known}
        self.next_id = int(
            conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM comments").fetchone()[0]
        )

    def add(self, comments: Iterable[Any]) -> None:
        rows = []
        ids = self.ids
        result = self.result
        thread_id, now = self.thread_id, self.now
        if not self.known:  # a first import: every comment is new (the hot path)
            next_id = self.next_id
            for c in comments:
                parent = c.parent_position
                ids.append(next_id)
                rows.append(
                    (next_id, thread_id, None if parent is None else ids[parent], now, now, *c[1:])
                )
                next_id += 1
                result.orphans += c.orphan
            result.added += next_id - self.next_id
            self.next_id = next_id
            self._insert(rows)
            return
        for c in comments:
            parent_id = None if c.parent_position is None else ids[c.parent_position]
            if c.orphan:
                result.orphans += 1
            match, kind = self._match(c, parent_id)
            if match is None:
                comment_id = self.next_id
                self.next_id += 1
                result.added += 1
                rows.append((comment_id, thread_id, parent_id, now, now, *c[1:]))
            else:
                match.matched = True
                comment_id = match.id
                setattr(result, kind, getattr(result, kind) + 1)
                if kind != "unchanged" or _differs(match, c, parent_id):
                    self.conn.execute(
                        _COMMENT_UPDATE,
                        (
                            parent_id,
                            c.position,
                            c.depth,
                            c.path,
                            c.author,
                            c.body,
                            c.content_hash,
                            c.line,
                            now,
                            c.external_id,
                            c.parent_external_id,
                            int(c.orphan),
                            c.status,
                            c.created_at,
                            c.meta,
                            comment_id,
                        ),
                    )
            ids.append(comment_id)
        self._insert(rows)

    def _insert(self, rows: list[tuple]) -> None:
        """New comments (consecutive ids), indexed by the document before it commits."""
        if rows:
            fts.insert_unindexed(self.conn, _COMMENT_INSERT, rows)
            self.inserted.append((rows[0][0], rows[-1][0]))

    def _match(self, c: Any, parent_id: int | None) -> tuple[_Known | None, str]:
        if not self.text:
            known = self.by_external.get(c.external_id)
            if known is None or known.matched:
                return None, "added"
            # Edited = another text or author (the content hash covers both). A change
            # of date, status or metadata alone is written (see _differs) but is no edit.
            if known.content_hash != c.content_hash:
                return known, "updated"
            return known, "unchanged"
        return self._match_text(c, parent_id)

    def _match_text(self, c: Any, parent_id: int | None) -> tuple[_Known | None, str]:
        """Plain text has no ids: a stored comment is the same one only on evidence.

        In order: same path, parent and text → unchanged; same parent and text (an
        earlier sibling vanished) → moved; same path, parent and author with text
        similar by :data:`SIMILAR` → edited. Anything else is new, and the old one
        is marked absent with its labels: a label never moves onto other text.
        """
        same_path = self.by_path.get(c.path)
        if same_path is not None and (same_path.matched or same_path.parent_id != parent_id):
            same_path = None
        if same_path is not None and same_path.content_hash == c.content_hash:
            return same_path, "unchanged"
        for candidate in self.by_parent_content.get((parent_id, c.content_hash), ()):
            if not candidate.matched:
                return candidate, "moved"
        if same_path is not None and same_path.author == c.author:
            old = self.conn.execute(
                "SELECT body FROM comments WHERE id = ?", [same_path.id]
            ).fetchone()[0]
            if similar(old, c.body):
                return same_path, "updated"
        return None, "added"

    def finish(self, missing: int) -> ImportResult:
        vanished = [item.id for item in self.known if not item.matched and item.present]
        self.conn.executemany(
            "UPDATE comments SET present = 0, updated_at = ? WHERE id = ?",
            [(self.now, item_id) for item_id in vanished],
        )
        self.conn.execute(
            "UPDATE threads SET missing = ? WHERE id = ? AND missing IS NOT ?",
            [missing, self.thread_id, missing],
        )
        self.result.absent = len(vanished)
        self.result.missing = missing
        return self.result


def similar(old: str, new: str) -> bool:
    """Is ``new`` an edit of ``old``? (difflib ratio ≥ :data:`SIMILAR`; cheap bounds first)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=len(old) + len(new) > 4000)
    return (
        matcher.real_quick_ratio() >= SIMILAR
        and matcher.quick_ratio() >= SIMILAR
        and matcher.ratio() >= SIMILAR
    )


def _differs(known: _Known, c: Any, parent_id: int | None) -> bool:
    """Does a matched comment's row need rewriting (it moved, or came back)?"""
    return (
        not known.present
        or known.position != c.position
        or known.parent_id != parent_id
        or known.path != c.path
        or known.depth != c.depth
        or known.line != c.line
        or known.external_id != c.external_id
        or known.parent_external_id != c.parent_external_id
        or bool(known.orphan) != bool(c.orphan)
        or known.author != c.author
        or known.content_hash != c.content_hash
        or known.status != c.status
        or known.created_at != c.created_at
        or known.meta != c.meta
    )


def _thread(row: dict) -> Thread:
    return Thread(
        id=row["id"],
        title=row["title"],
        source=row["source"],
        format=row["format"],
        article=row["article"],
        article_source=row["article_source"],
        imported_at=row["imported_at"],
        comment_count=row["comment_count"] or 0,
        max_depth=row["max_depth"],
        platform=row.get("platform") or "text",
        external_id=row.get("external_id"),
        url=row.get("url"),
        created_at=row.get("created_at"),
        missing=row.get("missing") or 0,
        orphan_count=row.get("orphan_count") or 0,
        first_comment_at=row.get("first_comment_at"),
        last_comment_at=row.get("last_comment_at"),
    )


__all__ = ["SIMILAR", "DocumentWriter", "ImportResult", "ThreadRepo", "similar"]
