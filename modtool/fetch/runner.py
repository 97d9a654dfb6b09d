"""One ``modtool fetch``: choose the platform, fetch into the cache folder, import.

**The cache folder** (``<cache>/<platform>/<host-and-id>-<hash>/``, by default
beside the database: ``modtool.db-fetch/``) holds the thread's answers, one
file per request, its ``.fetch-index.json`` and ``.fetch-state.json``
(the URL, whether the last fetch ran to its end, which fetch was imported).

**Resuming.** A fetch that stopped before its end (``--max``, a rate limit
asking for a long wait, an error, Ctrl-C) continues on the next run of the same
URL: the answers already fetched are read from the folder, only the rest is
asked for. A fetch that ran to its end is done: the next run starts over
(fresh answers: new comments, edits, deletions), and so does ``--refresh``.

**Importing.** What was fetched is imported like a document (one thread, its
comments matched by platform ids: new, edited, gone). A stopped fetch imports
what it has when that only adds to what an earlier run of the same fetch
imported; a fetch that *starts over* and stops before its end imports nothing
(it lacks comments the stored thread has, which would be marked gone from it),
and says so: running it again completes it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from modtool import jsonsafe
from modtool.errors import InputError, ModtoolError
from modtool.fetch import FETCHERS
from modtool.fetch.base import Document, Listing, Target, split
from modtool.fetch.pages import Pages, clear, load_index, write_atomic
from modtool.ingest import ImportReport, import_path
from modtool.platforms.http import (
    USER_AGENT,
    AuthError,
    Http,
    Limits,
    PlatformError,
    raise_for_status,
    safe_url,
)
from modtool.store import Store

STATE = ".fetch-state.json"
DEFAULT_MAX = 1000


@dataclass(slots=True)
class Outcome:
    """What one fetch did (the CLI prints it)."""

    target: Target
    folder: Path
    document: Document
    sent: int
    cached: int
    resumed: bool
    credentials_from: str | None = None
    report: ImportReport | None = None
    not_imported: str | None = None


def load_fetcher(name: str) -> ModuleType:
    return importlib.import_module(f"modtool.fetch.{FETCHERS[name]}")


def plan(url: str, format: str | None = None) -> tuple[ModuleType, Target | Listing]:
    """The platform module for ``url`` (``format`` forces one) and what the URL names:
    a thread, or a page of threads (a front page, a subreddit). A Bluesky ``at://``
    post URI is taken as its bsky.app address."""
    if url.strip().startswith("at://"):
        from modtool.fetch.bluesky import from_at_uri

        page = from_at_uri(url)
        if page is None:
            shown = url.strip()[:200]
            raise InputError(f"{shown}: not a Bluesky post URI (at://DID/app.bsky.feed.post/ID)")
        url = page
    url = url.strip()
    parts = split(url)
    if format is not None:
        if format not in FETCHERS:
            raise InputError(f"unknown platform {format!r} (known: {', '.join(FETCHERS)})")
        module = load_fetcher(format)
        found = _listing(module, url, parts, True)
        return module, found or module.target(url, parts, True)
    for name in FETCHERS:
        module = load_fetcher(name)
        found = _listing(module, url, parts, False)
        if found is not None:
            return module, found
        if module.recognises(parts):
            return module, module.target(url, parts, False)
    expected = "; ".join(f"{name}: {load_fetcher(name).DESCRIPTION}" for name in FETCHERS)
    raise InputError(
        f"{safe_url(url)}: cannot tell the platform from this URL; give --format "
        f"({', '.join(FETCHERS)}). Expected {expected}"
    )


def choose(url: str, format: str | None = None) -> tuple[ModuleType, Target]:
    """The platform module and the thread ``url`` names (a page of threads is refused)."""
    module, found = plan(url, format)
    if isinstance(found, Listing):
        raise InputError(f"{safe_url(url)}: a page of threads, not a thread")
    return module, found


def _listing(module: ModuleType, url: str, parts: Any, forced: bool) -> Listing | None:
    listing = getattr(module, "listing", None)
    return listing(url, parts, forced) if listing is not None else None


def default_cache(db_path: Path) -> Path:
    """Beside the database: ``modtool.db`` → ``modtool.db-fetch``."""
    return db_path.with_name(db_path.name + "-fetch")


def cache_folder(root: Path, target: Target) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", target.key).strip("._")[:80] or "thread"
    digest = hashlib.sha256(f"{target.platform}\n{target.key}".encode()).hexdigest()[:10]
    folder = root / target.platform / f"{slug}-{digest}"
    for place in (root, root / target.platform, folder):
        try:
            place.mkdir(mode=0o700, parents=place is root, exist_ok=True)
            info = os.lstat(place)
        except FileExistsError:
            raise InputError(f"{place}: exists and is not a folder (the fetch cache)") from None
        except OSError as exc:
            raise InputError(f"{place}: cannot create the fetch cache: {exc.strerror}") from None
        if not stat.S_ISDIR(info.st_mode):
            raise InputError(f"{place}: is not a folder (a link?); the fetch cache must be one")
    return folder


def fetch(
    url: str,
    *,
    cache_root: Path,
    format: str | None = None,
    budget: int = DEFAULT_MAX,
    refresh: bool = False,
    limits: Limits | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    say: Callable[[str], None] = lambda message: None,
    progress: Callable[[Pages], None] = lambda pages: None,
) -> Outcome:
    """Fetch ``url`` into its cache folder (see the module docstring); nothing is
    imported yet (:func:`import_fetched`). A
    :class:`~modtool.platforms.http.PlatformError` stops the fetch with one line;
    what was fetched stays in the folder for the next run."""
    module, target = choose(url, format)
    folder = cache_folder(cache_root, target)
    state = read_state(folder)
    generation = state.get("generation", 0)
    resumed = bool(generation) and not refresh and not state.get("complete", False)
    if not resumed:
        if generation:
            clear(folder)
        generation += 1
    state.update(url=target.url, platform=target.platform, generation=generation, complete=False)
    write_state(folder, state)

    client = module.client(target)
    limits = limits or Limits()
    http = Http(
        auth=client.auth, limits=limits, sleep=sleep, user_agent=client.user_agent or USER_AGENT
    )
    pages = Pages(
        folder,
        http,
        budget=budget,
        site=safe_url(target.api),
        pause=client.pause,
        max_wait=limits.max_pause,
        clock=clock,
        sleep=sleep,
        say=say,
        progress=progress,
        headers=client.headers,
    )
    try:
        document = module.fetch(target, pages)
    except AuthError as exc:
        hint = (
            f"the credentials from {client.credentials_from} were refused"
            if client.credentials_from
            else "the site shows this only to a signed-in reader (docs/fetch.md, Credentials)"
        )
        raise AuthError(f"{exc.message}; {hint}", exc.status, exc.code) from None
    except PlatformError as exc:
        kept = len(load_index(folder))
        if not kept:
            raise
        raise type(exc)(
            f"{exc.message} ({kept:,} answers kept in {folder}: the same command continues)",
            exc.status,
            exc.code,
        ) from None
    finally:
        http.close()
    state["complete"] = document.stopped is None
    write_state(folder, state)
    return Outcome(
        target,
        folder,
        document,
        pages.sent,
        pages.cached,
        resumed,
        credentials_from=client.credentials_from,
    )


def import_fetched(store: Store, outcome: Outcome) -> Outcome:
    """Import what :func:`fetch` brought, unless that would mark comments gone that
    are only not fetched yet (see the module docstring); ``outcome`` says which."""
    state = read_state(outcome.folder)
    generation, earlier = state.get("generation"), state.get("imported")
    if outcome.document.stopped is not None and earlier is not None and earlier != generation:
        outcome.not_imported = (
            "this fetch started over and stopped before its end: importing it would mark "
            "the comments not fetched yet as gone from the thread; run the same command "
            "again to continue it"
        )
        return outcome
    document = outcome.document
    outcome.report = import_path(store, document.path, document.format, source=outcome.target.url)
    state["imported"] = generation
    write_state(outcome.folder, state)
    return outcome


@dataclass(slots=True)
class Page:
    """A page of threads being fetched: its threads' URLs and which are done (kept in
    its own folder's state, so a page stopped by ``--max`` continues with the rest)."""

    listing: Listing
    folder: Path
    urls: list[str]
    done: list[str]
    resumed: bool
    sent: int

    @property
    def left(self) -> list[str]:
        return [url for url in self.urls if url not in self.done]


def open_page(
    module: ModuleType,
    listing: Listing,
    *,
    cache_root: Path,
    refresh: bool = False,
    limits: Limits | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Page:
    """The threads a page lists: asked for (one request), or, when an earlier run of
    this page stopped before its end, the ones that run did not finish."""
    key = Target(listing.platform, "", listing.url, listing.request, f"page {listing.request}")
    folder = cache_folder(cache_root, key)
    state = read_state(folder)
    urls, done = state.get("urls"), state.get("done")
    resumed = (
        not refresh
        and not state.get("complete", True)
        and isinstance(urls, list)
        and isinstance(done, list)
        and all(isinstance(url, str) for url in [*urls, *done])
    )
    if resumed:
        return Page(listing, folder, list(urls), list(done), True, 0)  # type: ignore[arg-type]
    user_agent = getattr(module, "USER_AGENT", None) or USER_AGENT
    with Http(limits=limits or Limits(), sleep=sleep, user_agent=user_agent) as http:
        answer = http.request("GET", listing.request)
    raise_for_status(answer, f"{safe_url(listing.request)}: the page's list of threads")
    found = list(dict.fromkeys(module.threads(listing, answer.json())))
    page = Page(listing, folder, found, [], False, 1)
    write_state(folder, {"url": listing.url, "urls": found, "done": [], "complete": not found})
    return page


def thread_done(page: Page, url: str) -> None:
    """``url`` of ``page`` was fetched to its end (and imported)."""
    page.done.append(url)
    complete = not page.left
    write_state(
        page.folder,
        {"url": page.listing.url, "urls": page.urls, "done": page.done, "complete": complete},
    )


def read_state(folder: Path) -> dict[str, Any]:
    path = folder / STATE
    if not path.exists():
        return {}
    try:
        data = jsonsafe.load(path, max_bytes=1 << 20)
    except ModtoolError as exc:
        raise InputError(f"{exc}; delete {folder} (or use --refresh) to start over") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: not a fetch state; delete {folder} to start over")
    generation = data.get("generation")
    if not isinstance(generation, int) or isinstance(generation, bool) or generation < 0:
        data["generation"] = 0
    return data


def write_state(folder: Path, state: dict[str, Any]) -> None:
    write_atomic(folder / STATE, json.dumps(state, ensure_ascii=False, indent=1).encode())
