"""Bulk actions: one label (or an approval) on many comments, as one audited group.

Which comments: a subtree (a comment and every reply below it), every comment of
one author (optionally in one thread, optionally only those this moderator has
not reviewed), or a given selection. The whole group is one transaction with one
``action_groups`` row; each changed comment gets its own action carrying the
group id, so the audit log still says exactly what happened to each comment and
undo reverts the group as one step (:mod:`modtool.store.history`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sqlite_utils

from modtool.models import Action, PolicyRef, ReviewState
from modtool.store.actions import read_state, write_action
from modtool.store.authors import AuthorRef
from modtool.store.comments import CommentRepo
from modtool.store.common import write_transaction
from modtool.store.history import MODERATOR, open_group

Change = Callable[[ReviewState], tuple[str, ReviewState]]
"""The state before → (action kind, the state after)."""

_FRESH = "(r.content_hash IS NULL OR r.content_hash = c.content_hash)"


@dataclass(frozen=True, slots=True)
class BulkResult:
    group_id: int | None
    """``None`` when nothing changed (no group was written)."""
    actions: list[Action]
    chosen: int
    """Comments the bulk action was for (some may have had the label already)."""


class BulkRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- which comments ----------------------------------------------------------------
    def subtree(self, comment_id: int) -> list[int]:
        """``comment_id`` and every present reply below it, in document order."""
        ids = [comment_id, *CommentRepo(self.db).descendants([comment_id])]
        return [
            int(cid)
            for (cid,) in self.db.execute(
                """SELECT id FROM comments WHERE id IN (SELECT value FROM json_each(?))
                   AND present = 1 ORDER BY thread_id, position, id""",
                [json.dumps(ids)],
            )
        ]

    def by_author(
        self,
        author: AuthorRef,
        *,
        thread_id: int | None = None,
        unreviewed_by: tuple[str, str] | None = None,
    ) -> list[int]:
        """The author's present comments (in one thread when given); with
        ``unreviewed_by=(moderator, policy_name)`` only those that moderator has
        not reviewed at their current text. Newest first."""
        where, params = author.sql("c")
        if thread_id is not None:
            where += " AND c.thread_id = :thread"
            params["thread"] = thread_id
        if unreviewed_by is not None:
            where += f""" AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.comment_id = c.id
                          AND r.moderator = :moderator AND r.policy_name = :policy
                          AND r.state != 'unreviewed' AND {_FRESH})"""
            params.update(moderator=unreviewed_by[0], policy=unreviewed_by[1])
        return [
            int(cid)
            for (cid,) in self.db.execute(
                f"""SELECT c.id FROM comments c WHERE c.present = 1 AND {where}
                    ORDER BY c.created_at DESC, c.id DESC""",
                params,
            )
        ]

    # -- doing it ---------------------------------------------------------------------
    def apply(
        self,
        comment_ids: Sequence[int],
        change: Change,
        *,
        moderator: str,
        policy: PolicyRef,
        label: str | None,
        kind: str,
        target: str,
        note: str | None = None,
    ) -> BulkResult:
        """Apply ``change`` to each comment in one transaction and one group.

        ``kind`` says what was chosen (``subtree``, ``author``, ``selection``) and
        ``target`` describes it for the log (``#12 and its 40 replies``)."""
        actions: list[Action] = []
        group: int | None = None
        with write_transaction(self.db):
            for comment_id in dict.fromkeys(comment_ids):
                before = read_state(self.db, comment_id, moderator, policy.name)
                action_kind, after = change(before)
                if after == before:
                    continue
                if group is None:
                    group = open_group(
                        self.db,
                        actor=moderator,
                        policy_name=policy.name,
                        kind=kind,
                        target=target,
                        note=note,
                    )
                actions.append(
                    write_action(
                        self.db,
                        comment_id,
                        moderator,
                        policy,
                        action_kind,
                        label,
                        MODERATOR,
                        note,
                        after,
                        group_id=group,
                    )
                )
        return BulkResult(group, actions, len(set(comment_ids)))
