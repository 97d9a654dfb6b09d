"""Compute and store a policy's suggestions; apply its automatic rules.

``suggest`` evaluates every rule on every present comment of a thread (or of
all threads) and replaces the policy's stored suggestions for those comments.
``apply_policy`` then applies the suggestions of rules marked ``automatic``
through :class:`~modtool.store.labels.LabelRepo` as the policy's own actor
(``policy:NAME``, ``actor_kind = 'policy'``), one committed action each, so the
audit log shows exactly what the rulebook did on its own.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from modtool.models import Action
from modtool.policy.model import Policy, Suggestion
from modtool.policy.rules import evaluate, subject_for
from modtool.store import Store
from modtool.store.labels import POLICY_ACTOR


@dataclass(slots=True)
class SuggestReport:
    """What one ``suggest`` run did.

    ``timeouts`` lists every regex search that ran out of time
    (``{"comment_id", "rule", "pattern", "field", "timeout"}``): those rules were
    not decided for those comments. ``undecided`` counts, per rule, the comments
    it could not decide, and ``missing`` what was missing (``attribute`` or
    ``model:attribute`` scores, or ``regex timeout``).
    """

    policy_name: str
    policy_hash: str
    threads: list[int] = field(default_factory=list)
    comments: int = 0
    suggestions: list[Suggestion] = field(default_factory=list)
    timeouts: list[dict[str, Any]] = field(default_factory=list)
    undecided: Counter[str] = field(default_factory=Counter)
    missing: dict[str, set[str]] = field(default_factory=dict)

    @property
    def by_label(self) -> Counter[str]:
        return Counter(s.label for s in self.suggestions)

    @property
    def by_rule(self) -> Counter[str]:
        return Counter(s.rule for s in self.suggestions)

    @property
    def commented(self) -> int:
        """Comments with at least one suggestion."""
        return len({s.comment_id for s in self.suggestions})

    @property
    def automatic(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.automatic]


@dataclass(frozen=True, slots=True)
class Planned:
    """An action ``apply-policy --dry-run`` would take (the real run's ``Action``, unmade)."""

    comment_id: int
    kind: str  # "approve" or "add_label"
    label: str | None
    actor: str
    note: str


@dataclass(slots=True)
class ApplyReport:
    suggest: SuggestReport
    applied: list[Action] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    """``(comment_id, why)`` for automatic suggestions that were not applied."""
    planned: list[Planned] = field(default_factory=list)
    """With ``dry_run``: the actions a real run would take now, in its order."""


def register(store: Store, policy: Policy) -> None:
    """Keep this version of the policy file in the database (idempotent)."""
    store.policies.register(
        hash=policy.hash,
        name=policy.name,
        version=policy.version,
        path=policy.path,
        content=policy.source,
    )


def suggest(
    store: Store, policy: Policy, thread_id: int | None = None, *, timeout: float | None = None
) -> SuggestReport:
    """Compute and store suggestions for one thread (or every thread).

    Each thread is replaced in its own transaction. ``timeout`` overrides the
    policy's ``regex_timeout`` (seconds per regex search).
    """
    register(store, policy)
    report = SuggestReport(policy.name, policy.hash)
    thread_ids = [thread_id] if thread_id is not None else [t.id for t in store.threads.list()]
    for tid in thread_ids:
        store.threads.get(tid)
        found = _suggest_thread(store, policy, tid, report, timeout)
        store.suggestions.replace_for_thread(tid, policy.name, found)
        report.threads.append(tid)
        report.suggestions.extend(found)
    return report


def _suggest_thread(
    store: Store, policy: Policy, thread_id: int, report: SuggestReport, timeout: float | None
) -> list[Suggestion]:
    scores = store.scores.for_thread(thread_id)
    found: list[Suggestion] = []
    for comment in store.comments.iter_thread(thread_id):
        report.comments += 1
        result = evaluate(policy, subject_for(comment, scores.get(comment.id)), timeout=timeout)
        for problem in result.timeouts:
            report.timeouts.append({"comment_id": comment.id, **problem})
        for rule_id, missing in result.undecided.items():
            report.undecided[rule_id] += 1
            report.missing.setdefault(rule_id, set()).update(missing)
        for fired in result.fired:
            found.append(
                Suggestion(
                    comment_id=comment.id,
                    label=fired.rule.label,
                    rule=fired.rule.id,
                    automatic=fired.rule.automatic,
                    policy_name=policy.name,
                    policy_hash=policy.hash,
                    reasons=[dict(r) for r in fired.reasons],
                )
            )
    return found


def ensure_suggestions(store: Store, policy: Policy, thread_id: int) -> SuggestReport | None:
    """Recompute a thread's suggestions if the policy, a comment or a score changed
    since they were made; ``None`` when they were up to date."""
    if store.suggestions.needs_refresh(thread_id, policy.name, policy.hash):
        return suggest(store, policy, thread_id)
    return None


def apply_policy(
    store: Store, policy: Policy, thread_id: int | None = None, *, dry_run: bool = False
) -> ApplyReport:
    """Suggest, then apply the automatic suggestions as the policy's own actor.

    A comment the policy would both approve and flag is only flagged. Applying
    twice changes nothing the second time (no duplicate actions). With
    ``dry_run`` suggestions are stored but no label is applied: ``planned`` lists
    what a real run would do now, ``unchanged`` what is already in place.
    """
    report = ApplyReport(suggest(store, policy, thread_id))
    ref = policy.ref
    approve = policy.approve_label
    by_comment: dict[int, list[Suggestion]] = {}
    for suggestion in report.suggest.automatic:
        by_comment.setdefault(suggestion.comment_id, []).append(suggestion)
    for comment_id, suggestions in by_comment.items():
        flags = [s for s in suggestions if approve is None or s.label != approve.key]
        approvals = [s for s in suggestions if approve is not None and s.label == approve.key]
        if flags and approvals:
            report.skipped.append(
                (
                    comment_id,
                    f"rule {approvals[0].rule} would approve a "
                    "comment other automatic rules flag; not approved",
                )
            )
            approvals = []
        if dry_run:
            _plan(report, store, policy, comment_id, approvals[:1], flags)
            continue
        for suggestion in approvals[:1]:
            _record(
                report,
                store.labels.approve(
                    comment_id,
                    moderator=policy.actor,
                    policy=ref,
                    actor_kind=POLICY_ACTOR,
                    note=f"rule {suggestion.rule}",
                ),
            )
        seen: set[str] = set()
        for suggestion in flags:
            if suggestion.label in seen:
                continue
            seen.add(suggestion.label)
            _record(
                report,
                store.labels.add(
                    comment_id,
                    suggestion.label,
                    moderator=policy.actor,
                    policy=ref,
                    actor_kind=POLICY_ACTOR,
                    note=f"rule {suggestion.rule}",
                ),
            )
    return report


def _plan(
    report: ApplyReport,
    store: Store,
    policy: Policy,
    comment_id: int,
    approvals: list[Suggestion],
    flags: list[Suggestion],
) -> None:
    """What the real run would do for one comment, from the policy actor's state now."""
    state = store.labels.state(comment_id, policy.actor, policy.name)
    for suggestion in approvals:
        planned = Planned(comment_id, "approve", None, policy.actor, f"rule {suggestion.rule}")
        _count(report, state.state == "approved", planned)
    seen: set[str] = set()
    for suggestion in flags:
        if suggestion.label in seen:
            continue
        seen.add(suggestion.label)
        note = f"rule {suggestion.rule}"
        planned = Planned(comment_id, "add_label", suggestion.label, policy.actor, note)
        _count(report, suggestion.label in state.labels, planned)


def _count(report: ApplyReport, in_place: bool, planned: Planned) -> None:
    if in_place:
        report.unchanged += 1
    else:
        report.planned.append(planned)


def _record(report: ApplyReport, action: Action | None) -> None:
    if action is None:
        report.unchanged += 1
    else:
        report.applied.append(action)
