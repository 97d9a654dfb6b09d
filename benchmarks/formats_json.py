"""Synthetic JSON exports: one comment tree rendered as each JSON platform writes it.

The renderers take a flat list of :class:`Node` (pre-order or not: each names
its parent) and produce what the platform's API or dump would hold for it, so
the importer tests render random trees (hypothesis) and read them back, and the
benchmarks write large exports:

* ``write_reddit(path, comments, seed)``: a ``/comments/<id>.json`` answer (two
  listings, nested ``replies``, ``more`` stubs, ``[deleted]``/``[removed]``);
* ``write_pushshift(path, comments, seed)``: Pushshift/Arctic-Shift NDJSON,
  submissions and comments of many threads interleaved in time order.

* ``write_hackernews(path, comments, seed)``: a Hacker News Firebase crawl
  (NDJSON, stories of ~200 comments interleaved in item order);
* ``write_discourse(path, comments, seed)``: one Discourse topic (``/t/<id>.json``).

Used by ``benchmarks/import_bench.py --format reddit|pushshift|hackernews|discourse``. Run directly
to write one: ``.venv/bin/python benchmarks/formats_json.py reddit out.json 200000``.
"""

from __future__ import annotations

import html
import json
import random
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import WORDS

START = 1_700_000_000


class Node(NamedTuple):
    """One comment of a synthetic tree (ids are the platform's, as text)."""

    id: str
    parent: str | None
    """``None`` = top level."""
    author: str
    body: str
    created: int
    """Epoch seconds."""
    status: str = "visible"
    """``visible``, ``deleted`` or ``removed``."""


def children_of(nodes: Sequence[Node]) -> tuple[list[Node], dict[str, list[Node]]]:
    """Top-level nodes and each node's replies, in list order."""
    top: list[Node] = []
    replies: dict[str, list[Node]] = {}
    for node in nodes:
        if node.parent is None:
            top.append(node)
        else:
            replies.setdefault(node.parent, []).append(node)
    return top, replies


def random_tree(rng: random.Random, comments: int, id_prefix: str = "c") -> list[Node]:
    """A realistic tree in pre-order: most comments top level or shallow, a few deep chains."""
    nodes: list[Node] = []
    stack: list[str] = []
    for index in range(comments):
        roll = rng.random()
        if not stack or roll < 0.25:
            stack = []
        elif roll < 0.55:
            stack = stack[: rng.randint(1, len(stack))]
        parent = stack[-1] if stack else None
        external_id = f"{id_prefix}{index:x}"
        status = "visible"
        if rng.random() < 0.02:
            status = rng.choice(("deleted", "removed"))
        body = " ".join(rng.choices(WORDS, k=rng.randint(4, 60)))
        if rng.random() < 0.1:
            body += " & <that> > this"
        nodes.append(
            Node(
                external_id,
                parent,
                f"user{rng.randint(1, max(2, comments // 8))}",
                body,
                START + index * 7,
                status,
            )
        )
        stack.append(external_id)
    return nodes


# -- Reddit /comments/<id>.json ----------------------------------------------------


def _reddit_shown(node: Node) -> tuple[str, str]:
    """Author and body as Reddit shows them for the node's status."""
    if node.status == "deleted":
        return "[deleted]", "[deleted]"
    if node.status == "removed":
        return "[deleted]", "[removed]"
    return node.author, node.body


def reddit_comment(node: Node, link: str, subreddit: str, depth: int) -> dict[str, Any]:
    author, body = _reddit_shown(node)
    return {
        "subreddit_id": "t5_2qh1i",
        "approved_at_utc": None,
        "author_is_blocked": False,
        "comment_type": None,
        "edited": False,
        "author_flair_text": None,
        "id": node.id,
        "name": f"t1_{node.id}",
        "parent_id": f"t1_{node.parent}" if node.parent else f"t3_{link}",
        "link_id": f"t3_{link}",
        "author": author,
        "author_fullname": None if author == "[deleted]" else f"t2_{abs(hash(author)) % 10**8:x}",
        "body": html.escape(body, quote=False),
        "score": (node.created % 97) - 3,
        "created": float(node.created),
        "created_utc": float(node.created),
        "permalink": f"/r/{subreddit}/comments/{link}/t/{node.id}/",
        "subreddit": subreddit,
        "distinguished": None,
        "stickied": False,
        "depth": depth,
        "replies": "",
    }


def render_reddit(
    link: str,
    title: str,
    nodes: Sequence[Node],
    *,
    more: Sequence[tuple[str | None, int]] = (),
    subreddit: str = "test",
    article: str = "",
) -> list[dict[str, Any]]:
    """The two listings Reddit answers for ``/comments/<link>.json``.

    ``more``: ``(parent id or None, count)`` stubs appended to that parent's replies.
    Built with an explicit stack, so chains thousands deep render.
    """
    post = {
        "subreddit": subreddit,
        "selftext": html.escape(article, quote=False),
        "title": html.escape(title, quote=False),
        "name": f"t3_{link}",
        "id": link,
        "author": "op",
        "score": 10,
        "num_comments": len(nodes),
        "created_utc": float(START),
        "permalink": f"/r/{subreddit}/comments/{link}/t/",
        "url": f"https://www.reddit.com/r/{subreddit}/comments/{link}/t/",
        "removed_by_category": None,
    }
    top, replies = children_of(nodes)
    stubs: dict[str | None, list[dict[str, Any]]] = {}
    for parent, count in more:
        stubs.setdefault(parent, []).append(
            {
                "kind": "more",
                "data": {
                    "count": count,
                    "name": f"t1_m{len(stubs)}",
                    "id": f"m{len(stubs)}",
                    "parent_id": f"t1_{parent}" if parent else f"t3_{link}",
                    "children": [f"m{i}" for i in range(count)],
                },
            }
        )
    root_children: list[dict[str, Any]] = []
    # (node or a ready ``more`` thing, depth, the children list it goes into)
    stack: list[tuple[Node | dict[str, Any], int, list[dict[str, Any]]]] = [
        (node, 0, root_children) for node in reversed(top)
    ]
    while stack:
        item, depth, into = stack.pop()
        if isinstance(item, dict):
            into.append(item)
            continue
        data = reddit_comment(item, link, subreddit, depth)
        into.append({"kind": "t1", "data": data})
        kids = replies.get(item.id, [])
        extra = stubs.get(item.id, [])
        if kids or extra:
            nested: list[dict[str, Any]] = []
            data["replies"] = {"kind": "Listing", "data": {"children": nested, "after": None}}
            # Stubs are pushed first so that they pop after the replies.
            stack.extend((stub, depth + 1, nested) for stub in reversed(extra))
            stack.extend((kid, depth + 1, nested) for kid in reversed(kids))
    root_children.extend(stubs.get(None, []))
    return [
        {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": post}], "after": None}},
        {"kind": "Listing", "data": {"children": root_children, "after": None}},
    ]


def to_json(value: Any) -> str:
    """``json.dumps`` that also writes documents nested deeper than the default stack allows."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except RecursionError:
        pass
    out: list[str] = []
    limit = sys.getrecursionlimit()
    threading.stack_size(256 * 1024 * 1024)
    worker = threading.Thread(
        target=lambda: out.append(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    )
    sys.setrecursionlimit(200_000)
    try:
        worker.start()
        worker.join()
    finally:
        sys.setrecursionlimit(limit)
        threading.stack_size(0)
    return out[0]


def write_reddit(path: Path, comments: int, seed: int = 1) -> None:
    """A ``/comments`` answer with ``comments`` comments and a few ``more`` stubs."""
    rng = random.Random(seed)
    nodes = random_tree(rng, comments)
    more = [(node.id, rng.randint(1, 9)) for node in rng.sample(nodes, max(1, comments // 500))]
    document = render_reddit("bench1", "A synthetic thread", nodes, more=more, article="Body")
    path.write_text(to_json(document), encoding="utf-8")


# -- Pushshift / Arctic-Shift NDJSON -------------------------------------------------


def pushshift_comment(node: Node, link: str, subreddit: str, created: Any) -> dict[str, Any]:
    author, body = _reddit_shown(node)
    return {
        "all_awardings": [],
        "author": author,
        "author_flair_text": None,
        "body": html.escape(body, quote=False),  # as Reddit's API gave it: &amp; &lt; &gt;
        "created_utc": created,
        "edited": False,
        "id": node.id,
        "link_id": f"t3_{link}",
        "parent_id": f"t1_{node.parent}" if node.parent else f"t3_{link}",
        "permalink": f"/r/{subreddit}/comments/{link}/t/{node.id}/",
        "retrieved_on": node.created + 3600,
        "score": (node.created % 97) - 3,
        "subreddit": subreddit,
        "subreddit_id": "t5_2qh1i",
    }


def pushshift_submission(link: str, title: str, subreddit: str, created: int) -> dict[str, Any]:
    return {
        "author": "op",
        "created_utc": created,
        "id": link,
        "num_comments": 0,
        "permalink": f"/r/{subreddit}/comments/{link}/t/",
        "score": 10,
        "selftext": "",
        "subreddit": subreddit,
        "title": title,
        "url": f"https://www.reddit.com/r/{subreddit}/comments/{link}/t/",
    }


def pushshift_lines(
    threads: Sequence[tuple[str, str, Sequence[Node]]],
    rng: random.Random,
    *,
    submissions: bool = True,
) -> Iterator[str]:
    """Lines of an NDJSON dump: every thread's comments interleaved by time.

    ``created_utc`` is written as an int, a float or a string, as real dumps of
    different years do.
    """
    events: list[tuple[int, int, str]] = []
    for order, (link, title, nodes) in enumerate(threads):
        if submissions:
            first = min((node.created for node in nodes), default=START) - 1
            record = pushshift_submission(link, title, "test", first)
            events.append((first, order, json.dumps(record, ensure_ascii=False)))
        for node in nodes:
            kind = rng.random()
            created: Any = node.created
            if kind < 0.2:
                created = float(node.created)
            elif kind < 0.3:
                created = str(node.created)
            record = pushshift_comment(node, link, "test", created)
            events.append((node.created, order, json.dumps(record, ensure_ascii=False)))
    events.sort(key=lambda event: (event[0], event[1]))
    for _, _, line in events:
        yield line


def write_pushshift(path: Path, comments: int, seed: int = 1, threads: int = 0) -> None:
    """An RC-style dump of ``comments`` comments over many threads (default one per 200).

    Written in chunks of 200,000 comments (threads interleaved within a chunk),
    so a dump of any size is written in bounded memory.
    """
    rng = random.Random(seed)
    chunk = 200_000
    with open(path, "w", encoding="utf-8") as out:
        for start in range(0, comments, chunk):
            size = min(chunk, comments - start)
            count = threads or max(1, size // 200)
            per = [size // count + (1 if i < size % count else 0) for i in range(count)]
            trees = []
            offset = start * 7
            for number, amount in enumerate(per):
                name = f"{start // chunk:x}y{number:x}"
                nodes = random_tree(rng, amount, id_prefix=f"p{name}x")
                nodes = [node._replace(created=node.created + offset) for node in nodes]
                offset += rng.randint(0, 50)
                trees.append((f"s{name}", f"Thread {name}", nodes))
            for line in pushshift_lines(trees, rng):
                out.write(line + "\n")


# -- Hacker News -------------------------------------------------------------------


def hn_html(body: str) -> str:
    """A body as HN writes it: paragraphs after ``<p>``, text HTML-escaped (``&#x27;``)."""
    paragraphs = [html.escape(part).replace("/", "&#x2F;") for part in body.split("\n\n")]
    return "<p>".join(paragraphs)


def render_hn_algolia(story: int, title: str, nodes: Sequence[Node]) -> dict[str, Any]:
    """An Algolia ``items/<story>`` answer: the story with its tree nested in ``children``.

    Deleted comments are nodes without author and text (Algolia has no dead ones).
    """

    def item(node: Node | None, parent: int | None) -> dict[str, Any]:
        if node is None:
            external, author, text, created, kind = story, "op", None, START, "story"
        else:
            external, created, kind = int(node.id), node.created, "comment"
            author, text = (
                (None, None)
                if node.status != "visible"
                else (
                    node.author,
                    hn_html(node.body),
                )
            )
        return {
            "author": author,
            "children": [],
            "created_at": f"{_iso(created)[:-1]}.000Z",
            "created_at_i": created,
            "id": external,
            "options": [],
            "parent_id": parent,
            "points": 3 if node is None else None,
            "story_id": story,
            "text": text,
            "title": title if node is None else None,
            "type": kind,
            "url": None,
        }

    top, replies = children_of(nodes)
    root = item(None, None)
    stack = [(node, story, root["children"]) for node in reversed(top)]
    while stack:
        node, parent, into = stack.pop()
        made = item(node, parent)
        into.append(made)
        stack.extend(
            (kid, int(node.id), made["children"]) for kid in reversed(replies.get(node.id, []))
        )
    return root


def render_hn_firebase(story: int, title: str, nodes: Sequence[Node]) -> list[dict[str, Any]]:
    """Firebase ``/v0/item`` objects: the story, then every comment (``deleted``/``dead`` flags)."""
    top, replies = children_of(nodes)
    items: list[dict[str, Any]] = [
        {
            "by": "op",
            "descendants": len(nodes),
            "id": story,
            "kids": [int(node.id) for node in top],
            "score": 3,
            "time": START,
            "title": title,
            "type": "story",
        }
    ]
    for node in nodes:
        made: dict[str, Any] = {
            "id": int(node.id),
            "parent": int(node.parent) if node.parent else story,
            "time": node.created,
            "type": "comment",
        }
        if node.status == "deleted":
            made["deleted"] = True
        else:
            made["by"] = node.author
            made["text"] = hn_html(node.body)
            if node.status == "removed":
                made["dead"] = True
        kids = [int(kid.id) for kid in replies.get(node.id, [])]
        if kids:
            made["kids"] = kids
        items.append(made)
    return items


def _iso(epoch: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- Discourse ---------------------------------------------------------------------


def render_discourse(
    topic: int, title: str, nodes: Sequence[Node], article: str = "Opening post", page: int = 0
) -> dict[str, Any]:
    """A ``/t/<topic>.json`` answer: post 1 is the article, node ids are post numbers (>= 2).

    Top-level comments reply to post 1 or to nothing (both occur). ``page``:
    that many extra ids in ``post_stream.stream`` for posts not in the answer.
    """
    posts = [_discourse_post(topic, 1, "op", article, None, "visible", START)]
    for node in nodes:
        reply_to = int(node.parent) if node.parent else (1 if int(node.id) % 2 else None)
        posts.append(
            _discourse_post(
                topic, int(node.id), node.author, node.body, reply_to, node.status, node.created
            )
        )
    stream = [post["id"] for post in posts] + [topic * 1000 + 900 + i for i in range(page)]
    return {
        "post_stream": {"posts": posts, "stream": stream},
        "id": topic,
        "title": title,
        "fancy_title": html.escape(title),
        "slug": "topic",
        "posts_count": len(stream),
        "created_at": f"{_iso(START)[:-1]}.000Z",
        "category_id": 1,
    }


def _discourse_post(
    topic: int, number: int, author: str, body: str, reply_to: int | None, status: str, created: int
) -> dict[str, Any]:
    return {
        "id": topic * 1000 + number,
        "username": author,
        "created_at": f"{_iso(created)[:-1]}.000Z",
        "cooked": "".join(f"<p>{html.escape(part)}</p>" for part in body.split("\n\n")),
        "post_number": number,
        "post_type": 1,
        "reply_to_post_number": reply_to,
        "reads": 1,
        "score": 0.2,
        "topic_id": topic,
        "version": 1,
        "hidden": status == "removed",
        "user_deleted": status == "deleted",
        "deleted_at": None,
    }


# -- ConvoKit ----------------------------------------------------------------------


def write_convokit(
    folder: Path,
    conversations: Sequence[tuple[str, str, Sequence[Node]]],
    reply_key: str = "reply_to",
) -> None:
    """A ConvoKit corpus folder: each conversation's root utterance (id = conversation id)
    and its nodes; ``reply_key`` ``reply-to`` is how ConvoKit's own dump spells it."""
    folder.mkdir(parents=True, exist_ok=True)
    speakers: set[str] = set()
    with open(folder / "utterances.jsonl", "w", encoding="utf-8") as out:
        for conversation, title, nodes in conversations:
            lines = [
                {
                    "id": conversation,
                    "conversation_id": conversation,
                    "speaker": "op",
                    reply_key: None,
                    "timestamp": START,
                    "text": f"Opening of {title}",
                    "meta": {},
                    "vectors": [],
                }
            ]
            for node in nodes:
                author, text = _reddit_shown(node)
                lines.append(
                    {
                        "id": node.id,
                        "conversation_id": conversation,
                        "speaker": author,
                        reply_key: node.parent or conversation,
                        "timestamp": node.created,
                        "text": text,
                        "meta": {"score": 1},
                        "vectors": [],
                    }
                )
            for line in lines:
                speakers.add(line["speaker"])
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
    meta = {c: {"meta": {"title": t}, "vectors": []} for c, t, _ in conversations}
    (folder / "conversations.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / "speakers.json").write_text(
        json.dumps({name: {"meta": {}, "vectors": []} for name in sorted(speakers)}),
        encoding="utf-8",
    )
    (folder / "corpus.json").write_text("{}", encoding="utf-8")
    (folder / "index.json").write_text(
        json.dumps({"utterances-index": {"score": ["<class 'int'>"]}, "version": 1}),
        encoding="utf-8",
    )


def write_hackernews(path: Path, comments: int, seed: int = 1) -> None:
    """A Firebase NDJSON crawl: ``comments`` comments over stories of ~200 each, every
    item one line, in item-id (time) order, so stories interleave (as a crawl of
    ``/v0/maxitem`` downwards has them). Written in chunks of 200,000 comments."""
    rng = random.Random(seed)
    chunk = 200_000
    with open(path, "w", encoding="utf-8") as out:
        for start in range(0, comments, chunk):
            size = min(chunk, comments - start)
            count = max(1, size // 200)
            per = [size // count + (1 if i < size % count else 0) for i in range(count)]
            events: list[tuple[int, int, str]] = []
            for number, amount in enumerate(per):
                story = 10_000_000 + (start // chunk) * 100_000 + number
                base = story * 1_000
                nodes = [
                    node._replace(
                        id=str(base + 1 + int(node.id[1:], 16)),
                        parent=None
                        if node.parent is None
                        else str(base + 1 + int(node.parent[1:], 16)),
                        created=node.created + number,
                    )
                    for node in random_tree(rng, amount)
                ]
                items = render_hn_firebase(story, f"Story {number}", nodes)
                for item in items:
                    events.append((item["time"], int(item["id"]), json.dumps(item)))
            events.sort()
            for _, _, line in events:
                out.write(line + "\n")


def write_discourse(path: Path, comments: int, seed: int = 1) -> None:
    """One ``/t/<id>.json`` topic of ``comments`` posts after the opening post."""
    rng = random.Random(seed)
    nodes = [
        node._replace(
            id=str(2 + int(node.id[1:], 16)),
            parent=None if node.parent is None else str(2 + int(node.parent[1:], 16)),
        )
        for node in random_tree(rng, comments)
    ]
    path.write_text(to_json(render_discourse(77, "A synthetic topic", nodes)), encoding="utf-8")


WRITERS = {
    "reddit": write_reddit,
    "pushshift": write_pushshift,
    "hackernews": write_hackernews,
    "discourse": write_discourse,
}


def main(argv: list[str]) -> None:
    kind, target, comments = argv[0], Path(argv[1]), int(argv[2])
    WRITERS[kind](target, comments)


if __name__ == "__main__":
    main(sys.argv[1:])
