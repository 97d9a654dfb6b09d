"""Never lose work: committed before shown, two moderators on one file, a `kill -9` of a
real `modtool tui` right after a keypress, reopening where you were."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from modtool.store import open_store
from tests.tui_support import REPO, SIZE, build_sample, copy_db, make_app, policy

REF = policy().ref


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("tui-persist") / "sample.db")


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> Path:
    return copy_db(sample_db, tmp_path / "modtool.db")


def labels_of(db: Path, comment_id: int, moderator: str) -> frozenset[str]:
    with open_store(db) as store:
        return store.labels.state(comment_id, moderator, REF.name).labels


async def test_two_apps_on_one_database_keep_all_labels(db: Path) -> None:
    ana = make_app(db, "ana", poll_seconds=0.05)
    bo = make_app(db, "bo", poll_seconds=0.05)
    async with ana.run_test(size=SIZE) as pa, bo.run_test(size=SIZE) as pb:
        # Interleaved, on the same comments and on different ones.
        await pa.press("i")
        await pb.press("x")
        await pa.press("j", "t")
        await pb.press("j", "a")
        await pa.press("j", "p")
        await pb.press("i")
        await pa.pause(0.2)
        await pb.pause(0.2)
        # Each sees the other's work (polling), and its own counts are its own.
        assert ana.session.others(1)["bo"].labels == {"spam"}
        assert bo.session.others(2)["ana"].labels == {"threat"}
        assert ana.session.progress().reviewed == 3 and bo.session.progress().reviewed == 2
        # Undo in one app only undoes that moderator's actions.
        await pb.press("u")
        assert labels_of(db, 2, "bo") == frozenset()
    assert labels_of(db, 1, "ana") == {"insult"} and labels_of(db, 2, "ana") == {"threat"}
    assert labels_of(db, 3, "ana") == {"profanity"}
    assert labels_of(db, 1, "bo") == {"spam"}
    with open_store(db) as store:
        assert store.labels.state(2, "bo", REF.name).state == "approved"


async def test_reopening_shows_where_you_were(db: Path) -> None:
    app = make_app(db, "ana")
    async with app.run_test(size=SIZE) as pilot:
        app.tree.select_comment(14)
        await pilot.pause()
        await pilot.press("h")
    again = make_app(db, "ana")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.selected == 14 and again.tree.selected_comment == 14
        assert "1/27 reviewed" in str(again.status.render())
    other = make_app(db, "cy")  # another moderator starts at the top
    async with other.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert other.selected == 1


@contextmanager
def tui_in_pty(
    db: Path | None, *args: str, cwd: Path = REPO, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen, int]]:
    """Run the real ``modtool tui`` on a pseudo-terminal of 120x40 (``db`` None: no
    ``MODTOOL_DB``, the command's own default; ``env`` adds variables)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {
        **os.environ,
        "MODTOOL_DB": str(db),
        "TERM": "xterm-256color",
        "MODTOOL_MODERATOR": "ana",
        "HF_HUB_OFFLINE": "1",
        **(env or {}),
    }
    env.pop("NO_COLOR", None)
    if db is None:
        env.pop("MODTOOL_DB")
    proc = subprocess.Popen(
        [sys.executable, "-m", "modtool", "tui", "--scorer", "none", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    os.close(slave)
    try:
        yield proc, master
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)


def read_until(master: int, needle: bytes, seen: bytearray, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{needle!r} never appeared; tail: {bytes(seen[-400:])!r}")
        ready, _, _ = select.select([master], [], [], min(left, 0.5))
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                raise AssertionError(f"the app ended; tail: {bytes(seen[-400:])!r}") from None


def test_kill_9_right_after_the_screen_shows_an_action_loses_nothing(db: Path) -> None:
    seen = bytearray()
    with tui_in_pty(db, "--thread", "1") as (proc, master):
        read_until(master, b"0/27 reviewed", seen)
        os.write(master, b"i")  # insult on comment 1
        read_until(master, b"1/27 reviewed", seen)  # shown as done ...
        os.kill(proc.pid, signal.SIGKILL)  # ... and killed at once
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert labels_of(db, 1, "ana") == {"insult"}
    with open_store(db) as store:  # the database is intact after the hard kill
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [a.kind for a in store.labels.log(actor="ana")] == ["add_label"]


def test_control_sequences_in_comments_never_reach_the_terminal(tmp_path: Path) -> None:
    from modtool.ingest import import_path
    from tests.tui_support import write_thread

    document = write_thread(
        tmp_path / "evil.txt",
        [
            ("Eve", "title \x1b]0;PWNED\x07 colour \x1b[31mRED\x1b[0m clear \x9b2J"),
        ],
    )
    db = tmp_path / "evil.db"
    with open_store(db) as store:
        import_path(store, document)
    seen = bytearray()
    with tui_in_pty(db) as (_proc, master):
        read_until(master, b"reviewed", seen)
        read_until(master, b"RED", seen)  # the body is on screen
        time.sleep(0.3)
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            seen += os.read(master, 65536)
    assert b"]0;PWNED" in seen  # the text itself is shown ...
    assert b"\x1b]0;PWNED" not in seen and b"PWNED\x07" not in seen  # ... without its ESC/BEL
    assert b"\x1b[31mRED" not in seen and "\x9b".encode() not in seen
