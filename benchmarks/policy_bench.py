"""Hostile policies: time and peak RSS of ``policy check`` and ``suggest`` (issue 9.9).

Two policies, each run through the real CLI in a fresh subprocess (peak RSS
is that process's own, from ``wait4``):

* ``words-200k``: one rule with a 200,000-word list (random lowercase words,
  plus a few wildcards and phrases);
* ``catastrophic-200``: 200 rules, each a pattern that backtracks
  exponentially on a run of ``x`` (``(?:x|xx)+(?:y|z{n})``).

``suggest`` runs on the sample thread plus one comment of 40 ``x``; the
issue's figures (before this work) are printed beside the new ones. The
machine is shared: the CPU capability and the ``uptime`` load are printed too.

Run: ``.venv/bin/python benchmarks/policy_bench.py``
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "threads" / "sample-thread-korea-talks-collapse.txt"
BEFORE = {
    ("words-200k", "check"): "44 s",
    ("words-200k", "suggest"): "50 s, 1.26 GB",
    ("catastrophic-200", "suggest"): "53 s",
}
HEAD = """name = "bench"
version = "1"

[[labels]]
key = "ok"
name = "Fine"
guidance = "Nothing wrong."
hotkey = "a"
action = "approve"
colour = "green"

[[labels]]
key = "insult"
name = "Insult"
guidance = "Attacks a person."
hotkey = "i"
action = "remove"
colour = "#d33"
"""


def words_policy(path: Path, count: int = 200_000) -> None:
    rng = random.Random(1)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(5, 10))))
    listed = [*sorted(words), "idiot*", "go to hell", "a$$", "f*ck"]
    body = ",\n".join(f'  "{w}"' for w in listed)
    path.write_text(
        HEAD + f'\n[[rules]]\nid = "big-list"\nlabel = "insult"\nwords = [\n{body},\n]\n',
        encoding="utf-8",
    )


def catastrophic_policy(path: Path, count: int = 200) -> None:
    rules = "".join(
        f'\n[[rules]]\nid = "slow{n}"\nlabel = "insult"\nregex = \'(?:x|xx)+(?:y|z{{{n + 1}}})\'\n'
        for n in range(count)
    )
    path.write_text(HEAD + rules, encoding="utf-8")


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """``(seconds, peak RSS MB, exit code, last stderr line)`` of one CLI run."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "modtool", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    stderr = process.stderr.read() if process.stderr else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    lines = stderr.strip().splitlines()
    return seconds, usage.ru_maxrss / 1024, process.returncode, (lines[-1] if lines else "")


def machine() -> str:
    """CPU and load, asked in a subprocess (importing torch here would inflate the
    children's peak RSS: ``fork`` copies the parent's pages into their count)."""
    probe = "import torch; print(torch.backends.cpu.get_cpu_capability())"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    capability = found.stdout.strip() or "torch not installed"
    flags = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            wanted = ("avx2", "avx512f", "avx512_bf16", "amx_tile")
            flags = " ".join(f for f in line.split(":", 1)[1].split() if f in wanted)
            break
    load = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    return f"cpu: {capability}; flags: {flags}; cores: {os.cpu_count()}\nuptime: {load}"


def main() -> None:
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        db = tmp / "bench.db"
        doc = tmp / "thread.txt"
        doc.write_text(
            SAMPLE.read_text(encoding="utf-8").replace(
                "Leave A Reply", "  1. Backtracker says\n\n    " + "x" * 40 + "\n\nLeave A Reply"
            ),
            encoding="utf-8",
        )
        env = {**os.environ, "MODTOOL_DB": str(db), "NO_COLOR": "1"}
        seconds, rss, code, last = run(["import", str(doc)], env)
        assert code == 0, last
        policies = {"words-200k": tmp / "words.toml", "catastrophic-200": tmp / "slow.toml"}
        words_policy(policies["words-200k"])
        catastrophic_policy(policies["catastrophic-200"])
        print(f"{'policy':18} {'command':8} {'seconds':>8} {'peak MB':>8} exit  before (issue 9)")
        for name, path in policies.items():
            for command in ("check", "suggest"):
                args = (
                    ["policy", "check", str(path)]
                    if command == "check"
                    else ["suggest", "--policy", str(path)]
                )
                seconds, rss, code, last = run(args, env)
                before = BEFORE.get((name, command), "-")
                print(f"{name:18} {command:8} {seconds:8.2f} {rss:8.0f} {code:4}  {before}")
                if command == "suggest" and last:
                    print(f"{'':18}   stderr: {last[:150]}")
    print(machine().splitlines()[-1])


if __name__ == "__main__":
    main()
