"""The two lines at the top: what is open, and progress (always visible).

Both lines are built to fit: the progress line tries the whole label names,
then hotkeys with counts (``i3 h0 t1``, the legend is in ``?``), then a shorter
bar, so every label count and the background work (``scoring 3/27…``) show at
80 columns as well as at 120. The first line drops the policy version, then
cuts the thread title, never the scorer.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widget import Widget

from modtool.moderation import Progress
from modtool.tui.text import label_ink, safe_line

PROGRESS_CELLS = 20
MIN_PROGRESS_CELLS = 6


class StatusBar(Widget):
    """Thread, policy, moderator, view, filter and scorer; reviewed/total, per-label
    counts, background work."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.scoring = ""
        """Background work: ``scoring 3/27…``, ``scored 27``, ``scoring failed``."""
        self.scorer = ""
        """The scorer the UI scores with (``profanity-check``), or ``""`` when not scoring."""
        self.scorer_fallback = False
        """``auto`` fell back to :attr:`scorer` (``?`` says why)."""
        self.message = ""
        self._state: tuple[Any, str, str, str, bool] | None = None

    def show(
        self, session: Any, view: str, filter_text: str, sort: str, auto_advance: bool
    ) -> None:
        self._state = (session, view, filter_text, sort, auto_advance)
        self.refresh()

    def say(self, message: str) -> None:
        """Show ``message`` until the thread is open (e.g. while importing)."""
        self.message = message
        self.refresh()

    def render(self) -> Text:
        width = max(1, self.size.width)
        if self._state is None:
            return Text(f" {self.message}", style="italic", no_wrap=True)
        session = self._state[0]
        top = self.top_line(width)
        line = self.progress_line(session, width)
        return Text("\n").join([top, line])

    # -- the first line ------------------------------------------------------------
    def top_line(self, width: int) -> Text:
        assert self._state is not None
        session, view, filter_text, sort, auto_advance = self._state
        version = getattr(session.policy, "version", "")
        for with_version in (True, False):
            top = Text(no_wrap=True, overflow="ellipsis", end="")
            top.append(" modtool ", style="bold reverse")
            top.append(f" {view}", style="bold")
            if view in ("queue", "site"):
                top.append(f" ({filter_text}; by {sort})", style="bold")
            if auto_advance:
                top.append(" · auto", style="dim")
            top.append(f"  {session.policy.name}")
            if version and with_version:
                top.append(f" v{version}", style="dim")
            top.append("  ")
            top.append_text(safe_line(session.moderator, 20, style="italic"))
            top.append("  ")
            top.append_text(self._scorer_text())
            if top.cell_len + 12 <= width or not version:
                break
        left = width - top.cell_len - 2
        if left >= 4:
            top.append("  ")
            top.append_text(safe_line(session.scope_title, left, style="bold"))
        top.truncate(width, overflow="ellipsis")
        return top

    def _scorer_text(self) -> Text:
        if not self.scorer:
            return Text("no scoring", style="dim")
        text = Text()
        text.append("scorer ", style="dim")
        text.append(self.scorer, style="bold")
        if self.scorer_fallback:
            text.append(" (why: ?)", style="dim")
        return text

    # -- the progress line ----------------------------------------------------------
    def progress_line(self, session: Any, width: int) -> Text:
        progress = session.progress()
        if progress.total == 0:
            line = Text(" no comments", style="bold", no_wrap=True, end="")
            self._append_work(line)
            line.truncate(width, overflow="ellipsis")
            return line
        for names in (True, False):
            # The whole label names if they fit beside a short bar, else hotkeys; the
            # bar takes what is left (up to its full length).
            bare = self._progress(session, progress, names=names, cells=0, words=True)
            spare = width - bare.cell_len
            if spare >= MIN_PROGRESS_CELLS:
                cells = min(PROGRESS_CELLS, spare)
                return self._progress(session, progress, names=names, cells=cells, words=True)
            if not names and spare >= 0:
                return bare
        condensed = self._progress(session, progress, names=False, cells=0, words=False)
        condensed.truncate(width, overflow="ellipsis")
        return condensed

    def _progress(
        self, session: Any, progress: Progress, *, names: bool, cells: int, words: bool
    ) -> Text:
        line = Text(no_wrap=True, end="")
        reviewed = " reviewed" if words else ""
        line.append(f" {progress.reviewed}/{progress.total}{reviewed} ", style="bold")
        if cells:
            filled = round(progress.fraction * cells)
            line.append("█" * filled, style="green")
            line.append("░" * (cells - filled), style="dim")
        line.append(f" {progress.fraction:.0%}", style="bold")
        line.append(f"  ✓{progress.approved}", style="green")
        for key, count in progress.per_label.items():
            definition = session.labels.get(key)
            hotkey = getattr(definition, "hotkey", "") or ""
            ink = label_ink(getattr(definition, "colour", None))
            if names:
                line.append("  ")
                if hotkey:
                    line.append(hotkey, style="bold reverse")
                line.append(key, style=f"bold {ink}")
                line.append(f" {count}")
            else:
                line.append(" ")
                line.append(hotkey or key, style=f"bold {ink}")
                line.append(str(count))
        self._append_work(line)
        return line

    def _append_work(self, line: Text) -> None:
        if self.scoring:
            line.append(f"  {self.scoring}", style="italic")
