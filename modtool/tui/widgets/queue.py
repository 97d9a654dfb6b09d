"""The flat moderation queue: a Line API list that draws only the rows on screen.

One widget for the thread's queue and the site's: its rows are a list of comment
ids (a thread) or :class:`~modtool.moderation.LazyRows` (the site, read a page
at a time: the next page is read when the cursor or the drawing comes near the
end of what is loaded). Sorting or filtering swaps the rows; rows are rendered
when they scroll into view and cached per comment (as text, and as the drawn
line) until that comment, the width or the widget's colours change. Marked rows
(``m``) carry a ``●`` for a bulk action on all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from modtool.moderation import LazyRows
from modtool.tui.messages import CommentHighlighted
from modtool.tui.text import badge, elide_path, safe_line, styled
from modtool.tui.widgets.labels import label_chips
from modtool.tui.widgets.scrolling import SteadyScrollbars, set_virtual_size

AUTHOR_WIDTH = 14
NARROW_AUTHOR_WIDTH = 10
PATH_WIDTH = 13
NARROW_PATH_WIDTH = 9
NARROW = 64
"""Rows narrower than this (an 80-column terminal) use the narrow columns."""
MIN_BODY = 12
THREAD_WIDTH = 16
"""The site queue's thread column (the title, cut short)."""
"""Label chips switch to hotkeys when whole names would leave less of the body."""


class QueueView(SteadyScrollbars, ScrollView, can_focus=True):
    """Comments as a flat list, one per line; the cursor row is highlighted."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"queue--cursor", "queue--header"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=False, repaint=False)
    """Index of the highlighted row in :attr:`rows`."""

    def __init__(self, *, site: bool = False, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.site = site
        """Rows from the whole site: a thread column instead of the reply path."""
        self.session: Any = None
        self.rows: Sequence[int] = []
        self.marked: set[int] = set()
        """Comments marked for a bulk action (``m``)."""
        self._cache: dict[int, Text] = {}
        self._strips: dict[int, Strip] = {}
        """Drawn non-cursor rows, for :attr:`_drawn_with` (width and base style)."""
        self._drawn_with: tuple[int, Style] | None = None
        self._id_width = 2
        self._path_width = 1
        self._flag_width = 0
        """1 when some comment of the thread carries a ⚠ flag (a column for it)."""
        self._empty = styled("no comments match the filter (esc clears it)", "italic dim")
        self._none = styled(
            "no comments here yet" if site else "this thread has no comments", "italic dim"
        )
        self._sized = 0

    def show(self, session: Any, rows: Sequence[int], keep: int | None = None) -> None:
        """Show ``rows`` (comment ids); keep the cursor on ``keep`` when it is among them."""
        if session is not self.session:
            if self.site:
                self._id_width = len(str(len(session) or 1)) + 1
                self._flag_width = 1
            else:
                self._id_width = len(str(max(session.nodes, default=0))) + 1
                paths = (len(n.comment.path) for n in session.nodes.values())
                self._path_width = max(paths, default=1)
                self._flag_width = 1 if any(n.flags for n in session.nodes.values()) else 0
        self.session = session
        self.rows = rows
        self.marked &= set(rows)
        self._forget()
        self._resize_rows()
        index = 0
        if keep is not None:
            try:
                index = rows.index(keep)
            except ValueError:
                index = 0
        self.set_reactive(QueueView.cursor, index)
        self._scroll_to_cursor()
        self.refresh()
        if rows:
            self.post_message(CommentHighlighted(rows[index], "queue"))

    @property
    def selected_comment(self) -> int | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    def select_comment(self, cid: int) -> bool:
        try:
            index = self.rows.index(cid)
        except ValueError:
            return False
        self.cursor = index
        return True

    def toggle_mark(self, cid: int) -> None:
        """Mark or unmark ``cid`` for a bulk action."""
        self.marked.symmetric_difference_update({cid})
        self.changed({cid})

    def clear_marks(self) -> None:
        marked, self.marked = self.marked, set()
        self.changed(marked)

    def _resize_rows(self) -> None:
        """Size the scroll area for the loaded rows (plus a line while more can load)."""
        more = isinstance(self.rows, LazyRows) and not self.rows.complete
        size = len(self.rows) + (1 if more else 0)
        if size != self._sized:
            self._sized = size
            set_virtual_size(self, Size(0, size))

    def _load_towards(self, index: int) -> None:
        """Read pages of a lazy queue until ``index`` (and a screen more) is loaded."""
        rows = self.rows
        if (
            isinstance(rows, LazyRows)
            and not rows.complete
            and index + self.size.height >= len(rows)
        ):
            rows.ensure(index + 2 * max(self.size.height, 1))
            self._resize_rows()

    def changed(self, cids: set[int] | list[int]) -> None:
        for cid in cids:
            self._cache.pop(cid, None)
            self._strips.pop(cid, None)
        self.refresh()

    def rescored(self) -> None:
        self._forget()
        self.refresh()

    def _forget(self) -> None:
        self._cache.clear()
        self._strips.clear()

    # -- cursor -------------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        self._load_towards(value)
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_to_cursor()
        cid = self.selected_comment
        if cid is not None:
            self.post_message(CommentHighlighted(cid, "queue"))

    def _refresh_row(self, index: int) -> None:
        y = index - int(self.scroll_offset.y)
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _scroll_to_cursor(self) -> None:
        self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, force=True, x_axis=False)

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        self.cursor -= max(1, self.size.height - 1)

    def action_page_down(self) -> None:
        self.cursor += max(1, self.size.height - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        if isinstance(self.rows, LazyRows):
            self.rows.ensure(len(self.rows) + 10 * self.rows.page)  # ten pages at most
            self._resize_rows()
        self.cursor = len(self.rows) - 1

    def on_click(self, event: Click) -> None:
        index = event.y + int(self.scroll_offset.y)
        if 0 <= index < len(self.rows):
            self.cursor = index

    # -- drawing ------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        # ``rich_style`` walks the ancestors' styles: once per paint, not per line.
        self._base_style = self.rich_style
        # Rows are cut to the width left of the scrollbar (no horizontal scrolling).
        drawn_with = (self.scrollable_content_region.width, self._base_style)
        if drawn_with != self._drawn_with:
            if self._drawn_with is None or drawn_with[0] != self._drawn_with[0]:
                self._cache.clear()
            self._strips.clear()
            self._drawn_with = drawn_with
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = y + int(self.scroll_offset.y)
        base = getattr(self, "_base_style", None) or self.rich_style
        if not self.rows:
            if y == 0:
                empty = self._empty if self.session is None or len(self.session) else self._none
                return Strip(list(empty.render(self.app.console))).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        self._load_towards(index)
        if index >= len(self.rows):
            lazy = isinstance(self.rows, LazyRows)
            if index == len(self.rows) and lazy and not self.rows.complete:
                more = styled("… more below: loading as you move down", "italic dim")
                return Strip(list(more.render(self.app.console))).adjust_cell_length(width, base)
            return Strip.blank(width, base)
        cid = self.rows[index]
        cursor = index == self.cursor
        if not cursor and (strip := self._strips.get(cid)) is not None:
            return strip
        text = self._cache.get(cid)
        if text is None:
            text = self._cache[cid] = self._row(cid, width)
        if cursor:
            text = text.copy()
            text.stylize(self.get_component_rich_style("queue--cursor"))
        segments = [
            Segment(s.text, base + s.style if s.style else base, s.control)
            for s in text.render(self.app.console)
        ]
        style = base + self.get_component_rich_style("queue--cursor") if cursor else base
        strip = Strip(segments).adjust_cell_length(width, style)
        if not cursor:
            self._strips[cid] = strip
        return strip

    def _row(self, cid: int, width: int) -> Text:
        """``● path #id score ⚠author chips body`` (a thread) or ``● #id score ⚠author
        thread chips body`` (the site): the path whole when it fits its column, else
        elided in the middle; the thread title cut short; narrow rows use narrower
        columns and hotkey chips, so the body keeps a readable share."""
        session = self.session
        comment = session.comment(cid)
        found = session.headline(cid)
        narrow = width < NARROW
        author_width = NARROW_AUTHOR_WIDTH if narrow else AUTHOR_WIDTH
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        if self.marked:
            text.append("●" if cid in self.marked else " ", style="bold")
        if not self.site:
            path_width = min(self._path_width, NARROW_PATH_WIDTH if narrow else PATH_WIDTH)
            text.append(f"{elide_path(comment.path, path_width):>{path_width}} ", style="dim")
        text.append(f"{'#' + str(comment.id):<{self._id_width}} ", style="dim")
        text.append_text(badge(found.value if found else None, compact=narrow))
        text.append(" ")
        if self._flag_width:
            text.append("⚠" if session.flags(cid) else " ", style="bold red")
        author = safe_line(comment.author, author_width, style="bold")
        author.pad_right(author_width - author.cell_len)
        text.append_text(author)
        text.append(" ")
        if self.site:
            title = safe_line(session.thread_of(cid).title, THREAD_WIDTH if not narrow else 8)
            title.stylize("italic")
            title.pad_right((THREAD_WIDTH if not narrow else 8) - title.cell_len)
            text.append_text(title)
            text.append(" ")
        chips = label_chips(session, cid)
        if width - text.cell_len - chips.cell_len < MIN_BODY:
            chips = label_chips(session, cid, compact=True)
        text.append_text(chips)
        rest = max(0, width - text.cell_len)
        text.append_text(safe_line(comment.body, rest, style="dim"))
        text.truncate(width)
        return text
