"""What the seeded fuzz tests share: a mutant made and laid out beside a copy of a
database, a time bound that turns a hang or an unexpected exception into a test
failure naming the mutant, and the check of a real CLI run.

(``tests/test_fuzz_importers.py`` and ``tests/test_fuzz_labels.py`` use it.)
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

Mutation = Callable[[bytes, random.Random], bytes]


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang


def dump(db: Path) -> list[str]:
    """The database as SQL (the connection closed at once: no late -wal removal)."""
    import sqlite3

    with closing(sqlite3.connect(db)) as connection:
        return list(connection.iterdump())


def lay_out(folder: Path, source: Path, data: bytes, template: Path) -> tuple[Path, Path]:
    """``folder/<source name>`` holding ``data`` and ``folder/modtool.db``, a copy of
    ``template``: ``(mutant, database)``."""
    folder.mkdir()
    path = folder / source.name
    path.write_bytes(data)
    db = folder / "modtool.db"
    shutil.copyfile(template, db)
    return path, db


def mutate(
    data: bytes, rng: random.Random, mutations: Sequence[Mutation]
) -> tuple[bytes, Mutation]:
    """One mutation, applied once or (a third of the time) twice."""
    mutation = rng.choice(mutations)
    for _ in range(rng.choice([1, 1, 2])):
        data = mutation(data, rng)
    return data, mutation


@contextmanager
def bounded(what: str, seconds: float) -> Iterator[None]:
    """Run the block within ``seconds`` (``SIGALRM``); a hang or any exception that
    escapes it fails the test with ``what`` (the seed, mutant and file) and the
    place. The block catches the errors it expects (``ModtoolError``) itself."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except Hang:
        pytest.fail(f"{what}: still running after {seconds} s")
    except Exception as exc:  # any other exception is the bug we look for
        where = traceback.format_exc(limit=-4)
        pytest.fail(f"{what}: {type(exc).__name__}: {str(exc)[:500]}\n{where[-3000:]}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_cli_run(result: subprocess.CompletedProcess, what: str) -> None:
    """Exit 0, or exit 1 with ``modtool: error:`` lines; never a traceback."""
    assert "Traceback" not in result.stderr, f"{what}: {result.stderr[-2000:]}"
    assert result.returncode in (0, 1), f"{what}: exit {result.returncode}: {result.stderr}"
    if result.returncode:
        errors = [line for line in result.stderr.splitlines() if "error:" in line]
        assert errors and all(line.startswith("modtool: error: ") for line in errors), what
