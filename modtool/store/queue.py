"""Reads the moderation UI needs beyond the other repositories: what changed lately.

The UI polls :meth:`QueueRepo.changed_since` with the newest action id it has
seen, so it picks up labels written by other moderators (other processes)
without reloading the whole thread.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlite_utils

from modtool.models import ReviewState

_CHUNK = 500


class QueueRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def changed_since(self, action_id: int, thread_id: int, policy_name: str) -> list[int]:
        """Ids of the thread's comments touched by an action newer than ``action_id``."""
        return [
            int(cid)
            for (cid,) in self.db.execute(
                """SELECT DISTINCT a.comment_id FROM actions a
                   JOIN comments c ON c.id = a.comment_id
                   WHERE a.id > ? AND c.thread_id = ? AND a.policy_name = ?""",
                [action_id, thread_id, policy_name],
            )
        ]

    def states_for(
        self, comment_ids: Collection[int], policy_name: str
    ) -> dict[int, dict[str, ReviewState]]:
        """``{comment_id: {moderator: ReviewState}}`` for the given comments (reviewed only)."""
        ids = list(comment_ids)
        labels: dict[tuple[int, str], set[str]] = {}
        result: dict[int, dict[str, ReviewState]] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            for cid, moderator, label in self.db.execute(
                f"""SELECT comment_id, moderator, label FROM labels
                    WHERE policy_name = ? AND comment_id IN ({marks})""",
                [policy_name, *chunk],
            ):
                labels.setdefault((cid, moderator), set()).add(label)
            for cid, moderator, state in self.db.execute(
                f"""SELECT comment_id, moderator, state FROM reviews
                    WHERE policy_name = ? AND state != 'unreviewed' AND comment_id IN ({marks})""",
                [policy_name, *chunk],
            ):
                result.setdefault(cid, {})[moderator] = ReviewState(
                    labels=frozenset(labels.get((cid, moderator), ())), state=state
                )
        return result
