"""``f``: choose the queue's filters: toggle several, then apply them together.

Space or enter toggles the highlighted filter (the dialog stays open), ``a`` or
the "Apply" line applies the ticked set, esc (or ``f``) closes without changing
what was applied before. Score thresholds, labels and suggestions are each one
choice: ticking another one of the same kind replaces it.
"""

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
APPLY, CLEAR = "apply", "clear"
HELP = "Filter the queue · space/enter: tick or untick · a: apply · esc: cancel"


class FilterScreen(ModalScreen[QueueFilter | None]):
    """Tick filters; dismiss with the new :class:`QueueFilter`, or ``None`` (cancel)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f", "cancel", "Cancel", id="filter.cancel"),
        Binding("a", "apply", "Apply", id="filter.apply"),
        Binding("space", "toggle", "Toggle", id="filter.toggle", show=False),
    ]

    def __init__(self, current: QueueFilter, labels: list[str], author: str | None) -> None:
        super().__init__()
        self.current = current
        self.pending = current
        """The filters ticked so far (applied by :meth:`action_apply`)."""
        self.labels = labels
        self.author = current.author or author
        self.choices: list[str] = self._choice_ids()

    def _choice_ids(self) -> list[str]:
        ids = ["unreviewed", *(f"score-{t}" for t in THRESHOLDS)]
        ids += [f"label-{key}" for key in self.labels]
        ids += ["suggested-any", *(f"suggested-{key}" for key in self.labels)]
        if self.author is not None:
            ids.append("author")
        return [*ids, "unmoderated", CLEAR, APPLY]

    # -- what each choice means ------------------------------------------------------
    def is_on(self, option_id: str, f: QueueFilter | None = None) -> bool:
        f = f or self.pending
        kind, _, value = option_id.partition("-")
        if option_id == "unreviewed":
            return f.unreviewed
        if option_id == "unmoderated":
            return f.unmoderated
        if kind == "score":
            return f.min_score == float(value)
        if kind == "label":
            return f.label == value
        if option_id == "suggested-any":
            return f.suggestion == ANY
        if kind == "suggested":
            return f.suggestion == value
        if option_id == "author":
            return f.author is not None or f.author_ref is not None
        return False

    def toggled(self, option_id: str, f: QueueFilter) -> QueueFilter:
        """``f`` with ``option_id`` ticked or unticked."""
        on = self.is_on(option_id, f)
        kind, _, value = option_id.partition("-")
        if option_id == CLEAR:
            return QueueFilter(text=f.text)  # the search is cleared by `/` or esc
        if option_id == "unreviewed":
            return replace(f, unreviewed=not on)
        if option_id == "unmoderated":
            return replace(f, unmoderated=not on)
        if kind == "score":
            return replace(f, min_score=None if on else float(value))
        if kind == "label":
            return replace(f, label=None if on else value)
        if option_id == "suggested-any":
            return replace(f, suggestion=None if on else ANY)
        if kind == "suggested":
            return replace(f, suggestion=None if on else value)
        if option_id == "author":
            return replace(f, author=None if on else self.author, author_ref=None)
        return f

    def _title(self, option_id: str) -> str:
        kind, _, value = option_id.partition("-")
        if option_id == "unreviewed":
            return "Unreviewed only (by you)"
        if option_id == "unmoderated":
            return "Unmoderated only (by nobody)"
        if kind == "score":
            return f"Score ≥ {value}"
        if kind == "label":
            return f"Labeled {value}"
        if option_id == "suggested-any":
            return "Any suggestion"
        if kind == "suggested":
            return f"Suggested {value}"
        if option_id == "author":
            return f"By author {self.author}"
        return option_id

    def _prompt(self, option_id: str) -> Text:
        if option_id == APPLY:
            return Text("✔ Apply (a)", style="bold")
        if option_id == CLEAR:
            return Text("✗ Untick all", style="dim")
        on = self.is_on(option_id)
        prompt = Text("● " if on else "○ ", style="bold" if on else "dim")
        # Author names are untrusted: literal text only.
        prompt.append_text(safe_line(self._title(option_id), 60))
        return prompt

    # -- the dialog ------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="filters"):
            yield Static(HELP, markup=False, id="filters-help")
            yield OptionList(
                *(Option(self._prompt(i), id=i) for i in self.choices), id="filters-list"
            )

    def toggle(self, option_id: str) -> None:
        """Tick or untick ``option_id`` (nothing is applied yet)."""
        self.pending = self.toggled(option_id, self.pending)
        options = self.query_one(OptionList)
        for choice in self.choices:
            options.replace_option_prompt(choice, self._prompt(choice))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        if option_id == APPLY:
            self.action_apply()
        elif option_id is not None:
            self.toggle(option_id)

    def action_toggle(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return
        option_id = options.get_option_at_index(options.highlighted).id
        if option_id == APPLY:
            self.action_apply()
        elif option_id is not None:
            self.toggle(option_id)

    def action_apply(self) -> None:
        self.dismiss(self.pending)

    def action_cancel(self) -> None:
        self.dismiss(None)
