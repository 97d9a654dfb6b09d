"""``N``: a note with your verdict on the comment (the reason, for the commenter or
the team). Kept in the audit log, shown in the detail pane, ``log`` and exports."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class NoteScreen(ModalScreen[str | None]):
    """Ask for a note; dismiss with its text, or ``None`` (esc, or nothing typed)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="note"):
            yield Static(
                "A note with your verdict (enter: save, esc: cancel)", id="note-help", markup=False
            )
            yield Input(placeholder="the reason…", id="note-input")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
