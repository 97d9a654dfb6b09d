"""WordPress REST API answers: ``/wp-json/wp/v2/comments`` pages and the post itself.

What ``GET /wp-json/wp/v2/comments?post=ID`` answers (WordPress 4.7 and later;
read from WordPress 6.1's own answers, ``tests/fixtures/fetch/wordpress``)::

    [{"id": 2, "post": 4, "parent": 0, "author_name": "Ann", "author_url": "",
      "date_gmt": "2026-11-20T09:10:00",
      "content": {"rendered": "<p>Top comment &#038; …</p>\\n", "raw": "…"},
      "link": "https://site/…/#comment-2", "status": "approved", "type": "comment"}, …]

and ``GET /wp-json/wp/v2/posts/ID`` (or ``pages/ID``) the post: ``id``,
``title``/``content`` (``rendered``, and ``raw`` with ``context=edit``),
``link``, ``date_gmt``, ``type``, ``status``. A document is any number of such
answers (pages of comments, the post; see :mod:`~modtool.importers.answers`);
``modtool fetch`` saves them so.

Mapping (the same identity as the ``wxr`` format, so a site imported from its
WXR export and fetched through its API is one set of threads):

* platform ``wordpress``; the thread is the post (its id); comment ids are
  WordPress's ``comment_ID``, unique in the site; ``parent`` 0 is the top level;
* body: ``content.raw`` (with ``context=edit``: the stored text, as in WXR)
  through :func:`~modtool.importers.html.html_to_text` with newlines as line
  breaks, else ``content.rendered`` (the HTML the site shows: WordPress has
  already turned quotes curly and ``--`` into a dash there, so a comment first
  imported from WXR then fetched without credentials counts as edited);
* status: ``approved`` → visible, ``hold``/``unapproved`` → pending, ``spam``,
  ``trash`` → deleted (as WXR's ``comment_approved``);
* meta: ``type`` when not ``comment`` (a pingback), ``author_url`` when given:
  what the ``wxr`` format keeps;
* never read: ``author_email``, ``author_ip``, ``author_user_agent``,
  ``author_avatar_urls`` (a hash of the e-mail).

An error answer (``{"code": "rest_…", "message": …}``) in the document is one
line naming it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from modtool.importers import answers, jsonread
from modtool.importers.dates import iso_utc
from modtool.importers.html import html_to_text
from modtool.importers.records import CommentRecord, ProblemRecord, Record, ThreadRecord

NAME = "wordpress_api"
PLATFORM = "wordpress"
EXTENSIONS: tuple[str, ...] = ()
GROUPED = False
MULTI_FILE = True
DESCRIPTION = (
    "WordPress REST API answers: /wp-json/wp/v2/comments pages ([{id, post, parent, "
    "author_name, content: {rendered}, status}]) and the post (/wp/v2/posts/ID)"
)

STATUS = {
    "approved": "visible",
    "approve": "visible",
    "hold": "pending",
    "unapproved": "pending",
    "spam": "spam",
    "trash": "deleted",
}
_COMMENT = re.compile(rb'"author_name"\s*:')
_RENDERED = re.compile(rb'"rendered"\s*:')
_DATE = re.compile(rb'"date_gmt"\s*:')


def sniff(head: bytes, path: Path) -> bool:
    """JSON holding WordPress's ``rendered`` fields and a comment's ``author_name``
    (or, for a folder of answers starting with the post, its ``date_gmt``)."""
    data = answers.head(head, path)
    if not answers.looks_like_json(data) or not _RENDERED.search(data):
        return False
    return bool(_COMMENT.search(data)) or (path.is_dir() and bool(_DATE.search(data)))


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    for member, where, value in answers.iter_answers(path):
        if isinstance(value, list):
            for index, item in enumerate(value):
                at = answers.place(where, index)
                if not isinstance(item, dict):
                    raise answers.shape_error(member, at, "expected a comment object")
                yield _comment(item, f"{member.name}: {at}")
        elif isinstance(value, dict) and isinstance(value.get("code"), str) and "id" not in value:
            message = jsonread.text(value.get("message"))[:200]
            raise answers.shape_error(
                member, where, f"a WordPress error answer ({value['code'][:60]}: {message})"
            )
        elif isinstance(value, dict) and "author_name" in value and "post" in value:
            yield _comment(value, f"{member.name}: {where}")
        elif isinstance(value, dict) and "title" in value and "id" in value:
            thread = _post(value)
            if thread is None:
                yield ProblemRecord(None, f"{member.name}: {where}", "a post without an id")
            else:
                yield thread
        else:
            raise answers.shape_error(member, where, f"expected {DESCRIPTION}")


def _post(post: dict[str, Any]) -> ThreadRecord | None:
    external_id = jsonread.id_text(post.get("id"))
    if external_id is None:
        return None
    title, title_raw = _text(post.get("title"))
    article, raw = _text(post.get("content"))
    meta = {
        key: value
        for key, value in (("post_type", post.get("type")), ("status", post.get("status")))
        if isinstance(value, str) and value
    }
    link = jsonread.text(post.get("link")).strip()
    return ThreadRecord(
        platform=PLATFORM,
        external_id=external_id,
        title=html.unescape(title) if title_raw else _plain(title),
        article=html_to_text(article, newlines_are_breaks=raw) if article else "",
        url=link or None,
        created_at=iso_utc(post.get("date_gmt")) or iso_utc(post.get("date")),
        meta=meta or None,
    )


def _comment(comment: dict[str, Any], where: str) -> CommentRecord | ProblemRecord:
    thread = jsonread.id_text(comment.get("post"))
    external_id = jsonread.id_text(comment.get("id"))
    if thread is None:
        return ProblemRecord(None, where, "a comment without its post")
    if external_id is None:
        return ProblemRecord(thread, where, "a comment without an id")
    parent = jsonread.id_text(comment.get("parent"))
    text, raw = _text(comment.get("content"))
    author = jsonread.text(comment.get("author_name")).strip()
    meta: dict[str, Any] = {}
    kind = jsonread.text(comment.get("type")).strip()
    if kind and kind != "comment":
        meta["type"] = kind
    url = jsonread.text(comment.get("author_url")).strip()
    if url:
        meta["author_url"] = url
    return CommentRecord(
        thread_external_id=thread,
        external_id=external_id,
        parent_external_id=None if parent in (None, "0") else parent,
        author=html.unescape(author) if "&" in author else author,
        body=html_to_text(text, newlines_are_breaks=raw),
        created_at=iso_utc(comment.get("date_gmt")) or iso_utc(comment.get("date")),
        status=STATUS.get(jsonread.text(comment.get("status")).strip().lower(), "pending"),
        meta=meta or None,
        where=where,
    )


def _text(field: Any) -> tuple[str, bool]:
    """``(text, is_raw)``: ``raw`` when the answer has it (``context=edit``), else
    ``rendered``; a bare string is taken as rendered."""
    if isinstance(field, dict):
        raw = field.get("raw")
        if isinstance(raw, str):
            return raw, True
        return jsonread.text(field.get("rendered")), False
    return jsonread.text(field), False


def _plain(rendered: str) -> str:
    """A rendered title is HTML-escaped text (tags are rare): the text of it."""
    return html_to_text(rendered) if "<" in rendered else html.unescape(rendered)
