"""Labels, review states and the append-only audit log.

Every change is one committed transaction that updates the current state
(``labels``, ``reviews``) and appends one row to ``actions`` with the state
before and after. Undo and redo are new actions that point at the action they
revert; nothing in ``actions`` is ever rewritten (triggers refuse it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import sqlite_utils

from modtool.errors import InputError
from modtool.models import Action, PolicyRef, ReviewState
from modtool.moderator import POLICY_PREFIX, check_moderator
from modtool.store.actions import (
    ACTION_COLUMNS,
    action_from_row,
    comment_hash,
    read_state,
    write_action,
)
from modtool.store.common import where_equal, write_transaction
from modtool.store.history import MODERATOR, REDO, UNDO, revert
from modtool.store.notes import notes_for

POLICY_ACTOR = "policy"
NOTE = "note"
__all__ = [
    "MODERATOR",
    "NOTE",
    "POLICY_ACTOR",
    "REDO",
    "UNDO",
    "LabelRepo",
    "check_actor",
    "check_label",
    "set_verdicts",
]


class LabelRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- reading ---------------------------------------------------------------
    def state(self, comment_id: int, moderator: str, policy_name: str) -> ReviewState:
        return read_state(self.db, comment_id, moderator, policy_name)

    def states_for_thread(
        self, thread_id: int, policy_name: str
    ) -> dict[int, dict[str, ReviewState]]:
        """``{comment_id: {moderator: ReviewState}}`` for every reviewed comment of a thread."""
        labels: dict[tuple[int, str], set[str]] = {}
        for comment_id, moderator, label in self.db.execute(
            """SELECT l.comment_id, l.moderator, l.label FROM labels l
               JOIN comments c ON c.id = l.comment_id
               WHERE c.thread_id = ? AND l.policy_name = ?""",
            [thread_id, policy_name],
        ):
            labels.setdefault((comment_id, moderator), set()).add(label)
        result: dict[int, dict[str, ReviewState]] = {}
        for comment_id, moderator, state in self.db.execute(
            """SELECT r.comment_id, r.moderator, r.state FROM reviews r
               JOIN comments c ON c.id = r.comment_id
               WHERE c.thread_id = ? AND r.policy_name = ? AND r.state != 'unreviewed'""",
            [thread_id, policy_name],
        ):
            result.setdefault(comment_id, {})[moderator] = ReviewState(
                labels=frozenset(labels.get((comment_id, moderator), ())), state=state
            )
        return result

    def edited_since_review(
        self,
        comment_ids: Iterable[int],
        *,
        policy_name: str | None = None,
        moderator: str | None = None,
    ) -> dict[int, frozenset[str]]:
        """``{comment_id: moderators}``: of the given comments, those whose text
        (author + body) changed after these moderators reviewed them (approved or
        labelled), under ``policy_name`` and by ``moderator`` when given.

        Their labels are kept; they were given for an earlier text. Comments not in
        the result were not edited since any of their reviews. Decisions and
        exports ask this before shipping a label next to the current text.
        """
        ids = json.dumps(sorted(set(comment_ids)))
        extra, params = where_equal({"r.policy_name": policy_name, "r.moderator": moderator})
        result: dict[int, set[str]] = {}
        for comment_id, who in self.db.execute(
            f"""SELECT r.comment_id, r.moderator FROM reviews r
                JOIN comments c ON c.id = r.comment_id
                WHERE r.comment_id IN (SELECT value FROM json_each(?))
                AND r.state != 'unreviewed' AND r.content_hash IS NOT NULL
                AND r.content_hash != c.content_hash {extra.replace("WHERE", "AND")}""",
            [ids, *params],
        ):
            result.setdefault(int(comment_id), set()).add(who)
        return {cid: frozenset(who) for cid, who in result.items()}

    def log(
        self,
        *,
        comment_id: int | None = None,
        actor: str | None = None,
        policy_name: str | None = None,
        thread_id: int | None = None,
        limit: int | None = None,
    ) -> list[Action]:
        """Audit log entries, oldest first (the newest ``limit`` when given)."""
        where, params = where_equal(
            {
                "a.comment_id": comment_id,
                "a.actor": actor,
                "a.policy_name": policy_name,
                "c.thread_id": thread_id,
            }
        )
        sql = f"""SELECT {ACTION_COLUMNS}
                  FROM actions a JOIN comments c ON c.id = a.comment_id {where}
                  ORDER BY a.id DESC"""
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self.db.execute(sql, params).fetchall()
        return [action_from_row(row) for row in reversed(rows)]

    def last_comment(self, moderator: str, policy_name: str, thread_id: int) -> int | None:
        """The comment this moderator last acted on in this thread (to reopen there)."""
        row = self.db.execute(
            """SELECT a.comment_id FROM actions a JOIN comments c ON c.id = a.comment_id
               WHERE a.actor = ? AND a.policy_name = ? AND c.thread_id = ?
               ORDER BY a.id DESC LIMIT 1""",
            [moderator, policy_name, thread_id],
        ).fetchone()
        return None if row is None else int(row[0])

    def max_action_id(self) -> int:
        """The newest action id: a cheap way to notice that another process wrote."""
        return int(self.db.execute("SELECT COALESCE(MAX(id), 0) FROM actions").fetchone()[0])

    # -- writing -----------------------------------------------------------------
    def add(
        self,
        comment_id: int,
        label: str,
        *,
        moderator: str,
        policy: PolicyRef,
        actor_kind: str = MODERATOR,
        note: str | None = None,
    ) -> Action | None:
        """Add ``label``; ``None`` when the comment already had it (nothing logged)."""
        return self._change(
            comment_id,
            moderator,
            policy,
            label,
            actor_kind,
            note,
            lambda s: ("add_label", _with(s, label)),
        )

    def remove(
        self,
        comment_id: int,
        label: str,
        *,
        moderator: str,
        policy: PolicyRef,
        actor_kind: str = MODERATOR,
        note: str | None = None,
    ) -> Action | None:
        return self._change(
            comment_id,
            moderator,
            policy,
            label,
            actor_kind,
            note,
            lambda s: ("remove_label", _without(s, label)),
        )

    def toggle(
        self,
        comment_id: int,
        label: str,
        *,
        moderator: str,
        policy: PolicyRef,
        actor_kind: str = MODERATOR,
    ) -> Action | None:
        """Add ``label`` if absent, remove it if present (one action either way)."""
        return self._change(
            comment_id,
            moderator,
            policy,
            label,
            actor_kind,
            None,
            lambda s: (
                ("remove_label", _without(s, label))
                if label in s.labels
                else ("add_label", _with(s, label))
            ),
        )

    def approve(
        self,
        comment_id: int,
        *,
        moderator: str,
        policy: PolicyRef,
        actor_kind: str = MODERATOR,
        note: str | None = None,
    ) -> Action | None:
        """Mark reviewed with no label (removes this moderator's labels on the comment)."""
        return self._replace(
            comment_id,
            moderator,
            policy,
            actor_kind,
            note,
            "approve",
            ReviewState(frozenset(), "approved"),
        )

    def reset(
        self,
        comment_id: int,
        *,
        moderator: str,
        policy: PolicyRef,
        actor_kind: str = MODERATOR,
        note: str | None = None,
    ) -> Action | None:
        """Back to unreviewed with no labels."""
        return self._replace(
            comment_id, moderator, policy, actor_kind, note, "reset", ReviewState()
        )

    def _replace(
        self,
        comment_id: int,
        moderator: str,
        policy: PolicyRef,
        actor_kind: str,
        note: str | None,
        kind: str,
        state: ReviewState,
    ) -> Action | None:
        """Set the whole state (no label involved) as one action of ``kind``."""
        return self._change(
            comment_id, moderator, policy, None, actor_kind, note, lambda _: (kind, state)
        )

    def undo(self, *, moderator: str, policy: PolicyRef) -> list[Action]:
        """Revert this moderator's latest step not undone yet (one action, or a whole
        bulk group); ``[]`` if there is none."""
        return revert(self.db, moderator=moderator, policy=policy, kind=UNDO)

    def redo(self, *, moderator: str, policy: PolicyRef) -> list[Action]:
        """Re-apply the step most recently undone; ``[]`` if there is nothing to redo."""
        return revert(self.db, moderator=moderator, policy=policy, kind=REDO)

    def note(self, comment_id: int, text: str, *, moderator: str, policy: PolicyRef) -> Action:
        """Add a note (the reason, for the commenter or the team) to this moderator's
        verdict on the comment: a ``note`` action that leaves the state as it is."""
        check_actor(moderator, MODERATOR)
        if not text.strip():
            raise InputError("a note needs some text")
        with write_transaction(self.db):
            state = self._state_locked(comment_id, moderator, policy.name)
            return write_action(
                self.db, comment_id, moderator, policy, NOTE, None, MODERATOR, text, state
            )

    # -- internals ---------------------------------------------------------------
    def _change(
        self,
        comment_id: int,
        moderator: str,
        policy: PolicyRef,
        label: str | None,
        actor_kind: str,
        note: str | None,
        change: Callable[[ReviewState], tuple[str, ReviewState]],
    ) -> Action | None:
        if label is not None:
            check_label(label, policy)
        check_actor(moderator, actor_kind)
        with write_transaction(self.db):
            before = self._state_locked(comment_id, moderator, policy.name)
            kind, after = change(before)
            if after == before:
                if not note or self._last_note(comment_id, moderator, policy.name) == note:
                    return None  # nothing to change (running a command twice adds nothing)
                kind = NOTE  # nothing to change, but a new note is kept
            return write_action(
                self.db, comment_id, moderator, policy, kind, label, actor_kind, note, after
            )

    def _last_note(self, comment_id: int, moderator: str, policy_name: str) -> str | None:
        mine = [
            n
            for n in notes_for(self.db, [comment_id], policy_name).get(comment_id, ())
            if n.moderator == moderator
        ]
        return mine[-1].text if mine else None

    def _state_locked(self, comment_id: int, moderator: str, policy_name: str) -> ReviewState:
        comment_hash(self.db, comment_id)  # NotFoundError for an unknown id
        return self.state(comment_id, moderator, policy_name)


def _with(state: ReviewState, label: str) -> ReviewState:
    return ReviewState(state.labels | {label}, "labeled")


def _without(state: ReviewState, label: str) -> ReviewState:
    rest = state.labels - {label}
    return ReviewState(rest, "labeled" if rest else "unreviewed")


def check_label(label: str, policy: PolicyRef) -> None:
    if policy.labels and label not in policy.labels:
        known = ", ".join(sorted(policy.labels))
        raise InputError(f"label {label!r} is not in policy {policy.name!r} (labels: {known})")


def check_actor(moderator: str, actor_kind: str) -> None:
    """Moderators get the one name check; a policy acts only as ``policy:NAME``."""
    if actor_kind == MODERATOR:
        check_moderator(moderator)
    elif not moderator.startswith(POLICY_PREFIX):
        raise InputError(f"a policy acts as {POLICY_PREFIX}NAME, not {moderator!r}")


# -- appended for import-labels (datasets & exports helper) -------------------------
IMPORT = "import"


def set_verdicts(
    repo: LabelRepo,
    verdicts: list[tuple[int, str, ReviewState]],
    *,
    policy: PolicyRef,
    note: str | None = None,
) -> list[Action]:
    """Give each ``(comment_id, moderator)`` exactly ``state``, all in one transaction.

    For ``modtool import-labels``: a file's verdicts land together or not at all.
    A verdict equal to the current state logs nothing (running twice changes
    nothing); every change is one ``import`` action with before and after, like
    any moderator action. Labels must be in the policy; moderators must be named.
    """
    for _, moderator, state in verdicts:
        for label in state.labels:
            check_label(label, policy)
        if not moderator.strip():
            raise InputError("a moderator name is required")
    actions: list[Action] = []
    with write_transaction(repo.db):
        for comment_id, moderator, state in verdicts:
            if repo._state_locked(comment_id, moderator, policy.name) == state:
                continue
            actions.append(
                write_action(
                    repo.db, comment_id, moderator, policy, IMPORT, None, MODERATOR, note, state
                )
            )
    return actions
