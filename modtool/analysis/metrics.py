"""ROC-AUC, average precision and confusion counts, in plain Python (no numpy, no
scikit-learn: ``modtool evaluate`` on stored scores stays light).

Definitions are scikit-learn's, so figures agree with ``roc_auc_score`` and
``average_precision_score``:

* ROC-AUC = P(score of a random positive > score of a random negative), ties
  counting one half (the Mann-Whitney statistic, from mid-ranks);
* average precision = Σ over distinct thresholds, from the highest score down,
  of (recall gained) × (precision at that threshold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


def roc_auc(scores: Sequence[float], truth: Sequence[bool]) -> float | None:
    """``None`` without at least one positive and one negative."""
    positives = sum(1 for t in truth if t)
    negatives = len(truth) - positives
    if not positives or not negatives:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    rank_sum = 0.0
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        mid_rank = (start + end) / 2 + 1  # 1-based mid-rank of the tied run
        rank_sum += mid_rank * sum(1 for k in range(start, end + 1) if truth[order[k]])
        start = end + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def average_precision(scores: Sequence[float], truth: Sequence[bool]) -> float | None:
    """``None`` without a positive."""
    positives = sum(1 for t in truth if t)
    if not positives:
        return None
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    total = 0.0
    tp = fp = 0
    recall_before = 0.0
    index = 0
    while index < len(order):
        value = scores[order[index]]
        while index < len(order) and scores[order[index]] == value:
            if truth[order[index]]:
                tp += 1
            else:
                fp += 1
            index += 1
        recall = tp / positives
        total += (recall - recall_before) * (tp / (tp + fp))
        recall_before = recall
    return total


@dataclass(frozen=True, slots=True)
class Point:
    """Counts of one threshold test (``score op threshold`` predicts the label)."""

    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        den = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / den if den else None

    def as_json(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def holds(op: str, score: float, threshold: float) -> bool:
    return {
        ">=": score >= threshold,
        "<=": score <= threshold,
        ">": score > threshold,
        "<": score < threshold,
    }[op]


def point(pairs: Sequence[tuple[float, bool]], op: str, threshold: float) -> Point:
    """The confusion counts of ``score op threshold`` over ``(score, truth)`` pairs."""
    tp = fp = fn = tn = 0
    for score, truth in pairs:
        predicted = holds(op, score, threshold)
        if predicted and truth:
            tp += 1
        elif predicted:
            fp += 1
        elif truth:
            fn += 1
        else:
            tn += 1
    return Point(threshold, tp, fp, fn, tn)
