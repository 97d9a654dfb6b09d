"""Scores: several models side by side, keyed by comment, model and attribute."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import sqlite_utils

from modtool.models import ModelInfo, ScoreRow
from modtool.store.common import dumps, loads, utc_now


class ScoreRepo:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- models ----------------------------------------------------------------
    def register_model(self, model: ModelInfo) -> None:
        """Record a model the first time it is used (idempotent)."""
        self.db.execute(
            """INSERT INTO models (id, scorer, name, attributes, details, first_used_at)
               VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING""",
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

    # -- writing -----------------------------------------------------------------
    def save(self, rows: Iterable[ScoreRow]) -> int:
        """Insert or replace score rows in one transaction (one ``executemany``);
        return how many comments."""
        now = utc_now()
        batch = list(rows)
        with self.db.atomic():
            self.db.conn.executemany(
                """INSERT INTO scores (comment_id, model, attribute, score, content_hash,
                                       windowed, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (comment_id, model, attribute) DO UPDATE SET
                       score = excluded.score, content_hash = excluded.content_hash,
                       windowed = excluded.windowed, scored_at = excluded.scored_at""",
                [
                    (
                        row.comment_id,
                        row.model,
                        attribute,
                        float(value),
                        row.content_hash,
                        int(row.windowed),
                        now,
                    )
                    for row in batch
                    for attribute, value in row.scores.items()
                ],
            )
        return len(batch)

    # -- reading -----------------------------------------------------------------
    def unscored(self, model: str, thread_id: int | None = None) -> Iterator[tuple[int, str, str]]:
        """``(comment_id, body, content_hash)`` of present comments that ``model`` has not
        scored at their current content."""
        where = "" if thread_id is None else "AND c.thread_id = :thread"
        yield from self.db.execute(
            f"""SELECT c.id, c.body, c.content_hash FROM comments c
                WHERE c.present = 1 {where} AND NOT EXISTS (
                    SELECT 1 FROM scores s WHERE s.comment_id = c.id AND s.model = :model
                    AND s.content_hash = c.content_hash)
                ORDER BY c.id""",
            {"model": model, "thread": thread_id},
        )

    def for_comment(self, comment_id: int) -> dict[str, dict[str, float]]:
        """``{model: {attribute: score}}`` for one comment, at its current text.

        Scores made before the comment was edited (another content hash) are
        stale and left out until ``modtool score`` redoes them.
        """
        result: dict[str, dict[str, float]] = {}
        for model, attribute, score in self.db.execute(
            """SELECT s.model, s.attribute, s.score FROM scores s
               JOIN comments c ON c.id = s.comment_id AND c.content_hash = s.content_hash
               WHERE s.comment_id = ? ORDER BY s.model, s.attribute""",
            [comment_id],
        ):
            result.setdefault(model, {})[attribute] = score
        return result

    def for_thread(self, thread_id: int) -> dict[int, dict[str, dict[str, float]]]:
        """``{comment_id: {model: {attribute: score}}}`` for a thread's present comments,
        current scores only (see :meth:`for_comment`)."""
        result: dict[int, dict[str, dict[str, float]]] = {}
        for comment_id, model, attribute, score in self.db.execute(
            """SELECT s.comment_id, s.model, s.attribute, s.score FROM scores s
               JOIN comments c ON c.id = s.comment_id AND c.content_hash = s.content_hash
               WHERE c.thread_id = ? AND c.present = 1""",
            [thread_id],
        ):
            result.setdefault(comment_id, {}).setdefault(model, {})[attribute] = score
        return result

    def windowed(self, comment_id: int) -> set[str]:
        """Models that scored ``comment_id`` in overlapping windows (a long comment)."""
        return {
            model
            for (model,) in self.db.execute(
                "SELECT DISTINCT model FROM scores WHERE comment_id = ? AND windowed = 1",
                [comment_id],
            )
        }

    def top(
        self, model: str, attribute: str, *, thread_id: int | None = None, limit: int = 5
    ) -> list[tuple[int, float]]:
        """The ``limit`` present comments with the highest ``attribute`` by ``model``
        (scored at their current content), as ``(comment_id, score)``, best first."""
        where = "" if thread_id is None else "AND c.thread_id = :thread"
        return [
            (int(comment_id), float(score))
            for comment_id, score in self.db.execute(
                f"""SELECT s.comment_id, s.score FROM scores s
                    JOIN comments c ON c.id = s.comment_id
                    WHERE s.model = :model AND s.attribute = :attribute AND c.present = 1
                    AND s.content_hash = c.content_hash {where}
                    ORDER BY s.score DESC, s.comment_id LIMIT :limit""",
                {"model": model, "attribute": attribute, "thread": thread_id, "limit": limit},
            )
        ]

    def count_scored(self, model: str, thread_id: int | None = None) -> int:
        """Present comments that ``model`` has scored at their current content."""
        where = "" if thread_id is None else "AND c.thread_id = :thread"
        return int(
            self.db.execute(
                f"""SELECT COUNT(*) FROM comments c WHERE c.present = 1 {where} AND EXISTS (
                    SELECT 1 FROM scores s WHERE s.comment_id = c.id AND s.model = :model
                    AND s.content_hash = c.content_hash)""",
                {"model": model, "thread": thread_id},
            ).fetchone()[0]
        )


# -- scoring at scale (the Ray engine and file mode) --------------------------------
UNSCORED_WHERE = """c.present = 1 {thread} AND NOT EXISTS (
    SELECT 1 FROM scores s WHERE s.comment_id = c.id AND s.model = :model
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
    import sqlite3
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
            from modtool.errors import StoreError

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
