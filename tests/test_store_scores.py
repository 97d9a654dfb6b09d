"""The store's one score write path and its reads (m007 layout): every value a real
score, a row per comment and model, reads by (model, attribute) off an index."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from modtool.errors import StoreError
from modtool.models import ModelInfo, ScoreRow
from modtool.store import Store

WIDE = tuple(f"a{i:02d}" for i in range(20))


def _hashes(store: Store) -> dict[int, str]:
    return {c.id: c.content_hash for c in store.comments.for_thread(1)}


def _dump(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return list(conn.iterdump())


@pytest.mark.parametrize(
    "value",
    [float("nan"), float("inf"), -float("inf"), -0.5, 1.5, 1e308, "0.5", None, True, [0.5]],
)
def test_save_refuses_anything_but_a_finite_score_and_writes_nothing(
    sample_store: Store, db_path: Path, value: object
) -> None:
    store = sample_store
    store.scores.register_model(ModelInfo("m@1", "test", "m", ("toxicity", "insult")))
    hashes = _hashes(store)
    before = _dump(db_path)
    rows = [
        ScoreRow(1, "m@1", {"toxicity": 0.5, "insult": 0.5}, hashes[1]),
        ScoreRow(2, "m@1", {"toxicity": value, "insult": 0.5}, hashes[2]),  # type: ignore[dict-item]
    ]
    with pytest.raises(StoreError, match="comment 2 by m@1") as caught:
        store.scores.save(rows)
    assert "no scores stored" in str(caught.value)
    assert _dump(db_path) == before  # not even the good first row


def test_save_refuses_an_unknown_model_or_attribute(sample_store: Store) -> None:
    store = sample_store
    chash = _hashes(store)[1]
    with pytest.raises(StoreError, match="model nope@1 is not registered"):
        store.scores.save([ScoreRow(1, "nope@1", {"toxicity": 0.5}, chash)])
    store.scores.register_model(ModelInfo("m@1", "test", "m", ("toxicity",)))
    with pytest.raises(
        StoreError, match=r"model m@1 has no attribute 'insult' \(it has: toxicity\)"
    ):
        store.scores.save([ScoreRow(1, "m@1", {"insult": 0.5}, chash)])


def test_numpy_and_integer_scores_are_stored_as_floats(sample_store: Store) -> None:
    store = sample_store
    store.scores.register_model(ModelInfo("m@1", "test", "m", ("a", "b", "c")))
    chash = _hashes(store)[1]
    scores = {"a": np.float32(0.25), "b": np.float64(0.5), "c": 1}
    assert store.scores.save([ScoreRow(1, "m@1", scores, chash)]) == 1  # type: ignore[arg-type]
    got = store.scores.for_comment(1)["m@1"]
    assert got == {"a": 0.25, "b": 0.5, "c": 1.0} and all(type(v) is float for v in got.values())


def test_one_row_per_comment_and_model_replaced_whole(sample_store: Store, db_path: Path) -> None:
    store = sample_store
    store.scores.register_model(ModelInfo("m@1", "test", "m", ("toxicity", "insult")))
    store.scores.register_model(ModelInfo("p@1", "test", "p", ("profanity",)))
    hashes = _hashes(store)
    store.scores.save(
        [ScoreRow(c, "m@1", {"toxicity": c / 100, "insult": 0.5}, hashes[c]) for c in (1, 2)]
        + [ScoreRow(1, "p@1", {"profanity": 0.75}, hashes[1], windowed=True)]
    )
    store.scores.save([ScoreRow(2, "m@1", {"toxicity": 0.5}, hashes[2])])  # a new run
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM comment_scores").fetchone() == (3,)
        view = conn.execute(
            "SELECT comment_id, model, attribute, score, windowed FROM scores ORDER BY 1, 2, 3"
        ).fetchall()
    assert view == [
        (1, "m@1", "insult", 0.5, 0),
        (1, "m@1", "toxicity", 0.01, 0),
        (1, "p@1", "profanity", 0.75, 1),
        (2, "m@1", "toxicity", 0.5, 0),
    ]
    assert store.scores.for_comment(1) == {
        "m@1": {"insult": 0.5, "toxicity": 0.01},
        "p@1": {"profanity": 0.75},
    }
    assert store.scores.windowed(1) == {"p@1"}


def test_attributes_past_the_sixteen_columns(sample_store: Store, db_path: Path) -> None:
    store = sample_store
    store.scores.register_model(ModelInfo("w@1", "test", "w", WIDE))
    hashes = _hashes(store)
    store.scores.save(
        [
            ScoreRow(c, "w@1", {a: (c + i) / 100 for i, a in enumerate(WIDE)}, hashes[c])
            for c in (1, 2, 3)
        ]
    )
    assert store.scores.for_comment(2)["w@1"] == {a: (2 + i) / 100 for i, a in enumerate(WIDE)}
    assert store.scores.top("w@1", "a19") == [(3, 0.22), (2, 0.21), (1, 0.2)]
    assert store.scores.top("w@1", "a19", thread_id=1, limit=1) == [(3, 0.22)]
    assert store.scores.top("w@1", "nope") == []
    with sqlite3.connect(db_path) as conn:
        extra = conn.execute("SELECT extra FROM comment_scores WHERE comment_id = 1").fetchone()
        count = conn.execute("SELECT COUNT(*) FROM scores WHERE model = 'w@1'").fetchone()
    assert extra == ('{"a16":0.17,"a17":0.18,"a18":0.19,"a19":0.2}',) and count == (60,)


def test_ranked_pages_by_keyset_and_indexes_the_column_once(
    sample_store: Store, db_path: Path
) -> None:
    store = sample_store
    store.scores.register_model(ModelInfo("m@1", "test", "m", ("toxicity", "insult")))
    hashes = _hashes(store)
    # ties on purpose: 27 comments over 5 distinct insult values
    store.scores.save(
        [ScoreRow(c, "m@1", {"toxicity": 0.5, "insult": (c % 5) / 4}, h) for c, h in hashes.items()]
    )
    expected = sorted(((c % 5) / 4, -c) for c in hashes)[::-1]
    expected_ids = [-neg for _, neg in expected]
    with sqlite3.connect(db_path) as conn:
        indexes = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "comment_scores_rank_s1" not in indexes
    pages, after = [], None
    while page := store.scores.ranked("m@1", "insult", after=after, limit=4):
        pages.append(page)
        after = (page[-1][1], page[-1][0])
    assert [cid for page in pages for cid, _ in page] == expected_ids
    assert len(pages) == 7
    with sqlite3.connect(db_path) as conn:
        indexes = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        plan = " ".join(
            str(row[3])
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT comment_id FROM comment_scores "
                "WHERE model_key = 1 AND s1 IS NOT NULL ORDER BY s1 DESC LIMIT 5"
            )
        )
    assert "comment_scores_rank_s1" in indexes and "comment_scores_rank_s1" in plan


def test_stale_scores_are_kept_but_not_read(sample_store: Store) -> None:
    store = sample_store
    store.scores.register_model(ModelInfo("m@1", "test", "m", ("toxicity",)))
    hashes = _hashes(store)
    store.scores.save(
        [
            ScoreRow(1, "m@1", {"toxicity": 0.9}, "stale:0123456789abcdef"),
            ScoreRow(2, "m@1", {"toxicity": 0.1}, hashes[2]),
        ]
    )
    assert store.scores.for_thread(1) == {2: {"m@1": {"toxicity": 0.1}}}
    assert store.scores.top("m@1", "toxicity") == [(2, 0.1)]
    assert store.scores.count_scored("m@1") == 1
    assert [row[0] for row in store.scores.unscored("m@1")][:2] == [1, 3]
