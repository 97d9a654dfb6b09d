"""Group records of formats whose threads interleave (Disqus, Pushshift, …) by thread.

A 1 GB export cannot be grouped in memory. Records are held in memory, per
thread, up to :data:`SPILL_BYTES` (an estimate of what they take); past it,
every thread's held records are written as one *piece* each to a private
temporary file (unlinked at once, so nothing is left behind even after a kill)
and memory starts again. At the end the threads come back one at a time, in
the order each first appeared, each thread's records in file order: its pieces
read back from the file, then what was still held. A document smaller than the
budget never touches the disk.

Memory is bounded by the budget and the largest thread, plus one small entry
per thread (where its last piece is: each piece names the one before it).

Why not a temporary SQLite table (used before): writing the records, indexing
them by thread and selecting them back cost 13 µs a comment of a 100,000-post
Disqus export, a third of its whole reader; pieces of plain tuples (a pickle
of str, int and None, written by the C pickler) cost about 2 µs.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import pickle
import struct
import tempfile
from collections.abc import Iterable, Iterator
from itertools import repeat
from typing import NamedTuple

from modtool.errors import InputError
from modtool.importers.records import (
    CommentRecord,
    MissingRecord,
    ProblemRecord,
    Record,
    ThreadRecord,
)

SPILL_BYTES = 48 * 1024 * 1024
"""Records held in memory (estimated by :data:`RECORD_BYTES` and their text) before
they are written to the temporary file."""
RECORD_BYTES = 700
"""What one held record takes beside its text (the tuple, ids, dates, metadata)."""
_HEADER = struct.Struct("<QQ")  # the previous piece of the same thread: offset, length
_NONE = 0  # "no previous piece" (offset 0 holds the first piece, whose length is never 0)


class StagedThread(NamedTuple):
    external_id: str
    threads: list[ThreadRecord]
    """Every declaration of the thread, in file order (merged by the caller)."""
    comments: list[CommentRecord]
    missing: int
    problems: list[ProblemRecord]


class _Held:
    """One thread's records held in memory since the last spill."""

    __slots__ = ("comments", "missing", "problems", "threads")

    def __init__(self) -> None:
        self.threads: list[ThreadRecord] = []
        self.comments: list[CommentRecord] = []
        self.missing = 0
        self.problems: list[ProblemRecord] = []


def stage(records: Iterable[Record], folder: str | None = None) -> Iterator[StagedThread]:
    """Yield the records grouped by thread (threads in first-seen order).

    ``folder``: where the temporary file goes (default ``$TMPDIR``).

    Reads ``records`` to the end before yielding anything, so an error in the
    document surfaces before any thread is stored. Problems that name no
    thread come last, as a :class:`StagedThread` with an empty external id.
    """
    spill = _Spill(folder)
    try:
        yield from _stage(records, spill)
    finally:
        spill.close()


def _stage(records: Iterable[Record], spill: _Spill) -> Iterator[StagedThread]:
    held: dict[str | None, _Held] = {}
    size = 0
    for record in records:
        kind = type(record)
        if kind is CommentRecord:
            key = record.thread_external_id
            bucket = held.get(key)
            if bucket is None:
                bucket = held[key] = _Held()
            bucket.comments.append(record)
            size += RECORD_BYTES + len(record.body)
        else:
            key = record.external_id if kind is ThreadRecord else record.thread_external_id
            bucket = held.get(key)
            if bucket is None:
                bucket = held[key] = _Held()
            if kind is ThreadRecord:
                bucket.threads.append(record)
                size += RECORD_BYTES + len(record.article)
            elif kind is MissingRecord:
                bucket.missing += record.count
            else:
                bucket.problems.append(record)
                size += RECORD_BYTES + len(record.message)
        if size >= SPILL_BYTES:
            spill.write(held)
            held = {}
            size = 0
    loose = None
    for key in (*spill.order(), *(key for key in held if key not in spill.last)):
        if key is None:
            loose = held.pop(None, None)
            continue
        yield _thread(key, spill, held.pop(key, None))
    if None in spill.last or loose is not None:
        problems = _thread(None, spill, loose).problems
        if problems:
            yield StagedThread("", [], [], 0, problems)


def _thread(key: str | None, spill: _Spill, last: _Held | None) -> StagedThread:
    """One thread's records: its pieces from the file, then what is still held."""
    staged = StagedThread(key or "", [], [], 0, [])
    missing = 0
    for threads, comments, count, problems in spill.read(key):
        staged.threads.extend(threads)
        # Plain tuples back into records without a Python call each.
        staged.comments.extend(map(tuple.__new__, repeat(CommentRecord), comments))
        missing += count
        staged.problems.extend(problems)
    if last is not None:
        staged.threads.extend(last.threads)
        staged.comments.extend(last.comments)
        missing += last.missing
        staged.problems.extend(last.problems)
    return staged._replace(missing=missing)


class _Spill:
    """The temporary file of pieces, made at the first spill."""

    def __init__(self, folder: str | None) -> None:
        self.folder = folder
        self.fd: int | None = None
        self.end = 0
        self.last: dict[str | None, int] = {}
        """Each spilled thread's last piece (``offset << 40 | length``), in first-seen order."""

    def order(self) -> list[str | None]:
        return list(self.last)

    def write(self, held: dict[str | None, _Held]) -> None:
        """Every held thread as one piece, appended to the file in one write."""
        chunks: list[bytes] = []
        end, last = self.end, self.last
        for key, bucket in held.items():
            body = _dumps(
                (
                    bucket.threads,
                    # Plain tuples: a NamedTuple pickles through Python code per record.
                    list(map(tuple, bucket.comments)),
                    bucket.missing,
                    bucket.problems,
                )
            )
            previous = last.get(key, _NONE)
            header = _HEADER.pack(previous >> 40, previous & _LENGTH)
            chunks.append(header)
            chunks.append(body)
            length = len(header) + len(body)
            last[key] = end << 40 | length
            end += length
        self._append(b"".join(chunks), self.end)
        self.end = end

    def read(self, key: str | None) -> list[tuple]:
        """The thread's pieces, first to last (``[]`` if it never spilled)."""
        pieces = []
        at = self.last.pop(key, _NONE)
        while at != _NONE:
            offset, length = at >> 40, at & _LENGTH
            data = self._read(offset, length)
            previous, previous_length = _HEADER.unpack_from(data)
            pieces.append(_loads(memoryview(data)[_HEADER.size :]))
            at = previous << 40 | previous_length if previous_length else _NONE
        pieces.reverse()
        return pieces

    def _append(self, data: bytes, offset: int) -> None:
        try:
            if self.fd is None:
                handle, name = tempfile.mkstemp(
                    prefix="modtool-staging-", suffix=".bin", dir=self.folder
                )
                self.fd = handle
                with contextlib.suppress(OSError):
                    os.unlink(name)  # nothing is left behind, whatever happens to this process
            view = memoryview(data)
            while view:
                written = os.pwrite(self.fd, view, offset)
                offset += written
                view = view[written:]
        except OSError as exc:
            raise self._error(exc) from None

    def _read(self, offset: int, length: int) -> bytes:
        assert self.fd is not None
        try:
            data = os.pread(self.fd, length, offset)
        except OSError as exc:
            raise self._error(exc) from None
        if len(data) != length:
            raise self._error(OSError(f"the temporary file is shorter than written ({offset})"))
        return data

    def _error(self, exc: OSError) -> InputError:
        where = self.folder or tempfile.gettempdir()
        return InputError(
            f"cannot group the document's threads in a temporary file in {where}: "
            f"{exc.strerror or exc} (set TMPDIR to a folder with room for about the document's size)"
        )

    def close(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None


_LENGTH = (1 << 40) - 1


def _dumps(value: object) -> bytes:
    """``pickle.dumps`` without the memo (records hold no shared or circular values:
    strings, numbers and JSON-like metadata), a fifth of its time here."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(value)
    return out.getvalue()


def _loads(data: memoryview) -> object:
    """``pickle.loads`` with the cyclic collector paused: a piece is tens of thousands
    of new tuples and no cycle, and collections while it is built cost a third of
    the load."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if enabled:
            gc.enable()
