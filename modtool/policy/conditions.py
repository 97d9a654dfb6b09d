"""Conditions a rule tests on one comment, evaluated in three-valued logic.

A condition answers ``True``, ``False`` or ``None`` (unknown: the scores it
needs are missing, or a regex ran out of time). ``all``/``any``/``not``
combine answers the Kleene way, so a missing score never turns into a match
through ``not``, and a rule only fires on a definite ``True``.

Each ``True`` answer comes with *reasons*: plain dicts stored as JSON with the
suggestion, so the UI can show why (and highlight the matched spans)::

    {"kind": "score", "model", "attribute", "score", "threshold", "op"}
    {"kind": "regex", "pattern", "field", "spans": [[start, end], ...], "matched": [...]}
    {"kind": "author", "author", "matched"}
    {"kind": "depth", "depth", "op", "threshold"}
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import regex

from modtool.policy.attributes import model_matches
from modtool.policy.wordlist import WordMatcher

Reason = dict[str, Any]
Verdict = bool | None

MAX_SPANS = 50
"""Matches kept per pattern and comment (enough to highlight; bounded storage)."""
MAX_MATCHED_CHARS = 200
MAX_SHOWN_WORDS = 5
"""Words of a list named in a timeout report (a 20k-word list on one line helps no one)."""


def shown_words(words: tuple[str, ...]) -> str:
    """The first few entries of a word list and how many more, for messages."""
    head = ", ".join(word[:40] for word in words[:MAX_SHOWN_WORDS])
    more = len(words) - MAX_SHOWN_WORDS
    return f"{head} (+{more} more)" if more > 0 else head


@dataclass(frozen=True, slots=True)
class ScoreCondition:
    """One threshold on one attribute: ``score op threshold``.

    ``op`` is ``>=`` or ``<=`` (``>``/``<`` only appear inside a ``not``).

    ``model`` is ``None`` (any model yielding the attribute), a family such as
    ``detoxify/original``, or an exact model id.
    """

    attribute: str
    model: str | None
    op: str
    threshold: float

    def holds(self, score: float) -> bool:
        return _OPS[self.op](score, self.threshold)

    def negated(self) -> ScoreCondition:
        return ScoreCondition(self.attribute, self.model, _NEGATED[self.op], self.threshold)


_OPS = {
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}
_NEGATED = {">=": "<", "<=": ">", ">": "<=", "<": ">="}


@dataclass(frozen=True, slots=True)
class Subject:
    """What conditions look at: one comment and its scores ``{model_id: {attribute: score}}``."""

    comment_id: int
    body: str
    author: str
    depth: int
    scores: Mapping[str, Mapping[str, float]] = field(default_factory=dict)


@dataclass(slots=True)
class Context:
    """Per-evaluation settings and the problems met on the way.

    ``timeout`` bounds each regex search; ``deadline`` (a ``time.perf_counter``
    value shared by every rule of one comment) bounds all of them together:
    once it passes, the remaining regex searches are not run, ``skipped`` is
    set, and the rule's answer is unknown (reported, never silent).
    """

    timeout: float
    deadline: float | None = None
    timeouts: list[Reason] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)
    skipped: bool = False

    def search_timeout(self) -> float | None:
        """Seconds the next regex search may take; ``None``: the budget is spent."""
        if self.deadline is None:
            return self.timeout
        remaining = self.deadline - time.perf_counter()
        if remaining <= 0:
            self.skipped = True
            return None
        return min(self.timeout, remaining)


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: Verdict
    reasons: tuple[Reason, ...] = ()


class Condition(Protocol):
    def evaluate(self, subject: Subject, ctx: Context) -> Outcome: ...

    def score_conditions(self) -> list[ScoreCondition]: ...

    def describe(self) -> str: ...


# -- leaves --------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ScoreRange:
    """Jigsaw-Moderator style range: ``min <= score <= max`` (either bound optional).

    With several matching models the highest score counts: a ``min`` fires if
    any model crosses it, a ``max`` holds only if every model stays under it.
    """

    attribute: str
    model: str | None = None
    min: float | None = None
    max: float | None = None

    def score_conditions(self) -> list[ScoreCondition]:
        found = []
        if self.min is not None:
            found.append(ScoreCondition(self.attribute, self.model, ">=", self.min))
        if self.max is not None:
            found.append(ScoreCondition(self.attribute, self.model, "<=", self.max))
        return found

    def evaluate(self, subject: Subject, ctx: Context) -> Outcome:
        best: tuple[float, str] | None = None
        for model_id, scores in subject.scores.items():
            if self.attribute not in scores:
                continue
            if self.model is not None and not model_matches(self.model, model_id):
                continue
            candidate = (float(scores[self.attribute]), model_id)
            if best is None or candidate > best:
                best = candidate
        if best is None:
            ctx.missing.add(
                self.attribute if self.model is None else f"{self.model}:{self.attribute}"
            )
            return Outcome(None)
        score, model_id = best
        reasons = []
        for condition in self.score_conditions():
            if not condition.holds(score):
                return Outcome(False)
            reasons.append(
                {
                    "kind": "score",
                    "model": model_id,
                    "attribute": self.attribute,
                    "score": score,
                    "threshold": condition.threshold,
                    "op": condition.op,
                }
            )
        return Outcome(True, tuple(reasons))

    def describe(self) -> str:
        who = f"{self.model}:" if self.model else ""
        if self.min is not None and self.max is not None:
            return f"{self.min} <= {who}{self.attribute} <= {self.max}"
        if self.min is not None:
            return f"{who}{self.attribute} >= {self.min}"
        return f"{who}{self.attribute} <= {self.max}"


@dataclass(frozen=True, slots=True)
class Pattern:
    """One compiled pattern and the text it was written as (shown in reasons)."""

    source: str
    compiled: regex.Pattern[str]


@dataclass(frozen=True, slots=True)
class TextMatch:
    """Any of ``patterns`` matches ``field`` (``body`` or ``author``).

    Each search runs with ``timeout`` seconds (the ``regex`` package's own
    timeout); a search that runs out of time makes the answer unknown and is
    recorded in :attr:`Context.timeouts`, never silently skipped.
    """

    patterns: tuple[Pattern, ...]
    field: str = "body"

    def score_conditions(self) -> list[ScoreCondition]:
        return []

    def evaluate(self, subject: Subject, ctx: Context) -> Outcome:
        text = subject.body if self.field == "body" else subject.author
        reasons: list[Reason] = []
        timed_out = False
        for pattern in self.patterns:
            spans: list[list[int]] = []
            matched: list[str] = []
            seconds = ctx.search_timeout()
            if seconds is None:  # the comment's regex budget is spent
                timed_out = True
                break
            try:
                for match in pattern.compiled.finditer(text, timeout=seconds):
                    if match.end() == match.start():
                        continue
                    spans.append([match.start(), match.end()])
                    matched.append(match.group()[:MAX_MATCHED_CHARS])
                    if len(spans) >= MAX_SPANS:
                        break
            except TimeoutError:
                timed_out = True
                ctx.timeouts.append(
                    {"pattern": pattern.source[:200], "field": self.field, "timeout": seconds}
                )
                continue
            if spans:
                reasons.append(
                    {
                        "kind": "regex",
                        "pattern": pattern.source,
                        "field": self.field,
                        "spans": spans,
                        "matched": matched,
                    }
                )
        if reasons:
            return Outcome(True, tuple(reasons))
        return Outcome(None if timed_out else False)

    def describe(self) -> str:
        shown = ", ".join(pattern.source for pattern in self.patterns[:4])
        more = f" (+{len(self.patterns) - 4})" if len(self.patterns) > 4 else ""
        where = "" if self.field == "body" else f" in {self.field}"
        return f"regex{where}: {shown}{more}"


@dataclass(frozen=True, slots=True)
class WordList:
    """Any of ``words`` occurs as a whole word. :class:`~modtool.policy.wordlist.WordMatcher`
    finds them (sets for plain words, a trie regex for phrases, the fuzzy
    alternation for edits) and tells which word matched, so reasons name the
    word (one reason per word, like :class:`TextMatch` gives one per pattern)."""

    words: tuple[str, ...]
    matcher: WordMatcher
    field: str = "body"

    def score_conditions(self) -> list[ScoreCondition]:
        return []

    def evaluate(self, subject: Subject, ctx: Context) -> Outcome:
        text = subject.body if self.field == "body" else subject.author
        found, failed = self.matcher.find(text, ctx.search_timeout, MAX_SPANS)
        if failed and not ctx.skipped:
            ctx.timeouts.append(
                {"pattern": shown_words(self.words), "field": self.field, "timeout": ctx.timeout}
            )
        reasons = tuple(
            {
                "kind": "regex",
                "pattern": self.words[index],
                "field": self.field,
                "spans": spans,
                "matched": [text[:MAX_MATCHED_CHARS] for text in matched],
            }
            for index, (spans, matched) in sorted(found.items())
        )
        if reasons:
            return Outcome(True, reasons)
        return Outcome(None) if failed else Outcome(False)

    def describe(self) -> str:
        shown = ", ".join(self.words[:4])
        more = f" (+{len(self.words) - 4})" if len(self.words) > 4 else ""
        where = "" if self.field == "body" else f" in {self.field}"
        return f"words{where}: {shown}{more}"


@dataclass(frozen=True, slots=True)
class AuthorIs:
    """The author is one of ``names`` (case-insensitive, surrounding spaces ignored)."""

    names: tuple[str, ...]
    folded: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    """``{folded name: name as written}``: one lookup per comment, even for 200k names."""

    def __post_init__(self) -> None:
        for name in reversed(self.names):  # the first spelling wins
            self.folded[name.strip().casefold()] = name

    def score_conditions(self) -> list[ScoreCondition]:
        return []

    def evaluate(self, subject: Subject, ctx: Context) -> Outcome:
        name = self.folded.get(subject.author.strip().casefold())
        if name is None:
            return Outcome(False)
        return Outcome(True, ({"kind": "author", "author": subject.author, "matched": name},))

    def describe(self) -> str:
        return "author is " + " or ".join(repr(name) for name in self.names)


@dataclass(frozen=True, slots=True)
class DepthRange:
    """Reply depth within bounds (0 is a top-level comment)."""

    min: int | None = None
    max: int | None = None

    def score_conditions(self) -> list[ScoreCondition]:
        return []

    def evaluate(self, subject: Subject, ctx: Context) -> Outcome:
        reasons: list[Reason] = []
        for op, bound in ((">=", self.min), ("<=", self.max)):
            if bound is None:
                continue
            ok = subject.depth >= bound if op == ">=" else subject.depth <= bound
            if not ok:
                return Outcome(False)
            reasons.append({"kind": "depth", "depth": subject.depth, "op": op, "threshold": bound})
        return Outcome(True, tuple(reasons))

    def describe(self) -> str:
        parts = []
        if self.min is not None:
            parts.append(f"depth >= {self.min}")
        if self.max is not None:
            parts.append(f"depth <= {self.max}")
        return " and ".join(parts)


# -- combinations ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Condition, ...]

    def score_conditions(self) -> list[ScoreCondition]:
        return [found for item in self.items for found in item.score_conditions()]

    def evaluate(self, subject: Subject, ctx: Context) -> Outcome:
        reasons: list[Reason] = []
        unknown = False
        for item in self.items:
            outcome = item.evaluate(subject, ctx)
            if outcome.verdict is False:
                return Outcome(False)
            if outcome.verdict is None:
                unknown = True
            reasons.extend(outcome.reasons)
        return Outcome(None) if unknown else Outcome(True, tuple(reasons))

    def describe(self) -> str:
        return "all(" + "; ".join(item.describe() for item in self.items) + ")"


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]

    def score_conditions(self) -> list[ScoreCondition]:
        return [found for item in self.items for found in item.score_conditions()]

    def evaluate(self, subject: Subject, ctx: Context) -> Outcome:
        reasons: list[Reason] = []
        unknown = False
        matched = False
        # Every branch runs, so the reasons name everything that matched.
        for item in self.items:
            outcome = item.evaluate(subject, ctx)
            if outcome.verdict is True:
                matched = True
                reasons.extend(outcome.reasons)
            elif outcome.verdict is None:
                unknown = True
        if matched:
            return Outcome(True, tuple(reasons))
        return Outcome(None if unknown else False)

    def describe(self) -> str:
        return "any(" + "; ".join(item.describe() for item in self.items) + ")"


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition

    def score_conditions(self) -> list[ScoreCondition]:
        return [found.negated() for found in self.item.score_conditions()]

    def evaluate(self, subject: Subject, ctx: Context) -> Outcome:
        verdict = self.item.evaluate(subject, ctx).verdict
        # The inner reasons explain the opposite answer, so none are passed up.
        return Outcome(None if verdict is None else not verdict)

    def describe(self) -> str:
        return f"not({self.item.describe()})"
