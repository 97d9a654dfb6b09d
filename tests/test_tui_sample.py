"""`modtool tui --sample` (issue 11.5): the sample thread ships inside the package, so
the first example of `modtool --help` works after a plain `pip install`."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

from modtool.store import open_store
from tests.test_tui_persistence import read_until, tui_in_pty
from tests.tui_support import REPO

SAMPLE = "sample-thread-korea-talks-collapse.txt"


def test_the_sample_is_package_data_in_a_built_wheel(tmp_path: Path) -> None:
    """Build the wheel as pip would, install it into a bare folder, and find the sample
    there through importlib.resources (not through the source tree)."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.db", "*.db-*")
    for folder in ("modtool", "threads", "policies"):
        shutil.copytree(REPO / folder, source / folder, symlinks=True, ignore=ignore)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), "."],
        cwd=source,
        check=True,
        capture_output=True,
        timeout=240,
    )
    (wheel,) = tmp_path.glob("modtool-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    probe = (
        "import modtool, sys; from modtool.cli.tui import packaged_sample; "
        "p = packaged_sample(); print(modtool.__file__); print(p.is_file()); "
        "print(p.read_text(encoding='utf-8').splitlines()[0])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(site)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    where, found, title = result.stdout.splitlines()
    assert Path(where).is_relative_to(site)  # the installed copy, not the repository
    assert found == "True"
    assert title == (REPO / "threads" / SAMPLE).read_text(encoding="utf-8").splitlines()[0]
    # Only the sample is shipped, not every thread of the repository.
    assert sorted(p.name for p in (site / "modtool" / "threads").iterdir()) == [SAMPLE]


def test_tui_sample_opens_the_packaged_thread_from_anywhere(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    elsewhere = tmp_path / "elsewhere"  # no threads/ folder here
    elsewhere.mkdir()
    for _ in range(2):  # a second run opens the same thread (the import is idempotent)
        seen = bytearray()
        with tui_in_pty(db, "--sample", cwd=elsewhere) as (proc, master):
            read_until(master, b"0/27 reviewed", seen)
            os.write(master, b"q")
            drain_until_exit(proc, master)
        assert proc.returncode == 0
    with open_store(db) as store:
        (thread,) = store.threads.list()
        assert thread.comment_count == 27 and thread.title.startswith("US-South Korea Talks")


def test_tui_sample_keeps_its_own_database_in_the_data_folder(tmp_path: Path) -> None:
    """17.3: with no --db, the sample goes to $XDG_DATA_HOME/modtool/sample.db (said on
    screen before the UI opens), never into the folder the user stands in."""
    data = tmp_path / "data"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    seen = bytearray()
    with tui_in_pty(None, "--sample", cwd=elsewhere, env={"XDG_DATA_HOME": str(data)}) as (
        proc,
        master,
    ):
        read_until(master, b"0/27 reviewed", seen)
        os.write(master, b"q")
        drain_until_exit(proc, master)
    assert proc.returncode == 0
    assert list(elsewhere.iterdir()) == []  # no modtool.db, -wal or -shm here
    where = data / "modtool" / "sample.db"
    said = " ".join(seen.decode("utf-8", "replace").split())
    assert f"modtool: note: the sample thread opens in {where}, a database of its own" in said
    assert "--db PATH puts it elsewhere" in said
    with open_store(where) as store:
        (thread,) = store.threads.list()
        assert thread.comment_count == 27
    assert sample_database_default() == Path.home() / ".local/share/modtool/sample.db"


def sample_database_default() -> Path:
    from modtool.cli.tui import sample_database

    saved = os.environ.pop("XDG_DATA_HOME", None)
    try:
        return sample_database()
    finally:
        if saved is not None:
            os.environ["XDG_DATA_HOME"] = saved


def drain_until_exit(proc: subprocess.Popen, master: int, timeout: float = 60) -> None:
    """Read the terminal until the app ends (a full pty would block its last writes)."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        assert time.monotonic() < deadline, "the app did not quit"
        if select.select([master], [], [], 0.2)[0]:
            try:
                os.read(master, 65536)
            except OSError:
                break
    proc.wait(timeout=10)


def test_sample_refuses_file_or_thread(run_cli) -> None:
    result = run_cli("tui", "--sample", "--thread", "1")
    assert result.returncode == 1
    assert result.stderr == (
        "modtool: error: --sample opens the sample thread: give it without FILE or --thread\n"
    )
    result = run_cli("tui", "--help")
    assert "modtool tui --sample" in result.stdout
    # `modtool --help`'s first example is the one that works after a plain pip install.
    lines = run_cli("--help").stdout.splitlines()
    first = lines[next(i for i, line in enumerate(lines) if "Example" in line) + 1]
    assert first.strip() == "modtool tui --sample"
