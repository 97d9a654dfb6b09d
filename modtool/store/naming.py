"""Finding a comment by the names a moderator uses for it (issue 11.1).

``#9`` is the database id (``CommentRepo.get``); here are the other two ways:
``THREAD:PATH`` (the reply path ``7.4.2`` within a thread) and the platform's
own id (``comments.external_id``: ``t1_abc`` on Reddit). Also the short
``{id: path}`` lookup the audit log shows beside each id.
"""

from __future__ import annotations

import sqlite_utils

from modtool.models import Comment
from modtool.store.comments import _COLUMNS, _comment

_CHUNK = 500


class NamingRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def find_path(self, thread_id: int, path: str) -> Comment | None:
        """The comment at reply path ``path`` of a thread (a present one first)."""
        row = self.db.execute(
            f"""SELECT {_COLUMNS} FROM comments WHERE thread_id = ? AND path = ?
                ORDER BY present DESC, id DESC LIMIT 1""",
            [thread_id, path],
        ).fetchone()
        return None if row is None else _comment(row)

    def find_external(self, external_id: str, thread_id: int | None = None) -> list[Comment]:
        """Comments whose platform id is ``external_id`` (several only across threads)."""
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(comments)")}
        if "external_id" not in columns:  # a database from before platform imports
            return []
        sql = f"SELECT {_COLUMNS} FROM comments WHERE external_id = ?"
        params: list[object] = [external_id]
        if thread_id is not None:
            sql += " AND thread_id = ?"
            params.append(thread_id)
        rows = self.db.execute(sql + " ORDER BY thread_id, present DESC, id", params)
        return [_comment(row) for row in rows]

    def paths_for(self, comment_ids: set[int]) -> dict[int, str]:
        """``{id: path}`` for the given comment ids (present or not)."""
        ids = sorted(comment_ids)
        found: dict[int, str] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            for cid, path in self.db.execute(
                f"SELECT id, path FROM comments WHERE id IN ({marks})", chunk
            ):
                found[int(cid)] = path
        return found
