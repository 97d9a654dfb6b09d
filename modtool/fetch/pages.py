"""Every request of a fetch, cached on disk so a stopped fetch continues.

:class:`Pages` is what a platform module asks through. For each request it:

* answers from the thread's cache folder when that request was answered before
  (so a fetch stopped by ``--max``, an error or Ctrl-C continues where it
  stopped: the crawl is replayed from the cache up to the first request not yet
  made, then goes on over the network);
* else counts it against the budget (``--max``: :class:`Stopped` when spent),
  waits the platform's pace (the least time between two requests, and a rate
  limit's reset when ``X-Ratelimit-Remaining`` says none is left), sends it
  through :class:`~modtool.platforms.http.Http` (timeouts, retries with
  backoff, ``Retry-After``, bounded bodies), follows a redirect only on the same
  site, checks the answer is JSON within :mod:`modtool.jsonsafe`'s bounds, and
  writes it to ``NNNNN-label.json`` (in request order; the folder is itself a
  document for the formats that read several answers), atomically, before the
  next request.

The folder's ``.fetch-index.json`` maps each request to its file (and the few
headers a crawl needs later, e.g. WordPress's page count); a 404 that the crawl
expects (an item Algolia does not have) is remembered there too. Nothing else is
written: no request headers, no credentials.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from modtool import jsonsafe
from modtool.errors import InputError, ModtoolError
from modtool.fetch.base import Document
from modtool.platforms.http import Answer, Http, PlatformError, raise_for_status, safe_url

INDEX = ".fetch-index.json"
DOCUMENT = "document"
ASIDE = "aside"
KEPT_HEADERS = ("content-type", "x-wp-total", "x-wp-totalpages", "link")
PAGE_NAME = re.compile(r"^\d{5,}-[A-Za-z0-9._-]*\.json$")
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 3
MAX_INDEX_BYTES = 64 * 1024 * 1024


class Stopped(Exception):
    """The fetch stops before its end, keeping what it has (``--max``, a long wait)."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass(frozen=True, slots=True)
class Page:
    data: Any
    """The answer, parsed by :mod:`modtool.jsonsafe`."""
    file: Path
    headers: Mapping[str, str]
    cached: bool


class Pages:
    """The requests of one thread's fetch (see the module docstring).

    ``budget`` is the most requests sent over the network in this run;
    ``pause`` the least seconds between two; ``max_wait`` the longest a rate
    limit may make it wait before it stops instead. ``clock`` and ``sleep`` are
    injectable so tests never wait.
    """

    def __init__(
        self,
        folder: Path,
        http: Http,
        *,
        budget: int,
        site: str,
        pause: float = 0.0,
        max_wait: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        say: Callable[[str], None] = lambda message: None,
        progress: Callable[[Pages], None] = lambda pages: None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.folder = folder
        self.http = http
        self.budget = budget
        self.site = site
        self.pause = pause
        self.max_wait = max_wait
        self.clock = clock
        self.sleep = sleep
        self.say = say
        self.progress = progress
        self.headers = dict(headers or {})
        self.index: dict[str, dict[str, Any]] = load_index(folder)
        self.sequence = 0
        self.sent = 0
        """Requests sent over the network in this run."""
        self.cached = 0
        """Requests answered from the cache in this run."""
        self.items = 0
        """Comments (or posts, items) the platform module has seen so far: for progress."""
        self._last: float | None = None
        self._hold_until: float | None = None

    # -- the one entry point -----------------------------------------------------------
    def get(
        self,
        label: str,
        url: str,
        *,
        missing_ok: bool = False,
        scrub: Callable[[Any], Any] | None = None,
        aside: bool = False,
    ) -> Page | None:
        """The answer to ``GET url`` (``url`` with its whole query), from the cache or
        the network. ``None`` for a 404 when ``missing_ok``; ``scrub`` removes what must
        never be written to disk (it gets the parsed answer and returns what to keep);
        ``aside``: an answer that is not part of the document (a handle looked up) is
        kept in ``aside/``, out of the folder a format reads."""
        self.sequence += 1
        entry = self.index.get(url)
        if entry is not None:
            page = self._cached(url, entry)
            if page is not None or entry.get("status") == 404:
                self.cached += 1
                return page
        if self.sent >= self.budget:
            raise Stopped(f"--max {self.budget:,} requests reached")
        answer = self._send(url, label)
        if answer.status == 404 and missing_ok:
            self._remember(url, {"status": 404})
            return None
        raise_for_status(answer, f"{self.site}: {label}")
        data = self._json(answer, label)
        body = answer.body
        if scrub is not None:
            data = scrub(data)
            body = json.dumps(data, ensure_ascii=False).encode()
        name = f"{self.sequence:05d}-{_safe_label(label)}.json"
        if aside:
            (self.folder / ASIDE).mkdir(mode=0o700, exist_ok=True)
            name = f"{ASIDE}/{name}"
        write_atomic(self.folder / name, body)
        headers = {k: answer.headers[k][:2000] for k in KEPT_HEADERS if k in answer.headers}
        self._remember(url, {"file": name, "status": answer.status, "headers": headers})
        return Page(data, self.folder / name, headers, cached=False)

    def saw(self, count: int) -> None:
        """The platform module saw ``count`` more comments (progress only)."""
        self.items += count

    # -- network -----------------------------------------------------------------------
    def _send(self, url: str, label: str) -> Answer:
        target = url
        for _hop in range(MAX_REDIRECTS + 1):
            self._wait()
            answer = self.http.request("GET", target, headers=self.headers or None)
            self.sent += 1
            self._last = self.clock()
            self._rate_limit(answer)
            self.progress(self)
            if answer.status not in REDIRECTS:
                return answer
            location = answer.headers.get("location", "")
            following = urljoin(target, location)
            if not location or not _same_site(target, following):
                raise PlatformError(
                    f"{self.site}: {label}: HTTP {answer.status} redirects to "
                    f"{safe_url(following) if location else 'nowhere'}, another site; "
                    "give that address instead",
                    answer.status,
                )
            target = following
        raise PlatformError(f"{self.site}: {label}: more than {MAX_REDIRECTS} redirects")

    def _wait(self) -> None:
        now = self.clock()
        until = None
        if self._last is not None and self.pause > 0:
            until = self._last + self.pause
        if self._hold_until is not None:
            until = max(until or 0.0, self._hold_until)
            self._hold_until = None
        if until is None or until <= now:
            return
        wait = until - now
        if wait > self.max_wait:
            raise Stopped(f"the site's rate limit asks to wait {wait:,.0f} s")
        self.sleep(wait)

    def _rate_limit(self, answer: Answer) -> None:
        """``X-Ratelimit-Remaining`` below 1 (Reddit): hold the next request until
        ``X-Ratelimit-Reset`` seconds from now."""
        remaining = _number(answer.headers.get("x-ratelimit-remaining"))
        reset = _number(answer.headers.get("x-ratelimit-reset"))
        if remaining is not None and remaining < 1 and reset is not None:
            self._hold_until = self.clock() + min(reset, 86_400.0)

    def _json(self, answer: Answer, label: str) -> Any:
        kind = answer.headers.get("content-type", "")
        try:
            return answer.json()
        except PlatformError:
            if "html" in kind.lower():
                raise PlatformError(
                    f"{self.site}: {label}: HTTP {answer.status} answered with an HTML page, "
                    "not JSON (a login or block page, or not this platform's API)",
                    answer.status,
                ) from None
            raise PlatformError(
                f"{self.site}: {label}: HTTP {answer.status}, but the answer is not "
                "complete JSON (cut short?); run again to retry",
                answer.status,
            ) from None

    # -- cache -------------------------------------------------------------------------
    def _cached(self, url: str, entry: dict[str, Any]) -> Page | None:
        name = entry.get("file")
        if not isinstance(name, str) or not PAGE_NAME.match(name.removeprefix(ASIDE + "/")):
            return None
        path = self.folder / name
        try:
            data = jsonsafe.load(path)
        except FileNotFoundError:
            return None  # removed by hand: asked again
        except (ModtoolError, OSError):
            return None  # damaged (a disk full mid-write cannot do it: writes are atomic)
        headers = entry.get("headers")
        kept = {k: v for k, v in headers.items() if isinstance(v, str)} if headers else {}
        return Page(data, path, kept, cached=True)

    def _remember(self, url: str, entry: dict[str, Any]) -> None:
        self.index[url] = entry
        write_atomic(
            self.folder / INDEX, json.dumps(self.index, ensure_ascii=False, indent=0).encode()
        )

    def assemble(self, name: str, data: bytes) -> Path:
        """Write a document assembled from the answers (``document/NAME`` in the folder,
        where a folder of answers read as one document does not see it)."""
        place = self.folder / DOCUMENT
        place.mkdir(mode=0o700, exist_ok=True)
        write_atomic(place / name, data)
        return place / name

    def folder_document(self, format: str, stopped: str | None, url: str) -> Document:
        """The folder itself as the document (the formats that read several answers)."""
        if not self.files():
            raise PlatformError(f"{url}: nothing fetched before the fetch stopped ({stopped})")
        return Document(self.folder, format, stopped)

    def files(self) -> list[Path]:
        """The page files of this fetch, in request order."""
        return sorted(
            (
                self.folder / entry["file"]
                for entry in self.index.values()
                if isinstance(entry.get("file"), str) and "/" not in entry["file"]
            ),
            key=lambda path: path.name,
        )


def load_index(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / INDEX
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return {}
    if size > MAX_INDEX_BYTES:
        raise InputError(f"{path}: larger than {MAX_INDEX_BYTES:,} bytes; not a fetch index")
    try:
        data = jsonsafe.load(path)
    except ModtoolError as exc:
        raise InputError(f"{exc}; delete {folder} (or use --refresh) to start over") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise InputError(f"{path}: not a fetch index; delete {folder} to start over")
    return data


def clear(folder: Path) -> None:
    """Remove a finished fetch's pages and index (only files this module writes)."""
    for place in (folder, folder / ASIDE):
        if not place.is_dir():
            continue
        for entry in place.iterdir():
            if (PAGE_NAME.match(entry.name) or entry.name == INDEX) and entry.is_file():
                entry.unlink()


def write_atomic(path: Path, data: bytes) -> None:
    """``data`` to ``path`` through a temporary file in the same folder and a rename."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _safe_label(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", label)[:60].strip("-.") or "page"


def _same_site(a: str, b: str) -> bool:
    first, second = urlsplit(a), urlsplit(b)
    try:
        return (first.scheme, first.hostname, first.port) == (
            second.scheme,
            second.hostname,
            second.port,
        )
    except ValueError:
        return False


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip()[:20])
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None
