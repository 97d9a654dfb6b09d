"""Agreement between moderators, per label, with the number of items it rests on.

For each label every reviewing moderator gives a binary verdict per comment:
1 if they applied the label, 0 if they reviewed the comment (labeled it
otherwise, or approved it) without it. Comments a moderator did not review are
missing, not 0.

* Two moderators: Cohen's kappa (scikit-learn) over the comments both reviewed.
* More: Krippendorff's alpha, nominal (the ``krippendorff`` package) over the
  comments at least two of them reviewed; missing verdicts are allowed.

A coefficient is undefined when every verdict is the same (nothing to agree or
disagree about beyond chance); it is then reported as ``None`` with a note,
together with the observed agreement.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from modtool.store.dataset import DatasetRow

ANY_LABEL = "(any label)"
KAPPA, ALPHA = "cohen_kappa", "krippendorff_alpha"


@dataclass(frozen=True, slots=True)
class LabelAgreement:
    label: str
    method: str
    value: float | None
    items: int
    observed: float | None
    positives: int
    note: str | None = None


@dataclass(slots=True)
class AgreementReport:
    policy: str
    moderators: list[str]
    method: str
    labels: list[LabelAgreement] = field(default_factory=list)
    reviewed: int = 0


def _observed(columns: list[list[float]]) -> float | None:
    """Share of agreeing pairs among all pairs of verdicts on the same comment."""
    agree = pairs = 0
    for column in columns:
        values = [v for v in column if not math.isnan(v)]
        for a, b in combinations(values, 2):
            pairs += 1
            agree += a == b
    return agree / pairs if pairs else None


def _kappa(first: list[int], second: list[int]) -> float | None:
    from sklearn.metrics import cohen_kappa_score

    if not first or len(set(first) | set(second)) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(cohen_kappa_score(first, second, labels=[0, 1]))
    return None if math.isnan(value) else value


def _alpha(matrix: list[list[float]]) -> float | None:
    import krippendorff
    import numpy as np

    values = {v for row in matrix for v in row if not math.isnan(v)}
    if len(values) < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = float(
            krippendorff.alpha(
                reliability_data=np.array(matrix, dtype=float), level_of_measurement="nominal"
            )
        )
    return None if math.isnan(value) else value


def agreement(
    rows: Iterable[DatasetRow],
    policy: str,
    label_keys: Sequence[str],
    moderators: Sequence[str] | None = None,
) -> AgreementReport:
    """Agreement per label (and for "any label") among ``moderators`` (default: all who
    reviewed); ``rows`` carry the annotations under ``policy``."""
    verdicts: list[dict[str, frozenset[str]]] = []
    seen: set[str] = set()
    keys = list(dict.fromkeys(label_keys))
    for row in rows:
        given = {
            a.moderator: frozenset(a.labels) for a in row.annotations if a.state != "unreviewed"
        }
        if moderators is not None:
            given = {m: labels for m, labels in given.items() if m in moderators}
        seen.update(given)
        for labels in given.values():
            keys.extend(label for label in labels if label not in keys)
        if len(given) >= 2:
            verdicts.append(given)
    chosen = sorted(moderators if moderators is not None else seen)
    method = KAPPA if len(chosen) == 2 else ALPHA
    report = AgreementReport(
        policy=policy, moderators=chosen, method=method, reviewed=len(verdicts)
    )
    for label in [*keys, ANY_LABEL]:

        def has(labels: frozenset[str], label: str = label) -> int:
            return int(bool(labels) if label == ANY_LABEL else label in labels)

        columns = [[float(has(v[m])) if m in v else math.nan for m in chosen] for v in verdicts]
        positives = sum(int(x) for column in columns for x in column if not math.isnan(x))
        if method == KAPPA:
            first = [int(c[0]) for c in columns]
            second = [int(c[1]) for c in columns]
            value = _kappa(first, second)
        else:
            matrix = [list(r) for r in zip(*columns, strict=True)] if columns else []
            value = _alpha(matrix) if columns else None
        note = None
        if not columns:
            note = "no comment reviewed by two of these moderators"
        elif value is None:
            note = "undefined: every verdict was the same"
        report.labels.append(
            LabelAgreement(
                label=label,
                method=method,
                value=value,
                items=len(columns),
                observed=_observed(columns),
                positives=positives,
                note=note,
            )
        )
    return report
