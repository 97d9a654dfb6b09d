"""Decisions back to the platform (``modtool decisions``): one row per comment the
moderators decided, keyed by the platform's ids, with the action its labels
imply under the policy.

A comment's decision is its majority verdict (:mod:`modtool.analysis.aggregate`):
no majority label means approve; otherwise the most severe action among the
majority labels' actions (remove > escalate > flag > approve; every action is
listed too). A comment with a tied label has no final decision: it is listed
apart (``"final": false``, after the final ones; commented out in a wp-cli
script), never guessed. Comments nobody reviewed have no row.

``wp-cli`` writes a shell script for a WordPress site: ``wp comment approve ID``,
``wp comment spam ID`` (a removal whose labels include the ``spam`` label) or
``wp comment trash ID`` (any other removal); flagged and escalated comments are
comment lines for a person to act on. Every id is checked to be a plain integer
and nothing else from the data is interpolated (the comment lines name the
modtool id and labels, which are policy keys). Other platforms are refused.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from modtool.errors import InputError
from modtool.export.csv_format import neutralise
from modtool.export.records import build_record
from modtool.store import Store
from modtool.store.dataset import DatasetRow, Selection

SEVERITY = ("remove", "escalate", "flag", "approve")
FORMATS = ("jsonl", "csv", "wp-cli")
COLUMNS = (
    "final",
    "action",
    "actions",
    "labels",
    "tied_labels",
    "platform",
    "thread_external_id",
    "external_id",
    "permalink",
    "modtool_id",
    "global_id",
    "moderators",
    "decided_at",
    "policy",
    "policy_hashes",
)


@dataclass(frozen=True, slots=True)
class Decision:
    final: bool
    action: str | None
    actions: tuple[str, ...]
    labels: tuple[str, ...]
    tied_labels: tuple[str, ...]
    platform: str
    thread_external_id: str | None
    external_id: str | None
    permalink: str | None
    modtool_id: int
    global_id: str
    moderators: tuple[str, ...]
    decided_at: str
    policy: str
    policy_hashes: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {name: _plain(getattr(self, name)) for name in COLUMNS}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def parse_since(text: str) -> datetime:
    """``2026-11-30`` or ``2026-11-30T12:00`` (UTC unless it says otherwise)."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--since {text!r}: give a date or time, e.g. 2026-11-30 or 2026-11-30T12:00"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _when(text: str) -> datetime:
    try:
        return parse_since(text)
    except InputError:
        return datetime.min.replace(tzinfo=UTC)


def permalink(row: DatasetRow) -> str | None:
    meta: dict[str, Any] = {}
    if row.meta:
        try:
            loaded = json.loads(row.meta)
            meta = loaded if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            meta = {}
    for key in ("permalink", "url", "link"):
        if isinstance(meta.get(key), str):
            return str(meta[key])
    if row.platform == "wordpress" and row.thread_url and row.external_id:
        return f"{row.thread_url}#comment-{row.external_id}"
    return None


def decisions(
    store: Store, selection: Selection, policy: Any, since: datetime | None = None
) -> Iterator[Decision]:
    """Final decisions first (document order), then the tied ones."""
    actions = {label.key: label.action for label in policy.labels}
    tied: list[Decision] = []
    for row in store.dataset.iter_rows(selection):
        if not row.annotations:
            continue
        record = build_record(row, selection.policy)
        decided_at = max(a.updated_at for a in row.annotations)
        if since is not None and _when(decided_at) < since:
            continue
        labels = tuple(record["labels"])
        implied = sorted(
            {actions.get(label, "flag") for label in labels} or {"approve"},
            key=SEVERITY.index,
        )
        final = not record["tied_labels"]
        decision = Decision(
            final=final,
            action=implied[0] if final else None,
            actions=tuple(implied),
            labels=labels,
            tied_labels=tuple(record["tied_labels"]),
            platform=row.platform,
            thread_external_id=row.thread_external_id,
            external_id=row.external_id,
            permalink=permalink(row),
            modtool_id=row.id,
            global_id=record["global_id"],
            moderators=tuple(sorted(a.moderator for a in row.annotations)),
            decided_at=decided_at,
            policy=policy.name,
            policy_hashes=tuple(record["policy"]["hashes"]),
        )
        if final:
            yield decision
        else:
            tied.append(decision)
    yield from tied


def write_jsonl(path: Path, rows: Iterable[Decision]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for row in rows:
            out.write(json.dumps(row.as_json(), ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


def write_csv(path: Path, rows: Iterable[Decision]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in rows:
            cells = []
            for name in COLUMNS:
                value = getattr(row, name)
                if isinstance(value, tuple):
                    value = ";".join(value)
                elif value is None:
                    value = ""
                elif isinstance(value, bool):
                    value = int(value)
                cells.append(neutralise(value) if isinstance(value, str) else value)
            writer.writerow(cells)
            count += 1
    return count


def _wp_id(row: Decision) -> str:
    value = row.external_id or ""
    if not (value.isascii() and value.isdigit()):
        raise InputError(
            f"comment #{row.modtool_id}: WordPress comment id {value[:30]!r} is not an integer"
        )
    return str(int(value))


def wp_command(row: Decision, spam_label: str) -> str:
    if row.action == "approve":
        return f"wp comment approve {_wp_id(row)}"
    if row.action == "remove":
        verb = "spam" if spam_label in row.labels else "trash"
        return f"wp comment {verb} {_wp_id(row)}"
    return f"# {row.action}: comment {_wp_id(row)} (modtool #{row.modtool_id}) needs a person"


def write_wp_cli(path: Path, rows: Iterable[Decision], policy_name: str) -> int:
    rows = list(rows)
    for row in rows:
        if row.platform != "wordpress":
            raise InputError(
                f"--format wp-cli writes WordPress commands: comment #{row.modtool_id} comes "
                f"from {row.platform!r} (choose WordPress threads with --thread)"
            )
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(
            "#!/bin/sh\n"
            "# Moderation decisions from modtool, for WP-CLI (https://wp-cli.org/), policy "
            f"{_safe_word(policy_name)}.\n"
            "# Review before running: each line approves, marks as spam or trashes one\n"
            "# comment by its WordPress id. Run from the site's folder: sh THIS_FILE\n"
            "set -e\n"
        )
        tied = [row for row in rows if not row.final]
        for row in rows:
            if row.final:
                out.write(wp_command(row, "spam") + "\n")
                count += 1
        if tied:
            out.write("# tied: no majority, decide by hand\n")
            for row in tied:
                labels = ",".join(_safe_word(x) for x in row.tied_labels)
                out.write(f"# comment {_wp_id(row)} (modtool #{row.modtool_id}): {labels}\n")
    return count


def _safe_word(text: str) -> str:
    """Policy names and label keys in comment lines: word characters only."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in text)[:80]
