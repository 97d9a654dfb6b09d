"""Bring an annotation tool's export back as moderators' verdicts (``import-labels``).

The tool's reader (``modtool/annotations/``) turns the file into one
:class:`~modtool.annotations.common.ToolLabel` per annotator and comment; here
every row is checked against the policy and the database before anything is
written (a label not in the policy, an annotator id that is not a plain id, a
comment not in this database or exported from another one), and then the whole
file is one transaction through the labels store: any problem leaves the
database as it was, and running it twice changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modtool.annotations.argilla import read_argilla
from modtool.annotations.common import ToolLabel, one_verdict_each, shown
from modtool.annotations.label_studio import read_label_studio
from modtool.annotations.prodigy import read_prodigy
from modtool.errors import InputError
from modtool.export.ids import comment_global_id, thread_global_id
from modtool.models import ReviewState
from modtool.store import Store
from modtool.store.labels import set_verdicts

__all__ = ["READERS", "TOOLS", "LabelImport", "import_labels", "read_labels"]

READERS: dict[str, Callable[[Path, str], Iterator[ToolLabel]]] = {
    "label-studio": read_label_studio,
    "argilla": read_argilla,
    "prodigy": read_prodigy,
}
TOOLS = tuple(READERS)
# no "@": an e-mail address is never a moderator name (modtool stores none)
SAFE_USER = re.compile(r"^[A-Za-z0-9_.+\-]{1,120}$")


@dataclass(frozen=True, slots=True)
class LabelImport:
    rows: int
    annotators: int
    changed: int


def read_labels(path: Path, tool: str, policy: Any) -> list[ToolLabel]:
    """Every verdict in the file, checked against the policy's labels and for plain
    annotator ids (nothing is written)."""
    approve = policy.approve_label.key if policy.approve_label is not None else "approve"
    known = policy.ref.labels
    if tool not in READERS:
        raise InputError(f"unknown tool {tool!r} (choose from: {', '.join(TOOLS)})")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    rows = one_verdict_each(path, READERS[tool](path, approve))
    for row in rows:
        for label in row.labels:
            if label not in known:
                raise InputError(
                    f"{path}: record {row.record}: label {label[:60]!r} is not in policy "
                    f"{policy.name!r} "
                    f"(labels: {', '.join(sorted(known))})"
                )
        user = row.user.partition(":")[2]
        if "@" in user:
            raise InputError(
                f"{path}: record {row.record}: the annotator id is an e-mail address, and "
                "modtool stores none: use the tool's user or session ids"
            )
        if not SAFE_USER.match(user):
            raise InputError(
                f"{path}: record {row.record}: annotator id {user[:40]!r} is not a plain id "
                "(letters, digits and _ . + - only; never an e-mail address)"
            )
    return rows


def _check_comments(store: Store, path: Path, rows: list[ToolLabel]) -> None:
    """Every comment is in this database, is the one the file was exported from, and
    still has the text the annotator saw (a label never lands on other text)."""
    identities = store.dataset.identities(sorted({row.comment_id for row in rows}))
    bodies: dict[int, str] = {}
    for row in rows:
        found = identities.get(row.comment_id)
        if found is None:
            raise InputError(
                f"{path}: record {row.record}: no comment #{row.comment_id} in this database"
            )
        thread = thread_global_id(
            str(found["platform"]),
            found["thread_external_id"],  # type: ignore[arg-type]
            str(found["source"]),
            str(found["article_hash"]),
        )
        here = comment_global_id(thread, found["external_id"], str(found["path"]))  # type: ignore[arg-type]
        if row.global_id is not None and row.global_id != here:
            raise InputError(
                f"{path}: record {row.record}: comment #{row.comment_id} here is {here}, "
                f"not {shown(row.global_id)}: the file was exported from another database"
            )
        if row.text is None:
            continue
        if row.comment_id not in bodies:
            bodies[row.comment_id] = store.comments.get(row.comment_id).body
        if row.text != bodies[row.comment_id]:
            raise InputError(
                f"{path}: record {row.record}: comment #{row.comment_id}'s text here is not "
                "the text in the file (it was edited or re-imported since the export): the "
                "annotator's labels were given for the text in the file; export it again "
                "and have it annotated again"
            )


def import_labels(store: Store, path: Path, tool: str, policy: Any) -> LabelImport:
    """Read ``path`` (``tool``'s export), check it whole, store it in one transaction."""
    from modtool.policy.suggest import register

    rows = read_labels(path, tool, policy)
    _check_comments(store, path, rows)
    verdicts = [
        (
            row.comment_id,
            row.user,
            ReviewState(frozenset(row.labels), "labeled" if row.labels else "approved"),
        )
        for row in rows
    ]
    register(store, policy)
    actions = set_verdicts(
        store.labels, verdicts, policy=policy.ref, note=f"import-labels {path.name} ({tool})"
    )
    return LabelImport(len(rows), len({row.user for row in rows}), len(actions))
