"""The two lines at the top: what is open, and progress (always visible)."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from modtool.moderation import Session
from modtool.tui.text import label_ink, safe_line

PROGRESS_CELLS = 20


class StatusBar(Widget):
    """Thread, policy, moderator, view and filter; reviewed/total, per-label counts, scoring."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.scoring = ""
        self.message = ""
        self._state: tuple[Session, str, str, str, bool] | None = None

    def show(
        self, session: Session, view: str, filter_text: str, sort: str, auto_advance: bool
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
        session, view, filter_text, sort, auto_advance = self._state
        progress = session.progress()
        top = Text(no_wrap=True, overflow="ellipsis")
        top.append(" modtool ", style="bold reverse")
        top.append(f" {view}", style="bold")
        if view == "queue":
            top.append(f" ({filter_text}; by {sort})", style="bold")
        if auto_advance:
            top.append(" · auto-advance", style="dim")
        top.append(f"  {session.policy.name}")
        version = getattr(session.policy, "version", "")
        if version:
            top.append(f" v{version}", style="dim")
        top.append("  ")
        top.append_text(safe_line(session.moderator, 20, style="italic"))
        top.append("  ")
        top.append_text(safe_line(session.thread.title, 200, style="bold"))
        line = Text(no_wrap=True, overflow="ellipsis")
        filled = round(progress.fraction * PROGRESS_CELLS)
        line.append(f" {progress.reviewed}/{progress.total} reviewed ", style="bold")
        line.append("█" * filled, style="green")
        line.append("░" * (PROGRESS_CELLS - filled), style="dim")
        line.append(f" {progress.fraction:4.0%} ", style="bold")
        line.append(f" ✓{progress.approved}", style="green")
        for key, count in progress.per_label.items():
            definition = session.labels.get(key)
            hotkey = getattr(definition, "hotkey", "")
            line.append("  ")
            if hotkey:
                line.append(hotkey, style="bold reverse")
            line.append(f"{key}", style=f"bold {label_ink(getattr(definition, 'colour', None))}")
            line.append(f" {count}")
        if self.scoring:
            line.append(f"   {self.scoring}", style="italic")
        top.truncate(width, overflow="ellipsis")
        line.truncate(width, overflow="ellipsis")
        return Text("\n").join([top, line])
