"""Export speed and memory on a large database (default 1,000,000 comments).

Builds the database quickly with direct batched inserts into modtool's schema
(1,000 threads of 1,000 comments with a realistic reply tree, one score per
comment, two moderators' labels on 2% of the comments), then runs
``modtool export`` for each format (JSONL, CSV, Parquet, the long annotations
table, Jigsaw, Label Studio, Argilla, Prodigy by default; ``--formats``), each
in a fresh subprocess so that the peak RSS reported is the export's own, and
prints comments/s, peak RSS and the output's size (the folder's, for folder
formats; the card beside is left out). With
``--also N`` it exports the first N comments' worth of threads too, to show
that memory does not grow with the size of the export.

Run: ``.venv/bin/python benchmarks/export_bench.py [--comments N] [--db PATH] [--keep]``
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synthetic import WORDS

from modtool.models import content_hash
from modtool.store import open_store

AUTHORS = [f"user{i}" for i in range(5_000)]
PER_THREAD = 1_000
BATCH = 20_000
MODEL = "profanity-check@bench"
POLICY = "bench"
NOW = "2026-11-27T00:00:00.000000+00:00"
FORMATS = {  # format: file extension ("" for a folder)
    "jsonl": "jsonl",
    "csv": "csv",
    "parquet": "parquet",
    "annotations": "jsonl",
    "jigsaw": "csv",
    "label-studio": "json",
    "argilla": "",
    "prodigy": "jsonl",
}


def build(path: Path, comments: int, seed: int = 7) -> float:
    started = time.perf_counter()
    open_store(path).close()  # schema through the real migrations
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    rng = random.Random(seed)
    conn.execute(
        "INSERT INTO models (id, scorer, name, attributes, details, first_used_at, key) "
        "VALUES (?, 'profanity-check', 'profanity-check', '[\"profanity\"]', '{}', ?, 1)",
        [MODEL, NOW],
    )
    comment_rows, score_rows, label_rows, review_rows, action_rows = [], [], [], [], []

    def flush(force: bool = False) -> None:
        if len(comment_rows) < BATCH and not force:
            return
        conn.executemany(
            "INSERT INTO comments (id, thread_id, parent_id, position, depth, path, author, body,"
            " content_hash, line, present, imported_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 1, ?, ?)",
            comment_rows,
        )
        conn.executemany(
            "INSERT INTO comment_scores (comment_id, model_key, s0, content_hash, windowed,"
            " scored_at) VALUES (?, 1, ?, ?, 0, ?)",
            score_rows,
        )
        conn.executemany(
            "INSERT INTO labels (comment_id, moderator, label, policy_name, policy_hash,"
            " created_at) VALUES (?, ?, ?, ?, 'benchhash', ?)",
            label_rows,
        )
        conn.executemany(
            "INSERT INTO reviews (comment_id, moderator, policy_name, state, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            review_rows,
        )
        conn.executemany(
            "INSERT INTO actions (at, actor, actor_kind, comment_id, policy_name, policy_hash,"
            " kind, label, before, after) VALUES (?, ?, 'moderator', ?, ?, 'benchhash', ?, ?,"
            " '{}', '{}')",
            action_rows,
        )
        for rows in (comment_rows, score_rows, label_rows, review_rows, action_rows):
            rows.clear()

    comment_id = 0
    threads = (comments + PER_THREAD - 1) // PER_THREAD
    with conn:
        for thread in range(1, threads + 1):
            conn.execute(
                "INSERT INTO threads (id, title, source, format, article, article_hash,"
                " imported_at, updated_at) VALUES (?, ?, ?, 'plaintext', ?, ?, ?, ?)",
                [
                    thread,
                    f"Bench thread {thread}",
                    f"bench://{thread}",
                    "An article.",
                    f"h{thread}",
                    NOW,
                    NOW,
                ],
            )
            nodes: list[tuple[int, int, str, int]] = []  # id, depth, path, children
            top = 0
            for position in range(min(PER_THREAD, comments - comment_id)):
                comment_id += 1
                if not nodes or rng.random() < 0.25:
                    top += 1
                    parent, depth, path = None, 0, str(top)
                else:
                    index = max(0, len(nodes) - 1 - int(rng.expovariate(0.2)))
                    pid, pdepth, ppath, kids = nodes[index]
                    nodes[index] = (pid, pdepth, ppath, kids + 1)
                    parent, depth, path = pid, pdepth + 1, f"{ppath}.{kids + 1}"
                nodes.append((comment_id, depth, path, 0))
                author = rng.choice(AUTHORS)
                body = " ".join(rng.choices(WORDS, k=rng.randint(5, 60)))
                chash = content_hash(author, body)
                comment_rows.append(
                    (
                        comment_id,
                        thread,
                        parent,
                        position,
                        depth,
                        path,
                        author,
                        body,
                        chash,
                        NOW,
                        NOW,
                    )
                )
                score_rows.append((comment_id, rng.random(), chash, NOW))
                if rng.random() < 0.02:
                    for moderator in ("alice", "bob"):
                        if rng.random() < 0.4:
                            label_rows.append((comment_id, moderator, "insult", POLICY, NOW))
                            review_rows.append((comment_id, moderator, POLICY, "labeled", NOW))
                            action_rows.append(
                                (NOW, moderator, comment_id, POLICY, "add_label", "insult")
                            )
                        else:
                            review_rows.append((comment_id, moderator, POLICY, "approved", NOW))
                            action_rows.append(
                                (NOW, moderator, comment_id, POLICY, "approve", None)
                            )
                flush()
        flush(force=True)
    conn.close()
    return time.perf_counter() - started


def run_export(db: Path, fmt: str, output: Path, *extra: str) -> tuple[float, int, str]:
    """Seconds, peak RSS in KiB, and stdout of one ``modtool export`` subprocess."""
    command = [
        sys.executable,
        "-m",
        "modtool",
        "export",
        "--format",
        fmt,
        "-o",
        str(output),
        "--db",
        str(db),
        "--policy",
        POLICY,
        *extra,
    ]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out = process.stdout.read() if process.stdout else ""
    err = process.stderr.read() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"export failed: {err.strip()}")
    return seconds, usage.ru_maxrss, out.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="reuse or create this database")
    parser.add_argument("--keep", action="store_true", help="keep the database and outputs")
    parser.add_argument(
        "--formats",
        default=",".join(FORMATS),
        help=f"comma-separated formats to export (default: {','.join(FORMATS)})",
    )
    parser.add_argument(
        "--also",
        type=int,
        default=0,
        help="also export only the first N comments' threads (memory check)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="modtool-export-bench-"))
    db = args.db or work / "bench.db"
    if not db.exists():
        seconds = build(db, args.comments)
        print(
            f"built {args.comments:,} comments in {seconds:.1f} s "
            f"({db.stat().st_size / 2**20:.0f} MiB)"
        )
    rows = sqlite3.connect(db).execute("SELECT COUNT(*) FROM comments").fetchone()[0]
    print(
        f"{'format':<16} {'comments':>10} {'seconds':>8} {'comments/s':>10} {'peak RSS':>9} "
        f"{'output':>9}"
    )
    jobs = [(fmt.strip(), rows, ()) for fmt in args.formats.split(",") if fmt.strip()]
    if args.also:
        threads = max(1, args.also // PER_THREAD)
        only = tuple(arg for t in range(1, threads + 1) for arg in ("--thread", str(t)))
        jobs.insert(0, ("jsonl", min(rows, threads * PER_THREAD), only))
    for fmt, count, extra in jobs:
        folder = work / f"out-{fmt}-{count}"
        folder.mkdir(exist_ok=True)
        output = folder / (f"out.{FORMATS[fmt]}" if FORMATS[fmt] else "out")
        seconds, rss_kib, _ = run_export(db, fmt, output, *extra)
        size = (
            sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
            if output.is_dir()
            else output.stat().st_size
        )
        print(
            f"{fmt:<16} {count:>10,} {seconds:>8.1f} {count / seconds:>10,.0f} "
            f"{rss_kib / 1024:>7.0f} MiB {size / 2**20:>5.0f} MiB"
        )
        if not args.keep:
            shutil.rmtree(folder)
    if not args.keep and args.db is None:
        shutil.rmtree(work)
    elif args.keep:
        print(f"kept in {work}")


if __name__ == "__main__":
    main()
