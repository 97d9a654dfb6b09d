"""The footer: the most useful keys that fit the width, ``?`` always first.

Textual's ``Footer`` lays every binding out in a row that scrolls sideways when
narrow, so at 80 columns ``?``, Sort, Search and esc were off screen, and its
docked palette key let a letter of the hidden row show after it ("paletteU").
Here the keys are drawn as one line of text: each has a priority, the highest
ones that fit are shown in their usual order, and nothing is ever cut midway.
Drawing a line is also cheaper than the twenty widgets ``Footer`` remounts
after focus changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.events import Click
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class FooterKey:
    """One key in the footer: what is shown, what it runs, and how much it matters
    (``priority`` 0 is kept first when the width runs out)."""

    key: str
    description: str
    action: str
    priority: int


class KeyFooter(Widget):
    """One line of keys; a click on a key runs its action."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"key-footer--key", "key-footer--description"}

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.keys: list[FooterKey] = []
        self._spans: list[tuple[int, int, str]] = []

    def show(self, keys: list[FooterKey]) -> None:
        """Show ``keys`` (in the order given, dropping low priorities to fit)."""
        if keys != self.keys:
            self.keys = keys
            self.refresh()

    def fitting(self, width: int) -> list[FooterKey]:
        """The keys shown at ``width`` columns, in display order."""
        chosen: set[int] = set()
        used = 0
        for index, item in sorted(enumerate(self.keys), key=lambda pair: pair[1].priority):
            cells = len(item.key) + 1 + len(item.description) + (1 if chosen else 0)
            if used + cells <= width:
                chosen.add(index)
                used += cells
        return [item for index, item in enumerate(self.keys) if index in chosen]

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        text = Text(no_wrap=True, end="")
        spans = []
        for number, item in enumerate(self.fitting(self.size.width)):
            if number:
                text.append(" ")
            start = text.cell_len
            text.append(item.key, style=key_style)
            text.append(" ")
            text.append(item.description, style=description_style)
            spans.append((start, text.cell_len, item.action))
        self._spans = spans
        return text

    async def on_click(self, event: Click) -> None:
        for start, end, action in self._spans:
            if start <= event.x < end:
                await self.app.run_action(action)
                return
