"""Labels, review states and the append-only audit log.

Every change is one committed transaction that updates the current state
(``labels``, ``reviews``) and appends one row to ``actions`` with the state
before and after. Undo and redo are new actions that point at the action they
revert; nothing in ``actions`` is ever rewritten (triggers refuse it).
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from modtool.errors import InputError, NotFoundError
from modtool.models import Action, PolicyRef, ReviewState
from modtool.moderator import POLICY_PREFIX, check_moderator
from modtool.store.common import dumps, loads, utc_now, where_equal, write_transaction

MODERATOR = "moderator"
POLICY_ACTOR = "policy"
UNDO, REDO = "undo", "redo"


class LabelRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- reading ---------------------------------------------------------------
    def state(self, comment_id: int, moderator: str, policy_name: str) -> ReviewState:
        row = self.db.execute(
            "SELECT state FROM reviews WHERE comment_id = ? AND moderator = ? AND policy_name = ?",
            [comment_id, moderator, policy_name],
        ).fetchone()
        labels = frozenset(
            label
            for (label,) in self.db.execute(
                "SELECT label FROM labels WHERE comment_id = ? AND moderator = ? AND policy_name = ?",
                [comment_id, moderator, policy_name],
            )
        )
        return ReviewState(labels=labels, state=row[0] if row else "unreviewed")

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
        sql = f"""SELECT a.id, a.at, a.actor, a.actor_kind, a.comment_id, a.policy_name,
                         a.policy_hash, a.kind, a.label, a.before, a.after, a.reverts, a.note
                  FROM actions a JOIN comments c ON c.id = a.comment_id {where}
                  ORDER BY a.id DESC"""
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self.db.execute(sql, params).fetchall()
        return [_action(row) for row in reversed(rows)]

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

    def undo(self, *, moderator: str, policy: PolicyRef) -> Action | None:
        """Revert this moderator's latest action that is not undone yet; ``None`` if none."""
        with write_transaction(self.db):
            done, _ = self._history(moderator, policy.name)
            if not done:
                return None
            target = done[-1]
            return self._write(
                target.comment_id,
                moderator,
                policy,
                UNDO,
                target.label,
                MODERATOR,
                None,
                target.before,
                reverts=target.id,
            )

    def redo(self, *, moderator: str, policy: PolicyRef) -> Action | None:
        """Re-apply the action most recently undone; ``None`` if there is nothing to redo."""
        with write_transaction(self.db):
            _, undone = self._history(moderator, policy.name)
            if not undone:
                return None
            target = undone[-1]
            return self._write(
                target.comment_id,
                moderator,
                policy,
                REDO,
                target.label,
                MODERATOR,
                None,
                target.after,
                reverts=target.id,
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
            _check_label(label, policy)
        _check_moderator(moderator, actor_kind)
        with write_transaction(self.db):
            before = self._state_locked(comment_id, moderator, policy.name)
            kind, after = change(before)
            if after == before:
                return None
            return self._write(comment_id, moderator, policy, kind, label, actor_kind, note, after)

    def _state_locked(self, comment_id: int, moderator: str, policy_name: str) -> ReviewState:
        if self.db.execute("SELECT 1 FROM comments WHERE id = ?", [comment_id]).fetchone() is None:
            raise NotFoundError(f"no comment with id {comment_id}")
        return self.state(comment_id, moderator, policy_name)

    def _write(
        self,
        comment_id: int,
        moderator: str,
        policy: PolicyRef,
        kind: str,
        label: str | None,
        actor_kind: str,
        note: str | None,
        after: ReviewState,
        reverts: int | None = None,
    ) -> Action:
        """Set the state and append the action; the caller holds the write transaction."""
        before = self._state_locked(comment_id, moderator, policy.name)
        now = utc_now()
        for removed in before.labels - after.labels:
            self.db.execute(
                """DELETE FROM labels WHERE comment_id = ? AND moderator = ? AND label = ?
                   AND policy_name = ?""",
                [comment_id, moderator, removed, policy.name],
            )
        for added in after.labels - before.labels:
            self.db.execute(
                """INSERT INTO labels (comment_id, moderator, label, policy_name, policy_hash,
                                       created_at) VALUES (?, ?, ?, ?, ?, ?)""",
                [comment_id, moderator, added, policy.name, policy.hash, now],
            )
        self.db.execute(
            """INSERT INTO reviews (comment_id, moderator, policy_name, state, updated_at)
               VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (comment_id, moderator, policy_name)
               DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at""",
            [comment_id, moderator, policy.name, after.state, now],
        )
        cursor = self.db.execute(
            """INSERT INTO actions (at, actor, actor_kind, comment_id, policy_name, policy_hash,
                                    kind, label, before, after, reverts, note)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                now,
                moderator,
                actor_kind,
                comment_id,
                policy.name,
                policy.hash,
                kind,
                label,
                dumps(before.as_json()),
                dumps(after.as_json()),
                reverts,
                note,
            ],
        )
        return Action(
            id=int(cursor.lastrowid),
            at=now,
            actor=moderator,
            actor_kind=actor_kind,
            comment_id=comment_id,
            policy_name=policy.name,
            policy_hash=policy.hash,
            kind=kind,
            label=label,
            before=before,
            after=after,
            reverts=reverts,
            note=note,
        )

    def _history(self, moderator: str, policy_name: str) -> tuple[list[Action], list[Action]]:
        """Replay this moderator's actions into (done, undone) stacks.

        A new ordinary action clears the redo stack, as in any editor.
        """
        done: list[Action] = []
        undone: list[Action] = []
        by_id: dict[int, Action] = {}
        for action in self.log(actor=moderator, policy_name=policy_name):
            if action.actor_kind != MODERATOR:
                continue
            by_id[action.id] = action
            if action.kind == UNDO:
                target = by_id.get(action.reverts or -1)
                if done and target is not None and done[-1].id == target.id:
                    undone.append(done.pop())
            elif action.kind == REDO:
                target = by_id.get(action.reverts or -1)
                if undone and target is not None and undone[-1].id == target.id:
                    done.append(undone.pop())
            else:
                done.append(action)
                undone.clear()
        return done, undone


def _with(state: ReviewState, label: str) -> ReviewState:
    return ReviewState(state.labels | {label}, "labeled")


def _without(state: ReviewState, label: str) -> ReviewState:
    rest = state.labels - {label}
    return ReviewState(rest, "labeled" if rest else "unreviewed")


def _check_label(label: str, policy: PolicyRef) -> None:
    if policy.labels and label not in policy.labels:
        known = ", ".join(sorted(policy.labels))
        raise InputError(f"label {label!r} is not in policy {policy.name!r} (labels: {known})")


def _check_moderator(moderator: str, actor_kind: str) -> None:
    """Moderators get the one name check; a policy acts only as ``policy:NAME``."""
    if actor_kind == MODERATOR:
        check_moderator(moderator)
    elif not moderator.startswith(POLICY_PREFIX):
        raise InputError(f"a policy acts as {POLICY_PREFIX}NAME, not {moderator!r}")


def _action(row: tuple) -> Action:
    before, after = loads(row[9]), loads(row[10])
    return Action(
        id=row[0],
        at=row[1],
        actor=row[2],
        actor_kind=row[3],
        comment_id=row[4],
        policy_name=row[5],
        policy_hash=row[6],
        kind=row[7],
        label=row[8],
        before=ReviewState(frozenset(before["labels"]), before["state"]),
        after=ReviewState(frozenset(after["labels"]), after["state"]),
        reverts=row[11],
        note=row[12],
    )


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
            _check_label(label, policy)
        if not moderator.strip():
            raise InputError("a moderator name is required")
    actions: list[Action] = []
    with write_transaction(repo.db):
        for comment_id, moderator, state in verdicts:
            if repo._state_locked(comment_id, moderator, policy.name) == state:
                continue
            actions.append(
                repo._write(comment_id, moderator, policy, IMPORT, None, MODERATOR, note, state)
            )
    return actions
