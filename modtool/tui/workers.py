"""What the app does in the background: importing FILE, scoring, picking up other
moderators' work, and claims (issue 21.7). Each worker has a database connection
of its own and reports back with a message; the UI never waits for it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from textual import work

from modtool.errors import ModtoolError
from modtool.moderation.claims import RENEW_S, ClaimKeeper
from modtool.store import open_store
from modtool.tui.messages import (
    ClaimRefused,
    ImportFinished,
    ScorerChosen,
    ScoringFinished,
    ScoringProgress,
    WorkFailed,
)

POLL_SECONDS = 1.0


class Workers:
    """Mixed into :class:`~modtool.tui.app.ModtoolApp`."""

    claims: ClaimKeeper | None = None

    # -- importing and scoring ----------------------------------------------------------
    @work(thread=True, exclusive=True, group="import")
    def import_document(self: Any, path: Path) -> None:
        """Import ``path`` on a connection of its own (idempotent)."""
        from modtool.ingest import import_path

        try:
            with open_store(self.db_path) as store:
                result = import_path(store, path)
        except ModtoolError as exc:
            self.post_message(WorkFailed("import", exc.message))
            return
        self.post_message(ImportFinished(result.thread_id, f"{result.total} comments"))

    def on_import_finished(self: Any, message: ImportFinished) -> None:
        self.__dict__.pop("_picker_ids", None)  # the picker's list has a new thread
        self._open_ref(message.thread_id)

    @work(thread=True, exclusive=True, group="scoring")
    def score_thread(self: Any, thread_id: int | None) -> None:
        """Score unscored comments of a thread (``None``: the site) with the scorer
        chosen (default ``auto``), then compute the policy's suggestions."""
        from textual.worker import get_current_worker

        from modtool.policy.suggest import suggest
        from modtool.scoring import make_scorer, score_store

        worker = get_current_worker()
        try:
            with open_store(self.db_path) as store:
                name = self.scorer_name or "auto"
                # The site model lives in the database it was trained on.
                scorer = make_scorer(name, **({"store": store} if name == "site" else {}))
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
                if thread_id is not None:
                    suggest(store, self.policy, thread_id)
        except ModtoolError as exc:
            self.post_message(WorkFailed("scoring", exc.message))
            return
        self.post_message(ScoringFinished(summary.scored, scorer.note))

    def on_scorer_chosen(self: Any, message: ScorerChosen) -> None:
        self.status.scorer = message.name
        self.status.scorer_fallback = bool(message.note)
        self.scorer_note = message.note
        self._refresh_status()

    def on_scoring_progress(self: Any, message: ScoringProgress) -> None:
        if message.total:
            self.status.scoring = f"scoring {message.done}/{message.total}…"
            self._refresh_status()

    def on_scoring_finished(self: Any, message: ScoringFinished) -> None:
        self.status.scoring = f"scored {message.scored}" if message.scored else ""
        session = self.session
        if session is not None:
            session.reload_scores()
            session.reload_suggestions()
            self.tree.rescored()
            self.queue.rescored()
            self._queue_dirty = True
            if self.view == "queue":
                self._rebuild_queue()
        if self.site is not None and message.scored:
            self.site.rescored()
            self.site_view.rescored()
        if self.selected is not None and self.source is not None:
            self.detail.show(self.source, self.selected)
        self._refresh_status()

    def on_work_failed(self: Any, message: WorkFailed) -> None:
        if message.what == "import":
            self._fail(message.message)
            return
        self.status.scoring = f"{message.what} failed (?)"
        self.scoring_error = message.message  # kept for `?` once the toast is gone
        self._refresh_status()
        self.notify(message.message, title=f"{message.what} failed", severity="error", timeout=10)

    # -- other moderators ---------------------------------------------------------------
    def poll_others(self: Any) -> None:
        """Show what other processes (other moderators) wrote since the last look, and
        who has which comment open."""
        changed: set[int] = set()
        for session in (self.session, self.site):
            if session is not None:
                changed |= session.refresh_others()
        if self.store is not None:  # who has what open (other UIs than this one)
            mine = self.claims.holder if self.claims is not None else None
            live = {
                cid: claim
                for cid, claim in self.store.claims.live(self.policy.ref.name).items()
                if claim.holder != mine
            }
            for session in (self.session, self.site):
                if session is not None:
                    changed |= session.set_claims(live)
        if changed:
            self._changed(changed)

    # -- claims ---------------------------------------------------------------------------
    def start_claims(self: Any) -> None:
        if not self.use_claims:
            return
        self.claims = ClaimKeeper(self.db_path, self.policy.ref.name, self.moderator)
        self.set_interval(RENEW_S, self._renew_claim, name="renew-claim")

    @work(thread=True, exclusive=True, group="claim")
    def _claim_in_worker(self: Any, comment_id: int) -> None:
        if self.claims is None:
            return
        try:
            other = self.claims.claim(comment_id)
        except ModtoolError:
            return  # a claim is a courtesy: never an error on screen
        if other is not None:
            self.post_message(ClaimRefused(comment_id, other.moderator))

    def claim(self: Any, comment_id: int) -> None:
        """Claim the comment on screen (in a worker: the cursor never waits for it)."""
        if self.claims is not None:
            self._claim_in_worker(comment_id)

    def on_claim_refused(self: Any, message: ClaimRefused) -> None:
        self.poll_others()  # show who has it, now rather than at the next poll

    @work(thread=True, exclusive=True, group="claim")
    def _renew_claim(self: Any) -> None:
        if self.claims is not None:
            try:
                self.claims.renew()
            except ModtoolError:
                return

    def stop_claims(self: Any) -> None:
        if self.claims is not None:
            with contextlib.suppress(ModtoolError):  # else the lease runs out by itself
                self.claims.close()
            self.claims = None
