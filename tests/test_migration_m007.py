"""m007: a database made by the schema before it (one row per attribute), with scores of
two models (one of them stale on one comment), opens with every score kept."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import sqlite_utils

from modtool.models import ModelInfo, ScoreRow, content_hash
from modtool.store import open_store
from modtool.store.migrations import LATEST, MIGRATIONS, m007_scores_by_comment_and_model

DETOX = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
WIDE = tuple(f"a{i:02d}" for i in range(18))  # more attributes than m007's 16 columns
BODIES = {1: ("Ann", "first"), 2: ("Bob", "second"), 3: ("Cy", "third, edited since")}


def make_v4(db_path: Path) -> None:
    db = sqlite_utils.Database(db_path)
    before = MIGRATIONS.index(m007_scores_by_comment_and_model)
    for migration in MIGRATIONS[:before]:
        migration(db)
    db.execute(f"PRAGMA user_version={before}")
    db.execute(
        "INSERT INTO threads (id, title, source, format, article, article_hash, imported_at,"
        " updated_at) VALUES (1, 'T', 't.txt', 'text', '', 'h', 'then', 'then')"
    )
    for cid, (author, body) in BODIES.items():
        db.execute(
            "INSERT INTO comments (id, thread_id, position, depth, path, author, body,"
            " content_hash, imported_at, updated_at, external_id)"
            " VALUES (?, 1, ?, 0, ?, ?, ?, ?, 'then', 'then', ?)",
            [cid, cid, str(cid), author, body, content_hash(author, body), str(cid)],
        )
    for model_id, attributes, when in (
        ("detoxify/original@abc", DETOX, "2026-01-01"),
        ("profanity-check@1.9.1", ("profanity",), "2026-01-02"),
        ("wide@1", WIDE, "2026-01-03"),
    ):
        db.execute(
            "INSERT INTO models VALUES (?, 'x', ?, ?, '{\"k\":1}', ?)",
            [model_id, model_id.split("@")[0], json.dumps(list(attributes)), when],
        )

    def put(cid: int, model: str, attribute: str, score: object, chash: str, **kw: object) -> None:
        db.execute(
            "INSERT INTO scores VALUES (?, ?, ?, ?, ?, ?, ?)",
            [cid, model, attribute, score, chash, kw.get("windowed", 0), kw.get("at", "t1")],
        )

    now = {cid: content_hash(*BODIES[cid]) for cid in BODIES}
    for cid in (1, 2, 3):
        # comment 3 was scored before its edit: stale
        chash = now[cid] if cid != 3 else content_hash("Cy", "third")
        for i, attribute in enumerate(DETOX):
            put(cid, "detoxify/original@abc", attribute, cid / 10 + i / 100, chash,
                windowed=int(cid == 2), at=f"t{cid}")  # fmt: skip
    put(1, "profanity-check@1.9.1", "profanity", 0.25, now[1])
    put(2, "profanity-check@1.9.1", "profanity", 0.5, now[2])
    # an attribute its model never listed (kept: appended to the list)
    put(2, "profanity-check@1.9.1", "slur", 0.125, now[2])
    # values only a hostile shard could store (issue 16.8): not carried over
    put(1, "wide@1", "a00", float("inf"), now[1])
    put(1, "wide@1", "a01", 2.0, now[1])
    put(1, "wide@1", "a02", -5.0, now[1])
    for i in (3, 15, 16, 17):
        put(1, "wide@1", WIDE[i], i / 100, now[1])
    # one attribute row of another (older) text among current ones: already unread
    put(2, "wide@1", "a05", 0.75, "old-hash", at="t0")
    put(2, "wide@1", "a06", 0.5, now[2], at="t5")
    db.conn.commit()
    db.close()


def test_v4_scores_migrate_with_every_score_hash_and_stale_rule_kept(tmp_path: Path) -> None:
    db_path = tmp_path / "v4.db"
    make_v4(db_path)
    with sqlite3.connect(db_path) as conn:
        old_rows = conn.execute("SELECT COUNT(*) FROM scores").fetchone()[0]
    assert old_rows == 18 + 3 + 7 + 2

    store = open_store(db_path)
    assert store.schema_version == LATEST
    detox = {a: 0.1 + i / 100 for i, a in enumerate(DETOX)}
    assert store.scores.for_comment(1) == {
        "detoxify/original@abc": dict(sorted(detox.items())),
        "profanity-check@1.9.1": {"profanity": 0.25},
        "wide@1": {"a03": 0.03, "a15": 0.15, "a16": 0.16, "a17": 0.17},
    }
    assert store.scores.for_comment(2)["profanity-check@1.9.1"] == {
        "profanity": 0.5,
        "slur": 0.125,
    }
    assert store.scores.for_comment(2)["wide@1"] == {"a06": 0.5}
    # comment 3's scores are stale: not shown, and it is the one to score again
    assert store.scores.for_comment(3) == {}
    assert [row[0] for row in store.scores.unscored("detoxify/original@abc")] == [3]
    assert store.scores.count_scored("detoxify/original@abc") == 2
    assert store.scores.windowed(2) == {"detoxify/original@abc"}
    assert store.scores.top("detoxify/original@abc", "insult") == [
        (2, 2 / 10 + 4 / 100),
        (1, 1 / 10 + 4 / 100),
    ]
    assert store.scores.top("wide@1", "a17") == [(1, 0.17)]  # past the 16 columns
    assert [m.id for m in store.scores.models()] == [
        "detoxify/original@abc",
        "profanity-check@1.9.1",
        "wide@1",
    ]
    assert store.scores.models()[1].attributes == ("profanity", "slur")
    store.close()

    with sqlite3.connect(db_path) as conn:
        # the old shape stays readable, stale rows included, with hashes and times
        view = conn.execute(
            "SELECT comment_id, model, attribute, score, content_hash, windowed, scored_at"
            " FROM scores ORDER BY comment_id, model, attribute"
        ).fetchall()
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    assert len(view) == 18 + 3 + 4 + 1
    stale = [row for row in view if row[0] == 3]
    assert {row[4] for row in stale} == {content_hash("Cy", "third")} and len(stale) == 6
    assert {row[6] for row in stale} == {"t3"}
    assert [row[5] for row in view if row[0] == 2 and row[1].startswith("detoxify")] == [1] * 6
    assert ("comment_scores" in tables) and ("scores_model_attribute" not in tables)


def test_a_migrated_store_keeps_scoring_and_loading(tmp_path: Path) -> None:
    """After m007 the write path takes new scores for an old model and a new one."""
    db_path = tmp_path / "v4.db"
    make_v4(db_path)
    with open_store(db_path) as store:
        chash = content_hash(*BODIES[3])
        store.scores.save([ScoreRow(3, "detoxify/original@abc", {"toxicity": 0.5}, chash)])
        assert store.scores.for_comment(3) == {"detoxify/original@abc": {"toxicity": 0.5}}
        store.scores.register_model(ModelInfo("new@1", "x", "new", ("p",)))
        store.scores.save([ScoreRow(3, "new@1", {"p": 1.0}, chash)])
        assert store.scores.for_comment(3)["new@1"] == {"p": 1.0}
        keys = dict(store.db.execute("SELECT id, key FROM models"))
    assert len(set(keys.values())) == 4 and keys["new@1"] == 4
