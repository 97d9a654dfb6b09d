"""``f``: pick a queue filter from a list (each choice toggles one filter)."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from modtool.moderation import ANY, QueueFilter
from modtool.tui.text import safe_line

THRESHOLDS = (0.5, 0.7, 0.9)


class FilterScreen(ModalScreen[QueueFilter | None]):
    """Choose a filter; dismiss with the new :class:`QueueFilter` or ``None`` on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f", "cancel", "Cancel", id="filter.cancel"),
    ]

    def __init__(self, current: QueueFilter, labels: list[str], author: str | None) -> None:
        super().__init__()
        self.current = current
        self.choices: dict[str, QueueFilter] = {}
        self._options: list[Option] = []
        c = current
        self._add(
            "unreviewed", "Unreviewed only", c.unreviewed, replace(c, unreviewed=not c.unreviewed)
        )
        for threshold in THRESHOLDS:
            on = c.min_score == threshold
            self._add(
                f"score-{threshold}",
                f"Score ≥ {threshold}",
                on,
                replace(c, min_score=None if on else threshold),
            )
        for key in labels:
            on = c.label == key
            self._add(f"label-{key}", f"Labelled {key}", on, replace(c, label=None if on else key))
        on = c.suggestion == ANY
        self._add("suggested-any", "Any suggestion", on, replace(c, suggestion=None if on else ANY))
        for key in labels:
            on = c.suggestion == key
            self._add(
                f"suggested-{key}",
                f"Suggested {key}",
                on,
                replace(c, suggestion=None if on else key),
            )
        if c.author is not None:
            self._add("author", f"By author {c.author}", True, replace(c, author=None))
        elif author is not None:
            self._add("author", f"By author {author}", False, replace(c, author=author))
        self._add("clear", "Clear all filters", False, QueueFilter())

    def _add(self, option_id: str, title: str, on: bool, result: QueueFilter) -> None:
        self.choices[option_id] = result
        prompt = Text("● " if on else "○ ", style="bold" if on else "dim")
        # Author names are untrusted: literal text only.
        prompt.append_text(safe_line(title, 60))
        self._options.append(Option(prompt, id=option_id))

    def compose(self) -> ComposeResult:
        with Vertical(id="filters"):
            yield Static(
                "Filter the queue (enter toggles; esc closes)", markup=False, id="filters-help"
            )
            yield OptionList(*self._options, id="filters-list")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        if option_id is not None:
            self.dismiss(self.choices[option_id])

    def action_cancel(self) -> None:
        self.dismiss(None)
