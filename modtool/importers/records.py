"""What a platform importer yields: flat records, one per thread or comment.

This is the contract between the format modules (``wxr.py``, ``reddit.py``, …)
and the one place that turns flat records into trees and stores them
(``importers/tree.py`` and ``store/threads.py``). A format module only *reads*:
it never computes depth, position, paths or orphans, and records have no field
for an e-mail or an IP address, so no format can store them.

A format module's ``read(path, warn)`` yields, in file order, any mix of:

* :class:`ThreadRecord`: a thread (a post, a Disqus thread, a Reddit link, an
  HN story, a Discourse topic, a ConvoKit conversation). The same external id
  may be yielded more than once; later non-empty fields fill in earlier ones.
* :class:`CommentRecord`: one comment, naming its thread by external id.
  Parents may come after their replies. A thread that is never declared is
  created from the first comment that names it.
* :class:`MissingRecord`: comments the platform knows but the file lacks
  (Reddit "load more" stubs): counted per thread, never stored as comments.
* :class:`ProblemRecord`: a record that cannot be used (a comment without an
  id, say). Its thread is not stored; the other threads are (exit 1 at the end).

Hard document errors (not UTF-8, not XML, an entity declaration) are raised as
:class:`~modtool.errors.ParseError` naming file and place, and nothing of the
document is stored.
"""

from __future__ import annotations

from typing import Any, NamedTuple

STATUSES = ("visible", "pending", "spam", "deleted", "removed")
"""A comment's moderation status as its platform recorded it."""


class ThreadRecord(NamedTuple):
    platform: str
    """``text``, ``wordpress``, ``disqus``, ``reddit``, ``hackernews``, ``discourse``, ``convokit``."""
    external_id: str
    """The platform's id as text, without type prefixes (Reddit ``t3_abc`` → ``abc``)."""
    title: str = ""
    article: str = ""
    """Plain text of the post / story / first Discourse post, when the file has it."""
    url: str | None = None
    created_at: str | None = None
    """ISO 8601 UTC, as :func:`modtool.importers.dates.iso_utc` makes it."""
    article_source: str | None = None
    meta: dict[str, Any] | None = None
    """Platform metadata worth keeping (score, subreddit, category, …); JSON-able."""


class CommentRecord(NamedTuple):
    thread_external_id: str
    external_id: str
    parent_external_id: str | None
    """``None`` = top level. The thread's own id means the top level only for a
    format with ``THREAD_ID_IS_A_PARENT`` (importers/base.py); elsewhere it names a
    comment like any other id."""
    author: str
    body: str
    """The plain text shown and scored (HTML already turned into text)."""
    created_at: str | None = None
    status: str = "visible"
    """One of :data:`STATUSES`, from the platform's own flags."""
    meta: dict[str, Any] | None = None
    """Platform metadata worth keeping (score/points, permalink, edited, type, …)."""
    where: str | None = None
    """Where in the file it was read (``line 12``, ``record 5``, ``$[1].data.children[3]``)."""
    line: int | None = None
    """The line of the file it starts on, when the format has lines (stored as ``line``)."""
    content_hash: str | None = None
    """:func:`modtool.models.content_hash` of author + body, if the reader has it already
    (the tree builder computes it otherwise; formats leave it out)."""


class MissingRecord(NamedTuple):
    thread_external_id: str
    count: int


class ProblemRecord(NamedTuple):
    thread_external_id: str | None
    where: str | None
    message: str


Record = ThreadRecord | CommentRecord | MissingRecord | ProblemRecord

MARKUP_WARNINGS: list[str] = []
"""What was unusual about the markup :func:`~modtool.importers.html.html_to_text`
turned into text since the last record was yielded ("nested 300 deep", "text
hidden by style (display:none)"). The pipeline moves them into the meta of the
record yielded next (``meta["markup_warning"]``), so a format that converts a
record's HTML while building it, as every format does, needs nothing more."""
