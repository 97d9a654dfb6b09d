"""Flat comment records to a reply tree: the one place every format's tree is built.

A format module yields :class:`~modtool.importers.records.CommentRecord` s that
name their parent by external id, in file order; parents may come after their
replies. :func:`build` turns one thread's records into :class:`TreeComment` s in
pre-order (a parent before its replies, siblings in file order), with what the
store needs and no format computes itself:

* ``position``: the pre-order index (0-based), i.e. the order a reader sees;
* ``depth`` (0 = top level) and ``path``, the reply path numbered by sibling
  order (``7.4.2`` = the 2nd reply to the 4th reply to the 7th top-level
  comment; for the plain-text layout it is the document's own numbering);
* ``orphan``: the named parent is not in the thread. The comment is put at the
  top level (never under a guessed parent), keeps ``parent_external_id``, and
  its own replies hang under it;
* ``parent_position``: where the parent is in this list (``None`` at the top level).

Rules decided here once for every format (see ``docs/formats.md``):

* **duplicates**: the same external id twice in one thread: the later record
  wins (it is the newer state of the comment in every export we know), with a
  warning naming both places;
* **cycles** (``a`` replies to ``b`` which replies to ``a``): the first member in
  file order becomes an orphan at the top level, with a warning; the loop is
  broken there, never followed;
* parent = the thread's own id (some formats name the post as the parent of a
  top-level comment) means top level, not an orphan.

:class:`PreorderTree` is the fast path for formats whose records already come
in pre-order with parents first (the plain-text layout): it places the same
comments one by one, without holding the thread in memory.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Container, Sequence
from typing import NamedTuple

from modtool.importers.records import CommentRecord

Warn = Callable[[str], None]


class TreeComment(NamedTuple):
    """One comment placed in its thread's tree, ready for the store.

    Fields after ``parent_position`` are in the order of the store's INSERT
    columns, so a new row is one tuple concatenation (``store/threads.py``).
    """

    parent_position: int | None
    external_id: str
    parent_external_id: str | None
    position: int
    depth: int
    path: str
    orphan: bool
    author: str
    body: str
    status: str
    created_at: str | None
    meta: str | None
    """JSON text (sorted keys, so the same metadata is the same text)."""
    line: int | None
    content_hash: str
    """Hash of author + body: scores are tied to it (a status change keeps it)."""


def _meta_encoder() -> Callable[[dict], str]:
    """``json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":"))``
    with the encoder built once, not per comment: 1.6 us a comment instead of 4.2
    (``json.dumps`` with arguments makes a new encoder, and its C core, each call)."""
    settings = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    make = json.encoder.c_make_encoder
    if make is None:  # no C accelerator (another Python): the same text, slower
        return settings.encode
    markers: dict = {}  # a circular value still raises ValueError, as json.dumps does
    core = make(
        markers,
        settings.default,
        json.encoder.encode_basestring,
        None,
        settings.key_separator,
        settings.item_separator,
        True,
        False,
        True,
    )

    def encode(meta: dict) -> str:
        try:
            return "".join(core(meta, 0))
        except BaseException:
            markers.clear()  # a failed encoding leaves its containers marked
            raise

    return encode


_encode_meta = _meta_encoder()


def _place_all(
    records: Sequence[CommentRecord],
    placed: Sequence[tuple[int, int | None, int, str]],
    orphans: Container[int],
    start: int = 0,
) -> list[TreeComment]:
    """Each ``(record index, parent position, depth, path)`` of ``placed`` as the
    :class:`TreeComment` at position ``start`` onwards: one loop, no Python call per
    comment (the hot path of every format). Metadata is stored as sorted-key JSON
    text (a record may carry it as text already); empty metadata as ``None``."""
    out: list[TreeComment] = []
    append = out.append
    encode = _encode_meta
    sha256 = hashlib.sha256
    for position, (index, parent, depth, path) in enumerate(placed, start):
        record = records[index]
        author, body, meta = record.author, record.body, record.meta
        if not meta:
            meta = None
        elif not isinstance(meta, str):
            meta = encode(meta)
        append(
            _new(
                TreeComment,
                (
                    parent,
                    record.external_id,
                    record.parent_external_id,
                    position,
                    depth,
                    path,
                    index in orphans,
                    author,
                    body,
                    record.status,
                    record.created_at,
                    meta,
                    record.line,
                    # models.content_hash(author, body), inlined (two calls a comment)
                    record.content_hash or sha256(f"{author}\x00{body}".encode()).hexdigest()[:16],
                ),
            )
        )
    return out


_new = tuple.__new__  # a TreeComment without the Python-level __new__ (hot path)
_ORPHAN = frozenset({0})  # PreorderTree: "the one record placed is an orphan"


def _where(record: CommentRecord) -> str:
    if record.where:
        return f" ({record.where})"
    return f" (line {record.line})" if record.line else ""


def build(
    thread_external_id: str | None,
    records: Sequence[CommentRecord],
    warn: Warn,
    *,
    thread_is_a_parent: bool = False,
) -> list[TreeComment]:
    """The thread's comments in pre-order; ``records`` in file order, any parent order.

    ``thread_is_a_parent`` (the importer's ``THREAD_ID_IS_A_PARENT``): a parent id
    equal to the thread's id is the thread itself, so the comment is at the top
    level. Otherwise such a parent names a comment like any other id (WordPress
    numbers posts and comments apart: post 58 may hold comment 58).
    """
    thread_parent = thread_external_id if thread_is_a_parent else None
    latest: dict[str, int] = {}
    duplicated = False
    for index, record in enumerate(records):
        earlier = latest.get(record.external_id)
        if earlier is not None:
            duplicated = True
            warn(
                f"comment {record.external_id!r} appears twice in thread "
                f"{thread_external_id!r}{_where(records[earlier])}{_where(record)}: "
                "the later one is kept"
            )
        latest[record.external_id] = index
    order = sorted(latest.values()) if duplicated else list(latest.values())
    children: dict[str, list[int]] = {}
    roots: list[int] = []
    orphans: set[int] = set()
    for index in order:
        record = records[index]
        parent = record.parent_external_id
        # The top level: no parent, or (``thread_parent``, formats whose threads and
        # comments share one id space) the thread itself named as parent.
        if not parent or parent == thread_parent:
            roots.append(index)
        elif parent != record.external_id and parent in latest:
            children.setdefault(parent, []).append(index)  # type: ignore[arg-type]
        else:
            roots.append(index)
            orphans.add(index)
    placed = _walk(records, roots, children)
    if len(placed) < len(order):
        # Whatever no root reaches hangs in a reply cycle: break each at its
        # first member in file order.
        reached = {index for index, *_ in placed}
        for index in order:
            if index in reached:
                continue
            record = records[index]
            warn(
                f"comment {record.external_id!r}{_where(record)} is part of a reply cycle in "
                f"thread {thread_external_id!r}: shown at the top level"
            )
            roots.append(index)
            orphans.add(index)
            reached.update(i for i, *_ in _walk(records, [index], children))
        roots.sort()
        placed = _walk(records, roots, children)
    return _place_all(records, placed, orphans)


def _walk(
    records: Sequence[CommentRecord],
    roots: list[int],
    children: dict[str, list[int]],
) -> list[tuple[int, int | None, int, str]]:
    """Pre-order ``(record index, parent position, depth, path)``, iteratively
    (reply chains thousands deep do not recurse), each record at most once."""
    out: list[tuple[int, int | None, int, str]] = []
    seen: set[int] = set()
    stack: list[tuple[int, int | None, int, str]] = [
        (index, None, 0, str(number)) for number, index in reversed(list(enumerate(roots, 1)))
    ]
    pop, push, append, visit = stack.pop, stack.append, out.append, seen.add
    while stack:
        node = pop()
        index = node[0]
        if index in seen:
            continue
        visit(index)
        position = len(out)
        append(node)
        replies = children.get(records[index].external_id)
        if replies:  # most comments have none: no list made for them
            replies = [i for i in replies if i not in seen]
            depth, path = node[2] + 1, node[3]
            for number in range(len(replies), 0, -1):
                push((replies[number - 1], position, depth, f"{path}.{number}"))
    return out


class NotPreorder(Exception):
    """The records are not in pre-order after all (see :meth:`PreorderTree.place`)."""


class PreorderTree:
    """Places records that arrive in pre-order (every parent before its replies,
    each reply right after its parent's subtree so far), one at a time.

    Gives the same result as :func:`build` for such input, without holding the
    thread in memory. A record whose parent is not an open ancestor (the input
    was not in pre-order, or the parent is missing) is placed as an orphan at
    the top level.
    """

    def __init__(self, thread_external_id: str | None, *, thread_is_a_parent: bool = False) -> None:
        self.thread_external_id = thread_external_id
        self._thread_parent = thread_external_id if thread_is_a_parent else None
        # The open ancestors, deepest last: [external id, position, path, replies so far].
        self._stack: list[list] = []
        self._open_at: dict[str, int] = {}
        self._top = 0
        self._position = 0
        self._seen: set[str] = set()
        self._absent: set[str] = set()  # parents named but not seen (orphans so far)

    def place(self, record: CommentRecord) -> TreeComment:
        """The record placed; :class:`NotPreorder` when :func:`build` would place it
        (or an earlier one) elsewhere: an id seen twice, a parent that came earlier
        but is no open ancestor, a comment that an earlier orphan named as parent."""
        stack, open_at = self._stack, self._open_at
        parent = record.parent_external_id
        external_id = record.external_id
        if external_id in self._seen or external_id in self._absent:
            raise NotPreorder(external_id)
        self._seen.add(external_id)
        top = not parent or parent == self._thread_parent
        at = None if top else open_at.get(parent)  # type: ignore[arg-type]
        if at is None and not top:
            if parent in self._seen:
                raise NotPreorder(external_id)
            self._absent.add(parent)  # type: ignore[arg-type]
        keep = 0 if at is None else at + 1
        for gone in stack[keep:]:
            del open_at[gone[0]]
        del stack[keep:]
        if at is None:
            self._top += 1
            path = str(self._top)
            parent_position = None
        else:
            above = stack[at]
            above[3] += 1
            path = f"{above[2]}.{above[3]}"
            parent_position = above[1]
        position = self._position
        self._position += 1
        orphan = _ORPHAN if at is None and not top else ()
        (placed,) = _place_all(
            (record,), ((0, parent_position, len(stack), path),), orphan, position
        )
        open_at[record.external_id] = len(stack)
        stack.append([record.external_id, position, path, 0])
        return placed
