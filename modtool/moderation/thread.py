"""One moderator working through one thread under one policy: the state the UI drives.

No Textual here (and no torch): the app in :mod:`modtool.tui` asks a
:class:`Session` what to show and tells it what the moderator did; everything
below can be tested without a terminal.

A session holds the thread's comments in document order, their scores and
headline score, the policy's suggestions, and every moderator's review states.
Writes go straight through :class:`~modtool.store.labels.LabelRepo`, which
commits before it returns, and only then update the in-memory state, so what
the screen shows as done is on disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from modtool.models import Action, Comment, PolicyRef, ReviewState, Thread
from modtool.moderation.common import (
    ANY,
    SORT_POSITION,
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
from modtool.moderation.writing import LabelWrites
from modtool.scoring.headline import Headline, headline, is_detoxify
from modtool.store import Store
from modtool.store.authors import AuthorRef, author_of
from modtool.store.claims import Claim
from modtool.store.notes import Note, notes_for


@dataclass(slots=True)
class Node:
    """A comment plus what the tree needs to draw it."""

    comment: Comment
    children: list[int] = field(default_factory=list)
    descendants: int = 0
    hottest: float | None = None
    """Highest headline score among the descendants (not the comment itself)."""
    headline: Headline | None = None
    flags: tuple[str, ...] = ()


class Session(LabelWrites):
    """The moderation state of ``moderator`` on ``thread`` under ``policy``."""

    site = False
    """One thread (the site session says ``True``)."""

    def __init__(self, store: Store, thread: Thread, policy: PolicyLike, moderator: str) -> None:
        self.store = store
        self.thread = thread
        self.policy = policy
        self.ref: PolicyRef = policy.ref
        self.moderator = moderator
        self.labels = {label.key: label for label in policy.labels}
        self.counted = counted_keys(self.labels)
        """Label keys that are labels proper (an ``approve`` label is the approve action)."""
        self.claims: dict[int, Claim] = {}
        """Other moderators' live claims on this thread's comments (see :meth:`set_claims`)."""
        self.nodes: dict[int, Node] = {}
        self.order: list[int] = []
        self.top_level: list[int] = []
        self.scores: dict[int, dict[str, dict[str, float]]] = {}
        self.suggestions: dict[int, list[Any]] = {}
        self.states: dict[int, dict[str, ReviewState]] = {}
        self.edited: dict[int, frozenset[str]] = {}
        """Comments edited after some moderators' reviews: ``{comment_id: moderators}``.
        Such a review no longer counts as reviewed (its labels are kept)."""
        self.seen_action_id = 0
        self._reviewed = 0
        self._approved = 0
        self._per_label: dict[str, int] = {}
        self._index: dict[int, int] = {}

    # -- loading ---------------------------------------------------------------
    def load(self) -> Session:
        self.seen_action_id = self.store.labels.max_action_id()
        nodes: dict[int, Node] = {}
        order: list[int] = []
        top: list[int] = []
        for comment in self.store.comments.iter_thread(self.thread.id):
            nodes[comment.id] = Node(comment, flags=flags_of(comment))
            order.append(comment.id)
            parent = nodes.get(comment.parent_id) if comment.parent_id is not None else None
            if parent is None:
                top.append(comment.id)
            else:
                parent.children.append(comment.id)
        self.nodes, self.order, self.top_level = nodes, order, top
        self._index = {cid: i for i, cid in enumerate(order)}
        self.reload_scores()
        self.reload_suggestions()
        self.states = self.store.labels.states_for_thread(self.thread.id, self.ref.name)
        self.edited = self.store.labels.edited_since_review(self.states, policy_name=self.ref.name)
        self._recount()
        return self

    def reload_scores(self) -> None:
        """Read scores again (after the scoring worker finished) and recompute badges."""
        self.scores = self.store.scores.for_thread(self.thread.id)
        order = [model.id for model in self.store.scores.models()]
        # A model always yields the same attributes, so when the rule picks a
        # Detoxify model's toxicity for one set of models, it picks the same
        # for every comment scored by that set: decide once per set.
        chosen: dict[tuple[str, ...], str] = {}
        for cid, node in self.nodes.items():
            node.descendants = 0
            node.hottest = None
            by_model = self.scores.get(cid)
            if not by_model:
                node.headline = None
                continue
            models = tuple(by_model)
            model = chosen.get(models)
            if model is not None and "toxicity" in by_model[model]:
                node.headline = Headline(model, "toxicity", by_model[model]["toxicity"])
                continue
            found = node.headline = headline(by_model, order)
            if found is not None and found.attribute == "toxicity" and is_detoxify(found.model):
                chosen[models] = found.model
        # Children come after their parent in document order: fold upwards.
        for cid in reversed(self.order):
            node = self.nodes[cid]
            parent_id = node.comment.parent_id
            parent = self.nodes.get(parent_id) if parent_id is not None else None
            if parent is None:
                continue
            parent.descendants += 1 + node.descendants
            for value in (node.hottest, node.headline.value if node.headline else None):
                if value is not None and (parent.hottest is None or value > parent.hottest):
                    parent.hottest = value

    def reload_suggestions(self) -> None:
        self.suggestions = self.store.suggestions.for_thread(self.thread.id, self.ref.name)

    # -- reading ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.order)

    def comment(self, cid: int) -> Comment:
        return self.nodes[cid].comment

    def score_of(self, cid: int) -> float | None:
        found = self.nodes[cid].headline
        return None if found is None else found.value

    def mine(self, cid: int) -> ReviewState:
        return self.states.get(cid, {}).get(self.moderator, ReviewState())

    def others(self, cid: int) -> dict[str, ReviewState]:
        return {m: s for m, s in sorted(self.states.get(cid, {}).items()) if m != self.moderator}

    def is_reviewed(self, cid: int) -> bool:
        """Reviewed by this moderator, for the comment's text as it is now."""
        return self.mine(cid).state != "unreviewed" and not self.edited_since_review(cid)

    def edited_since_review(self, cid: int, moderator: str | None = None) -> bool:
        """Was the comment edited after ``moderator``'s (default: this one's) review?"""
        return (moderator or self.moderator) in self.edited.get(cid, ())

    def suggested(self, cid: int) -> list[str]:
        """Suggested label keys, without repeats, in the policy's order."""
        return suggested_keys(self.labels, self.suggestions.get(cid, ()))

    def highlights(self, cid: int) -> list[Highlight]:
        """Spans of the body that a suggestion's regex rule matched."""
        return highlights_of(self.suggestions.get(cid, ()))

    # -- what every view asks of a session (the site session answers the same) ------
    @property
    def scope_title(self) -> str:
        return self.thread.title

    def has(self, cid: int) -> bool:
        return cid in self.nodes

    def thread_of(self, cid: int) -> Thread:
        return self.thread

    def headline(self, cid: int) -> Headline | None:
        return self.nodes[cid].headline

    def scores_of(self, cid: int) -> dict[str, dict[str, float]]:
        return self.scores.get(cid, {})

    def suggestions_of(self, cid: int) -> list[Any]:
        return self.suggestions.get(cid, [])

    def author_ref(self, cid: int) -> AuthorRef:
        """Who wrote ``cid``: their account on the thread's platform, or their name there."""
        return author_of(self.comment(cid), self.thread_of(cid).platform)

    def flags(self, cid: int) -> tuple[str, ...]:
        return self.nodes[cid].flags

    def replies(self, cid: int) -> int:
        """Replies below the comment (all depths)."""
        return self.nodes[cid].descendants

    def notes(self, cid: int) -> list[Note]:
        return notes_for(self.store.db, [cid], self.ref.name).get(cid, [])

    def claim_of(self, cid: int) -> Claim | None:
        """Another moderator's live claim on the comment, if any."""
        return self.claims.get(cid)

    def set_claims(self, claims: dict[int, Claim]) -> set[int]:
        """Take other moderators' live claims (from the UI's poll); the ids that changed."""
        others = {cid: c for cid, c in claims.items() if c.moderator != self.moderator}
        changed = {
            cid for cid in set(others) | set(self.claims) if others.get(cid) != self.claims.get(cid)
        }
        self.claims = others
        return changed

    def ancestors(self, cid: int) -> list[Comment]:
        """The chain from the top-level comment down to the parent of ``cid``."""
        chain = []
        parent_id = self.nodes[cid].comment.parent_id
        while parent_id is not None and parent_id in self.nodes:
            chain.append(self.nodes[parent_id].comment)
            parent_id = self.nodes[parent_id].comment.parent_id
        return chain[::-1]

    def progress(self) -> Progress:
        return Progress(self._reviewed, len(self.order), self._approved, dict(self._per_label))

    def position(self, cid: int) -> int:
        return self._index[cid]

    def authors(self) -> list[str]:
        return sorted({node.comment.author for node in self.nodes.values()}, key=str.casefold)

    # -- the queue ---------------------------------------------------------------
    def queue(self, queue_filter: QueueFilter | None = None, sort: str = SORT_SCORE) -> list[int]:
        """Comment ids that pass ``queue_filter``: highest headline score first, in
        document order (``position``), or highest score of one attribute first (any
        other ``sort``: e.g. ``threat``, a site model's ``site:spam``).

        A search (``text``) is full-text (SQLite FTS5, as on the site): bad syntax
        raises an :class:`~modtool.errors.InputError` with one clear line."""
        queue_filter = queue_filter or QueueFilter()
        found = None if not queue_filter.text else self._search(queue_filter.text)
        matches = [
            cid
            for cid in self.order
            if self._passes(cid, queue_filter) and (found is None or cid in found)
        ]
        if sort != SORT_POSITION:
            # Stable: equal scores keep document order; unscored comments go last.
            # Any other sort names an attribute (e.g. a site model's `site:spam`).
            value = (
                self.score_of if sort == SORT_SCORE else lambda cid: self.attribute_of(cid, sort)
            )
            matches.sort(key=lambda cid: -(v if (v := value(cid)) is not None else -1.0))
        return matches

    def attribute_of(self, cid: int, attribute: str) -> float | None:
        """The highest score any model gave ``cid`` for ``attribute``, or ``None``."""
        values = [s[attribute] for s in self.scores.get(cid, {}).values() if attribute in s]
        return max(values) if values else None

    def _passes(self, cid: int, f: QueueFilter) -> bool:
        if f.unreviewed and self.is_reviewed(cid):
            return False
        if f.min_score is not None:
            score = self.score_of(cid)
            if score is None or score < f.min_score:
                return False
        if f.label is not None and not any(
            f.label in state.labels for state in self.states.get(cid, {}).values()
        ):
            return False
        comment = self.nodes[cid].comment
        if f.author is not None and comment.author.casefold() != f.author.casefold():
            return False
        if f.suggestion is not None:
            suggested = self.suggestions.get(cid, ())
            if not suggested or (
                f.suggestion != ANY and f.suggestion not in {s.label for s in suggested}
            ):
                return False
        if f.unmoderated and self._reviewed_by_anyone(cid):
            return False
        if f.statuses and comment.status not in f.statuses:
            return False
        for attribute, minimum in f.min_scores:
            values = [m[attribute] for m in self.scores.get(cid, {}).values() if attribute in m]
            if not values or max(values) < minimum:
                return False
        return True

    def _reviewed_by_anyone(self, cid: int) -> bool:
        edited = self.edited.get(cid, frozenset())
        return any(
            state.state != "unreviewed"
            and not moderator.startswith("policy:")
            and moderator not in edited
            for moderator, state in self.states.get(cid, {}).items()
        )

    def _search(self, text: str) -> set[int]:
        return set(self.store.search.comment_ids(text, thread_id=self.thread.id))

    def next_unreviewed(self, order: Sequence[int], after: int | None) -> int | None:
        """The first unreviewed comment after ``after`` in ``order``, wrapping around
        (a comment another moderator has claimed is skipped)."""
        if not order:
            return None
        try:
            start = order.index(after) + 1 if after is not None else 0
        except ValueError:
            start = 0
        count = len(order)
        for step in range(count):
            cid = order[(start + step) % count]
            if self.offered_next(cid, after):
                return cid
        return None

    def next_unreviewed_in_document(self, after: int | None) -> int | None:
        """Like :meth:`next_unreviewed` over document order, without a list scan for ``after``."""
        if not self.order:
            return None
        start = self._index[after] + 1 if after in self._index else 0
        count = len(self.order)
        for step in range(count):
            cid = self.order[(start + step) % count]
            if self.offered_next(cid, after):
                return cid
        return None

    # -- writing: toggle, approve, note, undo, redo (LabelWrites) ----------------
    def _applied(self, action: Action | None) -> Action | None:
        if action is not None and action.comment_id in self.nodes:
            self._set_state(action.comment_id, self.moderator, action.after, restamped=True)
        return action

    def applied_elsewhere(self, actions: Sequence[Action]) -> None:
        """This moderator's actions written through another session (the site's)."""
        for action in actions:
            if action.actor == self.moderator and action.comment_id in self.nodes:
                self._set_state(action.comment_id, self.moderator, action.after, restamped=True)
        self.seen_action_id = max([self.seen_action_id, *(a.id for a in actions)])

    def refresh_others(self) -> set[int]:
        """Pick up what other processes wrote since the last look; return changed comment ids."""
        newest = self.store.labels.max_action_id()
        if newest <= self.seen_action_id:
            return set()
        changed = self.store.queue.changed_since(self.seen_action_id, self.thread.id, self.ref.name)
        self.seen_action_id = newest
        if not changed:
            return set()
        fresh = self.store.queue.states_for(changed, self.ref.name)
        edited = self.store.labels.edited_since_review(changed, policy_name=self.ref.name)
        for cid in changed:
            current = self.states.get(cid, {})
            new = fresh.get(cid, {})
            for moderator in set(current) | set(new):
                restamped = moderator not in edited.get(cid, ())
                self._set_state(cid, moderator, new.get(moderator, ReviewState()), restamped)
        return set(changed)

    def _set_state(
        self, cid: int, moderator: str, state: ReviewState, restamped: bool = False
    ) -> None:
        """``restamped``: the moderator's review is now for the current text (they acted)."""
        states = self.states.setdefault(cid, {})
        old = states.get(moderator, ReviewState())
        mine = moderator == self.moderator
        if mine:
            self._count(cid, old, -1)
        if state.state == "unreviewed" and not state.labels:
            states.pop(moderator, None)
        else:
            states[moderator] = state
        if restamped and moderator in self.edited.get(cid, ()):
            rest = self.edited[cid] - {moderator}
            if rest:
                self.edited[cid] = rest
            else:
                del self.edited[cid]
        if mine:
            self._count(cid, state, +1)

    def _recount(self) -> None:
        self._reviewed = self._approved = 0
        self._per_label = {key: 0 for key in self.counted}
        for cid, states in self.states.items():
            state = states.get(self.moderator) if cid in self.nodes else None
            if state is not None and state.state != "unreviewed":
                self._count(cid, state, +1)

    def _count(self, cid: int, state: ReviewState, sign: int) -> None:
        """Count (or uncount) a review of this moderator's that is for the current text."""
        if state.state == "unreviewed" or self.edited_since_review(cid):
            return
        self._reviewed += sign
        if state.state == "approved":
            self._approved += sign
        for label in state.labels:
            self._per_label[label] = self._per_label.get(label, 0) + sign
