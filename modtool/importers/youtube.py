"""YouTube Data API v3 answers: ``commentThreads.list`` pages, ``comments.list``, ``videos.list``.

What the API returns (https://developers.google.com/youtube/v3/docs/commentThreads)::

    {"kind": "youtube#commentThreadListResponse", "nextPageToken": "…",
     "items": [{"kind": "youtube#commentThread", "id": "Ugz…",
                "snippet": {"videoId": "XYAe15w39LQ", "totalReplyCount": 74,
                            "topLevelComment": {"kind": "youtube#comment", "id": "Ugz…",
                                                "snippet": {"textDisplay": "…", "textOriginal": "…",
                                                            "authorDisplayName": "@ann",
                                                            "authorChannelId": {"value": "UC…"},
                                                            "likeCount": 3, "publishedAt": "…",
                                                            "updatedAt": "…"}}},
                "replies": {"comments": [{"id": "Ugz….9m…", "snippet": {"parentId": "Ugz…", …}}]}}]}

A thread with many pages is several answers: save each page and import them
together (a folder, the files named together, one page per line, or a JSON
array of pages; see :mod:`.answers`). ``comments.list?parentId=`` pages (the
replies ``commentThreads`` cuts at five) and a ``videos.list`` answer (the
video's title and description) may be among them.

Mapping (``docs/formats.md``), platform ``youtube``:

* the video is the thread (``videoId``; a channel's own discussion, without
  a video, is the channel id), ``https://www.youtube.com/watch?v=…`` its url;
  title and description from a ``videos.list`` answer when there is one;
* comments keep YouTube's ids; a reply's parent is ``snippet.parentId``
  (replies nest one level); a reply whose top-level comment is not in the
  document is an orphan. Pages overlap (the replies ``commentThreads`` shows
  come again in ``comments.list``): a comment read twice keeps its later copy,
  without a warning;
* body: ``textOriginal``, else ``textDisplay`` (HTML unless the request said
  ``textFormat=plainText``) to text; author: ``authorDisplayName``
  (``authorChannelId`` in meta as ``channel``);
* ``moderationStatus`` (the channel owner's view): ``heldForReview`` →
  pending, ``likelySpam`` → spam, ``rejected`` → removed;
* a top-level comment's ``totalReplyCount`` beyond the replies in the
  document is the thread's missing count;
* meta: ``channel``, ``likes``, ``edited`` (``updatedAt`` when it differs from
  ``publishedAt``), ``url`` (``…watch?v=<video>&lc=<comment>``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from modtool.importers import answers, jsonread
from modtool.importers.dates import iso_utc
from modtool.importers.html import html_to_text
from modtool.importers.records import (
    CommentRecord,
    MissingRecord,
    ProblemRecord,
    Record,
    ThreadRecord,
)

NAME = "youtube"
PLATFORM = "youtube"
EXTENSIONS: tuple[str, ...] = ()
GROUPED = False
MULTI_FILE = True
DESCRIPTION = (
    "YouTube Data API answers: commentThreads.list pages (items[].snippet.topLevelComment, "
    "replies.comments[]), comments.list or videos.list"
)

WATCH = "https://www.youtube.com/watch?v="
_KIND = re.compile(
    rb'"kind"\s*:\s*"youtube#(?:commentThreadListResponse|commentListResponse|commentThread|'
    rb'comment|videoListResponse)"'
)
STATUSES = {"heldForReview": "pending", "likelySpam": "spam", "rejected": "removed"}


def sniff(head: bytes, path: Path) -> bool:
    """JSON with a ``youtube#comment…`` (or ``videoListResponse``) ``kind``."""
    return answers.sniff_keys(head, path, _KIND)


Item = tuple[Path, str, str, dict[str, Any]]
"""``(file, where, kind, resource)``: ``kind`` is ``comment`` or ``video``."""


def _items(path: Path) -> Iterator[Item]:
    for member, where, value in answers.iter_answers(path):
        yield from _answer(member, where, value)


def _answer(member: Path, where: str, value: Any) -> Iterator[Item]:
    if isinstance(value, list):  # pages saved as one JSON array
        for index, item in enumerate(value):
            yield from _answer(member, answers.place(where, index), item)
        return
    if not isinstance(value, dict) or not jsonread.text(value.get("kind")).startswith("youtube#"):
        raise answers.shape_error(member, where, f"expected {DESCRIPTION}")
    kind = value["kind"]
    if kind.endswith("ListResponse"):
        listed = value.get("items", [])
        if not isinstance(listed, list):
            raise answers.shape_error(member, answers.place(where, "items"), "expected a list")
        for index, item in enumerate(listed):
            yield from _answer(member, answers.place(where, "items", index), item)
        return
    if kind == "youtube#video":
        yield member, where, "video", value
    elif kind == "youtube#commentThread":
        snippet = answers.obj(value.get("snippet"))
        top = snippet.get("topLevelComment")
        if not isinstance(top, dict):
            raise answers.shape_error(
                member, answers.place(where, "snippet", "topLevelComment"), "expected a comment"
            )
        # The thread's fields the comment itself may lack (older answers).
        top = {**top, "_thread": snippet}
        yield member, answers.place(where, "snippet", "topLevelComment"), "comment", top
        replies = answers.obj(value.get("replies")).get("comments") or []
        if not isinstance(replies, list):
            at = answers.place(where, "replies", "comments")
            raise answers.shape_error(member, at, "expected a list")
        for index, reply in enumerate(replies):
            if not isinstance(reply, dict):
                at = answers.place(where, "replies", "comments", index)
                raise answers.shape_error(member, at, "expected a comment")
            yield member, answers.place(where, "replies", "comments", index), "comment", reply
    elif kind == "youtube#comment":
        yield member, where, "comment", value


def _thread_of(comment: dict[str, Any]) -> str | None:
    snippet = answers.obj(comment.get("snippet"))
    thread = answers.obj(comment.get("_thread"))
    for source in (snippet, thread):
        found = jsonread.id_text(source.get("videoId"))
        if found:
            return found
    for source in (thread, snippet):
        found = jsonread.id_text(source.get("channelId"))
        if found:
            return found
    return None


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    # Pass 1: each comment's video, the videos' titles, reply counts.
    threads: dict[str, str] = {}
    videos: dict[str, ThreadRecord] = {}
    expected: dict[str, int] = {}
    last: dict[str, int] = {}  # pages overlap (a reply in its thread and in comments.list)
    for index, (_, _, kind, resource) in enumerate(_items(path)):
        if kind == "video":
            video = _video(resource)
            if video is not None:
                videos[video.external_id] = video
            continue
        comment_id = jsonread.id_text(resource.get("id"))
        thread = _thread_of(resource)
        if comment_id:
            last[comment_id] = index
        if comment_id and thread:
            threads[comment_id] = thread
        total = answers.obj(resource.get("_thread")).get("totalReplyCount")
        if comment_id and isinstance(total, int) and not isinstance(total, bool):
            expected[comment_id] = total
    # Pass 2: the records.
    declared: set[str] = set()
    replies: dict[str, set[str]] = {}
    for index, (member, where, kind, resource) in enumerate(_items(path)):
        if kind == "video":
            continue
        comment_id = jsonread.id_text(resource.get("id"))
        if comment_id is not None and last.get(comment_id) != index:
            continue  # read again later in the document: that copy is kept
        snippet = answers.obj(resource.get("snippet"))
        parent = jsonread.id_text(snippet.get("parentId"))
        thread = _thread_of(resource) or threads.get(parent or "")
        place = f"{member.name}: {where}"
        if thread is None:
            yield ProblemRecord(
                None, f"{member}: {where}", "a comment without videoId or channelId"
            )
            continue
        if thread not in declared:
            declared.add(thread)
            yield videos.get(thread) or ThreadRecord(
                platform=PLATFORM, external_id=thread, url=WATCH + thread
            )
        if comment_id is None:
            yield ProblemRecord(thread, f"{member}: {where}", "a comment without an id")
            continue
        if parent is not None:
            replies.setdefault(parent, set()).add(comment_id)
        yield _comment(resource, snippet, thread, comment_id, parent, place)
    missing: dict[str, int] = {}
    for comment_id, total in expected.items():
        shown = len(replies.get(comment_id, ()))
        if total > shown:
            thread = threads[comment_id]
            missing[thread] = missing.get(thread, 0) + total - shown
    for thread, count in missing.items():
        yield MissingRecord(thread, count)


def _video(resource: dict[str, Any]) -> ThreadRecord | None:
    video_id = jsonread.id_text(resource.get("id"))
    if video_id is None:
        return None
    snippet = answers.obj(resource.get("snippet"))
    meta: dict[str, Any] = {}
    if snippet.get("channelTitle"):
        meta["channel"] = jsonread.text(snippet["channelTitle"])
    count = answers.obj(resource.get("statistics")).get("commentCount")
    if isinstance(count, str) and count.isdigit():
        meta["comment_count"] = int(count)
    return ThreadRecord(
        platform=PLATFORM,
        external_id=video_id,
        title=jsonread.text(snippet.get("title")),
        article=jsonread.text(snippet.get("description")),
        url=WATCH + video_id,
        created_at=iso_utc(snippet.get("publishedAt")),
        meta=meta or None,
    )


def _body(snippet: dict[str, Any]) -> str:
    original = snippet.get("textOriginal")
    if isinstance(original, str):
        return original
    return html_to_text(jsonread.text(snippet.get("textDisplay")))


def _comment(
    resource: dict[str, Any],
    snippet: dict[str, Any],
    thread: str,
    comment_id: str,
    parent: str | None,
    where: str,
) -> CommentRecord:
    meta: dict[str, Any] = {}
    channel = jsonread.text(answers.obj(snippet.get("authorChannelId")).get("value"))
    if channel:
        meta["channel"] = channel
    if jsonread.is_number(snippet.get("likeCount")):
        meta["likes"] = snippet["likeCount"]
    published, updated = snippet.get("publishedAt"), snippet.get("updatedAt")
    if updated and updated != published:
        meta["edited"] = iso_utc(updated) or True
    if thread != jsonread.id_text(snippet.get("channelId")):
        meta["url"] = f"{WATCH}{thread}&lc={comment_id}"
    return CommentRecord(
        thread_external_id=thread,
        external_id=comment_id,
        parent_external_id=parent,
        author=jsonread.text(snippet.get("authorDisplayName")),
        body=_body(snippet),
        created_at=iso_utc(published),
        status=STATUSES.get(jsonread.text(snippet.get("moderationStatus")), "visible"),
        meta=meta or None,
        where=where,
    )
