"""Split a selection into named parts by thread, reproducibly.

``train=0.8,test=0.2`` with a seed: the threads are shuffled with
``random.Random(seed)`` (sorted by id first, so the result depends only on the
seed and the threads), then each goes, in that order, to the part whose share
of comments so far is furthest below its target. A thread is never divided, so
no conversation leaks between train and test; shares are met as closely as
whole threads allow.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from modtool.errors import InputError

NAME = re.compile(r"^[A-Za-z0-9_-]+$")
TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    share: float


def parse_split(text: str) -> list[Part]:
    """``"train=0.8,test=0.2"`` → parts; shares must be positive and sum to 1."""
    parts: list[Part] = []
    for item in text.split(","):
        name, sep, value = item.strip().partition("=")
        name = name.strip()
        if not sep or not NAME.match(name):
            raise InputError(f"--split {text!r}: write NAME=SHARE,… e.g. train=0.8,test=0.2")
        try:
            share = float(value)
        except ValueError:
            raise InputError(f"--split {text!r}: {value.strip()!r} is not a number") from None
        if not share > 0:
            raise InputError(f"--split {text!r}: the share of {name!r} must be above 0")
        if any(part.name == name for part in parts):
            raise InputError(f"--split {text!r}: {name!r} is named twice")
        parts.append(Part(name, share))
    total = sum(part.share for part in parts)
    if abs(total - 1.0) > TOLERANCE:
        raise InputError(f"--split {text!r}: the shares add up to {total:g}, not 1")
    return parts


def assign(
    sizes: Sequence[tuple[int, int]], parts: Sequence[Part], seed: int
) -> dict[str, list[int]]:
    """``{part name: sorted thread ids}`` from ``(thread_id, comments)`` pairs."""
    order = sorted(thread_id for thread_id, _ in sizes)
    size = dict(sizes)
    random.Random(seed).shuffle(order)
    result: dict[str, list[int]] = {part.name: [] for part in parts}
    filled = {part.name: 0 for part in parts}
    total = 0
    for thread_id in order:
        total += size[thread_id]
        # Largest shortfall against the target; ties go to the larger share,
        # then to the part named first.
        best = max(parts, key=lambda p: (p.share * total - filled[p.name], p.share))
        result[best.name].append(thread_id)
        filled[best.name] += size[thread_id]
    return {name: sorted(ids) for name, ids in result.items()}
