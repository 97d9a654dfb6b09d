"""``?``: the policy's labels, their keys and their guidance, every key, the scorer.

Built from Rich grids and padding rather than one long ``Text``, so a wrapped
line keeps the indent of its paragraph (a hanging indent) at any width.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from modtool.moderation import PolicyLike
from modtool.tui.text import chip, label_ink, safe

CLOSE_HINT = "esc or ? closes"
INDENT = 4


class GuidanceScreen(ModalScreen[None]):
    """A modal listing every label with its hotkey, action, guidance and examples."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="guidance.close"),
    ]

    def __init__(self, policy: PolicyLike, keys: list[tuple[str, str]], scoring: str = "") -> None:
        super().__init__()
        self.policy = policy
        self.keys = keys
        self.scoring = scoring

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="guidance"):
            yield Static(self.renderable(), id="guidance-text")

    def renderable(self) -> RenderableType:
        policy = self.policy
        parts: list[RenderableType] = []
        title = Text()
        title.append(f"Policy {policy.name}", style="bold")
        if getattr(policy, "version", ""):
            title.append(f" v{policy.version}", style="dim")
        title.append(f"   {CLOSE_HINT}", style="dim")
        parts.append(title)
        for label in policy.labels:
            head = Text()
            head.append(f" {label.hotkey} ", style="bold reverse")
            head.append(" ")
            head.append_text(chip(label.key, getattr(label, "colour", None)))
            head.append(f" {label.name}", style="bold")
            if getattr(label, "action", ""):
                head.append(f"  ({label.action})", style="dim")
            parts += [Text(""), head]
            guidance = getattr(label, "guidance", "")
            if guidance:
                parts.append(Padding(safe(" ".join(guidance.split())), (0, 0, 0, INDENT)))
            examples = list(getattr(label, "examples", ()) or ())
            if examples:
                grid = Table.grid(padding=(0, 1))
                grid.add_column(no_wrap=True, style="dim")
                grid.add_column()
                for example in examples:
                    grid.add_row(Text("e.g."), safe(str(example), style="italic"))
                parts.append(Padding(grid, (0, 0, 0, INDENT)))
        parts += [Text(""), Text("The progress line", style="bold"), self._legend()]
        parts += [Text(""), Text("Keys", style="bold"), self._keys()]
        if self.scoring:
            parts += [Text(""), Text("Scoring", style="bold")]
            parts.append(Padding(safe(self.scoring), (0, 0, 0, 1)))
        parts += [Text(""), Text(CLOSE_HINT, style="dim")]
        return Group(*parts)

    def _legend(self) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, justify="right", min_width=9)
        grid.add_column()
        grid.add_row(Text("3/27"), Text("comments you have reviewed, of all in the thread"))
        grid.add_row(Text("✓1", style="green"), Text("approved (nothing wrong)"))
        for label in self.policy.labels:
            if getattr(label, "action", "") == "approve":
                continue
            key = getattr(label, "hotkey", "") or label.key
            ink = label_ink(getattr(label, "colour", None))
            grid.add_row(
                safe(f"{key}2", style=f"bold {ink}"),
                safe(f"2 comments labeled {label.key} ({label.name}); wide: {key}{label.key} 2"),
            )
        grid.add_row(
            Text("scoring…"), Text("background work: scoring 3/27…, scored 27, scoring failed")
        )
        return grid

    def _keys(self) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, justify="right", style="bold", min_width=9)
        grid.add_column()
        for key, description in self.keys:
            # Label names come from the policy file: literal text, never markup.
            grid.add_row(safe(key), safe(description))
        return grid
