"""Moving around: the cursor, next unreviewed, views (tree, thread queue, site
queue), the thread picker, the author view, filters, sort, search, the context
chain and the detail pane's scrolling. Mixed into the app."""

from __future__ import annotations

import gc
from typing import Any

from textual.widgets import ContentSwitcher

from modtool.errors import ModtoolError
from modtool.moderation import SITE_SORTS, SORTS, QueueFilter
from modtool.store.fts import as_phrase, check_query
from modtool.tui.bindings import EXTRA_KEYS, bindings, key_name
from modtool.tui.screens.filters import FilterScreen
from modtool.tui.screens.guidance import GuidanceScreen
from modtool.tui.screens.picker import ThreadPicker
from modtool.tui.screens.search import SearchScreen

TREE, QUEUE, SITE = "tree", "queue", "site"
DETAIL_STEP = 3


class NavigationActions:
    """Mixed into :class:`~modtool.tui.app.ModtoolApp`."""

    # -- moving ----------------------------------------------------------------------
    def action_next_unreviewed(self: Any) -> None:
        if self.source is None:
            return
        if self.view == TREE:
            cid = self.session.next_unreviewed_in_document(self.selected)
        elif self.view == QUEUE:
            cid = self.session.next_unreviewed(self.queue.rows, self.selected)
        else:
            cid = self.site.next_unreviewed(self.site_view.rows, self.selected)
            self.site_view._resize_rows()
        if cid is None:
            self.notify("Every comment in this view is reviewed.", timeout=3)
            return
        self._select(cid)

    def action_cursor_down(self: Any) -> None:
        self.active_view.action_cursor_down()
        self._follow_cursor()  # now, so the cursor and the detail change in one frame

    def action_cursor_up(self: Any) -> None:
        self.active_view.action_cursor_up()
        self._follow_cursor()

    def action_detail_down(self: Any) -> None:
        self.detail.scroll_lines(DETAIL_STEP)

    def action_detail_up(self: Any) -> None:
        self.detail.scroll_lines(-DETAIL_STEP)

    def action_context(self: Any) -> None:
        if self.source is not None and self.selected is not None:
            self.detail.show(self.source, self.selected, context=not self.detail.context)

    # -- views -----------------------------------------------------------------------
    def action_switch_view(self: Any) -> None:
        if self.view == SITE:
            self._open_selected_thread()
        elif self.session is not None:
            self._show_view(QUEUE if self.view == TREE else TREE)

    def _open_selected_thread(self: Any) -> None:
        """From the site queue: the selected comment's thread, as a tree, on it."""
        if self.selected is None or self.site is None:
            self.bell()
            return
        thread = self.site.thread_of(self.selected)
        self.open_thread(thread, at=self.selected)

    def action_site(self: Any) -> None:
        if self.store is not None:
            self.open_site()

    def action_threads(self: Any) -> None:
        if self.store is None:
            return
        current = None
        if self.source is not None and self.selected is not None:
            current = self.source.comment(self.selected).thread_id
        self.push_screen(ThreadPicker(self._thread_ids, self._thread_stats, current), self._picked)

    def _thread_ids(self: Any, sort: str, title: str | None) -> list[int]:
        """The picker's list: every thread by id or newest (kept while the app runs:
        50,000 threads take 30 ms to sort), or those whose title holds ``title``."""
        if title:
            return self.store.thread_stats.thread_ids(sort, title=title)
        cached = self.__dict__.setdefault("_picker_ids", {})
        if sort not in cached:
            cached[sort] = self.store.thread_stats.thread_ids(sort)
        return cached[sort]

    def _thread_stats(self: Any, ids: list[int] | None) -> dict:
        site = self.site
        from modtool.moderation import site_headline
        from modtool.store import open_store

        score = site.score if site is not None else site_headline(self.store.scores.models())
        if ids is None:  # every thread: in the picker's worker, on a connection of its own
            with open_store(self.db_path) as store:
                return store.thread_stats.stats(self.policy.ref.name, self.moderator, score)
        return self.store.thread_stats.stats(self.policy.ref.name, self.moderator, score, ids)

    def _picked(self: Any, thread_id: int | None) -> None:
        if thread_id is not None:
            self._open_ref(thread_id)

    def action_author(self: Any) -> None:
        """Every comment by the selected comment's author, across the site."""
        source = self.source
        if source is None or self.selected is None or self.store is None:
            self.bell()
            return
        comment = source.comment(self.selected)
        ref = source.author_ref(self.selected)
        self.site_filter = QueueFilter(author_ref=ref)
        self.site_sort = "newest"
        self.open_site()
        self._site_rows()
        if self.site_view.select_comment(comment.id):
            self._select(comment.id)
        labelled, by_label = self.store.authors.label_counts(ref, self.policy.ref.name)
        counts = ", ".join(f"{label} {count}" for label, count in by_label.items())
        self.notify(
            f"{ref.describe()}: {labelled} labeled" + (f" ({counts})" if counts else ""),
            title="Author",
            timeout=6,
        )

    def _show_view(self: Any, view: str) -> None:
        if (view == SITE and self.site is None) or (view != SITE and self.session is None):
            return
        self.view = view
        self.query_one(ContentSwitcher).current = view
        # Focus now rather than after this handler (``focus()`` defers it): the
        # focus restyles then land in the same frame as the switch.
        self.set_focus(self.active_view, scroll_visible=False)  # the views fill their place
        if view == QUEUE and self._queue_dirty:
            self._rebuild_queue()
        elif view != TREE and self.selected is not None:
            self.active_view.select_comment(self.selected)
        elif self.selected is not None and self.selected in self.session.nodes:
            self.tree.select_comment(self.selected)
        selected = self.active_view.selected_comment
        if selected is not None and (selected != self.selected or view == SITE):
            self.selected = selected
            self.detail.show(self.source, selected)
        self._refresh_status()
        gc.collect(1)
        gc.freeze()  # the lines a switch opens or loads stay as long as the view

    def _rebuild_queue(self: Any) -> None:
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

    # -- the queue's filter, sort and search -----------------------------------------
    def action_filter(self: Any) -> None:
        source = self.source
        if source is None:
            return
        author = source.comment(self.selected).author if self.selected is not None else None
        current = self.site_filter if self.view == SITE else self.queue_filter
        self.push_screen(FilterScreen(current, source.counted, author), self._set_filter)

    def _set_filter(self: Any, new: QueueFilter | None) -> None:
        if new is None:
            return
        if self.view == SITE:
            selected = self.selected
            if (
                new.author
                and new.author_ref is None
                and selected is not None
                and self.site.comment(selected).author == new.author
            ):  # "By author" in the dialog: the selected comment's author, by platform
                new = new.replace(author=None, author_ref=self.site.author_ref(selected))
            self.site_filter = new
        else:
            self.queue_filter = new
        self._apply_queue_change()

    def action_clear_filter(self: Any) -> None:
        if self.view == SITE:
            if self.site_filter.active or self.site_sort != SITE_SORTS[0]:
                self.site_filter, self.site_sort = QueueFilter(), SITE_SORTS[0]
                self._apply_queue_change()
        elif self.queue_filter.active:
            self.queue_filter = QueueFilter()
            self._apply_queue_change()

    def action_sort(self: Any) -> None:
        if self.view == SITE:
            self.site_sort = SITE_SORTS[(SITE_SORTS.index(self.site_sort) + 1) % len(SITE_SORTS)]
        else:
            self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self._apply_queue_change()

    def action_search(self: Any) -> None:
        current = self.site_filter if self.view == SITE else self.queue_filter
        self.push_screen(SearchScreen(current.text or ""), self._set_search)

    def _set_search(self: Any, text: str | None) -> None:
        if text is None:
            return
        current = self.site_filter if self.view == SITE else self.queue_filter
        self._set_filter(current.replace(text=text or None))

    def _apply_queue_change(self: Any) -> None:
        if self.view == SITE:
            if self.site is not None and self.site_filter.text:
                try:
                    check_query(self.site.store.db, self.site_filter.text)
                except ModtoolError:
                    text = self.site_filter.text
                    self.notify(
                        f"Not search syntax: looking for {text!r} as a phrase.",
                        title="Search",
                        timeout=5,
                    )
                    self.site_filter = self.site_filter.replace(text=as_phrase(text))
            self._site_rows()
            self._show_view(SITE)
            return
        self._queue_dirty = True
        self._show_view(QUEUE)

    # -- other ---------------------------------------------------------------------------
    def action_guidance(self: Any) -> None:
        keys = [(hotkey, f"toggle label {key} ({name})") for hotkey, key, name in self._label_keys]
        for binding in bindings(self.BINDINGS):
            tip = f": {binding.tooltip}" if binding.tooltip else ""
            keys.append((key_name(binding), f"{binding.description}{tip}"))
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

    def action_toggle_advance(self: Any) -> None:
        self.auto_advance = not self.auto_advance
        self.notify(f"Auto-advance {'on' if self.auto_advance else 'off'}.", timeout=2)
        self._refresh_status()
