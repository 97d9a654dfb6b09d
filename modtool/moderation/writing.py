"""A moderator's writes, the same in the one-thread and the site session.

Each call has committed when it returns (the store writes it in its own
transaction). A session keeps its cache in step through ``_applied`` (one
action) and ``_applied_many`` (a step of several: an undo, a bulk group).

No Textual, no SQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from modtool.models import Action, PolicyRef
from modtool.store import Store
from modtool.store.claims import Claim


class LabelWrites:
    """Mixin of :class:`~modtool.moderation.thread.Session` and
    :class:`~modtool.moderation.site.SiteSession`."""

    store: Store
    moderator: str
    ref: PolicyRef
    labels: dict[str, Any]
    claims: dict[int, Claim]

    if TYPE_CHECKING:  # each session's own

        def _applied(self, action: Action | None) -> Action | None: ...

        def is_reviewed(self, cid: int) -> bool: ...

    def _applied_many(self, actions: list[Action]) -> list[Action]:
        for action in actions:
            self._applied(action)
        return actions

    def offered_next(self, cid: int, after: int | None) -> bool:
        """Whether ``n`` may stop at ``cid``: not the one it leaves, not reviewed by
        this moderator, not claimed by another."""
        return cid != after and not self.is_reviewed(cid) and cid not in self.claims

    def toggle(self, cid: int, label: str) -> Action | None:
        definition = self.labels.get(label)
        if definition is not None and getattr(definition, "action", "") == "approve":
            return self.approve(cid)
        return self._applied(
            self.store.labels.toggle(cid, label, moderator=self.moderator, policy=self.ref)
        )

    def approve(self, cid: int) -> Action | None:
        return self._applied(
            self.store.labels.approve(cid, moderator=self.moderator, policy=self.ref)
        )

    def note(self, cid: int, text: str) -> Action:
        """Add a note to this moderator's verdict on ``cid``."""
        action = self.store.labels.note(cid, text, moderator=self.moderator, policy=self.ref)
        self._applied(action)
        return action

    def undo(self) -> list[Action]:
        """Undo this moderator's last step (one action, or a whole bulk group)."""
        return self._applied_many(self.store.labels.undo(moderator=self.moderator, policy=self.ref))

    def redo(self) -> list[Action]:
        return self._applied_many(self.store.labels.redo(moderator=self.moderator, policy=self.ref))
