"""Evaluate a policy's rules on one comment: which labels, by which rule, and why."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from modtool.models import Comment
from modtool.policy.conditions import Context, Reason, Subject
from modtool.policy.model import Policy, Rule

MAX_SHOWN_RULES = 5


@dataclass(frozen=True, slots=True)
class Fired:
    """A rule whose condition held, with its reasons."""

    rule: Rule
    reasons: tuple[Reason, ...]


@dataclass(slots=True)
class Evaluation:
    """What a policy's rules said about one comment.

    ``timeouts``: ``{"rule", "pattern", "field", "timeout"}`` for each regex search
    that ran out of time (the rule could not be decided), plus at most one entry
    with ``"budget": True`` and ``"skipped": [rule ids]`` when the comment's regex
    budget (``Policy.regex_budget``) ran out and later regex rules were not run. ``undecided``: rules
    whose answer was unknown (missing scores or a timeout), with what was missing.
    """

    comment_id: int
    fired: list[Fired] = field(default_factory=list)
    timeouts: list[Reason] = field(default_factory=list)
    undecided: dict[str, list[str]] = field(default_factory=dict)


def subject_for(comment: Comment, scores: Mapping[str, Mapping[str, float]] | None) -> Subject:
    return Subject(
        comment_id=comment.id,
        body=comment.body,
        author=comment.author,
        depth=comment.depth,
        scores=scores or {},
    )


def evaluate(policy: Policy, subject: Subject, *, timeout: float | None = None) -> Evaluation:
    """Run every rule of ``policy`` on one comment.

    The approve label is suggested only when no other label is: a comment
    cannot sensibly be both "fine" and "remove this".
    """
    result = Evaluation(subject.comment_id)
    approve = policy.approve_label
    per_search = policy.regex_timeout if timeout is None else timeout
    budget = max(policy.regex_budget, per_search)
    deadline = time.perf_counter() + budget
    skipped: list[str] = []
    for rule in policy.rules:
        ctx = Context(timeout=per_search, deadline=deadline)
        outcome = rule.condition.evaluate(subject, ctx)
        for problem in ctx.timeouts:
            result.timeouts.append({"rule": rule.id, **problem})
        if outcome.verdict is True:
            result.fired.append(Fired(rule, outcome.reasons))
        elif outcome.verdict is None:
            missing = sorted(ctx.missing)
            if ctx.timeouts:
                missing.append("regex timeout")
            if ctx.skipped:
                missing.append("regex budget")
                skipped.append(rule.id)
            result.undecided[rule.id] = missing
    if skipped:
        # One report per comment for every rule the budget left out.
        shown = ", ".join(skipped[:MAX_SHOWN_RULES])
        more = (
            f" (+{len(skipped) - MAX_SHOWN_RULES} more)" if len(skipped) > MAX_SHOWN_RULES else ""
        )
        result.timeouts.append(
            {
                "rule": skipped[0],
                "pattern": f"regex time budget of {budget:g} s per comment spent; "
                f"not run: {shown}{more}",
                "field": "body",
                "timeout": budget,
                "budget": True,
                "skipped": skipped,
            }
        )
    if approve is not None and any(f.rule.label != approve.key for f in result.fired):
        result.fired = [f for f in result.fired if f.rule.label != approve.key]
    return result
