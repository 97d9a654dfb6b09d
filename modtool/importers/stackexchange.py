"""Stack Exchange data dump: ``Posts.xml`` and ``Comments.xml`` of a site (``Users.xml`` for names).

The dump (https://archive.org/details/stackexchange, one ``.7z`` per site;
schema: https://meta.stackexchange.com/a/2678) holds one XML file per table,
each a flat list of ``<row>`` elements whose columns are attributes::

    <posts>
      <row Id="1" PostTypeId="1" AcceptedAnswerId="12" CreationDate="2021-04-27T15:06:44.553"
           Score="36" Body="&lt;p&gt;HTML&lt;/p&gt;" OwnerUserId="17" Title="…"
           Tags="&lt;governance&gt;&lt;ethereum&gt;" AnswerCount="2" CommentCount="2" />
      <row Id="12" PostTypeId="2" ParentId="1" CreationDate="…" Score="20" Body="…" OwnerUserId="28" />
    </posts>
    <comments>
      <row Id="42" PostId="1" Score="2" Text="plain text" CreationDate="…" UserId="149" />
      <row Id="43" PostId="12" Text="…" UserDisplayName="a deleted user" />
    </comments>

Read: the unpacked site folder (its ``Posts.xml``, ``Comments.xml`` and
``Users.xml``; the other tables are ignored), the files named together
(``modtool import Posts.xml Comments.xml``), or one of them alone. The files
are told apart by their root element, not their names; ``.xml.gz`` is read as
is. A ``.7z`` archive is not read: unpack it first (``7z x site.7z``, from
p7zip) and import the folder.

Mapping (``docs/formats.md``), platform ``stackexchange``:

* a question (``PostTypeId`` 1) is a thread: ``Id``, ``Title``, ``Body`` as
  the article, tags, score, views, answer count and ``closed`` in meta;
* an answer (``PostTypeId`` 2) is a top-level comment of its question
  (``ParentId``), with its post ``Id`` as id; a comment on a post is a reply
  to it, with id ``c<Id>`` (comments are numbered apart from posts): comments
  on the question are top-level, comments on an answer nest under it. Other
  post types (tag wikis, nominations) and their comments are skipped;
* ``Comments.xml`` without ``Posts.xml``: each post is a thread of its own,
  flat, its text missing (the dump does not say whether a post is a question);
  a comment whose post is not in ``Posts.xml`` (deleted posts are left out of
  dumps) is read the same way;
* author: ``DisplayName`` from ``Users.xml`` when it is in the import, else
  the row's ``OwnerDisplayName``/``UserDisplayName``, else ``user<Id>``
  (``user_id`` in meta); nothing else of ``Users.xml`` is read (old dumps
  carry an ``EmailHash`` there);
* bodies are HTML to text, comment ``Text`` is plain text; dumps hold no
  deleted posts, so everything is ``visible``; meta: ``score``, ``permalink``
  (``/q/<id>``, ``/a/<id>``, ``/posts/comments/<id>``: relative, the dump does
  not say which site).

Dumps are GBs: every file is streamed (lxml iterparse through
:mod:`~modtool.importers.xmlsafe`, each row freed once read), and the maps from
post to question and from user to name live in a private temporary SQLite file
(like :mod:`~modtool.importers.staging`'s), so memory stays flat.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from modtool.errors import InputError, ParseError
from modtool.importers import pipeline, xmlsafe
from modtool.importers.dates import iso_utc
from modtool.importers.html import html_to_text
from modtool.importers.records import CommentRecord, ProblemRecord, Record, ThreadRecord

NAME = "stackexchange"
PLATFORM = "stackexchange"
EXTENSIONS = (".7z",)
GROUPED = False
MULTI_FILE = True
DESCRIPTION = (
    "a Stack Exchange data dump: Posts.xml (<posts><row PostTypeId=…>) and/or Comments.xml "
    "(<comments><row PostId=…>), or the unpacked site folder"
)

QUESTION, ANSWER, OTHER = 1, 2, 0
TABLES = ("users", "posts", "comments")
BATCH = 5_000
_7Z_MAGIC = b"7z\xbc\xaf\x27\x1c"
_ROOT = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?"
    rb"(?:<!DOCTYPE[^\[>]*(?:\[[^\]]*\])?\s*>\s*)?<(posts|comments|users)\s*>"
)


def _table(head: bytes) -> str | None:
    """``posts``/``comments``/``users`` when the head is that table's dump file (its root)."""
    found = _ROOT.match(xmlsafe.head_text(head))
    return found.group(1).decode() if found else None


def sniff(head: bytes, path: Path) -> bool:
    """A dump table's root (``<posts>``, ``<comments>``) with rows, or a folder with one."""
    if head.startswith(_7Z_MAGIC):
        return True  # refused in read() with how to unpack it
    if head:
        return _table(head) in ("posts", "comments")
    return path.is_dir() and any(table in ("posts", "comments") for table, _ in _tables(path))


def _tables(path: Path) -> list[tuple[str, Path]]:
    """``(table, file)`` of the import: the file, or a folder's dump files."""
    if not path.is_dir():
        return [(_table(xmlsafe.read_head(path, 4096)) or "", path)]
    found = []
    for entry in sorted(path.iterdir(), key=lambda item: item.name):
        if not entry.name.lower().endswith((".xml", ".xml.gz")):
            continue
        real = entry.resolve()
        pipeline.check_input(real)
        table = _table(xmlsafe.read_head(real, 4096))
        if table:
            found.append((table, real))
    return found


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    if not path.is_dir() and xmlsafe.read_head(path, 8).startswith(_7Z_MAGIC):
        raise ParseError.at(
            path,
            None,
            "a .7z archive: unpack it first (7z x FILE, from p7zip) and import the folder "
            "(or its Posts.xml and Comments.xml)",
        )
    files: dict[str, list[Path]] = {}
    for table, file in _tables(path):
        files.setdefault(table, []).append(file)
    if not files.get("posts") and not files.get("comments"):
        raise ParseError.at(path, None, f"expected {DESCRIPTION}")
    with _Lookup() as lookup:
        for file in files.get("users", ()):
            lookup.add_users(_users(file))
        with_posts = bool(files.get("posts"))
        for file in files.get("posts", ()):
            yield from _posts(file, lookup)
        lookup.flush()
        for file in files.get("comments", ()):
            yield from _comments(file, lookup, with_posts)


def _rows(path: Path, tag: str = "row") -> Iterator[Any]:
    for element in xmlsafe.iterparse(path, (tag,)):
        yield element
        xmlsafe.release(element)


def _users(path: Path) -> Iterator[tuple[int, str]]:
    for row in _rows(path):
        number = _int(row.get("Id"))
        if number is not None:
            yield number, row.get("DisplayName") or ""


_LIMIT = 1 << 63  # ids live in SQLite integers in the lookup file


def _int(value: str | None) -> int | None:
    """A dump's number, or ``None`` (absent, not a number, or beyond 64 bits)."""
    if value is None or len(value) > 20:
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if -_LIMIT <= number < _LIMIT else None


def _author(row: Any, lookup: _Lookup, id_key: str, name_key: str) -> tuple[str, str | None]:
    user = row.get(id_key)
    number = _int(user)
    name = lookup.user(number) if number is not None else None
    return name or row.get(name_key) or (f"user{user}" if user else ""), user


def _posts(path: Path, lookup: _Lookup) -> Iterator[Record]:
    for row in _rows(path):
        where = f"{path.name}: line {row.sourceline}"
        post_id = _int(row.get("Id"))
        kind = _int(row.get("PostTypeId"))
        if post_id is None:
            yield ProblemRecord(None, where, "a post row without a usable Id")
            continue
        if kind == QUESTION:
            lookup.add_post(post_id, post_id, QUESTION)
            yield _question(row, post_id, lookup)
        elif kind == ANSWER:
            question = _int(row.get("ParentId"))
            if question is None:
                yield ProblemRecord(None, where, f"answer {post_id} without a usable ParentId")
                continue
            lookup.add_post(post_id, question, ANSWER)
            yield _answer(row, post_id, question, lookup, where)
        else:
            lookup.add_post(post_id, post_id, OTHER)


def _meta(row: Any, user: str | None, keys: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for attribute, name in keys:
        value = _int(row.get(attribute))
        if value is not None:
            meta[name] = value
    if user:
        meta["user_id"] = user
    return meta


def _question(row: Any, post_id: int, lookup: _Lookup) -> ThreadRecord:
    author, user = _author(row, lookup, "OwnerUserId", "OwnerDisplayName")
    meta = _meta(
        row,
        user,
        (
            ("Score", "score"),
            ("ViewCount", "views"),
            ("AnswerCount", "answers"),
            ("AcceptedAnswerId", "accepted_answer"),
        ),
    )
    meta["author"] = author
    tags = (row.get("Tags") or "").replace("><", "|").strip("<>|").split("|")
    if tags != [""]:
        meta["tags"] = tags
    if row.get("ClosedDate"):
        meta["closed"] = iso_utc(row.get("ClosedDate")) or True
    meta["permalink"] = f"/q/{post_id}"
    return ThreadRecord(
        platform=PLATFORM,
        external_id=str(post_id),
        title=row.get("Title") or "",
        article=html_to_text(row.get("Body") or ""),
        created_at=iso_utc(row.get("CreationDate")),
        meta=meta,
    )


def _answer(row: Any, post_id: int, question: int, lookup: _Lookup, where: str) -> CommentRecord:
    author, user = _author(row, lookup, "OwnerUserId", "OwnerDisplayName")
    meta = _meta(row, user, (("Score", "score"),))
    if row.get("LastEditDate"):
        meta["edited"] = iso_utc(row.get("LastEditDate")) or True
    meta["permalink"] = f"/a/{post_id}"
    return CommentRecord(
        thread_external_id=str(question),
        external_id=str(post_id),
        parent_external_id=None,
        author=author,
        body=html_to_text(row.get("Body") or ""),
        created_at=iso_utc(row.get("CreationDate")),
        meta=meta,
        where=where,
        line=row.sourceline,
    )


def _comments(path: Path, lookup: _Lookup, with_posts: bool) -> Iterator[Record]:
    for row in _rows(path):
        where = f"{path.name}: line {row.sourceline}"
        comment_id = _int(row.get("Id"))
        post_id = _int(row.get("PostId"))
        if post_id is None:
            yield ProblemRecord(None, where, "a comment row without a usable PostId")
            continue
        found = lookup.post(post_id) if with_posts else None
        if found is None:
            thread, parent = post_id, None  # the post is not in the import: a thread of its own
        elif found[1] == OTHER:
            continue  # a comment on a tag wiki or nomination, not on a question
        else:
            thread, parent = found[0], (post_id if found[1] == ANSWER else None)
        if comment_id is None:
            yield ProblemRecord(str(thread), where, "a comment row without a usable Id")
            continue
        author, user = _author(row, lookup, "UserId", "UserDisplayName")
        meta = _meta(row, user, (("Score", "score"),))
        meta["permalink"] = f"/posts/comments/{comment_id}"
        yield CommentRecord(
            thread_external_id=str(thread),
            external_id=f"c{comment_id}",
            parent_external_id=None if parent is None else str(parent),
            author=author,
            body=row.get("Text") or "",
            created_at=iso_utc(row.get("CreationDate")),
            meta=meta,
            where=where,
            line=row.sourceline,
        )


class _Lookup:
    """Post → (question, type) and user → name, in a private temporary SQLite file
    (no journal, ``synchronous = OFF``, unlinked as soon as it is open)."""

    def __init__(self) -> None:
        handle, name = tempfile.mkstemp(prefix="modtool-stackexchange-", suffix=".db")
        os.close(handle)
        try:
            self.conn = sqlite3.connect(name, isolation_level=None)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(name)
        self.conn.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
            "CREATE TABLE posts (id INTEGER PRIMARY KEY, thread INTEGER, kind INTEGER);"
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
            "BEGIN;"
        )
        self.pending: list[tuple[int, int, int]] = []
        self.has_users = False

    def __enter__(self) -> _Lookup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()

    def add_users(self, users: Iterator[tuple[int, str]]) -> None:
        self.has_users = True
        try:
            self.conn.executemany("INSERT OR REPLACE INTO users VALUES (?, ?)", users)
        except sqlite3.Error as exc:
            raise _scratch_error(exc) from None

    def add_post(self, post_id: int, thread: int, kind: int) -> None:
        self.pending.append((post_id, thread, kind))
        if len(self.pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        try:
            self.conn.executemany("INSERT OR REPLACE INTO posts VALUES (?, ?, ?)", self.pending)
        except sqlite3.Error as exc:
            raise _scratch_error(exc) from None
        self.pending.clear()

    def post(self, post_id: int) -> tuple[int, int] | None:
        return self.conn.execute(
            "SELECT thread, kind FROM posts WHERE id = ?", (post_id,)
        ).fetchone()

    def user(self, user_id: int) -> str | None:
        if not self.has_users:
            return None
        found = self.conn.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchone()
        return found[0] if found else None


def _scratch_error(exc: Exception) -> InputError:
    return InputError(
        f"cannot keep the dump's post index in a temporary file in {tempfile.gettempdir()}: "
        f"{exc} (set TMPDIR to a folder with room)"
    )
