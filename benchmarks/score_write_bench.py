"""How fast the store takes and gives scores: the old layout beside the new, in one run.

Imports ``--comments`` synthetic comments (threads of ``--thread-size``) into a
fresh store, then, for each batch size (comments per transaction), writes
Detoxify-shaped scores (6 attributes) plus a one-attribute second model for
every comment into a fresh copy of that database with each contender:

* **old**: the layout before migration m007, one row per attribute
  (``scores(comment_id, model, attribute, score, …)`` with its
  ``(model, attribute, score)`` index), written and read by the old code,
  verbatim (``benchmarks/score_layout_old.py``);
* **new**: one row per comment and model (``comment_scores``: REAL columns by
  attribute position, ``s0`` indexed), written by ``store.scores.save``, the
  code ``modtool score`` calls (values checked, models resolved, one
  transaction per batch);
* **json**: the alternative measured for the choice: one row per comment and
  model holding a JSON object, with an expression index on each model's
  headline attribute (``$.toxicity``, ``$.p``: the index the new layout's
  ``s0`` gives every model at once), written with the same checks.

Then the reads the rest of modtool makes, on the old and the new database
(same scores): the queue sort (top 50 over the whole store by the headline and
by another attribute), every thread's scores (policy rules, the moderator UI),
every comment's scores in export batches (exports, ``stats``, calibrate,
``evaluate``), the scored (model, attribute) pairs, ``count_scored`` and the
resume query. Prints the machine (CPU, load average, SQLite), every figure,
the targets, and last ``store: N comments/s in batches of 1024, M in batches
of 32`` (the new layout through the store's write path).

Run: ``.venv/bin/python benchmarks/score_write_bench.py [--comments 50000] [--rounds 2]``
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import score_layout_old as old_layout  # noqa: E402
from benchmarks.synthetic import write_thread  # noqa: E402

ATTRIBUTES = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
DETOX = "detoxify/original@0123456789ab"
PROFANITY = "profanity-check@1.9.1"
TARGETS = {1024: 50_000, 32: 20_000}


def machine_lines() -> list[str]:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return [
        f"CPU: {model}, {os.cpu_count()} logical CPUs; {platform.system()} {platform.release()}",
        f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (the machine may be shared)",
        f"SQLite {sqlite3.sqlite_version}, Python {platform.python_version()}; WAL, "
        "synchronous=NORMAL, foreign keys on, one transaction per batch",
    ]


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def base_database(work: Path, comments: int, thread_size: int) -> Path:
    from modtool.ingest import import_path
    from modtool.models import ModelInfo
    from modtool.store import open_store

    db = work / "base.db"
    store = open_store(db)
    for number, start in enumerate(range(0, comments, thread_size)):
        doc = write_thread(
            work / f"t{number}.txt", min(thread_size, comments - start), seed=number, words=(5, 30)
        )
        _, rest = doc.read_text(encoding="utf-8").split("\n", 1)
        doc.write_text(f"Synthetic thread {number}\n{rest}", encoding="utf-8")  # its own thread
        import_path(store, doc)
        doc.unlink()
    store.scores.register_model(ModelInfo(DETOX, "detoxify", "detoxify/original", ATTRIBUTES))
    store.scores.register_model(ModelInfo(PROFANITY, "profanity-check", "profanity-check", ("p",)))
    store.close()
    checkpoint(db)
    return db


def copy_of(base: Path, name: str, old: bool = False) -> Path:
    target = base.with_name(name)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(base, target)
    if old:
        conn = sqlite3.connect(target)
        conn.executescript("DROP VIEW scores;" + old_layout.TABLE)
        conn.close()
    return target


# -- the contenders' write paths ----------------------------------------------------------
def old_save(store, rows) -> None:
    old_layout.save(store.db, rows)


def json_setup(store) -> None:
    store.db.conn.executescript(
        """CREATE TABLE scores_json (
               comment_id INTEGER NOT NULL REFERENCES comments(id),
               model_key INTEGER NOT NULL REFERENCES models(key),
               content_hash TEXT NOT NULL, windowed INTEGER NOT NULL, scored_at TEXT NOT NULL,
               scores TEXT NOT NULL, PRIMARY KEY (comment_id, model_key)) WITHOUT ROWID;
           CREATE INDEX scores_json_rank ON scores_json(model_key, scores ->> '$.toxicity');
           CREATE INDEX scores_json_rank_p ON scores_json(model_key, scores ->> '$.p');"""
    )


def json_save(store, rows) -> None:
    from modtool.store.common import dumps, utc_now

    now = utc_now()
    keys = dict(store.db.execute("SELECT id, key FROM models"))
    params = []
    for row in rows:
        for value in row.scores.values():
            if not 0.0 <= value <= 1.0:
                raise ValueError(value)
        params.append(
            (row.comment_id, keys[row.model], row.content_hash, int(row.windowed), now,
             dumps(row.scores))
        )  # fmt: skip
    with store.db.atomic():
        store.db.conn.executemany(
            """INSERT INTO scores_json VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (comment_id, model_key) DO UPDATE SET
               content_hash = excluded.content_hash, windowed = excluded.windowed,
               scored_at = excluded.scored_at, scores = excluded.scores""",
            params,
        )


def new_save(store, rows) -> None:
    store.scores.save(rows)


CONTENDERS: dict[str, tuple[bool, Callable | None, Callable]] = {
    "old: one row per attribute": (True, None, old_save),
    "new: one row per comment+model": (False, None, new_save),
    "json: one row, JSON object": (False, json_setup, json_save),
}


def make_rows(base: Path, seed: int = 3) -> list:
    from modtool.models import ScoreRow

    rng = random.Random(seed)
    conn = sqlite3.connect(base)
    comments = conn.execute("SELECT id, content_hash FROM comments ORDER BY id").fetchall()
    conn.close()
    rows = []
    for cid, chash in comments:
        rows.append(ScoreRow(cid, DETOX, {a: rng.random() for a in ATTRIBUTES}, chash))
        rows.append(ScoreRow(cid, PROFANITY, {"p": rng.random()}, chash))
    return rows


def write_run(base: Path, rows: list, batch: int, name: str) -> tuple[float, float, Path]:
    """Comments/s (of the Detoxify model, both models' rows written) and bytes/comment."""
    from modtool.store import open_store

    old, setup, save = CONTENDERS[name]
    path = copy_of(base, f"{name.split(':')[0]}-{batch}.db", old=old)
    store = open_store(path)
    if setup:
        setup(store)
    checkpoint(path)
    before = db_bytes(path)
    # a scoring run writes one model's batches; the second model is a second run
    per_model = [rows[0::2], rows[1::2]]
    started = time.perf_counter()
    for part in per_model:
        for offset in range(0, len(part), batch):
            save(store, part[offset : offset + batch])
    seconds = time.perf_counter() - started
    store.close()
    checkpoint(path)
    comments = len(rows) // 2
    return 2 * comments / seconds, (db_bytes(path) - before) / comments, path


# -- reads ---------------------------------------------------------------------------------
def best_of(run: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def read_table(old_path: Path, new_path: Path) -> list[tuple[str, float, float, str]]:
    """The reads the rest of modtool makes, each through its own code: the old
    layout's methods (``score_layout_old.py``) and the new store's."""
    import sqlite_utils

    from modtool.store import open_store
    from modtool.store.scores import current_score_rows, scored_pairs

    old = sqlite_utils.Database(old_path)
    new = open_store(new_path)
    threads = [t for (t,) in old.execute("SELECT id FROM threads ORDER BY id")]
    ids = [c for (c,) in old.execute("SELECT id FROM comments ORDER BY id")]
    chunks = [ids[i : i + 2000] for i in range(0, len(ids), 2000)]
    # the first site-wide ranking by a not-yet-indexed attribute builds its index
    first_insult = best_of(lambda: new.scores.ranked(DETOX, "insult", limit=50), repeat=1)
    rows = [
        (
            "queue: top 50 by toxicity, whole store",
            best_of(lambda: old_layout.top(old, DETOX, "toxicity", limit=50)),
            best_of(lambda: new.scores.ranked(DETOX, "toxicity", limit=50)),
            "",
        ),
        (
            "queue: top 50 by insult, whole store",
            best_of(lambda: old_layout.top(old, DETOX, "insult", limit=50)),
            best_of(lambda: new.scores.ranked(DETOX, "insult", limit=50)),
            f"first call {first_insult:.2f} s (builds the s4 index once)",
        ),
        (
            f"policy rules / UI: scores of all {len(threads)} threads",
            best_of(lambda: [old_layout.for_thread(old, t) for t in threads]),
            best_of(lambda: [new.scores.for_thread(t) for t in threads]),
            "",
        ),
        (
            "exports/stats/calibrate: every comment, batches of 2,000",
            best_of(lambda: [old_layout.fill(old, chunk) for chunk in chunks]),
            best_of(lambda: [list(current_score_rows(new.db, chunk)) for chunk in chunks]),
            "",
        ),
        (
            "export columns: scored (model, attribute) pairs",
            best_of(lambda: old_layout.score_columns(old)),
            best_of(lambda: scored_pairs(new.db)),
            "",
        ),
        (
            "count_scored (models table, stats)",
            best_of(lambda: old_layout.count_scored(old, DETOX)),
            best_of(lambda: new.scores.count_scored(DETOX)),
            "",
        ),
        (
            "resume: unscored comments of a model",
            best_of(lambda: list(old_layout.unscored(old, DETOX))),
            best_of(lambda: list(new.scores.unscored(DETOX))),
            "",
        ),
    ]
    old.close()
    new.close()
    return rows


def rank_scale(work: Path, comments: int) -> list[str]:
    """A top-50 ranking over ``comments`` comments by an attribute whose column
    has no index yet (a scan), the one-time cost of its index, and the same
    ranking with it (rows written by SQL here: the write path is measured above)."""
    from modtool.models import ModelInfo
    from modtool.store import open_store
    from modtool.store.scores import _ranked_sql

    path = work / "rank.db"
    store = open_store(path)
    store.scores.register_model(ModelInfo(DETOX, "detoxify", "detoxify/original", ATTRIBUTES))
    conn = store.db.conn
    with store.db.atomic():
        conn.execute(
            "INSERT INTO threads (id, title, source, format, article_hash, imported_at,"
            " updated_at) VALUES (1, 'T', 'bench', 'text', 'h', 'now', 'now')"
        )
        conn.execute(
            """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
               INSERT INTO comments (id, thread_id, position, depth, path, author, body,
                                     content_hash, imported_at, updated_at)
               SELECT i, 1, i, 0, i, 'a', 'b', printf('%016x', i), 'now', 'now' FROM n""",
            [comments],
        )
        values = ", ".join("abs(random() % 1000000) / 1e6" for _ in ATTRIBUTES)
        conn.execute(
            f"""INSERT INTO comment_scores (comment_id, model_key, content_hash, windowed,
                    scored_at, {", ".join(f"s{i}" for i in range(len(ATTRIBUTES)))})
                SELECT id, 1, content_hash, 0, 'now', {values} FROM comments"""
        )
    params = {"key": 1, "attribute": "insult", "thread": None, "limit": 50}
    sql = _ranked_sql("s4", False, False, False)  # what a read-only database would do
    scan = best_of(lambda: conn.execute(sql, params).fetchall())
    build = best_of(lambda: store.scores.ensure_rank_index("s4"), repeat=1)
    indexed = best_of(lambda: store.scores.ranked(DETOX, "insult", limit=50))
    store.close()
    return [
        f"ranking {comments:,} comments by an attribute (top 50): scan {scan * 1000:.1f} ms, "
        f"its index built once in {build:.2f} s, then {indexed * 1000:.2f} ms"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--thread-size", type=int, default=500)
    parser.add_argument("--batches", default="1024,32", help="comments per transaction")
    parser.add_argument("--rounds", type=int, default=2, help="best of this many runs each")
    parser.add_argument(
        "--rank-comments", type=int, default=0, help="also time a ranking over this many (0: no)"
    )
    args = parser.parse_args()

    for line in machine_lines():
        print(line)
    work = Path(tempfile.mkdtemp(prefix="modtool-writes-"))
    try:
        base = base_database(work, args.comments, args.thread_size)
        rows = make_rows(base)
        print(
            f"{args.comments:,} comments in threads of {args.thread_size}; per comment: "
            f"Detoxify's {len(ATTRIBUTES)} attributes, then a 1-attribute model (two runs)"
        )
        print(f"\n{'writes (best of ' + str(args.rounds) + ')':44} {'comments/s':>11} "
              f"{'bytes/comment':>14}")  # fmt: skip
        best: dict[tuple[str, int], tuple[float, float]] = {}
        finals: dict[str, Path] = {}
        for batch in [int(b) for b in args.batches.split(",")]:
            for _ in range(args.rounds):  # interleaved, so load from elsewhere hits all alike
                for name in CONTENDERS:
                    rate, size, path = write_run(base, rows, batch, name)
                    if rate > best.get((name, batch), (0.0, 0.0))[0]:
                        best[(name, batch)] = (rate, size)
                    if batch == 1024:
                        finals[name] = path
            for name in CONTENDERS:
                rate, size = best[(name, batch)]
                print(f"{name + ', batch ' + str(batch):44} {rate:11,.0f} {size:14,.0f}")
        print("\n(comments/s counts each comment once per model run; target: new layout "
              + ", ".join(f"≥ {t:,}/s in batches of {b}" for b, t in TARGETS.items()) + ")")  # fmt: skip
        print(f"load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        old_name, new_name = list(CONTENDERS)[:2]
        if old_name in finals and new_name in finals:
            print(
                f"\n{'reads on the same scores (best of 3)':58} {'old':>10} {'new':>10} {'new/old':>8}"
            )
            for label, old_s, new_s, note in read_table(finals[old_name], finals[new_name]):
                ratio = new_s / old_s if old_s else float("nan")
                print(f"{label:58} {old_s * 1000:8.2f}ms {new_s * 1000:8.2f}ms {ratio:7.2f}x"
                      + (f"  {note}" if note else ""))  # fmt: skip
            print("(target: every read as fast or faster: new/old ≤ 1)")
        if args.rank_comments:
            for line in rank_scale(work, args.rank_comments):
                print(line)
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        new_rates = {b: best[(new_name, b)][0] for b in TARGETS if (new_name, b) in best}
        print(
            "store: "
            + f"{new_rates.get(1024, 0):,.0f} comments/s in batches of 1024, "
            + f"{new_rates.get(32, 0):,.0f} in batches of 32"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
