"""Lemmy API answers: ``/api/v3/comment/list``, ``/api/v3/post``, ``/api/v3/comment``.

What the API returns (lemmy-js-client's ``GetCommentsResponse``,
``GetPostResponse``, ``CommentResponse``)::

    {"comments": [{"comment": {"id": 104134, "post_id": 30391, "path": "0.104129.104134",
                               "content": "markdown", "removed": false, "deleted": false,
                               "published": "…", "updated": "…", "ap_id": "https://host/comment/104134",
                               "distinguished": false},
                   "creator": {"name": "saltlake", "actor_id": "https://host/u/saltlake", …},
                   "post": {"id": 30391, "name": "Title", "ap_id": "https://host/post/30391", …},
                   "community": {…}, "counts": {"score": 1, "upvotes": 1, "downvotes": 0,
                                               "child_count": 2}}, …]}
    {"post_view": {"post": {…}, "creator": {…}, "community": {…}, "counts": {"comments": 40, …}},
     "community_view": {…}, "moderators": […], "cross_posts": […]}
    {"comment_view": {… as one element of "comments" …}}

Several answers make one document (pages of ``comment/list``, the post
beside them; see :mod:`.answers`).

Mapping (``docs/formats.md``), platform ``fediverse``:

* identity is ActivityPub's: a post's and a comment's ``ap_id`` (the local
  ``id`` differs on every server; it is kept in meta as ``local_id``), so a
  thread read through two servers, or as ActivityPub objects, is one thread;
* the post is the thread (``name`` the title, ``body`` the article, ``url``
  the link target in meta); a comment list also carries each comment's post,
  so comments of many posts land in their own threads;
* ``comment.path`` (``0.12.34``: the ids from the top) gives the parent;
  a parent that is not in the document is named by its local id (the answer
  has no ``ap_id`` for it) and the reply is an orphan. A comment on two
  pages (pages shift as comments arrive) keeps its later copy;
* ``removed`` (by a moderator) → removed, ``deleted`` (by its author) →
  deleted; ``content`` is markdown, kept as it is; author ``name@server``
  from ``creator.actor_id``; meta: ``local_id``, ``score``, ``upvotes``,
  ``downvotes``, ``child_count``, ``distinguished``, ``edited`` (``updated``);
* a post answer's ``counts.comments`` beyond the comments in the document is
  the thread's missing count. A post without comments in the document is not
  imported (as for every format).

The answers are read twice (local ids to ``ap_id`` first, records second), so
only ids are held, never the answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from modtool.importers import answers, jsonread
from modtool.importers.activitypub import actor_name
from modtool.importers.dates import iso_utc
from modtool.importers.records import (
    CommentRecord,
    MissingRecord,
    ProblemRecord,
    Record,
    ThreadRecord,
)

NAME = "lemmy"
PLATFORM = "fediverse"
EXTENSIONS: tuple[str, ...] = ()
GROUPED = False
MULTI_FILE = True
DESCRIPTION = (
    "Lemmy API answers: /api/v3/comment/list ({comments: [{comment, creator, post, counts}]}), "
    "/api/v3/post ({post_view}) or /api/v3/comment ({comment_view})"
)

_KEYS = re.compile(rb'"(?:comments|post_view|comment_view|posts)"\s*:')
_LEMMY = re.compile(rb'"(?:ap_id|creator_id|post_id)"\s*:')


def sniff(head: bytes, path: Path) -> bool:
    """JSON with ``comments``/``post_view``/``comment_view`` and Lemmy's ``ap_id``/``creator_id``."""
    return answers.sniff_keys(head, path, _KEYS, _LEMMY)


View = tuple[Path, str, str, dict[str, Any]]
"""``(file, where, kind, view)``: ``kind`` is ``comment`` or ``post``."""


def _views(path: Path) -> Iterator[View]:
    for member, where, value in answers.iter_answers(path):
        yield from _answer_views(member, where, value)


def _answer_views(member: Path, where: str, value: Any) -> Iterator[View]:
    if isinstance(value, list):  # several answers saved as one JSON array
        for index, item in enumerate(value):
            yield from _answer_views(member, answers.place(where, index), item)
        return
    if not isinstance(value, dict):
        raise answers.shape_error(member, where, f"expected {DESCRIPTION}")
    matched = False
    for key, kind in (("post_view", "post"), ("comment_view", "comment")):
        if key in value:
            matched = True
            yield member, answers.place(where, key), kind, _view(member, where, key, value[key])
    for key, kind in (("comments", "comment"), ("posts", "post")):
        if key in value:
            matched = True
            listed = value[key]
            if not isinstance(listed, list):
                raise answers.shape_error(member, answers.place(where, key), "expected a list")
            for index, view in enumerate(listed):
                at = answers.place(where, key, index)
                yield member, at, kind, _view(member, at, None, view)
    if not matched:
        raise answers.shape_error(member, where, f"expected {DESCRIPTION}")


def _view(member: Path, where: str, key: str | None, view: Any) -> dict[str, Any]:
    if not isinstance(view, dict):
        at = answers.place(where, key) if key else where
        raise answers.shape_error(member, at, "expected a view object")
    return view


def _post_key(post: dict[str, Any]) -> str | None:
    return jsonread.text(post.get("ap_id")).strip() or jsonread.id_text(post.get("id"))


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    # Pass 1: local ids to ap_ids, each post's declaration, the post answers' counts.
    comment_ids: dict[str, str] = {}
    post_ids: dict[str, str] = {}
    posts: dict[str, ThreadRecord] = {}
    totals: dict[str, int] = {}
    last: dict[str, int] = {}  # pages overlap when comments arrive between two requests
    for index, (_, _, kind, view) in enumerate(_views(path)):
        post = answers.obj(view.get("post"))
        local, key = jsonread.id_text(post.get("id")), _post_key(post)
        if local and key:
            if kind == "post":  # a post answer says more than a comment's copy of the post
                post_ids[local] = key
                posts[key] = _thread(view, post, key)
                total = answers.obj(view.get("counts")).get("comments")
                if isinstance(total, int) and not isinstance(total, bool):
                    totals[key] = total
            else:
                post_ids.setdefault(local, key)
                posts.setdefault(key, _thread(view, post, key))
        if kind == "comment":
            comment = answers.obj(view.get("comment"))
            comment_local = jsonread.id_text(comment.get("id"))
            if comment_local:
                last[comment_local] = index
                comment_ids[comment_local] = (
                    jsonread.text(comment.get("ap_id")).strip() or comment_local
                )
    # Pass 2: the records, each thread declared before its first comment.
    seen: dict[str, set[str]] = {}
    for index, (member, where, kind, view) in enumerate(_views(path)):
        if kind == "post":
            continue  # a post without comments in the document is not imported
        comment = answers.obj(view.get("comment"))
        local = jsonread.id_text(comment.get("id"))
        if local is not None and last.get(local) != index:
            continue  # read again later in the document: that copy is kept
        post_local = jsonread.id_text(comment.get("post_id")) or jsonread.id_text(
            answers.obj(view.get("post")).get("id")
        )
        thread = post_ids.get(post_local or "") or post_local
        if thread is None:
            yield ProblemRecord(None, f"{member}: {where}", "a comment without post_id")
            continue
        if thread not in seen:
            seen[thread] = set()
            yield posts.get(thread) or ThreadRecord(platform=PLATFORM, external_id=thread)
        if local is None:
            yield ProblemRecord(thread, f"{member}: {where}", "a comment without an id")
            continue
        external = comment_ids.get(local, local)
        seen[thread].add(external)
        yield _comment(view, comment, thread, external, comment_ids, f"{member.name}: {where}")
    for thread, ids in seen.items():
        total = totals.get(thread)
        if total is not None and total > len(ids):
            yield MissingRecord(thread, total - len(ids))


def _thread(view: dict[str, Any], post: dict[str, Any], thread: str) -> ThreadRecord:
    meta: dict[str, Any] = {}
    local = jsonread.id_text(post.get("id"))
    if local:
        meta["local_id"] = local
    creator = answers.obj(view.get("creator"))
    if creator:
        meta["author"] = _author(creator)
    community = answers.obj(view.get("community"))
    if community.get("name"):
        meta["community"] = jsonread.text(community["name"])
    link = jsonread.text(post.get("url")).strip()
    if link:
        meta["link_url"] = link
    counts = answers.obj(view.get("counts"))
    for key in ("score", "comments"):
        if jsonread.is_number(counts.get(key)):
            meta[key] = counts[key]
    for flag, status in (("removed", "removed"), ("deleted", "deleted")):
        if post.get(flag) is True:
            meta["status"] = status
    if post.get("locked") is True:
        meta["locked"] = True
    return ThreadRecord(
        platform=PLATFORM,
        external_id=thread,
        title=jsonread.text(post.get("name")),
        article=jsonread.text(post.get("body")),
        url=jsonread.text(post.get("ap_id")).strip() or None,
        created_at=iso_utc(post.get("published")),
        meta=meta or None,
    )


def _author(creator: dict[str, Any]) -> str:
    if creator.get("actor_id"):
        return actor_name(creator["actor_id"])
    return jsonread.text(creator.get("name"))


def _parent(comment: dict[str, Any], comment_ids: dict[str, str]) -> str | None:
    """The parent from ``path`` (``0.12.34``: 34 is the comment, 12 its parent)."""
    steps = jsonread.text(comment.get("path")).split(".")
    if len(steps) < 3:
        return None
    parent = steps[-2]
    return comment_ids.get(parent, parent)


def _comment(
    view: dict[str, Any],
    comment: dict[str, Any],
    thread: str,
    external: str,
    comment_ids: dict[str, str],
    where: str,
) -> CommentRecord:
    meta: dict[str, Any] = {"local_id": jsonread.id_text(comment.get("id"))}
    counts = answers.obj(view.get("counts"))
    for key in ("score", "upvotes", "downvotes", "child_count"):
        if jsonread.is_number(counts.get(key)):
            meta[key] = counts[key]
    if comment.get("distinguished") is True:
        meta["distinguished"] = True
    if comment.get("updated"):
        meta["edited"] = iso_utc(comment["updated"]) or True
    status = "visible"
    if comment.get("removed") is True:
        status = "removed"
    elif comment.get("deleted") is True:
        status = "deleted"
    return CommentRecord(
        thread_external_id=thread,
        external_id=external,
        parent_external_id=_parent(comment, comment_ids),
        author=_author(answers.obj(view.get("creator"))),
        body=jsonread.text(comment.get("content")),
        created_at=iso_utc(comment.get("published")),
        status=status,
        meta=meta,
        where=where,
    )
