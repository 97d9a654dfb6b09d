"""Suggestions: labels a policy's rules propose for comments, with their reasons.

A suggestion is never a label. Recomputing a policy's suggestions for a set of
comments replaces that policy's old suggestions for them in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils

from modtool.models import Suggestion
from modtool.store.common import dumps, loads, utc_now, where_equal, write_transaction

_COLUMNS = "id, comment_id, label, rule, automatic, policy_name, policy_hash, reasons, created_at"


class SuggestionRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- writing -----------------------------------------------------------------
    def replace_for_thread(
        self, thread_id: int, policy_name: str, suggestions: Iterable[Suggestion]
    ) -> int:
        """Replace ``policy_name``'s suggestions for the thread's present comments.

        One transaction: readers see the old set or the new one, never a mix.
        Comments that vanished from the document keep what they had.
        """
        now = utc_now()
        with write_transaction(self.db):
            self.db.execute(
                """DELETE FROM suggestions WHERE policy_name = ? AND comment_id IN
                   (SELECT id FROM comments WHERE thread_id = ? AND present = 1)""",
                [policy_name, thread_id],
            )
            rows = [
                (
                    s.comment_id,
                    s.policy_name,
                    s.policy_hash,
                    s.label,
                    s.rule,
                    int(s.automatic),
                    dumps(s.reasons),
                    now,
                )
                for s in suggestions
            ]
            if any(row[1] != policy_name for row in rows):
                raise ValueError("every suggestion must belong to the policy being replaced")
            self.db.conn.executemany(
                """INSERT INTO suggestions (comment_id, policy_name, policy_hash, label, rule,
                                            automatic, reasons, created_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                rows,
            )
        return len(rows)

    # -- reading -----------------------------------------------------------------
    def for_comment(self, comment_id: int, policy_name: str) -> list[Suggestion]:
        return [
            _suggestion(row)
            for row in self.db.execute(
                f"""SELECT {_COLUMNS} FROM suggestions WHERE comment_id = ? AND policy_name = ?
                    ORDER BY id""",
                [comment_id, policy_name],
            )
        ]

    def for_thread(self, thread_id: int, policy_name: str) -> dict[int, list[Suggestion]]:
        """``{comment_id: [Suggestion, ...]}`` for the thread's comments that have any."""
        result: dict[int, list[Suggestion]] = {}
        for row in self.db.execute(
            f"""SELECT {", ".join("s." + c.strip() for c in _COLUMNS.split(","))}
                FROM suggestions s JOIN comments c ON c.id = s.comment_id
                WHERE c.thread_id = ? AND s.policy_name = ? ORDER BY c.position, s.id""",
            [thread_id, policy_name],
        ):
            suggestion = _suggestion(row)
            result.setdefault(suggestion.comment_id, []).append(suggestion)
        return result

    def for_comments(
        self, comment_ids: Iterable[int], policy_name: str
    ) -> dict[int, list[Suggestion]]:
        """``{comment_id: [Suggestion, ...]}`` for the given comments that have any."""
        result: dict[int, list[Suggestion]] = {}
        for row in self.db.execute(
            f"""SELECT {_COLUMNS} FROM suggestions
                WHERE comment_id IN (SELECT value FROM json_each(?)) AND policy_name = ?
                ORDER BY comment_id, id""",
            [json.dumps(sorted(set(comment_ids))), policy_name],
        ):
            suggestion = _suggestion(row)
            result.setdefault(suggestion.comment_id, []).append(suggestion)
        return result

    def count(self, policy_name: str | None = None, thread_id: int | None = None) -> int:
        where, params = where_equal({"s.policy_name": policy_name, "c.thread_id": thread_id})
        return int(
            self.db.execute(
                f"""SELECT COUNT(*) FROM suggestions s JOIN comments c ON c.id = s.comment_id
                {where}""",
                params,
            ).fetchone()[0]
        )

    def needs_refresh(self, thread_id: int, policy_name: str, policy_hash: str) -> bool:
        """Whether the thread's suggestions may be out of date for this policy version.

        True when there are none (never computed, or nothing fired: recomputing is
        cheap), when some were made under another version of the policy file, or
        when a comment or a score of the thread changed after they were made.
        """
        made, count, other_hash = self.db.execute(
            """SELECT MIN(s.created_at), COUNT(*), COALESCE(SUM(s.policy_hash != ?), 0)
               FROM suggestions s JOIN comments c ON c.id = s.comment_id
               WHERE c.thread_id = ? AND s.policy_name = ? AND c.present = 1""",
            [policy_hash, thread_id, policy_name],
        ).fetchone()
        if count == 0 or other_hash:
            return True
        newer = self.db.execute(
            """SELECT 1 FROM comments c WHERE c.thread_id = ? AND (c.updated_at > ? OR EXISTS (
                   SELECT 1 FROM comment_scores sc WHERE sc.comment_id = c.id
                   AND sc.scored_at > ?))
               LIMIT 1""",
            [thread_id, made, made],
        ).fetchone()
        return newer is not None


def _suggestion(row: tuple) -> Suggestion:
    return Suggestion(
        id=row[0],
        comment_id=row[1],
        label=row[2],
        rule=row[3],
        automatic=bool(row[4]),
        policy_name=row[5],
        policy_hash=row[6],
        reasons=loads(row[7]) or [],
        created_at=row[8],
    )
