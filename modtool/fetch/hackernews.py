"""Hacker News: Algolia's ``items/<id>`` (the whole tree in one answer), else the
Firebase API item by item.

* URLs: ``news.ycombinator.com/item?id=N``, ``hn.algolia.com/api/v1/items/N``,
  ``hacker-news.firebaseio.com/v0/item/N.json``; with ``--format hackernews``
  any host serving those paths (a mirror, a recorded answer on 127.0.0.1).
* Algolia first: one request. An item that is a comment names its story
  (``story_id``): the story is fetched instead, so the thread is whole.
* Firebase when the URL names it, or when Algolia has no such item (it indexes
  new items minutes late): the item, up its ``parent`` chain to the story, then
  every ``kids`` id breadth first, one request each (``--max`` bounds them; a
  stopped fetch continues). Deleted items come back as ``{"deleted": true}``,
  an id Firebase does not know as ``null`` (skipped).
* The document: Algolia's answer as it is, or the Firebase items one per line
  (the ``hackernews`` format reads both).
"""

from __future__ import annotations

import json
from collections import deque
from typing import Any
from urllib.parse import SplitResult, parse_qs

from modtool.errors import InputError
from modtool.fetch.base import (
    Client,
    Document,
    Listing,
    Target,
    deep_answer,
    digits,
    host_of,
    not_a_thread,
    origin,
)
from modtool.fetch.pages import Pages, Stopped
from modtool.platforms.http import PlatformError

NAME = "hackernews"
FORMAT = "hackernews"
DESCRIPTION = (
    "news.ycombinator.com/item?id=N, hn.algolia.com/api/v1/items/N or "
    "hacker-news.firebaseio.com/v0/item/N.json"
)
ALGOLIA = "https://hn.algolia.com"
FIREBASE = "https://hacker-news.firebaseio.com"
SITE = "news.ycombinator.com"
HOSTS = frozenset({SITE, "hn.algolia.com", "hacker-news.firebaseio.com"})
STORY_TYPES = frozenset({"story", "job", "poll"})
PAGE = 30
"""Stories on one of news.ycombinator.com's pages."""
_LISTS = {
    "": "topstories",
    "/news": "topstories",
    "/newest": "newstories",
    "/best": "beststories",
    "/ask": "askstories",
    "/show": "showstories",
    "/jobs": "jobstories",
}
MAX_CLIMB = 10_000
"""Parents followed up from a comment before giving up (a cycle in a mirror's data)."""


def recognises(parts: SplitResult) -> bool:
    return host_of(parts) in HOSTS


def target(url: str, parts: SplitResult, forced: bool) -> Target:
    item = _item_id(parts)
    if item is None:
        raise not_a_thread(url, "Hacker News", DESCRIPTION)
    host = host_of(parts)
    firebase_path = parts.path.startswith("/v0/")
    if host in HOSTS:
        algolia, firebase = ALGOLIA, FIREBASE
        via = "firebase" if host == "hacker-news.firebaseio.com" else "algolia"
        page = f"https://{SITE}/item?id={item}"
    else:  # a mirror: the URL's own site answers both APIs' paths
        algolia = firebase = origin(parts)
        via = "firebase" if firebase_path else "algolia"
        page = f"{origin(parts)}/item?id={item}"
    return Target(
        platform=NAME,
        thread=item,
        url=page,
        api=firebase if via == "firebase" else algolia,
        key=f"{host}/{item}",
        options={"via": via, "algolia": algolia, "firebase": firebase},
    )


def _item_id(parts: SplitResult) -> str | None:
    path = parts.path.rstrip("/")
    if path in ("/item", ""):
        values = parse_qs(parts.query).get("id", [])
        return digits(values[0]) if len(values) == 1 else None
    for prefix, suffix in (("/api/v1/items/", ""), ("/v0/item/", ".json")):
        if path.startswith(prefix) and path.endswith(suffix):
            return digits(path[len(prefix) : len(path) - len(suffix)])
    return None


def listing(url: str, parts: SplitResult, forced: bool) -> Listing | None:
    """The front page and its siblings (``/``, ``/news``, ``/newest``, ``/best``, ``/ask``,
    ``/show``, ``/jobs``; ``?p=N``): Firebase's story lists, 30 stories a page."""
    kind = _LISTS.get(parts.path.rstrip("/"))
    known = host_of(parts) in HOSTS
    if kind is None or not (known or forced):
        return None
    values = parse_qs(parts.query).get("p", ["1"])
    page = int(values[0]) if len(values) == 1 and digits(values[0], 4) else 1
    firebase = FIREBASE if known else origin(parts)
    site = f"https://{SITE}" if known else origin(parts)
    return Listing(NAME, url, f"{firebase}/v0/{kind}.json", {"page": max(page, 1), "site": site})


def threads(listing: Listing, answer: Any) -> list[str]:
    if not isinstance(answer, list):
        raise PlatformError("Hacker News: the story list is not a list of ids")
    ids = [str(n) for n in answer if isinstance(n, int) and not isinstance(n, bool) and n > 0]
    start = (listing.options["page"] - 1) * PAGE
    site = listing.options["site"]
    return [f"{site}/item?id={number}" for number in ids[start : start + PAGE]]


def client(target: Target) -> Client:
    return Client(pause=0.05)  # both APIs are open; a short pause keeps a crawl polite


def fetch(target: Target, pages: Pages) -> Document:
    if target.options["via"] == "algolia":
        document = _algolia(target, pages)
        if document is not None:
            return document
        pages.say(
            f"Algolia has no item {target.thread} (it indexes new items late): reading the "
            "Firebase API item by item"
        )
    return _firebase(target, pages)


def _algolia(target: Target, pages: Pages) -> Document | None:
    base = target.options["algolia"]
    number = target.thread
    page = pages.get(f"item-{number}", f"{base}/api/v1/items/{number}", missing_ok=True)
    if page is None:
        return None
    data = _object(page.data, f"item {number}")
    story = digits(str(data.get("story_id", "")))
    if data.get("type") in STORY_TYPES or story is None or story == number:
        return Document(page.file, FORMAT)
    pages.say(f"item {number} is a comment in story {story}: fetching the whole story")
    try:
        whole = pages.get(f"item-{story}", f"{base}/api/v1/items/{story}", missing_ok=True)
    except Stopped as why:
        return Document(page.file, FORMAT, why.why)
    return Document(page.file if whole is None else whole.file, FORMAT)


def _firebase(target: Target, pages: Pages) -> Document:
    base = target.options["firebase"]
    items: dict[str, dict[str, Any]] = {}
    stopped = None

    def item(number: str) -> dict[str, Any] | None:
        page = pages.get(f"item-{number}", f"{base}/v0/item/{number}.json")
        assert page is not None
        if page.data is None:
            return None  # Firebase answers null for an id it does not know
        found = _object(page.data, f"item {number}")
        items[number] = found
        return found

    try:
        first = item(target.thread)
        if first is None:
            raise InputError(f"Hacker News has no item {target.thread}")
        root, climbed = target.thread, 0
        current = first
        while current.get("type") not in STORY_TYPES and climbed < MAX_CLIMB:
            parent = digits(str(current.get("parent", "")))
            if parent is None or parent in items:
                break
            found = item(parent)
            if found is None:
                break
            root, current, climbed = parent, found, climbed + 1
        queue, visited = deque([root]), set()
        while queue:
            number = queue.popleft()
            if number in visited:
                continue
            visited.add(number)
            found = items.get(number) or item(number)
            if found is not None:
                pages.saw(1)
                queue.extend(_kids(found))
    except Stopped as why:
        stopped = why.why
    if not items:
        raise PlatformError(f"{target.url}: nothing fetched before the fetch stopped ({stopped})")
    lines = "".join(json.dumps(found, ensure_ascii=False) + "\n" for found in items.values())
    return Document(pages.assemble("items.ndjson", lines.encode()), FORMAT, stopped)


def _kids(item: dict[str, Any]) -> list[str]:
    kids = item.get("kids")
    if not isinstance(kids, list):
        return []
    return [number for kid in kids if (number := digits(str(kid))) is not None]


def _object(data: Any, what: str) -> dict[str, Any]:
    deep_answer(data, "Hacker News")
    if not isinstance(data, dict):
        raise PlatformError(f"Hacker News: {what}: the answer is not an item object")
    return data
