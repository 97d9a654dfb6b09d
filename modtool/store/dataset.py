"""Reading comments together with their scores, labels and review states, for
export, statistics, agreement and calibration.

Everything streams: comments come out of one cursor in document order, and the
scores, labels and reviews of each batch of comments are fetched with one query
each, so memory stays bounded whatever the size of the database. Only scores
made at a comment's current content are returned (a stale score is no score).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field

import sqlite_utils

from modtool.store.notes import notes_for
from modtool.store.scores import current_score_rows, scored_pairs

BATCH = 2_000


@dataclass(frozen=True, slots=True)
class Selection:
    """Which comments: all present ones, or those of some threads, optionally only
    those at least one moderator reviewed (labeled or approved) under ``policy``
    (``labeled_only``), or only those nobody reviewed under it (``unreviewed_only``)."""

    thread_ids: tuple[int, ...] | None = None
    labeled_only: bool = False
    policy: str | None = None
    unreviewed_only: bool = False


@dataclass(frozen=True, slots=True)
class StoredSuggestion:
    """What a rule of the selected policy suggested for a comment (never a label)."""

    rule: str
    label: str
    automatic: bool
    reasons: list[dict[str, object]]
    policy_hash: str


@dataclass(frozen=True, slots=True)
class Annotation:
    """One moderator's verdict on one comment under the selected policy."""

    moderator: str
    state: str
    labels: tuple[str, ...]
    updated_at: str
    policy_hash: str | None
    stale: bool = False
    """Given for an earlier text: the comment was edited after this review."""
    notes: tuple[str, ...] = ()
    """The moderator's notes on the comment (oldest first)."""


@dataclass(slots=True)
class DatasetRow:
    """A comment with what it replies to, its scores and every moderator's verdict."""

    id: int
    thread_id: int
    parent_id: int | None
    depth: int
    path: str
    position: int
    author: str
    text: str
    parent_text: str
    platform: str = "text"
    thread_external_id: str | None = None
    external_id: str | None = None
    created_at: str | None = None
    parent_external_id: str | None = None
    parent_path: str | None = None
    source: str = ""
    article_hash: str = ""
    thread_url: str | None = None
    meta: str | None = None  # the comment's platform details, JSON (permalink, …)
    status: str = "visible"
    scores: list[tuple[str, str, float]] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    suggestions: list[StoredSuggestion] = field(default_factory=list)

    def scores_by_model(self) -> dict[str, dict[str, float]]:
        result: dict[str, dict[str, float]] = {}
        for model, attribute, score in self.scores:
            result.setdefault(model, {})[attribute] = score
        return result


class DatasetRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._columns: dict[str, frozenset[str]] = {}

    def _has(self, table: str, column: str) -> bool:
        """Whether the schema has a column (the platform columns came with m004)."""
        if table not in self._columns:
            self._columns[table] = frozenset(
                row[1] for row in self.db.execute(f"PRAGMA table_info({table})")
            )
        return column in self._columns[table]

    def _column(self, alias: str, table: str, column: str, default: str = "NULL") -> str:
        return f"{alias}.{column}" if self._has(table, column) else default

    # -- what is there -------------------------------------------------------------
    def policy_names(self) -> list[str]:
        """Policies that labels or reviews were made under, sorted."""
        return [
            name
            for (name,) in self.db.execute(
                """SELECT policy_name FROM labels UNION
                   SELECT policy_name FROM reviews WHERE state != 'unreviewed'
                   ORDER BY 1"""
            )
        ]

    def label_keys(self, policy: str) -> list[str]:
        """Label keys moderators used under ``policy``, sorted."""
        return [
            key
            for (key,) in self.db.execute(
                "SELECT DISTINCT label FROM labels WHERE policy_name = ? ORDER BY label", [policy]
            )
        ]

    def moderators(self, policy: str) -> list[str]:
        """Moderators who reviewed at least one comment under ``policy``, sorted."""
        return [
            name
            for (name,) in self.db.execute(
                """SELECT DISTINCT moderator FROM reviews
                   WHERE policy_name = ? AND state != 'unreviewed' ORDER BY moderator""",
                [policy],
            )
        ]

    def score_columns(self, selection: Selection) -> list[tuple[str, str]]:
        """``(model, attribute)`` pairs scored on the selected comments, sorted."""
        if selection.thread_ids is None and not selection.labeled_only:
            # Everything: one indexed probe per model instead of joining every score
            # to its comment. A pair whose every score is stale only adds an empty column.
            return scored_pairs(self.db)
        where, params = _where(selection)
        return scored_pairs(self.db, where, params)

    def count(self, selection: Selection) -> int:
        where, params = _where(selection)
        return int(
            self.db.execute(f"SELECT COUNT(*) FROM comments c WHERE {where}", params).fetchone()[0]
        )

    def thread_sizes(self, selection: Selection) -> list[tuple[int, int]]:
        """``(thread_id, selected comments)`` for threads with any, by thread id."""
        where, params = _where(selection)
        return [
            (int(thread_id), int(count))
            for thread_id, count in self.db.execute(
                f"""SELECT c.thread_id, COUNT(*) FROM comments c WHERE {where}
                    GROUP BY c.thread_id ORDER BY c.thread_id""",
                params,
            )
        ]

    def threads(self, thread_ids: Sequence[int]) -> Iterator[dict[str, object]]:
        """``id, title, source, article, article_source`` of the given threads."""
        platform = self._column("t", "threads", "platform", "'text'")
        external = self._column("t", "threads", "external_id")
        url = self._column("t", "threads", "url")
        created = self._column("t", "threads", "created_at")
        yield from self.db.query(
            f"""SELECT t.id, t.title, t.source, t.article, t.article_source, t.article_hash,
                       {platform} AS platform, {external} AS external_id, {url} AS url,
                       {created} AS created_at
                FROM threads t WHERE t.id IN (SELECT value FROM json_each(?)) ORDER BY t.id""",
            [json.dumps(list(thread_ids))],
        )

    def identities(self, comment_ids: Sequence[int]) -> dict[int, dict[str, object]]:
        """``{id: {platform, thread_external_id, external_id, path, source,
        article_hash, present}}`` of the given comments (to compute global ids)."""
        platform = self._column("t", "threads", "platform", "'text'")
        result: dict[int, dict[str, object]] = {}
        for row in self.db.query(
            f"""SELECT c.id, {platform} AS platform,
                       {self._column("t", "threads", "external_id")} AS thread_external_id,
                       {self._column("c", "comments", "external_id")} AS external_id,
                       c.path, t.source, t.article_hash, c.present
                FROM comments c JOIN threads t ON t.id = c.thread_id
                WHERE c.id IN (SELECT value FROM json_each(?))""",
            [json.dumps(list(comment_ids))],
        ):
            result[int(row.pop("id"))] = row
        return result

    # -- the rows ------------------------------------------------------------------
    def iter_rows(self, selection: Selection, *, batch: int = BATCH) -> Iterator[DatasetRow]:
        """Selected comments in thread and document order, each with its scores and
        (when ``selection.policy`` is set) every moderator's verdict under it."""
        where, params = _where(selection)
        platform = self._column("t", "threads", "platform", "'text'")
        cursor = self.db.conn.execute(
            f"""SELECT c.id, c.thread_id, c.parent_id, c.depth, c.path, c.position, c.author,
                       c.body, COALESCE(p.body, t.title), {platform},
                       {self._column("t", "threads", "external_id")},
                       {self._column("c", "comments", "external_id")},
                       {self._column("c", "comments", "created_at")},
                       {self._column("p", "comments", "external_id")}, p.path,
                       t.source, t.article_hash, {self._column("t", "threads", "url")},
                       {self._column("c", "comments", "meta")},
                       {self._column("c", "comments", "status", "'visible'")}
                FROM comments c JOIN threads t ON t.id = c.thread_id
                LEFT JOIN comments p ON p.id = c.parent_id
                WHERE {where} ORDER BY c.thread_id, c.position, c.id""",
            params,
        )
        try:
            while chunk := cursor.fetchmany(batch):
                rows = [DatasetRow(*row) for row in chunk]
                self._fill(rows, selection.policy)
                yield from rows
        finally:
            with suppress(sqlite3.ProgrammingError):  # the store was closed first
                cursor.close()

    def _fill(self, rows: list[DatasetRow], policy: str | None) -> None:
        by_id = {row.id: row for row in rows}
        ids = json.dumps(list(by_id))
        for comment_id, model, attribute, score in current_score_rows(self.db, list(by_id)):
            by_id[comment_id].scores.append((model, attribute, score))
        if policy is None:
            return
        for comment_id, rule, label, automatic, reasons, policy_hash in self.db.conn.execute(
            """SELECT comment_id, rule, label, automatic, reasons, policy_hash FROM suggestions
               WHERE comment_id IN (SELECT value FROM json_each(?)) AND policy_name = ?
               ORDER BY comment_id, id""",
            [ids, policy],
        ):
            by_id[comment_id].suggestions.append(
                StoredSuggestion(rule, label, bool(automatic), json.loads(reasons), policy_hash)
            )
        labels: dict[tuple[int, str], list[str]] = {}
        hashes: dict[tuple[int, str], str] = {}
        for comment_id, moderator, label, policy_hash in self.db.conn.execute(
            """SELECT comment_id, moderator, label, policy_hash FROM labels
               WHERE comment_id IN (SELECT value FROM json_each(?)) AND policy_name = ?
               ORDER BY comment_id, moderator, label""",
            [ids, policy],
        ):
            labels.setdefault((comment_id, moderator), []).append(label)
            hashes[(comment_id, moderator)] = policy_hash
        # An approval leaves no label row; the hash it was made under is in the log.
        for comment_id, actor, policy_hash, _ in self.db.conn.execute(
            """SELECT comment_id, actor, policy_hash, MAX(id) FROM actions
               WHERE comment_id IN (SELECT value FROM json_each(?)) AND policy_name = ?
               GROUP BY comment_id, actor""",
            [ids, policy],
        ):
            hashes[(comment_id, actor)] = policy_hash
        notes: dict[tuple[int, str], list[str]] = {}
        for found in notes_for(self.db, by_id, policy).values():
            for note in found:
                notes.setdefault((note.comment_id, note.moderator), []).append(note.text)
        for comment_id, moderator, state, updated_at, stale in self.db.conn.execute(
            """SELECT r.comment_id, r.moderator, r.state, r.updated_at,
                      r.content_hash IS NOT NULL AND r.content_hash != c.content_hash
               FROM reviews r JOIN comments c ON c.id = r.comment_id
               WHERE r.comment_id IN (SELECT value FROM json_each(?)) AND r.policy_name = ?
               AND r.state != 'unreviewed' ORDER BY r.comment_id, r.moderator""",
            [ids, policy],
        ):
            key = (comment_id, moderator)
            by_id[comment_id].annotations.append(
                Annotation(
                    moderator=moderator,
                    state=state,
                    labels=tuple(labels.get(key, ())),
                    updated_at=updated_at,
                    policy_hash=hashes.get(key),
                    stale=bool(stale),
                    notes=tuple(notes.get(key, ())),
                )
            )


def _where(selection: Selection) -> tuple[str, list[object]]:
    clauses = ["c.present = 1"]
    params: list[object] = []
    if selection.thread_ids is not None:
        clauses.append("c.thread_id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(selection.thread_ids)))
    policy = "" if selection.policy is None else "AND r.policy_name = ?"
    reviewed = f"""EXISTS (SELECT 1 FROM reviews r WHERE r.comment_id = c.id
                           AND r.state != 'unreviewed' {policy})"""
    if selection.labeled_only:
        clauses.append(reviewed)
        if selection.policy is not None:
            params.append(selection.policy)
    if selection.unreviewed_only:
        clauses.append("NOT " + reviewed)
        if selection.policy is not None:
            params.append(selection.policy)
    return " AND ".join(clauses), params
