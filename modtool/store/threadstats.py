"""Per-thread counts for the thread picker and ``modtool threads``: comments, those
this moderator has not reviewed, those nobody has, and the hottest score.

Counted from the small side: reviews are few next to comments, so "unreviewed"
is comments minus fresh reviews (a review at the comment's current text), not a
lookup per comment. For a few threads (a page of the picker) every count is
restricted to them; all threads at once (sorting 50,000 of them by a count)
reads the whole site once, which takes seconds on a million comments: the UI
does it in a worker.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlite_utils

from modtool.models import Thread
from modtool.store.queue import ScoreTerm

SORTS = ("id", "newest", "comments", "unreviewed", "unmoderated", "hottest")
_FRESH = "(r.content_hash IS NULL OR r.content_hash = c.content_hash)"
_DRIVE = {
    False: "reviews r JOIN comments c ON c.id = r.comment_id",
    True: "comments c CROSS JOIN reviews r ON r.comment_id = c.id",
}
"""Every thread: from the (few) reviews; some threads: from their comments (CROSS JOIN
keeps that order), else each page of the picker joins every review of the site."""


@dataclass(slots=True)
class ThreadStats:
    id: int
    title: str
    platform: str
    external_id: str | None
    created_at: str | None
    comments: int = 0
    unreviewed: int = 0
    """Comments this moderator has not reviewed at their current text."""
    unmoderated: int = 0
    """Comments no human has reviewed at their current text."""
    hottest: float | None = None
    """The highest headline score among the thread's comments."""

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "platform": self.platform,
            "external_id": self.external_id,
            "created_at": self.created_at,
            "comments": self.comments,
            "unreviewed": self.unreviewed,
            "unmoderated": self.unmoderated,
            "hottest": self.hottest,
        }


class ThreadStatsRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM threads").fetchone()[0])

    def thread_ids(self, sort: str = "id", *, title: str | None = None) -> list[int]:
        """Thread ids by id or newest first (cheap sorts), optionally whose title
        contains ``title`` (case-insensitive)."""
        where, params = "", []
        if title:
            where, params = "WHERE instr(lower(title), lower(?)) > 0", [title]
        order = "COALESCE(created_at, imported_at) DESC, id DESC" if sort == "newest" else "id"
        return [
            int(i)
            for (i,) in self.db.execute(f"SELECT id FROM threads {where} ORDER BY {order}", params)
        ]

    def threads(self, thread_ids: Iterable[int]) -> dict[int, Thread]:
        """``{id: Thread}`` of the given threads, without their comment counts (cheap)."""
        return {
            int(row["id"]): Thread(
                id=row["id"],
                title=row["title"],
                source=row["source"],
                format=row["format"],
                article=row["article"],
                article_source=row["article_source"],
                imported_at=row["imported_at"],
                platform=row.get("platform") or "text",
                external_id=row.get("external_id"),
                url=row.get("url"),
                created_at=row.get("created_at"),
            )
            for row in self.db.query(
                "SELECT * FROM threads WHERE id IN (SELECT value FROM json_each(?))",
                [json.dumps(sorted(set(thread_ids)))],
            )
        }

    def stats(
        self,
        policy_name: str,
        moderator: str,
        score: tuple[str, str] | None,
        thread_ids: Sequence[int] | None = None,
    ) -> dict[int, ThreadStats]:
        """``{thread_id: ThreadStats}`` of the given threads (``None``: all)."""
        only, params = "", {"policy": policy_name, "moderator": moderator}
        if thread_ids is not None:
            only = "AND t.id IN (SELECT value FROM json_each(:ids))"
            params["ids"] = json.dumps(list(thread_ids))
        result = {
            int(tid): ThreadStats(int(tid), title, platform or "text", external, created)
            for tid, title, platform, external, created in self.db.execute(
                f"""SELECT t.id, t.title, t.platform, t.external_id, t.created_at
                    FROM threads t WHERE 1 = 1 {only}""",
                params,
            )
        }
        inner = only.replace("t.id", "c.thread_id")
        for tid, count in self.db.execute(
            f"""SELECT c.thread_id, COUNT(*) FROM comments c WHERE c.present = 1 {inner}
                GROUP BY c.thread_id""",
            params,
        ):
            result[int(tid)].comments = result[int(tid)].unreviewed = int(count)
            result[int(tid)].unmoderated = int(count)
        for tid, count in self.db.execute(
            f"""SELECT c.thread_id, COUNT(*) FROM {_DRIVE[bool(inner)]}
                WHERE r.moderator = :moderator AND r.policy_name = :policy
                AND r.state != 'unreviewed' AND c.present = 1 AND {_FRESH} {inner}
                GROUP BY c.thread_id""",
            params,
        ):
            result[int(tid)].unreviewed -= int(count)
        for tid, count in self.db.execute(
            f"""SELECT c.thread_id, COUNT(DISTINCT r.comment_id) FROM {_DRIVE[bool(inner)]}
                WHERE r.policy_name = :policy AND r.state != 'unreviewed'
                AND r.moderator NOT LIKE 'policy:%' AND c.present = 1 AND {_FRESH} {inner}
                GROUP BY c.thread_id""",
            params,
        ):
            result[int(tid)].unmoderated -= int(count)
        term = None if score is None else ScoreTerm.of(self.db, *score)
        if term is not None:
            params.update(term.params("q"))
            value = term.value("s", "q")
            for tid, hottest in self.db.execute(
                f"""SELECT c.thread_id, MAX({value}) FROM comment_scores s
                    JOIN comments c ON c.id = s.comment_id
                    WHERE s.model_key = :q_key AND s.content_hash = c.content_hash
                    AND c.present = 1 {inner}
                    GROUP BY c.thread_id""",
                params,
            ):
                if hottest is not None:
                    result[int(tid)].hottest = float(hottest)
        return result


def sort_stats(stats: list[ThreadStats], sort: str) -> list[ThreadStats]:
    """Most first for counts and scores (then id); ``id`` ascending; ``newest`` first."""
    if sort == "id":
        return sorted(stats, key=lambda s: s.id)
    if sort == "newest":
        return sorted(stats, key=lambda s: (s.created_at or "", s.id), reverse=True)
    if sort == "hottest":
        return sorted(stats, key=lambda s: (-(s.hottest if s.hottest is not None else -1), s.id))
    return sorted(stats, key=lambda s: (-getattr(s, sort), s.id))
