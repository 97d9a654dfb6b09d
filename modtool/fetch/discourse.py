"""Discourse: ``/t/<id>.json``, then its other posts through ``/t/<id>/posts.json``.

* URLs: ``https://forum.example/t/<slug>/<id>`` (also ``/t/<id>``, a post number
  after it, ``.json``, and a forum installed under a path such as
  ``/forum/t/…``). Any host: Discourse is self-hosted, and its topic URLs are
  recognised by their shape.
* ``GET /t/<id>.json`` answers the topic, its first posts (20) and
  ``post_stream.stream``, the ids of every post. The others are asked for 20 at
  a time: ``GET /t/<id>/posts.json?post_ids[]=…``.
* Optional credentials (a private category, a members-only forum): an API key,
  sent as the ``Api-Key`` and ``Api-Username`` headers. From
  ``MODTOOL_DISCOURSE_USER`` and ``MODTOOL_DISCOURSE_API_KEY``, or a
  ``[[discourse]]`` entry (``url``, ``user``, ``api_key``) of the credentials
  file; never from the command line, never written to the cache.
* The document: the topic answer with every fetched post in
  ``post_stream.posts`` (by post number): what the ``discourse`` format reads.
  Posts of the stream not fetched (``--max``) count as missing.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import SplitResult, urlencode

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
    signed_in,
)
from modtool.fetch.pages import Pages, Stopped
from modtool.platforms.http import PlatformError

NAME = "discourse"
FORMAT = "discourse"
DESCRIPTION = "a Discourse topic, https://forum.example/t/<slug>/<id>"
USER_ENV = "MODTOOL_DISCOURSE_USER"
SECRET_ENV = "MODTOOL_DISCOURSE_API_KEY"
CHUNK = 20
_LATEST = re.compile(r"^(?P<prefix>(?:/[^/]+)*?)/(?P<kind>latest|top|new|hot)(?:\.json)?/?$")
_TOPIC = re.compile(
    r"^(?P<prefix>(?:/[^/]+)*?)/t/(?:(?P<slug>[^/]+)/)?(?P<id>\d{1,19})(?:\.json)?(?:/\d+)?/?$"
)


def recognises(parts: SplitResult) -> bool:
    return _TOPIC.match(parts.path) is not None


def target(url: str, parts: SplitResult, forced: bool) -> Target:
    found = _TOPIC.match(parts.path)
    topic = None
    if found is not None:
        # /t/<id>/<post number>: Discourse never makes an all-digit slug ("topic" instead)
        slug = found.group("slug")
        topic = digits(slug if slug is not None and slug.isdigit() else found.group("id"))
    if found is None or topic is None:
        raise not_a_thread(url, "Discourse", DESCRIPTION)
    api = origin(parts) + found.group("prefix")
    key = f"{host_of(parts)}{found.group('prefix')}/{topic}"
    return Target(NAME, topic, f"{api}/t/{topic}", api, key)


def listing(url: str, parts: SplitResult, forced: bool) -> Listing | None:
    """``--format discourse`` with a forum's ``/latest``, ``/top``, ``/new`` or
    ``/hot`` (any site has such paths: only when asked): its listed topics."""
    found = _LATEST.match(parts.path)
    if found is None or not forced:
        return None
    api = origin(parts) + found.group("prefix")
    return Listing(NAME, url, f"{api}/{found.group('kind')}.json", {"api": api})


def threads(listing: Listing, answer: Any) -> list[str]:
    topic_list = answer.get("topic_list") if isinstance(answer, dict) else None
    topics = topic_list.get("topics") if isinstance(topic_list, dict) else None
    if not isinstance(topics, list):
        raise PlatformError("Discourse: the answer has no topic_list.topics")
    api = listing.options["api"]
    return [
        f"{api}/t/{topic['id']}"
        for topic in topics
        if isinstance(topic, dict) and digits(str(topic.get("id", ""))) is not None
    ]


def client(target: Target) -> Client:
    return signed_in(
        "discourse",
        target,
        user_env=USER_ENV,
        secret_env=SECRET_ENV,
        secret_key="api_key",
        pause=0.2,
        use=lambda found: {"headers": {"Api-Key": found.secret, "Api-Username": found.user}},
    )


def fetch(target: Target, pages: Pages) -> Document:
    first = pages.get("topic", f"{target.api}/t/{target.thread}.json")
    assert first is not None
    topic = first.data
    deep_answer(topic, "Discourse")
    stream = _post_stream(topic)
    posts: dict[int, dict[str, Any]] = {}
    _add(posts, stream.get("posts"))
    pages.saw(len(posts))
    ids = stream.get("stream")
    listed = ids if isinstance(ids, list) else []
    wanted = [i for i in listed if isinstance(i, int) and i not in posts]
    stopped = None
    try:
        for start in range(0, len(wanted), CHUNK):
            query = urlencode([("post_ids[]", str(i)) for i in wanted[start : start + CHUNK]])
            page = pages.get(
                f"posts-{start // CHUNK + 1}", f"{target.api}/t/{target.thread}/posts.json?{query}"
            )
            assert page is not None
            deep_answer(page.data, "Discourse")
            before = len(posts)
            _add(posts, _post_stream(page.data).get("posts"))
            pages.saw(len(posts) - before)
    except Stopped as why:
        stopped = why.why
    stream["posts"] = sorted(posts.values(), key=_number)
    data = json.dumps(topic, ensure_ascii=False).encode()
    return Document(pages.assemble("topic.json", data), FORMAT, stopped)


def _post_stream(data: Any) -> dict[str, Any]:
    stream = data.get("post_stream") if isinstance(data, dict) else None
    if not isinstance(stream, dict):
        raise PlatformError("Discourse: the answer has no post_stream (is this a Discourse topic?)")
    return stream


def _add(posts: dict[int, dict[str, Any]], found: Any) -> None:
    if not isinstance(found, list):
        return
    for post in found:
        if isinstance(post, dict) and isinstance(post.get("id"), int):
            posts[post["id"]] = post


def _number(post: dict[str, Any]) -> int:
    number = post.get("post_number")
    return number if isinstance(number, int) and not isinstance(number, bool) else 0
