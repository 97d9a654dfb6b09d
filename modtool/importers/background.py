"""Read a large document in a child process while the caller stores it.

Parsing (and, for XML and JSON exports, HTML to text and tree building) is
pure Python and storing is mostly SQLite, so on a machine with two or more
cores the two overlap: the child runs
:func:`~modtool.importers.pipeline.document_events` for any importer and sends
the events in batches through a pipe (it blocks when the pipe is full, so
memory stays bounded) and the parent writes them. Errors raised in the child
(a :class:`ParseError` on line 190,000) reach the caller at the same point of
the stream as they would in-process, so the store's transaction rolls back as
usual.

The child never outlives its parent: it asks the kernel for SIGKILL when the
parent dies (``prctl(PR_SET_PDEATHSIG)``), and it holds no copy of the pipe's
read end, so a write into a pipe nobody reads fails at once (``EPIPE``) instead
of blocking forever. Only used where ``fork`` is available (Linux); elsewhere
the document is read in-process.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Iterator
from multiprocessing.connection import Connection
from pathlib import Path

from modtool.errors import ModtoolError
from modtool.importers.pipeline import COMMENTS, WARN, Event, document_events, load_importer
from modtool.importers.tree import TreeComment

BATCH = 2_000  # comments per message
AHEAD = 8  # messages the parent may hold unread (bounded memory)
MIN_BYTES = 4 * 1024 * 1024  # below this, starting a process costs more than it saves
PR_SET_PDEATHSIG = 1
GC_THRESHOLD = (100_000, 50, 100)
"""The reader's cyclic-collector thresholds (CPython's are 700, 10, 10). A reader
makes millions of small containers and next to no cycles; with the defaults the
collector re-walks everything alive (a whole Reddit listing, a thread's records)
again and again: about a fifth of a 50k-comment listing's read."""

_DONE, _ERROR = "done", "error"


class ParseErrorInChild(ModtoolError):
    """The parser process ended without saying why (killed, out of memory)."""


def worth_it(path: Path) -> bool:
    try:
        size = path.stat().st_size if path.is_file() else 0
    except OSError:
        return False
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and (os.cpu_count() or 1) > 1
        and size >= MIN_BYTES
    )


def events_in_background(format_name: str, path: Path) -> Iterator[Event]:
    """The document's events (as :func:`document_events` yields them), read in a child.

    The child starts now (before the caller opens its write transaction).
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_produce,
        args=(format_name, path, sender, receiver, os.getpid()),
        daemon=True,
    )
    child.start()
    sender.close()
    return _consume(child, receiver)


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when ``parent`` ends (Linux ``prctl``; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _produce(
    format_name: str, path: Path, sender: Connection, receiver: Connection, parent: int
) -> None:
    receiver.close()  # only the parent may hold the read end (see the module docstring)
    die_with_parent(parent)
    if GC_THRESHOLD:
        gc.freeze()  # what the parent had: never walked again (nor copied on write)
        gc.set_threshold(*GC_THRESHOLD)
    pending: list[Event] = []
    size = 0

    def warn(message: str) -> None:
        pending.append((WARN, message))

    try:
        for event in document_events(load_importer(format_name), path, warn):
            if event[0] == COMMENTS:
                # Plain tuples through the pipe: a NamedTuple pickles through a
                # Python-level __getnewargs__ per comment (3.8 ms a batch of 2,000
                # instead of 0.8 ms, and twice the time to unpickle).
                plain = list(map(tuple, event[1]))
                pending.append((COMMENTS, plain))
                size += len(plain)
            else:
                pending.append(event)
                size += 1
            if size >= BATCH:
                sender.send(pending)
                pending, size = [], 0
        pending.append((_DONE, None))
        sender.send(pending)
    except BrokenPipeError:  # the parent stopped reading: nobody is left to tell
        os._exit(1)
    except BaseException as exc:  # every other failure goes to the parent, which re-raises it
        with contextlib.suppress(OSError):
            sender.send([*pending, (_ERROR, exc)])
    finally:
        with contextlib.suppress(OSError):
            sender.close()


def _consume(child: multiprocessing.process.BaseProcess, receiver: Connection) -> Iterator[Event]:
    """Yield the child's events. A reader thread drains the pipe into a small
    queue, so the child keeps parsing while the caller is busy writing."""
    messages: queue.Queue[list[Event]] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()
    reader = threading.Thread(target=_drain, args=(receiver, messages, stop), daemon=True)
    reader.start()
    try:
        while True:
            for kind, payload in messages.get():
                if kind == _DONE:
                    return
                if kind == _ERROR:
                    raise payload
                if kind == COMMENTS:
                    payload = [_comment(TreeComment, row) for row in payload]
                yield kind, payload
    finally:
        stop.set()
        _stop(child, receiver, reader)


_comment = tuple.__new__  # a TreeComment from its plain tuple, without the Python __new__


def _drain(receiver: Connection, messages: queue.Queue[list[Event]], stop: threading.Event) -> None:
    try:
        while not stop.is_set():
            batch = receiver.recv()
            _put(messages, batch, stop)
            if batch and batch[-1][0] in (_DONE, _ERROR):
                return
    except (EOFError, OSError) as exc:  # the child died, or the caller stopped reading
        if stop.is_set():
            return  # the caller stopped (an error while storing, a full disk): nobody listens
        error = ParseErrorInChild(f"the parser process stopped: {exc!r}")
        _put(messages, [(_ERROR, error)], stop)


def _put(messages: queue.Queue[list[Event]], batch: list[Event], stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            messages.put(batch, timeout=0.2)
            return
        except queue.Full:
            continue


def _stop(
    child: multiprocessing.process.BaseProcess, receiver: Connection, reader: threading.Thread
) -> None:
    """End the child and the reader thread, then close the pipe.

    In this order: closing the pipe while the reader thread is inside
    ``recv()`` pulled its file descriptor away under it (a ``TypeError``
    traceback after a full disk stopped the import). Ending the child closes
    the pipe's write end, so a ``recv()`` still waiting returns (``EOFError``).
    """
    child.join(timeout=0.5)
    if child.is_alive():
        child.terminate()
        child.join()
    reader.join(timeout=5)
    receiver.close()
