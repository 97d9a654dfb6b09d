"""Domain records shared by importers, store, scoring, policy, export and UI.

Plain dataclasses: no SQL, no Textual, no torch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple


def content_hash(*parts: str) -> str:
    """A short, stable hash of text parts (used to spot changed comments)."""
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:16]


class ParsedComment(NamedTuple):
    """One comment as an importer read it, before it has a database id.

    ``path`` is the numbering path (``"7.1.3"``); ``parent_path`` is ``None``
    for a top-level comment. ``position`` is the document order (0-based).
    A named tuple: importers make hundreds of thousands, and it is cheap to
    build and to send between processes.
    """

    path: str
    parent_path: str | None
    position: int
    depth: int
    author: str
    body: str
    line: int
    content_hash: str

    @classmethod
    def make(
        cls,
        path: str,
        parent_path: str | None,
        position: int,
        depth: int,
        author: str,
        body: str,
        line: int,
    ) -> ParsedComment:
        """Build one, computing ``content_hash`` (importers call this)."""
        return cls(
            path, parent_path, position, depth, author, body, line, content_hash(author, body)
        )


@dataclass(slots=True)
class ParsedThread:
    """The article part of a document; comments stream separately."""

    title: str
    article: str = ""
    article_source: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Thread:
    id: int
    title: str
    source: str
    format: str
    article: str
    article_source: str | None
    imported_at: str
    comment_count: int = 0
    max_depth: int | None = None
    platform: str = "text"
    """Where the thread comes from: ``text``, ``wordpress``, ``disqus``, ``reddit``, …"""
    external_id: str | None = None
    """The platform's id of the thread (for ``text``: a hash of title + article)."""
    url: str | None = None
    created_at: str | None = None
    """ISO 8601 UTC, when the platform says."""
    missing: int = 0
    """Comments the platform knows but the export lacked (Reddit "load more" stubs)."""
    orphan_count: int = 0
    first_comment_at: str | None = None
    last_comment_at: str | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    thread_id: int
    parent_id: int | None
    position: int
    depth: int
    path: str
    author: str
    body: str
    content_hash: str
    line: int | None = None
    present: bool = True
    external_id: str | None = None
    """The platform's id (for ``text``: the numbering path); unique within its thread."""
    parent_external_id: str | None = None
    """The parent the platform named; kept for orphans, whose parent is not in the thread."""
    orphan: bool = False
    """Its named parent is not in the thread: stored at the top level."""
    status: str = "visible"
    """``visible``, ``pending``, ``spam``, ``deleted`` or ``removed``, as the platform said."""
    created_at: str | None = None
    meta: dict[str, object] | None = None
    """Platform metadata (score/points, permalink, …)."""


@dataclass(frozen=True, slots=True)
class PolicyRef:
    """Which rulebook a label, suggestion or action was made under.

    ``labels`` are the label keys the policy allows; ``hash`` is the content hash
    of the policy file, so a dataset can say exactly which version was used.
    """

    name: str
    hash: str
    labels: frozenset[str] = frozenset()
    version: str = ""


REVIEW_STATES = ("unreviewed", "approved", "labeled")


@dataclass(frozen=True, slots=True)
class ReviewState:
    """One moderator's verdict on one comment under one policy."""

    labels: frozenset[str] = frozenset()
    state: str = "unreviewed"

    def as_json(self) -> dict[str, object]:
        return {"labels": sorted(self.labels), "state": self.state}


@dataclass(frozen=True, slots=True)
class Action:
    """One entry of the append-only audit log."""

    id: int
    at: str
    actor: str
    actor_kind: str
    comment_id: int
    policy_name: str
    policy_hash: str
    kind: str
    label: str | None
    before: ReviewState
    after: ReviewState
    reverts: int | None = None
    note: str | None = None
    group_id: int | None = None
    """The bulk action (``action_groups``) it belongs to, undone with it as one step."""
    content_hash: str | None = None
    """The comment's ``content_hash`` when the action was taken (NULL before m005)."""


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """A scoring model as recorded in the store.

    ``id`` is precise, e.g. ``detoxify/original@3f2a9c1e`` (checkpoint hash) or
    ``profanity-check@1.9.1``; ``attributes`` are the names it yields.
    """

    id: str
    scorer: str
    name: str
    attributes: tuple[str, ...]
    details: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """Scores of one comment by one model: ``{attribute: score}`` in [0, 1]."""

    comment_id: int
    model: str
    scores: dict[str, float]
    content_hash: str
    windowed: bool = False


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A label a rule suggests for a comment, and why. Never a label by itself.

    Made by the policy's rules (:mod:`modtool.policy.suggest`), stored by the
    store (:mod:`modtool.store.suggestions`): here, below both, so the store does
    not depend on the policy layer. ``reasons`` are dicts (see
    :mod:`modtool.policy.conditions`); regex reasons carry ``spans``: ``[start,
    end]`` character offsets into the comment body (or the author, when
    ``field`` says so) for highlighting.
    """

    comment_id: int
    label: str
    rule: str
    automatic: bool
    policy_name: str
    policy_hash: str
    reasons: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = ""
    id: int | None = None

    def spans(self, field_name: str = "body") -> list[tuple[int, int]]:
        """Every matched span in ``field_name``, sorted (for highlighting)."""
        return sorted(
            (int(start), int(end))
            for reason in self.reasons
            if reason.get("kind") == "regex" and reason.get("field", "body") == field_name
            for start, end in reason.get("spans", [])
        )


Record = dict[str, Any]
"""One comment as every export format and annotation tool gets it (``export/records.py``
builds them: ids, text, context, scores, labels, annotations, suggestions)."""


@dataclass(frozen=True, slots=True)
class ExportContext:
    """What a format writer needs to know besides the records.

    ``label_keys``: the policy's label keys (CSV columns); ``score_columns``:
    ``(model, attribute)`` pairs present in the selection; ``thread_info(id)``:
    ``{id, title, source, article, article_source, article_hash, platform,
    external_id, url}`` of a thread; ``name``: the output's name (a ConvoKit corpus
    records it); ``policy_def``: the loaded policy, when there is a file.

    Here, below both ``export`` and ``annotations``, so the annotation tools'
    writers and the export runner that calls them depend on it and not on each
    other."""

    policy: str | None
    label_keys: tuple[str, ...]
    score_columns: tuple[tuple[str, str], ...]
    thread_info: Callable[[int], dict[str, Any]]
    name: str = "modtool-export"
    policy_def: Any = None  # the loaded Policy when there is a file (label texts, actions)
    database: str = ""  # the database's file stem (Datasette names databases so)
    prediction: str = "policy"  # Label Studio's predictions: "policy" or a moderator's name


DECISION_COLUMNS = (
    "final",
    "action",
    "actions",
    "labels",
    "tied_labels",
    "platform",
    "thread_external_id",
    "external_id",
    "id_problem",
    "edited_after_decision",
    "permalink",
    "modtool_id",
    "global_id",
    "moderators",
    "decided_at",
    "policy",
    "policy_hashes",
)


@dataclass(frozen=True, slots=True)
class Decision:
    """One comment's decision (``modtool decisions``; built by :mod:`modtool.export.decisions`,
    applied on a platform by :mod:`modtool.platforms.apply`)."""

    final: bool
    action: str | None
    actions: tuple[str, ...]
    labels: tuple[str, ...]
    tied_labels: tuple[str, ...]
    platform: str
    thread_external_id: str | None
    external_id: str | None
    permalink: str | None
    modtool_id: int
    global_id: str
    moderators: tuple[str, ...]
    decided_at: str
    policy: str
    policy_hashes: tuple[str, ...]
    id_problem: str | None = None
    """Why the platform id cannot name this one comment (WordPress), else ``None``."""
    edited_after_decision: bool = False
    """The comment's text changed after a verdict of this decision was given (edited
    after review): the decision was made for an earlier text."""
    notes: tuple[str, ...] = ()
    """The moderators' notes on the comment (people only, oldest first per moderator)."""
    thread_url: str | None = None
    created_at: str | None = None
    suggested: tuple[str, ...] = ()
    """Labels of this decision that a rule of the policy suggested (automated detection)."""

    def as_json(self) -> dict[str, Any]:
        return {name: _plain(getattr(self, name)) for name in DECISION_COLUMNS}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value
