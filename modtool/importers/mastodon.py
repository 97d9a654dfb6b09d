"""Mastodon API answers: ``/api/v1/statuses/:id/context``, statuses and lists of them.

What the API returns (https://docs.joinmastodon.org/methods/statuses/)::

    GET /api/v1/statuses/:id           a Status
    GET /api/v1/statuses/:id/context   {"ancestors": [Status, …], "descendants": [Status, …]}
    GET /api/v1/accounts/:id/statuses  [Status, …] (also timelines, search results)

    Status: {"id": "1099…", "uri": "https://host/users/ann/statuses/1099…",
             "url": "https://host/@ann/1099…", "created_at": "…", "in_reply_to_id": "1098…",
             "content": "<p>HTML</p>", "spoiler_text": "", "sensitive": false,
             "visibility": "public", "account": {"acct": "ann@host", …}, "edited_at": null,
             "replies_count": 1, "reblogs_count": 0, "favourites_count": 2, "reblog": null, …}

A context answer lacks the status it was asked about (the focal status): give
it beside, as a second file or folder member (see :mod:`.answers`), or in the
same JSON array (``[status, context]``), or under a ``"status"`` key of the
context object. The document may hold any number of answers.

Mapping (``docs/formats.md``), platform ``fediverse``:

* identity is the status's ActivityPub ``uri`` (the same on every server;
  ``id`` is the answering server's own number and is kept in meta as
  ``local_id``), so the same thread read through two servers, or as
  ActivityPub objects, is one thread;
* the thread is the root status the replies lead to (``in_reply_to_id``
  chains, and every status of one ``/context`` answer); the root is the
  article (its first line, or its content warning, the title: statuses have
  none), the other statuses are comments. A parent that is not in the
  document is named by its ``in_reply_to_id`` (the API gives no ``uri`` for
  it): the reply is an orphan, and a thread whose root is missing is named by
  the outermost missing parent (its top replies are top-level comments);
* body: ``content`` HTML to text; ``spoiler_text`` (the content warning) and
  ``sensitive`` go to meta, with ``visibility``, ``language``, ``url``,
  ``edited`` (``edited_at``) and the reply/boost/favourite counts;
* author: ``account.acct`` (``user@server``; the API leaves ``@server`` off
  for the answering server's own accounts);
* boosts (``reblog`` set) are not replies: skipped. The API never returns
  deleted statuses, so every status is ``visible``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from modtool.importers import answers, jsonread, replychains
from modtool.importers.dates import iso_utc
from modtool.importers.html import html_to_text
from modtool.importers.records import CommentRecord, ProblemRecord, Record, ThreadRecord

NAME = "mastodon"
PLATFORM = "fediverse"
EXTENSIONS: tuple[str, ...] = ()
GROUPED = True
THREAD_ID_IS_A_PARENT = True  # threads and comments share one id space (importers/base.py)
MULTI_FILE = True
DESCRIPTION = (
    "Mastodon API answers: /api/v1/statuses/:id/context ({ancestors, descendants}), "
    "statuses (id, uri, in_reply_to_id, account, content) or lists of them"
)

_STATUS = re.compile(rb'"in_reply_to_id"\s*:')
_ACCOUNT = re.compile(rb'"(?:account|spoiler_text)"\s*:')
_CONTEXT = re.compile(rb'"(?:ancestors|descendants)"\s*:\s*\[')


def sniff(head: bytes, path: Path) -> bool:
    """A context answer, or statuses (``in_reply_to_id`` with ``account``/``spoiler_text``)."""
    return answers.sniff_keys(head, path, _CONTEXT) or answers.sniff_keys(
        head, path, _STATUS, _ACCOUNT
    )


class _Status:
    __slots__ = ("data", "external", "local", "parent", "where")

    def __init__(self, data: dict[str, Any], where: str, local: str) -> None:
        self.data = data
        self.where = where
        self.local = local
        self.external = (
            jsonread.text(data.get("uri")).strip()
            or jsonread.text(data.get("url")).strip()
            or local
        )
        self.parent = jsonread.id_text(data.get("in_reply_to_id"))


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    statuses: dict[str, _Status] = {}
    groups: list[list[str]] = []
    problems: list[ProblemRecord] = []
    for member, where, value in answers.iter_answers(path):
        for found in _statuses(member, where, value, groups):
            if isinstance(found, ProblemRecord):
                problems.append(found)
            else:
                statuses.pop(found.local, None)  # the same status in two answers: the later
                statuses[found.local] = found
    yield from problems
    order = list(statuses)
    threads = replychains.assign(
        order, {local: status.parent for local, status in statuses.items()}, groups
    )
    by_thread: dict[str, list[str]] = {}
    for local in order:
        by_thread.setdefault(threads[local][0], []).append(local)
    for name, members in by_thread.items():
        root = statuses.get(name) if threads[members[0]][1] else None
        thread_id = root.external if root is not None else name
        yield _thread(root, thread_id)
        for local in members:
            status = statuses[local]
            if status is root:
                continue
            parent = status.parent
            if parent is not None:
                known = statuses.get(parent)
                parent = known.external if known is not None else parent
            yield _comment(status, thread_id, parent, member_where=status.where)


def _statuses(
    member: Path, where: str, value: Any, groups: list[list[str]]
) -> Iterator[_Status | ProblemRecord]:
    """The statuses of one answer (a status, a context, or a list of either)."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _statuses(member, answers.place(where, index), item, groups)
        return
    if not isinstance(value, dict):
        raise answers.shape_error(member, where, f"expected {DESCRIPTION}")
    if "ancestors" in value or "descendants" in value:
        group: list[str] = []
        for key in ("ancestors", "status", "descendants"):
            items = value.get(key)
            if items is None:
                continue
            listed = [items] if key == "status" else items
            if not isinstance(listed, list):
                raise answers.shape_error(member, answers.place(where, key), "expected a list")
            for index, item in enumerate(listed):
                at = (
                    answers.place(where, key)
                    if key == "status"
                    else answers.place(where, key, index)
                )
                for found in _statuses(member, at, item, groups):
                    if isinstance(found, _Status):
                        group.append(found.local)
                    yield found
        groups.append(group)
        return
    if "content" not in value and "account" not in value:
        raise answers.shape_error(member, where, f"expected {DESCRIPTION}")
    if value.get("reblog"):
        return  # a boost, not a reply
    local = jsonread.id_text(value.get("id"))
    if local is None:
        yield ProblemRecord(None, f"{member}: {where}", "a status without an id")
        return
    yield _Status(value, f"{member.name}: {where}", local)


def _text(status: dict[str, Any]) -> str:
    return html_to_text(jsonread.text(status.get("content")))


def _meta(status: _Status) -> dict[str, Any]:
    data = status.data
    meta: dict[str, Any] = {"local_id": status.local}
    url = jsonread.text(data.get("url")).strip()
    if url:
        meta["url"] = url
    for key in ("visibility", "language"):
        if isinstance(data.get(key), str) and data[key]:
            meta[key] = data[key]
    warning = jsonread.text(data.get("spoiler_text")).strip()
    if warning:
        meta["content_warning"] = warning
    if data.get("sensitive") is True:
        meta["sensitive"] = True
    if data.get("edited_at"):
        meta["edited"] = iso_utc(data["edited_at"]) or True
    for key in ("replies_count", "reblogs_count", "favourites_count"):
        if jsonread.is_number(data.get(key)):
            meta[key.removesuffix("_count")] = data[key]
    return meta


def _author(data: dict[str, Any]) -> str:
    account = answers.obj(data.get("account"))
    return jsonread.text(account.get("acct") or account.get("username"))


def _thread(root: _Status | None, thread_id: str) -> ThreadRecord:
    if root is None:
        return ThreadRecord(platform=PLATFORM, external_id=thread_id)
    meta = _meta(root)
    meta["author"] = _author(root.data)
    article = _text(root.data)
    return ThreadRecord(
        platform=PLATFORM,
        external_id=thread_id,
        title=answers.headline(meta.get("content_warning") or article),
        article=article,
        url=meta.get("url"),
        created_at=iso_utc(root.data.get("created_at")),
        meta=meta,
    )


def _comment(
    status: _Status, thread_id: str, parent: str | None, member_where: str
) -> CommentRecord:
    return CommentRecord(
        thread_external_id=thread_id,
        external_id=status.external,
        parent_external_id=parent,
        author=_author(status.data),
        body=_text(status.data),
        created_at=iso_utc(status.data.get("created_at")),
        meta=_meta(status),
        where=member_where,
    )
