"""Opening a database that is not (or no longer) usable: one line naming the file and what
to do, and the file left exactly as it was (issue 9.11, 9.15)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from modtool.errors import StoreError
from modtool.ingest import import_path
from modtool.store import open_store
from tests.thread_docs import Node, render

REPO = Path(__file__).resolve().parent.parent


def files_of(db: Path) -> dict[str, bytes]:
    """Every file of the database (main, -wal, -shm, -journal) and its bytes."""
    return {p.name: p.read_bytes() for p in sorted(db.parent.glob(db.name + "*"))}


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("modtool: error: "), lines[0]
    return lines[0]


# -- 9.15: another program's SQLite file ------------------------------------------------------
def test_a_foreign_sqlite_file_is_refused_untouched(run_cli, tmp_path: Path) -> None:
    foreign = tmp_path / "photos.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE albums (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO albums (name) VALUES ('summer')")
    conn.close()
    before = files_of(foreign)
    for command in (
        ("threads",),
        ("import", REPO / "threads" / "sample-thread-korea-talks-collapse.txt"),
    ):
        result = run_cli(*command, "--db", foreign)
        assert result.returncode == 1
        line = one_error_line(result)
        assert f"{foreign}: an SQLite database, but not modtool's" in line and "albums" in line
    assert files_of(foreign) == before  # no WAL switch, no migration, no -wal file left


@pytest.mark.parametrize("version", [-1, 99])
def test_an_unknown_schema_version_is_refused_untouched(
    run_cli, sample_store, db_path: Path, version: int
) -> None:
    sample_store.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {version}")
    conn.close()
    before = files_of(db_path)
    result = run_cli("label", 9, "insult", "-m", "ana")
    assert result.returncode == 1
    line = one_error_line(result)
    if version < 0:
        assert "not modtool's (user_version -1" in line
    else:
        assert "schema version 99 is newer than this modtool" in line
    assert files_of(db_path) == before


def test_a_missing_table_names_the_file(run_cli, sample_store, db_path: Path) -> None:
    sample_store.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE labels")
    conn.close()
    result = run_cli("log")
    assert result.returncode == 1
    assert one_error_line(result) == (
        f"modtool: error: {db_path}: not a complete modtool database (no table labels): it was "
        "changed outside modtool; restore it from a backup or import into a new --db"
    )


def test_a_damaged_file_names_the_file(run_cli, sample_store, db_path: Path) -> None:
    sample_store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    sample_store.close()
    raw = bytearray(db_path.read_bytes())
    page = 4096
    assert len(raw) > 4 * page
    for start in range(2 * page, len(raw), page):  # garbage over every page after the schema
        raw[start : start + page] = bytes((start * 7 + i) % 251 for i in range(page))
    db_path.write_bytes(bytes(raw))
    results = [run_cli("tree"), run_cli("label", 9, "insult", "-m", "ana")]
    for result in results:
        assert result.returncode == 1
        line = one_error_line(result)
        assert f"{db_path}: the database file is damaged" in line and "backup" in line, line


# -- 9.11: read-only file or folder, as a user who may not write ------------------------------
def _as_nobody() -> list[str] | None:
    for prefix in (
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"],
        ["runuser", "-u", "nobody", "--"],
    ):
        if shutil.which(prefix[0]) is None:
            continue
        try:
            done = subprocess.run([*prefix, sys.executable, "-c", "import modtool"], timeout=60)
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return prefix
    return None


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder outside pytest's private (0700) tmp tree, so another user can reach it."""
    folder = Path(tempfile.mkdtemp(prefix="modtool-ro-"))
    folder.chmod(0o755)
    yield folder
    folder.chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_database_or_folder_as_another_user(
    shared_folder: Path, sample_path: Path, what: str
) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to act as another user")
    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("neither setpriv nor runuser can run as nobody here")
    db = shared_folder / "site.db"
    with open_store(db) as store:
        import_path(store, sample_path)
    db.chmod(0o444 if what == "file" else 0o666)
    if what == "folder":
        shared_folder.chmod(0o555)
    before = files_of(db)
    env = {**os.environ, "MODTOOL_DB": str(db), "NO_COLOR": "1", "HOME": str(shared_folder)}
    result = subprocess.run(
        [*prefix, sys.executable, "-m", "modtool", "label", "9", "insult", "-m", "ana"],
        capture_output=True,
        text=True,
        env=env,
        cwd=shared_folder,
        timeout=120,
    )
    assert result.returncode == 1
    line = one_error_line(result)
    assert line.startswith(f"modtool: error: {db}: ")
    assert "read-only" in line or "may read and write" in line, line
    assert files_of(db) == before


# -- 9.11: a full disk ---------------------------------------------------------------------------
# 512 KiB: the sample thread imports into a fresh database (whose schema grows with each
# migration: 256 KiB became too small with the site-model tables), the big thread does not.
@pytest.fixture
def small_disk() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="modtool-full-"))
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root and mount for a small tmpfs")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", str(folder)], check=False)
    folder.rmdir()


def test_a_full_disk_is_one_line_and_keeps_what_was_there(
    run_cli, small_disk: Path, tmp_path: Path, sample_path: Path
) -> None:
    db = small_disk / "site.db"
    first = run_cli("import", sample_path, "--db", db)
    assert first.returncode == 0, first.stderr
    big = tmp_path / "big.txt"
    filler = " ".join(f"word{i}" for i in range(120))
    big.write_text(
        render("Big", "A long one.", [Node(f"A{i}", f"{i} {filler}") for i in range(1500)]),
        encoding="utf-8",
    )
    result = run_cli("import", big, "--db", db)
    assert result.returncode == 1
    line = one_error_line(result)
    assert f"{db}: the disk is full" in line, line
    with open_store(db) as store:  # the sample thread is still whole
        assert store.comments.count() == 27
    with pytest.raises(StoreError, match="no database at"):
        open_store(small_disk / "other.db", create=False)


def test_opening_the_database_again_in_one_process_keeps_its_locks(tmp_path: Path) -> None:
    """A second open_store in one process (the TUI's workers do this) must not drop
    the first connection's POSIX locks: if it did, another process closing the
    database would think it was the last one and remove the WAL under us."""
    import subprocess
    import sys

    from modtool.store import open_store

    db = tmp_path / "shared.db"
    first = open_store(db)
    first.db.execute("CREATE TABLE probe (x)")
    for value in range(20):
        first.db.execute("INSERT INTO probe VALUES (?)", [value])
        first.db.conn.commit()
    second = open_store(db)
    second.close()
    subprocess.run(
        [sys.executable, "-c", f"import sqlite3; c = sqlite3.connect({str(db)!r}); c.close()"],
        check=True,
    )
    assert Path(f"{db}-wal").exists(), "another process took itself for the last connection"
    assert first.db.execute("SELECT COUNT(*) FROM probe").fetchone()[0] == 20
    first.close()
