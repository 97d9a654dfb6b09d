"""The offline scorer on real labeled data: ROC-AUC and speed per core, beside profanity-check.

On the Jigsaw subset (12,180 real comments of the Jigsaw scored test set, half
toxic; ``shared/data/jigsaw-test-subset/test.csv``: measured on, never trained
or tuned on) it prints, in one run:

* the machine: CPU model, SIMD flags, cores, the BLAS numpy uses, the load
  average before and after (other helpers share this machine);
* ROC-AUC and recall at 5% false positives on ``toxic`` of profanity-check
  alone, the BiLSTM's ``toxic`` alone, and their mean (the offline scorer's
  ``toxicity``): the figure that decides whether ``toxicity`` is the mean;
* comments/s on ONE core (the process pinned to one CPU, BLAS single-threaded)
  of profanity-check alone and of the whole offline scorer (tokenizer, the
  BiLSTM's six outputs, profanity-check, the mean), in interleaved rounds, the
  best and the median, against the target of 5,000 comments/s per core.

Needs the converted model (``modtool models fetch offline``; the benchmark
fetches it when it is missing). Not part of the test suite; about a minute.

Run: ``.venv/bin/python benchmarks/offline_bench.py [--rounds 3] [--data PATH]``
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.import_bench import machine as cpu_and_load  # noqa: E402

TARGET = 5_000
DATA_CANDIDATES = (
    REPO.parent / "shared/data/jigsaw-test-subset/test.csv",
    REPO.parent.parent / "shared/data/jigsaw-test-subset/test.csv",
)


def machine() -> str:
    import threadpoolctl

    blas = [
        f"{info.get('internal_api')} {info.get('version')} ({info.get('architecture')})"
        for info in threadpoolctl.threadpool_info()
        if info.get("user_api") == "blas"
    ]
    return f"{cpu_and_load()}\nBLAS: {', '.join(blas) or '?'}"


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def read_subset(path: Path) -> tuple[list[str], list[int]]:
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            texts.append(row[0])
            labels.append(int(row[1]))
    return texts, labels


def recall_at_fpr(labels, scores, fpr: float = 0.05) -> float:
    from sklearn.metrics import roc_curve

    false_pos, true_pos, _ = roc_curve(labels, scores)
    return float(max(t for f, t in zip(false_pos, true_pos, strict=True) if f <= fpr))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    data = args.data or next((p for p in DATA_CANDIDATES if p.is_file()), None)
    if data is None:
        sys.exit("no Jigsaw subset found: pass --data PATH/test.csv")

    import numpy as np
    from sklearn.metrics import average_precision_score, roc_auc_score

    from modtool.scoring.offline import cache
    from modtool.scoring.offline.scorer import OfflineScorer

    if cache.installed() is None:
        from modtool.scoring.offline.fetch import fetch_offline

        print("fetching the offline model (once)…", flush=True)
        fetch_offline()
    cpu = sorted(os.sched_getaffinity(0))[0]
    os.sched_setaffinity(0, {cpu})  # one core: the target is per core
    print(machine())
    print(f"pinned to CPU {cpu}; BLAS limited to 1 thread by the scorer")
    texts, labels = read_subset(data)
    y = np.array(labels)
    print(f"data: {data} ({len(texts)} comments, {int(y.sum())} toxic)\n")

    scorer = OfflineScorer()
    print(f"model: {scorer.model.id}")
    profanity = scorer.profanity
    rates: dict[str, list[tuple[float, float]]] = {"profanity": [], "offline": []}
    results = None

    def timed(name: str, work):
        wall, cpu = time.perf_counter(), time.process_time()
        done = work()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rates[name].append((len(texts) / wall, len(texts) / cpu))
        return done

    for _ in range(args.rounds):
        profane = timed("profanity", lambda: profanity.score(texts))
        results = timed(
            "offline",
            lambda: [
                r
                for start in range(0, len(texts), 512)
                for r in scorer.score(texts[start : start + 512])
            ],
        )
    assert results is not None
    _, outputs = scorer.runner.run(texts)
    bilstm = outputs[:, scorer.toxic]
    pc = np.array([r.scores["profanity"] for r in profane])
    mean = np.array([r.scores["toxicity"] for r in results])
    assert np.allclose(mean, (bilstm + pc) / 2, atol=1e-6)

    print(f"\n{'toxic, ROC-AUC / AP / recall at 5% FP':<44} {'AUC':>6} {'AP':>6} {'R@5%':>6}")
    for name, scores in (
        ("profanity-check", pc),
        ("BiLSTM toxic", bilstm),
        ("offline toxicity = mean of the two", mean),
    ):
        print(
            f"{name:<44} {roc_auc_score(y, scores):6.4f} "
            f"{average_precision_score(y, scores):6.4f} {recall_at_fpr(y, scores):6.3f}"
        )
    print(
        f"\ncomments/s on one core, {args.rounds} interleaved rounds: per wall-clock second "
        "(best, median) and per CPU-second of this process (best, median; what one core "
        "does when the machine is shared)"
    )
    for name, label in (
        ("profanity", "profanity-check alone (1 attribute)"),
        ("offline", "offline scorer (6 attributes + profanity)"),
    ):
        wall = [w for w, _ in rates[name]]
        cpu = [c for _, c in rates[name]]
        print(
            f"  {label:<44} wall {max(wall):7.0f} {statistics.median(wall):7.0f}   "
            f"CPU {max(cpu):7.0f} {statistics.median(cpu):7.0f}"
        )
    best_cpu = max(c for _, c in rates["offline"])
    best_wall = max(w for w, _ in rates["offline"])
    print(
        f"  target ≥ {TARGET:,}/s per core: per CPU-second {'met' if best_cpu >= TARGET else 'NOT met'}"
        f" ({best_cpu:,.0f}); per wall-clock second {'met' if best_wall >= TARGET else 'NOT met'}"
        f" ({best_wall:,.0f}, load-dependent)"
    )
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
