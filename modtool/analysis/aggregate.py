"""Several moderators' verdicts on one comment → the labels a majority gave.

A label is a *majority* label when more than half of the moderators who
reviewed the comment (labeled it or approved it) gave it; it is *tied* when
exactly half did. A tie is reported as such and never resolved by guessing.
Approving counts as a verdict of "no label".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from modtool.store.dataset import Annotation


@dataclass(frozen=True, slots=True)
class Aggregate:
    labels: tuple[str, ...]
    tied: tuple[str, ...]
    reviewers: int

    @property
    def reviewed(self) -> bool:
        return self.reviewers > 0

    def verdict(self, label: str) -> bool | None:
        """``True``/``False`` for a majority either way, ``None`` if tied or unreviewed."""
        if not self.reviewers or label in self.tied:
            return None
        return label in self.labels


def aggregate(annotations: Iterable[Annotation]) -> Aggregate:
    reviewers = 0
    votes: Counter[str] = Counter()
    for annotation in annotations:
        if annotation.state == "unreviewed":
            continue
        reviewers += 1
        votes.update(set(annotation.labels))
    majority = tuple(sorted(label for label, n in votes.items() if 2 * n > reviewers))
    tied = tuple(sorted(label for label, n in votes.items() if 2 * n == reviewers))
    return Aggregate(labels=majority, tied=tied, reviewers=reviewers)
