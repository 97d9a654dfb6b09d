"""How each score threshold of a policy agrees with what moderators decided.

For every rule of the policy and every score threshold it tests (a rule with
``any = [...]`` has several), and every stored model that threshold applies to:

* the *truth* of a comment is the moderators' majority (see
  :mod:`modtool.analysis.aggregate`): the rule's label was given by a majority
  (positive) or not (negative); comments nobody reviewed, or tied on that
  label, are left out. For the policy's approve label the truth is "reviewed
  and no label" (a tie on any label leaves the comment out);
* the *prediction* is the threshold test (``score >= t`` or ``score <= t``)
  on the comment's score by that model; comments without that score are left out;
* precision = TP / (TP + FP), recall = TP / (TP + FN), F1 = 2TP / (2TP + FP + FN),
  ``None`` when the denominator is 0;

at the policy's current threshold and at a sweep (0.05, 0.10, … 0.95 and the
current one). The best threshold is the one with the highest F1 (ties: the one
nearest the current threshold, then the lower); there is none when no threshold
finds a single true positive (e.g. no majority gave the label).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from modtool.analysis.aggregate import aggregate
from modtool.analysis.metrics import Point
from modtool.analysis.metrics import point as _point
from modtool.store.dataset import DatasetRow

SWEEP = tuple(round(i * 0.05, 2) for i in range(1, 20))


@dataclass(slots=True)
class Calibration:
    rule: str
    label: str
    attribute: str
    selector: str | None
    model: str
    op: str
    threshold: float
    items: int
    positives: int
    current: Point
    sweep: list[Point] = field(default_factory=list)
    best: Point | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "label": self.label,
            "attribute": self.attribute,
            "selector": self.selector,
            "model": self.model,
            "op": self.op,
            "threshold": self.threshold,
            "items": self.items,
            "positives": self.positives,
            "current": self.current.as_json(),
            "best": None if self.best is None else self.best.as_json(),
            "sweep": [p.as_json() for p in self.sweep],
        }


def _truth(row_verdict: Any, label: str, approve: bool) -> bool | None:
    if not row_verdict.reviewed:
        return None
    if approve:
        return None if row_verdict.tied else not row_verdict.labels
    return row_verdict.verdict(label)


def calibrate(
    rows: Iterable[DatasetRow], policy: Any, sweep: Sequence[float] = SWEEP
) -> list[Calibration]:
    """Calibrations of every score threshold in ``policy`` against the moderators'
    majority labels in ``rows`` (annotations under that policy)."""
    from modtool.policy.attributes import model_matches

    approve = {label.key for label in policy.labels if label.action == "approve"}
    conditions = [
        (rule, condition) for rule in policy.rules for condition in rule.score_conditions()
    ]
    # (index in `conditions`, model id) -> [(score, truth)]
    pairs: dict[tuple[int, str], list[tuple[float, bool]]] = {}
    for row in rows:
        verdict = aggregate(row.annotations)
        if not verdict.reviewed:
            continue
        scores = row.scores_by_model()
        for index, (rule, condition) in enumerate(conditions):
            truth = _truth(verdict, rule.label, rule.label in approve)
            if truth is None:
                continue
            for model, attributes in scores.items():
                if condition.attribute not in attributes:
                    continue
                if condition.model is not None and not model_matches(condition.model, model):
                    continue
                pairs.setdefault((index, model), []).append(
                    (attributes[condition.attribute], truth)
                )
    results = []
    for (index, model), found in sorted(pairs.items()):
        rule, condition = conditions[index]
        current = _point(found, condition.op, condition.threshold)
        thresholds = sorted({*sweep, condition.threshold})
        points = [_point(found, condition.op, t) for t in thresholds]
        scored = [p for p in points if p.f1]  # no best without a true positive
        best = (
            max(scored, key=lambda p: (p.f1, -abs(p.threshold - condition.threshold), -p.threshold))
            if scored
            else None
        )
        results.append(
            Calibration(
                rule=rule.id,
                label=rule.label,
                attribute=condition.attribute,
                selector=condition.model,
                model=model,
                op=condition.op,
                threshold=condition.threshold,
                items=len(found),
                positives=sum(1 for _, truth in found if truth),
                current=current,
                sweep=points,
                best=best,
            )
        )
    return results


def rules_without_data(policy: Any, results: Sequence[Calibration]) -> list[str]:
    """Score rules of ``policy`` no labeled, scored comment could test."""
    tested = {c.rule for c in results}
    return [rule.id for rule in policy.rules if rule.score_conditions() and rule.id not in tested]
