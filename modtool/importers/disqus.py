"""Disqus XML export: a whole forum's threads and posts, in any order.

::

    <disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
      <category dsq:id="1">...</category>
      <thread dsq:id="2">
        <id>page-identifier</id>  <link>https://site/post/</link>  <title>Post</title>
        <createdAt>2012-12-12T12:12:12Z</createdAt>  <isClosed>false</isClosed>
      </thread>
      <post dsq:id="5">
        <id />  <message><![CDATA[<p>HTML</p>]]></message>
        <createdAt>2013-10-11T06:51:33Z</createdAt>
        <isDeleted>false</isDeleted>  <isSpam>false</isSpam>
        <author><name>Name</name><username>handle</username></author>
        <thread dsq:id="2" />  <parent dsq:id="4" />
      </post>
    </disqus>

Rules (``docs/formats.md``):

* a thread's and a post's identity is its ``dsq:id`` attribute (newer exports
  leave ``<id />`` empty; for a thread, ``<id>`` is the site's own identifier,
  kept in ``meta``);
* every thread with posts is a thread (a declared thread without any post is
  not imported);
* threads and posts come in any order (``GROUPED = False``): a post may come
  before its thread, its thread may never be declared (the import makes one
  for that id), its parent may come later or not at all (an orphan); a
  thread declared twice (exports do) fills in the fields the first lacked;
* ``isSpam`` true is ``spam``, else ``isDeleted`` true is ``deleted`` (the body
  is kept when the export has it); ``meta`` keeps ``deleted`` for a deleted
  spam post, the author's ``username`` and ``anonymous``;
* ``author/email`` and ``ipAddress`` (older exports) are never read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from modtool.importers import xmlsafe
from modtool.importers.dates import iso_utc
from modtool.importers.html import html_to_text
from modtool.importers.records import CommentRecord, ProblemRecord, Record, ThreadRecord

NAME = "disqus"
PLATFORM = "disqus"
EXTENSIONS = (".xml",)
DESCRIPTION = (
    'Disqus XML export: <disqus xmlns="http://disqus.com"> with <thread dsq:id> and '
    "<post dsq:id> elements"
)
GROUPED = False
READS_COMPRESSED = False  # iterparse over the plain file: a compressed file is refused in one line

NS = "http://disqus.com"
INTERNALS = "http://disqus.com/disqus-internals"
_D = "{" + NS + "}"
_ID = "{" + INTERNALS + "}id"
_THREAD = _D + "thread"
_POST = _D + "post"
_AUTHOR = _D + "author"
_PARENT = _D + "parent"
_NAME, _USERNAME, _ANONYMOUS = _D + "name", _D + "username", _D + "isAnonymous"
_TRUE = ("true", "1")
_ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def sniff(head: bytes, path: Path) -> bool:
    """A ``<disqus>`` root in the Disqus namespace within the first kilobytes."""
    head = xmlsafe.head_text(head)
    return b"<disqus" in head and b"http://disqus.com" in head


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    """Threads with posts, and posts, as records in file order.

    A thread declaration is held until its first post (exports list every
    thread of the forum, most without posts); one never followed by a post is
    dropped at the end. Held declarations are small and one per thread.
    """
    held: dict[str, list[ThreadRecord]] = {}
    with_posts: set[str] = set()
    for element in xmlsafe.iterparse(path, (_THREAD, _POST)):
        parent = element.getparent()
        if parent is not None and parent.tag == _POST:
            continue  # a post's <thread dsq:id> reference: read with its post
        if element.tag == _POST:
            record = _post(element)
            thread_id = record.thread_external_id
            if thread_id is not None and thread_id not in with_posts:
                with_posts.add(thread_id)
                yield from held.pop(thread_id, ())
            yield record
        else:
            declared = _thread(element)
            if declared is None:
                pass
            elif declared.external_id in with_posts:
                yield declared
            else:
                held.setdefault(declared.external_id, []).append(declared)
        xmlsafe.release(element)


def _fields(element: xmlsafe.Element) -> dict[str, Any]:
    """Field name → its text (or, for ``thread``/``parent``/``author``, the element).

    The hot loop: one dict lookup per child. A field's text is whole in
    ``.text`` (split CDATA is joined by the parser; entity references never get
    this far).
    """
    found: dict[str, Any] = {}
    name_of = _NAMES.get
    for child in element:
        name = name_of(child.tag)
        if name is not None:
            found[name] = child if name in _ELEMENTS else (child.text or "").strip()
    return found


def _text(fields: dict[str, Any], name: str) -> str:
    return fields.get(name, "")


_TEXT_FIELDS = (
    "id",
    "forum",
    "link",
    "title",
    "message",
    "createdAt",
    "isClosed",
    "isDeleted",
    "isSpam",
)
_ELEMENTS = frozenset({"thread", "parent", "author"})
# Never author/email nor ipAddress: they are not even read.
_NAMES = {_D + name: name for name in (*_TEXT_FIELDS, *_ELEMENTS)}


def _flag(fields: dict[str, Any], name: str) -> bool:
    return _text(fields, name).lower() in _TRUE


def _date(text: str) -> str | None:
    """Disqus dates are ISO UTC already (``2013-10-11T06:51:33Z``): checked, kept."""
    if _ISO_Z.fullmatch(text):
        try:
            datetime.fromisoformat(text[:-1])
        except ValueError:
            return None
        return text
    return iso_utc(text)


def _thread(element: xmlsafe.Element) -> ThreadRecord | None:
    external_id = (element.get(_ID) or "").strip()
    fields = _fields(element)
    if not external_id:
        external_id = _text(fields, "id")
    if not external_id:
        return None  # nothing can name it: its posts make their own threads
    meta: dict[str, Any] = {}
    identifier = _text(fields, "id")
    if identifier:
        meta["identifier"] = identifier
    forum = _text(fields, "forum")
    if forum:
        meta["forum"] = forum
    for flag, key in (("isClosed", "closed"), ("isDeleted", "deleted")):
        if _flag(fields, flag):
            meta[key] = True
    message = _text(fields, "message")
    return ThreadRecord(
        platform=PLATFORM,
        external_id=external_id,
        title=_text(fields, "title"),
        article=html_to_text(message) if message else "",
        url=_text(fields, "link") or None,
        created_at=_date(_text(fields, "createdAt")),
        meta=meta or None,
    )


def _post(element: xmlsafe.Element) -> Record:
    line = element.sourceline
    where = f"line {line}"
    fields = _fields(element)
    thread = fields.get("thread")
    thread_id = (thread.get(_ID) or "").strip() if thread is not None else ""
    external_id = (element.get(_ID) or "").strip() or _text(fields, "id")
    if not thread_id:
        return ProblemRecord(None, where, "a <post> without <thread dsq:id>")
    if not external_id:
        return ProblemRecord(thread_id, where, "a <post> without dsq:id")
    parent = fields.get("parent")
    parent_id = (parent.get(_ID) or "").strip() if parent is not None else ""
    author = fields.get("author")
    name = username = ""
    anonymous = False
    if author is not None:
        for child in author:
            tag = child.tag
            if tag == _NAME:
                name = (child.text or "").strip()
            elif tag == _USERNAME:
                username = (child.text or "").strip()
            elif tag == _ANONYMOUS:
                anonymous = (child.text or "").strip().lower() == "true"
    spam = fields.get("isSpam", "").lower() in _TRUE
    deleted = fields.get("isDeleted", "").lower() in _TRUE
    meta: dict[str, Any] = {}
    if username:
        meta["username"] = username
    if anonymous:
        meta["anonymous"] = True
    if spam and deleted:
        meta["deleted"] = True
    return CommentRecord(
        thread_external_id=thread_id,
        external_id=external_id,
        parent_external_id=parent_id or None,
        author=name or username,
        body=html_to_text(_text(fields, "message")),
        created_at=_date(_text(fields, "createdAt")),
        status="spam" if spam else "deleted" if deleted else "visible",
        meta=meta or None,
        where=where,
        line=line,
    )
