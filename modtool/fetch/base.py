"""What every platform module of :mod:`modtool.fetch` provides.

A platform module (``hackernews.py``, ``reddit.py``, …) knows three things:

* which URLs are its threads (:func:`recognises`: by host for the big sites, by
  the shape of the path for self-hosted software such as Discourse or Lemmy),
  and what thread and API a URL names (:func:`target`);
* how to ask its API for every page of that thread (:func:`fetch`), each
  request through :class:`~modtool.fetch.pages.Pages` (which caches, counts,
  paces and bounds them);
* which importer reads what it fetched (``FORMAT``): the answers themselves (a
  folder of pages, for the API formats that read several answers as one
  document) or one document assembled from them in the shape the importer reads
  (Reddit's thread with the ``more`` stubs it followed replaced by what they
  stood for, a Discourse topic with all its posts, Hacker News items one per
  line).

Modules never import the CLI or the store; :mod:`modtool.fetch.runner` imports
what they return through :mod:`modtool.ingest`, like any document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import SplitResult, urlsplit

from modtool.errors import InputError
from modtool.platforms import credentials
from modtool.platforms.credentials import Credentials
from modtool.platforms.http import PlatformError, safe_url

if TYPE_CHECKING:
    from modtool.fetch.pages import Pages


@dataclass(frozen=True, slots=True)
class Target:
    """One thread to fetch, as a platform module read it from the URL."""

    platform: str
    """The platform module's name (``reddit``, …)."""
    thread: str
    """The thread's id as the URL names it (a post, topic or item id)."""
    url: str
    """The thread's address, recorded as the import's source (never credentials)."""
    api: str
    """The API's base address (scheme and host, maybe a path), without a trailing ``/``."""
    key: str
    """What names the thread's cache folder (host and id)."""
    options: dict[str, Any] = field(default_factory=dict)
    """What else the platform module needs (another API host, the URL's kind, …)."""


@dataclass(frozen=True, slots=True)
class Listing:
    """A page of threads (a front page, a subreddit, a forum's latest topics): one
    request whose answer names the threads, each then fetched as a thread."""

    platform: str
    url: str
    """The page as the user named it (shown, never opened)."""
    request: str
    """The API request that lists the threads."""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Document:
    """What a fetch produced: a file or a folder of answers for ``format``."""

    path: Path
    format: str
    stopped: str | None = None
    """Why the fetch stopped before the end (``--max``, a long rate-limit wait), or ``None``."""


@dataclass(frozen=True, slots=True)
class Client:
    """How to talk to a platform: HTTP options the runner gives :class:`~modtool.platforms.http.Http`."""

    auth: Any = None
    """An ``httpx.Auth`` or ``(user, secret)``; ``None`` for the public API."""
    user_agent: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    pause: float = 0.0
    """The least time between two requests (politeness), seconds."""
    credentials_from: str | None = None
    """Where credentials came from, for one line of output; never the secret."""


class Fetcher(Protocol):
    NAME: str
    """The ``--format`` name."""
    FORMAT: str
    """The importer (``modtool.importers``) that reads what :func:`fetch` returns."""
    DESCRIPTION: str
    """The URLs it takes, shown when no platform recognises a URL."""

    def recognises(self, parts: SplitResult) -> bool: ...

    def target(self, url: str, parts: SplitResult, forced: bool) -> Target: ...

    def client(self, target: Target) -> Client: ...

    def fetch(self, target: Target, pages: Pages) -> Document: ...

    # Optional, for a page of threads:
    #   listing(url, parts, forced) -> Listing | None
    #   threads(listing, answer) -> list[str]   (thread URLs this module's target() takes)


def signed_in(
    platform: str,
    target: Target,
    *,
    user_env: str,
    secret_env: str,
    secret_key: str,
    pause: float,
    use: Callable[[Credentials], dict[str, Any]],
) -> Client:
    """The platform's :class:`Client`: anonymous when no credentials are given, else
    with what ``use`` makes of them (an ``auth`` or ``headers``). Credentials come from
    the environment or the credentials file only (:mod:`modtool.platforms.credentials`)."""
    found = credentials.find(
        platform, target.api, user_env=user_env, secret_env=secret_env, secret_key=secret_key
    )
    if found is None:
        return Client(pause=pause)
    return Client(pause=pause, credentials_from=found.source, **use(found))


def split(url: str) -> SplitResult:
    """``url`` checked: http(s), a host, no user name or password (those go in the
    environment or the credentials file, never on the command line)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise InputError(f"{safe_url(text)}: not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputError(f"{safe_url(text)}: give the thread's http:// or https:// address")
    if parts.username is not None or parts.password is not None:
        raise InputError(
            "the URL holds a user name or password; put credentials in the environment or "
            "the credentials file, never on the command line"
        )
    return parts


def origin(parts: SplitResult) -> str:
    """``scheme://host[:port]`` of a URL (lower-case scheme and host)."""
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme.lower()}://{host}"


def host_of(parts: SplitResult) -> str:
    return (parts.hostname or "").lower()


def digits(text: str | None, limit: int = 19) -> str | None:
    """``text`` when it is a whole number of at most ``limit`` digits, else ``None``."""
    if text and text.isascii() and text.isdigit() and len(text) <= limit:
        return text
    return None


def not_a_thread(url: str, platform: str, expected: str) -> InputError:
    return InputError(f"{safe_url(url)}: not a {platform} thread URL (expected {expected})")


MAX_DEPTH = 500
"""The deepest answer a platform module assembles into a document: far deeper than
any platform's own (Reddit nests ~4 levels per reply level, 10 reply levels an
answer), and shallow enough for ``json.dumps`` (recursive) to write."""


def deep_answer(value: Any, platform: str) -> None:
    """Refuse an answer nested deeper than :data:`MAX_DEPTH` (one line, no traceback)."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PlatformError(
                f"{platform}: an answer nested deeper than {MAX_DEPTH} levels; refused"
            )
        if isinstance(current, dict):
            stack.extend((item, depth + 1) for item in current.values())
        elif isinstance(current, list):
            stack.extend((item, depth + 1) for item in current)


Say = Callable[[str], None]
