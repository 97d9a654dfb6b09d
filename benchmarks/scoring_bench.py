"""Scoring speed: stock ``Detoxify.predict`` vs modtool's pipeline, same checkpoint.

Builds (offline, cached in ``--workdir``) a bert-base-sized Detoxify-format
checkpoint with random weights (hidden 768, 12 layers, 12 heads, a generated
30,522-entry WordPiece vocab, max 512 tokens: the compute of Detoxify's
``original``), imports ``--comments`` comments of 10–200 words into a fresh
SQLite store, then times:

* stock: ``Detoxify(checkpoint, huggingface_config_path).predict`` in batches
  of 32, in input order (what a plain script does);
* modtool: ``score_store`` (dedup, length-sorted batches, dynamic padding,
  inference_mode, commit per batch), scores read back from SQLite;
* modtool ``--quantize``: the same with dynamic int8 linear layers.

The contenders run in interleaved rounds of ``--round`` comments (stock,
modtool, modtool --quantize on the same 100 comments, then the next 100), so
that load from other processes on a shared machine hits them alike; rates are
reported by wall clock and by this process's CPU time.

Prints comments/s, the speed ratio and the max abs difference of every score
against stock. Takes a few minutes on 2 cores; not part of the test suite.

Run: ``.venv/bin/python benchmarks/scoring_bench.py [--comments 500] [--batch-size 32]``
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from tests.tiny_detoxify import WORDS, build_checkpoint, build_hf_dir, make_vocab  # noqa: E402

VOCAB_SIZE = 30_522


def build(workdir: Path) -> tuple[Path, Path, list[str]]:
    vocab = make_vocab(size=VOCAB_SIZE, seed=7)
    hf_dir = workdir / "bert-base-random"
    checkpoint = workdir / "toxic_bertbase_random.ckpt"
    if not checkpoint.is_file():
        print("building a bert-base-sized random checkpoint (once)…", flush=True)
        build_hf_dir(
            hf_dir, vocab=vocab, max_length=512, hidden=768, layers=12, heads=12, intermediate=3072
        )
        build_checkpoint(checkpoint, hf_dir, seed=3)
    return checkpoint, hf_dir, vocab


def make_comments(count: int, vocab: list[str], seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    words = [w for w in vocab if w.isalpha() and len(w) > 1] + WORDS * 20
    comments = []
    for _ in range(count):
        n = rng.randint(10, 200)
        text = " ".join(rng.choice(words) for _ in range(n))
        comments.append(text[0].upper() + text[1:] + rng.choice([".", "!", "?"]))
    return comments


def write_thread(path: Path, bodies: list[str]) -> None:
    lines = ["Benchmark thread", "", "An article.", ""]
    for number, body in enumerate(bodies, 1):
        lines += [f"  {number}. user{number % 37} says", "", f"    {body}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


class Stock:
    def __init__(self, checkpoint: Path, hf_dir: Path) -> None:
        from detoxify import Detoxify

        self.model = Detoxify(checkpoint=str(checkpoint), huggingface_config_path=str(hf_dir))

    def run(self, texts: list[str]) -> list[dict]:
        rows: list[dict] = []
        for start in range(0, len(texts), 32):
            batch = texts[start : start + 32]
            out = self.model.predict(batch)
            for i in range(len(batch)):
                rows.append({k: (v[i] if isinstance(v, list) else v) for k, v in out.items()})
        return rows


class Modtool:
    """score_store on a real SQLite file; one thread per round."""

    def __init__(
        self, checkpoint: Path, hf_dir: Path, workdir: Path, batch_size: int, quantize: bool
    ) -> None:
        from modtool.scoring import make_scorer
        from modtool.store import open_store

        self.scorer = make_scorer(
            "detoxify", checkpoint=checkpoint, hf_config=hf_dir, quantize=quantize
        )
        self.tmp = tempfile.TemporaryDirectory(dir=workdir)
        self.store = open_store(Path(self.tmp.name) / "bench.db")
        self.batch_size = batch_size
        self.round = 0

    def run(self, texts: list[str]) -> list[dict]:
        from modtool.ingest import import_path
        from modtool.scoring import score_store

        self.round += 1
        doc = Path(self.tmp.name) / f"round{self.round}.txt"
        write_thread(doc, texts)
        thread_id = import_path(self.store, doc).thread_id
        summary = score_store(
            self.store, self.scorer, thread_id=thread_id, batch_size=self.batch_size
        )
        assert summary.scored == len(texts), summary
        stored = self.store.scores.for_thread(thread_id)
        return [
            stored[c.id][self.scorer.model.id] for c in self.store.comments.for_thread(thread_id)
        ]


def timed(runner, texts: list[str], clock: dict[str, float], rows: list[dict]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    rows.extend(runner.run(texts))
    clock["wall"] += time.perf_counter() - wall
    clock["cpu"] += time.process_time() - cpu


def max_diff(a: list[dict], b: list[dict]) -> float:
    return max(abs(x[k] - y[k]) for x, y in zip(a, b, strict=True) for k in x)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "modtool-bench"
    )
    parser.add_argument("--skip-quantize", action="store_true")
    parser.add_argument(
        "--round", type=int, default=100, help="comments per interleaved round (default 100)"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    import torch

    checkpoint, hf_dir, vocab = build(args.workdir)
    texts = make_comments(args.comments, vocab)
    print(
        f"{len(texts)} comments of 10–200 words; torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads",
        flush=True,
    )

    # The machine may be shared: run the contenders in interleaved rounds so that
    # load from elsewhere hits them alike; report wall-clock and CPU-time rates.
    runners = {
        "stock": Stock(checkpoint, hf_dir),
        "modtool": Modtool(checkpoint, hf_dir, args.workdir, args.batch_size, False),
    }
    if not args.skip_quantize:
        runners["modtool --quantize"] = Modtool(
            checkpoint, hf_dir, args.workdir, args.batch_size, True
        )
    clocks = {name: {"wall": 0.0, "cpu": 0.0} for name in runners}
    rows: dict[str, list[dict]] = {name: [] for name in runners}
    for start in range(0, len(texts), args.round):
        chunk = texts[start : start + args.round]
        for name, runner in runners.items():
            timed(runner, chunk, clocks[name], rows[name])
        print(
            f"  round {start // args.round + 1}: "
            + ", ".join(
                f"{name} {len(rows[name]) / clocks[name]['wall']:.2f}/s" for name in runners
            ),
            flush=True,
        )
    base = clocks["stock"]
    n = len(texts)
    print(f"{'':28} {'comments/s':>10} {'ratio':>6} {'cpu-time ratio':>14} {'max abs diff':>12}")
    for name, clock in clocks.items():
        diff = 0.0 if name == "stock" else max_diff(rows["stock"], rows[name])
        label = name if name == "stock" else f"{name}"
        print(
            f"{label:28} {n / clock['wall']:10.2f} {base['wall'] / clock['wall']:5.2f}x "
            f"{base['cpu'] / clock['cpu']:13.2f}x {diff:12.2e}"
        )
    for name, runner in runners.items():
        if name != "stock":
            print(
                f"{name}: model id {runner.scorer.model.id}, "
                f"[CLS]-only last layer: {runner.scorer.fast_last_layer}"
            )


if __name__ == "__main__":
    main()
