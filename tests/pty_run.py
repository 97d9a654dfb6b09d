"""Run one ``modtool`` command in a real pseudo-terminal and read what it drew."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path


def run_in_pty(
    args: tuple[str, ...], *, db: Path, cwd: Path, size: tuple[int, int] = (24, 80)
) -> str:
    """stdout and stderr of ``modtool ARGS`` in a pty of ``size`` (rows, columns), with
    no ``COLUMNS``: the width comes from the terminal itself. Escape sequences are
    removed and line ends made ``\\n``."""
    leader, follower = pty.openpty()
    rows, columns = size
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update({"MODTOOL_DB": str(db), "NO_COLOR": "1", "TERM": "xterm", "HF_HUB_OFFLINE": "1"})
    process = subprocess.Popen(
        [sys.executable, "-m", "modtool", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        cwd=cwd,
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode("utf-8", "replace"))
    return text.replace("\r\n", "\n")
