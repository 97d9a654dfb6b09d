"""The moderation app: tree or queue on the left, the comment in detail on the right.

Build it with :func:`create_app` (the CLI, the Pilot tests and the snapshot
tests all do). State lives in a :class:`~modtool.moderation.Session`; the app
turns key presses into session calls and repaints only what changed. Each
label action has been committed by the store when the session call returns,
and only then does the screen show it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.markup import escape as escape_markup
from textual.screen import Screen
from textual.widgets import ContentSwitcher

from modtool.errors import ModtoolError
from modtool.models import Action, Thread
from modtool.moderation import SORT_POSITION, SORT_SCORE, SORTS, PolicyLike, QueueFilter, Session
from modtool.moderator import resolve_moderator
from modtool.store import Store, open_store
from modtool.store.fts import as_phrase
from modtool.tui.messages import (
    CommentHighlighted,
    ImportFinished,
    ScorerChosen,
    ScoringFinished,
    ScoringProgress,
    WorkFailed,
)
from modtool.tui.screens.filters import FilterScreen
from modtool.tui.screens.guidance import GuidanceScreen
from modtool.tui.screens.search import SearchScreen
from modtool.tui.widgets.detail import DetailPane
from modtool.tui.widgets.footer import FooterKey, KeyFooter
from modtool.tui.widgets.queue import QueueView
from modtool.tui.widgets.status import StatusBar
from modtool.tui.widgets.thread_tree import CommentTree

TREE, QUEUE = "tree", "queue"
POLL_SECONDS = 1.0
NARROW_SCREEN = 100
"""Below this many columns the detail pane takes less of the width (``#main.-narrow``)."""
FOOTER_ORDER = (
    "guidance",
    "approve",
    "next_unreviewed",
    "undo",
    "redo",
    "switch_view",
    "context",
    "filter",
    "sort",
    "search",
    "clear_filter",
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
    "undo",
    "quit",
    "switch_view",
    "redo",
    "context",
    "command_palette",
    "toggle_advance",
)
"""The footer keeps keys in this order as the width shrinks: all fit at 120 columns,
everything but redo, context and the palette at 80 (``?`` shows every key)."""
EXTRA_KEYS = [
    ("↑ ↓", "move (also j k)"),
    ("space", "tree: fold or unfold the comment's replies (also enter)"),
    ("pgup pgdn", "a page up or down; home, end: first, last"),
]
"""Keys the tree and queue handle themselves, listed in ``?`` with the app's."""
FOOTER_TEXT = {"clear_filter": "Clear", "toggle_advance": "Auto", "guidance": "Help"}
"""Below this many columns the detail pane takes less of the width (``#main.-narrow``)."""


class ModtoolApp(App[None]):
    """Moderate one thread by keyboard."""

    CSS_PATH = "app.tcss"
    TITLE = "modtool"
    ENABLE_COMMAND_PALETTE = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Leave; every action is already saved"),
        Binding(
            "a",
            "approve",
            "Approve",
            id="approve",
            tooltip="Mark the comment reviewed with no label",
        ),
        Binding(
            "n",
            "next_unreviewed",
            "Next",
            id="next_unreviewed",
            tooltip="Jump to the next unreviewed comment in this view's order",
        ),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo your last action (repeatable)"),
        Binding("r", "redo", "Redo", id="redo", tooltip="Redo the last undone action"),
        Binding(
            "v",
            "switch_view",
            "Tree/Queue",
            id="switch_view",
            tooltip="Switch between the reply tree and the flat queue",
        ),
        Binding(
            "c",
            "context",
            "Context",
            id="context",
            tooltip="Unfold or fold the chain of parents up to the article",
        ),
        Binding("f", "filter", "Filter", id="filter", tooltip="Filter the queue"),
        Binding("s", "sort", "Sort", id="sort", tooltip="Sort the queue by score or by position"),
        Binding(
            "slash",
            "search",
            "Search",
            id="search",
            key_display="/",
            tooltip="Search bodies and authors",
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
            tooltip="Remove the queue's filters and search",
        ),
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

    def __init__(
        self,
        *,
        db_path: Path,
        policy: PolicyLike,
        moderator: str,
        thread_ref: str | None = None,
        import_file: Path | None = None,
        scorer: str | None = "auto",
        auto_advance: bool = False,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.policy = policy
        self.moderator = moderator
        self.thread_ref = thread_ref
        self.import_file = import_file
        self.scorer_name = scorer
        self.auto_advance = auto_advance
        self.poll_seconds = poll_seconds
        self.store: Store | None = None
        self.session: Session | None = None
        self.view = TREE
        self.selected: int | None = None
        self.queue_filter = QueueFilter()
        self.sort = SORT_SCORE
        self.error: str | None = None
        self.scorer_note: str | None = None
        self.scoring_error: str | None = None
        """The background scoring's error, if it failed (shown in ``?``)."""
        """Why ``auto`` did not use Detoxify (shown in ``?``), once the worker has chosen."""
        self._queue_dirty = True
        self._label_keys: list[tuple[str, str, str]] = []
        taken = {b.key for b in _bindings(self.BINDINGS)}
        for label in policy.labels:
            hotkey = getattr(label, "hotkey", "") or ""
            if not hotkey or hotkey in taken:
                # e.g. the approve label on `a`: the app's approve key does the same.
                continue
            self._label_keys.append((hotkey, label.key, label.name))
            binding = Binding(
                hotkey,
                f"toggle_label({label.key!r})",
                label.name,
                id=f"label.{label.key}",
                tooltip=" ".join((getattr(label, "guidance", "") or "").split())[:200],
            )
            # Copy the list: the class-level map is shared between instances.
            existing = self._bindings.key_to_bindings.get(hotkey, [])
            self._bindings.key_to_bindings[hotkey] = [*existing, binding]

    # -- layout --------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        status = StatusBar(id="status")
        status.scorer = f"{self.scorer_name}…" if self.scorer_name else ""  # until chosen
        yield status
        with Horizontal(id="main"):
            with ContentSwitcher(initial=TREE, id="views"):
                yield CommentTree(id=TREE)
                yield QueueView(id=QUEUE)
            yield DetailPane(id="detail")
        yield KeyFooter(id="footer")

    @property
    def tree(self) -> CommentTree:
        return self.query_one(CommentTree)

    @property
    def queue(self) -> QueueView:
        return self.query_one(QueueView)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def footer(self) -> KeyFooter:
        return self.query_one(KeyFooter)

    def on_resize(self, event: events.Resize) -> None:
        self.query_one("#main").set_class(event.size.width < NARROW_SCREEN, "-narrow")

    # -- opening -------------------------------------------------------------------
    def on_mount(self) -> None:
        self.query_one("#main").set_class(self.size.width < NARROW_SCREEN, "-narrow")
        self.footer.show(self._footer_keys())
        try:
            self.store = open_store(self.db_path)
        except ModtoolError as exc:
            self._fail(exc.message)
            return
        if self.import_file is not None:
            self.status.say(f"importing {self.import_file.name}…")
            self.import_document(self.import_file)
        else:
            self._open_ref(self.thread_ref)

    def _open_ref(self, ref: str | int | None) -> None:
        assert self.store is not None
        try:
            thread = self.store.threads.resolve(ref)
        except ModtoolError as exc:
            self._fail(exc.message)
            return
        self.open_thread(thread)

    def open_thread(self, thread: Thread) -> None:
        """Load ``thread``, show it where this moderator left off, start scoring."""
        assert self.store is not None
        self.session = session = Session(self.store, thread, self.policy, self.moderator).load()
        self.tree.load(session)
        self._queue_dirty = True
        start = self.store.labels.last_comment(self.moderator, session.ref.name, thread.id)
        if start is None or start not in session.nodes:
            start = session.order[0] if session.order else None
        self.detail.session = session
        if start is not None:
            self._select(start)
        else:
            self.detail.show(session, None)
        self.tree.focus()
        self._refresh_status()
        _freeze_long_lived()
        if self.poll_seconds > 0:
            self.set_interval(self.poll_seconds, self.poll_others, name="poll-others")
        if self.scorer_name:
            self.score_thread(thread.id)

    def _fail(self, message: str) -> None:
        self.error = message
        self.exit(return_code=1)

    # -- workers ---------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="import")
    def import_document(self, path: Path) -> None:
        """Import ``path`` on a connection of its own (idempotent)."""
        from modtool.ingest import import_path

        try:
            with open_store(self.db_path) as store:
                result = import_path(store, path)
        except ModtoolError as exc:
            self.post_message(WorkFailed("import", exc.message))
            return
        self.post_message(ImportFinished(result.thread_id, f"{result.total} comments"))

    def on_import_finished(self, message: ImportFinished) -> None:
        self._open_ref(message.thread_id)

    @work(thread=True, exclusive=True, group="scoring")
    def score_thread(self, thread_id: int) -> None:
        """Score unscored comments (default ``auto`` scorer), then compute suggestions."""
        from textual.worker import get_current_worker

        from modtool.policy.suggest import suggest
        from modtool.scoring import make_scorer, score_store

        worker = get_current_worker()
        try:
            with open_store(self.db_path) as store:
                scorer = make_scorer(self.scorer_name or "auto")
                self.post_message(ScorerChosen(scorer.model.name, scorer.note))
                summary = score_store(
                    store,
                    scorer,
                    thread_id=thread_id,
                    progress=lambda done, total: self.post_message(ScoringProgress(done, total)),
                    should_stop=lambda: worker.is_cancelled,
                )
                if worker.is_cancelled:
                    return
                suggest(store, self.policy, thread_id)
        except ModtoolError as exc:
            self.post_message(WorkFailed("scoring", exc.message))
            return
        self.post_message(ScoringFinished(summary.scored, scorer.note))

    def on_scorer_chosen(self, message: ScorerChosen) -> None:
        self.status.scorer = message.name
        self.status.scorer_fallback = bool(message.note)
        self.scorer_note = message.note
        self._refresh_status()

    def on_scoring_progress(self, message: ScoringProgress) -> None:
        if message.total:
            self.status.scoring = f"scoring {message.done}/{message.total}…"
            self._refresh_status()

    def on_scoring_finished(self, message: ScoringFinished) -> None:
        session = self.session
        if session is None:
            return
        session.reload_scores()
        session.reload_suggestions()
        self.status.scoring = f"scored {message.scored}" if message.scored else ""
        self.tree.rescored()
        self.queue.rescored()
        self._queue_dirty = True
        if self.view == QUEUE:
            self._rebuild_queue()
        if self.selected is not None:
            self.detail.show(session, self.selected)
        self._refresh_status()

    def on_work_failed(self, message: WorkFailed) -> None:
        if message.what == "import":
            self._fail(message.message)
            return
        self.status.scoring = f"{message.what} failed (?)"
        self.scoring_error = message.message  # kept for `?` once the toast is gone
        self._refresh_status()
        self.notify(message.message, title=f"{message.what} failed", severity="error", timeout=10)

    # -- other moderators ---------------------------------------------------------------
    def poll_others(self) -> None:
        """Show what other processes (other moderators) wrote since the last look."""
        if self.session is None:
            return
        changed = self.session.refresh_others()
        if changed:
            self._changed(changed)

    # -- selection -------------------------------------------------------------------
    @on(CommentHighlighted)
    def _highlighted(self, message: CommentHighlighted) -> None:
        if message.view != self.view or message.comment_id != self.active_view.selected_comment:
            return  # the other view, or the cursor has moved on since (a later message follows)
        self._follow_cursor()

    def _follow_cursor(self) -> None:
        """Show the comment under the active view's cursor, if it is a new one."""
        cid = self.active_view.selected_comment
        if cid is not None and cid != self.selected and self.session is not None:
            self.selected = cid
            self.detail.show(self.session, cid)

    def _select(self, cid: int) -> None:
        """Put the cursor of the active view on ``cid`` and show it."""
        if self.session is None:
            return
        self.selected = cid
        if self.view == TREE:
            self.tree.select_comment(cid)
        elif not self.queue.select_comment(cid):
            self.notify("That comment is hidden by the queue's filter.", timeout=3)
        self.detail.show(self.session, cid)

    @property
    def active_view(self) -> CommentTree | QueueView:
        return self.tree if self.view == TREE else self.queue

    # -- actions: labeling ---------------------------------------------------------------
    def action_toggle_label(self, key: str) -> None:
        if self.session is None or self.selected is None:
            self.bell()
            return
        action = self._write(lambda s: s.toggle(self.selected, key))
        if action is not None:
            self._done(action, advance=True)

    def action_approve(self) -> None:
        if self.session is None or self.selected is None:
            self.bell()
            return
        action = self._write(lambda s: s.approve(self.selected))
        self._done(action, advance=True) if action is not None else self._advance()

    def action_undo(self) -> None:
        self._reverted(self._write(lambda s: s.undo()) or [], "Nothing to undo.")

    def action_redo(self) -> None:
        self._reverted(self._write(lambda s: s.redo()) or [], "Nothing to redo.")

    def _reverted(self, actions: list[Action], nothing: str) -> None:
        """Show an undone or redone step (one action, or a bulk group's)."""
        if not actions:
            self.notify(nothing, timeout=2)
            return
        if len(actions) > 1:
            self.notify(f"{len(actions)} comments changed back.", timeout=3)
        self._changed({action.comment_id for action in actions})
        last = actions[-1].comment_id
        if last != self.selected:
            self._select(last)

    def _write(self, call: Any) -> Any:
        """Run a session write; the store has committed when it returns."""
        if self.session is None:
            return None
        try:
            return call(self.session)
        except ModtoolError as exc:
            self.notify(exc.message, title="Not saved", severity="error", timeout=8)
            return None

    def _done(self, action: Action, *, advance: bool, show: bool = False) -> None:
        self._changed({action.comment_id})
        if show and action.comment_id != self.selected:
            self._select(action.comment_id)
        if advance:
            self._advance()

    def _advance(self) -> None:
        if self.auto_advance:
            self.action_next_unreviewed()

    def _changed(self, cids: set[int]) -> None:
        self.tree.changed(cids)
        self.queue.changed(cids)
        if self.selected in cids:
            self.detail.refresh_labels()
        self._refresh_status()

    # -- actions: moving ---------------------------------------------------------------
    def action_next_unreviewed(self) -> None:
        if self.session is None:
            return
        if self.view == TREE:
            cid = self.session.next_unreviewed_in_document(self.selected)
        else:
            cid = self.session.next_unreviewed(self.queue.rows, self.selected)
        if cid is None:
            self.notify("Every comment in this view is reviewed.", timeout=3)
            return
        self._select(cid)

    def action_cursor_down(self) -> None:
        self.active_view.action_cursor_down()
        self._follow_cursor()  # now, so the cursor and the detail change in one frame

    def action_cursor_up(self) -> None:
        self.active_view.action_cursor_up()
        self._follow_cursor()

    def action_switch_view(self) -> None:
        self._show_view(QUEUE if self.view == TREE else TREE)

    def _show_view(self, view: str) -> None:
        if self.session is None:
            return
        self.view = view
        self.query_one(ContentSwitcher).current = view
        # Focus now rather than after this handler (``focus()`` defers it): the
        # focus restyles then land in the same frame as the switch.
        self.set_focus(self.active_view, scroll_visible=False)  # the views fill their place
        if view == QUEUE:
            if self._queue_dirty:
                self._rebuild_queue()
            elif self.selected is not None:
                self.queue.select_comment(self.selected)
            selected = self.queue.selected_comment
            if selected is not None and selected != self.selected:
                self.selected = selected
                self.detail.show(self.session, selected)
        elif self.selected is not None:
            self.tree.select_comment(self.selected)
        self._refresh_status()
        _freeze_long_lived()  # the lines a switch opens or loads stay as long as the thread

    def _rebuild_queue(self) -> None:
        assert self.session is not None
        try:
            rows = self.session.queue(self.queue_filter, self.sort)
        except ModtoolError:  # not search syntax: look for the text as it was typed
            text = self.queue_filter.text or ""
            self.notify(
                f"Not search syntax: looking for {text!r} as a phrase.", title="Search", timeout=5
            )
            self.queue_filter = self.queue_filter.replace(text=as_phrase(text))
            rows = self.session.queue(self.queue_filter, self.sort)
        self._queue_dirty = False
        self.queue.show(self.session, rows, keep=self.selected)

    def action_context(self) -> None:
        if self.session is not None and self.selected is not None:
            self.detail.show(self.session, self.selected, context=not self.detail.context)

    # -- actions: queue -----------------------------------------------------------------
    def action_filter(self) -> None:
        if self.session is None:
            return
        author = self.session.comment(self.selected).author if self.selected is not None else None
        self.push_screen(
            FilterScreen(self.queue_filter, self.session.counted, author), self._set_filter
        )

    def _set_filter(self, new: QueueFilter | None) -> None:
        if new is None:
            return
        self.queue_filter = new
        self._apply_queue_change()

    def action_clear_filter(self) -> None:
        if self.queue_filter.active:
            self.queue_filter = QueueFilter()
            self._apply_queue_change()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._apply_queue_change()

    def action_search(self) -> None:
        self.push_screen(SearchScreen(self.queue_filter.text or ""), self._set_search)

    def _set_search(self, text: str | None) -> None:
        if text is None:
            return
        self._set_filter(QueueFilter(**{**_fields(self.queue_filter), "text": text or None}))

    def _apply_queue_change(self) -> None:
        self._queue_dirty = True
        if self.view == QUEUE:
            self._show_view(QUEUE)
        else:
            self._show_view(QUEUE)

    # -- actions: other --------------------------------------------------------------
    def action_guidance(self) -> None:
        keys = [(hotkey, f"toggle label {key} ({name})") for hotkey, key, name in self._label_keys]
        for binding in _bindings(self.BINDINGS):
            keys.append((_key_name(binding), binding.description))
            if binding.action == "cursor_up":
                keys += EXTRA_KEYS
        keys.append(("^p", "command palette: every key above is also a command"))
        if self.status.scorer:
            scoring = f"Scoring with {self.status.scorer.rstrip('…')}."
            if self.scorer_note:
                scoring += f" {self.scorer_note[0].upper()}{self.scorer_note[1:]}."
        else:
            scoring = "No background scoring (--scorer none)."
        if self.scoring_error:
            scoring += f" Scoring failed: {self.scoring_error}"
        self.push_screen(GuidanceScreen(self.policy, keys, scoring))

    def action_toggle_advance(self) -> None:
        self.auto_advance = not self.auto_advance
        self.notify(f"Auto-advance {'on' if self.auto_advance else 'off'}.", timeout=2)
        self._refresh_status()

    def _footer_keys(self) -> list[FooterKey]:
        """The footer's keys in their usual order; the lower ``FOOTER_PRIORITY``, the
        longer a key stays when the width runs out (``?`` lists them all)."""
        shown = {b.action: b for b in _bindings(self.BINDINGS)}
        keys = []
        for action in FOOTER_ORDER:
            binding = shown.get(action)
            if action == "command_palette":
                key, description = "^p", "Palette"
            elif binding is None:
                continue
            else:
                key = _key_name(binding)
                description = FOOTER_TEXT.get(action, binding.description)
            if action == "switch_view":
                description = "Tree" if self.view == QUEUE else "Queue"
            keys.append(FooterKey(key, description, action, FOOTER_PRIORITY.index(action)))
        return keys

    def _refresh_status(self) -> None:
        self.footer.show(self._footer_keys())
        if self.session is not None:
            self.status.show(
                self.session,
                self.view,
                self.queue_filter.describe(),
                "score" if self.sort == SORT_SCORE else "position",
                self.auto_advance,
            )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding is also a command in the palette (ctrl+p)."""
        yield from super().get_system_commands(screen)
        for hotkey, key, name in self._label_keys:
            yield _command(
                f"Label: {name}",
                f"Toggle label {key} [{hotkey}]",
                _call(self.action_toggle_label, key),
            )
        for binding in _bindings(self.BINDINGS):
            if binding.action == "quit":
                continue
            yield _command(
                binding.description,
                f"{binding.tooltip} [{_key_name(binding)}]",
                getattr(self, f"action_{binding.action}"),
            )

    def on_unmount(self) -> None:
        gc.unfreeze()  # collectable again once the app is gone
        if self.store is not None:
            self.store.close()


def _freeze_long_lived() -> None:
    """Keep what exists now out of the garbage collector's full collections.

    The session, the tree's nodes and its list of lines live as long as the
    thread is open. Left to the collector, each full collection walks all of
    them, 50-120 ms on a 20,000-comment thread: a keypress that happens to
    trigger one stalls. Young garbage is collected first, so only survivors are
    frozen; :meth:`ModtoolApp.on_unmount` unfreezes everything.
    """
    gc.collect(1)
    gc.freeze()


def _bindings(items: Iterable[BindingType]) -> list[Binding]:
    return [item for item in items if isinstance(item, Binding)]


def _command(title: str, help_text: str, callback: Any) -> SystemCommand:
    """A palette command from plain text.

    Textual reads a command's title and help as markup, so a key name in
    brackets (``[/]``, a policy's ``[i]``) or a policy's label name would be
    parsed, and a stray closing tag crashed the app (issue 16.15). Every
    palette command is built here, from escaped text.
    """
    return SystemCommand(escape_markup(title), escape_markup(help_text), callback)


def _key_name(binding: Binding) -> str:
    return binding.key_display or binding.key


def _call(function: Any, *args: Any) -> Any:
    return lambda: function(*args)


def _fields(value: QueueFilter) -> dict[str, Any]:
    return {name: getattr(value, name) for name in QueueFilter.__dataclass_fields__}


def create_app(
    db_path: Path | str,
    thread_ref: str | int | None = None,
    policy: PolicyLike | str | Path | None = None,
    moderator: str | None = None,
    *,
    import_file: Path | None = None,
    scorer: str | None = "auto",
    auto_advance: bool = False,
    poll_seconds: float = POLL_SECONDS,
) -> ModtoolApp:
    """The one way to build the app (CLI, Pilot tests, snapshot tests, benchmark).

    ``policy`` is a loaded policy, a path or a policy name (default: the
    default policy). ``scorer=None`` skips scoring (tests, benchmarks).
    """
    if policy is None or isinstance(policy, str | Path):
        from modtool.policy import DEFAULT_POLICY, load_policy

        policy = load_policy(policy if policy is not None else DEFAULT_POLICY)
    return ModtoolApp(
        db_path=Path(db_path),
        policy=policy,
        moderator=resolve_moderator(moderator),
        thread_ref=None if thread_ref is None else str(thread_ref),
        import_file=import_file,
        scorer=scorer,
        auto_advance=auto_advance,
        poll_seconds=poll_seconds,
    )


__all__ = ["QUEUE", "SORT_POSITION", "TREE", "ModtoolApp", "create_app"]
