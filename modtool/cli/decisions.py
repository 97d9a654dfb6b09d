"""``modtool decisions``: the moderators' final decisions, keyed by the platform's
ids, as JSONL, CSV or a reviewable WP-CLI script."""

from __future__ import annotations

from pathlib import Path

import click

from modtool.cli import output as out
from modtool.cli.options import db_option, store_for, thread_ids, threads_option
from modtool.errors import InputError


@click.command("decisions")
@threads_option
@click.option(
    "--since",
    metavar="TIME",
    help="Only decisions made at or after TIME (2026-11-30 or 2026-11-30T12:00, UTC).",
)
@click.option(
    "--policy",
    "policy_ref",
    metavar="NAME",
    help="The policy whose labels decide, and whose label actions say what to do "
    "(a file or shipped name; default: the only policy with labels).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write (- for standard output).",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["jsonl", "csv", "wp-cli"]),
    default="jsonl",
    show_default=True,
    help="jsonl, csv, or wp-cli (a shell script of `wp comment` commands; WordPress only).",
)
@db_option
def decisions_command(
    thread_refs: tuple[str, ...],
    since: str | None,
    policy_ref: str | None,
    output: Path,
    format_name: str,
    db_path: Path,
) -> None:
    """Write one row per decided comment, keyed by the platform's ids.

    A comment's decision is its moderators' majority verdict: no majority label
    means approve; else the most severe action among its labels under the policy
    (remove, escalate, flag). Ties are listed apart, never guessed. Rows carry
    platform, thread and comment external ids, permalink, labels, moderators,
    time and policy hash. Written atomically, never over the database.

    \b
    Examples:
      modtool decisions -o decisions.jsonl --policy news-comments
      modtool decisions --since 2026-11-30 --format csv -o today.csv
      modtool decisions --thread 3 --format wp-cli -o apply.sh   # then review, sh apply.sh
    """
    from modtool.analysis.policy_choice import choose_policy
    from modtool.export import decisions as dec
    from modtool.export.atomic import atomic_file, write_error
    from modtool.store.dataset import Selection

    when = dec.parse_since(since) if since is not None else None
    store = store_for(db_path)
    choice = choose_policy(store, policy_ref)
    if choice.name is None:
        raise InputError("no labels yet: there is nothing decided to write")
    if choice.policy is None:
        raise InputError(
            f"--policy {choice.name}: decisions need the policy file (its labels' actions); "
            "give --policy FILE"
        )
    selection = Selection(
        thread_ids=thread_ids(store, thread_refs), labeled_only=True, policy=choice.name
    )
    rows = list(dec.decisions(store, selection, choice.policy, when))
    if not rows:
        raise InputError("no decisions match (nothing reviewed in the selection)")
    protect = [store.path] if store.path is not None else []
    try:
        with atomic_file(output, protect=protect) as target:
            if format_name == "jsonl":
                count = dec.write_jsonl(target, rows)
            elif format_name == "csv":
                count = dec.write_csv(target, rows)
            else:
                count = dec.write_wp_cli(target, rows, choice.name)
    except OSError as exc:
        raise write_error(output, exc) from None
    final = sum(row.final for row in rows)
    to_stdout = str(output) == "-"
    out.echo(
        f"wrote {count} {'command(s)' if format_name == 'wp-cli' else 'row(s)'}: "
        f"{final} decision(s), {len(rows) - final} tied, policy {choice.name}, to "
        f"{'standard output' if to_stdout else output}",
        err=to_stdout,
    )


COMMANDS = [decisions_command]
