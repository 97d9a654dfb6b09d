"""SQLite's ceiling for writing score rows: how many comments/s the store can take.

Imports a synthetic thread of ``--comments`` comments into a fresh store, then
writes Detoxify-shaped scores (6 attributes) for all of them through
``ScoreRepo.save`` (what ``modtool score`` does, one transaction per batch) at
several batch sizes, and, for comparison, into a *wide* table (one row per
comment and model, one REAL column per attribute, ``WITHOUT ROWID``) made in the
benchmark's own scratch copy of the database: the layout this repo would move to
when the one-row-per-attribute table becomes the bottleneck. Prints comments/s,
score rows/s and bytes per comment for each.

Run: ``.venv/bin/python benchmarks/score_write_bench.py [--comments 50000]``
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.synthetic import write_thread  # noqa: E402

ATTRIBUTES = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--batches", default="32,1024", help="comments per transaction")
    args = parser.parse_args()

    from modtool.ingest import import_path
    from modtool.models import ModelInfo, ScoreRow
    from modtool.store import open_store

    work = Path(tempfile.mkdtemp(prefix="modtool-writes-"))
    doc = write_thread(work / "thread.txt", args.comments, words=(5, 30))
    rng = random.Random(3)
    print(
        f"{args.comments} comments x {len(ATTRIBUTES)} attributes; SQLite WAL, one transaction per batch"
    )
    print(f"{'layout':34} {'comments/s':>11} {'score rows/s':>13} {'bytes/comment':>14}")
    for batch in [int(b) for b in args.batches.split(",")]:
        db = work / f"narrow-{batch}.db"
        store = open_store(db)
        import_path(store, doc)
        ids = [(c.id, c.content_hash) for t in store.threads.list()
               for c in store.comments.for_thread(t.id)]  # fmt: skip
        model = ModelInfo("detoxify/original@bench", "detoxify", "detoxify/original", ATTRIBUTES)
        store.scores.register_model(model)
        store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = db_bytes(db)
        rows = [
            ScoreRow(cid, model.id, {a: rng.random() for a in ATTRIBUTES}, chash)
            for cid, chash in ids
        ]
        start = time.perf_counter()
        for offset in range(0, len(rows), batch):
            store.scores.save(rows[offset : offset + batch])
        seconds = time.perf_counter() - start
        store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        grown = db_bytes(db) - before
        n = len(rows)
        print(
            f"{'one row per attribute, batch ' + str(batch):34} {n / seconds:11,.0f} "
            f"{n * len(ATTRIBUTES) / seconds:13,.0f} {grown / n:14,.0f}"
        )
        conn = store.db.conn
        # the same narrow table without its (model, attribute, score) index, which a
        # bulk load could drop and rebuild once at the end
        conn.execute("CREATE TABLE scores_noindex AS SELECT * FROM scores WHERE 0")
        conn.execute(
            "CREATE UNIQUE INDEX scores_noindex_pk ON scores_noindex(comment_id, model, attribute)"
        )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = db_bytes(db)
        start = time.perf_counter()
        for offset in range(0, len(rows), batch):
            with conn:
                conn.executemany(
                    "INSERT OR REPLACE INTO scores_noindex VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (r.comment_id, r.model, a, v, r.content_hash, 0, "2026-12-01T00:00:00Z")
                        for r in rows[offset : offset + batch]
                        for a, v in r.scores.items()
                    ],
                )
        seconds = time.perf_counter() - start
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        grown = db_bytes(db) - before
        print(
            f"{'row per attribute, no score index ' + str(batch):34} {n / seconds:11,.0f} "
            f"{n * len(ATTRIBUTES) / seconds:13,.0f} {grown / n:14,.0f}"
        )
        # the wide alternative, in the same database file (scratch copy)
        columns = ", ".join(f"{a} REAL NOT NULL" for a in ATTRIBUTES)
        conn.execute(
            f"""CREATE TABLE scores_wide (comment_id INTEGER NOT NULL, model TEXT NOT NULL,
                content_hash TEXT NOT NULL, windowed INTEGER NOT NULL, scored_at TEXT NOT NULL,
                {columns}, PRIMARY KEY (comment_id, model)) WITHOUT ROWID"""
        )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = db_bytes(db)
        marks = ", ".join("?" * (5 + len(ATTRIBUTES)))
        sql = f"INSERT OR REPLACE INTO scores_wide VALUES ({marks})"
        start = time.perf_counter()
        for offset in range(0, len(rows), batch):
            with conn:
                conn.executemany(
                    sql,
                    [
                        (r.comment_id, r.model, r.content_hash, 0, "2026-12-01T00:00:00Z",
                         *r.scores.values())
                        for r in rows[offset : offset + batch]
                    ],
                )  # fmt: skip
        seconds = time.perf_counter() - start
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        grown = db_bytes(db) - before
        print(
            f"{'wide (row per comment), batch ' + str(batch):34} {n / seconds:11,.0f} "
            f"{n * len(ATTRIBUTES) / seconds:13,.0f} {grown / n:14,.0f}"
        )
        store.close()


if __name__ == "__main__":
    main()
