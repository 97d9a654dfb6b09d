"""``T``: the thread picker. Type to filter the titles, ``ctrl+s`` to sort, enter
opens the thread's tree, esc goes back to where you were.

Sorting by a count (comments, unreviewed, unmoderated, hottest) needs every
thread's counts: they are read in a worker, on a connection of its own, while
the list stays usable; the sorts by id and newest are immediate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from modtool.store.threadstats import ThreadStats, sort_stats
from modtool.tui.widgets.threads import ThreadList

HELP = (
    "Threads · type to filter titles · ↑↓ pgup pgdn move · enter: open its tree · "
    "ctrl+s: sort · esc: back"
)
CHEAP = ("newest", "id")
SORTS = ("newest", "comments", "unreviewed", "unmoderated", "hottest", "id")
"""``ctrl+s`` goes round these (most of a count first; the counts need every thread's)."""


class ThreadPicker(ModalScreen[int | None]):
    """Choose a thread; dismiss with its id, or ``None``."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back", id="picker.cancel"),
        Binding("ctrl+s", "sort", "Sort", id="picker.sort"),
        Binding("up", "move(-1)", "Up", show=False, priority=True),
        Binding("down", "move(1)", "Down", show=False, priority=True),
        Binding("pageup", "page(-1)", "Page up", show=False, priority=True),
        Binding("pagedown", "page(1)", "Page down", show=False, priority=True),
    ]

    def __init__(
        self,
        ids: Callable[[str, str | None], list[int]],
        load: Callable[[list[int] | None], dict[int, ThreadStats]],
        current: int | None = None,
    ) -> None:
        """``ids(sort, title)``: thread ids by id or newest (titles containing ``title``);
        ``load(ids)``: the counts of those threads (``None``: all, slow)."""
        super().__init__()
        self.ids = ids
        self.load = load
        self.current = current
        self.sort = "newest"
        self.everything: dict[int, ThreadStats] | None = None
        self.counting = False

    def compose(self) -> ComposeResult:
        with Vertical(id="picker"):
            yield Static(HELP, markup=False, id="picker-help")
            yield Input(placeholder="filter titles…", id="picker-filter")
            yield ThreadList(self.load, id="picker-list")
            yield Static("", markup=False, id="picker-status")

    @property
    def threads(self) -> ThreadList:
        return self.query_one(ThreadList)

    def on_mount(self) -> None:
        self._refill(keep=self.current)
        self.query_one(Input).focus()

    def _filter_text(self) -> str:
        return self.query_one(Input).value.strip()

    def _refill(self, keep: int | None = None) -> None:
        text = self._filter_text()
        if self.sort in CHEAP or self.everything is None:
            order = self.ids(self.sort if self.sort in CHEAP else "newest", text or None)
        else:
            chosen = list(self.everything.values())
            if text:
                needle = text.casefold()
                chosen = [s for s in chosen if needle in s.title.casefold()]
            order = [s.id for s in sort_stats(chosen, self.sort)]
        self.threads.show(order, keep=keep if keep is not None else self.threads.selected)
        self._say(len(order))

    def _say(self, count: int) -> None:
        shown = self.sort if self.sort in CHEAP or self.everything is not None else "newest"
        note = f"{count:,} thread{'s' if count != 1 else ''} · sorted by {shown}"
        if self.counting:
            note += f" · counting every thread to sort by {self.sort}…"
        self.query_one("#picker-status", Static).update(note)

    @on(Input.Changed, "#picker-filter")
    def _filtered(self) -> None:
        self._refill()

    @on(Input.Submitted, "#picker-filter")
    def _chosen(self) -> None:
        self.dismiss(self.threads.selected)

    def action_move(self, step: int) -> None:
        self.threads.cursor += step

    def action_page(self, step: int) -> None:
        self.threads.cursor += step * max(1, self.threads.size.height - 2)

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        if self.sort not in CHEAP and self.everything is None and not self.counting:
            self.counting = True
            self.count_all()
        self._refill()

    @work(thread=True, exclusive=True, group="picker")
    def count_all(self) -> None:
        found = self.load(None)
        self.app.call_from_thread(self._counted, found)

    def _counted(self, found: dict[int, ThreadStats]) -> None:
        self.everything = found
        self.counting = False
        self.threads.stats.update(found)
        self._refill()

    def action_cancel(self) -> None:
        self.dismiss(None)
