"""One moderator working through a whole site: the queue across every thread.

The site session answers the same questions as the one-thread
:class:`~modtool.moderation.thread.Session` (what a comment says, its scores,
suggestions, who reviewed it, whether it was edited since), so the queue rows
and the detail pane draw either. It never loads the site: the queue is SQL
(:mod:`modtool.store.queue`), read a page at a time (:class:`LazyRows`), and
what a page needs is read for the page in a few queries and kept in a bounded
cache. Writes go through the store, which commits before it returns.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from modtool.errors import InputError
from modtool.models import Action, Comment, PolicyRef, ReviewState, Thread
from modtool.moderation.common import (
    ANY,
    SITE_SORTS,
    SORT_SCORE,
    Highlight,
    PolicyLike,
    Progress,
    QueueFilter,
    counted_keys,
    flags_of,
    highlights_of,
    suggested_keys,
)
from modtool.moderation.rows import PAGE, LazyRows
from modtool.moderation.writing import LabelWrites
from modtool.scoring.headline import Headline, headline
from modtool.store import Store
from modtool.store.authors import AuthorRef, author_of
from modtool.store.claims import Claim
from modtool.store.notes import Note, notes_for
from modtool.store.queue import ANY_SUGGESTION, QueueQuery

CACHE = 5_000
"""Comments whose details are kept (a few pages of the queue; least recently used go)."""


@dataclass(slots=True)
class Info:
    """What the screen shows of one comment (read for a page at a time)."""

    comment: Comment
    headline: Headline | None
    scores: dict[str, dict[str, float]]
    suggestions: list[Any]
    states: dict[str, ReviewState]
    edited: frozenset[str]
    flags: tuple[str, ...]
    replies: int | None = None
    """Replies below it at every depth: read when the detail pane first asks."""


def site_headline(models: Sequence[Any]) -> tuple[str, str] | None:
    """The ``(model, attribute)`` the site queue sorts by: the headline rule of
    :mod:`modtool.scoring.headline` applied to the models the store knows (Detoxify's
    toxicity when there is one, the latest registered first)."""
    shape = {m.id: {attribute: 0.0 for attribute in m.attributes} for m in models}
    found = headline(shape, [m.id for m in models])
    return None if found is None else (found.model, found.attribute)


class SiteSession(LabelWrites):
    """The moderation state of ``moderator`` on the whole database under ``policy``."""

    site = True

    def __init__(self, store: Store, policy: PolicyLike, moderator: str) -> None:
        self.store = store
        self.policy = policy
        self.ref: PolicyRef = policy.ref
        self.moderator = moderator
        self.labels = {label.key: label for label in policy.labels}
        self.counted = counted_keys(self.labels)
        self.models = store.scores.models()
        self.score = site_headline(self.models)
        self.seen_action_id = store.labels.max_action_id()
        self.claims: dict[int, Claim] = {}
        self._info: OrderedDict[int, Info] = OrderedDict()
        self._threads: dict[int, Thread] = {}
        self._counted: tuple[int, int, dict[str, int]] | None = None
        """This moderator's (reviewed, approved, per label): read when first shown."""
        self._sizes: tuple[int, int] | None = None
        """(present comments, threads): counting a million rows takes 0.3 s, so only
        when something shows them (the status line), never for ``queue --json``."""

    # -- loading ---------------------------------------------------------------------
    def load(self, ids: Iterable[int]) -> None:
        """Read what the screen needs for ``ids`` not cached yet (a page: a few queries)."""
        missing = [cid for cid in dict.fromkeys(ids) if cid not in self._info]
        if not missing:
            return
        store = self.store
        comments = store.comments.get_many(missing)
        scores = store.scores.for_comments(missing)
        suggestions = store.suggestions.for_comments(missing, self.ref.name)
        states = store.queue.states_for(missing, self.ref.name)
        edited = store.labels.edited_since_review(missing, policy_name=self.ref.name)
        for cid, claim in store.claims.held(missing, self.ref.name).items():
            if claim.moderator != self.moderator:
                self.claims[cid] = claim
        order = [m.id for m in self.models]
        for cid in missing:
            comment = comments.get(cid)
            if comment is None:
                continue
            by_model = scores.get(cid, {})
            self._info[cid] = Info(
                comment=comment,
                headline=self._headline(by_model, order),
                scores=by_model,
                suggestions=suggestions.get(cid, []),
                states=states.get(cid, {}),
                edited=edited.get(cid, frozenset()),
                flags=flags_of(comment),
            )
        self._threads_for({c.thread_id for c in comments.values()})
        while len(self._info) > CACHE:
            self._info.popitem(last=False)

    def _headline(self, by_model: dict[str, dict[str, float]], order: list[str]) -> Headline | None:
        if self.score is not None:
            model, attribute = self.score
            value = by_model.get(model, {}).get(attribute)
            if value is not None:
                return Headline(model, attribute, value)
        return headline(by_model, order) if by_model else None

    def _threads_for(self, thread_ids: set[int]) -> None:
        missing = thread_ids - self._threads.keys()
        if missing:
            self._threads.update(self.store.thread_stats.threads(missing))

    def info(self, cid: int) -> Info:
        found = self._info.get(cid)
        if found is None:
            self.load([cid])
            found = self._info[cid]
        else:
            self._info.move_to_end(cid)
        return found

    def rescored(self) -> None:
        """Scores changed (the scoring worker): the headline may be another model now."""
        self.models = self.store.scores.models()
        self.score = site_headline(self.models)
        self._info.clear()

    def forget(self, ids: Iterable[int]) -> None:
        """Drop cached details (the comments changed): read again when next shown."""
        for cid in ids:
            self._info.pop(cid, None)

    # -- what every view asks of a session --------------------------------------------
    @property
    def threads(self) -> int:
        return self._site_sizes()[1]

    def _site_sizes(self) -> tuple[int, int]:
        if self._sizes is None:
            self._sizes = (self.store.comments.count(), self.store.thread_stats.count())
        return self._sizes

    @property
    def scope_title(self) -> str:
        return f"the whole site: {self.threads:,} thread{'s' if self.threads != 1 else ''}"

    def has(self, cid: int) -> bool:
        try:
            self.info(cid)
        except KeyError:
            return False
        return True

    def comment(self, cid: int) -> Comment:
        return self.info(cid).comment

    def thread_of(self, cid: int) -> Thread:
        thread_id = self.info(cid).comment.thread_id
        self._threads_for({thread_id})
        return self._threads[thread_id]

    def headline(self, cid: int) -> Headline | None:
        return self.info(cid).headline

    def score_of(self, cid: int) -> float | None:
        found = self.info(cid).headline
        return None if found is None else found.value

    def scores_of(self, cid: int) -> dict[str, dict[str, float]]:
        return self.info(cid).scores

    def suggestions_of(self, cid: int) -> list[Any]:
        return self.info(cid).suggestions

    def suggested(self, cid: int) -> list[str]:
        return suggested_keys(self.labels, self.info(cid).suggestions)

    def highlights(self, cid: int) -> list[Highlight]:
        return highlights_of(self.info(cid).suggestions)

    def author_ref(self, cid: int) -> AuthorRef:
        """Who wrote ``cid``: their account on the thread's platform, or their name there."""
        return author_of(self.comment(cid), self.thread_of(cid).platform)

    def flags(self, cid: int) -> tuple[str, ...]:
        return self.info(cid).flags

    def replies(self, cid: int) -> int:
        info = self.info(cid)
        if info.replies is None:  # one comment's subtree, when the detail pane shows it
            info.replies = self.store.comments.reply_counts([cid]).get(cid, 0)
        return info.replies

    def mine(self, cid: int) -> ReviewState:
        return self.info(cid).states.get(self.moderator, ReviewState())

    def others(self, cid: int) -> dict[str, ReviewState]:
        states = self.info(cid).states
        return {m: s for m, s in sorted(states.items()) if m != self.moderator}

    def edited_since_review(self, cid: int, moderator: str | None = None) -> bool:
        return (moderator or self.moderator) in self.info(cid).edited

    def is_reviewed(self, cid: int) -> bool:
        """Reviewed by this moderator, for the comment's text as it is now."""
        return self.mine(cid).state != "unreviewed" and not self.edited_since_review(cid)

    def ancestors(self, cid: int) -> list[Comment]:
        return self.store.comments.ancestors(cid)

    def notes(self, cid: int) -> list[Note]:
        return notes_for(self.store.db, [cid], self.ref.name).get(cid, [])

    def claim_of(self, cid: int) -> Claim | None:
        return self.claims.get(cid)

    def set_claims(self, claims: dict[int, Claim]) -> set[int]:
        others = {cid: c for cid, c in claims.items() if c.moderator != self.moderator}
        changed = {
            cid for cid in set(others) | set(self.claims) if others.get(cid) != self.claims.get(cid)
        }
        self.claims = others
        return changed

    def progress(self) -> Progress:
        if self._counted is None:
            self.recount()
        assert self._counted is not None
        reviewed, approved, per_label = self._counted
        return Progress(reviewed, self._site_sizes()[0], approved, dict(per_label))

    def __len__(self) -> int:
        return self._site_sizes()[0]

    # -- the queue -----------------------------------------------------------------------
    def query(
        self, queue_filter: QueueFilter, sort: str = SORT_SCORE, *, skip_claimed: bool = False
    ) -> QueueQuery:
        """The filter as the store's query (author names and score attributes resolved)."""
        f = queue_filter
        minimums: list[tuple[str, str, float]] = []
        if f.min_score is not None:
            if self.score is None:
                raise InputError("no comment is scored yet: run `modtool score` first")
            minimums.append((*self.score, f.min_score))
        for attribute, minimum in f.min_scores:
            minimums.append((self.model_for(attribute), attribute, minimum))
        author = f.author_ref
        if author is None and f.author:
            author = self.author(f.author, f.platform)
        score = self.score
        if sort not in SITE_SORTS:  # an attribute (threat, a site model's site:spam)
            score, sort = (self.model_for(sort), sort), SORT_SCORE
        return QueueQuery(
            policy_name=self.ref.name,
            moderator=self.moderator,
            score=score,
            sort=sort,
            thread_id=f.thread_id,
            platform=f.platform,
            statuses=f.statuses,
            since=f.since,
            until=f.until,
            author=author,
            min_scores=tuple(minimums),
            label=f.label,
            suggestion=ANY_SUGGESTION if f.suggestion == ANY else f.suggestion,
            unreviewed=f.unreviewed,
            unmoderated=f.unmoderated,
            search=f.text,
            unclaimed_at=time.time() if skip_claimed else None,
        )

    def rows(
        self,
        queue_filter: QueueFilter,
        sort: str = SORT_SCORE,
        *,
        skip_claimed: bool = False,
        page: int = PAGE,
    ) -> LazyRows:
        """The queue's rows, the first page read (and its details loaded)."""
        query = self.query(queue_filter, sort, skip_claimed=skip_claimed)
        return LazyRows(
            lambda after, limit: self.store.queue.page(query, after=after, limit=limit),
            page=page,
            loaded=self.load,
        )

    def count(self, queue_filter: QueueFilter) -> int:
        return self.store.queue.count(self.query(queue_filter))

    def model_for(self, attribute: str) -> str:
        """The model whose ``attribute`` a filter means: the headline model if it has
        it, else the latest registered model that does."""
        if self.score is not None and any(
            m.id == self.score[0] and attribute in m.attributes for m in self.models
        ):
            return self.score[0]
        for model in reversed(self.models):
            if attribute in model.attributes:
                return model.id
        known = sorted({a for m in self.models for a in m.attributes})
        raise InputError(
            f"no model scored attribute {attribute!r}"
            + (f" (attributes: {', '.join(known)})" if known else " (nothing is scored yet)")
        )

    def author(self, name: str, platform: str | None = None) -> AuthorRef:
        """The one commenter called ``name`` (a clear error when none or several)."""
        matches = self.store.authors.find(name, platform)
        if not matches:
            where = f" on {platform}" if platform else ""
            raise InputError(f"no comments by {name!r}{where}")
        if len(matches) > 1:
            listed = "; ".join(f"{m.ref.describe()}: {m.comments}" for m in matches[:5])
            raise InputError(
                f"{name!r} names {len(matches)} commenters ({listed}): give --platform"
                if not platform
                else f"{name!r} names {len(matches)} commenters on {platform} ({listed})"
            )
        return matches[0].ref

    def next_unreviewed(self, rows: Sequence[int], after: int | None) -> int | None:
        """The first comment after ``after`` in ``rows`` this moderator has not reviewed
        (nor anyone else claimed), loading pages as needed, wrapping around."""
        start = 0
        if after is not None:
            try:
                start = rows.index(after) + 1
            except ValueError:
                start = 0
        index = start
        while True:
            if index >= len(rows):
                if isinstance(rows, LazyRows) and not rows.complete:
                    rows.load_more()
                    continue
                break
            cid = rows[index]
            if self.offered_next(cid, after):
                return cid
            index += 1
        for cid in rows[:start]:
            if self.offered_next(cid, after):
                return cid
        return None

    # -- writing: toggle, approve, note, undo, redo (LabelWrites) -------------------------
    def applied_elsewhere(self, actions: Sequence[Action]) -> None:
        """Actions written by another part of the app (a bulk action, the open thread)."""
        self._applied_many(list(actions))

    def _applied_many(self, actions: list[Action]) -> list[Action]:
        self.forget(a.comment_id for a in actions)
        self.recount()
        self.seen_action_id = max([self.seen_action_id, *(a.id for a in actions)])
        return actions

    def _applied(self, action: Action | None) -> Action | None:
        if action is None:
            return None
        self.seen_action_id = max(self.seen_action_id, action.id)
        info = self._info.get(action.comment_id)
        if info is None:
            self.recount()
            return action
        self._count(info, -1)
        after = action.after
        if after.state == "unreviewed" and not after.labels:
            info.states.pop(self.moderator, None)
        else:
            info.states[self.moderator] = after
        info.edited = info.edited - {self.moderator}
        self._count(info, +1)
        return action

    def _count(self, info: Info, sign: int) -> None:
        state = info.states.get(self.moderator)
        if state is None or state.state == "unreviewed" or self.moderator in info.edited:
            return
        if self._counted is None:
            return  # not read yet: read whole when first shown
        reviewed, approved, per_label = self._counted
        for label in state.labels:
            per_label[label] = per_label.get(label, 0) + sign
        self._counted = (
            reviewed + sign,
            approved + (sign if state.state == "approved" else 0),
            per_label,
        )

    def recount(self) -> None:
        """This moderator's progress from the store (reviews are few: cheap)."""
        self._counted = self.store.progress.counts(self.moderator, self.ref.name)

    def refresh_others(self) -> set[int]:
        """Pick up what other processes wrote since the last look; return the changed
        comment ids that are cached (on screen or near it)."""
        newest = self.store.labels.max_action_id()
        if newest <= self.seen_action_id:
            return set()
        changed = self.store.queue.changed_since(self.seen_action_id, None, self.ref.name)
        self.seen_action_id = newest
        shown = {cid for cid in changed if cid in self._info}
        self.forget(shown)
        self.recount()
        return shown
