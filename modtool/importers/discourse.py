"""Discourse: a topic's JSON (``/t/<id>.json``), a page of it, or a ``/posts.json`` list.

A topic answer holds the topic and, in ``post_stream.posts``, its posts::

    {"id": 2144, "title": "…", "slug": "…", "created_at": "…", "posts_count": 40,
     "post_stream": {"posts": [{"id": 9001, "post_number": 1, "username": "ann",
                                "cooked": "<p>…</p>", "reply_to_post_number": null,
                                "post_type": 1, "created_at": "…", …}, …],
                     "stream": [9001, 9002, …]}}

Mapping (see ``docs/formats.md``):

* the topic is the thread (``id``, ``title``, ``created_at``; ``slug``,
  ``category_id``, ``tags``, ``views``, ``posts_count`` in meta); **post 1 is
  the article**, not a comment;
* a comment's external id is its **post number** (what the topic's URLs and
  ``reply_to_post_number`` use, so parents outside the file can still be
  named); the post's own ``id`` is kept in meta as ``post_id``.
  ``reply_to_post_number`` null or 1 → top level;
* body: ``cooked`` HTML through :func:`~modtool.importers.html.html_to_text`
  (``raw`` markdown when there is no ``cooked``);
* status: ``user_deleted`` or ``deleted_at`` → deleted, ``hidden`` (hidden by
  flags or staff) → removed;
* ``post_type`` 3 ("small action": *closed the topic*, *split this topic*,
  with an ``action_code``) is a notice written by Discourse, not a comment:
  skipped. Moderator actions (2) and whispers (4) are kept, ``post_type`` named
  in meta;
* meta: ``post_id``, ``score``, ``reads``, ``likes``, ``edited`` (``updated_at``
  when ``version`` > 1), ``permalink`` (``/t/<slug>/<topic>/<n>``, relative:
  the file does not say which site);
* **a page of a long topic**: ``post_stream.stream`` lists every post id,
  ``posts`` only the page's. The posts outside the page are counted as the
  thread's missing comments; replies to them are orphans (the parent number is
  kept). A ``/t/<id>/posts.json`` answer (``post_stream`` without a title) is
  such a page.

A ``/posts.json`` answer (``latest_posts``, posts of many topics, each with
``topic_id``/``topic_title``/``topic_slug``) is grouped by topic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from modtool.errors import ParseError
from modtool.importers import jsonread
from modtool.importers.dates import iso_utc
from modtool.importers.html import html_to_text
from modtool.importers.records import (
    CommentRecord,
    MissingRecord,
    ProblemRecord,
    Record,
    ThreadRecord,
)

NAME = "discourse"
PLATFORM = "discourse"
# No extension claim: .json/.jsonl are shared by the JSON formats and sniffing decides;
# a JSON document nobody recognises then gets the list of what each format expects.
EXTENSIONS: tuple[str, ...] = ()
GROUPED = True
DESCRIPTION = (
    "Discourse topic JSON (/t/<id>.json: id, title, post_stream.posts with post_number, "
    "username, cooked, reply_to_post_number) or /posts.json (latest_posts)"
)

SMALL_ACTION = 3
POST_TYPES = {1: "regular", 2: "moderator_action", 3: "small_action", 4: "whisper"}
_KEYS = re.compile(rb'"(?:post_stream|latest_posts)"\s*:')


def sniff(head: bytes, path: Path) -> bool:
    """A JSON object with ``post_stream`` or ``latest_posts``, or posts with ``post_number``."""
    if jsonread.strip_head(head)[:1] not in (b"{", b"["):
        return False
    if _KEYS.search(head):
        return True
    return b'"post_number"' in head and (b'"cooked"' in head or b'"raw"' in head)


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    document = jsonread.load_document(path)
    if isinstance(document, dict) and isinstance(document.get("post_stream"), dict):
        return _topic(path, document)
    if isinstance(document, dict) and "latest_posts" in document:
        return _latest(path, document.get("latest_posts"), "$.latest_posts")
    if isinstance(document, list):
        return _latest(path, document, "$")
    raise ParseError.at(path, "$", f"expected {DESCRIPTION}")


def _topic(path: Path, topic: dict[str, Any]) -> Iterator[Record]:
    stream = topic["post_stream"]
    posts = stream.get("posts")
    if not isinstance(posts, list):
        raise ParseError.at(path, "$.post_stream.posts", "expected a list of posts")
    topic_id = jsonread.id_text(topic.get("id"))
    if topic_id is None:
        topic_id = next(
            (
                jsonread.id_text(post.get("topic_id"))
                for post in posts
                if isinstance(post, dict) and post.get("topic_id") is not None
            ),
            None,
        )
    if topic_id is None:
        raise ParseError.at(path, "$.id", "a topic needs an id (or posts with topic_id)")
    slug = jsonread.text(topic.get("slug")) or _first(posts, "topic_slug")
    yield from _thread_and_posts(
        path, topic_id, slug, topic, [(f"$.post_stream.posts[{i}]", p) for i, p in enumerate(posts)]
    )
    listed = stream.get("stream")
    if isinstance(listed, list) and len(listed) > len(posts):
        shown = {post.get("id") for post in posts if isinstance(post, dict)}
        missing = sum(1 for post_id in listed if post_id not in shown)
        if listed and listed[0] not in shown:
            missing -= 1  # the stream starts with post 1: the article, not a comment
        if missing > 0:
            yield MissingRecord(topic_id, missing)


def _first(posts: list[Any], key: str) -> str:
    for post in posts:
        if isinstance(post, dict) and post.get(key):
            return jsonread.text(post[key])
    return ""


def _latest(path: Path, posts: Any, where: str) -> Iterator[Record]:
    if not isinstance(posts, list):
        raise ParseError.at(path, where, "expected a list of posts")
    topics: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for index, post in enumerate(posts):
        place = f"{where}[{index}]"
        if not isinstance(post, dict):
            raise ParseError.at(path, place, "expected a post object")
        topic_id = jsonread.id_text(post.get("topic_id"))
        if topic_id is None:
            raise ParseError.at(path, place, "a post without topic_id")
        topics.setdefault(topic_id, []).append((place, post))
    for topic_id, placed in topics.items():
        first = placed[0][1]
        topic = {"title": first.get("topic_title"), "slug": first.get("topic_slug")}
        yield from _thread_and_posts(path, topic_id, jsonread.text(topic["slug"]), topic, placed)


def _thread_and_posts(
    path: Path,
    topic_id: str,
    slug: str,
    topic: dict[str, Any],
    posts: list[tuple[str, Any]],
) -> Iterator[Record]:
    article = ""
    created = topic.get("created_at")
    comments: list[Record] = []
    for where, post in posts:
        if not isinstance(post, dict):
            raise ParseError.at(path, where, "expected a post object")
        number = post.get("post_number")
        if not isinstance(number, int) or isinstance(number, bool):
            comments.append(ProblemRecord(topic_id, where, "a post without a post_number"))
            continue
        if number == 1:
            article = _body(post)
            created = created or post.get("created_at")
            continue
        if post.get("post_type") == SMALL_ACTION:
            continue
        comments.append(_comment(post, topic_id, slug, number, where))
    yield ThreadRecord(
        platform=PLATFORM,
        external_id=topic_id,
        title=jsonread.text(topic.get("title")),
        article=article,
        created_at=iso_utc(created),
        meta=_topic_meta(topic, slug),
    )
    yield from comments


def _topic_meta(topic: dict[str, Any], slug: str) -> dict[str, Any] | None:
    meta: dict[str, Any] = {}
    if slug:
        meta["slug"] = slug
    for key in ("category_id", "views", "posts_count", "like_count"):
        value = topic.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            meta[key] = value
    tags = topic.get("tags")
    if isinstance(tags, list) and tags:
        meta["tags"] = [tag.get("name") if isinstance(tag, dict) else str(tag) for tag in tags]
    return meta or None


def _body(post: dict[str, Any]) -> str:
    cooked = post.get("cooked")
    if cooked is None:
        return jsonread.text(post.get("raw")).strip()
    return html_to_text(jsonread.text(cooked))


def _status(post: dict[str, Any]) -> str:
    if post.get("user_deleted") is True or post.get("deleted_at"):
        return "deleted"
    if post.get("hidden") is True:
        return "removed"
    return "visible"


def _comment(
    post: dict[str, Any], topic_id: str, slug: str, number: int, where: str
) -> CommentRecord:
    reply_to = post.get("reply_to_post_number")
    parent = None if reply_to in (None, 1) else jsonread.id_text(reply_to)
    meta: dict[str, Any] = {}
    post_id = jsonread.id_text(post.get("id"))
    if post_id:
        meta["post_id"] = post_id
    for key in ("score", "reads"):
        value = post.get(key)
        if jsonread.is_number(value):
            meta[key] = value
    likes = _likes(post)
    if likes:
        meta["likes"] = likes
    version = post.get("version")
    if isinstance(version, int) and version > 1 and post.get("updated_at"):
        meta["edited"] = iso_utc(post["updated_at"]) or True
    post_type = post.get("post_type")
    if post_type not in (None, 1):
        meta["post_type"] = POST_TYPES.get(post_type, str(post_type))
    meta["permalink"] = f"/t/{slug or 'topic'}/{topic_id}/{number}"
    return CommentRecord(
        thread_external_id=topic_id,
        external_id=str(number),
        parent_external_id=parent,
        author=jsonread.text(post.get("username")),
        body=_body(post),
        created_at=iso_utc(post.get("created_at")),
        status=_status(post),
        meta=meta,
        where=where,
    )


def _likes(post: dict[str, Any]) -> int:
    """The like count from ``actions_summary`` (action type 2)."""
    summary = post.get("actions_summary")
    if not isinstance(summary, list):
        return 0
    for action in summary:
        if isinstance(action, dict) and action.get("id") == 2:
            count = action.get("count")
            return count if isinstance(count, int) else 0
    return 0
