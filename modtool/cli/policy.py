"""``modtool policy list|show|check``, ``suggest``, ``apply-policy``, ``label``, ``log``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from modtool.cli.options import db_option, store_for, thread_option
from modtool.errors import InputError, ModtoolError
from modtool.safe_text import one_line, terminal_safe

policy_option = click.option(
    "--policy",
    "policy_ref",
    metavar="FILE|NAME",
    default=None,
    help="Policy file, ./policies/NAME.toml, or a shipped name (default: news-comments).",
)


def _load(policy_ref: str | None):  # -> Policy (lazy import keeps --help fast)
    from modtool.policy import DEFAULT_POLICY, load_policy

    return load_policy(policy_ref or DEFAULT_POLICY)


def _thread_id(store, thread_ref: str | None) -> int | None:
    return None if thread_ref is None else store.threads.resolve(thread_ref).id


# -- policy list | show | check ------------------------------------------------------------
@click.group("policy")
def policy_group() -> None:
    """Moderation rulebooks: list, show and check policy files.

    \b
    Example:
      modtool policy list
      modtool policy show news-comments
      modtool policy check policies/my-site.toml
    """


@policy_group.command("list")
def policy_list() -> None:
    """List shipped policies and the ones in ./policies/*.toml.

    \b
    Example:
      modtool policy list
    """
    from modtool.policy import PolicyError, load_policy, local_policies, shipped_policies

    table = Table(title="Policies", title_justify="left")
    for column in ("name", "version", "labels", "rules", "where", "file"):
        table.add_column(column, overflow="fold")
    local = local_policies()
    shipped = shipped_policies()
    entries = []
    for name, path in local.items():
        same = name in shipped and shipped[name].read_bytes() == path.read_bytes()
        entries.append(
            (
                "local = shipped"
                if same
                else "local (overrides shipped)"
                if name in shipped
                else "local",
                path,
            )
        )
    entries += [
        ("shipped", item)
        for name, item in shipped.items()
        if not (name in local and item.read_bytes() == local[name].read_bytes())
    ]
    for where, source in entries:
        try:
            policy = load_policy(source)
        except PolicyError as exc:
            table.add_row(
                Text(Path(str(source)).stem),
                "-",
                "-",
                "-",
                where,
                Text(f"{source} (invalid: {len(exc.problems)} problem(s))", style="red"),
            )
            continue
        shown = f"policies/{source.name}" if where.startswith("local") else str(source)
        table.add_row(
            Text(policy.name),
            Text(policy.version),
            str(len(policy.labels)),
            str(len(policy.rules)),
            where,
            Text(terminal_safe(shown)),
        )
    Console().print(table)


@policy_group.command("show")
@click.argument("policy_ref", metavar="FILE|NAME", required=False)
def policy_show(policy_ref: str | None) -> None:
    """Show a policy: its labels (hotkeys, actions, colours, guidance) and rules.

    \b
    Example:
      modtool policy show policies/news-comments.toml
    """
    policy = _load(policy_ref)
    console = Console()
    console.print(
        Text.assemble(
            (policy.name, "bold"),
            f" {policy.version}  ",
            (f"hash {policy.hash}", "dim"),
            "\n",
            (policy.path, "dim"),
        )
    )
    if policy.description:
        console.print(Text(policy.description))
    labels = Table(title="Labels", title_justify="left", show_lines=True)
    for column in ("key", "name", "hotkey", "action", "guidance"):
        labels.add_column(column, overflow="fold")
    for label in policy.labels:
        guidance = label.guidance + "".join(f"\n  e.g. {e}" for e in label.examples)
        labels.add_row(
            Text(label.key, style=_style(label.colour)),
            Text(label.name),
            Text(label.hotkey),
            Text(label.action),
            Text(guidance),
        )
    console.print(labels)
    rules = Table(title="Rules", title_justify="left")
    for column in ("rule", "label", "automatic", "condition"):
        rules.add_column(column, overflow="fold")
    for rule in policy.rules:
        rules.add_row(
            Text(rule.id), Text(rule.label), "yes" if rule.automatic else "", Text(rule.describe())
        )
    console.print(rules)


def _style(colour: str) -> str:
    """A Rich style for a label colour (Rich does not take #rgb)."""
    if len(colour) == 4 and colour.startswith("#"):
        return "bold #" + "".join(ch * 2 for ch in colour[1:])
    return f"bold {colour}"


@policy_group.command("check")
@click.argument("files", nargs=-1, required=True, metavar="FILE|NAME...")
def policy_check(files: tuple[str, ...]) -> None:
    """Validate policy files; print every problem as FILE:LINE: where: what.

    Exits 1 if any file has a problem.

    \b
    Example:
      modtool policy check policies/my-site.toml
    """
    from modtool.policy import PolicyError, load_policy

    failed = False
    for name in files:
        try:
            policy = load_policy(name)
        except PolicyError as exc:
            failed = True
            if exc.problems:
                for problem in exc.problems:
                    click.echo(problem.format(exc.path), err=True)
            else:
                click.echo(f"modtool: error: {exc.message}", err=True)
            continue
        click.echo(
            f"{policy.path}: ok: {policy.name} {policy.version}, "
            f"{len(policy.labels)} labels, {len(policy.rules)} rules, hash {policy.hash}"
        )
    if failed:
        raise SystemExit(1)


# -- suggest / apply-policy ------------------------------------------------------------------
@click.command("suggest")
@policy_option
@thread_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.001, max=60),
    default=None,
    help="Seconds each regex search may take (default: the policy's regex_timeout).",
)
@db_option
def suggest_command(
    policy_ref: str | None, thread_ref: str | None, timeout: float | None, db_path: Path
) -> None:
    """Compute and store the policy's suggestions, with reasons.

    Replaces this policy's earlier suggestions for the comments it looks at.
    Suggestions are never labels: a moderator (or `apply-policy`) decides.

    \b
    Example:
      modtool suggest --policy policies/news-comments.toml --thread 1
    """
    from modtool.policy.suggest import suggest

    policy = _load(policy_ref)
    store = store_for(db_path)
    report = suggest(store, policy, _thread_id(store, thread_ref), timeout=timeout)
    _echo_report(report)
    counts = ", ".join(f"{label} {n}" for label, n in sorted(report.by_label.items()))
    click.echo(
        f"{policy.name} ({policy.hash}): {len(report.suggestions)} suggestions on "
        f"{report.commented} of {report.comments} comments in "
        f"{len(report.threads)} thread(s)" + (f": {counts}" if counts else "")
    )


def _echo_report(report) -> None:
    for problem in report.timeouts:
        click.echo(
            f"modtool: warning: rule {problem['rule']} timed out on comment "
            f"{problem['comment_id']} (regex {problem['pattern']!r} took more than "
            f"{problem['timeout']} s); that rule was not decided for it",
            err=True,
        )
    if report.undecided:
        missing = sorted(set().union(*report.missing.values()) - {"regex timeout"})
        rules = ", ".join(
            f"{rule_id} ({count})" for rule_id, count in sorted(report.undecided.items())
        )
        hint = f"; missing scores: {', '.join(missing)} (run `modtool score`)" if missing else ""
        click.echo(
            f"modtool: note: rules not decided for some comments (rule (comments)): {rules}{hint}",
            err=True,
        )


@click.command("apply-policy")
@policy_option
@thread_option
@click.option("--dry-run", is_flag=True, help="Store suggestions but apply no label.")
@db_option
def apply_policy_command(
    policy_ref: str | None, thread_ref: str | None, dry_run: bool, db_path: Path
) -> None:
    """Apply the policy's automatic rules, as the policy's own actor.

    Each label is one action in the audit log, by `policy:NAME` (actor kind
    `policy`). Running it again applies nothing new.

    \b
    Example:
      modtool apply-policy --policy news-comments --thread 1
    """
    from modtool.policy.suggest import apply_policy

    policy = _load(policy_ref)
    store = store_for(db_path)
    report = apply_policy(store, policy, _thread_id(store, thread_ref), dry_run=dry_run)
    _echo_report(report.suggest)
    for comment_id, why in report.skipped:
        click.echo(f"modtool: note: comment {comment_id}: {why}", err=True)
    for action in report.applied:
        what = action.label or action.kind
        click.echo(
            f"comment {action.comment_id}: {action.kind} {what} by {action.actor} ({action.note})"
        )
    automatic = len(report.suggest.automatic)
    verb = "would apply" if dry_run else "applied"
    click.echo(
        f"{policy.name}: {automatic} automatic suggestion(s); {verb} "
        f"{automatic if dry_run else len(report.applied)}, "
        f"{report.unchanged} already in place"
    )


# -- label / log -------------------------------------------------------------------------------
@click.command("label")
@click.argument("comment_id", type=int)
@click.argument("labels", nargs=-1)
@click.option(
    "--moderator",
    "-m",
    envvar="MODTOOL_MODERATOR",
    show_envvar=True,
    required=True,
    help="Who is labeling.",
)
@policy_option
@click.option("--remove", "mode", flag_value="remove", help="Remove the labels instead.")
@click.option(
    "--approve",
    "mode",
    flag_value="approve",
    help="Approve: reviewed, nothing wrong (clears your labels on it).",
)
@click.option("--reset", "mode", flag_value="reset", help="Back to unreviewed, no labels.")
@click.option("--note", default=None, help="A note kept in the audit log.")
@db_option
def label_command(
    comment_id: int,
    labels: tuple[str, ...],
    moderator: str,
    policy_ref: str | None,
    mode: str | None,
    note: str | None,
    db_path: Path,
) -> None:
    """Label a comment (scriptable); every change goes to the audit log.

    LABELS are label keys of the policy (see `modtool policy show`). Naming the
    policy's approve label is the same as --approve.

    \b
    Examples:
      modtool label 9 insult --moderator ana
      modtool label 9 insult --remove --moderator ana
      modtool label 4 --approve --moderator ana --policy jigsaw
    """
    policy = _load(policy_ref)
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
    store.comments.get(comment_id)
    from modtool.policy.suggest import register

    register(store, policy)
    ref = policy.ref
    actions = []
    if mode == "approve":
        actions.append(store.labels.approve(comment_id, moderator=moderator, policy=ref, note=note))
    elif mode == "reset":
        actions.append(store.labels.reset(comment_id, moderator=moderator, policy=ref, note=note))
    else:
        change = store.labels.remove if mode == "remove" else store.labels.add
        for key in keys:
            actions.append(change(comment_id, key, moderator=moderator, policy=ref, note=note))
    for action in actions:
        if action is not None:
            click.echo(
                f"comment {comment_id}: {_change_text(action)} by {moderator} "
                f"under {policy.name}@{policy.hash}"
            )
    if not any(actions):
        click.echo(f"comment {comment_id}: unchanged")
    state = store.labels.state(comment_id, moderator, policy.name)
    click.echo(
        f"comment {comment_id} now: {state.state}"
        + (f" ({', '.join(sorted(state.labels))})" if state.labels else "")
    )


def _change_text(action) -> str:
    if action.kind == "add_label":
        return f"added {action.label}"
    if action.kind == "remove_label":
        return f"removed {action.label}"
    return {"approve": "approved", "reset": "reset to unreviewed"}.get(action.kind, action.kind)


def _state_text(state) -> str:
    labels = ",".join(sorted(state.labels))
    return f"{state.state}" + (f"[{labels}]" if labels else "")


@click.command("log")
@click.option("--comment", "comment_id", type=int, default=None, help="Only this comment.")
@thread_option
@click.option("--actor", default=None, help="Only this moderator (or policy:NAME).")
@click.option(
    "--policy",
    "policy_name",
    default=None,
    metavar="NAME",
    help="Only actions under this policy name.",
)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Only the newest N.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@db_option
def log_command(
    comment_id: int | None,
    thread_ref: str | None,
    actor: str | None,
    policy_name: str | None,
    limit: int | None,
    as_json: bool,
    db_path: Path,
) -> None:
    """Show the audit log: who changed which comment, when, before and after.

    \b
    Examples:
      modtool log --comment 9
      modtool log --actor policy:news-comments --json
    """
    store = store_for(db_path)
    thread_id = _thread_id(store, thread_ref)
    if comment_id is not None:
        store.comments.get(comment_id)
    actions = store.labels.log(
        comment_id=comment_id,
        actor=actor,
        policy_name=policy_name,
        thread_id=thread_id,
        limit=limit,
    )
    if as_json:
        for action in actions:
            click.echo(
                json.dumps(
                    {
                        "id": action.id,
                        "at": action.at,
                        "actor": action.actor,
                        "actor_kind": action.actor_kind,
                        "comment_id": action.comment_id,
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
        click.echo("no actions recorded yet", err=True)
        return
    table = Table(title="Audit log", title_justify="left")
    for column in ("id", "at", "actor", "comment", "policy", "change"):
        table.add_column(column, no_wrap=True)
    for column in ("before", "after"):
        table.add_column(column, overflow="fold", min_width=18)
    table.add_column("note", overflow="fold")
    for action in actions:
        actor_text = terminal_safe(action.actor) + (
            " (policy)" if action.actor_kind == "policy" else ""
        )
        change = action.kind + (f" {action.label}" if action.label else "")
        if action.reverts:
            change += f" (reverts #{action.reverts})"
        table.add_row(
            str(action.id),
            action.at[5:19].replace("T", " "),
            Text(actor_text),
            str(action.comment_id),
            Text(f"{action.policy_name}@{action.policy_hash[:8]}"),
            Text(change),
            Text(_state_text(action.before)),
            Text(_state_text(action.after)),
            Text(one_line(action.note or "", 40)),
        )
    Console(width=int(os.environ.get("COLUMNS", "0")) or None).print(table)


COMMANDS = [policy_group, suggest_command, apply_policy_command, label_command, log_command]

__all__ = ["COMMANDS", "ModtoolError"]
