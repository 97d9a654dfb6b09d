"""What went wrong with a database file, in words a user can act on.

Every :class:`sqlite3.Error` that escapes a command is translated here, once,
into a :class:`~modtool.errors.StoreError` naming the file and what to do (the
CLI's group calls :func:`translate`; no command catches SQLite errors itself).

When the file is busy, :func:`lock_holder` asks the kernel who holds SQLite's
write lock: SQLite takes POSIX byte-range locks (in WAL mode on byte 120 of the
``-shm`` file, the ``WAL_WRITE_LOCK`` slot; in rollback mode on the RESERVED
byte of the database file), and ``F_GETLK`` reports the process holding one,
so the message can say ``pid 4242 (modtool label …)`` without any note file.
"""

from __future__ import annotations

import os
import sqlite3
import struct
from pathlib import Path

from modtool.errors import StoreError

WAL_WRITE_LOCK = 120
"""Offset of the writer's lock byte in the ``-shm`` file (``WALINDEX_LOCK_OFFSET``)."""
RESERVED_BYTE = 0x40000001
"""SQLite's RESERVED lock byte in a rollback-journal database (``PENDING_BYTE + 1``)."""


def translate(exc: sqlite3.Error, path: Path | str | None) -> StoreError:
    """One clear line for a SQLite error on the database at ``path``."""
    where = str(path) if path is not None else "the database"
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    lowered = text.lower()
    if name.startswith("SQLITE_BUSY") or name.startswith("SQLITE_LOCKED") or "locked" in lowered:
        return StoreError(busy_message(path))
    if name.startswith("SQLITE_READONLY") or "readonly" in lowered or "read-only" in lowered:
        folder = Path(where).resolve().parent if path is not None else "its folder"
        return StoreError(
            f"{where}: the database is read-only here: modtool needs write access to the file "
            f"and to its folder {folder} (for the -wal and -shm files); fix the permissions "
            "or work on a copy"
        )
    if name == "SQLITE_FULL" or "disk is full" in lowered:
        return StoreError(
            f"{where}: the disk is full: free some space and run the command again "
            "(the step that failed was rolled back)"
        )
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB" or "malformed" in lowered:
        return StoreError(
            f"{where}: the database file is damaged ({text}): restore it from a backup "
            f"(`sqlite3 {where} .recover` may save what is left)"
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in lowered:
        return StoreError(
            f"{where}: cannot open the database file: check that it and its folder exist "
            "and that you may read and write them"
        )
    if name.startswith("SQLITE_IOERR") or "disk i/o error" in lowered:
        return StoreError(
            f"{where}: the disk reported an error ({text}): check the disk and free space, "
            "then run the command again"
        )
    if "no such table" in lowered or "no such column" in lowered:
        return StoreError(
            f"{where}: not a complete modtool database ({text}): it was changed outside "
            "modtool; restore it from a backup or import into a new --db"
        )
    return StoreError(f"{where}: database error: {text}")


def busy_message(path: Path | str | None) -> str:
    where = str(path) if path is not None else "the database"
    holder = lock_holder(path) if path is not None else None
    who = f"another process ({holder})" if holder else "another modtool process"
    return f"{where}: the database is busy: {who} holds its write lock; try again when it is done"


def lock_holder(path: Path | str) -> str | None:
    """``pid N (command line)`` of the process holding the write lock, if the kernel says."""
    for lock_file, offset in ((f"{path}-shm", WAL_WRITE_LOCK), (str(path), RESERVED_BYTE)):
        pid = _locking_pid(lock_file, offset)
        if pid:
            return f"pid {pid}{_command(pid)}"
    return None


def _locking_pid(lock_file: str, offset: int) -> int | None:
    try:
        import fcntl
    except ImportError:  # not POSIX
        return None
    try:
        fd = os.open(lock_file, os.O_RDWR)
    except OSError:
        try:
            fd = os.open(lock_file, os.O_RDONLY)
        except OSError:
            return None
    try:
        # struct flock {short l_type, l_whence; off_t l_start, l_len; pid_t l_pid;}
        query = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, offset, 1, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
        kind, _, _, _, pid = struct.unpack("hhqqi4x", answer)
        return pid if kind != fcntl.F_UNLCK and pid > 0 else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _command(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    words = [w.decode("utf-8", "replace") for w in raw.split(b"\0") if w]
    if len(words) >= 3 and words[1:3] == ["-m", "modtool"]:
        words = ["modtool", *words[3:]]
    elif words:
        words[0] = Path(words[0]).name
    shown = " ".join(" ".join(words).split())
    return f": {shown[:60]}{'…' if len(shown) > 60 else ''}" if shown else ""
