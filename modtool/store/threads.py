"""Threads: importing a parsed document (idempotent, id-stable) and listing threads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

import sqlite_utils

from modtool.errors import NotFoundError
from modtool.models import ParsedComment, ParsedThread, Thread, content_hash

BATCH = 5_000


@dataclass(slots=True)
class ImportResult:
    """What one import did to the store."""

    thread_id: int
    created: bool
    added: int = 0
    unchanged: int = 0
    updated: int = 0
    moved: int = 0
    missing: int = 0
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
    matched: bool = False


class ThreadRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- reading -------------------------------------------------------------
    def list(self) -> list[Thread]:
        rows = self.db.query(
            """
            SELECT t.*, COUNT(c.id) AS comment_count, MAX(c.depth) AS max_depth
            FROM threads t LEFT JOIN comments c ON c.thread_id = t.id AND c.present = 1
            GROUP BY t.id ORDER BY t.id
            """
        )
        return [_thread(row) for row in rows]

    def get(self, thread_id: int) -> Thread:
        rows = list(
            self.db.query(
                """
                SELECT t.*, COUNT(c.id) AS comment_count, MAX(c.depth) AS max_depth
                FROM threads t LEFT JOIN comments c ON c.thread_id = t.id AND c.present = 1
                WHERE t.id = ? GROUP BY t.id
                """,
                [thread_id],
            )
        )
        if not rows:
            raise NotFoundError(f"no thread with id {thread_id} (see `modtool threads`)")
        return _thread(rows[0])

    def resolve(self, ref: str | int | None) -> Thread:
        """A thread by id, by source path, or the only/most recent one when ``ref`` is None."""
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
        row = self.db.execute(
            "SELECT id FROM threads WHERE source = ? OR source LIKE ? ORDER BY id DESC LIMIT 1",
            [text, f"%/{text}"],
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no thread with id or source {text!r} (see `modtool threads`)")
        return self.get(row[0])

    # -- importing -------------------------------------------------------------
    def import_document(
        self,
        source: str,
        format: str,
        thread: ParsedThread,
        comments: Iterable[ParsedComment],
        now: str,
    ) -> ImportResult:
        """Store a parsed document in one transaction.

        The same document again changes nothing; a grown one keeps the ids of the
        comments already stored. Comments that vanished from the document are
        kept (their labels and scores too) and marked ``present = 0``. Any error
        while the comments stream in rolls the whole document back.
        """
        article_hash = content_hash(thread.title, thread.article)
        with self.db.atomic():
            existing = self._find_thread(source, article_hash)
            if existing is None:
                thread_id = self._insert_thread(source, format, thread, article_hash, now)
                result = ImportResult(thread_id=thread_id, created=True)
            else:
                thread_id = existing
                # Only when something differs: the same document again changes nothing.
                self.db.execute(
                    """UPDATE threads SET title = :title, source = :source, format = :format,
                           article = :article, article_source = :article_source,
                           article_hash = :article_hash, updated_at = :now
                       WHERE id = :id AND (title, source, format, article, article_hash,
                                           article_source IS :article_source)
                             IS NOT (:title, :source, :format, :article, :article_hash, 1)""",
                    _thread_row(source, format, thread, article_hash, now) | {"id": thread_id},
                )
                result = ImportResult(thread_id=thread_id, created=False)
            self._store_comments(thread_id, comments, now, result)
        result.warnings = list(thread.warnings)
        return result

    def _find_thread(self, source: str, article_hash: str) -> int | None:
        row = self.db.execute(
            "SELECT id FROM threads WHERE source = ? ORDER BY id LIMIT 1", [source]
        ).fetchone()
        if row is None:
            row = self.db.execute(
                "SELECT id FROM threads WHERE article_hash = ? ORDER BY id LIMIT 1", [article_hash]
            ).fetchone()
        return None if row is None else int(row[0])

    def _insert_thread(
        self, source: str, format: str, thread: ParsedThread, article_hash: str, now: str
    ) -> int:
        cursor = self.db.execute(
            """INSERT INTO threads (title, source, format, article, article_source, article_hash,
                                   imported_at, updated_at)
               VALUES (:title, :source, :format, :article, :article_source, :article_hash,
                       :now, :now)""",
            _thread_row(source, format, thread, article_hash, now),
        )
        return int(cursor.lastrowid)

    def _next_comment_id(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM comments").fetchone()[0])

    def _store_comments(
        self,
        thread_id: int,
        comments: Iterable[ParsedComment],
        now: str,
        result: ImportResult,
    ) -> None:
        """Match each parsed comment to a stored one (keeping its id) or insert it.

        Matching, in order: same path, parent and content; same parent and
        content (a comment that moved because an earlier one vanished); same
        path, parent and author (an edited comment). Anything else is new. New
        rows stream to the database in batches, so a first import holds only
        the path-to-id map in memory.
        """
        known = [
            _Known(*row)
            for row in self.db.execute(
                """SELECT id, path, parent_id, author, content_hash, position, depth, present
                   FROM comments WHERE thread_id = ? ORDER BY position""",
                [thread_id],
            )
        ]
        by_path = {item.path: item for item in known}
        by_parent_content: dict[tuple[int | None, str], list[_Known]] = {}
        for item in known:
            by_parent_content.setdefault((item.parent_id, item.content_hash), []).append(item)
        ids_by_path: dict[str, int] = {}
        next_id = self._next_comment_id()

        def new_rows() -> Iterator[tuple]:
            nonlocal next_id
            for comment in comments:
                parent_id = ids_by_path.get(comment.parent_path) if comment.parent_path else None
                chash = comment.content_hash
                if known:
                    match, kind = _match(comment, chash, parent_id, by_path, by_parent_content)
                else:
                    match, kind = None, "added"
                if match is None:
                    comment_id = next_id
                    next_id += 1
                    result.added += 1
                    yield (
                        comment_id,
                        thread_id,
                        parent_id,
                        comment.position,
                        comment.depth,
                        comment.path,
                        comment.author,
                        comment.body,
                        chash,
                        comment.line,
                        now,
                        now,
                    )
                else:
                    match.matched = True
                    comment_id = match.id
                    setattr(result, kind, getattr(result, kind) + 1)
                    if (
                        kind != "unchanged"
                        or match.position != comment.position
                        or not match.present
                    ):
                        self._update_comment(comment_id, parent_id, comment, now)
                ids_by_path[comment.path] = comment_id

        self._insert_rows(new_rows())
        vanished = [item.id for item in known if not item.matched and item.present]
        self.db.conn.executemany(
            "UPDATE comments SET present = 0, updated_at = ? WHERE id = ?",
            [(now, item_id) for item_id in vanished],
        )
        result.missing = len(vanished)

    def _update_comment(
        self, comment_id: int, parent_id: int | None, comment: ParsedComment, now: str
    ) -> None:
        self.db.execute(
            """UPDATE comments SET parent_id = ?, position = ?, depth = ?, path = ?, author = ?,
                   body = ?, content_hash = ?, line = ?, present = 1, updated_at = ?
               WHERE id = ?""",
            [
                parent_id,
                comment.position,
                comment.depth,
                comment.path,
                comment.author,
                comment.body,
                comment.content_hash,
                comment.line,
                now,
                comment_id,
            ],
        )

    def _insert_rows(self, rows: Iterator[tuple]) -> int:
        count = 0
        while batch := list(islice(rows, BATCH)):
            self.db.conn.executemany(
                """INSERT INTO comments (id, thread_id, parent_id, position, depth, path, author,
                                         body, content_hash, line, imported_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                batch,
            )
            count += len(batch)
        return count


def _thread_row(
    source: str, format: str, thread: ParsedThread, article_hash: str, now: str
) -> dict[str, object]:
    """The named parameters of a thread row, shared by insert and update."""
    return {
        "title": thread.title,
        "source": source,
        "format": format,
        "article": thread.article,
        "article_source": thread.article_source,
        "article_hash": article_hash,
        "now": now,
    }


def _match(
    comment: ParsedComment,
    chash: str,
    parent_id: int | None,
    by_path: dict[str, _Known],
    by_parent_content: dict[tuple[int | None, str], list[_Known]],
) -> tuple[_Known | None, str]:
    same_path = by_path.get(comment.path)
    if same_path is not None and (same_path.matched or same_path.parent_id != parent_id):
        same_path = None
    if same_path is not None and same_path.content_hash == chash:
        return same_path, "unchanged"
    for candidate in by_parent_content.get((parent_id, chash), ()):
        if not candidate.matched:
            return candidate, "moved"
    if same_path is not None and same_path.author == comment.author:
        return same_path, "updated"
    return None, "added"


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
    )
