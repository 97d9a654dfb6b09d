"""The score layout before migration m005 (one row per attribute), for
``score_write_bench.py`` to measure beside the new one: its table and index
(m002), and its write and read code copied verbatim from ``modtool/store/scores.py``
and ``modtool/store/dataset.py`` as they were (commit 0b681a4), with ``self`` made
an argument. Benchmark-only: modtool itself no longer has this layout."""

from __future__ import annotations

import json
from collections.abc import Iterator

import sqlite_utils

from modtool.models import ScoreRow
from modtool.store.common import utc_now

TABLE = """
CREATE TABLE scores (
    comment_id INTEGER NOT NULL REFERENCES comments(id),
    model TEXT NOT NULL REFERENCES models(id),
    attribute TEXT NOT NULL,
    score REAL NOT NULL,
    content_hash TEXT NOT NULL,
    windowed INTEGER NOT NULL DEFAULT 0,
    scored_at TEXT NOT NULL,
    PRIMARY KEY (comment_id, model, attribute)
);
CREATE INDEX scores_model_attribute ON scores(model, attribute, score)"""


def save(db: sqlite_utils.Database, rows: list[ScoreRow]) -> int:
    now = utc_now()
    batch = list(rows)
    with db.atomic():
        db.conn.executemany(
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


def for_thread(db: sqlite_utils.Database, thread_id: int) -> dict[int, dict[str, dict[str, float]]]:
    result: dict[int, dict[str, dict[str, float]]] = {}
    for comment_id, model, attribute, score in db.execute(
        """SELECT s.comment_id, s.model, s.attribute, s.score FROM scores s
           JOIN comments c ON c.id = s.comment_id AND c.content_hash = s.content_hash
           WHERE c.thread_id = ? AND c.present = 1""",
        [thread_id],
    ):
        result.setdefault(comment_id, {}).setdefault(model, {})[attribute] = score
    return result


def top(
    db: sqlite_utils.Database,
    model: str,
    attribute: str,
    *,
    thread_id: int | None = None,
    limit: int = 5,
) -> list[tuple[int, float]]:
    where = "" if thread_id is None else "AND c.thread_id = :thread"
    return [
        (int(comment_id), float(score))
        for comment_id, score in db.execute(
            f"""SELECT s.comment_id, s.score FROM scores s
                JOIN comments c ON c.id = s.comment_id
                WHERE s.model = :model AND s.attribute = :attribute AND c.present = 1
                AND s.content_hash = c.content_hash {where}
                ORDER BY s.score DESC, s.comment_id LIMIT :limit""",
            {"model": model, "attribute": attribute, "thread": thread_id, "limit": limit},
        )
    ]


def count_scored(db: sqlite_utils.Database, model: str, thread_id: int | None = None) -> int:
    where = "" if thread_id is None else "AND c.thread_id = :thread"
    return int(
        db.execute(
            f"""SELECT COUNT(*) FROM comments c WHERE c.present = 1 {where} AND EXISTS (
                SELECT 1 FROM scores s WHERE s.comment_id = c.id AND s.model = :model
                AND s.content_hash = c.content_hash)""",
            {"model": model, "thread": thread_id},
        ).fetchone()[0]
    )


def unscored(
    db: sqlite_utils.Database, model: str, thread_id: int | None = None
) -> Iterator[tuple[int, str, str]]:
    where = "" if thread_id is None else "AND c.thread_id = :thread"
    yield from db.execute(
        f"""SELECT c.id, c.body, c.content_hash FROM comments c
            WHERE c.present = 1 {where} AND NOT EXISTS (
                SELECT 1 FROM scores s WHERE s.comment_id = c.id AND s.model = :model
                AND s.content_hash = c.content_hash)
            ORDER BY c.id""",
        {"model": model, "thread": thread_id},
    )


def fill(db: sqlite_utils.Database, ids: list[int]) -> list[tuple[int, str, str, float]]:
    """``DatasetRepo._fill``'s score query (what exports, stats and calibrate read)."""
    found = []
    for comment_id, model, attribute, score in db.conn.execute(
        """SELECT s.comment_id, s.model, s.attribute, s.score FROM scores s
           JOIN comments c ON c.id = s.comment_id AND c.content_hash = s.content_hash
           WHERE s.comment_id IN (SELECT value FROM json_each(?))
           ORDER BY s.comment_id, s.model, s.attribute""",
        [json.dumps(ids)],
    ):
        found.append((comment_id, model, attribute, float(score)))
    return found


def score_columns(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """``DatasetRepo.score_columns`` for the whole store."""
    return [
        (model, attribute)
        for model, attribute in db.execute(
            "SELECT DISTINCT model, attribute FROM scores ORDER BY 1, 2"
        )
    ]
