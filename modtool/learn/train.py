"""``modtool train``: one linear model per label, from the human moderators' labels.

The training set is every comment reviewed under the policy, with the human
majority per label (:func:`modtool.analysis.evaluate.human_verdicts`: ties and
the policies' automatic labels left out). A label with fewer than
:data:`MIN_CLASS` positives or negatives is refused. Per label: 5-fold
stratified cross-validation (shuffled, seed 0) gives out-of-fold scores, whose
ROC-AUC and average precision are reported beside the generic scorer's on the
same comments (every stored score that maps to the label, as ``evaluate``
maps them); then a logistic regression (liblinear's dual solver, C = 1,
balanced class weights, at most 100 passes: settings fixed in advance, nothing
tuned) is fitted on all of them
and stored with the training set's size, date, policy hash and metrics.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from modtool.analysis.evaluate import human_verdicts, mapped_attributes, rule_thresholds
from modtool.errors import InputError
from modtool.policy.attributes import SITE_PREFIX
from modtool.store.common import utc_now
from modtool.store.dataset import DatasetRow
from modtool.store.site_models import SiteLabel, SiteModelRecord

MIN_CLASS = 20
FOLDS = 5
SEED = 0
HASH_CHARS = 12
MAX_PASSES = 100


@dataclass(slots=True)
class TrainingSet:
    texts: list[str] = field(default_factory=list)
    truth: dict[str, list[bool | None]] = field(default_factory=dict)
    generic: list[dict[str, dict[str, float]]] = field(default_factory=list)
    non_human: int = 0

    def counts(self, label: str) -> tuple[int, int]:
        values = self.truth[label]
        return sum(1 for v in values if v is True), sum(1 for v in values if v is False)


def gather(rows: Iterable[DatasetRow], labels: Sequence[str]) -> TrainingSet:
    """Texts, per-label human truth (``None``: tied) and the stored generic scores."""
    found = TrainingSet(truth={label: [] for label in labels})
    counter = [0]
    for row, verdict in human_verdicts(rows, counter):
        found.texts.append(row.text)
        for label in labels:
            found.truth[label].append(verdict.verdict(label))
        found.generic.append(
            {
                model: scores
                for model, scores in row.scores_by_model().items()
                if not model.startswith("site@")
            }
        )
    found.non_human = counter[0]
    return found


def thin_labels(data: TrainingSet, labels: Sequence[str]) -> list[str]:
    lines = []
    for label in labels:
        positives, negatives = data.counts(label)
        if positives < MIN_CLASS or negatives < MIN_CLASS:
            lines.append(
                f"{label}: {positives} positive and {negatives} negative (human majority; "
                f"training needs at least {MIN_CLASS} of each)"
            )
    return lines


@dataclass(slots=True)
class LabelMetrics:
    label: str
    positives: int
    negatives: int
    roc_auc: float
    average_precision: float
    generic: list[dict[str, Any]]
    capped: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "capped": self.capped,
            "positives": self.positives,
            "negatives": self.negatives,
            "cv_roc_auc": self.roc_auc,
            "cv_average_precision": self.average_precision,
            "generic": self.generic,
        }


@dataclass(slots=True)
class Trained:
    record: SiteModelRecord
    metrics: list[LabelMetrics]
    skipped: list[str]
    seconds: float


def train(
    rows: Iterable[DatasetRow],
    labels: Sequence[str],
    policy: Any,
    policy_name: str,
    policy_hash: str,
    *,
    explicit: bool,
    use_offline: bool = True,
) -> Trained:
    """Fit and return (not store) a site model for ``labels``; see the module doc.
    ``explicit``: the user named the labels, so a thin one is refused rather than skipped."""
    import time

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    from modtool.scoring.site_features import Featurizer, default_config

    started = time.perf_counter()
    data = gather(rows, labels)
    thin = thin_labels(data, labels)
    if thin and (explicit or len(thin) == len(labels)):
        raise InputError("cannot train: " + "; ".join(thin))
    chosen = [label for label in labels if not any(line.startswith(f"{label}:") for line in thin)]
    config = default_config(use_offline)
    featurizer = Featurizer(config)
    features = featurizer.transform(data.texts)
    stored: list[SiteLabel] = []
    measured: list[LabelMetrics] = []
    digest = hashlib.sha256()
    for label in chosen:
        keep = [i for i, v in enumerate(data.truth[label]) if v is not None]
        x = features[keep]
        y = np.array([bool(data.truth[label][i]) for i in keep])
        out_of_fold = np.zeros(len(keep))
        folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
        capped: list[bool] = []
        for fit_rows, test_rows in folds.split(np.zeros(len(y)), y):
            model = _fit(LogisticRegression, x[fit_rows], y[fit_rows], capped)
            out_of_fold[test_rows] = model.decision_function(x[test_rows])
        final = _fit(LogisticRegression, x, y, capped)
        weights = np.asarray(final.coef_[0], dtype="<f4").tobytes()
        intercept = float(final.intercept_[0])
        digest.update(f"{label}|{intercept!r}|".encode())
        digest.update(weights)
        stored.append(SiteLabel(label, int(y.sum()), int(len(y) - y.sum()), intercept, weights))
        measured.append(
            LabelMetrics(
                label,
                int(y.sum()),
                int(len(y) - y.sum()),
                float(roc_auc_score(y, out_of_fold)),
                float(average_precision_score(y, out_of_fold)),
                _generic(data, keep, y, label, policy, roc_auc_score, average_precision_score),
                capped=any(capped),
            )
        )
    created = utc_now()
    digest.update(f"{created}|{policy_hash}|{sorted(config.items())!r}".encode())
    record = SiteModelRecord(
        id=f"site@{digest.hexdigest()[:HASH_CHARS]}",
        created_at=created,
        policy_name=policy_name,
        policy_hash=policy_hash,
        training_size=len(data.texts),
        features=config,
        metrics={
            "labels": {m.label: m.as_json() for m in measured},
            "folds": FOLDS,
            "non_human_verdicts_excluded": data.non_human,
        },
        labels=tuple(stored),
    )
    return Trained(record, measured, thin, time.perf_counter() - started)


def _model(logistic: Any) -> Any:
    """L2 logistic regression solved in liblinear's dual (more features than comments),
    to liblinear's own default tolerance for its dual solvers (0.1) and scikit-learn's
    default of at most 100 passes. Measured on the 10,000-comment site of
    ``benchmarks/site_bench.py`` (8,000 to fit, 2,000 held out): 100 passes, 2.0 s,
    held-out ROC-AUC 0.9642; to convergence (660 passes), 11.7 s, 0.9642. A fit that
    stops at the cap is recorded as such in the metrics (``capped``)."""
    return logistic(
        solver="liblinear", dual=True, tol=0.1, C=1.0, class_weight="balanced", max_iter=MAX_PASSES
    )


def _fit(logistic: Any, x: Any, y: Any, capped: list[bool]) -> Any:
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # recorded instead
        model = _model(logistic).fit(x, y)
    capped.append(int(max(model.n_iter_)) >= MAX_PASSES)
    return model


def _generic(
    data: TrainingSet, keep: list[int], y: Any, label: str, policy: Any, auc: Any, ap: Any
) -> list[dict[str, Any]]:
    """The stored generic scores that map to ``label``, measured on the same comments."""
    wanted = mapped_attributes(label, rule_thresholds(policy, label)) - {SITE_PREFIX + label}
    pairs: dict[tuple[str, str], tuple[list[float], list[bool]]] = {}
    for position, index in enumerate(keep):
        for model, scores in data.generic[index].items():
            for attribute, value in scores.items():
                if attribute in wanted:
                    values, truth = pairs.setdefault((model, attribute), ([], []))
                    values.append(value)
                    truth.append(bool(y[position]))
    found = []
    for (model, attribute), (values, truth) in sorted(pairs.items()):
        if len(set(truth)) < 2:
            continue
        found.append(
            {
                "model": model,
                "attribute": attribute,
                "comments": len(values),
                "roc_auc": float(auc(truth, values)),
                "average_precision": float(ap(truth, values)),
            }
        )
    return found
