"""Bring a document into the store: check it, pick the importer, store thread by thread.

Each thread of a document is a savepoint of its own: a thread with a problem is
rolled back alone and reported (the others are stored, the command exits 1). An
error in the document itself (not UTF-8, not XML, a bad indentation) stores
nothing of it: formats read one thread at a time share one transaction for the
document; staged formats have read the whole document before the first thread
is stored, and then commit between threads a few times a second (so moderators'
writes are not held up by a long import). See ``docs/formats.md``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from modtool.errors import InputError
from modtool.importers import background, pipeline
from modtool.importers.records import ThreadRecord
from modtool.store import Store
from modtool.store.common import utc_now
from modtool.store.sources import recorded_source, recorded_sources
from modtool.store.threads import ImportResult

__all__ = ["ImportReport", "ThreadFailure", "import_path", "import_together", "multi_file_format"]


@dataclass(slots=True)
class ThreadFailure:
    """A thread that was not stored, and why."""

    platform: str | None
    external_id: str | None
    title: str
    problems: tuple[str, ...]


@dataclass(slots=True)
class ImportReport:
    """What importing one document did: one :class:`ImportResult` per stored thread.

    The single-thread attributes (``thread_id``, ``added``, …) are those of the
    first thread, for the common one-thread document.
    """

    path: Path
    format: str
    threads: list[ImportResult] = field(default_factory=list)
    failures: list[ThreadFailure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    more_warnings: int = 0

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    def _first(self) -> ImportResult:
        if not self.threads:
            raise InputError.at(self.path, None, "no thread was stored from this document")
        return self.threads[0]

    @property
    def thread_id(self) -> int:
        return self._first().thread_id

    @property
    def created(self) -> bool:
        return self._first().created

    @property
    def total(self) -> int:
        return sum(result.total for result in self.threads)

    @property
    def added(self) -> int:
        return sum(result.added for result in self.threads)

    @property
    def unchanged(self) -> int:
        return sum(result.unchanged for result in self.threads)

    @property
    def updated(self) -> int:
        return sum(result.updated for result in self.threads)

    @property
    def moved(self) -> int:
        return sum(result.moved for result in self.threads)

    @property
    def absent(self) -> int:
        return sum(result.absent for result in self.threads)

    @property
    def missing(self) -> int:
        return sum(result.missing for result in self.threads)


def import_path(
    store: Store,
    path: Path,
    format: str | None = None,
    *,
    replace_thread: int | None = None,
    source: str | None = None,
) -> ImportReport:
    """Import one document (a file, or a folder an importer knows: ConvoKit).

    ``replace_thread``: store the document's one thread as thread ID (its
    comments matched against that thread's), even though its identity differs
    (a plain-text document whose article was edited). ``source``: what to record
    as the source instead of ``path`` as named (``<stdin>``; see
    :mod:`modtool.store.sources`: never a local absolute path).
    A document-level error raises (:class:`~modtool.errors.ParseError`) and
    leaves the database exactly as it was.
    """
    folder = pipeline.check_input(path)
    importer = pipeline.choose_importer(path, format, folder)
    warnings = pipeline.Warnings()
    if background.worth_it(path):
        events: Iterator[pipeline.Event] = background.events_in_background(importer.NAME, path)
    else:
        events = pipeline.document_events(importer, path, warnings)
    report = ImportReport(path=path, format=importer.NAME)
    with store.threads.document(
        source=source or recorded_source(path),
        format=importer.NAME,
        now=utc_now(),
        replace_thread=replace_thread,
    ) as document:
        # A staged document was read to its end before its first thread arrives: no
        # document error can follow a stored thread, so each thread commits alone.
        document.commit_each = not getattr(importer, "GROUPED", False)
        document.savepoints = pipeline.fails_late(importer)
        for kind, payload in events:
            if kind == pipeline.COMMENTS:
                document.add_comments(payload)
            elif kind == pipeline.THREAD:
                current = payload
                document.start_thread(
                    platform=payload.platform,
                    external_id=payload.external_id,
                    title=payload.title,
                    article=payload.article,
                    article_source=payload.article_source,
                    url=payload.url,
                    created_at=payload.created_at,
                )
            elif kind == pipeline.END:
                result = document.end_thread(missing=payload.missing, failed=bool(payload.problems))
                if result is None:
                    report.failures.append(_failure(current, payload.problems))
                else:
                    report.threads.append(result)
            elif kind == pipeline.FAILED:
                record, problems = payload
                report.failures.append(_failure(record, problems))
            elif kind == pipeline.WARN:
                warnings(payload)
            elif kind == pipeline.RESTART:
                document.restart()
                document.commit_each = True  # the document is read again through staging
                report.threads.clear()
                report.failures.clear()
                warnings.clear()
    report.warnings, report.more_warnings = warnings.shown, warnings.hidden
    for result in report.threads:
        result.warnings = report.warnings
    return report


def multi_file_format(path: Path, format: str | None = None) -> str | None:
    """The format of ``path`` when it is one whose documents may be several files
    (``MULTI_FILE``: API answer pages, a Stack Exchange dump's tables), else ``None``
    (also when ``path`` is no usable document: its own import says why)."""
    try:
        if pipeline.check_input(path):
            return None
        importer = pipeline.choose_importer(path, format)
    except InputError:
        return None
    return importer.NAME if getattr(importer, "MULTI_FILE", False) else None


def import_together(store: Store, paths: Sequence[Path], format: str) -> ImportReport:
    """Several files of one ``MULTI_FILE`` format as one document: the pages of a
    thread, a Mastodon status beside its ``/context``, ``Posts.xml`` with
    ``Comments.xml``. They are read as a folder of links to them, in the order
    given (a comment absent from one page is not taken as gone from the thread).
    The source recorded is the files' names as given, joined with `` + ``.
    """
    resolved = [Path(path).resolve() for path in paths]
    for path in resolved:
        if pipeline.check_input(path):
            raise InputError.at(path, None, "is a directory: import it alone")
    with tempfile.TemporaryDirectory(prefix="modtool-document-") as folder:
        for number, path in enumerate(resolved):
            os.symlink(path, Path(folder) / f"{number:06d}-{path.name}")
        report = import_path(store, Path(folder), format, source=recorded_sources(paths))
    report.path = Path(" + ".join(str(path) for path in paths))
    return report


def _failure(record: ThreadRecord | None, problems: tuple[str, ...]) -> ThreadFailure:
    if record is None:
        return ThreadFailure(None, None, "", problems)
    return ThreadFailure(record.platform, record.external_id, record.title, problems)
