"""WordPress eXtended RSS (WXR 1.0, 1.1, 1.2): a whole site's posts and comments.

::

    <rss xmlns:wp="http://wordpress.org/export/1.2/" ...><channel>
      <item>
        <title>Post title</title>  <link>https://site/2024/post/</link>
        <content:encoded><![CDATA[post HTML]]></content:encoded>
        <wp:post_id>18</wp:post_id>  <wp:post_date_gmt>2014-01-14 17:31:03</wp:post_date_gmt>
        <wp:comment>
          <wp:comment_id>7</wp:comment_id>  <wp:comment_parent>6</wp:comment_parent>
          <wp:comment_author><![CDATA[Name]]></wp:comment_author>
          <wp:comment_date_gmt>2014-04-29 15:21:35</wp:comment_date_gmt>
          <wp:comment_content><![CDATA[text, newlines are line breaks]]></wp:comment_content>
          <wp:comment_approved>1</wp:comment_approved>  <wp:comment_type>pingback</wp:comment_type>
        </wp:comment>
      </item>
    </channel></rss>

Rules (``docs/formats.md``):

* every ``<item>`` with at least one ``<wp:comment>`` becomes a thread (posts,
  pages, attachments alike; an item without comments is skipped); its id is
  ``wp:post_id``, else its ``link``, else its ``guid``;
* ``wp:comment_parent`` ``0`` or empty is top level; comment ids are the
  thread's own (real files repeat them across items), and replies may come
  before their parents: the tree builder resolves both;
* ``wp:comment_approved``: ``1`` visible, ``0`` pending, ``spam`` spam,
  ``trash`` / ``post-trashed`` deleted; pingbacks and trackbacks are kept with
  their type in ``meta``;
* a comment body is HTML in which a newline is a line break (WordPress shows
  comments through ``wpautop``); dates are ``*_date_gmt``, else the local
  ``*_date`` taken as UTC;
* ``wp:comment_author_email`` and ``wp:comment_author_IP`` are never read.

The file is streamed (:mod:`~modtool.importers.xmlsafe`): each comment is
handled and freed as its end tag is read, so memory does not grow with the
export.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path

from modtool.importers import xmlsafe
from modtool.importers.dates import iso_utc
from modtool.importers.html import html_to_text
from modtool.importers.records import CommentRecord, ProblemRecord, Record, ThreadRecord

NAME = "wxr"
PLATFORM = "wordpress"
EXTENSIONS = (".xml", ".wxr")
DESCRIPTION = (
    'WordPress WXR export: <rss> with xmlns:wp="http://wordpress.org/export/1.x/", '
    "<item> posts holding <wp:comment> elements"
)
GROUPED = True
READS_COMPRESSED = False  # iterparse over the plain file: a compressed file is refused in one line

_WP_PREFIX = "http://wordpress.org/export/"
_KNOWN_WP = tuple(f"{_WP_PREFIX}1.{minor}/" for minor in range(3))
_WP_IN_HEAD = re.compile(rb"http://wordpress\.org/export/(\d+\.\d+)/")
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"

STATUS = {
    "1": "visible",
    "approve": "visible",
    "approved": "visible",
    "0": "pending",
    "hold": "pending",
    "spam": "spam",
    "trash": "deleted",
    "post-trashed": "deleted",
}
"""``wp:comment_approved`` values to statuses (``approve``/``hold`` appear in hand-made files)."""


def sniff(head: bytes, path: Path) -> bool:
    """An RSS document naming the WXR namespace in its first kilobytes."""
    head = xmlsafe.head_text(head)
    return b"<rss" in head and _WP_IN_HEAD.search(head) is not None


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    """Threads (items with comments) and their comments, in file order."""
    namespaces = _namespaces(path)
    comment_tags = {f"{{{ns}}}comment": ns for ns in namespaces}
    reader = _Reader(path, warn)
    for element in xmlsafe.iterparse(path, [*comment_tags, "item"]):
        tag = element.tag
        if tag == "item":
            yield from reader.end_item(element)
        else:
            yield from reader.comment(element, comment_tags[tag])
        xmlsafe.release(element)


def _namespaces(path: Path) -> tuple[str, ...]:
    """The WXR namespaces to look for: 1.0–1.2, and a newer one the file names."""
    head = xmlsafe.read_head(path)
    found = tuple(f"{_WP_PREFIX}{m.decode()}/" for m in _WP_IN_HEAD.findall(head))
    return tuple(dict.fromkeys((*_KNOWN_WP, *found)))


class _Reader:
    """State of the item being read: its fields, and whether its thread was yielded."""

    def __init__(self, path: Path, warn: Callable[[str], None]) -> None:
        self.path = path
        self.warn = warn
        self.fields: dict[str, str] = {}
        self.thread_id: str | None = None
        self.pending: list[Record] = []
        self.warned: set[str] = set()

    def comment(self, element: xmlsafe.Element, ns: str) -> Iterator[Record]:
        item = element.getparent()
        if item is None or item.tag != "item":
            return  # a wp:comment outside an item has no post to belong to
        if self.thread_id is None:
            # Item fields written before the first comment (all of them, in
            # real exports); later ones are read at the item's end.
            self._take_fields(item, element)
            self.thread_id = self.fields.get("post_id") or None
            if self.thread_id is not None:
                yield self._thread()
        record = self._comment(element, ns)
        if self.thread_id is None:
            self.pending.append(record)  # no wp:post_id yet: wait for the item's end
        else:
            yield record

    def end_item(self, item: xmlsafe.Element) -> Iterator[Record]:
        known = dict(self.fields)
        self._take_fields(item, None)
        if self.thread_id is None and self.pending:
            self.thread_id = self._fallback_id()
            if self.thread_id is None:
                yield ProblemRecord(
                    None,
                    f"line {item.sourceline}",
                    "an item with comments has no wp:post_id, link or guid",
                )
            else:
                yield self._thread()
                for record in self.pending:
                    yield record._replace(thread_external_id=self.thread_id)
        elif self.thread_id is not None and self.fields != known:
            yield self._thread()  # fields written after the comments fill the thread in
        self.fields = {}
        self.thread_id = None
        self.pending = []

    def _fallback_id(self) -> str | None:
        return (
            self.fields.get("post_id") or self.fields.get("link") or self.fields.get("guid") or None
        )

    def _take_fields(self, item: xmlsafe.Element, stop: xmlsafe.Element | None) -> None:
        for child in item:
            if child is stop:
                break
            tag = child.tag
            if not isinstance(tag, str):
                continue
            local = tag.rpartition("}")[2]
            if tag == _CONTENT:
                local = "content"
            elif tag.startswith("{") and not tag.startswith("{" + _WP_PREFIX):
                continue  # excerpt:encoded, dc:creator, other modules
            if local in _ITEM_FIELDS:
                text = xmlsafe.text_of(child).strip()
                if text:
                    self.fields[local] = text

    def _thread(self) -> ThreadRecord:
        fields = self.fields
        meta = {key: fields[key] for key in ("post_type", "status") if key in fields}
        article = fields.get("content", "")
        return ThreadRecord(
            platform=PLATFORM,
            external_id=self.thread_id or "",
            title=html.unescape(fields.get("title", "")),
            article=html_to_text(article, newlines_are_breaks=True) if article else "",
            url=fields.get("link") or None,
            created_at=_post_date(fields),
            meta=meta or None,
        )

    def _comment(self, element: xmlsafe.Element, ns: str) -> Record:
        # The hot loop: one dict lookup per child, full tag -> field name. A
        # field's text is whole in .text (split CDATA is joined by the parser;
        # entity references never get this far).
        values: dict[str, str] = {}
        field = _comment_fields(ns).get
        for child in element:
            name = field(child.tag)
            if name is not None:
                values[name] = child.text or ""
        where = f"line {element.sourceline}"
        thread = self.thread_id or ""
        external_id = values.get("comment_id", "").strip()
        if not external_id:
            return ProblemRecord(thread or None, where, "a wp:comment without wp:comment_id")
        parent = values.get("comment_parent", "").strip()
        approved = values.get("comment_approved", "1").strip()
        status = STATUS.get(approved.lower())
        if status is None:
            status = "pending"
            if approved not in self.warned:
                self.warned.add(approved)
                self.warn(
                    f"{self.path}: {where}: unknown wp:comment_approved {approved!r}; "
                    "stored as pending"
                )
        author = values.get("comment_author", "").strip()
        meta = None
        kind = values.get("comment_type", "").strip()
        url = values.get("comment_author_url", "").strip()
        if (kind and kind != "comment") or url:
            meta = {}
            if kind and kind != "comment":
                meta["type"] = kind
            if url:
                meta["author_url"] = url
        return CommentRecord(
            thread_external_id=thread,
            external_id=external_id,
            parent_external_id=None if parent in ("", "0") else parent,
            author=html.unescape(author) if "&" in author else author,
            body=html_to_text(values.get("comment_content", ""), newlines_are_breaks=True),
            created_at=_date(values.get("comment_date_gmt")) or _date(values.get("comment_date")),
            status=status,
            meta=meta,
            where=where,
            line=element.sourceline,
        )


_ITEM_FIELDS = frozenset(
    {
        "title",
        "link",
        "guid",
        "pubDate",
        "content",
        "post_id",
        "post_date",
        "post_date_gmt",
        "post_type",
        "status",
    }
)
# Never comment_author_email nor comment_author_IP: they are not even read.
_COMMENT_FIELDS = frozenset(
    {
        "comment_id",
        "comment_parent",
        "comment_author",
        "comment_author_url",
        "comment_date",
        "comment_date_gmt",
        "comment_content",
        "comment_approved",
        "comment_type",
    }
)


_WXR_DATE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def _date(text: str | None) -> str | None:
    """A WXR date (``2014-01-14 17:31:03``, no offset: UTC for ``*_gmt``) in ISO form.

    The common shape is checked and rewritten directly (a hot path: one per
    comment); anything else goes through :func:`iso_utc`.
    """
    if not text:
        return None
    text = text.strip()
    if _WXR_DATE.fullmatch(text):
        if text.startswith("0000"):
            return None
        try:
            datetime.fromisoformat(text)
        except ValueError:
            return None
        return f"{text[:10]}T{text[11:]}Z"
    return iso_utc(text)


@cache
def _comment_fields(ns: str) -> dict[str, str]:
    """``{ns}comment_id`` → ``comment_id``, … for the fields read (never e-mail or IP)."""
    return {f"{{{ns}}}{name}": name for name in _COMMENT_FIELDS}


def _post_date(fields: dict[str, str]) -> str | None:
    gmt = _date(fields.get("post_date_gmt"))
    if gmt:
        return gmt
    published = fields.get("pubDate")
    if published:
        try:
            return iso_utc(parsedate_to_datetime(published).isoformat())
        except (TypeError, ValueError, OverflowError):
            pass
    return _date(fields.get("post_date"))
