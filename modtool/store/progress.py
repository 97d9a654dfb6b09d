"""What is left to review: counts per thread and per moderator (``modtool progress``).

Counts are over the comments present in each thread's latest import, under
one policy name. A comment is *reviewed* by a moderator when their review
state is ``approved`` or ``labeled`` at the comment's current text (a review
given before an edit does not count, and neither do its labels); ``unreviewed``
is the rest of the thread.
A policy's own automatic labels (actor ``policy:NAME``) count as their own row,
not as a review by anyone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlite_utils

FRESH_REVIEW = "(r.content_hash IS NULL OR r.content_hash = c.content_hash)"
"""A review (alias ``r``) at the current text of its comment (alias ``c``)."""
FRESH_LABEL = "(l.content_hash IS NULL OR l.content_hash = c.content_hash)"


@dataclass(slots=True)
class ModeratorProgress:
    moderator: str
    reviewed: int = 0
    approved: int = 0
    labeled: int = 0
    per_label: Counter[str] = field(default_factory=Counter)

    def as_json(self, total: int) -> dict[str, object]:
        return {
            "moderator": self.moderator,
            "reviewed": self.reviewed,
            "unreviewed": total - self.reviewed,
            "approved": self.approved,
            "labeled": self.labeled,
            "labels": dict(sorted(self.per_label.items())),
        }


@dataclass(slots=True)
class ThreadProgress:
    thread_id: int
    title: str
    comments: int
    reviewed_by_anyone: int = 0
    moderators: dict[str, ModeratorProgress] = field(default_factory=dict)

    def moderator(self, name: str) -> ModeratorProgress:
        return self.moderators.setdefault(name, ModeratorProgress(name))

    def as_json(self) -> dict[str, object]:
        return {
            "thread_id": self.thread_id,
            "title": self.title,
            "comments": self.comments,
            "reviewed_by_anyone": self.reviewed_by_anyone,
            "unreviewed_by_everyone": self.comments - self.reviewed_by_anyone,
            "moderators": [
                m.as_json(self.comments)
                for m in sorted(self.moderators.values(), key=lambda m: m.moderator)
            ],
        }


class ProgressRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def summary(self, policy_name: str, thread_id: int | None = None) -> list[ThreadProgress]:
        """Per thread (all, or ``thread_id``): totals and each moderator's counts."""
        only, params = ("AND c.thread_id = ?", [thread_id]) if thread_id is not None else ("", [])
        threads: dict[int, ThreadProgress] = {}
        for tid, title, count in self.db.execute(
            f"""SELECT t.id, t.title, COUNT(c.id) FROM threads t
                LEFT JOIN comments c ON c.thread_id = t.id AND c.present = 1
                WHERE 1 = 1 {only.replace("c.thread_id", "t.id")}
                GROUP BY t.id ORDER BY t.id""",
            params,
        ):
            threads[int(tid)] = ThreadProgress(int(tid), title, int(count))
        for tid, moderator, state, count in self.db.execute(
            f"""SELECT c.thread_id, r.moderator, r.state, COUNT(*) FROM reviews r
                JOIN comments c ON c.id = r.comment_id
                WHERE r.policy_name = ? AND c.present = 1 AND r.state != 'unreviewed'
                AND {FRESH_REVIEW} {only}
                GROUP BY c.thread_id, r.moderator, r.state""",
            [policy_name, *params],
        ):
            entry = threads[int(tid)].moderator(moderator)
            entry.reviewed += int(count)
            if state == "approved":
                entry.approved += int(count)
            else:
                entry.labeled += int(count)
        for tid, moderator, label, count in self.db.execute(
            f"""SELECT c.thread_id, l.moderator, l.label, COUNT(*) FROM labels l
                JOIN comments c ON c.id = l.comment_id
                WHERE l.policy_name = ? AND c.present = 1 AND {FRESH_LABEL} {only}
                GROUP BY c.thread_id, l.moderator, l.label""",
            [policy_name, *params],
        ):
            threads[int(tid)].moderator(moderator).per_label[label] += int(count)
        for tid, count in self.db.execute(
            f"""SELECT c.thread_id, COUNT(DISTINCT r.comment_id) FROM reviews r
                JOIN comments c ON c.id = r.comment_id
                WHERE r.policy_name = ? AND c.present = 1 AND r.state != 'unreviewed'
                      AND r.moderator NOT LIKE 'policy:%' AND {FRESH_REVIEW} {only}
                GROUP BY c.thread_id""",
            [policy_name, *params],
        ):
            threads[int(tid)].reviewed_by_anyone = int(count)
        return list(threads.values())

    def counts(
        self, moderator: str, policy_name: str, thread_id: int | None = None
    ) -> tuple[int, int, dict[str, int]]:
        """``(reviewed, approved, {label: comments})``: one moderator's reviews at the
        comments' current text, on the site or in one thread (cheap: reviews are few)."""
        only, params = ("AND c.thread_id = ?", [thread_id]) if thread_id is not None else ("", [])
        reviewed = approved = 0
        for state, count in self.db.execute(
            f"""SELECT r.state, COUNT(*) FROM reviews r JOIN comments c ON c.id = r.comment_id
                WHERE r.moderator = ? AND r.policy_name = ? AND r.state != 'unreviewed'
                AND c.present = 1 AND {FRESH_REVIEW} {only} GROUP BY r.state""",
            [moderator, policy_name, *params],
        ):
            reviewed += int(count)
            approved += int(count) if state == "approved" else 0
        per_label = {
            label: int(count)
            for label, count in self.db.execute(
                f"""SELECT l.label, COUNT(*) FROM labels l JOIN comments c ON c.id = l.comment_id
                    WHERE l.moderator = ? AND l.policy_name = ? AND c.present = 1
                    AND {FRESH_LABEL} {only} GROUP BY l.label""",
                [moderator, policy_name, *params],
            )
        }
        return reviewed, approved, per_label

    def policy_names(self) -> list[str]:
        """Policy names that have review states, most used first."""
        return [
            name
            for (name,) in self.db.execute(
                """SELECT policy_name FROM reviews GROUP BY policy_name
                   ORDER BY COUNT(*) DESC, policy_name"""
            )
        ]
