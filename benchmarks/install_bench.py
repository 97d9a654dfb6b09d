"""Set-up time and size of a fresh venv: the runtime set (``make demo``) against the
development set (``make test``), both made by the Makefile in the same run.

Each set goes into a new venv in a temporary folder (``make setup-runtime
VENV=…`` and ``make setup VENV=…``) with pip's cache off, so every wheel is
fetched or read again as on a fresh machine (this machine's CPU torch wheel lies
on disk, in pip's find-links; everything else comes from PyPI). Then:

* the size of the venv (allocated blocks, as ``du``) and its largest packages;
* on the runtime venv: a Pushshift dump compressed with zstd as the dumps are
  made is imported with that venv's ``modtool``, and the development tools are
  checked to be absent.

Targets (issue 17.1): runtime venv < 1.5 GB, runtime set-up < 90 s.

Run: ``.venv/bin/python benchmarks/install_bench.py [--sets runtime,dev] [--cache]``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_bench import machine

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "pushshift" / "RC_2024-01-sample.ndjson"
TARGET_BYTES = 1.5e9
TARGET_SECONDS = 90
MAKE_TARGETS = {"runtime": "setup-runtime", "dev": "setup"}
DEV_TOOLS = ("pytest", "ruff", "ray", "convokit", "pyarrow", "pandas", "datasets")
MAKE = os.environ.get("MAKE", "make")

ZST_CHECK = """
import sys, zstandard
data = open(sys.argv[1], "rb").read()
compressor = zstandard.ZstdCompressor(level=3, write_content_size=False)
open(sys.argv[2], "wb").write(compressor.compress(data))
"""


def allocated(path: Path) -> int:
    """Bytes the tree takes on disk (allocated blocks, as ``du``; links not followed)."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_blocks * 512
    return total


def largest(venv: Path, count: int = 8) -> list[tuple[str, int]]:
    site = next(venv.glob("lib/python*/site-packages"))
    sizes = [
        (entry.name, allocated(entry) if entry.is_dir() else entry.lstat().st_blocks * 512)
        for entry in site.iterdir()
        if not entry.name.endswith((".dist-info", ".pth"))
    ]
    return sorted(sizes, key=lambda item: -item[1])[:count]


def set_up(name: str, venv: Path, cache: bool) -> float:
    env = {**os.environ, "PIP_NO_CACHE_DIR": "0" if cache else "1"}
    env.pop("VIRTUAL_ENV", None)
    started = time.monotonic()
    subprocess.run(
        [MAKE, "-s", "-C", str(ROOT), MAKE_TARGETS[name], f"VENV={venv}"],
        env=env,
        check=True,
    )
    return time.monotonic() - started


def check_runtime(venv: Path, folder: Path) -> list[str]:
    python, modtool = venv / "bin" / "python", venv / "bin" / "modtool"
    dump = folder / "RC_2024-01.zst"
    subprocess.run([python, "-c", ZST_CHECK, FIXTURE, dump], check=True)
    done = subprocess.run(
        [modtool, "import", "--db", folder / "check.db", dump],
        capture_output=True,
        text=True,
        cwd=folder,
    )
    lines = [f"  modtool import RC_2024-01.zst: exit {done.returncode}"]
    lines += [f"    {line}" for line in (done.stdout + done.stderr).strip().splitlines()]
    present = [
        tool
        for tool in DEV_TOOLS
        if subprocess.run(
            [
                python,
                "-c",
                f"import importlib.util, sys; sys.exit(not importlib.util.find_spec({tool!r}))",
            ],
        ).returncode
        == 0
    ]
    lines.append(f"  development tools importable: {', '.join(present) or 'none'}")
    capability = subprocess.run(
        [
            python,
            "-c",
            "import torch; print(torch.__version__, torch.backends.cpu.get_cpu_capability())",
        ],
        capture_output=True,
        text=True,
    )
    lines.append(
        f"  torch, cpu capability: {capability.stdout.strip() or capability.stderr[-200:]}"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="runtime,dev", help="runtime, dev or both (comma)")
    parser.add_argument("--cache", action="store_true", help="let pip use its cache")
    parser.add_argument("--keep", action="store_true", help="keep the venvs (prints where)")
    args = parser.parse_args()
    sets = [name.strip() for name in args.sets.split(",") if name.strip()]
    if not sets or any(name not in MAKE_TARGETS for name in sets):
        raise SystemExit(f"install_bench: --sets takes {', '.join(MAKE_TARGETS)}")
    print(machine())
    print(
        f"pip cache: {'on' if args.cache else 'off (a fresh machine)'}; python {sys.version.split()[0]}"
    )
    print(
        f"targets: runtime venv < {TARGET_BYTES / 1e9:.1f} GB, runtime set-up < {TARGET_SECONDS} s"
    )
    base = Path(tempfile.mkdtemp(prefix="modtool-install-"))
    try:
        for name in sets:
            venv = base / f"venv-{name}"
            load = os.getloadavg()[0]
            seconds = set_up(name, venv, args.cache)
            size = allocated(venv)
            print(
                f"\n{name} set (make {MAKE_TARGETS[name]}): {seconds:.0f} s, {size / 1e9:.2f} GB "
                f"(load {load:.2f} at start, {os.getloadavg()[0]:.2f} at end)"
            )
            if name == "runtime":
                verdict = "meets" if size < TARGET_BYTES and seconds < TARGET_SECONDS else "misses"
                print(f"  {verdict} the targets")
            print("  largest: " + ", ".join(f"{n} {b / 1e6:.0f} MB" for n, b in largest(venv)))
            if name == "runtime":
                for line in check_runtime(venv, base):
                    print(line)
    finally:
        if args.keep:
            print(f"\nvenvs kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
