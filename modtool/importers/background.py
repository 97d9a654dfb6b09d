"""Parse a large document in a child process while the caller stores it.

Parsing is pure Python and storing is mostly SQLite, so on a machine with two
or more cores the two overlap: the child parses and sends comments in batches
through a pipe (it blocks when the pipe is full, so memory stays bounded) and
the parent writes them. Errors raised by the parser (a :class:`ParseError` on
line 190,000) reach the caller at the same point of the stream as they would
in-process, so the store's transaction rolls back as usual.

Only used where ``fork`` is available (Linux); elsewhere parsing stays in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Iterator
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path

from modtool.errors import ModtoolError
from modtool.importers.base import Importer, ParsedDocument
from modtool.models import ParsedComment

BATCH = 2_000
AHEAD = 8  # batches the parent may hold unread (bounded memory)
MIN_BYTES = 4 * 1024 * 1024  # below this, starting a process costs more than it saves

_THREAD, _COMMENTS, _DONE, _ERROR = "thread", "comments", "done", "error"


class ParseErrorInChild(ModtoolError):
    """The parser process ended without saying why (killed, out of memory)."""


def worth_it(path: Path) -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and (os.cpu_count() or 1) > 1
        and path.stat().st_size >= MIN_BYTES
    )


def parse_in_background(importer: Importer, path: Path) -> ParsedDocument:
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_produce, args=(importer, path, sender), daemon=True)
    child.start()
    sender.close()
    try:
        kind, payload = receiver.recv()
        if kind == _ERROR:
            raise payload
    except BaseException:
        _stop(child, receiver)
        raise
    thread = payload
    return ParsedDocument(thread=thread, comments=_consume(child, receiver, thread.warnings))


def _produce(importer: Importer, path: Path, sender: Connection) -> None:
    try:
        document = importer.parse(path)
        sender.send((_THREAD, document.thread))
        while batch := list(islice(document.comments, BATCH)):
            sender.send((_COMMENTS, batch))
        sender.send((_DONE, document.thread.warnings))
    except BaseException as exc:  # every failure goes to the parent, which re-raises it
        sender.send((_ERROR, exc))
    finally:
        sender.close()


def _consume(
    child: multiprocessing.process.BaseProcess, receiver: Connection, warnings: list[str]
) -> Iterator[ParsedComment]:
    """Yield the child's comments. A reader thread drains the pipe into a small
    queue, so the child keeps parsing while the caller is busy writing."""
    messages: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=AHEAD)
    reader = threading.Thread(target=_drain, args=(receiver, messages), daemon=True)
    reader.start()
    try:
        while True:
            kind, payload = messages.get()
            if kind == _COMMENTS:
                yield from payload  # type: ignore[misc]
            elif kind == _DONE:
                warnings[:] = payload  # type: ignore[assignment]
                return
            else:
                raise payload  # type: ignore[misc]
    finally:
        _stop(child, receiver)


def _drain(receiver: Connection, messages: queue.Queue[tuple[str, object]]) -> None:
    try:
        while True:
            kind, payload = receiver.recv()
            messages.put((kind, payload))
            if kind in (_DONE, _ERROR):
                return
    except (EOFError, OSError) as exc:  # the child died, or the caller stopped reading
        messages.put((_ERROR, ParseErrorInChild(f"the parser process stopped: {exc!r}")))


def _stop(child: multiprocessing.process.BaseProcess, receiver: Connection) -> None:
    receiver.close()
    child.join(timeout=0.5)
    if child.is_alive():
        child.terminate()
        child.join()
