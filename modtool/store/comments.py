"""Comments: reading the reply tree back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import sqlite_utils

from modtool.errors import NotFoundError
from modtool.models import Comment

_COLUMNS = (
    "id, thread_id, parent_id, position, depth, path, author, body, content_hash, line, present, "
    "external_id, parent_external_id, orphan, status, created_at, meta"
)


class CommentRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def iter_thread(self, thread_id: int, *, include_missing: bool = False) -> Iterator[Comment]:
        """The thread's comments in document order, streamed."""
        where = "" if include_missing else "AND present = 1"
        cursor = self.db.execute(
            f"SELECT {_COLUMNS} FROM comments WHERE thread_id = ? {where} ORDER BY position, id",
            [thread_id],
        )
        for row in cursor:
            yield _comment(row)

    def for_thread(self, thread_id: int, *, include_missing: bool = False) -> list[Comment]:
        return list(self.iter_thread(thread_id, include_missing=include_missing))

    def get(self, comment_id: int) -> Comment:
        row = self.db.execute(
            f"SELECT {_COLUMNS} FROM comments WHERE id = ?", [comment_id]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no comment with id {comment_id}")
        return _comment(row)

    def get_many(self, comment_ids: Iterable[int]) -> dict[int, Comment]:
        """``{id: Comment}`` of the given ids that exist."""
        return {
            int(row[0]): _comment(row)
            for row in self.db.execute(
                f"""SELECT {_COLUMNS} FROM comments
                    WHERE id IN (SELECT value FROM json_each(?))""",
                [json.dumps(sorted(set(comment_ids)))],
            )
        }

    def reply_counts(self, comment_ids: Iterable[int]) -> dict[int, int]:
        """``{id: replies at every depth below it}`` (present ones; absent ids: 0)."""
        return {
            int(cid): int(count)
            for cid, count in self.db.execute(
                """WITH RECURSIVE below(top, id) AS (
                       SELECT p.id, c.id FROM comments p JOIN comments c ON c.parent_id = p.id
                       WHERE p.id IN (SELECT value FROM json_each(?)) AND c.present = 1
                       UNION ALL
                       SELECT b.top, c.id FROM comments c JOIN below b ON c.parent_id = b.id
                       WHERE c.present = 1
                   )
                   SELECT top, COUNT(*) FROM below GROUP BY top""",
                [json.dumps(sorted(set(comment_ids)))],
            )
        }

    def ancestors(self, comment_id: int) -> list[Comment]:
        """The chain from the top-level comment down to the parent of ``comment_id``."""
        rows = self.db.execute(
            f"""
            WITH RECURSIVE chain(id, hops) AS (
                SELECT parent_id, 1 FROM comments WHERE id = ?
                UNION ALL
                SELECT c.parent_id, chain.hops + 1 FROM comments c JOIN chain ON c.id = chain.id
                WHERE c.parent_id IS NOT NULL
            )
            SELECT {_COLUMNS} FROM comments WHERE id IN (SELECT id FROM chain)
            ORDER BY depth
            """,
            [comment_id],
        ).fetchall()
        return [_comment(row) for row in rows]

    def count(self, thread_id: int | None = None) -> int:
        if thread_id is None:
            return int(
                self.db.execute("SELECT COUNT(*) FROM comments WHERE present = 1").fetchone()[0]
            )
        return int(
            self.db.execute(
                "SELECT COUNT(*) FROM comments WHERE thread_id = ? AND present = 1", [thread_id]
            ).fetchone()[0]
        )


def _comment(row: tuple) -> Comment:
    return Comment(
        id=row[0],
        thread_id=row[1],
        parent_id=row[2],
        position=row[3],
        depth=row[4],
        path=row[5],
        author=row[6],
        body=row[7],
        content_hash=row[8],
        line=row[9],
        present=bool(row[10]),
        external_id=row[11],
        parent_external_id=row[12],
        orphan=bool(row[13]),
        status=row[14],
        created_at=row[15],
        meta=None if row[16] is None else json.loads(row[16]),
    )
