"""``modtool fetch URL``: a thread fetched from its platform's API, then imported."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from modtool.cli import output
from modtool.cli.options import COUNT, db_option, store_for
from modtool.errors import ModtoolError
from modtool.fetch import FETCHERS

if TYPE_CHECKING:
    from modtool.fetch.pages import Pages
    from modtool.fetch.runner import Outcome

PROGRESS_EVERY = 2.0
"""Seconds between two progress lines of a long fetch."""


@click.command("fetch")
@click.argument("url")
@click.option(
    "--format",
    "platform",
    type=click.Choice(list(FETCHERS)),
    default=None,
    help="The platform (default: from the URL). Forces one: a mirror, a self-hosted "
    "site whose URL does not say, or recorded answers served on 127.0.0.1.",
)
@click.option(
    "--max",
    "max_requests",
    type=COUNT,
    default=1000,
    show_default=True,
    metavar="N",
    help="Stop after N requests to the platform; the same command continues later.",
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Start over instead of continuing a fetch of this URL that stopped early.",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder that keeps the fetched answers (default: beside the database, DB-fetch).",
)
@db_option
def fetch_command(
    url: str,
    platform: str | None,
    max_requests: int,
    refresh: bool,
    cache_dir: Path | None,
    db_path: Path,
) -> None:
    """Fetch a thread from its platform's public API and import it.

    Hacker News, Reddit, Bluesky (known by their hosts), Discourse, Mastodon,
    Lemmy and WordPress sites (known by their URLs' paths, or say --format).
    A page of threads (HN's front page, a subreddit; with --format a Discourse
    forum's /latest or a Lemmy community) fetches each thread it lists.
    Every answer is kept in a cache folder: a fetch stopped by --max, an error
    or Ctrl-C continues where it stopped when run again; a finished one starts
    over (new comments, edits, deletions). Credentials, where a platform takes
    them, come from the environment or the credentials file, never from the
    command line (see docs/fetch.md).

    \b
    Examples:
      modtool fetch 'https://news.ycombinator.com/item?id=8863'
      modtool fetch https://www.reddit.com/r/redditdev/comments/2gmzqe/ --max 50
      modtool fetch https://news.ycombinator.com/ask
      modtool fetch https://meta.discourse.org/t/some-topic/2144
      modtool fetch --format wordpress 'https://blog.example/?p=42'
    """
    from modtool.fetch import runner
    from modtool.fetch.base import Listing

    cache_root = cache_dir or runner.default_cache(db_path)
    module, found = runner.plan(url, platform)
    if not isinstance(found, Listing):
        outcome = _thread(url, platform, max_requests, refresh, cache_root, db_path)
        if outcome.report is not None and outcome.report.failed:
            raise SystemExit(1)
        return
    page = runner.open_page(module, found, cache_root=cache_root, refresh=refresh)
    left = page.left
    how = "continuing" if page.resumed else "listed"
    output.note(
        f"{found.url}: {how} {len(left):,} thread{'s' if len(left) != 1 else ''} "
        f"({len(page.urls):,} on the page)"
    )
    budget, failed, fetched = max_requests - page.sent, 0, 0
    for thread_url in left:
        if budget <= 0:
            output.note(
                f"{found.url}: --max {max_requests:,} requests reached after {fetched:,} of "
                f"{len(left):,} threads; run the same command again to continue"
            )
            break
        try:
            outcome = _thread(thread_url, module.NAME, budget, refresh, cache_root, db_path)
        except ModtoolError as exc:
            output.error(exc.message)
            failed += 1
            continue
        budget -= outcome.sent
        fetched += 1
        failed += bool(outcome.report is not None and outcome.report.failed)
        if outcome.document.stopped is None and outcome.not_imported is None:
            runner.thread_done(page, thread_url)
    if failed:
        output.error(f"{found.url}: {failed:,} thread{'s' if failed != 1 else ''} not fetched")
        raise SystemExit(1)


def _thread(
    url: str,
    platform: str | None,
    budget: int,
    refresh: bool,
    cache_root: Path,
    db_path: Path,
) -> Outcome:
    """Fetch one thread, import it, print what happened."""
    from modtool.cli.import_report import print_import_report
    from modtool.fetch import runner

    outcome = runner.fetch(
        url,
        cache_root=cache_root,
        format=platform,
        budget=budget,
        refresh=refresh,
        say=output.note,
        progress=Progress(),
    )
    _fetched_line(outcome)
    store = store_for(db_path, create=True)
    try:
        runner.import_fetched(store, outcome)
    finally:
        store.close()
    if outcome.report is not None:
        print_import_report(outcome.report, outcome.target.url)
    if outcome.not_imported is not None:
        output.note(f"{outcome.target.url}: not imported: {outcome.not_imported}")
    elif outcome.document.stopped is not None:
        output.note(
            f"{outcome.target.url}: stopped early ({outcome.document.stopped}): stored as far "
            "as fetched; run the same command again to continue"
        )
    return outcome


def _fetched_line(outcome: Outcome) -> None:
    parts = [f"{outcome.sent:,} request{'s' if outcome.sent != 1 else ''}"]
    if outcome.cached:
        parts.append(f"{outcome.cached:,} answers from the cache")
    how = "continued" if outcome.resumed else "fetched"
    output.echo(
        f"{how} {outcome.target.url} ({outcome.target.platform}): {', '.join(parts)}; "
        f"answers kept in {outcome.folder}",
        err=True,
    )
    if outcome.credentials_from:
        output.note(f"credentials from {outcome.credentials_from}")


class Progress:
    """A progress line every :data:`PROGRESS_EVERY` seconds of a long fetch."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self, pages: Pages) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        seen = f", {pages.items:,} comments seen" if pages.items else ""
        output.note(
            f"fetching {pages.site}: {pages.sent:,} requests sent, {pages.cached:,} from the "
            f"cache{seen}"
        )


COMMANDS = [fetch_command]
