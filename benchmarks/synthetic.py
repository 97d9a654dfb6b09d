"""Synthetic threads for the benchmarks: one vocabulary, one document writer."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = [
    "the",
    "troops",
    "talks",
    "korea",
    "alliance",
    "cost",
    "sharing",
    "trump",
    "seoul",
    "washington",
    "billion",
    "treaty",
    "peace",
    "war",
    "nuclear",
    "north",
    "south",
    "people",
    "think",
    "really",
    "because",
    "would",
    "should",
    "never",
    "always",
    "government",
    "military",
    "empire",
    "dollar",
    "budget",
    "defense",
    "money",
    "deal",
    "negotiation",
    "pay",
    "collapsed",
    "after",
    "eighty",
    "minutes",
    "nobody",
    "seems",
    "know",
    "why",
    "still",
    "there",
    "you",
    "this",
    "is",
    "about",
    "not",
    "security",
    "idiot",
    "stupid",
    "liar",
]


def write_thread(
    path: Path,
    comments: int,
    *,
    seed: int = 1,
    max_depth: int = 12,
    paragraphs: tuple[int, ...] = (1, 1, 2, 3),
    words: tuple[int, int] = (8, 80),
) -> Path:
    """Write a thread in the plain-text layout, streaming (any size).

    The depth random-walks like real threads: mostly shallow, with long reply
    chains now and then; numbering restarts under each parent.
    """
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write("A synthetic thread for benchmarking\n\nAn article body.\n\nSource: bench\n\n")
        counters = [0]
        depth = 0
        for _ in range(comments):
            roll = rng.random()
            if depth < max_depth and counters[depth] > 0 and roll < 0.35:
                depth += 1
                counters.append(0)
            elif roll < 0.75:
                depth -= rng.randint(0, depth)
                del counters[depth + 1 :]
            counters[depth] += 1
            indent = "  " * (depth + 1)
            out.write(f"{indent}{counters[depth]}. User {rng.randint(1, 5000)} says\n\n")
            for _ in range(rng.choice(paragraphs)):
                text = " ".join(rng.choices(WORDS, k=rng.randint(*words)))
                out.write(f"{indent}  {text}\n\n")
        out.write("Leave A Reply\n")
    return path
