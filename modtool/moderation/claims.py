"""The UI's claims (issue 21.7), without Textual: claim the comment on screen, renew
it while it stays open, let go when moving on or quitting.

A :class:`ClaimKeeper` has its own database connection, so the UI can run it in a
worker thread: a claim is a small write that may wait for another process's
lock, and the cursor must not wait with it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from modtool.store import open_store
from modtool.store.claims import RENEW_S, Claim, make_holder

__all__ = ["RENEW_S", "ClaimKeeper"]


class ClaimKeeper:
    """Claims for one UI process: one comment at a time."""

    def __init__(self, db_path: Path, policy_name: str, moderator: str) -> None:
        self.db_path = Path(db_path)
        self.policy_name = policy_name
        self.moderator = moderator
        self.holder = make_holder()
        self.current: int | None = None
        self._lock = threading.Lock()
        self._store = None

    def _repo(self):  # type: ignore[no-untyped-def]
        if self._store is None:
            self._store = open_store(self.db_path, create=False)
        return self._store.claims

    def claim(self, comment_id: int) -> Claim | None:
        """Claim ``comment_id`` (letting go of the last one); another moderator's live
        claim on it when they have it open (then it is not taken)."""
        with self._lock:
            other = self._repo().claim(
                comment_id,
                policy_name=self.policy_name,
                moderator=self.moderator,
                holder=self.holder,
            )
            self.current = None if other is not None else comment_id
            return other

    def renew(self) -> None:
        with self._lock:
            if self.current is not None:
                self._repo().renew(self.holder)

    def live(self) -> dict[int, Claim]:
        """Every live claim of other UIs under this policy (the table is small)."""
        with self._lock:
            return {
                cid: claim
                for cid, claim in self._repo().live(self.policy_name).items()
                if claim.holder != self.holder
            }

    def close(self) -> None:
        """Let go of every claim of this UI and close the connection."""
        with self._lock:
            if self._store is not None:
                self._store.claims.release(self.holder)
                self._store.close()
                self._store = None
            self.current = None
