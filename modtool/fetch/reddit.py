"""Reddit: ``/comments/<id>.json``, then every ``more`` stub it can follow.

* URLs: ``reddit.com/r/<sub>/comments/<id>/…`` (any subdomain: www, old, new,
  np, m), ``/comments/<id>``, ``redd.it/<id>``; a comment's permalink fetches
  its whole thread. With ``--format reddit`` any host serving those paths.
* ``GET /comments/<id>.json?limit=500&sort=old`` is the thread and its first
  comments. Its ``more`` stubs stand for comments Reddit did not send:
  a stub listing ids is followed with ``GET /api/morechildren.json`` (up to 100
  ids a request; the answer's own stubs are followed in turn); a "continue this
  thread" stub (no ids) with ``GET /comments/<id>/_/<parent>.json``, whose
  parent comment's replies are the rest of that branch (a 404 leaves the stub). Where Reddit refuses
  ``morechildren`` (401/403), the stubs are left: their comments count as
  missing.
* Optional OAuth (Reddit's "application only" grant, for its higher limits
  and where it refuses anonymous readers): a script app's client id and secret
  from ``MODTOOL_REDDIT_CLIENT_ID`` and ``MODTOOL_REDDIT_CLIENT_SECRET``, or a
  ``[[reddit]]`` entry (``url = "https://www.reddit.com"``, ``user`` the client
  id, ``client_secret``) of the credentials file. The token is asked for once a
  fetch (``POST /api/v1/access_token``, ``grant_type=client_credentials``),
  held in memory only, and the API is then ``oauth.reddit.com``.
* Polite: Reddit's API rules ask for a descriptive User-Agent and a modest
  pace: one request every 2 s at most, and when ``X-Ratelimit-Remaining``
  reaches 0 no request before ``X-Ratelimit-Reset`` (see
  :class:`~modtool.fetch.pages.Pages`).
* The document: a JSON array of listings (what the ``reddit`` format reads):
  the thread answer, then each followed answer's comments, with every stub
  that was followed removed (a stub followed only in part keeps the ids still to
  fetch), so the importer counts as missing exactly what was not fetched.
  ``body`` is kept entity-escaped (no ``raw_json=1``), as the format expects.
"""

from __future__ import annotations

import json
import re
from collections import deque
from typing import Any
from urllib.parse import SplitResult, quote

from modtool import __version__
from modtool.fetch.base import (
    Client,
    Document,
    Listing,
    Target,
    deep_answer,
    host_of,
    not_a_thread,
    origin,
)
from modtool.fetch.pages import Pages, Stopped
from modtool.platforms import credentials
from modtool.platforms.http import AuthError, PlatformError, raise_for_status

NAME = "reddit"
FORMAT = "reddit"
DESCRIPTION = "reddit.com/r/<sub>/comments/<id>/…, reddit.com/comments/<id> or redd.it/<id>"
API = "https://www.reddit.com"
OAUTH = "https://oauth.reddit.com"
USER_ENV = "MODTOOL_REDDIT_CLIENT_ID"
SECRET_ENV = "MODTOOL_REDDIT_CLIENT_SECRET"
USER_AGENT = f"python:modtool:{__version__} (comment moderation toolkit; fetches public threads)"
PAUSE = 2.0
BATCH = 100
"""Ids per ``morechildren`` request (Reddit's limit)."""
_ID = re.compile(r"^[a-z0-9]{1,13}$")
PAGE = 25
_SUBREDDIT = re.compile(
    r"^/r/(?P<sub>[A-Za-z0-9_]{1,50})(?:/(?P<sort>hot|new|top|rising|controversial))?/?(?:\.json)?$"
)
_COMMENTS = re.compile(
    r"^(?:/r/[^/]+|/user/[^/]+|/u/[^/]+)?/comments/([A-Za-z0-9]+)(?:/|\.json$|$)"
)


def recognises(parts: SplitResult) -> bool:
    host = host_of(parts)
    return host in ("reddit.com", "redd.it") or host.endswith(".reddit.com")


def target(url: str, parts: SplitResult, forced: bool) -> Target:
    host = host_of(parts)
    path = parts.path
    found = _COMMENTS.match(path)
    post = found.group(1).lower() if found else None
    if post is None and host == "redd.it":
        bare = path.strip("/")
        post = bare.lower() if _ID.match(bare.lower()) else None
    if post is None or not _ID.match(post):
        raise not_a_thread(url, "Reddit", DESCRIPTION)
    known = recognises(parts)
    api = API if known else origin(parts)
    page = f"https://www.reddit.com/comments/{post}/" if known else f"{api}/comments/{post}/"
    return Target(NAME, post, page, api, f"{host if not known else 'reddit.com'}/{post}")


def listing(url: str, parts: SplitResult, forced: bool) -> Listing | None:
    """A subreddit's page (``/r/<sub>/``, ``/hot``, ``/new``, ``/top``, ``/rising``,
    ``/controversial``): its 25 posts, each fetched as a thread."""
    found = _SUBREDDIT.match(parts.path)
    if found is None or not (recognises(parts) or forced):
        return None
    api = API if recognises(parts) else origin(parts)
    sort = found.group("sort") or "hot"
    request = f"{api}/r/{found.group('sub')}/{sort}.json?limit={PAGE}"
    site = "https://www.reddit.com" if recognises(parts) else api
    return Listing(NAME, url, request, {"site": site})


def threads(listing: Listing, answer: Any) -> list[str]:
    if not _is_listing(answer):
        raise PlatformError("Reddit: the subreddit page is not a listing")
    found = []
    for thing in answer["data"]["children"]:
        data = thing.get("data") if isinstance(thing, dict) else None
        if thing.get("kind") == "t3" and isinstance(data, dict):
            post = str(data.get("id", "")).lower()
            if _ID.match(post):
                found.append(f"{listing.options['site']}/comments/{post}/")
    return found


def client(target: Target) -> Client:
    found = credentials.find(
        "reddit", API, user_env=USER_ENV, secret_env=SECRET_ENV, secret_key="client_secret"
    )
    if found is None:
        return Client(user_agent=USER_AGENT, pause=PAUSE)
    target.options["app"] = found  # its repr never shows the secret
    return Client(user_agent=USER_AGENT, pause=PAUSE, credentials_from=found.source)


def _sign_in(target: Target, pages: Pages) -> str:
    """The API to ask: ``oauth.reddit.com`` with an application-only token when a
    client id and secret are given (the token goes into this fetch's headers only),
    else the thread's own site."""
    app = target.options.pop("app", None)
    if app is None:
        return target.api
    known = target.api == API
    answer = pages.http.request(
        "POST",
        f"{API if known else target.api}/api/v1/access_token",
        form={"grant_type": "client_credentials"},
        auth=(app.user, app.secret),
    )
    pages.sent += 1
    raise_for_status(answer, "Reddit: the application-only token")
    data = answer.json()
    token = data.get("access_token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise PlatformError("Reddit: the token answer has no access_token")
    pages.headers["Authorization"] = f"bearer {token}"
    return OAUTH if known else target.api


def fetch(target: Target, pages: Pages) -> Document:
    api = _sign_in(target, pages)
    crawl = _Crawl(target, pages, api)
    stopped = None
    first = pages.get("thread", f"{api}/comments/{target.thread}.json?limit=500&sort=old")
    assert first is not None
    thread = _thread_answer(first.data)
    crawl.queue_stubs(thread[1])
    try:
        crawl.follow()
    except Stopped as why:
        stopped = why.why
    document = [thread[0], *crawl.rewritten([thread[1], *crawl.listings])]
    data = json.dumps(document, ensure_ascii=False).encode()
    return Document(pages.assemble("thread.json", data), FORMAT, stopped)


class _Crawl:
    def __init__(self, target: Target, pages: Pages, api: str) -> None:
        self.target = target
        self.pages = pages
        self.api = api
        self.queue: deque[dict[str, Any]] = deque()
        self.left: dict[int, list[str] | None] = {}
        """Per stub (by ``id()`` of its data): the ids still to fetch, ``None`` when followed."""
        self.listings: list[dict[str, Any]] = []
        self.refused = False
        self.batches = 0
        self.branches = 0

    def queue_stubs(self, listing: dict[str, Any]) -> None:
        for data in _stubs(listing):
            self.queue.append(data)

    def follow(self) -> None:
        while self.queue:
            stub = self.queue.popleft()
            ids = [i for i in stub.get("children") or [] if isinstance(i, str) and _ID.match(i)]
            if ids and not self.refused:
                self._more(stub, ids)
            elif not ids:
                self._branch(stub)

    def _more(self, stub: dict[str, Any], ids: list[str]) -> None:
        while ids:
            batch, ids = ids[:BATCH], ids[BATCH:]
            self.batches += 1
            url = (
                f"{self.api}/api/morechildren.json?api_type=json&link_id=t3_"
                f"{self.target.thread}&children={quote(','.join(batch), safe=',')}"
                "&limit_children=false&sort=old"
            )
            try:
                page = self.pages.get(f"morechildren-{self.batches}", url)
            except AuthError as exc:
                self.refused = True
                self.pages.say(
                    f"Reddit refused /api/morechildren (HTTP {exc.status}): the comments its "
                    "'load more' stubs stand for are counted as missing"
                )
                return
            assert page is not None
            things = _things(page.data)
            self.pages.saw(sum(1 for thing in things if thing.get("kind") == "t1"))
            listing = {"kind": "Listing", "data": {"children": things}}
            self.listings.append(listing)
            self.left[id(stub)] = list(ids) if ids else None
            self.queue_stubs(listing)

    def _branch(self, stub: dict[str, Any]) -> None:
        """A "continue this thread" stub: the parent comment's page."""
        parent = str(stub.get("parent_id", ""))
        short = parent[3:] if parent.startswith("t1_") else ""
        if not _ID.match(short):
            return
        self.branches += 1
        url = f"{self.api}/comments/{self.target.thread}/_/{short}.json?limit=500&sort=old"
        page = self.pages.get(f"branch-{short}", url, missing_ok=True)
        if page is None:
            return  # the parent comment is gone: the stub stays, counted as missing
        answer = _thread_answer(page.data)
        replies = None
        for thing in answer[1]["data"]["children"]:
            data = thing.get("data") if isinstance(thing, dict) else None
            if isinstance(data, dict) and data.get("id") == short:
                replies = data.get("replies")
        self.left[id(stub)] = None
        if isinstance(replies, dict) and isinstance(replies.get("data"), dict):
            children = replies["data"].get("children")
            if isinstance(children, list):
                listing = {"kind": "Listing", "data": {"children": children}}
                self.pages.saw(sum(1 for _ in _comments(listing)))
                self.listings.append(listing)
                self.queue_stubs(listing)

    def rewritten(self, listings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``listings`` with followed stubs removed and part-followed ones cut to the
        ids still to fetch (in place: the parsed answers are this fetch's own)."""
        for listing in listings:
            stack = [listing]
            while stack:
                current = stack.pop()
                kept = []
                for thing in current["data"]["children"]:
                    data = thing.get("data") if isinstance(thing, dict) else None
                    if isinstance(data, dict) and thing.get("kind") == "more":
                        if id(data) in self.left:
                            rest = self.left[id(data)]
                            if rest is None:
                                continue
                            data["children"], data["count"] = rest, len(rest)
                    elif isinstance(data, dict) and _is_listing(data.get("replies")):
                        stack.append(data["replies"])
                    kept.append(thing)
                current["data"]["children"] = kept
        return listings


def _thread_answer(data: Any) -> list[dict[str, Any]]:
    deep_answer(data, "Reddit")
    if (
        not isinstance(data, list)
        or len(data) != 2
        or not all(_is_listing(listing) for listing in data)
    ):
        raise PlatformError(
            "Reddit: the answer is not a thread (an array of the post's and the comments' listings)"
        )
    return data


def _things(data: Any) -> list[dict[str, Any]]:
    deep_answer(data, "Reddit")
    body = data.get("json") if isinstance(data, dict) else None
    if not isinstance(body, dict):
        raise PlatformError("Reddit: the morechildren answer has no 'json' object")
    errors = body.get("errors")
    if errors:
        shown = str(errors)[:200]
        raise PlatformError(f"Reddit: morechildren answered errors: {shown}")
    things = body.get("data", {}).get("things") if isinstance(body.get("data"), dict) else None
    if not isinstance(things, list):
        raise PlatformError("Reddit: the morechildren answer has no data.things list")
    return [thing for thing in things if isinstance(thing, dict)]


def _is_listing(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("kind") == "Listing"
        and isinstance(value.get("data"), dict)
        and isinstance(value["data"].get("children"), list)
    )


def _walk(listing: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Every thing of a listing and the listings nested in its comments' replies."""
    stack = [listing]
    while stack:
        current = stack.pop()
        for thing in current["data"]["children"]:
            if not isinstance(thing, dict) or not isinstance(thing.get("data"), dict):
                continue
            yield thing
            replies = thing["data"].get("replies")
            if thing.get("kind") == "t1" and _is_listing(replies):
                stack.append(replies)


def _stubs(listing: dict[str, Any]) -> list[dict[str, Any]]:
    return [thing["data"] for thing in _walk(listing) if thing.get("kind") == "more"]


def _comments(listing: dict[str, Any]) -> list[dict[str, Any]]:
    return [thing["data"] for thing in _walk(listing) if thing.get("kind") == "t1"]
