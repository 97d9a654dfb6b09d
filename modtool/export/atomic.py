"""The one way an export reaches the disk: never half-written, never over a database.

A regular file is written to a temporary file in the same folder and moved into
place with :func:`os.replace` (atomic on one filesystem); a directory is built
in a temporary directory beside the target and renamed. On any error the
temporary is removed and the target is left as it was.

Only regular files are replaced by rename. A character or block device, a FIFO
or a socket is written in place (renaming over ``/dev/null`` as root would put
a regular file where the device was), and ``-`` means standard output.

Standard output is a stream, whatever it points at (a pipe, a terminal, a file
the shell opened with ``>`` or ``>>``, ``/dev/null``, a socket): it is written
through the descriptor the process was given, from where it stands, and never
reopened, sought, truncated or replaced. Reopening ``/proc/self/fd/1`` would
start a new file offset at 0: ``{ echo BEFORE; modtool … -o -; echo AFTER; } > f``
lost BEFORE and AFTER landed inside the output, and ``-o - >> f`` overwrote
``f``. The writers take a path, so ``-`` gets the path of a pipe whose other
end a thread copies to standard output as the bytes come (Parquet's sink never
seeks, so it streams too).

Before anything is written the target is checked against the database the
export reads (``protect``): the same file by any spelling (``dir/../dir/x.db``),
by inode (a hard link) or one of its ``-wal``/``-shm``/``-journal`` files is
refused, and so is any existing SQLite file (its first 16 bytes are
``SQLite format 3\\0``) and a folder export whose ``--force`` would delete a
database inside it. Every export, and ``modtool decisions``, goes through here.
"""

from __future__ import annotations

import errno
import os
import select
import shutil
import stat
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from modtool.errors import InputError

SQLITE_MAGIC = b"SQLite format 3\x00"
SIDECARS = ("-wal", "-shm", "-journal")
STDOUT = "-"


def is_stdout(target: Path | str) -> bool:
    return str(target) == STDOUT


class _StdoutRelay:
    """A pipe whose read end a thread copies to standard output.

    The writer opens ``/dev/fd/<write end>`` (the same pipe, as a new descriptor);
    the copy goes out through the process's own standard output, so its offset is
    the shell's. When the copy cannot go on (the reader closed the pipe, a full
    disk), the thread closes the read end: the writer's next write fails with
    ``EPIPE`` and the error is raised from :meth:`finish`.
    """

    CHUNK = 1 << 16

    def __init__(self) -> None:
        if sys.stdout is not None:
            sys.stdout.flush()
        self.out_fd, self.out_stream = _stdout_sink()
        self.read_fd, self.write_fd = os.pipe()
        self.error: OSError | None = None
        self.thread = threading.Thread(target=self._copy, name="stdout-relay", daemon=True)
        self.thread.start()

    @property
    def path(self) -> Path:
        return Path(f"/dev/fd/{self.write_fd}")

    def _copy(self) -> None:
        try:
            while chunk := os.read(self.read_fd, self.CHUNK):
                self._send(chunk)
        except OSError as exc:
            self.error = exc
        finally:
            os.close(self.read_fd)

    def _send(self, chunk: bytes) -> None:
        if self.out_stream is not None:  # no descriptor (output captured in-process)
            self.out_stream.write(chunk)
            self.out_stream.flush()
            return
        view = memoryview(chunk)
        while view:
            try:
                view = view[os.write(self.out_fd, view) :]
            except BlockingIOError:  # a descriptor someone set non-blocking: wait, go on
                select.select([], [self.out_fd], [])

    def finish(self, timeout: float | None = None) -> None:
        """Close our write end (the writer has closed its own) and wait for the copy
        (``timeout``: after a failure, not for ever)."""
        os.close(self.write_fd)
        self.thread.join(timeout)
        if self.error is not None:
            raise self.error


def _stdout_sink() -> tuple[int, Any]:
    """Standard output's descriptor, or (captured in-process, as the test batch and
    click's runner do) its binary buffer."""
    try:
        fd = sys.stdout.fileno()
        os.fstat(fd)
        return fd, None
    except (AttributeError, OSError, ValueError):
        pass
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        return -1, buffer
    if sys.stdout is None:
        raise InputError("-: cannot write: standard output is closed")
    return -1, _TextSink(sys.stdout)


class _TextSink:
    """Bytes written to a text stream (``io.StringIO``) as UTF-8 text."""

    def __init__(self, stream: Any) -> None:
        import codecs

        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")

    def write(self, data: bytes) -> None:
        self.stream.write(self.decoder.decode(data))

    def flush(self) -> None:
        self.stream.flush()


@contextmanager
def _stdout_stream() -> Iterator[Path]:
    relay = _StdoutRelay()
    try:
        yield relay.path
    except BaseException as failure:
        with suppress(OSError):
            relay.finish(timeout=5.0)
        if isinstance(failure, OSError) and relay.error is not None:
            # the writer saw the pipe close because the copy failed: say why it did
            raise relay.error from None
        raise
    relay.finish()


def is_sqlite_file(path: Path) -> bool:
    """``True`` when ``path`` is a regular file starting with SQLite's header."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def _family(database: Path) -> list[Path]:
    """The database and its sidecar files, resolved (they need not exist)."""
    real = Path(os.path.realpath(database))
    return [real, *(real.with_name(real.name + suffix) for suffix in SIDECARS)]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def guard_target(target: Path, protect: Iterable[Path] = ()) -> None:
    """Refuse a target that is (or belongs to) the database read or any SQLite file."""
    real = Path(os.path.realpath(target))
    for database in protect:
        for member in _family(Path(database)):
            if real == member or _same_file(real, member):
                raise InputError(
                    f"{target}: is the database this export reads ({database}"
                    f"{member.name[len(Path(os.path.realpath(database)).name) :]}); "
                    "an export never writes over it: choose another name"
                )
    if is_sqlite_file(real):
        raise InputError(
            f"{target}: is an SQLite database; an export never writes over one: choose another name"
        )
    for suffix in SIDECARS:
        if real.name.endswith(suffix) and is_sqlite_file(real.with_name(real.name[: -len(suffix)])):
            raise InputError(
                f"{target}: belongs to the SQLite database {real.name[: -len(suffix)]}; "
                "an export never writes over it: choose another name"
            )


def _guard_folder(target: Path, protect: Iterable[Path]) -> None:
    """A folder export (``--force`` deletes the old folder) must not hold a database."""
    real = Path(os.path.realpath(target))
    for database in protect:
        for member in _family(Path(database)):
            if member.is_relative_to(real):
                raise InputError(
                    f"{target}: holds the database this export reads ({database}); "
                    "choose another folder"
                )
    if real.is_dir():
        for child in real.iterdir():
            if is_sqlite_file(child):
                raise InputError(
                    f"{target}: holds an SQLite database ({child.name}); choose another folder"
                )


def write_error(target: Path | str, exc: OSError) -> InputError:
    """One line for an ``OSError`` while writing ``target`` (a full disk says so)."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return InputError(f"{target}: cannot write: disk full (no space left on the device)")
    if exc.errno == errno.EPIPE:
        return InputError(f"{target}: cannot write: the reader closed the pipe")
    return InputError(f"{target}: cannot write: {exc.strerror or exc}")


def _check_folder(target: Path) -> None:
    parent = target.parent
    if not parent.exists():
        raise InputError(f"{target}: cannot write: folder {parent} does not exist")
    if not parent.is_dir():
        raise InputError(f"{target}: cannot write: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{target}: cannot write: folder {parent} is not writable")


def _umask_mode(mode: int) -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mode & ~mask


def writes_in_place(target: Path | str) -> bool:
    """``-``, or an existing device, FIFO or socket: written in place, never renamed over."""
    if is_stdout(target):
        return True
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@contextmanager
def atomic_file(target: Path, *, protect: Iterable[Path] = ()) -> Iterator[Path]:
    """Yield the path to write; on success the content is at ``target``.

    A regular (or new) file: a temporary beside it, renamed over it at the end.
    ``-``: a pipe to standard output (the path is only for one ``open``, by one
    writer). A device, FIFO or socket: the target itself.
    """
    if is_stdout(target):
        with _stdout_stream() as stream:
            yield stream
        return
    target = Path(target)
    if target.is_dir():
        raise InputError(f"{target}: is a folder; give a file name (or use --split for a folder)")
    guard_target(target, protect)
    if writes_in_place(target):
        yield target
        return
    final = Path(os.path.realpath(target)) if target.is_symlink() else target
    _check_folder(final)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    except OSError as exc:
        raise write_error(target, exc) from None
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, _umask_mode(0o666))
        guard_target(target, protect)  # nothing became a database while we wrote
        os.replace(temporary, final)
    except BaseException:
        with suppress(FileNotFoundError):
            temporary.unlink()
        raise


@contextmanager
def atomic_dir(
    target: Path, *, force: bool = False, protect: Iterable[Path] = ()
) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it becomes ``target``.

    An existing non-empty ``target`` is refused unless ``force``; then it is
    swapped out and removed only after the new folder is in place. A folder
    holding the database read (or any SQLite file) is refused even with ``force``.
    """
    if is_stdout(target):
        raise InputError("-o -: this export is a folder; standard output takes one file")
    target = Path(target)
    protect = list(protect)
    if target.exists() and not target.is_dir():
        guard_target(target, protect)
        raise InputError(f"{target}: exists and is a file; a folder is needed here")
    _guard_folder(target, protect)
    if target.is_dir() and any(target.iterdir()) and not force:
        raise InputError(f"{target}: folder exists and is not empty (use --force to replace it)")
    _check_folder(target)
    try:
        temporary = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        )
    except OSError as exc:
        raise write_error(target, exc) from None
    try:
        yield temporary
        os.chmod(temporary, _umask_mode(0o777))
        if target.is_dir():
            _guard_folder(target, protect)
            old = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent)
            )
            os.rmdir(old)
            os.rename(target, old)
            os.rename(temporary, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
