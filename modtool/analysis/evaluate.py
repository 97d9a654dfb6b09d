"""How good a scorer is on the site's own labels (``modtool evaluate``).

*Truth* is the human moderators' majority (:mod:`modtool.analysis.aggregate`)
per label of the policy: a comment is positive when more than half of the
moderators who reviewed it gave the label, negative when fewer than half did.
Left out, and counted: comments tied on the label (exactly half), and every
verdict by a non-human actor (a policy's automatic labels, ``policy:NAME``;
modtool's own marks, ``modtool:…``), so a rule never grades itself.

For every label, every stored ``(model, attribute)`` that maps to it is
measured on the comments that have that score: the attributes the policy's
score rules for that label read, the attribute named like the label
(``insult`` → ``insult``), and the site model's ``site:<label>``. Each gets
ROC-AUC and average precision, and precision/recall at every threshold the
policy's rules for the label use on it. A label with fewer than
:data:`MIN_EXAMPLES` positives or negatives is *thin*: reported, not measured.

:func:`evaluate_file` does the same for one labeled column of a CSV or JSON
Lines file scored now (the Jigsaw subset from the command line).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modtool.analysis.aggregate import aggregate
from modtool.analysis.metrics import Point, average_precision, point, roc_auc
from modtool.errors import InputError
from modtool.policy.attributes import SITE_PREFIX, model_matches
from modtool.store.dataset import Annotation, DatasetRow

MIN_EXAMPLES = 5
NON_HUMAN = ("policy:", "modtool:")
MAX_FILE_ROWS = 2_000_000
TRUE_WORDS = {"1", "true", "yes", "y", "t", "1.0"}
FALSE_WORDS = {"0", "false", "no", "n", "f", "0.0"}


@dataclass(frozen=True, slots=True)
class ThresholdResult:
    rule: str
    op: str
    confusion: Point

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "op": self.op, **self.confusion.as_json()}


@dataclass(slots=True)
class AttributeResult:
    model: str
    attribute: str
    positives: int
    negatives: int
    roc_auc: float | None
    average_precision: float | None
    thresholds: list[ThresholdResult] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "attribute": self.attribute,
            "positives": self.positives,
            "negatives": self.negatives,
            "roc_auc": self.roc_auc,
            "average_precision": self.average_precision,
            "thresholds": [t.as_json() for t in self.thresholds],
        }


@dataclass(slots=True)
class LabelResult:
    label: str
    positives: int
    negatives: int
    tied: int
    attributes: list[AttributeResult] = field(default_factory=list)

    @property
    def thin(self) -> bool:
        return self.positives < MIN_EXAMPLES or self.negatives < MIN_EXAMPLES

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "positives": self.positives,
            "negatives": self.negatives,
            "tied": self.tied,
            "thin": self.thin,
            "attributes": [a.as_json() for a in self.attributes],
        }


@dataclass(slots=True)
class Evaluation:
    source: str
    reviewed: int = 0
    non_human: int = 0
    unit: str = "reviewed comments"
    labels: list[LabelResult] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "reviewed": self.reviewed,
            "non_human_verdicts_excluded": self.non_human,
            "min_examples": MIN_EXAMPLES,
            "labels": [label.as_json() for label in self.labels],
        }


@dataclass(frozen=True, slots=True)
class RuleThreshold:
    rule: str
    attribute: str
    model: str | None
    op: str
    threshold: float


def is_human(annotation: Annotation) -> bool:
    return not annotation.moderator.casefold().startswith(NON_HUMAN)


def human_verdicts(
    rows: Iterable[DatasetRow], counter: list[int]
) -> Iterator[tuple[DatasetRow, Any]]:
    """``(row, Aggregate)`` of the human moderators' verdicts, for reviewed rows;
    ``counter[0]`` counts the non-human verdicts left out."""
    for row in rows:
        humans = [a for a in row.annotations if is_human(a)]
        counter[0] += sum(1 for a in row.annotations if a.state != "unreviewed") - sum(
            1 for a in humans if a.state != "unreviewed"
        )
        verdict = aggregate(humans)
        if verdict.reviewed:
            yield row, verdict


def rule_thresholds(policy: Any, label: str) -> list[RuleThreshold]:
    if policy is None:
        return []
    return [
        RuleThreshold(rule.id, c.attribute, c.model, c.op, c.threshold)
        for rule in policy.rules
        if rule.label == label
        for c in rule.score_conditions()
    ]


def mapped_attributes(label: str, thresholds: Sequence[RuleThreshold]) -> set[str]:
    return {label, SITE_PREFIX + label, *(t.attribute for t in thresholds)}


def evaluate_rows(
    rows: Iterable[DatasetRow],
    labels: Sequence[str],
    policy: Any = None,
    *,
    selector: str | None = None,
    source: str = "",
) -> Evaluation:
    """Measure every stored score that maps to each of ``labels`` against the human
    majority in ``rows`` (annotations under one policy)."""
    result = Evaluation(source)
    per_label = {label: rule_thresholds(policy, label) for label in labels}
    wanted = {label: mapped_attributes(label, per_label[label]) for label in labels}
    truths = {label: [0, 0, 0] for label in labels}  # positives, negatives, tied
    pairs: dict[tuple[str, str, str], tuple[list[float], list[bool]]] = {}
    counter = [0]
    for row, verdict in human_verdicts(rows, counter):
        result.reviewed += 1
        scores = row.scores_by_model()
        for label in labels:
            truth = verdict.verdict(label)
            if truth is None:
                truths[label][2] += 1
                continue
            truths[label][0 if truth else 1] += 1
            for model, attributes in scores.items():
                if selector is not None and not model_matches(selector, model):
                    continue
                for attribute, value in attributes.items():
                    if attribute in wanted[label]:
                        values, truth_list = pairs.setdefault((label, model, attribute), ([], []))
                        values.append(value)
                        truth_list.append(truth)
    result.non_human = counter[0]
    for label in labels:
        positives, negatives, tied = truths[label]
        outcome = LabelResult(label, positives, negatives, tied)
        result.labels.append(outcome)
        if outcome.thin:
            continue
        for (key, model, attribute), (values, truth_list) in sorted(pairs.items()):
            if key != label:
                continue
            outcome.attributes.append(
                _measure(model, attribute, values, truth_list, per_label[label])
            )
    return result


def _measure(
    model: str,
    attribute: str,
    values: list[float],
    truth: list[bool],
    thresholds: Sequence[RuleThreshold],
) -> AttributeResult:
    measured = AttributeResult(
        model,
        attribute,
        sum(truth),
        len(truth) - sum(truth),
        roc_auc(values, truth),
        average_precision(values, truth),
    )
    for t in thresholds:
        if t.attribute != attribute or (t.model is not None and not model_matches(t.model, model)):
            continue
        pairs = list(zip(values, truth, strict=True))
        measured.thresholds.append(ThresholdResult(t.rule, t.op, point(pairs, t.op, t.threshold)))
    return measured


def thin_line(outcome: LabelResult) -> str:
    return (
        f"{outcome.label}: {outcome.positives} positive and {outcome.negatives} negative "
        f"(human majority), too few to say anything (need at least {MIN_EXAMPLES} of each)"
    )


# -- a labeled file ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class LabeledTexts:
    texts: list[str]
    truth: list[bool]


def read_labeled_file(
    path: Path, text_column: str, label_column: str, *, header: bool = True
) -> LabeledTexts:
    """Texts and 0/1 labels from a CSV (``header=False``: columns are 1-based numbers)
    or JSON Lines file (``.jsonl``/``.ndjson``); one-line errors naming the place."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    texts: list[str] = []
    truth: list[bool] = []
    for place, text, label in _records(path, text_column, label_column, header):
        if len(texts) >= MAX_FILE_ROWS:
            raise InputError(f"{path}: more than {MAX_FILE_ROWS:,} rows; evaluate a sample")
        if not isinstance(text, str):
            raise InputError(f"{path}:{place}: the text column {text_column!r} is not text")
        word = str(label).strip().lower()
        if isinstance(label, bool):
            value = label
        elif word in TRUE_WORDS:
            value = True
        elif word in FALSE_WORDS:
            value = False
        else:
            raise InputError(
                f"{path}:{place}: label {str(label)[:40]!r} in column {label_column!r} is not "
                "0/1 or true/false"
            )
        texts.append(text)
        truth.append(value)
    return LabeledTexts(texts, truth)


def _records(
    path: Path, text_column: str, label_column: str, header: bool
) -> Iterator[tuple[str, Any, Any]]:
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from _json_records(path, text_column, label_column)
    else:
        yield from _csv_records(path, text_column, label_column, header)


def _json_records(
    path: Path, text_column: str, label_column: str
) -> Iterator[tuple[str, Any, Any]]:
    """Each line of a JSON Lines file, read within :mod:`modtool.jsonsafe`'s bounds
    (line length, nesting depth, digits): a hostile line is one error naming it."""
    from modtool import jsonsafe

    for number, record in jsonsafe.iter_lines(path):
        if not isinstance(record, dict):
            raise InputError(f"{path}:{number}: not a JSON object")
        for column in (text_column, label_column):
            if column not in record:
                raise InputError(f"{path}:{number}: no key {column!r}")
        yield str(number), record[text_column], record[label_column]


def _csv_records(
    path: Path, text_column: str, label_column: str, header: bool
) -> Iterator[tuple[str, Any, Any]]:
    reader = None
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            if header:
                names = next(reader, [])
                for column in (text_column, label_column):
                    if column not in names:
                        raise InputError(
                            f"{path}:1: no column {column!r} (columns: "
                            f"{', '.join(n[:30] for n in names[:20])}; a file without a header: "
                            "--no-header --text-column 1 --label-column 2)"
                        )
                text_at, label_at = names.index(text_column), names.index(label_column)
            else:
                text_at, label_at = _number(text_column), _number(label_column)
            for row in reader:
                if not row:
                    continue
                place = str(reader.line_num)
                if max(text_at, label_at) >= len(row):
                    raise InputError(f"{path}:{place}: {len(row)} columns, too few")
                yield place, row[text_at], row[label_at]
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        where = f":{reader.line_num}" if reader is not None and reader.line_num else ""
        raise InputError(f"{path}{where}: not a readable CSV file ({exc})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _number(column: str) -> int:
    if not column.isdigit() or int(column) < 1:
        raise InputError(f"without a header, columns are numbers from 1, not {column!r}")
    return int(column) - 1


def evaluate_file(
    labeled: LabeledTexts,
    score: Callable[[list[str]], tuple[str, list[dict[str, float]]]],
    label: str,
    source: str,
) -> Evaluation:
    """Score the file's texts now (``score`` returns the model id and one
    ``{attribute: value}`` per text) and measure every attribute against ``label``."""
    positives = sum(labeled.truth)
    outcome = LabelResult(label, positives, len(labeled.truth) - positives, 0)
    result = Evaluation(source, reviewed=len(labeled.texts), labels=[outcome], unit="labeled rows")
    if outcome.thin:
        return result
    model, scored = score(labeled.texts)
    for attribute in sorted({name for values in scored for name in values}):
        values = [row[attribute] for row in scored]
        outcome.attributes.append(_measure(model, attribute, values, labeled.truth, ()))
    return result
