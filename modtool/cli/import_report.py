"""What an import did, printed the same way by ``modtool import`` and ``modtool fetch``."""

from __future__ import annotations

from modtool.cli import output
from modtool.ingest import ImportReport
from modtool.safe_text import one_line
from modtool.store.threads import ImportResult


def print_import_report(report: ImportReport, path: str) -> None:
    """What an import did, for a person: warnings, a line per thread (five and a tally
    when there are many), and each thread not stored. ``path`` names the document as
    the user gave it (files joined by `` + ``, or a fetched URL)."""
    for message in report.warnings:
        output.warning(message)
    if report.more_warnings:
        output.warning(f"{path}: … and {report.more_warnings:,} more warnings")
    shown = report.threads if len(report.threads) <= MANY_THREADS else report.threads[:FIRST_SHOWN]
    for result in shown:
        verb = "imported" if result.created else "re-imported"
        where = f" ({result.platform} {result.external_id})" if result.platform != "text" else ""
        changes = _changes(result)
        title = f" '{one_line(result.title, 60)}'" if result.title else ""
        output.echo(
            f"{verb} {path}: thread {result.thread_id}{title}{where}: "
            f"{result.total:,} comment{'' if result.total == 1 else 's'}"
            + (f" ({changes})" if changes else "")
        )
    rest = report.threads[len(shown) :]
    if rest:
        output.echo(f"… and {len(rest):,} more threads: {_tally(rest)}")
    if not report.threads and not report.failures:
        output.note(f"{path}: no threads with comments in this document; nothing stored")
    failures = report.failures
    for failure in failures[:FIRST_SHOWN] if len(failures) > MANY_THREADS else failures:
        name = (
            f"thread {failure.external_id!r}"
            + (f" '{one_line(failure.title, 60)}'" if failure.title else "")
            if failure.external_id
            else "a record"
        )
        output.error(f"{path}: {name} not stored: {'; '.join(failure.problems)}")
    if len(failures) > MANY_THREADS:
        output.error(f"{path}: … and {len(failures) - FIRST_SHOWN:,} more threads not stored")


MANY_THREADS = 10
"""A document with more threads than this gets a summary, not a line per thread."""
FIRST_SHOWN = 5


def _changes(result: ImportResult) -> str:
    return ", ".join(
        f"{count:,} {name}"
        for name, count in (
            ("new", result.added),
            ("unchanged", result.unchanged),
            ("edited", result.updated),
            ("moved", result.moved),
            ("gone from the document", result.absent),
            ("orphans" if result.orphans != 1 else "orphan", result.orphans),
            ("missing", result.missing),
        )
        if count
    )


def _tally(results: list[ImportResult]) -> str:
    """``2,514 imported, 3 re-imported; 48,120 comments (48,000 new, 120 edited)``."""
    created = sum(r.created for r in results)
    again = len(results) - created
    total = ImportResult(0, False)
    for r in results:
        for name in ("added", "unchanged", "updated", "moved", "absent", "orphans", "missing"):
            setattr(total, name, getattr(total, name) + getattr(r, name))
    threads = ", ".join(
        f"{count:,} {word}"
        for count, word in ((created, "imported"), (again, "re-imported"))
        if count
    )
    changes = _changes(total)
    return (
        f"{threads}; {total.total:,} comment{'' if total.total == 1 else 's'}"
        + (f" ({changes})" if changes else "")
        + " (`modtool threads` lists them)"
    )
