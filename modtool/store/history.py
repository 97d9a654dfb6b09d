"""Undo and redo: a moderator's own actions replayed into steps.

A *step* is one action, or every action of one bulk group (a subtree, an
author, a marked selection: ``actions.group_id``), so a bulk label is undone
and redone as one step. Undo and redo are new actions (and, for a group, a new
group) that point at what they revert; the audit log is never rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlite_utils

from modtool.models import Action, PolicyRef
from modtool.store.actions import ACTION_COLUMNS, action_from_row, write_action
from modtool.store.common import utc_now, write_transaction

MODERATOR = "moderator"
UNDO, REDO = "undo", "redo"


@dataclass(slots=True)
class Step:
    """Actions undone or redone together (one, or one group's)."""

    actions: list[Action] = field(default_factory=list)
    group_id: int | None = None


def open_group(
    db: sqlite_utils.Database,
    *,
    actor: str,
    policy_name: str,
    kind: str,
    target: str,
    reverts: int | None = None,
    note: str | None = None,
) -> int:
    """Append an ``action_groups`` row (inside the caller's transaction); its id."""
    cursor = db.execute(
        """INSERT INTO action_groups (at, actor, policy_name, kind, target, reverts, note)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [utc_now(), actor, policy_name, kind, target, reverts, note],
    )
    return int(cursor.lastrowid)


def replay(actions: Iterable[Action]) -> tuple[list[Step], list[Step]]:
    """A moderator's actions (oldest first) as (done, undone) stacks of steps.

    A new ordinary action clears the redo stack, as in any editor. The undo (or
    redo) of a group is itself a group: it moves its step once.
    """
    done: list[Step] = []
    undone: list[Step] = []
    step_of: dict[int, Step] = {}
    moved_by: set[int] = set()
    for action in actions:
        if action.actor_kind != MODERATOR:
            continue
        if action.kind in (UNDO, REDO):
            if action.group_id is not None:
                if action.group_id in moved_by:
                    continue
                moved_by.add(action.group_id)
            target = step_of.get(action.reverts or -1)
            source, sink = (done, undone) if action.kind == UNDO else (undone, done)
            if source and target is not None and source[-1] is target:
                sink.append(source.pop())
            continue
        if action.group_id is not None and done and done[-1].group_id == action.group_id:
            step = done[-1]
        else:
            step = Step(group_id=action.group_id)
            done.append(step)
            undone.clear()
        step.actions.append(action)
        step_of[action.id] = step
    return done, undone


def moderator_actions(db: sqlite_utils.Database, moderator: str, policy_name: str) -> list[Action]:
    """Every action of ``moderator`` under ``policy_name``, oldest first."""
    return [
        action_from_row(row)
        for row in db.execute(
            f"""SELECT {ACTION_COLUMNS} FROM actions a
                WHERE a.actor = ? AND a.policy_name = ? ORDER BY a.id""",
            [moderator, policy_name],
        )
    ]


def revert(
    db: sqlite_utils.Database, *, moderator: str, policy: PolicyRef, kind: str
) -> list[Action]:
    """Undo (``kind="undo"``) or redo this moderator's latest step; ``[]`` when
    there is nothing to undo (redo). One transaction."""
    with write_transaction(db):
        done, undone = replay(moderator_actions(db, moderator, policy.name))
        stack = done if kind == UNDO else undone
        if not stack:
            return []
        step = stack[-1]
        group = None
        if step.group_id is not None:
            group = open_group(
                db,
                actor=moderator,
                policy_name=policy.name,
                kind=kind,
                target=f"group {step.group_id}",
                reverts=step.group_id,
            )
        ordered = reversed(step.actions) if kind == UNDO else step.actions
        return [
            write_action(
                db,
                target.comment_id,
                moderator,
                policy,
                kind,
                target.label,
                MODERATOR,
                None,
                target.before if kind == UNDO else target.after,
                reverts=target.id,
                group_id=group,
            )
            for target in ordered
        ]
