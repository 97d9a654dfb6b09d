"""Commento (and Commento++) export JSON, and its ``/api/comment/list`` answer.

The export Commento mails to a site owner (``api/domain_export.go``, read back
by its own ``domain_import_commento.go`` and by Remark42's migrator), usually
gzipped::

    {"version": 1,
     "comments": [{"commentHex": "7d77…", "domain": "example.com", "url": "/blog/post/1",
                   "commenterHex": "a1ac…", "markdown": "text", "html": "",
                   "parentHex": "root", "score": 0, "state": "approved",
                   "creationDate": "2021-03-17T12:09:47.722181Z", "direction": 0,
                   "deleted": false}, …],
     "commenters": [{"commenterHex": "a1ac…", "email": "…", "name": "User5276",
                     "link": "https://…", "photo": "…", "provider": "…", "joinDate": "…",
                     "isModerator": false}, …]}

The comment list the widget loads (``POST /api/comment/list``, ``comment_list.go``)
has the comments without ``domain``/``url`` (the page is in ``attributes``:
``{"domain", "path", "title", "commentCount", "isLocked"}``), ``markdown``
blanked for comments not the reader's own (``html`` kept), and
``commenters`` as an object keyed by ``commenterHex`` (e-mails blanked).

Mapping (``docs/formats.md``), platform ``commento``:

* every page (``domain`` + ``url``) with comments is a thread, named
  ``domain/path`` (the title is the path: the export has no page titles; a
  comment list's ``attributes`` give the page, its title, and a
  ``commentCount`` beyond the comments shown is the thread's missing count);
* ``commentHex`` is the id, ``parentHex`` ``root`` the top level;
* ``markdown`` is the body (kept as it is; ``html`` when there is no markdown);
* ``state``: ``approved`` → visible, ``unapproved`` → pending, ``flagged``
  (Akismet's verdict) → spam; ``deleted`` true, or the ``[deleted]`` body
  Commento writes over a deleted comment → deleted;
* the author is the commenter's ``name`` (``anonymous`` → ``Anonymous``);
  **commenters' e-mail addresses are never read**: of ``commenters[]`` only
  ``commenterHex``, ``name`` and ``link`` (meta ``author_url``) are looked at;
* meta: ``score``, ``moderator`` (the commenter's ``isModerator``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from modtool.importers import answers, jsonread
from modtool.importers.dates import iso_utc
from modtool.importers.html import html_to_text
from modtool.importers.records import (
    CommentRecord,
    MissingRecord,
    ProblemRecord,
    Record,
    ThreadRecord,
)

NAME = "commento"
PLATFORM = "commento"
EXTENSIONS: tuple[str, ...] = ()
GROUPED = False
MULTI_FILE = True
DESCRIPTION = (
    "a Commento export ({version, comments: [{commentHex, parentHex, url, markdown, state}], "
    "commenters}) or its /api/comment/list answer"
)

STATES = {"approved": "visible", "unapproved": "pending", "flagged": "spam"}
_KEYS = re.compile(rb'"commentHex"\s*:')
_UNSET = ("", "undefined")


def sniff(head: bytes, path: Path) -> bool:
    """JSON with Commento's ``commentHex``."""
    return answers.sniff_keys(head, path, _KEYS)


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    declared: set[str] = set()
    for member, where, value in answers.iter_answers(path):
        if not isinstance(value, dict) or not isinstance(value.get("comments"), list):
            raise answers.shape_error(member, where, f"expected {DESCRIPTION}")
        people = _commenters(member, where, value.get("commenters"))
        page = answers.obj(value.get("attributes"))  # a comment list's page
        shown = 0
        for index, comment in enumerate(value["comments"]):
            at = answers.place(where, "comments", index)
            if not isinstance(comment, dict):
                raise answers.shape_error(member, at, "expected a comment object")
            if "url" not in comment and page.get("path") is not None:
                comment = {**comment, "url": page["path"], "domain": page.get("domain", "")}
            thread = _thread_id(comment)
            if thread is None:
                yield ProblemRecord(None, f"{member}: {at}", "a comment without url")
                continue
            if thread not in declared:
                declared.add(thread)
                yield _thread(comment, thread, jsonread.text(page.get("title")))
            shown += 1
            yield _comment(comment, thread, people, f"{member}: {at}", f"{member.name}: {at}")
        count = page.get("commentCount")
        if page.get("path") is not None and isinstance(count, int) and count > shown > 0:
            page_thread = _thread_id({"url": page["path"], "domain": page.get("domain")})
            if page_thread:
                yield MissingRecord(page_thread, count - shown)


def _commenters(member: Path, where: str, value: Any) -> dict[str, dict[str, Any]]:
    """``commenterHex`` → name, link and moderator flag (nothing else is copied)."""
    if value is None:
        return {}
    if isinstance(value, dict):  # /api/comment/list: keyed by commenterHex
        pairs = [(key, answers.obj(item)) for key, item in value.items()]
    elif isinstance(value, list):
        pairs = []
        for item in value:
            item = answers.obj(item)
            pairs.append((jsonread.text(item.get("commenterHex")), item))
    else:
        raise answers.shape_error(member, answers.place(where, "commenters"), "expected a list")
    people: dict[str, dict[str, Any]] = {}
    for key, person in pairs:
        if key:
            people[key] = {
                "name": jsonread.text(person.get("name")),
                "link": jsonread.text(person.get("link")),
                "moderator": person.get("isModerator") is True,
            }
    return people


def _thread_id(comment: dict[str, Any]) -> str | None:
    page = jsonread.text(comment.get("url")).strip()
    if not page:
        return None
    return jsonread.text(comment.get("domain")).strip() + page


def _thread(comment: dict[str, Any], thread: str, title: str) -> ThreadRecord:
    domain = jsonread.text(comment.get("domain")).strip()
    meta = {"domain": domain} if domain else None
    return ThreadRecord(
        platform=PLATFORM,
        external_id=thread,
        title=title or jsonread.text(comment.get("url")).strip(),
        meta=meta,
    )


def _comment(
    comment: dict[str, Any],
    thread: str,
    people: dict[str, dict[str, Any]],
    problem_where: str,
    where: str,
) -> CommentRecord | ProblemRecord:
    comment_id = jsonread.text(comment.get("commentHex")).strip()
    if not comment_id:
        return ProblemRecord(thread, problem_where, "a comment without commentHex")
    parent = jsonread.text(comment.get("parentHex")).strip()
    commenter = jsonread.text(comment.get("commenterHex"))
    person = people.get(commenter, {})
    author = person.get("name") or ("Anonymous" if commenter in ("anonymous", "") else commenter)
    body = comment.get("markdown")
    if not isinstance(body, str) or not body:
        body = html_to_text(jsonread.text(comment.get("html")))
    status = STATES.get(jsonread.text(comment.get("state")), "visible")
    if comment.get("deleted") is True or body == "[deleted]":
        status = "deleted"
    meta: dict[str, Any] = {}
    if jsonread.is_number(comment.get("score")):
        meta["score"] = comment["score"]
    if person.get("link") not in (None, *_UNSET):
        meta["author_url"] = person["link"]
    if person.get("moderator"):
        meta["moderator"] = True
    return CommentRecord(
        thread_external_id=thread,
        external_id=comment_id,
        parent_external_id=None if parent in ("", "root") else parent,
        author=author,
        body=body,
        created_at=iso_utc(comment.get("creationDate")),
        status=status,
        meta=meta or None,
        where=where,
    )
