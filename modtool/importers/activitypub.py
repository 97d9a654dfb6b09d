"""ActivityPub objects: a Mastodon/Lemmy/Misskey ``Note``/``Page``, a collection of them, an outbox.

What servers publish (https://www.w3.org/TR/activitystreams-vocabulary/)::

    {"@context": "https://www.w3.org/ns/activitystreams", "type": "Note",
     "id": "https://host/users/ann/statuses/1", "attributedTo": "https://host/users/ann",
     "inReplyTo": "https://other/objects/9", "content": "<p>HTML</p>",
     "published": "2024-05-01T10:00:00Z", "sensitive": false, "summary": null,
     "replies": {"type": "Collection", "first": {"type": "CollectionPage", "items": [...]}}}

Read: one object (``Note``, ``Page`` as Lemmy posts, ``Article``, ``Question``,
``Tombstone``), an activity wrapping one (``Create``/``Update``; ``Delete``
marks its object deleted), a ``Collection``/``OrderedCollection`` or a page of
one (``items``/``orderedItems``, an embedded ``first`` page) such as an outbox
of ``Create`` activities, or a JSON array of any of these; objects embedded in
a ``replies`` collection are read too (bare links are not: their text is not
in the file). Several answers make one document (see :mod:`.answers`).

Mapping (``docs/formats.md``), platform ``fediverse`` (the ids are the ones
Mastodon's and Lemmy's APIs give as ``uri``/``ap_id``, so the same thread read
through either is one thread):

* identity: the object's ``id``; the thread is the root the ``inReplyTo``
  chains lead to (objects sharing Mastodon's ``conversation``/``context`` are
  one thread); the root is the article (``name`` as the title for a ``Page``
  or ``Article``, else its first line or content warning). A root that is not in the file names the thread and its
  replies are top-level comments; any other missing parent makes an orphan;
* author: ``attributedTo`` (``https://host/users/ann`` or ``/u/ann`` is
  ``ann@host``; any other actor id is kept as it is);
* body: ``content`` HTML to text (``contentMap``'s first language when there
  is no ``content``); ``summary`` is the content warning (meta
  ``content_warning``), ``sensitive`` kept; ``Tombstone`` or a ``Delete`` of
  the object → deleted; ``url``, ``type``, ``updated`` (as ``edited``) in meta.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from modtool.importers import answers, jsonread, replychains
from modtool.importers.dates import iso_utc
from modtool.importers.html import html_to_text
from modtool.importers.records import CommentRecord, ProblemRecord, Record, ThreadRecord

NAME = "activitypub"
PLATFORM = "fediverse"
EXTENSIONS: tuple[str, ...] = ()
GROUPED = True
THREAD_ID_IS_A_PARENT = True  # threads and comments share one id space (importers/base.py)
MULTI_FILE = True
DESCRIPTION = (
    "ActivityPub JSON: Note/Page objects (id, inReplyTo, attributedTo, content), "
    "an (Ordered)Collection or page of them, or an outbox of Create activities"
)

OBJECTS = frozenset({"Note", "Page", "Article", "Question", "Tombstone", "ChatMessage"})
COLLECTIONS = frozenset(
    {"Collection", "OrderedCollection", "CollectionPage", "OrderedCollectionPage"}
)
WRAPPERS = frozenset({"Create", "Update"})
_TITLED = frozenset({"Page", "Article", "Question"})
_CONTEXT = re.compile(rb"https://www\.w3\.org/ns/activitystreams")
_TYPE = re.compile(
    rb'"type"\s*:\s*"(?:Note|Page|Article|Tombstone|Create|OrderedCollection|'
    rb'OrderedCollectionPage|Collection|CollectionPage)"'
)
_KEYS = re.compile(rb'"(?:attributedTo|inReplyTo|orderedItems)"\s*:')
_ACTOR_PATH = re.compile(r"^/(?:users|u|user|c|m)/([^/]+)/?$|^/@([^/]+)/?$")


def sniff(head: bytes, path: Path) -> bool:
    """ActivityStreams JSON: the AS context, or an object/collection type with its keys."""
    if not answers.sniff_keys(head, path, _TYPE):
        return False
    data = answers.head(head, path)
    return bool(_CONTEXT.search(data) or _KEYS.search(data))


class _Object:
    __slots__ = ("data", "deleted", "id", "parent", "where")

    def __init__(self, data: dict[str, Any], where: str, object_id: str) -> None:
        self.data = data
        self.where = where
        self.id = object_id
        self.parent = _link(data.get("inReplyTo"))
        self.deleted = data.get("type") == "Tombstone"


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    objects: dict[str, _Object] = {}
    deleted: set[str] = set()
    problems: list[ProblemRecord] = []
    for member, where, value in answers.iter_answers(path):
        if not isinstance(value, dict | list):
            raise answers.shape_error(member, where, f"expected {DESCRIPTION}")
        for found in _walk(member, where, value, deleted):
            if isinstance(found, ProblemRecord):
                problems.append(found)
            else:
                objects.pop(found.id, None)  # the same object twice: the later one
                objects[found.id] = found
    yield from problems
    order = list(objects)
    conversations: dict[str, list[str]] = {}
    for object_id in order:
        data = objects[object_id].data
        key = data.get("conversation") or data.get("context")
        if isinstance(key, str) and key:
            conversations.setdefault(key, []).append(object_id)
    threads = replychains.assign(
        order, {key: item.parent for key, item in objects.items()}, conversations.values()
    )
    by_thread: dict[str, list[str]] = {}
    for object_id in order:
        by_thread.setdefault(threads[object_id][0], []).append(object_id)
    for name, members in by_thread.items():
        root = objects.get(name) if threads[members[0]][1] else None
        yield _thread(root, name, name in deleted)
        for object_id in members:
            item = objects[object_id]
            if item is not root:
                yield _comment(item, name, object_id in deleted)


def _walk(
    member: Path, where: str, value: Any, deleted: set[str]
) -> Iterator[_Object | ProblemRecord]:
    """Every object in an answer, depth first, without recursion."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, list):
            stack.extend((node[i], answers.place(at, i)) for i in range(len(node) - 1, -1, -1))
            continue
        if not isinstance(node, dict):
            continue  # a bare link: its text is not in the file
        kind = node.get("type")
        if kind == "Delete":
            target = _link(node.get("object"))
            if target:
                deleted.add(target)
            continue
        if kind in WRAPPERS:
            stack.append((node.get("object"), answers.place(at, "object")))
            continue
        if kind in COLLECTIONS:
            for key in ("orderedItems", "items", "first"):
                if key in node:
                    stack.append((node[key], answers.place(at, key)))
            continue
        if kind not in OBJECTS:
            continue  # Announce, Like, actors, …: not comments
        object_id = _link(node.get("id"))
        if object_id is None:
            yield ProblemRecord(None, f"{member}: {at}", f"a {kind} without an id")
            continue
        yield _Object(node, f"{member.name}: {at}", object_id)
        replies = node.get("replies")
        if isinstance(replies, dict | list):
            stack.append((replies, answers.place(at, "replies")))


def _link(value: Any) -> str | None:
    """An id given as a string, an object with an ``id``, or a list of either (the first)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("id") or value.get("href")
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def actor_name(value: Any) -> str:
    """``https://host/users/ann`` → ``ann@host``; an actor object's ``preferredUsername@host``."""
    name = None
    if isinstance(value, list):
        value = next((item for item in value if item), None)
    if isinstance(value, dict):
        name = value.get("preferredUsername")
        value = value.get("id") or value.get("url")
    link = jsonread.text(value).strip()
    if not link:
        return jsonread.text(name)
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:  # not a URL ("https://[" is an unclosed IPv6 address)
        return link
    if name and host:
        return f"{name}@{host}"
    found = _ACTOR_PATH.match(parts.path) if host else None
    if found:
        return f"{found.group(1) or found.group(2)}@{host}"
    return link


def _text(data: dict[str, Any]) -> str:
    content = data.get("content")
    if content is None and isinstance(data.get("contentMap"), dict) and data["contentMap"]:
        content = next(iter(data["contentMap"].values()))
    return html_to_text(jsonread.text(content))


def _url(data: dict[str, Any]) -> str | None:
    url = data.get("url")
    if isinstance(url, list):
        url = url[0] if url else None
    if isinstance(url, dict):
        url = url.get("href")
    return url.strip() if isinstance(url, str) and url.strip() else None


def _meta(item: _Object) -> dict[str, Any]:
    data = item.data
    meta: dict[str, Any] = {"type": jsonread.text(data.get("formerType") or data.get("type"))}
    url = _url(data)
    if url:
        meta["url"] = url
    warning = html_to_text(jsonread.text(data.get("summary"))) if data.get("summary") else ""
    if warning and data.get("type") not in _TITLED:
        meta["content_warning"] = warning
    if data.get("sensitive") is True:
        meta["sensitive"] = True
    if data.get("updated"):
        meta["edited"] = iso_utc(data["updated"]) or True
    return meta


def _thread(root: _Object | None, name: str, deleted: bool) -> ThreadRecord:
    if root is None:
        return ThreadRecord(platform=PLATFORM, external_id=name)
    data = root.data
    meta = _meta(root)
    meta["author"] = actor_name(data.get("attributedTo"))
    if deleted or root.deleted:
        meta["status"] = "deleted"
    article = _text(data)
    title = jsonread.text(data.get("name")) if data.get("type") in _TITLED else ""
    return ThreadRecord(
        platform=PLATFORM,
        external_id=name,
        title=title or answers.headline(meta.get("content_warning") or article),
        article=article,
        url=meta.get("url"),
        created_at=iso_utc(data.get("published")),
        meta=meta,
    )


def _comment(item: _Object, thread: str, deleted: bool) -> CommentRecord:
    data = item.data
    return CommentRecord(
        thread_external_id=thread,
        external_id=item.id,
        parent_external_id=item.parent,
        author=actor_name(data.get("attributedTo")),
        body=_text(data),
        created_at=iso_utc(data.get("published")),
        status="deleted" if deleted or item.deleted else "visible",
        meta=_meta(item),
        where=item.where,
    )
