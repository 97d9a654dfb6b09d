"""Remark42: its backup file (``remark42 backup``), and its API's comment tree or list.

The backup (``backend/app/migrator/native.go``; ``backup-<site>-<date>.gz``,
read back by ``remark42 restore``) is one JSON value per line: a header, then
one comment per line::

    {"version": 1, "users": [{"id": "github_…", "blocked": {…}, "verified": true,
                              "details": {"email": "…", "telegram": "…"}}], "posts": [{"url": …}]}
    {"id": "efbc…", "pid": "", "text": "<p>HTML</p>", "orig": "markdown",
     "user": {"name": "ann", "id": "github_…", "picture": "…", "ip": "hmac", "admin": false},
     "locator": {"site": "radio-t", "url": "https://radio-t.com/p/1/"}, "score": 3,
     "time": "2017-12-20T15:18:22-06:00", "edit": {"time": …, "summary": …},
     "delete": false, "pin": false, "title": "Post title"}

The API (``GET /api/v1/find?site=…&url=…&format=tree``) answers
``{"comments": [{"comment": {…}, "replies": [{"comment": …, "replies": […]}]}],
"info": {…}}``; ``format=plain`` answers ``{"comments": [comment, …], "info": …}``.

Mapping (``docs/formats.md``), platform ``remark42``:

* every post (``locator.url``) with comments is a thread named by its URL
  (``title`` from the comments, ``locator.site`` in meta);
* ``id`` is the id, ``pid`` the parent (empty: top level);
* body: ``text`` (sanitized HTML) to text, ``orig`` (the markdown typed) when
  there is no text; ``delete`` true → deleted (Remark42 empties the text);
* author: ``user.name`` (``user.id`` in meta as ``user_id``, ``admin``,
  ``blocked`` and ``verified`` when true). **Never read**: the header's
  ``users[].details`` (e-mail, Telegram), ``user.ip`` and ``voted_ips``
  (hashed IP addresses);
* meta: ``score``, ``pinned``, ``edited`` (``edit.time``), ``imported``.

The backup is streamed line by line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from modtool.importers import answers, jsonread
from modtool.importers.dates import iso_utc
from modtool.importers.html import html_to_text
from modtool.importers.records import CommentRecord, ProblemRecord, Record, ThreadRecord

NAME = "remark42"
PLATFORM = "remark42"
EXTENSIONS: tuple[str, ...] = ()
GROUPED = False
MULTI_FILE = True
DESCRIPTION = (
    "a Remark42 backup (a header line, then one comment per line: id, pid, text, user, "
    "locator) or its API's comment tree ({comments: [{comment, replies}]})"
)

_LOCATOR = re.compile(rb'"locator"\s*:')
_PID = re.compile(rb'"pid"\s*:')
_HEADER = re.compile(rb'^\{\s*"version"\s*:\s*\d+\s*,\s*"users"\s*:')


def sniff(head: bytes, path: Path) -> bool:
    """Comments with ``locator`` and ``pid``, or the backup's ``{"version", "users"…`` header."""
    data = answers.head(head, path)
    if _HEADER.match(jsonread.strip_head(data)):
        return True
    return answers.sniff_keys(data, path, _LOCATOR, _PID)


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    declared: dict[str, str] = {}  # thread → the title it was declared with
    for member, where, value in answers.iter_answers(path):
        if isinstance(value, dict) and "locator" in value:
            yield from _comment(member, where, value, declared)
        elif isinstance(value, dict) and isinstance(value.get("comments"), list):
            yield from _tree(member, where, value["comments"], declared)
        elif isinstance(value, dict) and "version" in value and "comments" not in value:
            continue  # the backup's header: users (with their details) and posts, never read
        else:
            raise answers.shape_error(member, where, f"expected {DESCRIPTION}")


def _tree(member: Path, where: str, nodes: list[Any], declared: dict[str, str]) -> Iterator[Record]:
    """A tree (``{comment, replies}`` nodes) or a plain list, depth first, no recursion."""
    stack = [(node, answers.place(where, "comments", i)) for i, node in enumerate(nodes)][::-1]
    while stack:
        node, at = stack.pop()
        if not isinstance(node, dict):
            raise answers.shape_error(member, at, "expected a comment or a tree node")
        if "comment" in node:
            comment = node["comment"]
            if not isinstance(comment, dict):
                raise answers.shape_error(
                    member, answers.place(at, "comment"), "expected a comment"
                )
            yield from _comment(member, answers.place(at, "comment"), comment, declared)
            replies = node.get("replies")
            if replies is None:
                continue
            if not isinstance(replies, list):
                raise answers.shape_error(member, answers.place(at, "replies"), "expected a list")
            stack.extend(
                (replies[i], answers.place(at, "replies", i))
                for i in range(len(replies) - 1, -1, -1)
            )
        else:
            yield from _comment(member, at, node, declared)


def _comment(
    member: Path, where: str, comment: dict[str, Any], declared: dict[str, str]
) -> Iterator[Record]:
    locator = answers.obj(comment.get("locator"))
    thread = jsonread.text(locator.get("url")).strip()
    if not thread:
        yield ProblemRecord(None, f"{member}: {where}", "a comment without locator.url")
        return
    title = jsonread.text(comment.get("title"))
    if thread not in declared:
        declared[thread] = title
        site = jsonread.text(locator.get("site"))
        yield ThreadRecord(
            platform=PLATFORM,
            external_id=thread,
            title=title,
            url=thread if thread.startswith(("http://", "https://")) else None,
            meta={"site": site} if site else None,
        )
    elif title and title != declared[thread]:  # a later comment knows the post's title
        declared[thread] = title
        yield ThreadRecord(PLATFORM, thread, title=title)
    comment_id = jsonread.text(comment.get("id")).strip()
    if not comment_id:
        yield ProblemRecord(thread, f"{member}: {where}", "a comment without an id")
        return
    user = answers.obj(comment.get("user"))
    meta: dict[str, Any] = {}
    if user.get("id"):
        meta["user_id"] = jsonread.text(user["id"])
    for key, name in (("admin", "admin"), ("block", "blocked"), ("verified", "verified")):
        if user.get(key) is True:
            meta[name] = True
    if jsonread.is_number(comment.get("score")):
        meta["score"] = comment["score"]
    if comment.get("pin") is True:
        meta["pinned"] = True
    if comment.get("imported") is True:
        meta["imported"] = True
    edit = answers.obj(comment.get("edit"))
    if edit.get("time"):
        meta["edited"] = iso_utc(edit["time"]) or True
    text = jsonread.text(comment.get("text"))
    body = html_to_text(text) if text else jsonread.text(comment.get("orig"))
    parent = jsonread.text(comment.get("pid")).strip()
    yield CommentRecord(
        thread_external_id=thread,
        external_id=comment_id,
        parent_external_id=parent or None,
        author=jsonread.text(user.get("name")),
        body=body,
        created_at=iso_utc(comment.get("time")),
        status="deleted" if comment.get("delete") is True else "visible",
        meta=meta or None,
        where=f"{member.name}: {where}",
    )
