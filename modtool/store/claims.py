"""Claims: a moderator's short lease on the comment open in their UI (issue 21.7).

Two moderators on one database should not review the same comment at once. The
UI claims the comment it shows for :data:`LEASE_S` seconds and renews the claim
while the comment stays open; ``n``, auto-advance and ``queue --unmoderated``
skip comments someone else holds. A claim ends when its UI moves on or quits, or
when the lease runs out. A UI that crashed cannot release: on the same machine
its claims are let go at once (its process is gone), elsewhere within the lease.

Each claim is its own small committed transaction. ``holder`` names the UI
process (``host:pid:token``) so that one moderator's two windows do not fight.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

import sqlite_utils

from modtool.store.common import utc_now, write_transaction

LEASE_S = 300.0
"""How long a claim lasts without renewal (5 minutes)."""
RENEW_S = 60.0
"""How often an open UI renews its claim."""


def make_holder() -> str:
    """A name for this process's claims: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class Claim:
    comment_id: int
    moderator: str
    holder: str
    claimed_at: str
    expires_at: float

    def seconds_left(self, now: float | None = None) -> float:
        return self.expires_at - (time.time() if now is None else now)


def holder_gone(holder: str) -> bool:
    """Is ``holder`` a process of this machine that no longer runs?"""
    host, _, rest = holder.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class ClaimRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def claim(
        self,
        comment_id: int,
        *,
        policy_name: str,
        moderator: str,
        holder: str,
        now: float | None = None,
        lease: float = LEASE_S,
    ) -> Claim | None:
        """Claim (or renew) ``comment_id`` for ``holder`` and let go of the holder's
        other claims. Returns the other moderator's live claim when someone else
        holds it (nothing is taken then), else ``None``."""
        now = time.time() if now is None else now
        with write_transaction(self.db):
            current = self._get(comment_id, policy_name)
            if (
                current is not None
                and current.moderator != moderator
                and current.expires_at > now
                and not holder_gone(current.holder)
            ):
                return current
            self.db.execute(
                "DELETE FROM claims WHERE holder = ? AND NOT (comment_id = ? AND policy_name = ?)",
                [holder, comment_id, policy_name],
            )
            self.db.execute(
                """INSERT INTO claims (comment_id, policy_name, moderator, holder, claimed_at,
                                       expires_at) VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT (comment_id, policy_name) DO UPDATE SET
                       moderator = excluded.moderator, holder = excluded.holder,
                       claimed_at = CASE WHEN claims.holder = excluded.holder
                                    THEN claims.claimed_at ELSE excluded.claimed_at END,
                       expires_at = excluded.expires_at""",
                [comment_id, policy_name, moderator, holder, utc_now(), now + lease],
            )
        return None

    def renew(self, holder: str, *, now: float | None = None, lease: float = LEASE_S) -> int:
        """Push the holder's claims' expiry ``lease`` seconds on; how many it holds."""
        now = time.time() if now is None else now
        with write_transaction(self.db):
            cursor = self.db.execute(
                "UPDATE claims SET expires_at = ? WHERE holder = ?", [now + lease, holder]
            )
        return int(cursor.rowcount)

    def release(self, holder: str) -> None:
        """Let go of every claim of ``holder`` (the UI quits)."""
        with write_transaction(self.db):
            self.db.execute("DELETE FROM claims WHERE holder = ?", [holder])

    def held(
        self,
        comment_ids: Iterable[int],
        policy_name: str,
        *,
        now: float | None = None,
    ) -> dict[int, Claim]:
        """Live claims on the given comments (expired ones and dead local holders left out)."""
        now = time.time() if now is None else now
        found: dict[int, Claim] = {}
        for row in self.db.execute(
            """SELECT comment_id, moderator, holder, claimed_at, expires_at FROM claims
               WHERE policy_name = ? AND expires_at > ?
               AND comment_id IN (SELECT value FROM json_each(?))""",
            [policy_name, now, json.dumps(sorted(set(comment_ids)))],
        ):
            claim = Claim(int(row[0]), row[1], row[2], row[3], float(row[4]))
            if not holder_gone(claim.holder):
                found[claim.comment_id] = claim
        return found

    def live(self, policy_name: str, *, now: float | None = None) -> dict[int, Claim]:
        """Every live claim under ``policy_name`` (one per open UI: a small table)."""
        now = time.time() if now is None else now
        found: dict[int, Claim] = {}
        for row in self.db.execute(
            """SELECT comment_id, moderator, holder, claimed_at, expires_at FROM claims
               WHERE policy_name = ? AND expires_at > ?""",
            [policy_name, now],
        ):
            claim = Claim(int(row[0]), row[1], row[2], row[3], float(row[4]))
            if not holder_gone(claim.holder):
                found[claim.comment_id] = claim
        return found

    def _get(self, comment_id: int, policy_name: str) -> Claim | None:
        row = self.db.execute(
            """SELECT comment_id, moderator, holder, claimed_at, expires_at FROM claims
               WHERE comment_id = ? AND policy_name = ?""",
            [comment_id, policy_name],
        ).fetchone()
        return None if row is None else Claim(int(row[0]), row[1], row[2], row[3], float(row[4]))
