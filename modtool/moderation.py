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

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from modtool.models import Action, Comment, PolicyRef, ReviewState, Thread
from modtool.safe_text import BIDI, CONTROL, HIDDEN, ZERO_WIDTH
from modtool.scoring.headline import Headline, headline, is_detoxify
from modtool.store import Store

SORT_SCORE = "score"
SORT_POSITION = "position"
SORTS = (SORT_SCORE, SORT_POSITION)
SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + re.escape(BIDI + ZERO_WIDTH) + "]")
"""Any character :func:`modtool.safe_text.terminal_safe` changes (C0 but tab and newline,
DEL, C1, bidi, zero-width). Stdlib ``re``: five times faster than ``regex`` for
this screening of every comment when a thread opens (a test checks it agrees)."""
ANY = "*"
"""``QueueFilter.suggestion`` value meaning "any suggestion"."""


class LabelDefLike(Protocol):
    key: str
    name: str
    guidance: str
    hotkey: str
    action: str
    colour: str


class PolicyLike(Protocol):
    """What the session needs from :class:`modtool.policy.Policy`."""

    name: str
    version: str
    labels: tuple[Any, ...]

    @property
    def ref(self) -> PolicyRef: ...


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """Which comments the queue shows. Every field that is set must match."""

    unreviewed: bool = False
    min_score: float | None = None
    label: str | None = None
    """A label key applied by anyone, or ``None``."""
    author: str | None = None
    """Exact author name (case-insensitive)."""
    suggestion: str | None = None
    """A suggested label key, :data:`ANY` for any suggestion, or ``None``."""
    text: str | None = None
    """Search text: matches body or author, case-insensitive."""

    @property
    def active(self) -> bool:
        return self != QueueFilter()

    def describe(self) -> str:
        parts = []
        if self.unreviewed:
            parts.append("unreviewed")
        if self.min_score is not None:
            parts.append(f"score ≥ {self.min_score:.2f}")
        if self.label:
            parts.append(f"label {self.label}")
        if self.author:
            parts.append(f"author {self.author}")
        if self.suggestion:
            parts.append(
                "any suggestion" if self.suggestion == ANY else f"suggested {self.suggestion}"
            )
        if self.text:
            parts.append(f"search “{self.text}”")
        return ", ".join(parts) or "all"


@dataclass(slots=True)
class Progress:
    """This moderator's progress on the thread."""

    reviewed: int
    total: int
    approved: int
    per_label: dict[str, int]

    @property
    def fraction(self) -> float:
        return self.reviewed / self.total if self.total else 1.0


@dataclass(frozen=True, slots=True)
class Highlight:
    """A matched span of a comment body (character offsets into the raw body)."""

    start: int
    end: int
    label: str


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


class Session:
    """The moderation state of ``moderator`` on ``thread`` under ``policy``."""

    def __init__(self, store: Store, thread: Thread, policy: PolicyLike, moderator: str) -> None:
        self.store = store
        self.thread = thread
        self.policy = policy
        self.ref: PolicyRef = policy.ref
        self.moderator = moderator
        self.labels = {label.key: label for label in policy.labels}
        self.counted = [
            key for key, label in self.labels.items() if getattr(label, "action", "") != "approve"
        ]
        """Label keys that are labels proper (an ``approve`` label is the approve action)."""
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
            flags: tuple[str, ...] = ()
            if SUSPECT.search(comment.body) or SUSPECT.search(comment.author):
                if HIDDEN.search(comment.body) or HIDDEN.search(comment.author):
                    flags += ("hidden",)
                if CONTROL.search(comment.body) or CONTROL.search(comment.author):
                    flags += ("control",)
            nodes[comment.id] = Node(comment, flags=flags)
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
        keys = {s.label for s in self.suggestions.get(cid, ())}
        return [key for key in self.labels if key in keys] + sorted(keys - self.labels.keys())

    def highlights(self, cid: int) -> list[Highlight]:
        """Spans of the body that a suggestion's regex rule matched."""
        found = []
        for suggestion in self.suggestions.get(cid, ()):
            for reason in suggestion.reasons:
                if reason.get("kind") == "regex" and reason.get("field", "body") == "body":
                    for start, end in reason.get("spans", ()):
                        found.append(Highlight(int(start), int(end), suggestion.label))
        return sorted(found, key=lambda h: (h.start, h.end))

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
    def queue(self, queue_filter: QueueFilter = QueueFilter(), sort: str = SORT_SCORE) -> list[int]:
        """Comment ids that pass ``queue_filter``, highest score first or in document order."""
        matches = [cid for cid in self.order if self._passes(cid, queue_filter)]
        if sort != SORT_POSITION:
            # Stable: equal scores keep document order; unscored comments go last.
            # Any other sort names an attribute (e.g. a site model's `site:spam`).
            value = (
                self.score_of if sort == SORT_SCORE else lambda cid: self.attribute_of(cid, sort)
            )
            matches.sort(key=lambda cid: -(found if (found := value(cid)) is not None else -1.0))
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
        if f.text:
            needle = f.text.casefold()
            if needle not in comment.body.casefold() and needle not in comment.author.casefold():
                return False
        return True

    def next_unreviewed(self, order: Sequence[int], after: int | None) -> int | None:
        """The first unreviewed comment after ``after`` in ``order``, wrapping around."""
        if not order:
            return None
        try:
            start = order.index(after) + 1 if after is not None else 0
        except ValueError:
            start = 0
        count = len(order)
        for step in range(count):
            cid = order[(start + step) % count]
            if cid != after and not self.is_reviewed(cid):
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
            if cid != after and not self.is_reviewed(cid):
                return cid
        return None

    # -- writing (each call has committed when it returns) -----------------------
    def toggle(self, cid: int, label: str) -> Action | None:
        definition = self.labels.get(label)
        if definition is not None and getattr(definition, "action", "") == "approve":
            return self.approve(cid)
        return self._applied(
            self.store.labels.toggle(cid, label, moderator=self.moderator, policy=self.ref)
        )

    def approve(self, cid: int) -> Action | None:
        return self._applied(
            self.store.labels.approve(cid, moderator=self.moderator, policy=self.ref)
        )

    def undo(self) -> list[Action]:
        """Undo this moderator's last step (one action, or a whole bulk group)."""
        done = self.store.labels.undo(moderator=self.moderator, policy=self.ref)
        for action in done:
            self._applied(action)
        return done

    def redo(self) -> list[Action]:
        done = self.store.labels.redo(moderator=self.moderator, policy=self.ref)
        for action in done:
            self._applied(action)
        return done

    def _applied(self, action: Action | None) -> Action | None:
        if action is not None and action.comment_id in self.nodes:
            self._set_state(action.comment_id, self.moderator, action.after, restamped=True)
        return action

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
