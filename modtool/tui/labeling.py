"""Labels from the keyboard: a label key, approve, undo/redo, a note, marks and the
bulk actions (a subtree, an author, the marked rows), each committed before the
screen shows it; a bulk action asks first and is undone with ``u`` in one step.
Mixed into the app."""

from __future__ import annotations

from typing import Any

from modtool.errors import ModtoolError
from modtool.models import Action
from modtool.moderation import bulk
from modtool.tui.screens.bulk import APPROVE, BulkScreen
from modtool.tui.screens.note import NoteScreen

TREE, QUEUE, SITE = "tree", "queue", "site"


class LabelingActions:
    """Mixed into :class:`~modtool.tui.app.ModtoolApp`."""

    # -- one comment -------------------------------------------------------------------
    def action_toggle_label(self: Any, key: str) -> None:
        source = self.source
        if source is None or self.selected is None:
            self.bell()
            return
        action = self._write(lambda s: s.toggle(self.selected, key))
        if action is not None:
            self._done([action], advance=True)

    def action_approve(self: Any) -> None:
        if self.source is None or self.selected is None:
            self.bell()
            return
        action = self._write(lambda s: s.approve(self.selected))
        if action is not None:
            self._done([action], advance=True)
        else:
            self._advance()

    def action_undo(self: Any) -> None:
        self._reverted(self._write(lambda s: s.undo()) or [], "Nothing to undo.")

    def action_redo(self: Any) -> None:
        self._reverted(self._write(lambda s: s.redo()) or [], "Nothing to redo.")

    def action_note(self: Any) -> None:
        if self.source is None or self.selected is None:
            self.bell()
            return
        cid = self.selected
        self.push_screen(NoteScreen(), lambda text: self._noted(cid, text))

    def _noted(self: Any, cid: int, text: str | None) -> None:
        if text:
            action = self._write(lambda s: s.note(cid, text))
            if action is not None:
                self._done([action], advance=False)

    def _write(self: Any, call: Any) -> Any:
        """Run a write on the session showing; the store has committed when it returns."""
        if self.source is None:
            return None
        try:
            return call(self.source)
        except ModtoolError as exc:
            self.notify(exc.message, title="Not saved", severity="error", timeout=8)
            return None

    def _done(self: Any, actions: list[Action], *, advance: bool) -> None:
        self.synced(actions, self.source)
        if advance:
            self._advance()

    def _reverted(self: Any, actions: list[Action], nothing: str) -> None:
        """Show an undone or redone step (one action, or a bulk group's)."""
        if not actions:
            self.notify(nothing, timeout=2)
            return
        if len(actions) > 1:
            self.notify(f"{len(actions)} comments changed back.", timeout=3)
        self.synced(actions, self.source)
        last = actions[-1].comment_id
        if last != self.selected and self.source.has(last):
            self._select(last)

    def _advance(self: Any) -> None:
        if self.auto_advance:
            self.action_next_unreviewed()

    # -- many comments ---------------------------------------------------------------------
    def action_mark(self: Any) -> None:
        if self.view == TREE or self.selected is None:
            self.notify("Marks are for queue rows: v shows the queue.", timeout=3)
            return
        self.active_view.toggle_mark(self.selected)
        count = len(self.active_view.marked)
        self.notify(f"{count} marked · M labels them, m unmarks.", timeout=2)

    def action_bulk_marked(self: Any) -> None:
        marked = sorted(self.active_view.marked) if self.view != TREE else []
        if not marked:
            self.notify("Nothing marked: m marks the queue row under the cursor.", timeout=3)
            return
        self._ask_bulk(bulk.selection(marked))

    def action_bulk_subtree(self: Any) -> None:
        if self.store is None or self.selected is None:
            self.bell()
            return
        self._ask_bulk(bulk.subtree(self.store, self.selected))

    def action_bulk_author(self: Any) -> None:
        source = self.source
        if source is None or self.selected is None or self.store is None:
            self.bell()
            return
        self._ask_bulk(bulk.by_author(self.store, source.author_ref(self.selected)))

    def _ask_bulk(self: Any, plan: bulk.BulkPlan) -> None:
        labels = list(self._label_keys)
        self.push_screen(
            BulkScreen(plan.target, len(plan), labels), lambda key: self._bulk(plan, key)
        )

    def _bulk(self: Any, plan: bulk.BulkPlan, key: str | None) -> None:
        if key is None or self.store is None:
            return
        approve = [label.key for label in self.policy.labels if label.action == "approve"]
        try:
            result = bulk.apply(
                self.store,
                plan,
                bulk.APPROVE if key == APPROVE else key,
                moderator=self.moderator,
                policy=self.policy.ref,
                approve_keys=approve,
            )
        except ModtoolError as exc:
            self.notify(exc.message, title="Not saved", severity="error", timeout=8)
            return
        for session in (self.site, self.session):
            if session is not None:
                session.applied_elsewhere(result.actions)
        self._changed({a.comment_id for a in result.actions})
        if plan.kind == "selection" and self.view != TREE:
            self.active_view.clear_marks()
        what = "approved" if key == APPROVE else f"labeled {key}"
        self.notify(
            f"{what}: {len(result.actions)} of {len(plan)} comments (u undoes it in one step).",
            timeout=5,
        )
