"""Bluesky: ``app.bsky.feed.getPostThread`` answers (and ``getPosts`` lists).

What the AppView returns (lexicons ``app.bsky.feed.getPostThread`` and
``app.bsky.feed.defs``)::

    {"thread": {"$type": "app.bsky.feed.defs#threadViewPost",
                "post": {"uri": "at://did:plc:…/app.bsky.feed.post/3k…", "cid": "bafy…",
                         "author": {"did": "did:plc:…", "handle": "ann.bsky.social", …},
                         "record": {"$type": "app.bsky.feed.post", "text": "…",
                                    "createdAt": "…", "facets": […],
                                    "reply": {"root": {"uri": …}, "parent": {"uri": …}}},
                         "labels": [{"val": "!hide", "src": "did:…", …}],
                         "replyCount": 2, "likeCount": 5, "indexedAt": "…"},
                "parent": {… the same, up the chain …},
                "replies": [{"$type": "…#threadViewPost", …},
                            {"$type": "…#notFoundPost", "uri": …, "notFound": true},
                            {"$type": "…#blockedPost", "uri": …, "blocked": true}]}}

Also read: ``getPostThreadV2``'s flat ``thread`` list (items with
``value.post``), ``getPosts`` (``{"posts": [postView]}``), a bare post view,
and several answers as one document (see :mod:`.answers`).

Mapping (``docs/formats.md``), platform ``bluesky``:

* identity: the post's ``uri`` (``cid`` in meta: it names the version);
  a post's thread is ``record.reply.root.uri`` (a post that replies to
  nothing is a thread root, the article; its first line the title); its parent ``record.reply.parent.uri``.
  A root not in the answer (cut by ``parentHeight``) still names the thread
  (its replies are then top-level comments); any other missing parent makes
  an orphan;
* ``#notFoundPost`` (deleted) and ``#blockedPost`` replies are comments the
  platform has but the answer does not show: the thread's missing count;
* body: ``record.text`` (plain text); links and mentions from ``facets`` in
  meta (``links``, ``mentions``); author: ``author.handle`` (``did`` in meta);
* labels (moderation labels from Bluesky's and other labelers) in meta
  ``labels``; ``!takedown``, ``!hide`` → removed, ``spam`` → spam;
* meta: ``cid``, ``did``, ``reply_count``, ``repost_count``, ``like_count``,
  ``quote_count``, ``url`` (``https://bsky.app/profile/<handle>/post/<rkey>``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from modtool.importers import answers, jsonread
from modtool.importers.dates import iso_utc
from modtool.importers.records import (
    CommentRecord,
    MissingRecord,
    ProblemRecord,
    Record,
    ThreadRecord,
)

NAME = "bluesky"
PLATFORM = "bluesky"
EXTENSIONS: tuple[str, ...] = ()
GROUPED = False
THREAD_ID_IS_A_PARENT = True  # threads and comments share one id space (importers/base.py)
MULTI_FILE = True
DESCRIPTION = (
    "Bluesky app.bsky.feed.getPostThread answers ({thread: threadViewPost with post, "
    "parent, replies}) or getPosts ({posts: [postView]})"
)

_BSKY = re.compile(rb"app\.bsky\.feed\.|at://did:")
_KEYS = re.compile(rb'"(?:thread|posts|post|uri)"\s*:')
REMOVED_LABELS = frozenset({"!takedown", "!hide"})
SPAM_LABELS = frozenset({"spam"})
_MISSING = ("notFoundPost", "blockedPost", "threadItemNotFound", "threadItemBlocked")


def sniff(head: bytes, path: Path) -> bool:
    """JSON with ``at://did:`` URIs or ``app.bsky.feed.*`` types, and thread/post keys."""
    return answers.sniff_keys(head, path, _BSKY, _KEYS)


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    for member, where, value in answers.iter_answers(path):
        yield from _answer(member, where, value)


def _answer(member: Path, where: str, value: Any) -> Iterator[Record]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _answer(member, answers.place(where, index), item)
        return
    if not isinstance(value, dict):
        raise answers.shape_error(member, where, f"expected {DESCRIPTION}")
    if "thread" in value:
        thread = value["thread"]
        at = answers.place(where, "thread")
        if isinstance(thread, list):  # getPostThreadV2: flat items
            for index, item in enumerate(thread):
                node = answers.obj(answers.obj(item).get("value"))
                yield from _node(member, answers.place(at, index, "value"), node, walk=False)
            return
        yield from _node(member, at, thread, walk=True)
        return
    if "posts" in value:
        posts = value["posts"]
        if not isinstance(posts, list):
            raise answers.shape_error(member, answers.place(where, "posts"), "expected a list")
        for index, post in enumerate(posts):
            yield from _post(member, answers.place(where, "posts", index), post)
        return
    if "record" in value and "uri" in value:  # a bare post view
        yield from _post(member, where, value)
        return
    raise answers.shape_error(member, where, f"expected {DESCRIPTION}")


def _kind(node: dict[str, Any]) -> str:
    return jsonread.text(node.get("$type")).rpartition("#")[2]


def _node(member: Path, where: str, node: Any, walk: bool) -> Iterator[Record]:
    """A thread view and (``walk``) its parents and replies, without recursion."""
    stack: list[tuple[Any, str, str | None]] = [(node, where, None)]
    while stack:
        current, at, below = stack.pop()
        if not isinstance(current, dict):
            raise answers.shape_error(member, at, "expected a thread view object")
        kind = _kind(current)
        if kind in _MISSING or current.get("notFound") is True or current.get("blocked") is True:
            if below is not None:  # a reply the answer does not show: counted
                yield MissingRecord(below, 1)
            continue
        post = current.get("post")
        if not isinstance(post, dict):
            raise answers.shape_error(member, at, "a thread view without a post")
        records = list(_post(member, answers.place(at, "post"), post))
        yield from records
        thread = next(
            (record.thread_external_id for record in records if isinstance(record, CommentRecord)),
            next((r.external_id for r in records if isinstance(r, ThreadRecord)), None),
        )
        if not walk:
            continue
        if current.get("parent") is not None:
            stack.append((current["parent"], answers.place(at, "parent"), None))
        replies = current.get("replies")
        if replies is None:
            continue
        if not isinstance(replies, list):
            raise answers.shape_error(member, answers.place(at, "replies"), "expected a list")
        for index in range(len(replies) - 1, -1, -1):
            stack.append((replies[index], answers.place(at, "replies", index), thread))


def _post(member: Path, where: str, post: Any) -> Iterator[Record]:
    if not isinstance(post, dict):
        raise answers.shape_error(member, where, "expected a post view object")
    uri = jsonread.text(post.get("uri")).strip()
    record = answers.obj(post.get("record"))
    reply = answers.obj(record.get("reply"))
    root = jsonread.text(answers.obj(reply.get("root")).get("uri")).strip() or None
    parent = jsonread.text(answers.obj(reply.get("parent")).get("uri")).strip() or None
    if not uri:
        yield ProblemRecord(root, f"{member}: {where}", "a post without a uri")
        return
    meta = _meta(post, record, uri)
    author = answers.obj(post.get("author"))
    handle = jsonread.text(author.get("handle"))
    if root is None or root == uri:
        meta["author"] = handle
        text = jsonread.text(record.get("text"))
        yield ThreadRecord(
            platform=PLATFORM,
            external_id=uri,
            title=answers.headline(text),
            article=text,
            url=meta.get("url"),
            created_at=iso_utc(record.get("createdAt")),
            meta=meta,
        )
        return
    yield ThreadRecord(platform=PLATFORM, external_id=root)  # the root may not be here
    yield CommentRecord(
        thread_external_id=root,
        external_id=uri,
        parent_external_id=parent,
        author=handle,
        body=jsonread.text(record.get("text")),
        created_at=iso_utc(record.get("createdAt")),
        status=_status(meta.get("labels", ())),
        meta=meta,
        where=f"{member.name}: {where}",
    )


def _status(labels: Any) -> str:
    values = set(labels)
    if values & REMOVED_LABELS:
        return "removed"
    if values & SPAM_LABELS:
        return "spam"
    return "visible"


def _meta(post: dict[str, Any], record: dict[str, Any], uri: str) -> dict[str, Any]:
    author = answers.obj(post.get("author"))
    meta: dict[str, Any] = {}
    cid = jsonread.text(post.get("cid"))
    if cid:
        meta["cid"] = cid
    did = jsonread.text(author.get("did"))
    if did:
        meta["did"] = did
    handle = jsonread.text(author.get("handle"))
    rkey = uri.rpartition("/")[2]
    if handle and "/app.bsky.feed.post/" in uri:
        meta["url"] = f"https://bsky.app/profile/{handle}/post/{rkey}"
    for key, name in (
        ("replyCount", "reply_count"),
        ("repostCount", "repost_count"),
        ("likeCount", "like_count"),
        ("quoteCount", "quote_count"),
    ):
        if jsonread.is_number(post.get(key)):
            meta[name] = post[key]
    labels = [
        jsonread.text(label.get("val"))
        for label in post.get("labels") or ()
        if isinstance(label, dict) and label.get("val") and label.get("neg") is not True
    ]
    if labels:
        meta["labels"] = labels
    links, mentions = _facets(record.get("facets"))
    if links:
        meta["links"] = links
    if mentions:
        meta["mentions"] = mentions
    return meta


def _facets(facets: Any) -> tuple[list[str], list[str]]:
    links: list[str] = []
    mentions: list[str] = []
    for facet in facets if isinstance(facets, list) else ():
        for feature in answers.obj(facet).get("features") or ():
            feature = answers.obj(feature)
            kind = jsonread.text(feature.get("$type"))
            if kind.endswith("#link") and feature.get("uri"):
                links.append(jsonread.text(feature["uri"]))
            elif kind.endswith("#mention") and feature.get("did"):
                mentions.append(jsonread.text(feature["did"]))
    return links, mentions
