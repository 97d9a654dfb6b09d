"""Stack Exchange dump import: speed and peak memory at two dump sizes.

Real dumps are GBs (stackoverflow.com's Posts.xml is ~100 GB), so the importer
streams every table and keeps its post → question map in a temporary SQLite
file: its peak memory should not grow with the dump. This writes two synthetic
dumps (``Posts.xml`` with questions and answers, ``Comments.xml``; bodies of
the real dumps' shape: entity-escaped HTML in attributes), the second
``--factor`` times the first, imports each folder through
``modtool.ingest.import_path`` in a fresh process, and prints per size the
time, the rows per second and the process's peak RSS (``VmHWM``): the two
contenders are the small and the large dump, measured in the same run.

Run: ``.venv/bin/python benchmarks/stackexchange_bench.py [--rows 100000] [--factor 4]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import WORDS

CPU_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")


def write_dump(folder: Path, rows: int, seed: int = 1) -> tuple[int, int, int]:
    """``rows`` posts and comments: a tenth questions, four tenths answers, half comments."""
    rng = random.Random(seed)
    questions = max(rows // 10, 1)
    answers = rows * 4 // 10
    comments = rows - questions - answers

    def text(low: int, high: int) -> str:
        return " ".join(rng.choices(WORDS, k=rng.randint(low, high)))

    with (folder / "Posts.xml").open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        post_id = 0
        asked: list[int] = []
        for number in range(questions + answers):
            post_id += 1
            date = f"2021-{1 + number % 12:02d}-{1 + number % 28:02d}T10:00:00.000"
            if not asked or number < questions or rng.random() < 0.2:
                asked.append(post_id)
                body = f"<p>{text(20, 120)}</p>\n<p>{text(5, 40)}</p>\n"
                out.write(
                    f'  <row Id="{post_id}" PostTypeId="1" CreationDate="{date}" Score="3" '
                    f'Body={quoteattr(body)} OwnerUserId="{rng.randint(1, 5000)}" '
                    f'Title={quoteattr(text(4, 12))} Tags="&lt;a&gt;&lt;b&gt;" />\n'
                )
            else:
                parent = rng.choice(asked)
                body = f"<p>{text(10, 200)}</p>\n"
                out.write(
                    f'  <row Id="{post_id}" PostTypeId="2" ParentId="{parent}" '
                    f'CreationDate="{date}" Score="1" Body={quoteattr(body)} '
                    f'OwnerUserId="{rng.randint(1, 5000)}" />\n'
                )
        out.write("</posts>\n")
    with (folder / "Comments.xml").open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<comments>\n')
        for number in range(1, comments + 1):
            out.write(
                f'  <row Id="{number}" PostId="{rng.randint(1, post_id)}" Score="0" '
                f'Text={quoteattr(text(3, 40))} CreationDate="2021-06-01T10:00:00.000" '
                f'UserId="{rng.randint(1, 5000)}" />\n'
            )
        out.write("</comments>\n")
    return questions, answers, comments


def child(folder: str, db: str) -> None:
    """Import the dump (``db`` a path), or only read its records (``db`` is ``-``)."""
    start = time.perf_counter()
    if db == "-":  # the format module alone: records read and dropped
        from modtool.importers import stackexchange

        rows = threads = 0
        for record in stackexchange.read(Path(folder), lambda message: None):
            kind = type(record).__name__
            rows += kind == "CommentRecord"
            threads += kind == "ThreadRecord"
    else:
        from modtool.ingest import import_path
        from modtool.store import open_store

        store = open_store(Path(db))
        report = import_path(store, Path(folder))
        store.close()
        rows, threads = report.total, len(report.threads)
    seconds = time.perf_counter() - start
    peak = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) // 1024
    print(json.dumps({"rows": rows, "threads": threads, "seconds": seconds, "peak_mb": peak}))


def machine() -> str:
    flags: set[str] = set()
    model = platform.processor() or "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags") and not flags:
            flags = set(line.split(":", 1)[1].split())
        elif line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
    have = " ".join(flag for flag in CPU_FLAGS if flag in flags) or "none"
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"CPU: {model}; {os.cpu_count()} cores; flags: {have}\nload average (1, 5, 15 min): {load}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="posts + comments, small dump")
    parser.add_argument("--factor", type=int, default=4, help="the large dump is this many times")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(machine())
    print("target: peak RSS flat (not growing with the dump)")
    with tempfile.TemporaryDirectory() as tmp:
        for rows in (args.rows, args.rows * args.factor):
            folder = Path(tmp) / f"dump-{rows}"
            folder.mkdir()
            questions, answers, comments = write_dump(folder, rows)
            size = sum(path.stat().st_size for path in folder.iterdir()) / 1e6
            print(
                f"dump of {size:,.0f} MB ({questions:,} questions, {answers:,} posts as answers "
                f"or questions, {comments:,} comments):"
            )
            for what, db in (("read only", "-"), ("import", str(Path(tmp) / f"m-{rows}.db"))):
                done = subprocess.run(
                    [sys.executable, __file__, "--child", str(folder), db],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                figures = json.loads(done.stdout.strip().splitlines()[-1])
                rate = figures["rows"] / figures["seconds"]
                load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
                print(
                    f"  {what:9}: {figures['rows']:,} comments in {figures['threads']:,} "
                    f"threads, {figures['seconds']:.1f} s ({rate:,.0f} comments/s), "
                    f"peak RSS {figures['peak_mb']} MB; load now {load}"
                )


if __name__ == "__main__":
    main()
