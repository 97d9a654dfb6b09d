"""Hacker News: the Algolia ``items/<id>`` tree, or Firebase items (a JSON array or NDJSON).

Two shapes are read (both documented by their APIs):

* **Algolia** ``https://hn.algolia.com/api/v1/items/<id>``: one JSON object,
  the item with its whole tree nested in ``children``; each node has ``id``,
  ``type``, ``author``, ``text`` (HTML), ``created_at``/``created_at_i``,
  ``parent_id``, ``story_id``, ``points``, and the story ``title``/``url``.
* **Firebase** ``/v0/item/<id>.json``: flat items (``id``, ``type``, ``by``,
  ``text``, ``time``, ``parent``, ``kids``, ``deleted``, ``dead``, ``score``,
  ``title``, ``url``), saved as one object, a JSON array of them, or one per
  line (NDJSON, e.g. a crawl).

Mapping (see ``docs/formats.md``): the story (also a job or poll) is the
thread: its id, ``title``, ``url``, its ``text`` as the article, ``points``/
``score`` and ``descendants`` in meta. Comments keep their numeric id as text;
``text`` HTML (``<p>``, ``<a href>``, ``<i>``, ``<pre><code>``, ``&#x27;``,
``&#x2F;``) goes through :func:`~modtool.importers.html.html_to_text`
(titles are plain text in both APIs and are kept as they are).
``deleted: true`` → status deleted (HN keeps no author or text for it; an
Algolia node without author and text likewise), ``dead: true`` → removed.
Meta: ``points`` where given, ``permalink`` (``news.ycombinator.com/item?id=``).
Poll options (``pollopt``) are not comments and are skipped.

Which thread a Firebase comment is in: items name only their ``parent``. The
parent chain is followed through the items of the file up to a story, whose
id is the thread. When the chain leaves the file first (the story was not
saved), the outermost id it names is taken as the story: that is right for a
crawl of a story's comments without the story itself, and keeps the
comments together; the comment at the top of such a chain is then a
top-level comment of that thread. An Algolia tree whose root is a comment
belongs to its ``story_id``, and the root keeps its ``parent_id`` (an orphan
when that parent is not the story).

Firebase NDJSON is read twice, line by line (first only ids, parents and types,
to find each comment's story; then the records), so the file is never held.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from modtool.errors import ParseError
from modtool.importers import jsonread
from modtool.importers.html import html_to_text
from modtool.importers.records import CommentRecord, ProblemRecord, Record, ThreadRecord

NAME = "hackernews"
PLATFORM = "hackernews"
# No extension claim: .json/.jsonl are shared by the JSON formats and sniffing decides;
# a JSON document nobody recognises then gets the list of what each format expects.
EXTENSIONS: tuple[str, ...] = ()
GROUPED = False
THREAD_ID_IS_A_PARENT = True  # threads and comments share one id space (importers/base.py)
DESCRIPTION = (
    "Hacker News: an Algolia items/<id> object (id, type, author, text, children) "
    "or Firebase items (id, type, by, text, time, parent, kids) as one object, "
    "a JSON array or one per line"
)

ITEM_URL = "https://news.ycombinator.com/item?id="
STORY_TYPES = frozenset({"story", "job", "poll"})
_TYPE = re.compile(rb'"type"\s*:\s*"(?:story|comment|job|poll|pollopt)"')
_FIREBASE = re.compile(rb'"(?:by|kids|parent|time)"\s*:')
_ALGOLIA = re.compile(rb'"(?:created_at_i|story_id)"\s*:')


def sniff(head: bytes, path: Path) -> bool:
    """An HN item: ``type`` story/comment/… with Firebase (``by``/``time``) or Algolia keys."""
    start = jsonread.strip_head(head)
    if start[:1] not in (b"{", b"["):
        return False
    if not _TYPE.search(head):
        return False
    return bool(_ALGOLIA.search(head)) or (
        b'"children"' not in head and bool(_FIREBASE.search(head))
    )


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    if jsonread.is_json_lines(path, objects_only=True):
        return _firebase(path, _ndjson_items(path), lambda: _ndjson_items(path), warn)
    document = jsonread.load_document(path)
    if isinstance(document, dict) and "children" in document:
        return _algolia(path, document, warn)
    if isinstance(document, dict) and "id" in document:
        items = [("$", document)]
        return _firebase(path, items, lambda: items, warn)
    if isinstance(document, list):
        listed = [(f"$[{index}]", item) for index, item in enumerate(document)]
        return _firebase(path, listed, lambda: listed, warn)
    raise ParseError.at(path, "$", f"expected {DESCRIPTION}")


def _ndjson_items(path: Path) -> Iterator[tuple[str, Any]]:
    for number, value in jsonread.iter_ndjson(path):
        yield f"line {number}", value


# -- shared ------------------------------------------------------------------------


def _status(item: dict[str, Any]) -> str:
    if item.get("deleted") is True:
        return "deleted"
    if item.get("dead") is True:
        return "removed"
    return "visible"


def _meta(item: dict[str, Any], external_id: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for key in ("points", "score"):
        value = item.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            meta["points"] = value
            break
    meta["permalink"] = ITEM_URL + external_id
    return meta


def _thread(item: dict[str, Any], external_id: str) -> ThreadRecord:
    meta = _meta(item, external_id)
    author = item.get("by", item.get("author"))
    if author:
        meta["author"] = str(author)
    for key in ("descendants", "num_comments"):
        value = item.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            meta["descendants"] = value
    kind = item.get("type")
    if kind and kind != "story":
        meta["type"] = str(kind)
    status = _status(item)
    if status != "visible":
        meta["status"] = status
    url = jsonread.text(item.get("url")).strip() or None
    if url:
        meta["link_url"] = url
    created = item.get("time", item.get("created_at_i"))
    return ThreadRecord(
        platform=PLATFORM,
        external_id=external_id,
        title=jsonread.text(item.get("title")),  # plain text in both APIs, not HTML
        article=html_to_text(jsonread.text(item.get("text"))),
        url=ITEM_URL + external_id,
        created_at=jsonread.epoch_utc(created if created is not None else item.get("created_at")),
        meta=meta,
    )


def _comment(
    item: dict[str, Any], thread: str, external_id: str, parent: str | None, where: str
) -> CommentRecord:
    status = _status(item)
    author = item.get("by", item.get("author"))
    text = item.get("text")
    if status == "visible" and author is None and text is None:
        status = "deleted"  # Algolia keeps deleted comments as empty nodes
    created = item.get("time", item.get("created_at_i"))
    return CommentRecord(
        thread_external_id=thread,
        external_id=external_id,
        parent_external_id=parent,
        author=jsonread.text(author),
        body=html_to_text(jsonread.text(text)),
        created_at=jsonread.epoch_utc(created if created is not None else item.get("created_at")),
        status=status,
        meta=_meta(item, external_id),
        where=where,
    )


# -- Algolia -----------------------------------------------------------------------


def _algolia(path: Path, root: dict[str, Any], warn: Callable[[str], None]) -> Iterator[Record]:
    root_id = jsonread.id_text(root.get("id"))
    if root_id is None:
        raise ParseError.at(path, "$.id", "an Algolia item needs an id")
    is_story = root.get("type") in STORY_TYPES or root.get("parent_id") is None
    if is_story:
        thread = root_id
        yield _thread(root, root_id)
    else:
        thread = jsonread.id_text(root.get("story_id")) or jsonread.id_text(root.get("parent_id"))
        if thread is None:
            raise ParseError.at(path, "$", "a comment item without story_id or parent_id")
    # (node, JSON path, structural parent id); the root story is not a comment.
    stack: list[tuple[Any, str, str | None]] = []
    if is_story:
        _push_children(path, stack, root, "$", None)
    else:
        stack.append((root, "$", jsonread.id_text(root.get("parent_id"))))
    while stack:
        node, where, parent = stack.pop()
        if not isinstance(node, dict):
            raise ParseError.at(path, where, "expected an item object")
        if node.get("type") == "pollopt":
            continue
        external_id = jsonread.id_text(node.get("id"))
        if external_id is None:
            yield ProblemRecord(thread, where, "an item without an id")
            continue
        named = jsonread.id_text(node.get("parent_id"))
        yield _comment(node, thread, external_id, named or parent, where)
        _push_children(path, stack, node, where, external_id)


def _push_children(
    path: Path, stack: list[tuple[Any, str, str | None]], node: dict, where: str, parent: str | None
) -> None:
    children = node.get("children")
    if children is None:
        return
    if not isinstance(children, list):
        raise ParseError.at(path, f"{where}.children", "children must be a list")
    for index in range(len(children) - 1, -1, -1):
        stack.append((children[index], f"{where}.children[{index}]", parent))


# -- Firebase ----------------------------------------------------------------------


def _firebase(
    path: Path,
    items: Iterable[tuple[str, Any]],
    again: Callable[[], Iterable[tuple[str, Any]]],
    warn: Callable[[str], None],
) -> Iterator[Record]:
    # Pass 1: ids, parents and whether each is a story, to find every comment's thread.
    parents: dict[str, str | None] = {}
    for where, item in items:
        if not isinstance(item, dict):
            raise ParseError.at(path, where, f"expected an item object: {DESCRIPTION}")
        external_id = jsonread.id_text(item.get("id"))
        if external_id is None or item.get("type") == "pollopt":
            continue
        is_story = item.get("type") in STORY_TYPES or item.get("parent") is None
        parents[external_id] = None if is_story else jsonread.id_text(item.get("parent"))
    threads: dict[str, str] = {}
    for where, item in again():
        external_id = jsonread.id_text(item.get("id"))
        if item.get("type") == "pollopt":
            continue
        if external_id is None:
            yield ProblemRecord(None, where, "an item without an id")
            continue
        parent = parents.get(external_id)
        if parent is None:
            yield _thread(item, external_id)
            continue
        thread = _story_of(external_id, parents, threads)
        yield _comment(item, thread, external_id, parent, where)


def _story_of(external_id: str, parents: dict[str, str | None], threads: dict[str, str]) -> str:
    """The thread of a comment: up its parent chain to a story, or to the outermost id named."""
    chain: list[str] = []
    current = external_id
    seen: set[str] = set()
    while True:
        known = threads.get(current)
        if known is not None:
            story = known
            break
        if current not in parents:
            story = current  # the chain leaves the file: the outermost id it names
            break
        parent = parents[current]
        if parent is None:
            story = current  # a story
            break
        if current in seen:
            story = current  # a cycle: stop (the tree builder reports it)
            break
        seen.add(current)
        chain.append(current)
        current = parent
    for member in chain:
        threads[member] = story
    return story
