"""``?``: the policy's labels, their keys and their guidance."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from modtool.moderation import PolicyLike
from modtool.tui.text import chip, safe


class GuidanceScreen(ModalScreen[None]):
    """A modal listing every label with its hotkey, action, guidance and examples."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="guidance.close"),
    ]

    def __init__(self, policy: PolicyLike, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.policy = policy
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="guidance"):
            yield Static(self._text(), id="guidance-text")

    def _text(self) -> Text:
        policy = self.policy
        text = Text()
        text.append(f"Policy {policy.name}", style="bold")
        if getattr(policy, "version", ""):
            text.append(f" v{policy.version}", style="dim")
        text.append("\n")
        for label in policy.labels:
            text.append("\n")
            text.append(f" {label.hotkey} ", style="bold reverse")
            text.append(" ")
            text.append_text(chip(label.key, getattr(label, "colour", None)))
            text.append(f" {label.name}", style="bold")
            if getattr(label, "action", ""):
                text.append(f"  ({label.action})", style="dim")
            guidance = getattr(label, "guidance", "")
            if guidance:
                text.append("\n    ")
                text.append_text(safe(" ".join(guidance.split())))
            for example in getattr(label, "examples", ()) or ():
                text.append("\n    e.g. ", style="dim")
                text.append_text(safe(str(example), style="italic"))
            text.append("\n")
        text.append("\nKeys\n", style="bold")
        for key, description in self.keys:
            text.append(f" {key:>7} ", style="bold")
            text.append(f" {description}\n")
        text.append("\nesc or ? closes", style="dim")
        return text
