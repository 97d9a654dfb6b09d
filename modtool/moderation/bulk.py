"""One label (or an approval) on many comments: a subtree, an author, a selection.

A bulk action *adds* the label where it is missing (a bulk toggle would take it
off the comments that had it) or approves; it is written as one group, undone
as one step (``u``, ``modtool undo``). The CLI asks for ``--yes`` and the UI for
a confirmation before touching more than one comment; both say how many were
chosen and how many changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from modtool.models import PolicyRef, ReviewState
from modtool.store import Store
from modtool.store.authors import AuthorRef
from modtool.store.bulk import BulkResult, Change
from modtool.store.labels import MODERATOR, check_actor, check_label

APPROVE = "approve"
"""The bulk "label" that approves (reviewed, nothing wrong)."""


@dataclass(frozen=True, slots=True)
class BulkPlan:
    """What a bulk action would touch, before it is done."""

    kind: str
    """``subtree``, ``author`` or ``selection``."""
    target: str
    """What was chosen, for the audit log and the confirmation."""
    comment_ids: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.comment_ids)


def change_for(label: str, policy: PolicyRef, approve_keys: Sequence[str] = ()) -> Change:
    """Add ``label`` where missing, or approve (``APPROVE`` or the policy's approve label)."""
    if label == APPROVE or label in approve_keys:
        return lambda _: ("approve", ReviewState(frozenset(), "approved"))
    check_label(label, policy)
    return lambda s: ("add_label", ReviewState(s.labels | {label}, "labeled"))


def subtree(store: Store, comment_id: int) -> BulkPlan:
    ids = store.bulk.subtree(store.comments.get(comment_id).id)
    replies = len(ids) - 1
    return BulkPlan(
        "subtree",
        f"#{comment_id} and its {replies} repl{'y' if replies == 1 else 'ies'}",
        tuple(ids),
    )


def by_author(
    store: Store,
    author: AuthorRef,
    *,
    thread_id: int | None = None,
    unreviewed_by: tuple[str, str] | None = None,
) -> BulkPlan:
    ids = store.bulk.by_author(author, thread_id=thread_id, unreviewed_by=unreviewed_by)
    scope = f" in thread {thread_id}" if thread_id is not None else ""
    which = " not yet reviewed by you" if unreviewed_by else ""
    return BulkPlan("author", f"{author.describe()}{scope}{which}", tuple(ids))


def selection(comment_ids: Sequence[int]) -> BulkPlan:
    ids = tuple(dict.fromkeys(comment_ids))
    return BulkPlan("selection", f"{len(ids)} marked comments", ids)


def apply(
    store: Store,
    plan: BulkPlan,
    label: str,
    *,
    moderator: str,
    policy: PolicyRef,
    approve_keys: Sequence[str] = (),
    note: str | None = None,
) -> BulkResult:
    """Do ``plan``: one transaction, one audited group (nothing written if nothing changes)."""
    check_actor(moderator, MODERATOR)
    change = change_for(label, policy, approve_keys)
    approving = label == APPROVE or label in approve_keys
    return store.bulk.apply(
        plan.comment_ids,
        change,
        moderator=moderator,
        policy=policy,
        label=None if approving else label,
        kind=plan.kind,
        target=plan.target,
        note=note,
    )
