"""Two processes on one database (issue 9.10): a writer waits its turn (busy timeout,
BEGIN IMMEDIATE retried), and when the lock is held too long it says who holds it, in one
line; concurrent imports of one document all succeed and make one thread."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HOLDER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO threads (title, source, format, article, article_hash, imported_at,"
             " updated_at) VALUES ('held', 'held.txt', 'text', '', 'h', 'now', 'now')")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def hold_lock(db: Path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


@pytest.fixture
def held(sample_store, db_path: Path) -> Iterator[subprocess.Popen]:
    sample_store.close()
    holder = hold_lock(db_path, 60)
    yield holder
    holder.kill()
    holder.wait()


def test_writers_say_who_holds_the_lock_after_waiting(
    run_cli, held: subprocess.Popen, db_path: Path, sample_path: Path
) -> None:
    wait = {"MODTOOL_BUSY_TIMEOUT": "0.4"}
    for command in (
        ("label", 9, "insult", "-m", "ana"),
        ("suggest",),
        ("apply-policy",),
        ("import", sample_path),
        ("score", "--scorer", "profanity-check"),
    ):
        started = time.monotonic()
        result = run_cli(*command, env=wait)
        waited = time.monotonic() - started
        assert result.returncode == 1, (command, result.stdout)
        lines = result.stderr.strip().splitlines()
        assert "Traceback" not in result.stderr and len(lines) == 1, (command, result.stderr)
        assert lines[0].startswith(
            f"modtool: error: {db_path}: the database is busy: another process "
            f"(pid {held.pid}: python"
        ), lines[0]
        assert lines[0].endswith("holds its write lock; try again when it is done")
        assert waited >= 0.4, (command, waited)
    with sqlite3.connect(db_path) as conn:  # nothing of theirs went in
        assert conn.execute("SELECT COUNT(*) FROM actions").fetchone() == (0,)


def test_a_writer_waits_for_a_short_lock(run_cli, sample_store, db_path: Path) -> None:
    sample_store.close()
    holder = hold_lock(db_path, 1.0)
    try:
        result = run_cli("label", 9, "insult", "-m", "ana", env={"MODTOOL_BUSY_TIMEOUT": "20"})
    finally:
        holder.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("labeled #9 ")


def test_concurrent_imports_of_one_document(tmp_path: Path, db_path: Path, sample_path: Path):
    env = {**os.environ, "MODTOOL_DB": str(db_path), "NO_COLOR": "1"}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "modtool", "import", str(sample_path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for _ in range(6)
    ]
    results = [(run.wait(timeout=240), *run.communicate()) for run in runs]
    for code, _out, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM threads").fetchone() == (1,)
        assert conn.execute("SELECT COUNT(*) FROM comments").fetchone() == (27,)
    created = [out for _, out, _ in results if out.startswith("imported ")]
    assert len(created) == 1, [out for _, out, _ in results]


def test_a_deferred_transaction_takes_the_write_lock_up_front(sample_store, db_path: Path) -> None:
    """sqlite-utils' ``atomic()`` says plain ``BEGIN``: it used to start as a reader and
    fail at once with "database is locked" when another connection wrote before its
    first write (a read lock cannot be upgraded over a newer snapshot). Every BEGIN now
    takes the write lock first, so the other writer waits instead."""
    import threading

    from modtool.store import open_store

    insert = (
        "INSERT INTO threads (title, source, format, article, article_hash, imported_at,"
        " updated_at) VALUES (?, 'x.txt', 'text', '', 'h', 'now', 'now')"
    )
    first, second = open_store(db_path), open_store(db_path)
    errors: list[BaseException] = []

    def other_writer() -> None:
        try:
            with second.db.atomic():
                second.db.execute(insert, ["second"])
        except BaseException as exc:
            errors.append(exc)

    with first.db.atomic():
        (before,) = first.db.execute("SELECT COUNT(*) FROM threads").fetchone()
        writer = threading.Thread(target=other_writer)
        writer.start()
        writer.join(0.5)  # it waits for our lock (before the fix it committed here)
        first.db.execute(insert, ["first"])  # before the fix: "database is locked"
    writer.join(30)
    assert errors == []
    titles = [t for (t,) in first.db.execute("SELECT title FROM threads ORDER BY id")]
    assert titles[-2:] == ["first", "second"] and len(titles) == before + 2
    first.close()
    second.close()
