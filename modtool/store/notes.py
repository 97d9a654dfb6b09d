"""Notes: the reason a moderator gives with a verdict (for the commenter or the team).

A note is the ``note`` of an action in the audit log: given with a label
(``modtool label 9 insult --note "…"``), or on its own (the UI's note key, a
``note`` action that leaves the state as it is). A note whose action was undone
(and not redone) is no longer shown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

_LIVE_NOTES = """
    SELECT a.comment_id, a.actor, a.at, a.note, a.id FROM actions a
    WHERE a.comment_id IN (SELECT value FROM json_each(:ids)) AND a.policy_name = :policy
    AND a.note IS NOT NULL AND a.kind NOT IN ('undo', 'redo')
    AND (SELECT COUNT(*) FROM actions u WHERE u.reverts = a.id AND u.kind = 'undo')
      = (SELECT COUNT(*) FROM actions r WHERE r.reverts = a.id AND r.kind = 'redo')
    ORDER BY a.id
"""


@dataclass(frozen=True, slots=True)
class Note:
    comment_id: int
    moderator: str
    at: str
    text: str
    action_id: int


def notes_for(
    db: sqlite_utils.Database, comment_ids: Iterable[int], policy_name: str
) -> dict[int, list[Note]]:
    """``{comment_id: [Note, …]}`` (oldest first) of the given comments' live notes."""
    result: dict[int, list[Note]] = {}
    ids = json.dumps(sorted(set(comment_ids)))
    for comment_id, moderator, at, text, action_id in db.execute(
        _LIVE_NOTES, {"ids": ids, "policy": policy_name}
    ):
        result.setdefault(int(comment_id), []).append(
            Note(int(comment_id), moderator, at, text, int(action_id))
        )
    return result
