"""Bulk labels from the command line (``modtool label --subtree/--author``) and
``modtool undo``: a bulk action is one audited group, undone as one step.

More than one comment is touched only with ``--yes``; without it the command says
how many it would touch and changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import click

from modtool.cli import output
from modtool.cli.options import db_option, load_policy_ref, policy_option, store_for, thread_id_of
from modtool.errors import InputError
from modtool.models import Action
from modtool.moderator import resolve_moderator
from modtool.safe_text import one_line


def label_many(
    *,
    subtree: int | None,
    author: str | None,
    platform: str | None,
    thread_ref: str | None,
    unreviewed_only: bool,
    labels: tuple[str, ...],
    approve: bool,
    note: str | None,
    yes: bool,
    moderator: str | None,
    policy,  # a loaded Policy  # type: ignore[no-untyped-def]
    db_path: Path,
) -> None:
    """``label --subtree ID LABEL`` / ``label --author NAME LABEL``: plan, confirm, apply."""
    from modtool.moderation import bulk
    from modtool.policy.suggest import register
    from modtool.store.authors import AuthorRef

    if subtree is not None and author is not None:
        raise InputError("give --subtree or --author, not both")
    approve_keys = [label.key for label in policy.labels if label.action == "approve"]
    keys = [k for k in labels if k not in approve_keys]
    approving = approve or len(keys) < len(labels)
    if approving and keys:
        raise InputError(f"approve or label, not both (got {', '.join(keys)})")
    if not approving and len(keys) != 1:
        raise InputError(
            "a bulk action gives one label (or --approve): "
            f"got {', '.join(keys) or 'none'} (labels: {', '.join(policy.label_keys)})"
        )
    label = bulk.APPROVE if approving else keys[0]
    if not approving:
        policy.label(label)
    who = resolve_moderator(moderator)
    store = store_for(db_path)
    if subtree is not None:
        if thread_ref is not None or unreviewed_only or platform is not None:
            raise InputError("--thread, --platform and --unreviewed-only go with --author")
        plan = bulk.subtree(store, subtree)
    else:
        from modtool.moderation import SiteSession

        assert author is not None
        ref: AuthorRef = SiteSession(store, policy, who).author(author, platform)
        thread_id = thread_id_of(store, thread_ref)
        plan = bulk.by_author(
            store,
            ref,
            thread_id=thread_id,
            unreviewed_by=(who, policy.name) if unreviewed_only else None,
        )
    what = "approve" if approving else f"label {label}"
    if not plan.comment_ids:
        output.echo(f"nothing to {what}: no comments ({one_line(plan.target, 100)})")
        return
    if len(plan) > 1 and not yes:
        raise InputError(
            f"this would {what} {len(plan)} comments ({one_line(plan.target, 100)}); "
            "add --yes to do it"
        )
    register(store, policy)
    result = bulk.apply(
        store,
        plan,
        label,
        moderator=who,
        policy=policy.ref,
        approve_keys=approve_keys,
        note=note,
    )
    done = "approved" if approving else f"labeled {label}:"
    already = len(plan) - len(result.actions)
    tail = f" ({already} already were)" if already else ""
    group = (
        f"; group {result.group_id}: `modtool undo -m {who}` reverts it"
        if result.group_id is not None and len(result.actions) > 1
        else ""
    )
    output.echo(
        f"{done} {len(result.actions)} of {len(plan)} comments "
        f"({one_line(plan.target, 100)}){tail} (by {who}, {policy.name}@{policy.hash[:8]}){group}"
    )


@click.command("undo")
@click.option(
    "--moderator",
    "-m",
    default=None,
    help="Whose last step (default: $MODTOOL_MODERATOR, else the OS user).",
)
@policy_option("The policy the action was made under (default: news-comments).")
@click.option("--redo", is_flag=True, help="Redo the step undone last instead.")
@db_option
def undo_command(moderator: str | None, policy_ref: str | None, redo: bool, db_path: Path) -> None:
    """Undo your last step: one action, or a whole bulk action (a subtree, an author,
    marked comments) at once. Undo and redo are recorded in the audit log too.

    \b
    Examples:
      modtool undo -m ana
      modtool undo -m ana --redo
    """
    policy = load_policy_ref(policy_ref)
    who = resolve_moderator(moderator)
    store = store_for(db_path)
    method = store.labels.redo if redo else store.labels.undo
    actions = method(moderator=who, policy=policy.ref)
    verb = "redid" if redo else "undid"
    if not actions:
        output.echo(f"nothing to {'redo' if redo else 'undo'} for {who} under {policy.name}")
        return
    output.echo(_summary(verb, actions, store))


def _summary(verb: str, actions: list[Action], store) -> str:  # type: ignore[no-untyped-def]
    if len(actions) == 1:
        action = actions[0]
        comment = store.comments.get(action.comment_id)
        state = action.after.state + (
            f" ({', '.join(sorted(action.after.labels))})" if action.after.labels else ""
        )
        return (
            f"{verb} action {action.reverts} on #{comment.id} {comment.path} "
            f"{one_line(comment.author, 30)}: now {state}"
        )
    return (
        f"{verb} a bulk step of {len(actions)} comments "
        f"(#{min(a.comment_id for a in actions)}…#{max(a.comment_id for a in actions)}); "
        f"group {actions[0].group_id} in the audit log"
    )


COMMANDS = [undo_command]
