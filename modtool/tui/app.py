"""The moderation app: a queue or a tree on the left, the comment in detail on the right.

Two shapes, one app. Opened without a thread, it works on the **site**: the
queue across every thread (:class:`~modtool.moderation.SiteSession`, SQL read a
page at a time), the author view, the thread picker. A thread (``--thread``,
a FILE, the picker's enter, ``v`` on a site row) opens the **thread** view: the
reply tree and the thread's queue (:class:`~modtool.moderation.Session`);
``⌫`` goes back to the site. The detail pane and the queue rows draw from
whichever session is showing: both answer the same questions.

Build it with :func:`create_app` (the CLI, the Pilot tests, the snapshot tests
and the benchmarks all do). The app turns key presses into session calls and
repaints only what changed; each label action has been committed by the store
when the session call returns, and only then does the screen show it. The keys
are in :mod:`modtool.tui.bindings`, their actions in :mod:`modtool.tui.labeling`
and :mod:`modtool.tui.navigation`, the background work in
:mod:`modtool.tui.workers`.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import ContentSwitcher

from modtool.errors import ModtoolError
from modtool.models import Action, Thread
from modtool.moderation import (
    SORT_POSITION,
    SORT_SCORE,
    PolicyLike,
    QueueFilter,
    Session,
    SiteSession,
)
from modtool.moderator import resolve_moderator
from modtool.store import Store, open_store
from modtool.tui import bindings as keys
from modtool.tui.labeling import LabelingActions
from modtool.tui.messages import CommentHighlighted
from modtool.tui.navigation import NavigationActions
from modtool.tui.widgets.detail import DetailPane
from modtool.tui.widgets.footer import FooterKey, KeyFooter
from modtool.tui.widgets.queue import QueueView
from modtool.tui.widgets.status import StatusBar
from modtool.tui.widgets.thread_tree import CommentTree
from modtool.tui.workers import POLL_SECONDS, Workers

TREE, QUEUE, SITE = "tree", "queue", "site"
NARROW_SCREEN = 100
"""Below this many columns the detail pane takes less of the width (``#main.-narrow``)."""


class ModtoolApp(LabelingActions, NavigationActions, Workers, App[None]):
    """Moderate a site, or one thread of it, by keyboard."""

    CSS_PATH = "app.tcss"
    TITLE = "modtool"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = keys.BINDINGS

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
        claims: bool = True,
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
        self.use_claims = claims
        self.store: Store | None = None
        self.session: Session | None = None
        """The open thread (the tree and the thread's queue)."""
        self.site: SiteSession | None = None
        """The whole site (the site queue and the author view)."""
        self.view = TREE
        self.selected: int | None = None
        self.queue_filter = QueueFilter()
        self.sort = SORT_SCORE
        self.site_filter = QueueFilter()
        self.site_sort = SORT_SCORE
        self.error: str | None = None
        self.scorer_note: str | None = None
        """Why ``auto`` did not use Detoxify (shown in ``?``), once the worker has chosen."""
        self.scoring_error: str | None = None
        """The background scoring's error, if it failed (shown in ``?``)."""
        self._queue_dirty = True
        self._label_keys: list[tuple[str, str, str]] = []
        taken = {b.key for b in keys.bindings(self.BINDINGS)}
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
                yield QueueView(id=SITE, site=True)
            yield DetailPane(id="detail")
        yield KeyFooter(id="footer")

    @property
    def tree(self) -> CommentTree:
        return self.query_one(CommentTree)

    @property
    def queue(self) -> QueueView:
        return self.query_one(f"#{QUEUE}", QueueView)

    @property
    def site_view(self) -> QueueView:
        return self.query_one(f"#{SITE}", QueueView)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def footer(self) -> KeyFooter:
        return self.query_one(KeyFooter)

    @property
    def active_view(self) -> CommentTree | QueueView:
        return {TREE: self.tree, QUEUE: self.queue}.get(self.view, self.site_view)

    @property
    def source(self) -> Any:
        """The session the screen shows now: the site's, or the open thread's."""
        return self.site if self.view == SITE else self.session

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
        self.start_claims()
        if self.poll_seconds > 0:
            self.set_interval(self.poll_seconds, self.poll_others, name="poll-others")
        if self.import_file is not None:
            self.status.say(f"importing {self.import_file.name}…")
            self.import_document(self.import_file)
        elif self.thread_ref is not None:
            self._open_ref(self.thread_ref)
        else:
            self.open_site()
            if self.scorer_name:
                self.score_thread(None)

    def _open_ref(self, ref: str | int | None) -> None:
        assert self.store is not None
        try:
            thread = self.store.threads.resolve(ref)
        except ModtoolError as exc:
            self._fail(exc.message)
            return
        self.open_thread(thread)

    def open_site(self) -> None:
        """Show the site queue (made the first time)."""
        assert self.store is not None
        if self.site is None:
            self.site = SiteSession(self.store, self.policy, self.moderator)
            self._site_rows()
        self._show_view(SITE)

    def _site_rows(self) -> None:
        assert self.site is not None
        try:
            rows = self.site.rows(self.site_filter, self.site_sort)
        except ModtoolError as exc:  # a filter the store cannot answer: say so, drop it
            self.notify(exc.message, title="Filter", severity="error", timeout=8)
            self.site_filter = QueueFilter()
            rows = self.site.rows(self.site_filter, self.site_sort)
        self.site_view.show(self.site, rows, keep=self.selected if self.view == SITE else None)

    def open_thread(self, thread: Thread, at: int | None = None) -> None:
        """Load ``thread``, show its tree where this moderator left off (or at ``at``),
        start scoring it."""
        assert self.store is not None
        self.session = session = Session(self.store, thread, self.policy, self.moderator).load()
        self.tree.load(session)
        self._queue_dirty = True
        self.queue_filter = QueueFilter()
        start = at if at is not None and at in session.nodes else None
        if start is None:
            start = self.store.labels.last_comment(self.moderator, session.ref.name, thread.id)
        if start is None or start not in session.nodes:
            start = session.order[0] if session.order else None
        self.view = TREE
        self.query_one(ContentSwitcher).current = TREE
        if start is not None:
            self._select(start)
        else:
            self.detail.show(session, None)
        self.tree.focus()
        self._refresh_status()
        _freeze_long_lived()
        if self.scorer_name:
            self.score_thread(thread.id)

    def _fail(self, message: str) -> None:
        self.error = message
        self.exit(return_code=1)

    # -- selection -------------------------------------------------------------------
    @on(CommentHighlighted)
    def _highlighted(self, message: CommentHighlighted) -> None:
        if message.view != self.view or message.comment_id != self.active_view.selected_comment:
            return  # the other view, or the cursor has moved on since (a later message follows)
        self._follow_cursor()

    def _follow_cursor(self) -> None:
        """Show the comment under the active view's cursor, if it is a new one."""
        cid = self.active_view.selected_comment
        if cid is not None and cid != self.selected and self.source is not None:
            self.selected = cid
            self.detail.show(self.source, cid)
            self.claim(cid)

    def _select(self, cid: int) -> None:
        """Put the cursor of the active view on ``cid`` and show it."""
        if self.source is None:
            return
        self.selected = cid
        if self.view == TREE:
            self.tree.select_comment(cid)
        elif not self.active_view.select_comment(cid):
            self.notify("That comment is hidden by the queue's filter.", timeout=3)
        self.detail.show(self.source, cid)
        self.claim(cid)

    def _changed(self, cids: set[int]) -> None:
        """Repaint these comments wherever they show (labels, claims changed)."""
        self.tree.changed(cids)
        self.queue.changed(cids)
        self.site_view.changed(cids)
        if self.selected in cids:
            self.detail.refresh_labels()
        self._refresh_status()

    def synced(self, actions: list[Action], origin: Any) -> None:
        """Actions written through ``origin``: the other session learns of them too."""
        for session in (self.site, self.session):
            if session is not None and session is not origin:
                session.applied_elsewhere(actions)
        self._changed({action.comment_id for action in actions})

    # -- status and footer -----------------------------------------------------------
    def _footer_keys(self) -> list[FooterKey]:
        """The footer's keys in their usual order; the lower ``FOOTER_PRIORITY``, the
        longer a key stays when the width runs out (``?`` lists them all)."""
        shown = {b.action: b for b in keys.bindings(self.BINDINGS)}
        footer = []
        for action in keys.FOOTER_ORDER:
            binding = shown.get(action)
            if action == "command_palette":
                key, description = "^p", "Palette"
            elif binding is None or (action == "site" and self.view == SITE):
                continue
            else:
                key = keys.key_name(binding)
                description = keys.FOOTER_TEXT.get(action, binding.description)
            if action == "switch_view":
                description = {TREE: "Queue", QUEUE: "Tree", SITE: "Thread"}[self.view]
            footer.append(FooterKey(key, description, action, keys.FOOTER_PRIORITY.index(action)))
        return footer

    def _refresh_status(self) -> None:
        self.footer.show(self._footer_keys())
        source = self.source
        if source is None:
            return
        if self.view == SITE:
            described, sort = self.site_filter.describe(), self.site_sort
        else:
            described = self.queue_filter.describe()
            sort = "score" if self.sort == SORT_SCORE else "position"
        self.status.show(source, self.view, described, sort, self.auto_advance)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding is also a command in the palette (ctrl+p)."""
        yield from super().get_system_commands(screen)
        for hotkey, key, name in self._label_keys:
            yield keys.command(
                f"Label: {name}",
                f"Toggle label {key} [{hotkey}]",
                keys.call(self.action_toggle_label, key),
            )
        for binding in keys.bindings(self.BINDINGS):
            if binding.action == "quit":
                continue
            yield keys.command(
                binding.description,
                f"{binding.tooltip} [{keys.key_name(binding)}]",
                getattr(self, f"action_{binding.action}"),
            )

    def on_unmount(self) -> None:
        gc.unfreeze()  # collectable again once the app is gone
        self.stop_claims()
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
    claims: bool = True,
) -> ModtoolApp:
    """The one way to build the app (CLI, Pilot tests, snapshot tests, benchmark).

    Without ``thread_ref`` and ``import_file`` it opens on the site queue.
    ``policy`` is a loaded policy, a path or a policy name (default: the default
    policy). ``scorer=None`` skips scoring (tests, benchmarks).
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
        claims=claims,
    )


__all__ = ["QUEUE", "SITE", "SORT_POSITION", "TREE", "ModtoolApp", "create_app"]
