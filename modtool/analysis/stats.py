"""Discourse statistics of comment threads (no SQL, no terminal: plain data).

Computed one thread at a time from the store's dataset rows (in document
order), so memory is bounded by the largest thread.

Definitions
-----------
* **Toxicity** of a comment: one score for the whole selection, chosen by the
  headline rule of :mod:`modtool.scoring.headline` (Detoxify ``toxicity``, else
  profanity-check, else the largest attribute of any model).
* **Branching**: replies per comment, over all comments and over those that
  got at least one reply.
* **Longest chain**: the deepest root-to-leaf path (first in document order).
  Shown shortened when long (its first and last comments): a 5,000-deep chain
  would otherwise print its quadratic list of paths.
* **Replies received**: direct replies by *other* authors.
* **Heated exchange**: a stretch of a reply chain ``c0 ← c1 ← … ← cn`` in which
  each comment answers the previous one and the authors alternate between two
  people A ≠ B, with at least ``min_replies`` (3) answers in a row. Reported
  with its peak score and whether the scores rise along it (least-squares
  slope > 0 over the scored comments). Sites cap the nesting depth
  (WordPress: "threaded comments N levels deep"): at the cap a reply to the
  deepest comment is placed beside it, under its parent. So when
  ``depth_cap`` is on (the default), a comment at the thread's deepest level
  whose parent is by its own author, and whose sibling just before it is by
  someone else, is read as answering that sibling. Each exchange lists its
  ``links``: ``reply`` (answers its parent) or ``beside`` (that reading), so
  siblings are never presented as one reply chain.
* **Mention**: another commenter of the same thread named in a body: the whole
  name, case-insensitive, not inside a longer word ("Chuckman, …" mentions
  CHUCKMAN; "Chuck" does not). Names shorter than 3 characters are ignored.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby, pairwise
from typing import Any

import regex

from modtool.analysis.aggregate import aggregate
from modtool.store.dataset import DatasetRow

MIN_REPLIES = 3
MIN_NAME = 3
TOP_PAIRS = 10


LISTED_PATHS = 100
"""A chain's paths listed in full up to this many comments; a longer one lists its two
ends. Each path is as long as its comment is deep, so listing every path of a
5,000-deep chain took 25 MB of JSON (it grows with the square of the depth)."""


def listed_paths(paths: list[str]) -> dict[str, object]:
    """``{"paths": …, "paths_omitted": N}``: every path, or the first and last
    ``LISTED_PATHS // 2`` and how many between them were left out (their comment ids
    are all in the record's ``comments``)."""
    if len(paths) <= LISTED_PATHS:
        return {"paths": paths, "paths_omitted": 0}
    half = LISTED_PATHS // 2
    return {"paths": paths[:half] + paths[-half:], "paths_omitted": len(paths) - 2 * half}


@dataclass(slots=True)
class _Node:
    id: int
    parent: int | None
    author: str
    depth: int
    path: str
    position: int
    score: float | None
    labels: tuple[str, ...]


@dataclass(slots=True)
class _Author:
    comments: int = 0
    replies_received: int = 0
    scores: list[float] = field(default_factory=list)
    labels: Counter[str] = field(default_factory=Counter)


def pick_score(
    columns: Sequence[tuple[str, str]], order: Sequence[str] = ()
) -> tuple[str, str] | None:
    """The ``(model, attribute)`` used as "toxicity" for these score columns."""
    from modtool.scoring.headline import headline

    by_model: dict[str, dict[str, float]] = {}
    for model, attribute in columns:
        by_model.setdefault(model, {})[attribute] = 0.0
    chosen = headline(by_model, list(order) or None)
    return None if chosen is None else (chosen.model, chosen.attribute)


def _slope(values: Sequence[float]) -> float:
    n = len(values)
    mean_x, mean_y = (n - 1) / 2, sum(values) / n
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den if den else 0.0


def _name_pattern(names: Iterable[str]) -> regex.Pattern[str] | None:
    usable = sorted(
        {n.strip() for n in names if len(n.strip()) >= MIN_NAME}, key=lambda n: (-len(n), n)
    )
    if not usable:
        return None
    alternatives = "|".join(regex.escape(n) for n in usable)
    return regex.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", regex.IGNORECASE | regex.V1)


class _Accumulator:
    def __init__(self, score: tuple[str, str] | None, depth_cap: bool, min_replies: int) -> None:
        self.score = score
        self.depth_cap = depth_cap
        self.min_replies = min_replies
        self.threads = 0
        self.comments = 0
        self.top_level = 0
        self.leaves = 0
        self.depths: Counter[int] = Counter()
        self.depth_scores: dict[int, list[float]] = defaultdict(list)
        self.replies = 0
        self.with_replies = 0
        self.max_replies: tuple[int, int | None] = (0, None)
        self.longest: list[_Node] = []
        self.longest_thread: int | None = None
        self.authors: dict[str, _Author] = defaultdict(_Author)
        self.pairs: Counter[tuple[str, str]] = Counter()
        self.exchanges: list[dict[str, Any]] = []
        self.mentions: list[dict[str, Any]] = []
        self.mentioned: Counter[str] = Counter()

    def add_thread(self, thread_id: int, rows: list[DatasetRow]) -> None:
        nodes: dict[int, _Node] = {}
        for row in rows:
            by_model = row.scores_by_model()
            value = None
            if self.score is not None:
                value = by_model.get(self.score[0], {}).get(self.score[1])
            nodes[row.id] = _Node(
                row.id,
                row.parent_id,
                row.author,
                row.depth,
                row.path,
                row.position,
                value,
                aggregate(row.annotations).labels,
            )
        children: dict[int, list[int]] = defaultdict(list)
        for node in nodes.values():
            if node.parent in nodes:
                children[node.parent].append(node.id)
        self.threads += 1
        self.comments += len(nodes)
        for node in nodes.values():
            self.depths[node.depth] += 1
            if node.score is not None:
                self.depth_scores[node.depth].append(node.score)
            author = self.authors[node.author]
            author.comments += 1
            if node.score is not None:
                author.scores.append(node.score)
            author.labels.update(node.labels)
            if node.parent is None:
                self.top_level += 1
            parent = nodes.get(node.parent) if node.parent is not None else None
            if parent is not None and parent.author != node.author:
                self.authors[parent.author].replies_received += 1
                self.pairs[(node.author, parent.author)] += 1
            kids = len(children.get(node.id, ()))
            self.replies += kids
            if kids:
                self.with_replies += 1
                if kids > self.max_replies[0]:
                    self.max_replies = (kids, node.id)
            else:
                self.leaves += 1
        self._longest(thread_id, nodes)
        self._exchanges(thread_id, nodes, children)
        self._mentions(thread_id, rows)

    def _longest(self, thread_id: int, nodes: dict[int, _Node]) -> None:
        if not nodes:
            return
        deepest = min(nodes.values(), key=lambda n: (-n.depth, n.position))
        chain = [deepest]
        while chain[-1].parent in nodes:
            chain.append(nodes[chain[-1].parent])
        if len(chain) > len(self.longest):
            self.longest = list(reversed(chain))
            self.longest_thread = thread_id

    def _answered(
        self, nodes: dict[int, _Node], children: dict[int, list[int]]
    ) -> dict[int, int | None]:
        """The comment each one answers (its parent, or the depth-cap reading)."""
        answered = {
            node.id: node.parent if node.parent in nodes else None for node in nodes.values()
        }
        if not self.depth_cap or not nodes:
            return answered
        cap = max(n.depth for n in nodes.values())
        for parent_id, kids in children.items():
            ordered = sorted(kids, key=lambda k: nodes[k].position)
            for before, kid in pairwise(ordered):
                node = nodes[kid]
                if (
                    node.depth == cap
                    and nodes[parent_id].author == node.author
                    and nodes[before].author != node.author
                ):
                    answered[kid] = before
        return answered

    def _exchanges(
        self, thread_id: int, nodes: dict[int, _Node], children: dict[int, list[int]]
    ) -> None:
        answered = self._answered(nodes, children)
        run: dict[int, int] = {}
        for node in sorted(nodes.values(), key=lambda n: n.position):
            target = answered[node.id]
            if target is None or nodes[target].author == node.author:
                run[node.id] = 0
                continue
            before = answered[target]
            alternating = (
                run.get(target, 0) >= 1
                and before is not None
                and nodes[before].author == node.author
            )
            run[node.id] = run[target] + 1 if alternating else 1
        extended = {
            answered[i]
            for i, n in run.items()
            if answered[i] is not None and n == run[answered[i]] + 1
        }
        for node_id, length in run.items():
            if length < self.min_replies or node_id in extended:
                continue
            chain = [node_id]
            for _ in range(length):
                chain.append(answered[chain[-1]])  # type: ignore[arg-type]
            chain.reverse()
            members = [nodes[i] for i in chain]
            # "reply": answers its parent; "beside": a sibling read as answering the
            # comment before it (the depth-cap reading), so it is not shown as a reply.
            links = ["reply" if b.parent == a.id else "beside" for a, b in pairwise(members)]
            scores = [m.score for m in members if m.score is not None]
            peak = max(members, key=lambda m: -1.0 if m.score is None else m.score)
            self.exchanges.append(
                {
                    "thread_id": thread_id,
                    "authors": [members[0].author, members[1].author],
                    "replies": length,
                    "comments": chain,
                    **listed_paths([m.path for m in members]),
                    "links": links,
                    "scores": [m.score for m in members],
                    "peak_score": peak.score,
                    "peak_comment": peak.id if peak.score is not None else None,
                    "rising": None if len(scores) < 2 else _slope(scores) > 0,
                }
            )

    def _mentions(self, thread_id: int, rows: list[DatasetRow]) -> None:
        names = {row.author.casefold(): row.author for row in rows}
        pattern = _name_pattern(names.values())
        if pattern is None:
            return
        for row in rows:
            found = []
            for match in pattern.finditer(row.text):
                name = names[match.group().casefold()]
                if name != row.author and name not in found:
                    found.append(name)
            for name in found:
                self.mentioned[name] += 1
                self.mentions.append(
                    {
                        "thread_id": thread_id,
                        "comment_id": row.id,
                        "path": row.path,
                        "author": row.author,
                        "mentions": name,
                    }
                )

    def result(self) -> dict[str, Any]:
        def mean(values: Sequence[float]) -> float | None:
            return sum(values) / len(values) if values else None

        authors = [
            {
                "author": name,
                "comments": a.comments,
                "replies_received": a.replies_received,
                "mean_score": mean(a.scores),
                "max_score": max(a.scores) if a.scores else None,
                "labels": dict(sorted(a.labels.items())),
            }
            for name, a in self.authors.items()
        ]
        authors.sort(key=lambda a: (-a["comments"], -a["replies_received"], a["author"]))
        pairs = sorted(self.pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_PAIRS]
        return {
            "threads": self.threads,
            "comments": self.comments,
            "score": None
            if self.score is None
            else {"model": self.score[0], "attribute": self.score[1]},
            "shape": {
                "top_level": self.top_level,
                "leaves": self.leaves,
                "max_depth": max(self.depths) if self.depths else None,
                "depth_histogram": [
                    {"depth": d, "comments": n} for d, n in sorted(self.depths.items())
                ],
                "branching": {
                    "mean_replies": self.replies / self.comments if self.comments else None,
                    "mean_replies_when_replied": self.replies / self.with_replies
                    if self.with_replies
                    else None,
                    "max_replies": self.max_replies[0],
                    "max_replies_comment": self.max_replies[1],
                },
                "longest_chain": {
                    "thread_id": self.longest_thread,
                    "length": len(self.longest),
                    "comments": [n.id for n in self.longest],
                    **listed_paths([n.path for n in self.longest]),
                    "authors": [n.author for n in self.longest],
                },
            },
            "toxicity_by_depth": [
                {
                    "depth": d,
                    "comments": self.depths[d],
                    "scored": len(self.depth_scores[d]),
                    "mean": mean(self.depth_scores[d]),
                    "max": max(self.depth_scores[d]) if self.depth_scores[d] else None,
                }
                for d in sorted(self.depths)
            ],
            "authors": authors,
            "reply_pairs": [{"from": a, "to": b, "replies": n} for (a, b), n in pairs],
            "heated_exchanges": self.exchanges,
            "mentions": self.mentions,
            "mentioned": [
                {"author": name, "mentions": n}
                for name, n in sorted(self.mentioned.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
        }


def thread_stats(
    rows: Iterable[DatasetRow],
    *,
    score: tuple[str, str] | None,
    depth_cap: bool = True,
    min_replies: int = MIN_REPLIES,
) -> dict[str, Any]:
    """Statistics of ``rows`` (dataset rows in thread and document order) as plain data."""
    accumulator = _Accumulator(score, depth_cap, min_replies)
    for thread_id, group in groupby(rows, key=lambda r: r.thread_id):
        accumulator.add_thread(thread_id, list(group))
    return accumulator.result()
