"""The moderation queue as SQL: every comment of the site (or of one thread) that
passes a filter, in one order, a page at a time.

Nothing here loads the site: a page is one query that continues after the last
row of the previous page (keyset pagination over the indexes), so the first page
of a million comments costs what the fiftieth does. Sorts:

* ``score``: the site's headline score (one model and attribute for the whole
  site), highest first, ties and then unscored comments in id order. Without a
  selective filter the query walks the scores index downwards and stops after a
  page; with one (a thread, an author, a label, a search) it starts from the few
  matching comments instead.
* ``newest``: ``created_at`` newest first (comments without a date last), then id.
* ``thread``: thread, then document order (a thread read top to bottom).

Also here: what changed since an action id (the UI's poll) and the review states
of given comments.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlite_utils

from modtool.models import ReviewState
from modtool.store.authors import AuthorRef
from modtool.store.fts import SearchRepo, check_query
from modtool.store.scores import ScoreRepo

_CHUNK = 500
SORTS = ("score", "newest", "thread")
ANY_SUGGESTION = "*"
UNSCORED = -1.0
"""The sort key of a comment without the headline score: after every scored one."""

Key = tuple[Any, ...]
"""Where a page ends: ``(score, id)``, ``(created_at, id)`` or ``(thread, position, id)``."""


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """Which comments, in which order, as the store needs it (names resolved to ids).

    Every field that is set must match. ``moderator`` and ``policy_name`` say whose
    review ``unreviewed`` means; ``unmoderated`` means nobody's (no human review
    at the current text: a policy's automatic labels are not a review).
    """

    policy_name: str
    moderator: str
    score: tuple[str, str] | None = None
    """The headline ``(model, attribute)``: what "score" sorts by and means."""
    sort: str = "score"
    thread_id: int | None = None
    platform: str | None = None
    statuses: tuple[str, ...] = ()
    since: str | None = None
    """ISO 8601 date or time, inclusive (comments with no date do not match)."""
    until: str | None = None
    """ISO 8601 date or time, exclusive."""
    author: AuthorRef | None = None
    min_scores: tuple[tuple[str, str, float], ...] = ()
    """``(model, attribute, minimum)``: all must hold."""
    label: str | None = None
    suggestion: str | None = None
    """A suggested label key, or :data:`ANY_SUGGESTION`."""
    unreviewed: bool = False
    unmoderated: bool = False
    search: str | None = None
    """An FTS5 query over comment text and author."""
    unclaimed_at: float | None = None
    """Skip comments someone else has claimed and whose claim is alive at this Unix time."""
    search_many: bool = False
    """Set by the store: the search matches many comments (check rows against it)."""

    @property
    def selective(self) -> bool:
        """A filter that leaves few comments: start from them, not from the score index."""
        few_matches = bool(self.search) and not self.search_many
        return bool(
            self.thread_id is not None or self.author or self.label is not None or few_matches
        )


@dataclass(frozen=True, slots=True)
class ScoreTerm:
    """One model's attribute as SQL over ``comment_scores`` (m007: a row per comment
    and model, attributes in columns ``s0 …``, the rest in ``extra``): the model's
    key and the expression of the value for a table alias."""

    key: int
    column: str | None
    attribute: str

    @classmethod
    def of(cls, db: sqlite_utils.Database, model: str, attribute: str) -> ScoreTerm | None:
        layout = ScoreRepo(db).layout(model)
        if layout is None or attribute not in layout.positions:
            return None
        return cls(layout.key, layout.column(attribute), attribute)

    def value(self, alias: str, name: str) -> str:
        """The score for rows of ``alias``; ``:{name}_attr`` names the attribute when it
        is in ``extra``."""
        if self.column is not None:
            return f"{alias}.{self.column}"
        return f"(SELECT e.value FROM json_each({alias}.extra) e WHERE e.key = :{name}_attr)"

    def params(self, name: str) -> dict[str, Any]:
        return {f"{name}_key": self.key, f"{name}_attr": self.attribute}

    def rank_index(self, db: sqlite_utils.Database) -> None:
        """Ranking the whole site by this column needs its index (made once)."""
        if self.column is not None:
            ScoreRepo(db).ensure_rank_index(self.column)


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A comment of a queue page with its sort key."""

    id: int
    key: Key


class QueueRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- the site queue ------------------------------------------------------------
    def page(
        self, query: QueueQuery, *, after: Key | None = None, limit: int = 200
    ) -> list[QueueRow]:
        """Up to ``limit`` rows of ``query`` after the row whose key is ``after``."""
        if query.search:
            text = check_query(self.db, query.search)
            many = not SearchRepo(self.db).few(text)
            query = replace(query, search=text, search_many=many)
        if query.sort == "newest":
            return self._newest(query, after, limit)
        if query.sort == "thread":
            return self._thread_order(query, after, limit)
        term = None if query.score is None else ScoreTerm.of(self.db, *query.score)
        if term is None:  # nothing scored yet: id order
            return [QueueRow(i, (UNSCORED, i)) for i in self._unscored(query, None, after, limit)]
        if query.selective:
            return self._score_selective(query, term, after, limit)
        term.rank_index(self.db)
        rows = self._scored(query, term, after, limit)
        if len(rows) < limit:
            start = after if after is not None and after[0] == UNSCORED else None
            more = self._unscored(query, term, start, limit - len(rows))
            rows += [QueueRow(i, (UNSCORED, i)) for i in more]
        return rows

    def count(self, query: QueueQuery) -> int:
        """How many comments pass ``query`` (a full count: seconds on a million rows)."""
        if query.search:
            query = replace(query, search=check_query(self.db, query.search))
        where, params = _filters(self.db, query)
        return int(
            self.db.execute(f"SELECT COUNT(*) FROM comments c WHERE {where}", params).fetchone()[0]
        )

    def _scored(
        self, q: QueueQuery, term: ScoreTerm, after: Key | None, limit: int
    ) -> list[QueueRow]:
        if after is not None and after[0] == UNSCORED:
            return []
        where, params = _filters(self.db, q)
        value = term.value("s", "q")
        keyset = ""
        if after is not None:
            keyset = f"AND {value} <= :k_score AND ({value} < :k_score OR c.id > :k_id)"
            params.update(k_score=after[0], k_id=after[1])
        params.update(term.params("q"), limit=limit)
        return [
            QueueRow(int(cid), (float(score), int(cid)))
            for cid, score in self.db.execute(
                f"""SELECT c.id, {value} FROM comment_scores s
                    JOIN comments c ON c.id = s.comment_id
                    WHERE s.model_key = :q_key AND {value} IS NOT NULL
                    AND s.content_hash = c.content_hash AND {where} {keyset}
                    ORDER BY {value} DESC, c.id LIMIT :limit""",
                params,
            )
        ]

    def _unscored(
        self, q: QueueQuery, term: ScoreTerm | None, after: Key | None, limit: int
    ) -> list[int]:
        where, params = _filters(self.db, q)
        keyset = "" if after is None else "AND c.id > :k_id"
        if after is not None:
            params["k_id"] = after[-1]
        scored = ""
        if term is not None:
            scored = f"""AND NOT EXISTS (SELECT 1 FROM comment_scores s WHERE s.comment_id = c.id
                        AND s.model_key = :q_key AND s.content_hash = c.content_hash
                        AND {term.value("s", "q")} IS NOT NULL)"""
            params.update(term.params("q"))
        params["limit"] = limit
        return [
            int(cid)
            for (cid,) in self.db.execute(
                f"""SELECT c.id FROM comments c WHERE {where} {scored} {keyset}
                    ORDER BY c.id LIMIT :limit""",
                params,
            )
        ]

    def _score_selective(
        self, q: QueueQuery, term: ScoreTerm, after: Key | None, limit: int
    ) -> list[QueueRow]:
        where, params = _filters(self.db, q)
        value = f"COALESCE({term.value('s', 'q')}, {UNSCORED})"
        keyset = ""
        if after is not None:
            keyset = f"AND ({value} < :k_score OR ({value} = :k_score AND c.id > :k_id))"
            params.update(k_score=after[0], k_id=after[1])
        params.update(term.params("q"), limit=limit)
        return [
            QueueRow(int(cid), (float(score), int(cid)))
            for cid, score in self.db.execute(
                f"""SELECT c.id, {value} FROM comments c
                    LEFT JOIN comment_scores s ON s.comment_id = c.id
                         AND s.model_key = :q_key AND s.content_hash = c.content_hash
                    WHERE {where} {keyset}
                    ORDER BY {value} DESC, c.id LIMIT :limit""",
                params,
            )
        ]

    def _newest(self, q: QueueQuery, after: Key | None, limit: int) -> list[QueueRow]:
        where, params = _filters(self.db, q)
        keyset = ""
        if after is not None:
            when, cid = after
            params["k_id"] = cid
            if when is None:
                keyset = "AND c.created_at IS NULL AND c.id < :k_id"
            else:
                params["k_when"] = when
                keyset = """AND (c.created_at < :k_when OR c.created_at IS NULL
                                 OR (c.created_at = :k_when AND c.id < :k_id))"""
        params["limit"] = limit
        return [
            QueueRow(int(cid), (when, int(cid)))
            for cid, when in self.db.execute(
                f"""SELECT c.id, c.created_at FROM comments c WHERE {where} {keyset}
                    ORDER BY {_plus(q)}c.created_at DESC, c.id DESC LIMIT :limit""",
                params,
            )
        ]

    def _thread_order(self, q: QueueQuery, after: Key | None, limit: int) -> list[QueueRow]:
        where, params = _filters(self.db, q)
        keyset = ""
        if after is not None:
            keyset = """AND (c.thread_id > :k_thread OR (c.thread_id = :k_thread
                         AND (c.position > :k_pos OR (c.position = :k_pos AND c.id > :k_id))))"""
            params.update(k_thread=after[0], k_pos=after[1], k_id=after[2])
        params["limit"] = limit
        return [
            QueueRow(int(cid), (int(tid), int(pos), int(cid)))
            for cid, tid, pos in self.db.execute(
                f"""SELECT c.id, c.thread_id, c.position FROM comments c WHERE {where} {keyset}
                    ORDER BY {_plus(q)}c.thread_id, c.position, c.id LIMIT :limit""",
                params,
            )
        ]

    # -- what changed ------------------------------------------------------------------
    def changed_since(self, action_id: int, thread_id: int | None, policy_name: str) -> list[int]:
        """Ids of comments (of the thread, or anywhere) touched by an action newer
        than ``action_id``."""
        where = "" if thread_id is None else "AND c.thread_id = :thread"
        return [
            int(cid)
            for (cid,) in self.db.execute(
                f"""SELECT DISTINCT a.comment_id FROM actions a
                    JOIN comments c ON c.id = a.comment_id
                    WHERE a.id > :action AND a.policy_name = :policy {where}""",
                {"action": action_id, "thread": thread_id, "policy": policy_name},
            )
        ]

    def states_for(
        self, comment_ids: Collection[int], policy_name: str
    ) -> dict[int, dict[str, ReviewState]]:
        """``{comment_id: {moderator: ReviewState}}`` for the given comments (reviewed only)."""
        ids = list(comment_ids)
        labels: dict[tuple[int, str], set[str]] = {}
        result: dict[int, dict[str, ReviewState]] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            for cid, moderator, label in self.db.execute(
                f"""SELECT comment_id, moderator, label FROM labels
                    WHERE policy_name = ? AND comment_id IN ({marks})""",
                [policy_name, *chunk],
            ):
                labels.setdefault((cid, moderator), set()).add(label)
            for cid, moderator, state in self.db.execute(
                f"""SELECT comment_id, moderator, state FROM reviews
                    WHERE policy_name = ? AND state != 'unreviewed' AND comment_id IN ({marks})""",
                [policy_name, *chunk],
            ):
                result.setdefault(cid, {})[moderator] = ReviewState(
                    labels=frozenset(labels.get((cid, moderator), ())), state=state
                )
        return result


def _plus(q: QueueQuery) -> str:
    """``+`` before the sort column under a selective filter: the order's index would
    walk the whole site looking for an author's few comments; from the filter's own
    index (an author's, a thread's, the search's matches) a sort of those is cheap."""
    return "+" if q.selective and q.thread_id is None else ""


# The review at the comment's current text; a review from before m005 has no hash.
_FRESH = "(r.content_hash IS NULL OR r.content_hash = c.content_hash)"


def _filters(db: sqlite_utils.Database, q: QueueQuery) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (alias ``c`` for comments) and its parameters for ``q``."""
    clauses = ["c.present = 1"]
    params: dict[str, Any] = {"policy": q.policy_name, "moderator": q.moderator}
    if q.thread_id is not None:
        clauses.append("c.thread_id = :f_thread")
        params["f_thread"] = q.thread_id
    if q.platform is not None:
        clauses.append("c.thread_id IN (SELECT id FROM threads WHERE platform = :f_platform)")
        params["f_platform"] = q.platform
    if q.statuses:
        clauses.append("c.status IN (SELECT value FROM json_each(:f_statuses))")
        params["f_statuses"] = json.dumps(list(q.statuses))
    if q.since is not None:
        clauses.append("c.created_at >= :f_since")
        params["f_since"] = q.since
    if q.until is not None:
        clauses.append("c.created_at < :f_until")
        params["f_until"] = q.until
    if q.author is not None:
        clause, values = q.author.sql("c")
        clauses.append(clause)
        params.update(values)
    for number, (model, attribute, minimum) in enumerate(q.min_scores):
        term = ScoreTerm.of(db, model, attribute)
        if term is None:
            clauses.append("0")  # a model that scored nothing: no comment passes
            continue
        name = f"m{number}"
        clauses.append(
            f"""EXISTS (SELECT 1 FROM comment_scores {name} WHERE {name}.comment_id = c.id
                AND {name}.model_key = :{name}_key AND {name}.content_hash = c.content_hash
                AND {term.value(name, name)} >= :{name}_min)"""
        )
        params.update(term.params(name), **{f"{name}_min": minimum})
    if q.label is not None:
        clauses.append(
            """c.id IN (SELECT comment_id FROM labels WHERE policy_name = :policy
                        AND label = :f_label)"""
        )
        params["f_label"] = q.label
    if q.suggestion is not None:
        which = "" if q.suggestion == ANY_SUGGESTION else "AND g.label = :f_suggestion"
        clauses.append(
            f"""EXISTS (SELECT 1 FROM suggestions g WHERE g.comment_id = c.id
                AND g.policy_name = :policy {which})"""
        )
        params["f_suggestion"] = q.suggestion
    if q.unreviewed:
        clauses.append(
            f"""NOT EXISTS (SELECT 1 FROM reviews r WHERE r.comment_id = c.id
                AND r.moderator = :moderator AND r.policy_name = :policy
                AND r.state != 'unreviewed' AND {_FRESH})"""
        )
    if q.unmoderated:
        clauses.append(
            f"""NOT EXISTS (SELECT 1 FROM reviews r WHERE r.comment_id = c.id
                AND r.policy_name = :policy AND r.state != 'unreviewed'
                AND r.moderator NOT LIKE 'policy:%' AND {_FRESH})"""
        )
    if q.search and q.search_many:  # each row checked against the index (a seek)
        clauses.append(
            """EXISTS (SELECT 1 FROM comments_fts WHERE comments_fts MATCH :f_search
                AND rowid = c.id)"""
        )
        params["f_search"] = q.search
    elif q.search:  # the few matches, collected once
        clauses.append(
            "c.id IN (SELECT rowid FROM comments_fts WHERE comments_fts MATCH :f_search)"
        )
        params["f_search"] = q.search
    if q.unclaimed_at is not None:
        clauses.append(
            """NOT EXISTS (SELECT 1 FROM claims k WHERE k.comment_id = c.id
                AND k.policy_name = :policy AND k.moderator != :moderator
                AND k.expires_at > :f_now)"""
        )
        params["f_now"] = q.unclaimed_at
    return " AND ".join(clauses), params


def ids_json(ids: Sequence[int]) -> str:
    return json.dumps(list(ids))
