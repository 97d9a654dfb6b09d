"""From a path to a stream of placed threads: the part every format shares.

:func:`check_input` refuses what is not a document (before anything is
opened, so a FIFO cannot hang the import); :func:`choose_importer` picks the
format; :func:`document_events` reads the importer's flat records, cleans them
(NUL bytes, values too large for the store), groups them per thread (in memory
for ``GROUPED`` formats, on disk through :mod:`~modtool.importers.staging` for
the others), builds each thread's tree (:mod:`~modtool.importers.tree`) and
yields events the store consumes one thread at a time:

* ``(THREAD, ThreadRecord)``: a thread starts (its declarations merged);
* ``(COMMENTS, [TreeComment, ...])``: its comments, pre-order, in batches;
* ``(END, ThreadEnd)``: its ``missing`` count and problems (any problem: the
  store rolls the thread back and reports it);
* ``(FAILED, (ThreadRecord, problems))``: a thread with a problem, known before
  any of it was sent;
* ``(WARN, message)`` (only from a background parser, see
  :mod:`~modtool.importers.background`);
* ``(RESTART, None)``: a ``GROUPED`` format broke its promise (a thread came
  back after another one): forget what was stored, the document is re-read
  through staging.
"""

from __future__ import annotations

import importlib
import json
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

from modtool.errors import InputError, ParseError
from modtool.importers import tree
from modtool.importers.records import (
    MARKUP_WARNINGS,
    STATUSES,
    CommentRecord,
    MissingRecord,
    ProblemRecord,
    Record,
    ThreadRecord,
)

SNIFF_BYTES = 64 * 1024
BATCH = 2_000
MAX_TEXT_CHARS = 250_000_000
"""The longest body or article stored: SQLite holds at most 10^9 bytes per value
(``SQLITE_MAX_LENGTH``) and a character takes up to 4 bytes in UTF-8."""
KERNEL_FILES = ("/proc", "/sys", "/dev")

THREAD, COMMENTS, END, FAILED, WARN, RESTART = (
    "thread",
    "comments",
    "end",
    "failed",
    "warn",
    "restart",
)
Event = tuple[str, Any]
Warn = Callable[[str], None]


class ThreadEnd(NamedTuple):
    missing: int
    problems: tuple[str, ...]


class _NotGrouped(Exception):
    """A GROUPED format yielded a thread again after another one."""


# -- the input --------------------------------------------------------------------------


def check_input(path: Path) -> bool:
    """Refuse what is not a document, in one line; ``True`` for a folder.

    ``os.stat`` first, never ``open``: opening a FIFO without a writer blocks
    forever. Character devices (``/dev/zero``), FIFOs, sockets and kernel files
    (``/proc/self/status`` says size 0 yet is not empty) are refused.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError.at(path, None, "no such file") from None
    except OSError as exc:
        raise InputError.at(path, None, f"cannot read: {exc.strerror}") from None
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        return True
    if not stat.S_ISREG(mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(mode)
            else "a character device"
            if stat.S_ISCHR(mode)
            else "a block device"
            if stat.S_ISBLK(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "not a regular file"
        )
        raise InputError.at(
            path, None, f"is {kind}, not a thread document (to read a pipe, use `-` for stdin)"
        )
    resolved = str(Path(path).resolve())
    if any(resolved == top or resolved.startswith(top + "/") for top in KERNEL_FILES):
        raise InputError.at(path, None, "is a kernel file, not a thread document")
    try:
        with open(path, "rb") as handle:
            handle.read(1)
    except OSError as exc:
        raise InputError.at(path, None, f"cannot read: {exc.strerror}") from None
    if info.st_size == 0:
        raise InputError.at(path, None, "the document is empty")
    return False


def load_importer(name: str) -> ModuleType:
    """The importer module for a ``--format`` name, imported now (lazily).

    A module name with a dot is absolute (a format kept outside the package).
    """
    from modtool.importers import IMPORTERS

    module = IMPORTERS[name]
    return importlib.import_module(module if "." in module else f"modtool.importers.{module}")


def choose_importer(path: Path, format: str | None, folder: bool = False) -> ModuleType:
    """``--format``, else the first importer whose ``sniff`` knows the content,
    else by extension; else one line saying what each format expects."""
    from modtool.importers import IMPORTERS

    if format is not None:
        if format not in IMPORTERS:
            known = ", ".join(IMPORTERS)
            raise InputError(f"unknown format {format!r} (known: {known})")
        importer = load_importer(format)
        if folder and not _sniffs(importer, b"", path):
            raise InputError.at(path, None, f"is a directory, not a {format} document")
        if not folder:
            _refuse_binary(path, importer, _head(path))
            _refuse_compressed(path, importer)
        return importer
    head = b"" if folder else _head(path)
    for name in _sniff_order(head):
        importer = load_importer(name)
        if _sniffs(importer, head, path):
            if not folder:
                _refuse_compressed(path, importer)
            return importer
    if folder:
        raise InputError.at(
            path, None, "is a directory, not a thread document (no format reads this folder)"
        )
    suffix = path.suffix.lower()
    for name in IMPORTERS:
        importer = load_importer(name)
        if suffix and suffix in importer.EXTENSIONS:
            _refuse_binary(path, importer, head)
            _refuse_compressed(path, importer)
            return importer
    if head.count(0) * 8 > len(head):
        raise InputError.at(path, "byte 0", "binary data (NUL bytes), not a thread document")
    expected = "; ".join(f"{name}: {load_importer(name).DESCRIPTION}" for name in IMPORTERS)
    raise InputError.at(
        path, None, f"cannot tell the document's format; expected {expected} (or --format)"
    )


def _head(path: Path) -> bytes:
    """The first bytes a format sniffs, after decompression (a ``.bz2`` of JSON
    is JSON to the sniffers and to the binary-data check)."""
    from modtool.importers import compressed

    return compressed.read_head(path, SNIFF_BYTES)


def _refuse_compressed(path: Path, importer: ModuleType) -> None:
    """A compressed document for a format that reads plain files only
    (``READS_COMPRESSED = False``: the XML and text formats): one line."""
    if getattr(importer, "READS_COMPRESSED", True):
        return
    from modtool.importers import compressed

    kind = compressed.is_compressed(path)
    if kind is not None:
        how = compressed.DECOMPRESS[kind].replace("FILE", str(path))
        raise InputError.at(
            path,
            None,
            f"a {kind}-compressed {importer.NAME} document: {importer.NAME} reads "
            f"plain files only; decompress it first ({how})",
        )


def _sniff_order(head: bytes) -> list[str]:
    """Structured formats first when the head looks like markup or JSON (a comment
    body in an XML export may hold a ``1. X says`` line), plain text first
    otherwise (so a text import does not load the XML and HTML libraries)."""
    from modtool.importers import IMPORTERS

    names = list(IMPORTERS)
    if "text" in names:
        names.remove("text")
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if first in (b"<", b"{", b"[", b""):
            names.append("text")
        else:
            names.insert(0, "text")
    return names


def _sniffs(importer: ModuleType, head: bytes, path: Path) -> bool:
    try:
        return bool(importer.sniff(head, path))
    except (ValueError, UnicodeError, OSError):
        return False


def _refuse_binary(path: Path, importer: ModuleType, head: bytes) -> None:
    """A document picked by name or extension whose start is mostly NUL bytes is
    binary (a sparse file, an image), not text: refused before it is read."""
    if head and head.count(0) * 8 > len(head):
        raise InputError.at(
            path, "byte 0", f"binary data (NUL bytes), not a {importer.NAME} document"
        )


# -- records to threads -----------------------------------------------------------------


def fails_late(importer: ModuleType) -> bool:
    """Whether :func:`document_events` may end a thread with problems (``END`` with
    ``problems``) after its comments were sent: only a streamed tree (``GROUPED``
    and ``PREORDER``) finds a problem of a thread after placing some of it. Every
    other thread with a problem comes as ``FAILED`` before any of it, so the store
    needs no savepoint to undo it alone."""
    return bool(getattr(importer, "GROUPED", False) and getattr(importer, "PREORDER", False))


def document_events(importer: ModuleType, path: Path, warn: Warn) -> Iterator[Event]:
    """Every thread of the document, placed, as events (see the module docstring)."""
    platform = getattr(importer, "PLATFORM", importer.NAME)
    if getattr(importer, "GROUPED", False):
        try:
            yield from _grouped(importer, _clean(importer.read(path, warn), path, warn), warn)
            return
        except _NotGrouped:
            yield RESTART, None
    from modtool.importers.staging import stage

    thread_is_a_parent = getattr(importer, "THREAD_ID_IS_A_PARENT", False)
    for staged in stage(_clean(importer.read(path, warn), path, warn)):
        if not staged.external_id:  # problems that name no thread
            for problem in staged.problems:
                yield FAILED, (None, (_problem_text(problem),))
            continue
        record = _merge(staged.threads, platform, staged.external_id)
        if staged.problems:
            yield FAILED, (record, tuple(_problem_text(p) for p in staged.problems))
            continue
        yield THREAD, record
        placed = tree.build(
            staged.external_id, staged.comments, warn, thread_is_a_parent=thread_is_a_parent
        )
        staged.comments.clear()  # one copy of the thread in memory, not two
        for start in range(0, len(placed), BATCH):
            yield COMMENTS, placed[start : start + BATCH]
        yield END, ThreadEnd(staged.missing, ())


def _grouped(importer: ModuleType, records: Iterable[Record], warn: Warn) -> Iterator[Event]:
    """One thread at a time, in memory (streamed for ``PREORDER`` formats)."""
    platform = getattr(importer, "PLATFORM", importer.NAME)
    preorder = getattr(importer, "PREORDER", False)
    thread_is_a_parent = getattr(importer, "THREAD_ID_IS_A_PARENT", False)
    done: set[str] = set()
    current: str | None = None
    declared: list[ThreadRecord] = []
    comments: list[CommentRecord] = []
    placed: list[tree.TreeComment] = []
    streaming: tree.PreorderTree | None = None
    missing = 0
    problems: list[str] = []

    def flush() -> Iterator[Event]:
        record = _merge(declared, platform, current)  # type: ignore[arg-type]
        if streaming is not None:
            if placed:
                yield COMMENTS, list(placed)
            yield END, ThreadEnd(missing, tuple(problems))
            return
        if problems:
            yield FAILED, (record, tuple(problems))
            return
        yield THREAD, record
        built = tree.build(current, comments, warn, thread_is_a_parent=thread_is_a_parent)
        comments.clear()  # the records are in the tree now: hold one copy, not two
        for start in range(0, len(built), BATCH):
            yield COMMENTS, built[start : start + BATCH]
        yield END, ThreadEnd(missing, ())

    for record in records:
        kind = type(record)
        thread = record.external_id if kind is ThreadRecord else record.thread_external_id
        if thread is None:  # a problem that names no thread: the current one's
            if current is None:
                yield FAILED, (None, (_problem_text(record),))
                continue
            thread = current
        if thread != current:
            if current is not None:
                yield from flush()
                done.add(current)
            if thread in done:
                raise _NotGrouped
            current, declared, comments, placed = thread, [], [], []
            streaming, missing, problems = None, 0, []
        if kind is CommentRecord:
            if preorder:
                if streaming is None:
                    streaming = tree.PreorderTree(current, thread_is_a_parent=thread_is_a_parent)
                    yield THREAD, _merge(declared, platform, current)
                try:
                    placed.append(streaming.place(record))
                except tree.NotPreorder:
                    raise _NotGrouped from None  # read again through staging and build()
                if len(placed) >= BATCH:
                    yield COMMENTS, placed
                    placed = []
            else:
                comments.append(record)
        elif kind is ThreadRecord:
            if streaming is not None:
                warn(f"thread {thread!r} declared again after its comments: the later one ignored")
            else:
                declared.append(record)
        elif kind is MissingRecord:
            missing += record.count
        else:
            problems.append(_problem_text(record))
    if current is not None:
        yield from flush()


def _merge(records: list[ThreadRecord], platform: str, external_id: str) -> ThreadRecord:
    """One thread from its declarations: later non-empty fields win; none: a bare thread."""
    if not records:
        return ThreadRecord(platform, external_id)
    merged = records[0]
    for later in records[1:]:
        merged = merged._replace(
            **{
                name: value
                for name, value in later._asdict().items()
                if value not in (None, "", {}) and name != "external_id"
            }
        )
    return merged


def _problem_text(problem: ProblemRecord) -> str:
    place = f"{problem.where}: " if problem.where else ""
    return f"{place}{problem.message}"


MAX_MISSING = 1 << 40
"""More comments than any platform has: a larger "missing" count is a damaged file."""


def _clean(records: Iterable[Record], path: Path, warn: Warn) -> Iterator[Record]:
    """What every format gets: NUL bytes stripped with a warning (SQLite dumps and
    CSV cut text at them), values the store cannot hold refused as a problem of
    their thread, an unknown status or a missing id caught."""
    try:
        yield from _cleaned(records, path, warn)
    except UnicodeDecodeError as exc:
        # The format did not say where (its offset is into a decoded chunk, not the file).
        raise ParseError.at(
            path, None, f"not valid UTF-8 ({exc.reason}); re-save it as UTF-8"
        ) from None
    except OSError as exc:
        raise InputError.at(path, None, f"cannot read: {exc.strerror or exc}") from None


def _cleaned(records: Iterable[Record], path: Path, warn: Warn) -> Iterator[Record]:
    markup = MARKUP_WARNINGS
    markup.clear()
    for record in records:
        if markup:
            record = _with_markup_warning(record, markup)
        kind = type(record)
        if kind is CommentRecord:
            body, author = record.body, record.author
            if "\x00" in body or "\x00" in author:
                record = record._replace(
                    body=body.replace("\x00", ""), author=author.replace("\x00", "")
                )
                warn(f"{path}: {_place_of(record)}: NUL bytes removed")
                body = record.body
            if len(body) > MAX_TEXT_CHARS:
                yield ProblemRecord(
                    record.thread_external_id,
                    record.where,
                    f"comment {record.external_id!r} is {len(body):,} characters long: "
                    "more than the database can hold in one value",
                )
                continue
            ext, parent = record.external_id, record.parent_external_id
            thread = record.thread_external_id
            if (
                ext.__class__ is not str
                or not ext
                or not (parent is None or parent.__class__ is str)
                or thread.__class__ is not str
            ):
                if ext is None or ext == "" or thread is None:
                    what = "a comment without an id" if thread else "a comment naming no thread"
                    yield ProblemRecord(thread, record.where, what)
                    continue
                # Ids are text everywhere (a format that hands over numbers still matches).
                record = record._replace(
                    thread_external_id=str(thread),
                    external_id=str(ext),
                    parent_external_id=None if parent is None else str(parent),
                )
            if record.status not in STATUSES:
                warn(
                    f"{path}: {_place_of(record)}: unknown status {record.status!r}, "
                    "kept as visible"
                )
                record = record._replace(status="visible")
        elif kind is ThreadRecord:
            if record.external_id.__class__ is not str:
                record = record._replace(external_id=str(record.external_id))
            if "\x00" in record.title or "\x00" in record.article:
                record = record._replace(
                    title=record.title.replace("\x00", ""),
                    article=record.article.replace("\x00", ""),
                )
                warn(f"{path}: thread {record.external_id!r}: NUL bytes removed")
            if len(record.article) > MAX_TEXT_CHARS:
                yield ProblemRecord(
                    record.external_id,
                    None,
                    f"the article is {len(record.article):,} characters long: "
                    "more than the database can hold in one value",
                )
                continue
        elif kind is MissingRecord:
            count = record.count
            if count.__class__ is not int or not 0 <= count <= MAX_MISSING:
                # A count from the file ("load more: 10^23 comments") that no thread has:
                # kept within what the store holds, and said so.
                bounded = max(0, min(count if isinstance(count, int) else 0, MAX_MISSING))
                warn(
                    f"{path}: thread {record.thread_external_id!r}: a missing-comments count "
                    f"of {str(count)[:30]} taken as {bounded:,}"
                )
                record = record._replace(count=bounded)
        yield record


def _with_markup_warning(record: Record, markup: list[str]) -> Record:
    """The record with what ``html_to_text`` found unusual while it was read in its
    meta (``markup_warning``), shown by ``tree`` and the moderator UI."""
    note = "; ".join(dict.fromkeys(markup))
    markup.clear()
    if type(record) is CommentRecord or type(record) is ThreadRecord:
        meta = record.meta
        if isinstance(meta, str):
            meta = json.loads(meta)
        return record._replace(meta={**(meta or {}), "markup_warning": note})
    return record


def _place_of(record: CommentRecord) -> str:
    if record.where:
        return record.where
    return f"line {record.line}" if record.line else f"comment {record.external_id!r}"


class Warnings:
    """Warnings of one document: the first :attr:`limit` kept, the rest counted
    (a document with 100,000 numbering slips prints 20 lines and a count)."""

    def __init__(self, limit: int = 20) -> None:
        self.limit = limit
        self.shown: list[str] = []
        self.hidden = 0

    def __call__(self, message: str) -> None:
        if len(self.shown) < self.limit:
            self.shown.append(message if len(message) <= 500 else message[:499] + "…")
        else:
            self.hidden += 1

    def clear(self) -> None:
        self.shown.clear()
        self.hidden = 0
