"""Slow work off the UI thread: importing and scoring run in workers while the UI works;
and the `modtool tui` command's own errors."""

from __future__ import annotations

import os
import pty
import select
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from modtool.store import open_store
from tests.tui_support import SAMPLE, SIZE, build_sample, make_app, policy


async def test_import_worker_then_scoring_worker_with_the_real_scorer(db_path: Path) -> None:
    app = make_app(db_path, import_file=SAMPLE, scorer="profanity-check")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):  # the import runs in a worker; the thread opens when it is done
            await pilot.pause(0.05)
            if app.session is not None:
                break
        assert app.session is not None and len(app.session) == 27
        # The UI is usable while scoring runs: label a comment now.
        await pilot.press("i")
        for _ in range(300):
            await pilot.pause(0.05)
            if app.session.scores:
                break
        assert len(app.session.scores) == 27  # scores reloaded when the worker finished
        node = app.session.nodes[4]
        assert node.headline is not None and node.headline.model.startswith("profanity-check")
        assert "insult" in app.session.suggested(4)  # suggestions computed after scoring
        assert app.status.scoring.startswith("scored 27")
        assert app.session.mine(1).labels == {"insult"}
    with open_store(db_path) as store:
        assert store.labels.state(1, "ana", policy().name).labels == {"insult"}
        assert len(store.scores.for_thread(1)) == 27


async def test_a_bad_document_ends_the_app_with_its_message(tmp_path: Path, db_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Title\n\nArticle\n\n  1. A says\n\n    body\n\n       1. B says\n\n    x\n")
    app = make_app(db_path, import_file=bad)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if not app.is_running:
                break
    assert app.error is not None and "bad.txt" in app.error and "line" in app.error
    assert app.return_code == 1


def test_cli_help_and_one_line_errors(run_cli, tmp_path: Path, db_path: Path) -> None:
    result = run_cli("tui", "--help")
    assert result.returncode == 0 and "modtool tui threads/" in result.stdout
    open_store(db_path).close()  # an empty database
    result = run_cli("tui")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("modtool: error: the database has no threads yet")
    assert "Traceback" not in result.stderr
    result = run_cli("tui", "--policy", "no-such-policy")
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "no-such-policy" in result.stderr
    result = run_cli("tui", str(tmp_path / "missing.txt"))
    assert result.returncode == 2 and "missing.txt" in result.stderr


def tui_piped(db: Path, *args: object, cwd: Path) -> subprocess.CompletedProcess:
    """The real ``modtool tui`` with stdout and stderr piped (a script, ``| less``, CI)."""
    env = {**os.environ, "MODTOOL_DB": str(db), "NO_COLOR": "1", "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "modtool", "tui", *map(str, args)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,  # before the fix it drew into the pipe and never ended
    )


def dump(db: Path) -> list[str]:
    """The database's whole content as SQL (the file's bytes change when its WAL is
    checkpointed, its content must not)."""
    with closing(sqlite3.connect(db)) as connection:
        return list(connection.iterdump())


def files_in(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def test_without_a_terminal_it_refuses_at_once_and_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    result = tui_piped(db, SAMPLE, "--scorer", "none", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "modtool: error: tui needs a terminal (stdout is not a TTY)\n"
    assert result.stdout == ""
    assert files_in(tmp_path) == set()  # no database, no -wal or -shm
    # On an existing database too, and it is left as it was.
    build_sample(db)
    before = dump(db)
    result = tui_piped(db, "--thread", "1", cwd=tmp_path)
    assert result.returncode == 1 and "tui needs a terminal (stdout is not a TTY)" in result.stderr
    assert dump(db) == before


def test_stdin_that_is_not_a_terminal_is_refused_too(tmp_path: Path) -> None:
    db = build_sample(tmp_path / "modtool.db")
    master, slave = pty.openpty()
    env = {**os.environ, "MODTOOL_DB": str(db), "NO_COLOR": "1", "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "modtool", "tui", "--scorer", "none"],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=tmp_path,
    )
    os.close(slave)
    seen = b""
    try:
        proc.wait(timeout=60)
        while select.select([master], [], [], 0.2)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal's other end is closed
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert proc.returncode == 1
    assert seen.strip() == b"modtool: error: tui needs a terminal (stdin is not a TTY)"


def test_a_mistyped_db_without_file_creates_nothing(run_cli, tmp_path: Path) -> None:
    for args in (["--db", "site.db"], ["--db", "site.db", "--thread", "3"]):
        result = run_cli("tui", *args, "--scorer", "none")
        assert result.returncode == 1
        assert result.stderr.startswith("modtool: error: no database at site.db")
        assert result.stderr.count("\n") == 1
        assert not any(name.startswith("site.db") for name in files_in(tmp_path))


def test_the_tui_takes_the_moderator_from_the_one_shared_check(tmp_path: Path) -> None:
    """`tui` refuses what `label` refuses (the reserved ``policy:`` prefix), before it
    creates anything, and from the same environment default."""
    db = tmp_path / "new.db"
    result = tui_piped(db, SAMPLE, "--moderator", "policy:news-comments", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "cannot start with 'policy:'" in result.stderr
    assert files_in(tmp_path) == set()
    env_result = subprocess.run(
        [sys.executable, "-m", "modtool", "tui", str(SAMPLE)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={**os.environ, "MODTOOL_DB": str(db), "MODTOOL_MODERATOR": "policy:x"},
        cwd=tmp_path,
        timeout=60,
    )
    assert env_result.returncode == 1 and "cannot start with 'policy:'" in env_result.stderr
    assert files_in(tmp_path) == set()
