"""Scoring speed against stock ``Detoxify.predict`` and against the machine's arithmetic limit.

Builds (offline, cached in ``--workdir``) a bert-base-sized Detoxify-format
checkpoint with random weights (hidden 768, 12 layers, 12 heads, a generated
30,522-entry WordPiece vocab, max 512 tokens: the compute of Detoxify's
``original``) and ``--comments`` comments of 10–200 words, then prints:

* the machine: torch's CPU capability, the VNNI / BF16 / AMX flags of
  ``/proc/cpuinfo``, oneDNN's version, the load average (the machine may be
  shared); with ``--device cuda`` the GPU, its compute capability and CUDA;
* the measured GEMM throughput on the device (``torch.matmul`` of a bert-base
  feed-forward shape, 2048x768 @ 768x3072, in fp32 and bf16; on the CPU int8 as
  the dynamic-quantized ``nn.Linear`` of the same shape, the kernel int8 mode runs);
* the FLOPs the workload needs, from its token counts: per window of n tokens,
  2 x 12h^2 per token per layer for the linear layers plus 4 n^2 h per layer for
  attention (QK^T and AV), the last layer only for [CLS] except its keys and
  values (what modtool computes exactly), plus pooler and classifier;
* per mode (stock, modtool fp32 / bf16 / int8): comments/s, ratio to stock,
  the fraction of the arithmetic limit (GEMM rate / FLOPs per comment; bf16 and
  int8 also against their own GEMM limit), and the max deviation from stock fp32;
* ``previous fp32`` / ``previous bf16`` rows: modtool's scorer as it was before
  (plain linears; bf16 by ``torch.autocast`` over the fp32 model), in the same
  rounds, so the change is measured beside its baseline (``--no-previous``: none);
* per modtool mode: the padding it ran (padded tokens over real ones), its
  kernels (``onednn-fused`` or ``torch``), where the time goes (the profiler's
  top operators and the share in matrix multiplications) and which kernels ran
  (oneDNN's log on the CPU: an AMX bf16 matmul names ``avx512_core_amx_bf16``;
  the profiler's kernel names on a GPU);
* an ``--engine ray`` row (CPU): the same fp32 scorer on a local Ray cluster of
  this machine (one actor holding every benchmark thread), its start-up time
  and its steady-state overhead against the local engine.

Contenders run in interleaved rounds (``--rounds``), so load from elsewhere hits
them alike. Not part of the test suite; a few minutes on 2 cores.

Run: ``.venv/bin/python benchmarks/scoring_bench.py [--comments 300] [--rounds 3] [--threads 2]``
On a GPU machine: ``python benchmarks/scoring_bench.py --device cuda --comments 2000``
(fp32 and bf16, the table against the GPU's measured GEMM rates).
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

from benchmarks.scoring_probe import (  # noqa: E402
    describe_kernels,
    gemm_probe,
    gemm_rates,
    is_cuda,
    machine_lines,
    top_ops,
)
from tests.tiny_detoxify import WORDS, build_checkpoint, build_hf_dir, make_vocab  # noqa: E402

VOCAB_SIZE = 30_522
HIDDEN, LAYERS, CLASSES = 768, 12, 6


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


# -- the workload -------------------------------------------------------------------------
def window_lengths(scorer, texts: list[str]) -> list[int]:
    """Token count of every window the scorer runs (its own tokenisation)."""
    encoded = scorer.tokenizer(
        list(texts),
        truncation=True,
        max_length=scorer.max_length,
        stride=scorer.stride,
        return_overflowing_tokens=True,
        padding=False,
    )
    return [len(ids) for ids in encoded["input_ids"]]


def workload_flops(lengths: list[int], h: int = HIDDEN, layers: int = LAYERS) -> float:
    """FLOPs an exact pipeline must do for these windows (no padding, [CLS]-only last layer)."""
    total = 0.0
    for n in lengths:
        full = (layers - 1) * (n * 2 * 12 * h * h + 4 * n * n * h)
        last = n * 2 * 2 * h * h + 2 * 10 * h * h + 4 * n * h  # K,V for all; Q,O,FFN for [CLS]
        head = 2 * (h * h + h * CLASSES)
        total += full + last + head
    return total


# -- contenders ---------------------------------------------------------------------------
class Stock:
    def __init__(self, checkpoint: Path, hf_dir: Path, device: str) -> None:
        from detoxify import Detoxify

        self.model = Detoxify(
            checkpoint=str(checkpoint), huggingface_config_path=str(hf_dir), device=device
        )

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

    def __init__(self, scorer, workdir: Path, batch_size: int) -> None:
        from modtool.store import open_store

        self.scorer = scorer
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
        import_path(self.store, doc)
        thread_id = max(t.id for t in self.store.threads.list())
        summary = score_store(
            self.store, self.scorer, thread_id=thread_id, batch_size=self.batch_size
        )
        assert summary.scored == len(texts), summary
        stored = self.store.scores.for_thread(thread_id)
        return [
            stored[c.id][self.scorer.model.id] for c in self.store.comments.for_thread(thread_id)
        ]


def timed(runner, texts: list[str], clock: dict[str, float], rows: list[dict], device: str) -> None:
    before = gemm_probe(device)
    wall, cpu = time.perf_counter(), time.process_time()
    rows.extend(runner.run(texts))
    seconds = time.perf_counter() - wall
    clock["wall"] += seconds
    clock["cpu"] += time.process_time() - cpu
    # the GEMM rate around this run, weighted by its duration
    clock["gemm_seconds"] += seconds * (before + gemm_probe(device)) / 2


def max_diff(a: list[dict], b: list[dict]) -> float:
    return max(abs(x[k] - y[k]) for x, y in zip(a, b, strict=True) for k in x)


def ray_row(checkpoint: Path, hf_dir: Path, texts: list[str], workdir: Path, threads: int, scorer):
    """The fp32 scorer on a local Ray cluster of this machine.

    Returns ``(init s, fixed s, total s, per-comment s, rows)``: ``ray.init``;
    a run of one comment (actor start-up and model load: the fixed cost of a
    run), after one such run to warm the fresh cluster up (its first actor
    starts slower: cold worker processes and imports); the run of every
    comment; and the marginal cost per comment, ``(total - fixed) / (n - 1)``,
    to compare with the local engine's."""
    import ray

    from modtool.ingest import import_path
    from modtool.scoring.ray_engine import RayOptions, score_store_ray
    from modtool.store import open_store

    started = time.perf_counter()
    ray.init(num_cpus=threads, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    init = time.perf_counter() - started
    timings, rows = [], []
    try:
        for part in (texts[:1], texts[:1], texts):
            folder = tempfile.mkdtemp(dir=workdir)
            store = open_store(Path(folder) / "ray.db")
            write_thread(Path(folder) / "t.txt", part)
            import_path(store, Path(folder) / "t.txt")
            started = time.perf_counter()
            summary = score_store_ray(
                store,
                "detoxify",
                {"checkpoint": checkpoint, "hf_config": hf_dir, "num_threads": None},
                scorer.model,
                scorer.headline_attribute,
                RayOptions(actors=1, cpus_per_actor=threads, batch_size=32),
            )
            timings.append(time.perf_counter() - started)
            assert summary.scored == len(part), summary
            thread_id = store.threads.list()[0].id
            stored = store.scores.for_thread(thread_id)
            rows = [stored[c.id][scorer.model.id] for c in store.comments.for_thread(thread_id)]
    finally:
        ray.shutdown()
    _, fixed, total = timings
    return init, fixed, total, (total - fixed) / max(1, len(texts) - 1), rows


def previous_scorer(mode: str, checkpoint: Path, hf_dir: Path, device: str):
    """modtool's scorer as it was before issue 19.3, rebuilt for comparison in the
    same run: plain ``nn.Linear`` layers (no oneDNN fusion) and, for bf16, the
    fp32 model run under ``torch.autocast(bfloat16)`` (every weight cast in every
    batch) instead of a model converted once."""
    import torch

    from modtool.scoring import fastpath, make_scorer

    real = fastpath.install_fused_linears
    fastpath.install_fused_linears = lambda torch, net: False
    try:
        scorer = make_scorer(
            "detoxify", checkpoint=checkpoint, hf_config=hf_dir, precision="fp32", device=device
        )
    finally:
        fastpath.install_fused_linears = real
    if mode == "bf16":
        forward = scorer.net.forward
        kind = torch.device(device).type

        def autocast_forward(*args, **kwargs):
            with torch.autocast(kind, dtype=torch.bfloat16):
                return forward(*args, **kwargs)

        scorer.net.forward = autocast_forward
    return scorer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda[:N]")
    parser.add_argument(
        "--modes", default="fp32,bf16,int8", help="modtool precisions to run (default all)"
    )
    parser.add_argument("--skip-ray", action="store_true", help="no --engine ray row")
    parser.add_argument("--no-profile", action="store_true", help="no top operators or kernels")
    parser.add_argument(
        "--no-previous",
        action="store_true",
        help="no rows for the previous implementation (plain linears; bf16 by autocast)",
    )
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "modtool-bench"
    )
    args = parser.parse_args()

    import torch

    device = args.device
    if is_cuda(device) and not torch.cuda.is_available():
        built = f"built for CUDA {torch.version.cuda}" if torch.version.cuda else "a CPU-only build"
        parser.exit(2, f"scoring_bench: --device {device}: no CUDA device here (torch "
                       f"{torch.__version__}, {built}); run it on a GPU machine\n")  # fmt: skip
    if device != "cpu" and not is_cuda(device):
        parser.exit(2, f"scoring_bench: --device {device}: cpu or cuda[:N] only\n")
    args.workdir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    from modtool.scoring import make_scorer
    from modtool.scoring.precision import cpu_capability

    for line in machine_lines(args.threads, device):
        print(line, flush=True)
    rates = gemm_rates(device)
    print(
        f"GEMM 2048x768 @ 768x3072 on {device}: "
        + ", ".join(f"{mode} {rate / 1e9:.1f} G{'OP' if mode == 'int8' else 'FLOP'}/s"
                    for mode, rate in rates.items()),
        flush=True,
    )  # fmt: skip

    checkpoint, hf_dir, vocab = build(args.workdir)
    texts = make_comments(args.comments, vocab)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if is_cuda(device) and "int8" in modes:
        print("int8: skipped (dynamic int8 runs on the CPU only)")
        modes.remove("int8")
    if "bf16" in modes and not is_cuda(device) and not cpu_capability().bf16:
        print("bf16: skipped (no native bfloat16 on this CPU; modtool refuses it here)")
        modes.remove("bf16")
    scorers = {
        mode: make_scorer(
            "detoxify", checkpoint=checkpoint, hf_config=hf_dir, precision=mode, device=device
        )
        for mode in modes
    }
    reference = scorers.get("fp32") or make_scorer(
        "detoxify", checkpoint=checkpoint, hf_config=hf_dir
    )
    lengths = window_lengths(reference, texts)
    flops = workload_flops(lengths)
    per_comment = flops / len(texts)
    print(
        f"workload: {len(texts)} comments of 10–200 words, {len(lengths)} windows, "
        f"{sum(lengths)} tokens (mean {sum(lengths) / len(texts):.0f}/comment); "
        f"{flops / 1e12:.2f} TFLOP needed, {per_comment / 1e9:.1f} GFLOP/comment",
        flush=True,
    )
    limit = rates["fp32"] / per_comment
    print(
        f"arithmetic limit at that fp32 GEMM rate: {limit:.2f} comments/s (each row below is "
        "compared with the fp32 GEMM rate measured around its own runs)",
        flush=True,
    )

    runners = {"stock": Stock(checkpoint, hf_dir, device)}
    for mode, scorer in scorers.items():
        runners[f"modtool {mode}"] = Modtool(scorer, args.workdir, args.batch_size)
    if not args.no_previous:
        for mode in (m for m in ("fp32", "bf16") if m in scorers):
            previous = previous_scorer(mode, checkpoint, hf_dir, device)
            runners[f"previous {mode}"] = Modtool(previous, args.workdir, args.batch_size)
    clocks = {name: {"wall": 0.0, "cpu": 0.0, "gemm_seconds": 0.0} for name in runners}
    rows: dict[str, list[dict]] = {name: [] for name in runners}
    for scorer in scorers.values():
        scorer.tokens[:] = [0, 0]
    size = max(1, -(-len(texts) // args.rounds))
    for number, start in enumerate(range(0, len(texts), size), 1):
        chunk = texts[start : start + size]
        for name, runner in runners.items():
            timed(runner, chunk, clocks[name], rows[name], device)
        print(
            f"  round {number}: "
            + ", ".join(
                f"{name} {len(rows[name]) / clocks[name]['wall']:.2f}/s" for name in runners
            ),
            flush=True,
        )

    base = clocks["stock"]
    n = len(texts)
    header = (
        f"{'':22} {'comments/s':>10} {'vs stock':>8} {'cpu-time':>8} {'of limit':>8} "
        f"{'max dev vs fp32':>15}  (limit: fp32 GEMM rate around the runs / FLOPs per comment)"
    )
    print(header)
    for name, clock in clocks.items():
        rate = n / clock["wall"]
        mode = name.split()[-1] if name != "stock" else "fp32"
        diff = 0.0 if name == "stock" else max_diff(rows["stock"], rows[name])
        gemm = clock["gemm_seconds"] / clock["wall"]
        fraction = rate / (gemm / per_comment)
        extra = f"  (GEMM {gemm / 1e9:.1f} GFLOP/s, limit {gemm / per_comment:.2f}/s"
        if mode in ("int8", "bf16"):
            own = rates[mode] * gemm / rates["fp32"] / per_comment
            extra += f"; {rate / own:.2f} of the {mode} GEMM limit {own:.1f}/s"
        extra += ")"
        print(
            f"{name:22} {rate:10.2f} {base['wall'] / clock['wall']:7.2f}x "
            f"{base['cpu'] / clock['cpu']:7.2f}x {fraction:8.2f} {diff:15.2e}{extra}"
        )

    if not args.skip_ray and "fp32" in scorers and not is_cuda(device):
        ray_lines(checkpoint, hf_dir, texts, args, scorers["fp32"], clocks, rows, per_comment)
    for mode, scorer in scorers.items():
        real, padded = scorer.tokens
        print(
            f"modtool {mode}: model id {scorer.model.id}, kernels {scorer.kernels}, "
            f"[CLS]-only last layer: {scorer.fast_last_layer}, padding "
            f"{(padded - real) / max(real, 1):.1%} ({padded - real} of {real} tokens)"
        )
    if not args.no_profile:
        sample = texts[: min(len(texts), 2 * args.batch_size)]
        for mode, scorer in scorers.items():
            print(f"modtool {mode}, where the time goes ({len(sample)} comments):")
            for line in top_ops(lambda scorer=scorer: scorer.score(sample), device):
                print(line)
            print(f"modtool {mode}, kernels that ran ({min(len(sample), 8)} comments):")
            for line in describe_kernels(lambda scorer=scorer: scorer.score(sample[:8]), device):
                print(line)


def ray_lines(checkpoint, hf_dir, texts, args, scorer, clocks, rows, per_comment) -> None:
    n = len(texts)
    base = clocks["stock"]
    try:
        before = gemm_probe("cpu")
        init, fixed, total, marginal, ray_rows = ray_row(
            checkpoint, hf_dir, texts, args.workdir, args.threads, scorer
        )
        ray_limit = (before + gemm_probe("cpu")) / 2 / per_comment
    except Exception as exc:  # ray missing or the cluster failed: say so, keep the rest
        print(f"--engine ray: not measured ({type(exc).__name__}: {exc})")
        return
    local = clocks["modtool fp32"]["wall"] / n  # seconds per comment, local engine
    print(
        f"{'modtool fp32 ray':22} {n / total:10.2f} {base['wall'] / total:7.2f}x"
        f" {'':>8} {1 / marginal / ray_limit:8.2f} {max_diff(rows['stock'], ray_rows):15.2e}"
        f"  (local cluster, 1 actor x {args.threads} CPUs, incl. start-up)"
    )
    print(
        f"  ray: init {init:.1f} s, fixed cost per run (actor start + model load) "
        f"{fixed:.1f} s, then {1 / marginal:.2f} comments/s vs local {1 / local:.2f}/s: "
        f"overhead {(marginal / local - 1) * 100:+.0f}% per comment once running"
    )


if __name__ == "__main__":
    main()
