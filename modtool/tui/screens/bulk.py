"""Bulk actions (``S`` a subtree, ``B`` an author, ``M`` the marked rows): choose the
label, then confirm when more than one comment would change.

The dialog says what was chosen and how many comments it holds before anything
happens; it dismisses with the label key (or ``approve``), or ``None``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from modtool.tui.text import safe_line

APPROVE = "approve"


class BulkScreen(ModalScreen[str | None]):
    """Ask for a label for ``count`` comments (``target`` says which), then confirm."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="bulk.cancel"),
        Binding("enter", "confirm", "Confirm", id="bulk.confirm", show=False),
    ]

    def __init__(self, target: str, count: int, labels: list[tuple[str, str, str]]) -> None:
        """``labels``: ``(hotkey, key, name)`` of the policy's labels."""
        super().__init__()
        self.target = target
        self.count = count
        self.labels = labels
        self.chosen: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="bulk"):
            yield Static(self._text(), id="bulk-text")

    def _text(self) -> Text:
        text = Text()
        text.append("Bulk: ", style="bold")
        text.append_text(safe_line(self.target, 200))
        text.append(f" · {self.count} comment{'s' if self.count != 1 else ''}\n\n")
        if self.chosen is None:
            text.append("Press a label's key: ", style="dim")
            keys = [f"{hotkey} {name}" for hotkey, _, name in self.labels] + ["a approve"]
            text.append_text(safe_line(" · ".join(keys), 400))
            text.append("\nesc cancels; nothing changes before you confirm", style="dim")
        else:
            what = "Approve" if self.chosen == APPROVE else f"Label {self.chosen} on"
            text.append(f"{what} these {self.count} comments?", style="bold")
            text.append("\nenter: yes, as one step (u undoes it) · esc: no", style="dim")
        return text

    def on_key(self, event: events.Key) -> None:
        if self.chosen is not None or not event.character:
            return
        key = None
        if event.character == "a":
            key = APPROVE
        for hotkey, label_key, _ in self.labels:
            if event.character == hotkey:
                key = label_key
        if key is None:
            return
        event.stop()
        self.chosen = key
        if self.count <= 1:
            self.dismiss(key)
            return
        self.query_one("#bulk-text", Static).update(self._text())

    def action_confirm(self) -> None:
        if self.chosen is not None:
            self.dismiss(self.chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)
