"""Scores: one row per comment and model, holding every attribute of that model.

Layout (migration m007, ``docs/schema.md``): ``comment_scores(comment_id,
model_key, content_hash, windowed, scored_at, s0 … s15, extra)``. A model's
attributes are numbered by their order in ``models.attributes``: attribute *i*
is the REAL column ``s<i>`` for *i* < 16, later ones sit in ``extra`` (a JSON
object). Only the column ``s0`` is indexed for ranking when a database is made
(the first attribute is the headline of every Detoxify model); a ranked read
over the whole store by another attribute adds that column's index once
(:meth:`ScoreRepo.ranked`). The one-row-per-attribute form stays readable as
the view ``scores``.

Every value passes through :meth:`ScoreRepo.save`, which refuses anything that
is not a finite number in [0, 1] or not an attribute of its model: what the
store holds is always a real score.
"""

from __future__ import annotations

import numbers
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import sqlite_utils

from modtool.errors import StoreError
from modtool.models import ModelInfo, ScoreRow
from modtool.store.common import dumps, loads, utc_now

SLOTS = 16
"""Attributes per model held in REAL columns (``s0`` … ``s15``); m007 made them."""
SLOT_COLUMNS = tuple(f"s{i}" for i in range(SLOTS))
VALUES = ", ".join(f"s.{column}" for column in SLOT_COLUMNS) + ", s.extra"
_UPSERT = f"""INSERT INTO comment_scores (comment_id, model_key, content_hash, windowed, scored_at,
        {", ".join(SLOT_COLUMNS)}, extra) VALUES ({", ".join("?" * (6 + SLOTS))})
    ON CONFLICT (comment_id, model_key) DO UPDATE SET
        content_hash = excluded.content_hash, windowed = excluded.windowed,
        scored_at = excluded.scored_at,
        {", ".join(f"{c} = excluded.{c}" for c in SLOT_COLUMNS)}, extra = excluded.extra"""
_MODEL_KEY = "(SELECT key FROM models WHERE id = :model)"


@dataclass(frozen=True, slots=True)
class ModelLayout:
    """Where a registered model's attributes live in its ``comment_scores`` rows."""

    key: int
    id: str
    attributes: tuple[str, ...]
    positions: dict[str, int]
    by_name: tuple[tuple[str, int], ...]
    """``(attribute, position)`` of the column attributes, sorted by name."""

    @classmethod
    def from_row(cls, key: int, model_id: str, attributes: str) -> ModelLayout:
        names = tuple(str(name) for name in (loads(attributes) or ()))
        positions: dict[str, int] = {}
        for position, name in enumerate(names):
            positions.setdefault(name, position)
        by_name = tuple(sorted((n, p) for n, p in positions.items() if p < SLOTS))
        return cls(int(key), model_id, names, positions, by_name)

    def column(self, attribute: str) -> str | None:
        """The REAL column holding ``attribute``, ``None`` when it is in ``extra``."""
        position = self.positions[attribute]
        return SLOT_COLUMNS[position] if position < SLOTS else None

    def unpack(self, values: Sequence[object]) -> dict[str, float]:
        """``{attribute: score}`` from ``s0 … s15, extra``, sorted by attribute."""
        found = {name: values[p] for name, p in self.by_name if values[p] is not None}
        if values[SLOTS] is not None:
            found.update(loads(values[SLOTS]))  # type: ignore[arg-type]
            found = dict(sorted(found.items()))
        return found  # type: ignore[return-value]

    def params(self, row: ScoreRow, now: str) -> tuple[object, ...]:
        """The ``comment_scores`` row of ``row``; every value checked."""
        scores = row.scores
        if len(scores) == len(self.attributes) <= SLOTS and tuple(scores) == self.attributes:
            # the usual case: every attribute, in the model's order
            values = tuple(scores.values())
            if all(type(v) is float and 0.0 <= v <= 1.0 for v in values):
                return (
                    row.comment_id,
                    self.key,
                    row.content_hash,
                    1 if row.windowed else 0,
                    now,
                    *values,
                    *_EMPTY[len(values) :],
                    None,
                )
        slots: list[float | None] = [None] * SLOTS
        extra: dict[str, float] = {}
        for name, value in scores.items():
            position = self.positions.get(name)
            if position is None:
                raise StoreError(
                    f"model {self.id} has no attribute {name!r} (it has: "
                    f"{', '.join(self.attributes)}); no scores stored"
                )
            if type(value) is not float:
                value = _as_float(value, row, name)
            if not 0.0 <= value <= 1.0:  # also false for NaN
                raise StoreError(
                    f"score {name}={value!r} of comment {row.comment_id} by {self.id} "
                    "is not a number in [0, 1]; no scores stored"
                )
            if position < SLOTS:
                slots[position] = value
            else:
                extra[name] = value
        return (
            row.comment_id,
            self.key,
            row.content_hash,
            1 if row.windowed else 0,
            now,
            *slots,
            dumps(extra) if extra else None,
        )


_EMPTY = (None,) * SLOTS


def _as_float(value: object, row: ScoreRow, name: str) -> float:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    raise StoreError(
        f"score {name} of comment {row.comment_id} by {row.model} is "
        f"{type(value).__name__}, not a number; no scores stored"
    )


class ScoreRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        # Committed model rows never change (a key and an attribute order are for
        # good), so layouts read outside a transaction are kept; one read inside a
        # transaction that may still roll back is not.
        self._layouts: dict[str, ModelLayout] = {}
        self._indexed: set[str] = set()

    # -- models ----------------------------------------------------------------
    def register_model(self, model: ModelInfo) -> None:
        """Record a model the first time it is used (idempotent). Its key is the
        next free one; its attribute order is the layout of its rows for good."""
        self.db.execute(
            """INSERT INTO models (id, scorer, name, attributes, details, first_used_at, key)
               VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(key), 0) + 1 FROM models))
               ON CONFLICT (id) DO NOTHING""",
            [
                model.id,
                model.scorer,
                model.name,
                dumps(list(model.attributes)),
                dumps(model.details),
                utc_now(),
            ],
        )

    def models(self) -> list[ModelInfo]:
        return [
            ModelInfo(
                id=row["id"],
                scorer=row["scorer"],
                name=row["name"],
                attributes=tuple(loads(row["attributes"])),
                details=loads(row["details"]),
            )
            for row in self.db.query("SELECT * FROM models ORDER BY first_used_at, id")
        ]

    def model(self, model_id: str) -> ModelInfo | None:
        """The registered model ``model_id``, or ``None``."""
        return next((m for m in self.models() if m.id == model_id), None)

    def layout(self, model_id: str) -> ModelLayout | None:
        """Where ``model_id``'s attributes are stored, or ``None`` if it is not registered."""
        known = self._layouts.get(model_id)
        if known is not None:
            return known
        row = self.db.execute(
            "SELECT key, id, attributes FROM models WHERE id = ?", [model_id]
        ).fetchone()
        if row is None:
            return None
        layout = ModelLayout.from_row(*row)
        if not self.db.conn.in_transaction:
            self._layouts[model_id] = layout
        return layout

    def layouts(self) -> dict[int, ModelLayout]:
        """Every registered model's layout, by key (one small query)."""
        return layouts(self.db)

    # -- writing -----------------------------------------------------------------
    def save(self, rows: Iterable[ScoreRow]) -> int:
        """Insert or replace the scores of each row's comment and model, all rows in
        one transaction (one ``executemany``); return how many comments.

        Each row replaces every attribute of its (comment, model). Refused whole,
        before the transaction, when a model is not registered, an attribute is not
        one of its model's, or a value is not a finite number in [0, 1].
        """
        batch = rows if isinstance(rows, list) else list(rows)
        if not batch:
            return 0
        now = utc_now()
        found: dict[str, ModelLayout] = {}
        params = []
        for row in batch:
            layout = found.get(row.model)
            if layout is None:
                layout = self.layout(row.model)
                if layout is None:
                    raise StoreError(f"model {row.model} is not registered; no scores stored")
                found[row.model] = layout
            params.append(layout.params(row, now))
        with self.db.atomic():
            self.db.conn.executemany(_UPSERT, params)
        return len(batch)

    def forget(self, model: str) -> int:
        """Delete every score of ``model`` (one transaction); return how many comments' rows.

        Used before a newer site model scores, so scores of an older one are
        never mixed with its own (the older model itself stays recorded)."""
        with self.db.atomic():
            return self.db.execute(
                f"DELETE FROM comment_scores WHERE model_key = {_MODEL_KEY}", {"model": model}
            ).rowcount

    # -- reading -----------------------------------------------------------------
    def unscored(self, model: str, thread_id: int | None = None) -> Iterator[tuple[int, str, str]]:
        """``(comment_id, body, content_hash)`` of present comments that ``model`` has not
        scored at their current content."""
        where = UNSCORED_WHERE.format(
            thread="" if thread_id is None else "AND c.thread_id = :thread"
        )
        yield from self.db.execute(
            f"SELECT c.id, c.body, c.content_hash FROM comments c WHERE {where} ORDER BY c.id",
            {"model": model, "thread": thread_id},
        )

    def for_comment(self, comment_id: int) -> dict[str, dict[str, float]]:
        """``{model: {attribute: score}}`` for one comment, at its current text.

        Scores made before the comment was edited (another content hash) are
        stale and left out until ``modtool score`` redoes them.
        """
        return self.for_comments([comment_id]).get(comment_id, {})

    def for_comments(self, comment_ids: Sequence[int]) -> dict[int, dict[str, dict[str, float]]]:
        """``{comment_id: {model: {attribute: score}}}`` of the given comments, current
        scores only; models and attributes sorted by name."""
        return current_scores(self.db, comment_ids)

    def for_thread(self, thread_id: int) -> dict[int, dict[str, dict[str, float]]]:
        """``{comment_id: {model: {attribute: score}}}`` for a thread's present comments,
        current scores only (see :meth:`for_comment`)."""
        return _collect(
            self.db,
            f"""SELECT s.comment_id, s.model_key, {VALUES} FROM comments c
                JOIN comment_scores s ON s.comment_id = c.id AND s.content_hash = c.content_hash
                WHERE c.thread_id = ? AND c.present = 1 ORDER BY s.comment_id""",
            [thread_id],
        )

    def windowed(self, comment_id: int) -> set[str]:
        """Models that scored ``comment_id`` in overlapping windows (a long comment)."""
        return {
            model
            for (model,) in self.db.execute(
                """SELECT m.id FROM comment_scores s JOIN models m ON m.key = s.model_key
                   WHERE s.comment_id = ? AND s.windowed = 1""",
                [comment_id],
            )
        }

    def top(
        self, model: str, attribute: str, *, thread_id: int | None = None, limit: int = 5
    ) -> list[tuple[int, float]]:
        """The ``limit`` present comments with the highest ``attribute`` by ``model``
        (scored at their current content), as ``(comment_id, score)``, best first."""
        return self.ranked(model, attribute, thread_id=thread_id, limit=limit)

    def ranked(
        self,
        model: str,
        attribute: str,
        *,
        thread_id: int | None = None,
        after: tuple[float, int] | None = None,
        limit: int = 50,
    ) -> list[tuple[int, float]]:
        """Present comments by ``attribute`` of ``model``, highest first (ties: lower
        id first), current scores only: ``(comment_id, score)``.

        ``after`` is the last ``(score, comment_id)`` of the previous page (keyset
        paging: every page costs the same). Over the whole store the attribute's
        column gets its index the first time it is ranked (a few seconds per
        million comments, once; later reads take milliseconds); a read-only
        database is scanned instead.
        """
        layout = self.layout(model)
        if layout is None or attribute not in layout.positions:
            return []
        column = layout.column(attribute)
        indexed = column is not None and thread_id is None and self.ensure_rank_index(column)
        sql = _ranked_sql(column, thread_id is not None, after is not None, indexed)
        params = {"key": layout.key, "attribute": attribute, "thread": thread_id, "limit": limit}
        if after is not None:
            params["score"], params["after"] = float(after[0]), int(after[1])
        return [(int(cid), float(score)) for cid, score in self.db.conn.execute(sql, params)]

    def ensure_rank_index(self, column: str) -> bool:
        """Index ``(model_key, column)`` if it is not yet (what ranking by an
        attribute in that column over the whole store needs); ``False`` when the
        database cannot take it now (read-only, or busy), reads then scan."""
        if column not in SLOT_COLUMNS:
            raise ValueError(column)
        if column in self._indexed:
            return True
        name = f"comment_scores_rank_{column}"
        exists = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", [name]
        ).fetchone()
        if not exists:
            try:
                with self.db.atomic():
                    self.db.execute(
                        f"CREATE INDEX IF NOT EXISTS {name} ON comment_scores(model_key, {column})"
                    )
            except sqlite3.OperationalError:
                return False
        if not self.db.conn.in_transaction:
            self._indexed.add(column)
        return True

    def count_scored(self, model: str, thread_id: int | None = None) -> int:
        """Present comments that ``model`` has scored at their current content."""
        where = "" if thread_id is None else "AND c.thread_id = :thread"
        return int(
            self.db.execute(
                f"""SELECT COUNT(*) FROM comments c WHERE c.present = 1 {where} AND EXISTS (
                    SELECT 1 FROM comment_scores s WHERE s.comment_id = c.id
                    AND s.model_key = {_MODEL_KEY} AND s.content_hash = c.content_hash)""",
                {"model": model, "thread": thread_id},
            ).fetchone()[0]
        )


@lru_cache(maxsize=64)
def _ranked_sql(column: str | None, in_thread: bool, paged: bool, indexed: bool = False) -> str:
    """The ranking query: ``column`` (``None``: an attribute in ``extra``), within
    a thread or over the whole store, first page or after a ``(score, id)``, off
    the column's rank index (``indexed``) or not."""
    if column is None:
        value = "(SELECT e.value FROM json_each(s.extra) e WHERE e.key = :attribute)"
    else:
        value = f"s.{column}"
    where = "AND c.thread_id = :thread" if in_thread else ""
    page = (
        f"AND ({value} < :score OR ({value} = :score AND s.comment_id > :after))" if paged else ""
    )
    # Within a thread, start from its comments (the thread index); without the
    # column's own index, scan the table: the unary + keeps the planner off the
    # other rank indexes, which would cost a random lookup per row of the model.
    model_key = "s.model_key" if indexed and not in_thread else "+s.model_key"
    return f"""SELECT s.comment_id, {value} FROM comment_scores s
               JOIN comments c ON c.id = s.comment_id
               WHERE {model_key} = :key AND {value} IS NOT NULL AND c.present = 1
               AND s.content_hash = c.content_hash {where} {page}
               ORDER BY {value} DESC, s.comment_id LIMIT :limit"""


# -- reads shared with the dataset repository ------------------------------------
def layouts(db: sqlite_utils.Database) -> dict[int, ModelLayout]:
    return {
        int(key): ModelLayout.from_row(key, model_id, attributes)
        for key, model_id, attributes in db.execute(
            "SELECT key, id, attributes FROM models WHERE key IS NOT NULL"
        )
    }


def _collect(
    db: sqlite_utils.Database, sql: str, params: object
) -> dict[int, dict[str, dict[str, float]]]:
    """Rows of ``comment_id, model_key, s0 … s15, extra`` as nested dicts (models
    sorted by id, attributes by name)."""
    by_key = layouts(db)
    result: dict[int, dict[str, dict[str, float]]] = {}
    for comment_id, key, *values in db.conn.execute(sql, params):
        layout = by_key[key]
        result.setdefault(comment_id, {})[layout.id] = layout.unpack(values)
    for comment_id, by_model in result.items():
        if len(by_model) > 1:
            result[comment_id] = dict(sorted(by_model.items()))
    return result


def current_scores(
    db: sqlite_utils.Database, comment_ids: Sequence[int]
) -> dict[int, dict[str, dict[str, float]]]:
    """Current scores of the given comments (stale ones left out), as
    :meth:`ScoreRepo.for_comments` describes."""
    return _collect(
        db,
        f"""SELECT s.comment_id, s.model_key, {VALUES} FROM comment_scores s
            JOIN comments c ON c.id = s.comment_id AND c.content_hash = s.content_hash
            WHERE s.comment_id IN (SELECT value FROM json_each(?)) ORDER BY s.comment_id""",
        [dumps(list(comment_ids))],
    )


def current_score_rows(
    db: sqlite_utils.Database, comment_ids: Sequence[int]
) -> Iterator[tuple[int, str, str, float]]:
    """``(comment_id, model, attribute, score)`` of the given comments' current
    scores, sorted by comment, model and attribute (what the dataset rows carry)."""
    by_key = layouts(db)
    rows = db.execute(
        f"""SELECT s.comment_id, s.model_key, {VALUES} FROM comment_scores s
            JOIN comments c ON c.id = s.comment_id AND c.content_hash = s.content_hash
            WHERE s.comment_id IN (SELECT value FROM json_each(?)) ORDER BY s.comment_id""",
        [dumps(list(comment_ids))],
    ).fetchall()
    if len(by_key) > 1:  # by model id within a comment, not by key
        rows.sort(key=lambda row: (row[0], by_key[row[1]].id))
    for comment_id, key, *values in rows:
        layout = by_key[key]
        if values[SLOTS] is None:
            for name, position in layout.by_name:
                value = values[position]
                if value is not None:
                    yield comment_id, layout.id, name, value
        else:
            for name, value in layout.unpack(values).items():
                yield comment_id, layout.id, name, value


def scored_pairs(
    db: sqlite_utils.Database, where: str | None = None, params: Sequence[object] = ()
) -> list[tuple[str, str]]:
    """``(model, attribute)`` pairs that hold a score, sorted: over the whole store
    (``where=None``; a pair whose every score is stale counts), or among the
    current scores of the comments ``c`` that ``where`` selects (``?`` parameters)."""
    by_key = layouts(db)
    pairs: set[tuple[str, str]] = set()
    if where is None:
        # per model and attribute, the first row that holds it, off the (model_key, s0)
        # index: a few probes however large the store
        for key, layout in by_key.items():
            for name, position in layout.positions.items():
                held = (
                    f"s.{SLOT_COLUMNS[position]} IS NOT NULL"
                    if position < SLOTS
                    else "EXISTS (SELECT 1 FROM json_each(s.extra) e WHERE e.key = :name)"
                )
                if db.execute(
                    f"SELECT 1 FROM comment_scores s WHERE s.model_key = :key AND {held} LIMIT 1",
                    {"key": key, "name": name},
                ).fetchone():
                    pairs.add((layout.id, name))
        return sorted(pairs)
    join = """FROM comments c JOIN comment_scores s
              ON s.comment_id = c.id AND s.content_hash = c.content_hash"""
    flags = ", ".join(f"MAX(s.{column} IS NOT NULL)" for column in SLOT_COLUMNS)
    for key, *held, extra in db.execute(
        f"SELECT s.model_key, {flags}, MAX(s.extra IS NOT NULL) {join} WHERE {where} GROUP BY 1",
        list(params),
    ).fetchall():
        layout = by_key[key]
        pairs.update((layout.id, name) for name, position in layout.by_name if held[position])
        if extra:
            for (name,) in db.execute(
                f"""SELECT DISTINCT e.key {join}, json_each(s.extra) e
                    WHERE s.model_key = ? AND s.extra IS NOT NULL AND {where}""",
                [key, *params],
            ):
                pairs.add((layout.id, str(name)))
    return sorted(pairs)


# -- scoring at scale (the Ray engine and file mode) --------------------------------
UNSCORED_WHERE = f"""c.present = 1 {{thread}} AND NOT EXISTS (
    SELECT 1 FROM comment_scores s WHERE s.comment_id = c.id AND s.model_key = {_MODEL_KEY}
    AND s.content_hash = c.content_hash)"""


def unscored_ranges(
    db: sqlite_utils.Database, model: str, thread_id: int | None, block: int
) -> Iterator[tuple[int, int, int]]:
    """``(first_id, last_id, count)`` ranges of at most ``block`` comments that
    ``model`` has not scored at their current content, in id order. Only ids pass
    through memory, so a large store is cut into blocks cheaply."""
    where = UNSCORED_WHERE.format(thread="" if thread_id is None else "AND c.thread_id = :thread")
    first = last = None
    count = 0
    for (comment_id,) in db.execute(
        f"SELECT c.id FROM comments c WHERE {where} ORDER BY c.id",
        {"model": model, "thread": thread_id},
    ):
        if first is None:
            first = comment_id
        last = comment_id
        count += 1
        if count == block:
            yield first, last, count
            first, count = None, 0
    if first is not None and last is not None:
        yield first, last, count


def read_unscored_block(
    path: str, model: str, thread_id: int | None, first: int, last: int
) -> list[tuple[int, str, str]]:
    """``(comment_id, body, content_hash)`` of the comments in ``first..last`` that
    ``model`` has not scored, read through a read-only connection of its own (a Ray
    read task on the driver's node runs this while the driver writes: WAL lets it)."""
    from pathlib import Path

    where = UNSCORED_WHERE.format(thread="" if thread_id is None else "AND c.thread_id = :thread")
    conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(
            f"""SELECT c.id, c.body, c.content_hash FROM comments c
                WHERE c.id BETWEEN :first AND :last AND {where} ORDER BY c.id""",
            {"model": model, "thread": thread_id, "first": first, "last": last},
        ).fetchall()
    finally:
        conn.close()


def comments_by_key(
    db: sqlite_utils.Database, keys: list[str], by: str
) -> dict[str, list[tuple[int, str, str]]]:
    """``{key: [(comment_id, body, content_hash), …]}`` of present comments whose
    database id (``by="db"``) or platform id (``by="external"``,
    ``comments.external_id``) is one of ``keys``. Several comments can share an
    external id (the plain-text layout's paths repeat across threads)."""
    if by == "external":
        columns = {row[1] for row in db.execute("PRAGMA table_info(comments)")}
        if "external_id" not in columns:
            raise StoreError("this database has no external ids (an older schema): use --match db")
        column = "c.external_id"
    else:
        column = "CAST(c.id AS TEXT)"
    found: dict[str, list[tuple[int, str, str]]] = {}
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        marks = ", ".join("?" * len(part))
        for key, comment_id, body, chash in db.execute(
            f"""SELECT {column}, c.id, c.body, c.content_hash FROM comments c
                WHERE c.present = 1 AND {column} IN ({marks})""",
            part,
        ):
            found.setdefault(str(key), []).append((int(comment_id), body, chash))
    return found
