"""Moderating a whole site (issue 21): a million comments in 50,000 threads.

Builds (once; ``--db`` keeps it for the next run) a synthetic site with the real
importer: a Pushshift dump of ``--threads`` submissions and ``--comments``
comments, reply chains of realistic depth (each comment answers the thread or an
earlier comment, recent ones more often), 8-80 words from a Zipf-like vocabulary
of 20,000 words, 40,000 commenters of whom a few write hundreds; then scores for
every comment (one model, two attributes) and some labels (1 % of the comments,
by three moderators). Then, through the real app and the real CLI:

* **UI open** on the site queue (``modtool tui`` without FILE or ``--thread``):
  from ``create_app`` to the first rows and the detail shown (target < 1.5 s);
* **keys** (Pilot; key sent → last repaint), median and worst of ``--presses``
  each: ``j``, ``n``, a label, approve, ``v`` to the thread's tree and ``⌫``
  back, ``A`` (author view) and esc back, ``T`` (picker) and esc (target
  < 100 ms median);
* **peak RSS** of that UI process (a child process; target < 500 MB);
* ``modtool queue --json | head -50`` wall time (target < 1 s);
* **search**: the store's full-text search (first 50, best first) for a rare,
  a middling and a common word, and ``/`` in the UI (target < 200 ms);
* **bulk**: labelling every comment of the author with the most comments
  (about 500) as one group, and undoing it (target < 2 s);

and, in the same run for comparison, the one-thread figures of
``benchmarks/tui_bench.py`` on its 20,000-comment thread. Prints the CPU (model,
cores, flags) and the load average: the machine is shared.

Run: ``.venv/bin/python benchmarks/site_bench.py [--comments 1000000] [--threads 50000]
[--presses 20] [--db /tmp/site-bench.db]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import accumulate
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.import_bench import machine  # noqa: E402  (CPU model, cores, flags, load)
from benchmarks.tui_bench import watch_paints  # noqa: E402  (when each repaint finished)

EPOCH = 1_714_000_000


# -- the site -------------------------------------------------------------------------------
def vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    words = set()
    while len(words) < size:
        length = rng.choice((2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9))
        words.add("".join(rng.choice(letters[: 8 + length * 2]) for _ in range(length)))
    return sorted(words)


def write_dump(path: Path, comments: int, threads: int, seed: int = 11) -> Path:
    """A Pushshift NDJSON dump: submissions, then their comments, thread by thread."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    weights = list(accumulate(1 / (rank + 1) for rank in range(len(words))))
    authors = [f"user{n}" for n in range(40_000)]
    author_weights = list(accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(authors))))
    per_thread = [1] * threads
    for _ in range(comments - threads):  # a few threads get most of the comments
        per_thread[
            min(threads - 1, int(rng.paretovariate(1.2)) - 1 + rng.randrange(threads) // 8)
        ] += 1
    with open(path, "w", encoding="utf-8") as out:
        number = 0
        for thread, count in enumerate(per_thread):
            tid = f"s{thread}"
            title = " ".join(
                rng.choices(words, cum_weights=weights, k=rng.randint(4, 10))
            ).capitalize()
            start = EPOCH + thread * 50
            out.write(json.dumps({"id": tid, "title": title, "selftext": "", "created_utc": start}))
            out.write("\n")
            ids: list[str] = []
            batch_authors = rng.choices(authors, cum_weights=author_weights, k=count)
            for index in range(count):
                cid = f"c{number}"
                number += 1
                if ids and rng.random() < 0.7:
                    back = min(len(ids), int(rng.expovariate(0.3)) + 1)
                    parent = f"t1_{ids[-back]}"
                else:
                    parent = f"t3_{tid}"
                body = " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(8, 80)))
                out.write(
                    json.dumps(
                        {
                            "id": cid,
                            "link_id": f"t3_{tid}",
                            "parent_id": parent,
                            "author": batch_authors[index],
                            "body": body,
                            "created_utc": start + index * 7,
                        }
                    )
                )
                out.write("\n")
                ids.append(cid)
    return path


def build_site(db: Path, comments: int, threads: int) -> dict[str, float]:
    from modtool.ingest import import_path
    from modtool.models import ModelInfo, ReviewState, ScoreRow
    from modtool.policy import load_policy
    from modtool.policy.suggest import register
    from modtool.store import open_store
    from modtool.store.labels import set_verdicts

    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "RC_site.ndjson"
        t0 = time.perf_counter()
        write_dump(dump, comments, threads)
        times["write"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        with open_store(db) as store:
            import_path(store, dump)
        times["import"] = time.perf_counter() - t0
    policy = load_policy("news-comments")
    rng = random.Random(5)
    t0 = time.perf_counter()
    with open_store(db) as store:
        model = ModelInfo(
            id="detoxify/original@sitebench",
            scorer="detoxify",
            name="original",
            attributes=("toxicity", "insult"),
        )
        store.scores.register_model(model)
        batch: list[ScoreRow] = []
        for cid, chash in store.db.execute("SELECT id, content_hash FROM comments"):
            value = rng.random() ** 3
            batch.append(ScoreRow(cid, model.id, {"toxicity": value, "insult": value * 0.8}, chash))
            if len(batch) == 20_000:
                store.scores.save(batch)
                batch = []
        store.scores.save(batch)
        times["scores"] = time.perf_counter() - t0
        register(store, policy)
        verdicts = []
        for moderator in ("mod_a", "mod_b", "mod_c"):
            for cid in rng.sample(range(1, comments + 1), comments // 300):
                state = (
                    ReviewState(frozenset({rng.choice(["insult", "spam", "off_topic"])}), "labeled")
                    if rng.random() < 0.4
                    else ReviewState(frozenset(), "approved")
                )
                verdicts.append((cid, moderator, state))
        set_verdicts(store.labels, verdicts, policy=policy.ref)
        store.db.execute("ANALYZE")
        times["labels"] = time.perf_counter() - t0 - times["scores"]
    return times


# -- the UI (in a child process: its own peak RSS) -----------------------------------------
async def ui(db: Path, presses: int, words: list[str]) -> dict[str, object]:
    from modtool.policy import load_policy
    from modtool.tui.app import create_app

    policy = load_policy("news-comments")
    started = time.perf_counter()
    app = create_app(db, None, policy, "bench", scorer=None, poll_seconds=0)
    timings: dict[str, list[float]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        opened = time.perf_counter() - started
        assert app.view == "site" and len(app.site_view.rows) > 0
        painted = watch_paints(app)

        async def press(key: str, name: str) -> None:
            t0 = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            after = [stamp for stamp in painted if stamp > t0]
            timings.setdefault(name, []).append((after[-1] if after else time.perf_counter()) - t0)

        for _ in range(presses):
            await press("j", "j")
        for _ in range(presses):
            await press("n", "n")
        for _ in range(presses):
            await press("i", "i (label)")
            await pilot.press("j")
        for _ in range(presses):
            await press("a", "a (approve)")
            await pilot.press("j")
        for _ in range(presses):
            await press("v", "v (site → thread)")
            await press("backspace", "⌫ (thread → site)")
            await pilot.press("j")
        for _ in range(presses):
            await press("A", "A (author view)")
            await press("escape", "esc (author → site)")
            await pilot.press("j")
        for _ in range(presses):
            await press("T", "T (thread picker)")
            await press("escape", "esc (close picker)")
        # `/` in the UI: the dialog, then enter runs the search on the site queue.
        for word in words:
            await pilot.press("slash")
            await pilot.pause()
            for char in word:
                await pilot.press(char)
            await press("enter", "/ search (enter)")
            await press("escape", "esc (clear search)")
    return {"open": opened, "timings": timings}


def child_ui(db: Path, presses: int, words: list[str]) -> dict[str, object]:
    code = (
        "import asyncio, json, sys; sys.path.insert(0, sys.argv[3]);"
        "from benchmarks.site_bench import ui;"
        "r = asyncio.run(ui(__import__('pathlib').Path(sys.argv[1]), int(sys.argv[2]),"
        " sys.argv[4:]));"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1];"
        "r['peak_kb'] = int(hwm); print(json.dumps(r))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(db), str(presses), str(REPO), *words],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- CLI and store operations ---------------------------------------------------------------
def queue_head(db: Path) -> float:
    env = {**os.environ, "MODTOOL_DB": str(db), "MODTOOL_MODERATOR": "bench"}
    t0 = time.perf_counter()
    subprocess.run(
        f"{sys.executable} -m modtool queue --json | head -50 > /dev/null",
        shell=True,
        check=True,
        env=env,
        cwd=REPO,
    )
    return time.perf_counter() - t0


def search_words(db: Path) -> dict[str, str]:
    """A rare, a middling and a common word of the index (FTS5's own vocabulary)."""
    from modtool.store import open_store

    with open_store(db) as store:
        store.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.vocab USING fts5vocab(main, comments_fts, row)"
        )
        terms = store.db.execute("SELECT term, doc FROM temp.vocab ORDER BY doc").fetchall()
    total = max(doc for _, doc in terms)

    def near(target: float) -> str:
        return min(terms, key=lambda row: abs(row[1] - target))[0]

    return {"rare": near(10), "middling": near(total / 100), "common": terms[-1][0]}


def searches(db: Path, words: dict[str, str]) -> dict[str, tuple[float, int]]:
    from modtool.store import open_store

    found: dict[str, tuple[float, int]] = {}
    with open_store(db) as store:
        for label, word in words.items():
            # What `modtool search` does: few matches ranked, many newest first.
            t0 = time.perf_counter()
            store.search.comment_ids(word, limit=50, ranked=store.search.few(word))
            elapsed = time.perf_counter() - t0
            found[f"{label} {word!r}"] = (elapsed, store.search.count(word))
    return found


def bulk_author(db: Path) -> dict[str, float]:
    from modtool.moderation import bulk
    from modtool.policy import load_policy
    from modtool.store import open_store
    from modtool.store.authors import AuthorRef

    policy = load_policy("news-comments")
    with open_store(db) as store:
        # The commenter with the number of comments nearest 500.
        name, count = min(
            store.db.execute(
                "SELECT author, COUNT(*) FROM comments GROUP BY author HAVING COUNT(*) >= 300"
            ),
            key=lambda row: abs(row[1] - 500),
        )
        ref = AuthorRef("reddit", name, True)
        t0 = time.perf_counter()
        plan = bulk.by_author(store, ref)
        result = bulk.apply(store, plan, "spam", moderator="bench", policy=policy.ref)
        labelled = time.perf_counter() - t0
        t0 = time.perf_counter()
        undone = store.labels.undo(moderator="bench", policy=policy.ref)
        undo = time.perf_counter() - t0
    return {"author_comments": count, "changed": len(result.actions), "label": labelled,
            "undo": undo, "undone": len(undone)}  # fmt: skip


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def report_keys(timings: dict[str, list[float]]) -> None:
    for key, values in timings.items():
        print(
            f"  key {key:<22} median {statistics.median(values) * 1000:6.1f} ms, "
            f"max {max(values) * 1000:6.1f} ms over {len(values)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=50_000)
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--db", type=Path, default=None, help="build once here, reuse after")
    parser.add_argument("--thread-comments", type=int, default=20_000)
    args = parser.parse_args()
    print(machine())
    db = args.db or Path(tempfile.mkdtemp()) / "site-bench.db"
    if not db.exists():
        times = build_site(db, args.comments, args.threads)
        print(
            f"built {args.comments:,} comments in {args.threads:,} threads (not timed as a "
            f"target): dump {times['write']:.0f} s, import {times['import']:.0f} s, scores "
            f"{times['scores']:.0f} s, labels {times['labels']:.0f} s; "
            f"{db.stat().st_size / 2**20:.0f} MiB"
        )
    else:
        print(f"reusing {db} ({db.stat().st_size / 2**20:.0f} MiB)")

    words = search_words(db)
    result = child_ui(db, args.presses, [words["middling"], words["common"]])
    print(f"\nsite UI (load {load()}):")
    print(f"  open on the site queue: {result['open'] * 1000:.0f} ms (target < 1500 ms)")
    report_keys(result["timings"])  # type: ignore[arg-type]
    medians = {k: statistics.median(v) for k, v in result["timings"].items()}  # type: ignore[union-attr]
    keys = {k: v for k, v in medians.items() if not k.startswith(("/", "esc (clear search"))}
    print(
        f"  worst key median {max(keys.values()) * 1000:.1f} ms (target < 100 ms); / search "
        f"{medians['/ search (enter)'] * 1000:.1f} ms (target < 200 ms); "
        f"peak RSS {result['peak_kb'] / 1024:.0f} MB (target < 500 MB)"
    )
    head = min(queue_head(db) for _ in range(3))
    print(f"\nqueue --json | head -50: {head * 1000:.0f} ms, best of 3 (target < 1000 ms; "
          f"load {load()})")  # fmt: skip
    print("\nsearch (the store, as `modtool search` does: the first 50, ranked when few match):")
    for label, (elapsed, total) in searches(db, words).items():
        print(f"  {label:<18} {elapsed * 1000:6.1f} ms ({total:,} matches) (target < 200 ms)")
    figures = bulk_author(db)
    print(
        f"\nbulk: spam on every comment of an author with {figures['author_comments']} "
        f"comments ({figures['changed']} changed): {figures['label'] * 1000:.0f} ms, "
        f"undo {figures['undone']} in {figures['undo'] * 1000:.0f} ms (target < 2000 ms; "
        f"load {load()})"
    )

    from benchmarks import tui_bench

    with tempfile.TemporaryDirectory() as tmp:
        thread_db = tui_bench.build_database(Path(tmp), args.thread_comments)
        one = asyncio.run(tui_bench.measure(thread_db, args.presses))
    print(f"\none thread of {one['comments']:,} comments (tui_bench, same run; load {load()}):")
    print(f"  open: {one['open'] * 1000:.0f} ms")
    report_keys(one["timings"])  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
