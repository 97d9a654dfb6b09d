"""Lemmy: a post and every page of its comments (API v3).

* URLs: ``https://instance/post/ID`` and ``https://instance/comment/ID`` (its
  post is fetched whole), or the API's ``/api/v3/post?id=ID``. Any host.
* ``GET /api/v3/post?id=ID`` (the post and its comment count), then
  ``GET /api/v3/comment/list?post_id=ID&type_=All&sort=Old&limit=50&page=N``
  until a page has fewer than 50 comments. A comment URL first asks
  ``GET /api/v3/comment?id=ID`` for its post.
* The document is the folder of answers, read by the ``lemmy`` format (a post
  whose count says more comments than were fetched counts the rest as missing).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import SplitResult, parse_qs

from modtool.fetch.base import (
    Client,
    Document,
    Listing,
    Target,
    digits,
    host_of,
    not_a_thread,
    origin,
)
from modtool.fetch.pages import Pages, Stopped
from modtool.platforms.http import PlatformError

NAME = "lemmy"
FORMAT = "lemmy"
DESCRIPTION = "a Lemmy post, https://instance/post/ID (or /comment/ID)"
LIMIT = 50
_COMMUNITY = re.compile(r"^/c/(?P<name>[A-Za-z0-9_]{1,60}(?:@[A-Za-z0-9.-]{1,253})?)/?$")
_PATH = re.compile(r"^/(?P<kind>post|comment)/(?P<id>\d{1,19})/?$")


def recognises(parts: SplitResult) -> bool:
    return _path(parts) is not None


def _path(parts: SplitResult) -> tuple[str, str] | None:
    found = _PATH.match(parts.path)
    if found:
        return found.group("kind"), found.group("id")
    if parts.path.rstrip("/") in ("/api/v3/post", "/api/v3/comment"):
        values = parse_qs(parts.query).get("id", [])
        number = digits(values[0]) if len(values) == 1 else None
        if number is not None:
            return parts.path.rstrip("/").rsplit("/", 1)[1], number
    return None


def target(url: str, parts: SplitResult, forced: bool) -> Target:
    found = _path(parts)
    if found is None:
        raise not_a_thread(url, "Lemmy", DESCRIPTION)
    kind, number = found
    api = origin(parts)
    page = f"{api}/{kind}/{number}"
    return Target(NAME, number, page, api, f"{host_of(parts)}/{kind}-{number}", {"kind": kind})


def listing(url: str, parts: SplitResult, forced: bool) -> Listing | None:
    """``--format lemmy`` with a community, ``https://instance/c/<name>``: its 20 newest
    posts (``/api/v3/post/list``), each fetched as a thread."""
    found = _COMMUNITY.match(parts.path)
    if found is None or not forced:
        return None
    api = origin(parts)
    request = f"{api}/api/v3/post/list?community_name={found.group('name')}&sort=New&limit=20"
    return Listing(NAME, url, request, {"api": api})


def threads(listing: Listing, answer: Any) -> list[str]:
    posts = answer.get("posts") if isinstance(answer, dict) else None
    if not isinstance(posts, list):
        raise PlatformError("Lemmy: the answer has no posts list")
    found = []
    for view in posts:
        post = view.get("post") if isinstance(view, dict) else None
        number = digits(str(post.get("id", ""))) if isinstance(post, dict) else None
        if number is not None:
            found.append(f"{listing.options['api']}/post/{number}")
    return found


def client(target: Target) -> Client:
    return Client(pause=0.2)


def fetch(target: Target, pages: Pages) -> Document:
    base = f"{target.api}/api/v3"
    stopped = None
    try:
        post = target.thread
        if target.options["kind"] == "comment":
            comment = pages.get(f"comment-{post}", f"{base}/comment?id={post}")
            assert comment is not None
            view = _object(comment.data).get("comment_view")
            post_id = view.get("post", {}).get("id") if isinstance(view, dict) else None
            number = digits(str(post_id)) if isinstance(post_id, int) else None
            if number is None:
                raise PlatformError(f"Lemmy: comment {post}: the answer names no post")
            pages.say(f"comment {post} is in post {number}: fetching the post's comments")
            post = number
        found = pages.get(f"post-{post}", f"{base}/post?id={post}")
        assert found is not None
        _object(found.data)
        number = 1
        while True:
            page = pages.get(
                f"comments-{number}",
                f"{base}/comment/list?post_id={post}&type_=All&sort=Old&limit={LIMIT}"
                f"&page={number}",
            )
            assert page is not None
            comments = _object(page.data).get("comments")
            if not isinstance(comments, list):
                raise PlatformError(f"Lemmy: comments page {number}: no comments list")
            pages.saw(len(comments))
            if len(comments) < LIMIT:
                break
            number += 1
    except Stopped as why:
        stopped = why.why
    return pages.folder_document(FORMAT, stopped, target.url)


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise PlatformError("Lemmy: the answer is not a JSON object")
    return data
