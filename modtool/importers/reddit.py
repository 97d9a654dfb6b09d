"""Reddit ``/comments/<id>.json``: the post listing and its comment tree.

Reddit answers ``/comments/<id>.json`` with a JSON array of two listings::

    [{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {post}}]}},
     {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {comment}}, …,
                                               {"kind": "more", "data": {"count": 12, …}}]}}]

A comment's ``replies`` is ``""`` (no replies) or another listing of the same
shape. Also read: the comment listing alone (``{"kind": "Listing"}``, e.g. a
saved ``/comments`` second element or a user's comment history) and a bare
array of listings.

Mapping (see ``docs/formats.md``):

* the post (``t3``) is the thread: ``title``, ``selftext`` as the article,
  the permalink as its URL, ``created_utc``, ``subreddit``/``score``/
  ``num_comments`` in meta; without a post, the thread is each comment's
  ``link_id``;
* ids lose their type prefix (``t1_abc`` → ``abc``); ``parent_id`` ``t3_…``
  is the top level, ``t1_…`` that comment (the nesting is used only when a
  comment has no ``parent_id``);
* ``more`` stubs are comments Reddit did not send: counted per thread
  (``count``, else the number of ``children``; a "continue this thread" stub
  counts 1), never stored as comments;
* status: body ``[removed]`` → removed, ``[deleted]`` → deleted (replies are
  kept under them); ``removed_by_category``, ``removed``/``banned_by`` and
  ``spam`` (moderator views) likewise. An author ``[deleted]`` above a body
  that is still there is an account deleted after posting: Reddit still shows
  the comment, so it stays visible. The markers are kept as author and body,
  as Reddit shows them;
* ``body`` is markdown with ``&amp;``, ``&lt;``, ``&gt;`` escaped: unescaped,
  not parsed as HTML (``body_html`` only when ``body`` is missing);
* meta: ``score``, ``permalink``, ``edited`` (the edit time, or ``true`` when
  old data gives no time; absent when not edited), ``distinguished``,
  ``stickied``.

Threads nest deeply: the tree is walked with an explicit stack, never Python
recursion, and :mod:`modtool.jsonstream` parses deep subtrees on a large
stack. The document is streamed: memory holds one top-level comment with its
replies at a time, whatever the listing's size.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from modtool import jsonstream
from modtool.errors import ParseError
from modtool.importers import jsonread
from modtool.importers.jsonread import Segment, json_path
from modtool.importers.records import (
    CommentRecord,
    MissingRecord,
    ProblemRecord,
    Record,
    ThreadRecord,
)

NAME = "reddit"
PLATFORM = "reddit"
# No extension claim: .json/.jsonl are shared by the JSON formats and sniffing decides;
# a JSON document nobody recognises then gets the list of what each format expects.
EXTENSIONS: tuple[str, ...] = ()
GROUPED = True
PREORDER = True  # parents first, each reply after its parent's subtree: the tree streams
DESCRIPTION = (
    "Reddit /comments/<id>.json: a JSON array of two listings "
    '([{"kind": "Listing"} with the t3 post, {"kind": "Listing"} with t1 comments]) '
    "or one comment listing"
)

SITE = "https://www.reddit.com"
_KIND_FIRST = re.compile(rb'^(?:\[\s*)?\{\s*"kind"\s*:\s*"(?:Listing|t1|t3)"')
_LISTING = re.compile(rb'"kind"\s*:\s*"Listing"')
_REMOVED_BY_AUTHOR = frozenset({"deleted", "author"})
_WHERE_FULL_DEPTH = 6
SLIM_BYTES = 8 * 1024 * 1024
_KEEP = frozenset(
    [
        "kind",
        "data",
        "children",
        "replies",
        "id",
        "name",
        "parent_id",
        "link_id",
        "author",
        "body",
        "body_html",
        "created_utc",
        "created",
        "score",
        "permalink",
        "edited",
        "distinguished",
        "stickied",
        "removed_by_category",
        "spam",
        "removed",
        "banned_by",
        "count",
        "title",
        "selftext",
        "selftext_html",
        "url",
        "subreddit",
        "num_comments",
        "link_title",
        "link_permalink",
    ]
)


def sniff(head: bytes, path: Path) -> bool:
    """A JSON value that starts with a Reddit thing (``{"kind": "Listing"|"t1"|"t3"``)."""
    start = jsonread.strip_head(head)
    if _KIND_FIRST.match(start):
        return True
    return start[:1] in (b"[", b"{") and b'"children"' in head and bool(_LISTING.search(head))


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    """Records of a Reddit listing document, one thread after the other, streamed.

    The listings are walked as the file is read (:mod:`modtool.jsonstream`):
    each top-level thing (a comment with all its replies) is parsed whole, then
    freed once its records are out, so memory holds one top-level subtree, not
    the document. A document that starts with a post (the ``/comments``
    answer) streams in document order (pre-order); a comment listing without
    a post (a user's history) may mix threads and is regrouped thread by
    thread in memory (such listings are small).
    """
    hook = _slim if _size(path) > SLIM_BYTES else None
    with jsonread.open_binary(path) as handle:
        events = jsonstream.iter_document(
            path, handle=handle, expand=_expand, allow_nan=True, object_hook=hook
        )
        yield from _records(events, path, warn)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _slim(value: dict[str, Any]) -> dict[str, Any]:
    """Only the keys this module reads (a real thing has ~80; most of a large file's memory)."""
    if len(value) <= 2:
        return value
    return {key: item for key, item in value.items() if key in _KEEP}


# -- shared with pushshift.py -------------------------------------------------


def unescape(value: object) -> str:
    """Reddit's markdown fields (``body``, ``selftext``, ``title``) with ``&amp;`` & co. decoded."""
    text = jsonread.text(value)
    return html.unescape(text) if "&" in text else text


def status(data: dict[str, Any], text_key: str = "body") -> str:
    """``visible``/``deleted``/``removed``/``spam`` from a comment's or post's own flags."""
    body = data.get(text_key)
    if body == "[removed]":
        return "removed"
    if body == "[deleted]":
        return "deleted"
    category = data.get("removed_by_category")
    if category:
        return "deleted" if category in _REMOVED_BY_AUTHOR else "removed"
    if data.get("spam") is True:
        return "spam"
    if data.get("removed") is True:
        return "removed"
    banned_by = data.get("banned_by")
    if banned_by and banned_by is not False:
        return "removed"
    return "visible"


def permalink(value: object) -> str | None:
    link = jsonread.text(value).strip()
    if not link:
        return None
    return SITE + link if link.startswith("/") else link


def comment_meta(data: dict[str, Any]) -> dict[str, Any] | None:
    meta: dict[str, Any] = {}
    score = data.get("score")
    if jsonread.is_number(score):
        meta["score"] = score
    link = permalink(data.get("permalink"))
    if link:
        meta["permalink"] = link
    edited = data.get("edited")
    if edited is True:
        meta["edited"] = True
    elif edited not in (None, False, 0, "", "false"):
        meta["edited"] = jsonread.epoch_utc(edited) or True
    distinguished = data.get("distinguished")
    if distinguished:
        meta["distinguished"] = str(distinguished)
    if data.get("stickied") is True:
        meta["stickied"] = True
    return meta or None


def comment_body(data: dict[str, Any]) -> str:
    body = data.get("body")
    if body is None and data.get("body_html"):
        return _from_html(data["body_html"])
    return unescape(body)


def _from_html(value: object) -> str:
    """``body_html``/``selftext_html`` (entity-escaped HTML) as text; rare, so lxml loads late."""
    from modtool.importers.html import html_to_text

    return html_to_text(html.unescape(jsonread.text(value)))


def created(data: dict[str, Any]) -> str | None:
    value = data.get("created_utc")
    return jsonread.epoch_utc(value if value is not None else data.get("created"))


def thread_record(data: dict[str, Any], external_id: str) -> ThreadRecord:
    """A post (``t3`` data, or a Pushshift submission line) as its thread."""
    article = data.get("selftext")
    if article is None and data.get("selftext_html"):
        text = _from_html(data["selftext_html"])
    else:
        text = unescape(article)
    meta: dict[str, Any] = {}
    for key in ("subreddit", "author"):
        if data.get(key):
            meta[key] = str(data[key])
    for key in ("score", "num_comments"):
        value = data.get(key)
        if jsonread.is_number(value):
            meta[key] = value
    link = permalink(data.get("permalink"))
    target = jsonread.text(data.get("url")).strip() or None
    if target and target != link:
        meta["link_url"] = target
    post_status = status(data, "selftext")
    if post_status != "visible":
        meta["status"] = post_status
    return ThreadRecord(
        platform=PLATFORM,
        external_id=external_id,
        title=unescape(data.get("title")),
        article=text,
        url=link or target,
        created_at=created(data),
        meta=meta or None,
    )


def linked_thread(data: dict[str, Any], external_id: str) -> ThreadRecord:
    """The thread as a comment names it (``link_title``, ``link_permalink``, ``subreddit``)."""
    meta = {"subreddit": str(data["subreddit"])} if data.get("subreddit") else None
    return ThreadRecord(
        platform=PLATFORM,
        external_id=external_id,
        title=unescape(data.get("link_title")),
        url=permalink(data.get("link_permalink")),
        meta=meta,
    )


def comment_record(
    data: dict[str, Any],
    thread: str,
    external_id: str,
    parent: str | None,
    where: str | None,
    line: int | None = None,
) -> CommentRecord:
    return CommentRecord(
        thread_external_id=thread,
        external_id=external_id,
        parent_external_id=parent,
        author=jsonread.text(data.get("author")),
        body=comment_body(data),
        created_at=created(data),
        status=status(data),
        meta=comment_meta(data),
        where=where,
        line=line,
    )


def parent_of(data: dict[str, Any], fallback: str | None) -> str | None:
    """``t3_…`` (the post) → top level; ``t1_…`` → that comment; missing → ``fallback``."""
    raw = data.get("parent_id")
    if raw is None or raw == "":
        return fallback
    text = str(raw)
    if text.startswith("t3_"):
        return None
    return jsonread.strip_kind(text)


# -- walking a listing document -----------------------------------------------


class _At(NamedTuple):
    """Where a thing is: a chain up to the document root, walked only for an error."""

    up: _At | None
    tail: tuple[Segment, ...]
    depth: int
    head: str
    """The top-level comment's JSON path, to write deep places short."""


def _segments(at: _At) -> list[Segment]:
    parts: list[tuple[Segment, ...]] = []
    node: _At | None = at
    while node is not None:
        parts.append(node.tail)
        node = node.up
    return [segment for tail in reversed(parts) for segment in tail]


def _where(at: _At) -> str:
    if at.depth <= _WHERE_FULL_DEPTH:
        return json_path(_segments(at))
    return at.head + "…" + json_path(at.tail)[1:]


def _error(path: Path, at: _At, problem: str) -> ParseError:
    return ParseError.at(path, json_path(_segments(at)), problem)


def _thing(path: Path, thing: Any, at: _At) -> tuple[str, dict[str, Any]]:
    if not isinstance(thing, dict) or not isinstance(thing.get("kind"), str):
        raise _error(path, at, 'expected a Reddit thing ({"kind": …, "data": {…}})')
    data = thing.get("data")
    if not isinstance(data, dict):
        raise _error(path, at, f'a "{thing["kind"]}" thing needs a data object')
    return thing["kind"], data


def _expand(at: tuple[Segment, ...], char: str) -> bool:
    """The containers walked member by member: the root, each listing object, its
    ``data`` and ``children`` (``[listing, …]`` or one listing). Everything else
    (a thing under ``children`` with its replies) is parsed whole."""
    if not at:
        return True
    if type(at[0]) is int:  # an array of listings
        return at[1:] in (("data",), ("data", "children")) or (len(at) == 1 and char == "{")
    return at in (("data",), ("data", "children"))


class _Listing:
    """What one listing showed so far (its kind, whether it had children)."""

    __slots__ = ("at", "children", "kind")

    def __init__(self, at: tuple[Segment, ...]) -> None:
        self.at = _At(None, at, 0, json_path(at))
        self.kind: object = None
        self.children = False

    def close(self, path: Path) -> None:
        """The listing ended (or named another kind): it must be a Listing with children."""
        if self.kind != "Listing":
            raise _error(path, self.at, f"expected a Reddit listing: {DESCRIPTION}")
        if not self.children:
            raise _error(path, self.at, "a Listing needs data.children (a list)")


def _records(
    events: Iterator[tuple[tuple[Segment, ...], Any]], path: Path, warn: Callable[[str], None]
) -> Iterator[Record]:
    """Records from the stream of listing events (see :func:`read`)."""
    walk = _Walk(path, warn)
    groups: dict[str | None, list[Record]] | None = None  # a comment listing: regrouped
    root = 0  # 1 when the document is an array of listings
    listing = _Listing(())
    for at, value in events:
        if not at and value is jsonstream.ARRAY:
            root = 1
            continue
        rel = at[root:]
        if not rel:
            if not at and value is jsonstream.END and root:
                continue
            if value is jsonstream.OBJECT:
                listing = _Listing(at)
            elif value is jsonstream.END:
                listing.close(path)
            else:
                where = json_path(at)
                raise ParseError.at(path, where, f"expected a Reddit listing: {DESCRIPTION}")
        elif rel == ("kind",):
            listing.kind = value
            if value != "Listing":
                listing.close(path)
        elif rel == ("data", "children"):
            if value is jsonstream.ARRAY:
                listing.children = True
            elif value is not jsonstream.END:
                raise _error(path, listing.at, "a Listing needs data.children (a list)")
        elif len(rel) == 3 and rel[:2] == ("data", "children"):
            records: Iterable[Record] = walk.thing(value, listing.at, rel[2])  # type: ignore[arg-type]
            if not walk.started:
                walk.started = True
                records = list(records)  # the first thing: is it the post?
                if walk.post is None:
                    groups = {}  # no: a comment listing, regrouped by thread
            if groups is None:
                yield from records
                continue
            for record in records:
                key = (
                    record.external_id
                    if type(record) is ThreadRecord
                    else record.thread_external_id  # type: ignore[union-attr]
                )
                groups.setdefault(key, []).append(record)
    for group in (groups or {}).values():
        yield from group


class _Walk:
    """Walks top-level things with their replies, remembering the post and threads."""

    def __init__(self, path: Path, warn: Callable[[str], None]) -> None:
        self.path = path
        self.warn = warn
        self.post: str | None = None
        self.declared: set[str] = set()
        self.started = False

    def thing(self, top: Any, listing_at: _At, index: int) -> Iterator[Record]:
        """Records of one top-level thing and its replies, in pre-order, without recursion."""
        path, warn, declared = self.path, self.warn, self.declared
        children_at = _At(listing_at, ("data", "children"), 0, listing_at.head)
        at = _At(children_at, (index,), 1, "")
        text = _where(at)
        # The stack holds (thing, place, place as text, structural parent id, thread
        # id), last first. The text is built from the parent's as the tree is walked
        # (full up to _WHERE_FULL_DEPTH, then cut short).
        stack: list[tuple[Any, _At, str, str | None, str | None]] = [
            (top, at._replace(head=text), text, None, self.post)
        ]
        del top
        while stack:
            thing, at, where, structural_parent, thread = stack.pop()
            kind, data = _thing(path, thing, at)
            if kind == "t3":
                external_id = jsonread.id_text(data.get("id")) or jsonread.strip_kind(
                    data.get("name")
                )
                if external_id is None:
                    raise _error(path, at, "a post (t3) without an id")
                self.post = external_id
                declared.add(external_id)
                yield thread_record(data, external_id)
                continue
            thread = jsonread.strip_kind(data.get("link_id")) or thread or self.post
            if kind == "more":
                if thread is None:
                    raise _error(path, at, "a 'more' stub outside any thread (no link_id)")
                yield MissingRecord(thread, _missing_count(data))
                continue
            if kind != "t1":
                warn(f"{path}: {where}: skipped a Reddit {kind!r} thing (not a comment)")
                continue
            external_id = jsonread.id_text(data.get("id")) or jsonread.strip_kind(data.get("name"))
            if thread is None:
                raise _error(path, at, "a comment (t1) without link_id and no post in the file")
            if thread not in declared:
                # A comment listing without its post: user histories carry the
                # post's title and permalink on each comment.
                declared.add(thread)
                if data.get("link_title") or data.get("link_permalink"):
                    yield linked_thread(data, thread)
            if external_id is None:
                yield ProblemRecord(thread, where, "a comment (t1) without an id")
                continue
            yield comment_record(
                data, thread, external_id, parent_of(data, structural_parent), where
            )
            replies = data.get("replies")
            if replies in (None, ""):
                continue
            reply_at = _At(at, ("data", "replies"), at.depth, at.head)
            if not isinstance(replies, dict) or replies.get("kind") != "Listing":
                raise _error(path, reply_at, 'replies must be "" or a Listing')
            reply_data = replies.get("data")
            nested = reply_data.get("children") if isinstance(reply_data, dict) else None
            if not isinstance(nested, list):
                raise _error(path, reply_at, "a Listing needs data.children (a list)")
            depth = at.depth + 1
            for index in range(len(nested) - 1, -1, -1):
                child_at = _At(reply_at, ("data", "children", index), depth, at.head)
                if depth <= _WHERE_FULL_DEPTH:
                    text = f"{where}.data.replies.data.children[{index}]"
                else:
                    text = f"{at.head}….data.children[{index}]"
                stack.append((nested[index], child_at, text, external_id, thread))
                # Only the stack holds the thing now, so its parsed dict is freed once
                # it is read.
                nested[index] = None


def _missing_count(data: dict[str, Any]) -> int:
    count = data.get("count")
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        return count
    children = data.get("children")
    if isinstance(children, list) and children:
        return len(children)
    return 1  # "continue this thread": at least one reply Reddit did not send
