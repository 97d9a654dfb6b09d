"""The thread picker's list: one line per thread, only the lines on screen drawn.

``id title comments unreviewed unmoderated hottest``. The counts of a thread are
read when its line is first drawn (a screenful at a time), so 50,000 threads
open as fast as fifty; sorting by a count reads them all (in a worker).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from modtool.store.threadstats import ThreadStats
from modtool.tui.text import badge, safe_line, styled
from modtool.tui.widgets.scrolling import SteadyScrollbars, set_virtual_size

Load = Callable[[list[int]], dict[int, ThreadStats]]
COUNT_WIDTH = 12


class ThreadList(SteadyScrollbars, ScrollView, can_focus=True):
    """Thread ids in order; the cursor line is highlighted."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"threads--cursor", "threads--header"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=False, repaint=False)

    def __init__(self, load: Load, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.load = load
        self.ids: list[int] = []
        self.stats: dict[int, ThreadStats] = {}

    def show(self, ids: list[int], keep: int | None = None) -> None:
        self.ids = ids
        set_virtual_size(self, Size(0, len(ids) + 1))
        index = ids.index(keep) if keep in ids else 0
        self.set_reactive(ThreadList.cursor, index)
        self.scroll_to(y=max(0, index - 2), animate=False)
        self.refresh()

    @property
    def selected(self) -> int | None:
        return self.ids[self.cursor] if 0 <= self.cursor < len(self.ids) else None

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.ids) - 1)) if self.ids else 0

    def watch_cursor(self, old: int, new: int) -> None:
        for index in (old, new):
            y = index + 1 - int(self.scroll_offset.y)
            if 0 <= y < self.size.height:
                self.refresh(Region(0, y, self.size.width, 1))
        self.scroll_to_region(Region(0, new + 1, 1, 1), animate=False, force=True, x_axis=False)

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.size.height - 2)

    def action_page_down(self) -> None:
        self.cursor += max(1, self.size.height - 2)

    def render_lines(self, crop: Region) -> list[Strip]:
        first = int(self.scroll_offset.y)
        wanted = [
            self.ids[i - 1]
            for i in range(first, first + self.size.height)
            if 1 <= i <= len(self.ids) and self.ids[i - 1] not in self.stats
        ]
        if wanted:
            self.stats.update(self.load(wanted))
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        index = y + int(self.scroll_offset.y)
        if index == 0:
            text = self._header(width)
            style = base + self.get_component_rich_style("threads--header")
        elif index - 1 < len(self.ids):
            text = self._line(self.ids[index - 1], width)
            style = base
            if index - 1 == self.cursor:
                style = base + self.get_component_rich_style("threads--cursor")
                text.stylize(self.get_component_rich_style("threads--cursor"))
        elif not self.ids and index == 1:
            text, style = styled("no thread matches", "italic dim"), base
        else:
            return Strip.blank(width, base)
        segments = [
            Segment(s.text, base + s.style if s.style else base, s.control)
            for s in text.render(self.app.console)
        ]
        return Strip(segments).adjust_cell_length(width, style)

    def _columns(self, width: int) -> int:
        """How many count columns fit beside a readable title (4 at 80 columns)."""
        return max(0, min(4, (width - 24) // COUNT_WIDTH))

    def _header(self, width: int) -> Text:
        names = ["comments", "unreviewed", "unmoderated", "hottest"][: self._columns(width)]
        text = Text(no_wrap=True, end="")
        text.append(f"{'id':>7} {'title':<{max(1, width - 8 - COUNT_WIDTH * len(names))}}")
        for name in names:
            text.append(f"{name:>{COUNT_WIDTH}}")
        text.stylize("bold")
        return text

    def _line(self, thread_id: int, width: int) -> Text:
        stat = self.stats.get(thread_id)
        columns = self._columns(width)
        title_width = max(1, width - 8 - COUNT_WIDTH * columns)
        text = Text(no_wrap=True, end="")
        text.append(f"{thread_id:>7} ", style="dim")
        title = safe_line(stat.title if stat else "…", title_width)
        title.pad_right(title_width - title.cell_len)
        text.append_text(title)
        if stat is None:
            return text
        values = [f"{stat.comments:,}", f"{stat.unreviewed:,}", f"{stat.unmoderated:,}"]
        for value in values[: min(3, columns)]:
            text.append(f"{value:>{COUNT_WIDTH}}")
        if columns >= 4:
            text.append(" " * (COUNT_WIDTH - 4))
            text.append_text(badge(stat.hottest, compact=True))
        return text
