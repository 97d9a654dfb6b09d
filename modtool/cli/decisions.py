"""``modtool decisions``: the moderators' final decisions, keyed by the platform's
ids, as JSONL, CSV, a reviewable WP-CLI script or DSA statements of reasons, or
applied on a WordPress site through its REST API (``--apply wordpress``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from modtool.cli import output as out
from modtool.cli.options import db_option, store_for, thread_ids, threads_option
from modtool.errors import InputError

if TYPE_CHECKING:
    from modtool.analysis.policy_choice import PolicyChoice
    from modtool.models import Decision
    from modtool.store import Store


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
    help="File to write (- for standard output). Not with --apply.",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(["jsonl", "csv", "wp-cli", "dsa-sor"]),
    default=None,
    help="jsonl (default), csv, wp-cli (a shell script of `wp comment` commands; WordPress "
    "only) or dsa-sor (EU DSA Transparency Database statements of reasons, JSON Lines).",
)
@click.option(
    "--terms-url",
    metavar="URL",
    help="dsa-sor: the terms and conditions the decisions rest on (decision_ground_reference_url).",
)
@click.option(
    "--apply",
    "apply_to",
    type=click.Choice(["wordpress"]),
    help="Carry the decisions out on the site (with --url) instead of writing a file.",
)
@click.option(
    "--url", metavar="URL", help="--apply: the site's address, e.g. https://news.example."
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="--apply: read each comment's status on the site and say what would change; "
    "change and record nothing.",
)
@click.option(
    "--moderator",
    "-m",
    default=None,
    help="--apply: who applies them, for the audit log "
    "(default: $MODTOOL_MODERATOR, else the OS user).",
)
@db_option
def decisions_command(
    thread_refs: tuple[str, ...],
    since: str | None,
    policy_ref: str | None,
    output: Path | None,
    format_name: str | None,
    terms_url: str | None,
    apply_to: str | None,
    url: str | None,
    dry_run: bool,
    moderator: str | None,
    db_path: Path,
) -> None:
    """Write one row per decided comment, keyed by the platform's ids, or apply them.

    A comment's decision is its moderators' majority verdict: no majority label
    means approve; else the most severe action among its labels under the policy
    (remove, escalate, flag). Ties are listed apart, never guessed. Rows carry
    platform, thread and comment external ids, permalink, labels, moderators,
    time and policy hash. A WordPress id that another stored comment of the same
    site also spells, or that WordPress would not write (0007), is marked
    (id_problem) and never acted on; so is a decision made for an earlier text
    (the comment was edited after review: edited_after_decision). Written
    atomically, never over the database.

    --apply wordpress sets each decided comment's status through the REST API
    (approve, hold for escalate, spam or trash for remove), once per decision:
    a re-run sends nothing again. Credentials come from MODTOOL_WP_USER and
    MODTOOL_WP_APP_PASSWORD (an application password) or the credentials file,
    never the command line. Every outcome is kept in the audit log.

    \b
    Examples:
      modtool decisions -o decisions.jsonl --policy news-comments
      modtool decisions --since 2026-11-30 --format csv -o today.csv
      modtool decisions --thread 3 --format wp-cli -o apply.sh   # then review, sh apply.sh
      modtool decisions --format dsa-sor --terms-url https://news.example/rules -o sor.jsonl
      modtool decisions --apply wordpress --url https://news.example --dry-run
    """
    from modtool.analysis.policy_choice import choose_policy
    from modtool.export import decisions as dec
    from modtool.store.dataset import Selection

    if apply_to is None:
        if output is None:
            raise InputError(
                "give -o FILE (or - for standard output), or --apply wordpress --url URL"
            )
        for given, name in ((url, "--url"), (dry_run, "--dry-run"), (moderator, "--moderator")):
            if given:
                raise InputError(f"{name} goes with --apply")
    else:
        if output is not None or format_name is not None:
            raise InputError("--apply carries the decisions out: it writes no file (-o, --format)")
        if not url:
            raise InputError("--apply wordpress needs --url, the site's address")
    if terms_url is not None and format_name != "dsa-sor":
        raise InputError("--terms-url goes with --format dsa-sor")
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
    rows = dec.decisions(store, selection, choice.policy, when)
    if not rows:
        raise InputError("no decisions match (nothing reviewed in the selection)")
    if apply_to is not None:
        assert url is not None
        _apply(store, rows, url, dry_run=dry_run, moderator=moderator)
        return
    assert output is not None
    _write(store, rows, output, format_name or "jsonl", choice, terms_url)


def _write(
    store: Store,
    rows: list[Decision],
    output: Path,
    format_name: str,
    choice: PolicyChoice,
    terms_url: str | None,
) -> None:
    from modtool.export import decisions as dec
    from modtool.export import dsa_sor, wpcli
    from modtool.export.atomic import atomic_file, write_error

    if format_name == "wp-cli":
        wpcli.check_platform(rows)
    statements = (
        dsa_sor.statements(rows, choice.policy, terms_url) if format_name == "dsa-sor" else None
    )
    protect = [store.path] if store.path is not None else []
    try:
        with atomic_file(output, protect=protect) as target:
            if format_name == "jsonl":
                count = dec.write_jsonl(target, rows)
            elif format_name == "csv":
                count = dec.write_csv(target, rows)
            elif format_name == "wp-cli":
                count = wpcli.write_wp_cli(target, rows, choice.name)
            else:
                assert statements is not None
                count = dsa_sor.write(target, statements.written)
    except OSError as exc:
        raise write_error(output, exc) from None
    final = sum(row.final for row in rows)
    to_stdout = str(output) == "-"
    unit = {"wp-cli": "command(s)", "dsa-sor": "statement(s) of reasons"}.get(format_name, "row(s)")
    out.echo(
        f"wrote {count} {unit}: "
        f"{final} decision(s), {len(rows) - final} tied, policy {choice.name}, to "
        f"{'standard output' if to_stdout else output}",
        err=to_stdout,
    )
    if statements is None:
        verdict = (
            "not written as commands (listed apart at the end of the script)"
            if format_name == "wp-cli"
            else "marked in the {} field"
        )
        _warn(
            [row for row in rows if row.id_problem is not None],
            "have a WordPress id that cannot name one comment of the site (ambiguous or not "
            "an id WordPress writes)",
            verdict.format("id_problem"),
        )
        _warn(
            [row for row in rows if row.edited_after_decision],
            "were made for an earlier text: the comment was edited after review; review them again",
            verdict.format("edited_after_decision"),
        )
    if statements is not None:
        for line in statements.notes():
            out.note(line)


def _warn(rows: list[Decision], what: str, verdict: str) -> None:
    if not rows:
        return
    shown = ", ".join(f"#{row.modtool_id}" for row in rows[:10])
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    out.warning(f"{len(rows)} decision(s) {what}: {shown}{more}; {verdict}")


def _apply(
    store: Store, rows: list[Decision], url: str, *, dry_run: bool, moderator: str | None
) -> None:
    from modtool.moderator import resolve_moderator
    from modtool.platforms import apply, wordpress

    actor = resolve_moderator(moderator)
    site_url = wordpress.site_url(url)
    steps = apply.plan(store, rows, site_url)
    credentials = wordpress.credentials_for(site_url)
    with wordpress.WordPressSite(site_url, credentials) as site:
        run = apply.Run(store, site, actor, out.echo, dry_run=dry_run)
        counts = run.all(steps)
    parts = [
        f"{counts[key]} {label}"
        for key, label in (
            ("applied", "applied"),
            ("would_change", "would change"),
            ("unchanged", "already so"),
            ("would_keep", "already so"),
            ("done", "applied before (nothing sent)"),
            ("failed", "failed"),
            ("refused", "refused"),
            ("person", "left for a person"),
            ("tied", "tied"),
        )
        if counts[key]
    ]
    out.echo(
        f"{'dry run, nothing changed: ' if dry_run else ''}{', '.join(parts)}; site {site_url}"
    )
    if counts["failed"]:
        raise InputError(f"{counts['failed']} decision(s) failed on {site_url} (see above)")


COMMANDS = [decisions_command]
