"""Moderation UI speed on a large thread, measured through Textual's Pilot.

Writes a synthetic plain-text thread (``--comments``, default 20,000: top-level
comments with reply chains and fan-outs up to depth 8), imports it with the
real importer into a fresh SQLite file, gives every comment a score, then:

* **open**: from building the app (``create_app``, as the CLI does) until the
  first screen is composed with the thread loaded and the first comment shown;
* **keypress**: for label toggles, approvals, ``n`` and ``j``, the time from
  sending the key until the app has handled it and repainted (Pilot ``press``
  then ``pause``), median and worst of ``--presses`` each.

Targets (issue 5): open < 1.5 s for 20,000 comments; a keypress < 100 ms.

Run: ``.venv/bin/python benchmarks/tui_bench.py [--comments 20000] [--presses 30]``
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

WORDS = [
    "the",
    "talks",
    "collapsed",
    "after",
    "eighty",
    "minutes",
    "and",
    "nobody",
    "seems",
    "to",
    "know",
    "why",
    "the",
    "troops",
    "are",
    "still",
    "there",
    "you",
    "idiot",
    "this",
    "is",
    "about",
    "money",
    "not",
    "security",
]


def write_synthetic_thread(path: Path, comments: int, seed: int = 7) -> Path:
    """A plain-text thread with ``comments`` comments in a realistic-ish reply shape."""
    rng = random.Random(seed)
    lines = ["A synthetic thread for the UI benchmark", "", "An article body.", ""]
    # Stack of reply counters per depth (numbering restarts under each parent).
    counters = [0]
    depth = 0
    for _ in range(comments):
        roll = rng.random()
        if depth > 0 and roll < 0.35:
            depth = rng.randrange(0, depth)  # go back up
            del counters[depth + 1 :]
        elif depth < 7 and roll > 0.55 and counters[depth] > 0:
            depth += 1  # reply to the previous comment
            counters.append(0)
        counters[depth] += 1
        indent = "  " * (depth + 1)
        author = f"user{rng.randrange(500)}"
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(5, 60)))
        lines += [f"{indent}{counters[depth]}. {author} says", "", f"{indent}  {body}", ""]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_database(workdir: Path, comments: int) -> Path:
    from modtool.ingest import import_path
    from modtool.models import ModelInfo, ScoreRow
    from modtool.store import open_store

    document = write_synthetic_thread(workdir / f"synthetic-{comments}.txt", comments)
    db = workdir / f"synthetic-{comments}.db"
    with open_store(db) as store:
        import_path(store, document)
        model = ModelInfo(
            id="detoxify/original@bench",
            scorer="detoxify",
            name="original",
            attributes=("toxicity", "insult"),
        )
        store.scores.register_model(model)
        rng = random.Random(1)
        store.scores.save(
            ScoreRow(
                c.id,
                model.id,
                {"toxicity": rng.random() ** 3, "insult": rng.random() ** 4},
                c.content_hash,
            )
            for c in store.comments.iter_thread(1)
        )
    return db


async def measure(db: Path, presses: int) -> dict[str, float | list[float]]:
    from modtool.policy import load_policy
    from modtool.tui.app import create_app

    policy = load_policy("news-comments")
    started = time.perf_counter()
    app = create_app(db, 1, policy, "bench", scorer=None, poll_seconds=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        opened = time.perf_counter() - started
        assert app.session is not None and len(app.session) > 0
        painted = watch_paints(app)
        timings: dict[str, list[float]] = {}

        async def press(key: str, name: str) -> float:
            # Key sent -> the last screen update that followed it (Pilot waits until
            # the app is idle, so every repaint the key caused has happened).
            t0 = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            after = [stamp for stamp in painted if stamp > t0]
            if not after:
                raise RuntimeError(f"key {key!r} did not repaint the screen")
            latency = after[-1] - t0
            timings.setdefault(name, []).append(latency)
            return latency

        for key in ["j"] * presses + ["i"] * presses + ["n"] * presses:
            await press(key, key)
        for _ in range(presses):
            await pilot.press("j")  # a fresh comment each time, so the approval changes it
            await press("a", "a")
        for _ in range(presses):
            await press("j", "j (tree)")
            await press("v", "v (to queue)")
            await press("j", "j (queue)")
            await press("v", "v (to tree)")
        switch = statistics.median(timings["v (to queue)"])
        comments = len(app.session)
        tree_nodes = len(app.tree._comment_nodes)
    return {
        "open": opened,
        "timings": timings,
        "switch": switch,
        "comments": comments,
        "tree_nodes": tree_nodes,
    }


async def floor(presses: int) -> list[float]:
    """The same measurement on a one-widget Textual app: what any key costs here."""
    from textual.app import App
    from textual.widgets import Static

    class Minimal(App[None]):
        BINDINGS = (("j", "bump", "Bump"),)
        count = 0

        def compose(self):
            yield Static("0")

        def action_bump(self) -> None:
            self.count += 1
            self.query_one(Static).update(str(self.count))

    app = Minimal()
    values = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        painted = watch_paints(app)
        for _ in range(presses):
            t0 = time.perf_counter()
            await pilot.press("j")
            await pilot.pause()
            values.append([s for s in painted if s > t0][-1] - t0)
    return values


def watch_paints(app: object) -> list[float]:
    """Record when each compositor refresh (a screen update) finishes."""
    stamps: list[float] = []
    screen = app.screen  # type: ignore[attr-defined]
    original = screen._compositor_refresh

    def refresh() -> None:
        original()
        stamps.append(time.perf_counter())

    screen._compositor_refresh = refresh
    return stamps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--presses", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        db = build_database(Path(tmp), args.comments)
        print(f"built {args.comments} comments in {time.perf_counter() - t0:.1f} s (not timed)")
        result = asyncio.run(measure(db, args.presses))
    print(
        f"open {result['comments']} comments: {result['open'] * 1000:.0f} ms "
        f"(target < 1500 ms; tree nodes built: {result['tree_nodes']})"
    )
    worst = 0.0
    for key, values in result["timings"].items():
        worst = max(worst, max(values))
        print(
            f"key {key!r:>11}: median {statistics.median(values) * 1000:5.1f} ms, "
            f"max {max(values) * 1000:5.1f} ms over {len(values)} presses"
        )
    base = asyncio.run(floor(args.presses))
    print(
        f"floor (a one-Static Textual app, same measurement): median "
        f"{statistics.median(base) * 1000:.1f} ms, max {max(base) * 1000:.1f} ms"
    )
    medians = [statistics.median(v) for v in result["timings"].values()]
    print(
        f"worst median {max(medians) * 1000:.1f} ms, worst single press {worst * 1000:.1f} ms "
        "(target < 100 ms)"
    )


if __name__ == "__main__":
    main()
