"""``modtool decisions --format wp-cli``: a shell script of WP-CLI commands.

One line per final decision that changes something on the site, by the status
the decision asks for (:data:`modtool.platforms.wordpress_rules.STATUS_FOR_ACTION`):
``wp comment approve ID``, ``wp comment unapprove ID`` (escalate: held until a
person decides), ``wp comment spam ID`` (a removal whose labels include
``spam``) or ``wp comment trash ID`` (any other removal). Flagged comments,
ties, every decision whose id cannot name one comment of the site
(``id_problem``: not an id WordPress writes, or spelled by another stored comment
of the same site) and every decision made for an earlier text of the comment
(``edited_after_decision``) are comment lines for a person, the last three
listed apart at the end.

Nothing from the data is interpolated but ids that passed
:func:`~modtool.platforms.wordpress_rules.id_problem` (digits only), modtool's own
integer ids, and policy names and label keys reduced to word characters.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from modtool.errors import InputError
from modtool.models import Decision
from modtool.platforms import wordpress_rules

VERB = {"approve": "approve", "hold": "unapprove", "spam": "spam", "trash": "trash"}


def check_platform(rows: Iterable[Decision]) -> None:
    """WordPress comments of one site only: a script runs on one site, where an id
    from another site's export names some other comment."""
    sites: dict[str, int] = {}
    for row in rows:
        if row.platform != "wordpress":
            raise InputError(
                f"--format wp-cli writes WordPress commands: comment #{row.modtool_id} comes "
                f"from {row.platform!r} (choose WordPress threads with --thread)"
            )
        site = wordpress_rules.site_of(row.thread_url)
        if site is not None:
            sites.setdefault(site, row.modtool_id)
    if len(sites) > 1:
        named = ", ".join(f"{site} (comment #{cid})" for site, cid in sorted(sites.items())[:4])
        raise InputError(
            f"--format wp-cli: the decisions come from {len(sites)} sites ({named}); a script "
            "runs on one site, where the others' ids name other comments: choose one site's "
            "threads with --thread"
        )


def command(row: Decision) -> str | None:
    """The command for a final decision with a good id made for the current text,
    or ``None`` (a person acts)."""
    status = wordpress_rules.wordpress_status(row.action, row.labels)
    if status is None or _apart(row) or not row.final:
        return None
    return f"wp comment {VERB[status]} {row.external_id}"


def write_wp_cli(path: Path, rows: Iterable[Decision], policy_name: str) -> int:
    """Write the script; return the number of commands in it."""
    rows = list(rows)
    check_platform(rows)
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(
            "#!/bin/sh\n"
            "# Moderation decisions from modtool, for WP-CLI (https://wp-cli.org/), policy "
            f"{_safe_word(policy_name)}.\n"
            "# Review before running: each line approves, holds (unapproves), marks as spam\n"
            "# or trashes one comment by its WordPress id. Run from the site's folder: sh THIS_FILE\n"
            "set -e\n"
        )
        for row in rows:
            line = command(row)
            if line is not None:
                out.write(line + "\n")
                count += 1
            elif row.final and not _apart(row):
                out.write(
                    f"# {row.action}: comment {row.external_id} (modtool #{row.modtool_id}) "
                    "needs a person\n"
                )
        tied = [row for row in rows if not row.final and not _apart(row)]
        if tied:
            out.write("# tied: no majority, decide by hand\n")
            for row in tied:
                labels = ",".join(_safe_word(x) for x in row.tied_labels)
                out.write(f"# comment {row.external_id} (modtool #{row.modtool_id}): {labels}\n")
        refused = [row for row in rows if row.id_problem is not None]
        if refused:
            out.write(
                "# not written as commands: the id cannot name one comment of the site\n"
                "# (`modtool decisions --format jsonl` says why, field id_problem)\n"
            )
            out.writelines(_refused(row) for row in refused)
        edited = [row for row in rows if row.id_problem is None and row.edited_after_decision]
        if edited:
            out.write("# not written as commands: edited after the decision, review them again\n")
            for row in edited:
                decision = row.action if row.final else "tied"
                out.write(
                    f"# comment {row.external_id} (modtool #{row.modtool_id}), "
                    f"decision {decision} was for an earlier text\n"
                )
    return count


def _apart(row: Decision) -> bool:
    """Listed apart at the end: a bad or ambiguous id, or a decision for an earlier text."""
    return row.id_problem is not None or row.edited_after_decision


def _refused(row: Decision) -> str:
    """A comment line naming only modtool's id and, when it is a good one, the site's."""
    decision = row.action if row.final else "tied"
    if wordpress_rules.id_problem(row.external_id) is None:
        return (
            f"# ambiguous id: comment {row.external_id} (modtool #{row.modtool_id}), "
            f"decision {decision}\n"
        )
    return f"# not a WordPress id: modtool #{row.modtool_id}, decision {decision}\n"


def _safe_word(text: str) -> str:
    """Policy names and label keys in comment lines: word characters only."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)[:80]
