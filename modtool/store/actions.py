"""The one place that changes a review state: state rows plus an audit-log row.

:func:`write_action` sets one moderator's ``labels`` and ``reviews`` rows for one
comment and appends the :class:`~modtool.models.Action` that says so, stamped
with the comment's ``content_hash`` at that moment: a review (and every label
it keeps) records the text it was given for, so a later edit of the comment
shows as "edited after review" (:mod:`modtool.store.edits`). The caller holds
the write transaction; single changes, bulk groups, undo and redo all come
through here.
"""

from __future__ import annotations

import sqlite_utils

from modtool.errors import NotFoundError
from modtool.models import Action, PolicyRef, ReviewState
from modtool.store.common import dumps, loads, utc_now

ACTION_COLUMNS = (
    "a.id, a.at, a.actor, a.actor_kind, a.comment_id, a.policy_name, a.policy_hash, a.kind, "
    "a.label, a.before, a.after, a.reverts, a.note, a.group_id, a.content_hash"
)
"""The columns :func:`action_from_row` reads, in its order (table alias ``a``)."""


def comment_hash(db: sqlite_utils.Database, comment_id: int) -> str:
    """The comment's current ``content_hash``; :class:`NotFoundError` if there is none."""
    row = db.execute("SELECT content_hash FROM comments WHERE id = ?", [comment_id]).fetchone()
    if row is None:
        raise NotFoundError(f"no comment with id {comment_id}")
    return str(row[0])


def read_state(
    db: sqlite_utils.Database, comment_id: int, moderator: str, policy_name: str
) -> ReviewState:
    row = db.execute(
        "SELECT state FROM reviews WHERE comment_id = ? AND moderator = ? AND policy_name = ?",
        [comment_id, moderator, policy_name],
    ).fetchone()
    labels = frozenset(
        label
        for (label,) in db.execute(
            "SELECT label FROM labels WHERE comment_id = ? AND moderator = ? AND policy_name = ?",
            [comment_id, moderator, policy_name],
        )
    )
    return ReviewState(labels=labels, state=row[0] if row else "unreviewed")


def write_action(
    db: sqlite_utils.Database,
    comment_id: int,
    moderator: str,
    policy: PolicyRef,
    kind: str,
    label: str | None,
    actor_kind: str,
    note: str | None,
    after: ReviewState,
    *,
    reverts: int | None = None,
    group_id: int | None = None,
) -> Action:
    """Set the state and append the action; the caller holds the write transaction.

    Every label the moderator keeps on the comment, and the review, are stamped
    with the comment's current hash: the moderator acted on this text.
    """
    current = comment_hash(db, comment_id)
    before = read_state(db, comment_id, moderator, policy.name)
    now = utc_now()
    for removed in before.labels - after.labels:
        db.execute(
            """DELETE FROM labels WHERE comment_id = ? AND moderator = ? AND label = ?
               AND policy_name = ?""",
            [comment_id, moderator, removed, policy.name],
        )
    for added in after.labels - before.labels:
        db.execute(
            """INSERT INTO labels (comment_id, moderator, label, policy_name, policy_hash,
                                   created_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [comment_id, moderator, added, policy.name, policy.hash, now, current],
        )
    db.execute(
        """UPDATE labels SET content_hash = ? WHERE comment_id = ? AND moderator = ?
           AND policy_name = ? AND content_hash IS NOT ?""",
        [current, comment_id, moderator, policy.name, current],
    )
    db.execute(
        """INSERT INTO reviews (comment_id, moderator, policy_name, state, updated_at,
                                content_hash)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (comment_id, moderator, policy_name)
           DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at,
                         content_hash = excluded.content_hash""",
        [comment_id, moderator, policy.name, after.state, now, current],
    )
    cursor = db.execute(
        """INSERT INTO actions (at, actor, actor_kind, comment_id, policy_name, policy_hash,
                                kind, label, before, after, reverts, note, group_id,
                                content_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
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
            group_id,
            current,
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
        group_id=group_id,
        content_hash=current,
    )


def action_from_row(row: tuple) -> Action:
    """An :class:`Action` from a row of :data:`ACTION_COLUMNS`."""
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
        group_id=row[13],
        content_hash=row[14],
    )
