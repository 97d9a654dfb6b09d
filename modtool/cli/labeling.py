"""``modtool label`` (one comment; ``--subtree``/``--author`` hand over to
:mod:`modtool.cli.bulk`) and ``modtool log`` (the audit log)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from modtool.cli import output, tables
from modtool.cli.options import (
    COUNT,
    ID,
    THREAD_REF,
    db_option,
    load_policy_ref,
    policy_option,
    store_for,
    table_options,
    thread_id_of,
    thread_option,
)
from modtool.cli.tables import Column, Grid
from modtool.errors import InputError, NotFoundError
from modtool.models import Comment
from modtool.moderator import resolve_moderator
from modtool.safe_text import one_line


def find_comment(store, ref: str | None, external: str | None, thread_ref: str | None) -> Comment:
    """The comment a moderator named: ``9`` / ``#9`` (database id), ``THREAD:PATH``
    (``1:7.4.2``), or ``--external ID`` (the platform's id, ``--thread`` when ambiguous)."""
    if external is not None:
        thread_id = thread_id_of(store, thread_ref)
        found = store.naming.find_external(external, thread_id)
        if not found:
            where = f" in thread {thread_id}" if thread_id is not None else ""
            raise NotFoundError(f"no comment with external id {external!r}{where}")
        if len(found) > 1:
            threads = ", ".join(str(c.thread_id) for c in found)
            raise InputError(f"external id {external!r} is in threads {threads}: add --thread ID")
        return found[0]
    if ref is None:
        raise InputError("name a comment: its id (9 or #9), THREAD:PATH (1:7.4.2) or --external")
    text = ref.strip()
    if ":" in text:
        thread_text, _, path = text.partition(":")
        path = path.strip().strip(".")
        if not thread_text or not path:
            raise InputError(f"{ref!r}: write THREAD:PATH, e.g. 1:7.4.2")
        thread = store.threads.resolve(THREAD_REF.convert(thread_text, None, None))
        comment = store.naming.find_path(thread.id, path)
        if comment is None:
            raise NotFoundError(f"no comment at path {path} in thread {thread.id}")
        return comment
    try:
        number = ID.convert(text, None, None)
    except click.BadParameter as exc:
        raise InputError(
            f"COMMENT: {exc.message}; name a comment as 9, #9 or THREAD:PATH (1:7.4.2)"
        ) from None
    if thread_ref is not None:
        comment = store.comments.get(number)
        if comment.thread_id != thread_id_of(store, thread_ref):
            raise NotFoundError(f"comment #{number} is not in thread {thread_ref}")
        return comment
    return store.comments.get(number)


def comment_brief(comment: Comment, words: int = 24) -> str:
    """``#9 7.4.2 Nick Rhynes "Dumb, high IQ…"``: enough to see a slip at once."""
    return (
        f"#{comment.id} {comment.path} {one_line(comment.author, 30)} "
        f'"{one_line(comment.body, words)}"'
    )


@click.command("label")
@click.argument("comment_ref", metavar="COMMENT", required=False)
@click.argument("labels", nargs=-1)
@click.option(
    "--moderator",
    "-m",
    default=None,
    help="Who is labeling (default: $MODTOOL_MODERATOR, else the OS user name).",
)
@click.option(
    "--external",
    metavar="ID",
    default=None,
    help="Name the comment by its platform id (e.g. t1_abc) instead of COMMENT.",
)
@thread_option
@policy_option()
@click.option("--remove", "mode", flag_value="remove", help="Remove the labels instead.")
@click.option(
    "--approve",
    "mode",
    flag_value="approve",
    help="Approve: reviewed, nothing wrong (clears your labels on it).",
)
@click.option("--reset", "mode", flag_value="reset", help="Back to unreviewed, no labels.")
@click.option(
    "--note",
    default=None,
    help="The reason (for the commenter or the team): shown in the UI, the log and exports.",
)
@click.option(
    "--subtree", type=ID, default=None, metavar="ID", help="Bulk: comment ID and every reply below."
)
@click.option("--author", default=None, help="Bulk: every comment by this author.")
@click.option("--platform", default=None, help="With --author: the author's platform.")
@click.option(
    "--unreviewed-only", is_flag=True, help="With --author: only comments you have not reviewed."
)
@click.option("--yes", is_flag=True, help="Do a bulk action that touches more than one comment.")
@db_option
def label_command(
    comment_ref: str | None,
    labels: tuple[str, ...],
    moderator: str | None,
    external: str | None,
    thread_ref: str | None,
    policy_ref: str | None,
    mode: str | None,
    note: str | None,
    subtree: int | None,
    author: str | None,
    platform: str | None,
    unreviewed_only: bool,
    yes: bool,
    db_path: Path,
) -> None:
    """Label a comment (scriptable); every change goes to the audit log.

    COMMENT is the database id (9 or #9, as `modtool tree` shows it) or
    THREAD:PATH (1:7.4.2, the reply path); or give --external ID instead.
    LABELS are label keys of the policy (see `modtool policy show`). Naming the
    policy's approve label is the same as --approve. The answer names the
    author and the first words, so a slip shows at once.

    \b
    Examples:
      modtool label 9 insult --moderator ana
      modtool label 1:7.4.2 insult --moderator ana
      modtool label --external t1_abc spam --thread 2
      modtool label '#9' insult --remove
      modtool label 4 --approve --policy jigsaw
      modtool label 9 insult --note "name-calling, rule 2"
      modtool label --subtree 12 off_topic --yes
      modtool label --author spammer99 spam --unreviewed-only --yes
    """
    if subtree is not None or author is not None:
        if external is not None or mode in ("remove", "reset"):
            raise InputError(
                "a bulk action adds a label or approves (no --external/--remove/--reset)"
            )
        from modtool.cli.bulk import label_many

        label_many(
            subtree=subtree,
            author=author,
            platform=platform,
            thread_ref=thread_ref,
            unreviewed_only=unreviewed_only,
            labels=tuple(x for x in (comment_ref, *labels) if x is not None),
            approve=mode == "approve",
            note=note,
            yes=yes,
            moderator=moderator,
            policy=load_policy_ref(policy_ref),
            db_path=db_path,
        )
        return
    if platform is not None or unreviewed_only:
        raise InputError("--platform and --unreviewed-only go with --author")
    if external is not None and comment_ref is not None:
        labels = (comment_ref, *labels)
        comment_ref = None
    if external is None and comment_ref is None:
        raise InputError("name a comment: its id (9 or #9), THREAD:PATH (1:7.4.2) or --external ID")
    moderator = resolve_moderator(moderator)
    policy = load_policy_ref(policy_ref)
    approve = policy.approve_label
    keys = list(labels)
    if approve is not None and approve.key in keys and mode in ("remove", "reset"):
        raise InputError(f"{approve.key!r} is an approval, not a label: use --reset to undo it")
    if approve is not None and approve.key in keys and mode is None:
        keys.remove(approve.key)
        if keys:
            raise InputError(
                f"{approve.key!r} approves the comment; it cannot be combined "
                f"with other labels ({', '.join(keys)})"
            )
        mode = "approve"
    if mode in ("approve", "reset") and keys:
        raise InputError(f"--{mode} takes no labels (got {', '.join(keys)})")
    if mode in (None, "remove") and not keys:
        raise InputError(
            "name at least one label, or use --approve or --reset "
            f"(labels: {', '.join(policy.label_keys)})"
        )
    for key in keys:
        policy.label(key)  # unknown label: one clear error before anything is written
    store = store_for(db_path)
    comment = find_comment(store, comment_ref, external, thread_ref)
    from modtool.policy.suggest import register

    register(store, policy)
    ref = policy.ref
    cid = comment.id
    actions = []
    if mode == "approve":
        actions.append(store.labels.approve(cid, moderator=moderator, policy=ref, note=note))
    elif mode == "reset":
        actions.append(store.labels.reset(cid, moderator=moderator, policy=ref, note=note))
    else:
        change = store.labels.remove if mode == "remove" else store.labels.add
        for key in keys:
            actions.append(change(cid, key, moderator=moderator, policy=ref, note=note))
    brief = comment_brief(comment)
    under = f"(by {moderator}, {policy.name}@{policy.hash[:8]})"
    for action in actions:
        if action is not None:
            output.echo(f"{_change_text(action)} {brief}{_label_part(action)} {under}")
    state = store.labels.state(cid, moderator, policy.name)
    now = state.state + (f" ({', '.join(sorted(state.labels))})" if state.labels else "")
    if not any(actions):
        output.echo(f"unchanged {brief}: already {now} {under}")
    else:
        output.echo(f"#{cid} now: {now}")


def _change_text(action) -> str:
    return {
        "add_label": "labeled",
        "remove_label": "unlabeled",
        "approve": "approved",
        "reset": "reset to unreviewed",
        "note": "noted",
    }.get(action.kind, action.kind)


def _label_part(action) -> str:
    return f": {action.label}" if action.kind in ("add_label", "remove_label") else ""


def _state_text(state) -> str:
    labels = ", ".join(sorted(state.labels))
    return f"{state.state}" + (f" ({labels})" if labels else "")


def action_change(action) -> str:
    """What an action did, in words that tell an undo from its redo."""
    change = action.kind + (f" {action.label}" if action.label else "")
    if action.reverts and action.kind == "undo":
        return f"{change} (undoes action {action.reverts})"
    if action.reverts and action.kind == "redo":
        return f"{change} (redoes action {action.reverts}, undone before)"
    if action.reverts:
        return f"{change} (reverts action {action.reverts})"
    return change


@click.command("log")
@click.option("--comment", "comment_id", type=ID, default=None, help="Only this comment (id).")
@thread_option
@click.option("--actor", default=None, help="Only this moderator (or policy:NAME).")
@click.option(
    "--policy",
    "policy_name",
    default=None,
    metavar="NAME",
    help="Only actions under this policy name.",
)
@click.option("--limit", type=COUNT, default=None, help="Only the newest N.")
@table_options(json="lines")
@db_option
def log_command(
    comment_id: int | None,
    thread_ref: str | None,
    actor: str | None,
    policy_name: str | None,
    limit: int | None,
    as_json: bool,
    wide: bool,
    db_path: Path,
) -> None:
    """Show the audit log: who changed which comment, when, before and after.

    Comments are shown as `#id path` (the database id, then the reply path);
    times are UTC. Piped, each action is one line (`--json` for scripts).

    \b
    Examples:
      modtool log --comment 9
      modtool log --actor policy:news-comments --json
    """
    store = store_for(db_path)
    thread_id = thread_id_of(store, thread_ref)
    if comment_id is not None:
        store.comments.get(comment_id)
    actions = store.labels.log(
        comment_id=comment_id,
        actor=actor,
        policy_name=policy_name,
        thread_id=thread_id,
        limit=limit,
    )
    paths = store.naming.paths_for({a.comment_id for a in actions})
    if as_json:
        for action in actions:
            output.raw_json(
                json.dumps(
                    {
                        "id": action.id,
                        "at": action.at,
                        "actor": action.actor,
                        "actor_kind": action.actor_kind,
                        "comment_id": action.comment_id,
                        "comment_path": paths.get(action.comment_id),
                        "policy_name": action.policy_name,
                        "policy_hash": action.policy_hash,
                        "kind": action.kind,
                        "label": action.label,
                        "before": action.before.as_json(),
                        "after": action.after.as_json(),
                        "reverts": action.reverts,
                        "note": action.note,
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not actions:
        output.echo("no actions recorded yet", err=True)
        return
    table = Grid(
        "Audit log",
        [
            Column("id", 0, "right"),
            Column("at (UTC)", 0),
            Column("actor", 0),
            Column("comment", 0),
            Column("policy", 3),
            Column("change", 0, fold=True, min_width=12),
            Column("before → after", 1, fold=True, min_width=16),
            Column("note", 2, fold=True, min_width=10),
        ],
        stream=True,
    )
    for action in actions:
        actor_text = action.actor + (" (policy)" if action.actor_kind == "policy" else "")
        table.add_row(
            str(action.id),
            action.at[:16].replace("T", " "),
            actor_text,
            f"#{action.comment_id} {paths.get(action.comment_id, '?')}",
            f"{action.policy_name}@{action.policy_hash[:8]}",
            action_change(action),
            f"{_state_text(action.before)} → {_state_text(action.after)}",
            one_line(action.note or "", 40),
        )
    tables.show(table, wide=wide)


COMMANDS = [label_command, log_command]
