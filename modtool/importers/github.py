"""GitHub: issue, pull request and discussion comments as the REST or GraphQL API returns them.

REST (https://docs.github.com/en/rest/issues/comments)::

    GET /repos/{owner}/{repo}/issues/{n}            {"number", "title", "body", "user": {"login"},
                                                     "html_url", "state", "comments": 12, …}
    GET /repos/{owner}/{repo}/issues/{n}/comments   [{"id": 1, "issue_url": ".../issues/{n}",
                                                      "body": "markdown", "user": {"login"},
                                                      "created_at", "updated_at", "html_url",
                                                      "author_association"}, …]
    GET /repos/{owner}/{repo}/pulls/{n}/comments    review comments: "pull_request_url",
                                                     "in_reply_to_id" (a reply to a review comment)

GraphQL (https://docs.github.com/en/graphql): ``{"data": {"repository":
{"discussion": {…}}}}`` (also ``node``, ``issue``, ``pullRequest``, a
``discussions`` page), where a discussion's ``comments.nodes`` each have
``replies.nodes`` (one level): ``id``, ``databaseId``, ``body``,
``author.login``, ``createdAt``, ``isMinimized``/``minimizedReason``,
``deletedAt``, ``url``, ``isAnswer``, ``upvoteCount``.

Pages (REST ``Link`` pages, GraphQL cursors) are several answers of one
document: a folder, the files named together, one per line or a JSON array
(see :mod:`.answers`).

Mapping (``docs/formats.md``), platform ``github``:

* the issue, pull request or discussion is the thread, named
  ``owner/repo#number`` (they share one number space per repository): title,
  body (the article), ``html_url``, kind and state in meta. An issue or
  discussion without comments in the document is not imported;
* REST comments from before 2013 name no issue (no ``issue_url``): saved
  beside one issue (the same document), they are its comments;
* comment ids: the REST ``id`` (GraphQL ``databaseId``, the same number;
  the node ``id`` when that is all there is); issue comments are flat,
  discussion replies and review-comment replies (``in_reply_to_id``) nest
  under their comment; a parent not in the document makes an orphan; a
  comment read twice (REST and GraphQL answers) keeps its later copy;
* body: ``body`` (markdown, kept as it is), else ``bodyText``, else
  ``bodyHTML`` to text; author ``login`` (a deleted account is ``ghost``);
* status: ``deletedAt`` → deleted; minimized as ``spam`` → spam, as
  ``abuse`` or ``off-topic`` → removed (other reasons stay visible, the
  reason in meta);
* counts (REST ``comments`` and ``review_comments``, GraphQL ``totalCount``) beyond the comments in
  the document are the thread's missing count;
* meta: ``url``, ``association`` (``author_association``), ``edited``,
  ``answer`` (a discussion's accepted answer), ``upvotes``, ``path`` (a review
  comment's file).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from modtool.errors import ParseError
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

NAME = "github"
PLATFORM = "github"
EXTENSIONS: tuple[str, ...] = ()
GROUPED = False
MULTI_FILE = True
DESCRIPTION = (
    "GitHub REST answers (an issue or pull request, its /comments list) or GraphQL answers "
    "({data: {repository: {discussion|issue|pullRequest}}} with comments.nodes)"
)

_API = re.compile(rb"/repos/[^/\"]+/[^/\"]+/(?:issues|pulls)")
_REST_KEYS = re.compile(rb'"(?:author_association|issue_url|pull_request_url|repository_url)"')
_GRAPHQL = re.compile(rb'^[\[\s]*\{\s*"data"\s*:')
_GRAPHQL_KEYS = re.compile(rb'"(?:discussion|discussions|issue|pullRequest|node)"\s*:')
_URL = re.compile(
    r"/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/(?:issues|pulls)/(?P<number>\d+)"
    r"|github\.com/(?P<owner2>[^/]+)/(?P<repo2>[^/]+)/(?:issues|pull|discussions)/(?P<number2>\d+)"
)
_COMMENT_URL = re.compile(r"/repos/[^/]+/[^/]+/(?:issues|pulls)/comments/\d+$")
MINIMIZED = {"spam": "spam", "abuse": "removed", "off-topic": "removed"}

Item = tuple[str, str, dict[str, Any], str | None, str | None]
"""``(kind, where, data, thread, structural parent)``; kind ``thread`` or ``comment``."""


def sniff(head: bytes, path: Path) -> bool:
    """REST answers (API URLs of issues/pulls with their keys) or a GraphQL ``data`` answer."""
    data = answers.head(head, path)
    if not answers.looks_like_json(data):
        return False
    if _API.search(data) and (_REST_KEYS.search(data) or (b'"user"' in data and b'"body"' in data)):
        return True
    start = jsonread.strip_head(data)
    return bool(_GRAPHQL.match(start) and _GRAPHQL_KEYS.search(data) and b'"login"' in data)


def thread_name(*urls: Any) -> str | None:
    """``owner/repo#number`` from an API or web URL of an issue, pull request or discussion."""
    for url in urls:
        found = _URL.search(jsonread.text(url))
        if found:
            owner = found.group("owner") or found.group("owner2")
            repo = found.group("repo") or found.group("repo2")
            number = found.group("number") or found.group("number2")
            return f"{owner}/{repo}#{number}"
    return None


def read(path: Path, warn: Callable[[str], None]) -> Iterator[Record]:
    with_comments: set[str] = set()
    issues: set[str] = set()
    last: dict[tuple[str | None, str], int] = {}  # a comment in two answers (REST and GraphQL)
    for index, (_, _, kind, data, thread, _) in enumerate(_items(path)):
        if kind == "thread" and thread:
            issues.add(thread)
        if kind == "comment":
            comment_id = _id(data)
            if comment_id is not None:
                last[(thread, comment_id)] = index
    # Old REST comments name no issue (no issue_url): beside one issue, they are its.
    alone = next(iter(issues)) if len(issues) == 1 else None
    for thread, _ in last:
        with_comments.add(thread or alone)  # type: ignore[arg-type]
    declared: dict[str, ThreadRecord] = {}
    totals: dict[tuple[str | None, str | None], int] = {}
    shown: dict[str, set[str]] = {}
    for index, (member, where, kind, data, thread, parent) in enumerate(_items(path)):
        place = f"{member.name}: {where}"
        if kind == "thread":
            if thread in with_comments:
                record = _thread(data, thread)
                declared[thread] = record
                yield record
            continue
        if kind == "total":  # the thread's top-level count, or one comment's replies
            key = (thread, data.get("of"))
            totals[key] = max(totals.get(key, 0), data["count"])  # type: ignore[index]
            continue
        named = thread
        thread = thread or alone
        if thread is None:
            yield ProblemRecord(
                None,
                f"{member}: {where}",
                "a comment that names no issue (and no one issue beside it)",
            )
            continue
        if thread not in declared:
            declared[thread] = ThreadRecord(platform=PLATFORM, external_id=thread)
            yield declared[thread]
        comment_id = _id(data)
        if comment_id is None:
            yield ProblemRecord(thread, f"{member}: {where}", "a comment without an id")
            continue
        if last.get((named, comment_id)) != index:
            continue  # read again later in the document: that copy is kept
        shown.setdefault(thread, set()).add(comment_id)
        yield _comment(data, thread, comment_id, parent, place)
    expected: dict[str, int] = {}
    for (thread, _), count in totals.items():
        if thread is not None:
            expected[thread] = expected.get(thread, 0) + count
    for thread, total in expected.items():
        if thread in shown and total > len(shown[thread]):
            yield MissingRecord(thread, total - len(shown[thread]))


def _items(path: Path) -> Iterator[tuple[Path, str, str, dict[str, Any], str | None, str | None]]:
    for member, where, value in answers.iter_answers(path):
        for kind, at, data, thread, parent in _answer(member, where, value):
            yield member, at, kind, data, thread, parent


def _answer(member: Path, where: str, value: Any) -> Iterator[Item]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise answers.shape_error(member, answers.place(where, index), "expected an object")
            at = answers.place(where, index)
            if "data" in item or "errors" in item:  # GraphQL answers saved as one array
                yield from _answer(member, at, item)
            else:
                yield from _rest(member, at, item)
        return
    if not isinstance(value, dict):
        raise answers.shape_error(member, where, f"expected {DESCRIPTION}")
    if "data" in value or "errors" in value:
        yield from _graphql(member, where, value)
    else:
        yield from _rest(member, where, value)


def _rest(member: Path, where: str, item: dict[str, Any]) -> Iterator[Item]:
    if "number" in item and ("title" in item or "body" in item):  # an issue or pull request
        thread = thread_name(item.get("url"), item.get("html_url"))
        if thread is None:
            raise answers.shape_error(member, where, "an issue without url or html_url")
        yield "thread", where, item, thread, None
        for key in ("comments", "review_comments"):
            count = item.get(key)
            if isinstance(count, int) and not isinstance(count, bool):
                yield "total", where, {"count": count, "of": key}, thread, None
        return
    if (
        "issue_url" in item
        or "pull_request_url" in item
        or _COMMENT_URL.search(jsonread.text(item.get("url")))
    ):  # a comment
        thread = thread_name(item.get("issue_url"), item.get("pull_request_url"))
        parent = jsonread.id_text(item.get("in_reply_to_id"))
        yield "comment", where, item, thread, parent
        return
    raise answers.shape_error(member, where, f"expected {DESCRIPTION}")


def _graphql(member: Path, where: str, value: dict[str, Any]) -> Iterator[Item]:
    errors = value.get("errors")
    if not isinstance(value.get("data"), dict):
        message = "no data"
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            message = jsonread.text(errors[0].get("message"))[:200]
        raise ParseError.at(member, where, f"a GraphQL answer with errors: {message}")
    stack: list[tuple[Any, str]] = [(value["data"], answers.place(where, "data"))]
    while stack:  # find the issues/discussions wherever the query put them
        node, at = stack.pop()
        if isinstance(node, list):
            stack.extend((node[i], answers.place(at, i)) for i in range(len(node) - 1, -1, -1))
            continue
        if not isinstance(node, dict):
            continue
        if "number" in node and isinstance(node.get("comments"), dict):
            yield from _graphql_thread(member, at, node)
            continue
        for key in reversed(list(node)):
            if isinstance(node[key], dict | list):
                stack.append((node[key], answers.place(at, key)))


def _graphql_thread(member: Path, where: str, node: dict[str, Any]) -> Iterator[Item]:
    repository = answers.obj(node.get("repository"))
    owner = jsonread.text(answers.obj(repository.get("owner")).get("login"))
    thread = thread_name(node.get("url"), node.get("resourcePath"))
    if thread is None and owner and repository.get("name"):
        thread = f"{owner}/{jsonread.text(repository['name'])}#{jsonread.id_text(node['number'])}"
    if thread is None:
        raise answers.shape_error(member, where, "an issue or discussion without url")
    yield "thread", where, node, thread, None
    comments = node["comments"]
    total = comments.get("totalCount")
    if isinstance(total, int) and not isinstance(total, bool):
        yield "total", where, {"count": total}, thread, None
    nodes = comments.get("nodes") or comments.get("edges") or []
    for index, comment in enumerate(nodes):
        at = answers.place(where, "comments", "nodes", index)
        comment = answers.obj(comment).get("node", comment)  # edges wrap their node
        if not isinstance(comment, dict):
            raise answers.shape_error(member, at, "expected a comment object")
        yield "comment", at, comment, thread, None
        replies = answers.obj(comment.get("replies"))
        reply_total = replies.get("totalCount")
        if isinstance(reply_total, int) and not isinstance(reply_total, bool):
            yield "total", at, {"count": reply_total, "of": _id(comment)}, thread, None
        for number, reply in enumerate(replies.get("nodes") or []):
            if not isinstance(reply, dict):
                at_reply = answers.place(at, "replies", "nodes", number)
                raise answers.shape_error(member, at_reply, "expected a comment")
            at_reply = answers.place(at, "replies", "nodes", number)
            yield "comment", at_reply, reply, thread, _id(comment)


def _id(data: dict[str, Any]) -> str | None:
    return jsonread.id_text(data.get("databaseId")) or jsonread.id_text(data.get("id"))


def _login(data: dict[str, Any]) -> str:
    user = data.get("user", data.get("author"))
    if user is None:
        return "ghost"  # GitHub's name for a deleted account
    return jsonread.text(answers.obj(user).get("login"))


def _body(data: dict[str, Any]) -> str:
    for key in ("body", "bodyText"):
        if isinstance(data.get(key), str):
            return data[key]
    return html_to_text(jsonread.text(data.get("bodyHTML")))


def _web_url(data: dict[str, Any]) -> str:
    """``html_url`` (REST), else a GraphQL ``url``; never the REST API's own ``url``."""
    url = jsonread.text(data.get("html_url")).strip()
    if url:
        return url
    url = jsonread.text(data.get("url")).strip()
    return "" if "/repos/" in url else url


def _thread(data: dict[str, Any], thread: str) -> ThreadRecord:
    meta: dict[str, Any] = {"author": _login(data)}
    url = _web_url(data)
    kind = "discussion" if "/discussions/" in url else "issue"
    if "pull_request" in data or "/pull/" in url or "/pulls/" in jsonread.text(data.get("url")):
        kind = "pull_request"
    meta["kind"] = kind
    state = data.get("state")
    if isinstance(state, str) and state:
        meta["state"] = state.lower()
    category = answers.obj(data.get("category")).get("name")
    if category:
        meta["category"] = jsonread.text(category)
    return ThreadRecord(
        platform=PLATFORM,
        external_id=thread,
        title=jsonread.text(data.get("title")),
        article=_body(data),
        url=url or None,
        created_at=iso_utc(data.get("created_at") or data.get("createdAt")),
        meta=meta,
    )


def _comment(
    data: dict[str, Any], thread: str, comment_id: str, parent: str | None, where: str
) -> CommentRecord:
    meta: dict[str, Any] = {}
    url = _web_url(data)
    if url:
        meta["url"] = url
    association = data.get("author_association") or data.get("authorAssociation")
    if isinstance(association, str) and association not in ("NONE", ""):
        meta["association"] = association.lower()
    created = data.get("created_at") or data.get("createdAt")
    updated = data.get("lastEditedAt") or (
        data.get("updated_at") if data.get("updated_at") != created else None
    )
    if updated:
        meta["edited"] = iso_utc(updated) or True
    if data.get("isAnswer") is True:
        meta["answer"] = True
    if jsonread.is_number(data.get("upvoteCount")):
        meta["upvotes"] = data["upvoteCount"]
    if data.get("path"):
        meta["path"] = jsonread.text(data["path"])
    status = "visible"
    if data.get("deletedAt"):
        status = "deleted"
    elif data.get("isMinimized") is True:
        reason = jsonread.text(data.get("minimizedReason")).lower().replace("_", "-")
        meta["minimized"] = reason or True
        status = MINIMIZED.get(reason, "visible")
    return CommentRecord(
        thread_external_id=thread,
        external_id=comment_id,
        parent_external_id=parent,
        author=_login(data),
        body=_body(data),
        created_at=iso_utc(created),
        status=status,
        meta=meta or None,
        where=where,
    )
