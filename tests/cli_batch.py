"""Run many ``modtool`` command lines in one subprocess (the CLI & store-safety tests).

Each command line goes through the real entry point, ``modtool.cli.main``, with
its own captured stdout and stderr and its exit status, exactly as the console
script runs it, but the interpreter and the imports start once for the whole
batch instead of once per command (about 0.3 s of CPU each on this machine).
Tests that need a real ``sys.argv`` (undecodable bytes) or a terminal still run
one process per command.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DRIVER = r"""
import contextlib, io, json, sys, traceback
from modtool.cli import main
results = []
for args in json.loads(sys.stdin.read()):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args, prog_name="modtool")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:  # a bug: keep the traceback for the test to show
            traceback.print_exc(file=err)
            code = 1
    results.append({"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
json.dump(results, sys.stdout)
"""


@dataclass(frozen=True)
class Ran:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


def run_batch(
    commands: list[tuple[object, ...]],
    *,
    db: Path | None,
    cwd: Path,
    env: dict[str, str] | None = None,
) -> list[Ran]:
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "HF_HUB_OFFLINE": "1"}
    if db is not None:
        full_env["MODTOOL_DB"] = str(db)
    full_env.update(env or {})
    lines = [[str(a) for a in command] for command in commands]
    done = subprocess.run(
        [sys.executable, "-c", DRIVER],
        input=json.dumps(lines),
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return [
        Ran(tuple(args), r["code"], r["stdout"], r["stderr"])
        for args, r in zip(lines, json.loads(done.stdout), strict=True)
    ]
