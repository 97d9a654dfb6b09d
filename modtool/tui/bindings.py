"""The app's keys: one list of bindings (each with an id, a description and a tooltip),
the footer's order and priorities, and the palette commands built from them.

Every binding here is also a palette command (ctrl+p) and a line of ``?``;
``tests/test_tui_keys.py`` presses every one of them on every view.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.markup import escape as escape_markup

BINDINGS: list[BindingType] = [
    Binding("q", "quit", "Quit", id="quit", tooltip="Leave; every action is already saved"),
    Binding(
        "a", "approve", "Approve", id="approve", tooltip="Mark the comment reviewed with no label"
    ),
    Binding(
        "n",
        "next_unreviewed",
        "Next",
        id="next_unreviewed",
        tooltip="Jump to the next unreviewed comment in this view's order (skips claimed ones)",
    ),
    Binding("u", "undo", "Undo", id="undo", tooltip="Undo your last step (a bulk action at once)"),
    Binding("r", "redo", "Redo", id="redo", tooltip="Redo the last undone step"),
    Binding(
        "v",
        "switch_view",
        "Tree/Queue",
        id="switch_view",
        tooltip="Thread: switch between the reply tree and the flat queue; site: open the "
        "selected comment's thread",
    ),
    Binding(
        "T",
        "threads",
        "Threads",
        id="threads",
        tooltip="Pick a thread (comments, unreviewed, unmoderated, hottest score); enter opens it",
    ),
    Binding(
        "backspace",
        "site",
        "Site",
        id="site",
        key_display="⌫",
        tooltip="Back to the site queue (every thread)",
    ),
    Binding(
        "A",
        "author",
        "Author",
        id="author",
        tooltip="Every comment by the selected comment's author across the site, newest first",
    ),
    Binding(
        "c",
        "context",
        "Context",
        id="context",
        tooltip="Unfold or fold the chain of parents up to the article",
    ),
    Binding("f", "filter", "Filter", id="filter", tooltip="Filter the queue"),
    Binding("s", "sort", "Sort", id="sort", tooltip="Sort the queue (score, date or position)"),
    Binding(
        "slash",
        "search",
        "Search",
        id="search",
        key_display="/",
        tooltip="Full-text search of comments and authors (the site's, or the thread's)",
    ),
    Binding(
        "question_mark",
        "guidance",
        "Help",
        id="guidance",
        key_display="?",
        tooltip="The policy's labels, their guidance, and all keys",
    ),
    Binding(
        "escape",
        "clear_filter",
        "Clear filter",
        id="clear_filter",
        key_display="esc",
        tooltip="Remove the queue's filters and search (and the author view)",
    ),
    Binding(
        "m", "mark", "Mark", id="mark", tooltip="Mark or unmark the queue row for a bulk label"
    ),
    Binding("M", "bulk_marked", "Label marked", id="bulk_marked", tooltip="Label the marked rows"),
    Binding(
        "S",
        "bulk_subtree",
        "Label subtree",
        id="bulk_subtree",
        tooltip="Label the comment and every reply below it",
    ),
    Binding(
        "B",
        "bulk_author",
        "Label author",
        id="bulk_author",
        tooltip="Label every comment by the selected comment's author",
    ),
    Binding("N", "note", "Note", id="note", tooltip="Add a note to your verdict on the comment"),
    Binding(
        "J", "detail_down", "Detail ↓", id="detail_down", tooltip="Scroll the detail pane down"
    ),
    Binding("K", "detail_up", "Detail ↑", id="detail_up", tooltip="Scroll the detail pane up"),
    Binding("j", "cursor_down", "Down", id="cursor_down", tooltip="Move down (also ↓)"),
    Binding("k", "cursor_up", "Up", id="cursor_up", tooltip="Move up (also ↑)"),
    Binding(
        "ctrl+t",
        "toggle_advance",
        "Auto-advance",
        id="toggle_advance",
        key_display="^t",
        tooltip="After a label, move to the next unreviewed comment",
    ),
]

FOOTER_ORDER = (
    "guidance",
    "approve",
    "next_unreviewed",
    "undo",
    "redo",
    "switch_view",
    "threads",
    "site",
    "author",
    "context",
    "filter",
    "sort",
    "search",
    "clear_filter",
    "note",
    "detail_down",
    "toggle_advance",
    "command_palette",
    "quit",
)
FOOTER_PRIORITY = (
    "guidance",
    "approve",
    "next_unreviewed",
    "filter",
    "sort",
    "search",
    "clear_filter",
    "threads",
    "quit",
    "undo",
    "switch_view",
    "site",
    "author",
    "redo",
    "context",
    "command_palette",
    "detail_down",
    "note",
    "toggle_advance",
)
"""The footer keeps keys in this order as the width shrinks: at 80 columns ``? a n f
s / esc T q`` (the keys the README sends newcomers to, and the thread picker), at
120 also undo, redo, the views and the author view (``?`` shows every key)."""
FOOTER_TEXT = {
    "clear_filter": "Clear",
    "toggle_advance": "Auto",
    "guidance": "Help",
    "detail_down": "Scroll",
}
EXTRA_KEYS = [
    ("↑ ↓", "move (also j k)"),
    ("space", "tree: fold or unfold the comment's replies (also enter)"),
    ("pgup pgdn", "a page up or down; home, end: first, last"),
]
"""Keys the tree and queue handle themselves, listed in ``?`` with the app's."""


def bindings(items: Iterable[BindingType]) -> list[Binding]:
    return [item for item in items if isinstance(item, Binding)]


def key_name(binding: Binding) -> str:
    return binding.key_display or binding.key


def command(title: str, help_text: str, callback: Any) -> SystemCommand:
    """A palette command from plain text.

    Textual reads a command's title and help as markup, so a key name in
    brackets (``[/]``, a policy's ``[i]``) or a policy's label name would be
    parsed, and a stray closing tag crashed the app (issue 16.15). Every
    palette command is built here, from escaped text.
    """
    return SystemCommand(escape_markup(title), escape_markup(help_text), callback)


def call(function: Any, *args: Any) -> Any:
    return lambda: function(*args)
