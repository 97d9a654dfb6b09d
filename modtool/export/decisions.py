"""Decisions back to the platform (``modtool decisions``): one row per comment the
moderators decided, keyed by the platform's ids, with the action its labels
imply under the policy.

A comment's decision is its majority verdict (:mod:`modtool.analysis.aggregate`):
no majority label means approve; otherwise the most severe action among the
majority labels' actions (remove > escalate > flag > approve; every action is
listed too). A comment with a tied label has no final decision: it is listed
apart (``"final": false``, after the final ones), never guessed. Comments nobody
reviewed have no row.

A decision made for an earlier text (the comment was edited after a verdict of
it was given: "edited after review", ``labels_stale`` in exports) carries
``edited_after_decision``: no script, ``--apply`` or statement of reasons acts on
it until the moderators review the new text.

A WordPress comment id names one comment in the whole **site**. Each WordPress
decision's id is checked (:func:`check_ids`): an id WordPress would not have
written (``0007``, a 5,000-digit number) or one that another stored comment of
the same site also spells (``7`` in two posts, ``0007`` beside ``7``) gets an
``id_problem``, and no script or ``--apply`` acts on it. The formats live
beside this module: :mod:`~modtool.export.wpcli` (a WP-CLI script) and
:mod:`~modtool.export.dsa_sor` (DSA statements of reasons).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from modtool.errors import InputError
from modtool.export.csv_format import neutralise
from modtool.export.records import build_record
from modtool.models import DECISION_COLUMNS as COLUMNS
from modtool.models import Decision
from modtool.moderator import POLICY_PREFIX
from modtool.platforms import wordpress_rules
from modtool.store import Store
from modtool.store.dataset import DatasetRow, Selection

SEVERITY = ("remove", "escalate", "flag", "approve")
FORMATS = ("jsonl", "csv", "wp-cli", "dsa-sor")


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
) -> list[Decision]:
    """Final decisions first (document order), then the tied ones; ids checked."""
    actions = {label.key: label.action for label in policy.labels}
    final: list[Decision] = []
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
        is_final = not record["tied_labels"]
        decision = Decision(
            final=is_final,
            action=implied[0] if is_final else None,
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
            thread_url=row.thread_url,
            created_at=row.created_at,
            suggested=tuple(sorted({s.label for s in row.suggestions} & set(labels))),
            edited_after_decision=bool(record["labels_stale"]),
            notes=tuple(
                note
                for a in row.annotations
                if not a.moderator.startswith(POLICY_PREFIX)
                for note in a.notes
            ),
        )
        (final if is_final else tied).append(decision)
    return check_ids(store, final + tied)


def check_ids(store: Store, rows: list[Decision]) -> list[Decision]:
    """Give every WordPress decision whose id cannot name exactly one comment of its
    site an ``id_problem`` (see the module docstring); other rows are unchanged."""
    keys = {
        wordpress_rules.loose_key(row.external_id) for row in rows if row.platform == "wordpress"
    }
    holders: dict[str, list[Any]] = {}
    for holder in store.platform.id_holders("wordpress", {k for k in keys if k}):
        holders.setdefault(holder.key, []).append(holder)
    checked = []
    for row in rows:
        if row.platform == "wordpress":
            problem = wordpress_rules.id_problem(row.external_id) or _shared(row, holders)
            row = replace(row, id_problem=problem)
        checked.append(row)
    return checked


def _shared(row: Decision, holders: dict[str, list[Any]]) -> str | None:
    """Another stored comment of the same site (or of an unknown one) with the same number."""
    key = wordpress_rules.loose_key(row.external_id)
    site = wordpress_rules.site_of(row.thread_url)
    others = [
        h
        for h in holders.get(key or "", [])
        if h.comment_id != row.modtool_id
        and (site is None or wordpress_rules.site_of(h.thread_url) in (None, site))
    ]
    if not others:
        return None
    named = ", ".join(
        f"#{h.comment_id} (thread {h.thread_id}, id {h.external_id!r})" for h in others[:3]
    )
    more = f" and {len(others) - 3} more" if len(others) > 3 else ""
    return (
        f"WordPress id {key} is ambiguous: comment(s) {named}{more} of the same site spell it too"
    )


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
