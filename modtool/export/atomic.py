"""Never leave a half-written export where the final one should be.

A file is written to a temporary file in the same folder and moved into place
with :func:`os.replace` (atomic on one filesystem); a directory is built in a
temporary directory beside the target and renamed. On any error the temporary
is removed and the target is left as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from modtool.errors import InputError


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


@contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it becomes ``target``."""
    target = Path(target)
    if target.is_dir():
        raise InputError(f"{target}: is a folder; give a file name (or use --split for a folder)")
    _check_folder(target)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise InputError(f"{target}: cannot write: {exc.strerror}") from None
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, _umask_mode(0o666))
        os.replace(temporary, target)
    except BaseException:
        with suppress(FileNotFoundError):
            temporary.unlink()
        raise


@contextmanager
def atomic_dir(target: Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it becomes ``target``.

    An existing non-empty ``target`` is refused unless ``force``; then it is
    swapped out and removed only after the new folder is in place.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: exists and is a file; a folder is needed here")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise InputError(f"{target}: folder exists and is not empty (use --force to replace it)")
    _check_folder(target)
    try:
        temporary = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        )
    except OSError as exc:
        raise InputError(f"{target}: cannot write: {exc.strerror}") from None
    try:
        yield temporary
        os.chmod(temporary, _umask_mode(0o777))
        if target.is_dir():
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
