"""Evaluate a policy's rules on one comment: which labels, by which rule, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from modtool.models import Comment
from modtool.policy.conditions import Context, Reason, Subject
from modtool.policy.model import Policy, Rule


@dataclass(frozen=True, slots=True)
class Fired:
    """A rule whose condition held, with its reasons."""

    rule: Rule
    reasons: tuple[Reason, ...]


@dataclass(slots=True)
class Evaluation:
    """What a policy's rules said about one comment.

    ``timeouts``: ``{"rule", "pattern", "field", "timeout"}`` for each regex search
    that ran out of time (the rule could not be decided). ``undecided``: rules
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
    for rule in policy.rules:
        ctx = Context(timeout=policy.regex_timeout if timeout is None else timeout)
        outcome = rule.condition.evaluate(subject, ctx)
        for problem in ctx.timeouts:
            result.timeouts.append({"rule": rule.id, **problem})
        if outcome.verdict is True:
            result.fired.append(Fired(rule, outcome.reasons))
        elif outcome.verdict is None:
            missing = sorted(ctx.missing)
            if ctx.timeouts:
                missing.append("regex timeout")
            result.undecided[rule.id] = missing
    if approve is not None and any(f.rule.label != approve.key for f in result.fired):
        result.fired = [f for f in result.fired if f.rule.label != approve.key]
    return result
