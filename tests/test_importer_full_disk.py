"""Issue 16.5: a disk that fills up during a large import is one line saying so, no
traceback (the background reader used to die with a TypeError), and the database is
left whole: what was there before is still there, byte for byte."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from modtool.importers import background
from tests.conftest import SAMPLE
from tests.json_formats import dump

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "import_bench.py"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB tmpfs (the test runs as root on the project's machines)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def modtool(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "modtool", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
        timeout=300,
    )


def test_a_full_disk_mid_import_is_one_line_and_the_database_stays_whole(
    tmp_path: Path, small_disk: Path
) -> None:
    db = small_disk / "modtool.db"
    assert modtool("import", SAMPLE, "--db", db).returncode == 0
    before = dump(db)
    # 8,000 comments, 4.4 MB: read in a background process (>= 4 MiB), and more
    # than the 3 MB disk holds.
    big = tmp_path / "thread.txt"
    subprocess.run([sys.executable, str(BENCH), "--generate", "text", str(big), "8000"], check=True)
    assert big.stat().st_size >= background.MIN_BYTES
    failed = modtool("import", big, "--db", db)
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [
        f"modtool: error: {db}: the disk is full: free some space and run the command again "
        "(the step that failed was rolled back)"
    ]
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert dump(db) == before  # the sample thread, exactly as it was
    assert modtool("threads", "--db", db).returncode == 0
