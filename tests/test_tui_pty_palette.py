"""The real ``modtool tui`` in a pseudo-terminal (issue 16.15): ctrl+p opens the
command palette and the app keeps running; a crash ends with a non-zero status."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_tui_persistence import read_until, tui_in_pty
from tests.test_tui_sample import drain_until_exit
from tests.tui_support import REPO, build_sample, copy_db


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("tui-pty") / "sample.db")


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> Path:
    return copy_db(sample_db, tmp_path / "modtool.db")


ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=$]*[a-zA-Z~]")


def read_plain_until(master: int, needle: bytes, seen: bytearray, timeout: float = 30) -> None:
    """Read until ``needle`` is on the screen (escape sequences removed)."""
    deadline = time.monotonic() + timeout
    while needle not in ESCAPES.sub(b"", bytes(seen)):
        assert time.monotonic() < deadline, f"{needle!r} never appeared"
        if select.select([master], [], [], 0.5)[0]:
            seen += os.read(master, 65536)


def test_ctrl_p_opens_the_palette_in_a_real_terminal(db: Path) -> None:
    seen = bytearray()
    with tui_in_pty(db, "--thread", "1") as (proc, master):
        read_until(master, b"0/27 reviewed", seen)
        os.write(master, b"\x10")  # ctrl+p
        read_until(master, b"earch for commands", seen)
        os.write(master, b"search")  # lists the search command with its help ...
        # Its help, ending in the key name that was read as a closing tag and crashed it:
        read_plain_until(master, b"search of comments and authors (the site's, or the", seen)
        read_plain_until(master, b"thread's) [/]", seen)
        os.write(master, b"\x1b")  # close the palette; a key sent at once would be alt+key
        time.sleep(1)
        os.write(master, b"i")  # the app still takes keys: insult on comment 1
        read_until(master, b"1/27 reviewed", seen)
        os.write(master, b"q")
        drain_until_exit(proc, master)
    assert proc.returncode == 0
    assert b"Traceback" not in seen and b"MarkupError" not in seen


CRASH = """
import sys
from modtool.tui.app import ModtoolApp

def boom(self):
    raise RuntimeError("a bug in a key handler")

ModtoolApp.on_mount = boom
sys.argv = ["modtool", "tui", "--scorer", "none", "--thread", "1"]
from modtool.cli import main
main()
"""


def test_a_crash_in_the_app_exits_non_zero(db: Path, tmp_path: Path) -> None:
    """An exception inside the running app (injected here in a real CLI process) is a
    failure for the shell, not the status 0 the palette crash used to end with."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "MODTOOL_DB": str(db), "MODTOOL_MODERATOR": "ana", "TERM": "xterm"}
    env["HF_HUB_OFFLINE"] = "1"
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASH], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO
    )
    os.close(slave)
    try:
        drain_until_exit(proc, master)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert proc.returncode not in (0, None)
