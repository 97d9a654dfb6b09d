"""Prodigy (https://prodi.gy/docs/api-interfaces#choice, /docs/recipes#textcat-manual).

Out (``--format prodigy``): JSONL for ``prodigy textcat.manual DATASET FILE
--label insult,spam,… `` (or any ``choice`` interface): one task per comment ::

    {"text": "...", "meta": {"modtool_id", "global_id", "author", "path", "thread_id"},
     "options": [{"id": "insult", "text": "Personal attack / insult"}, …],
     "_input_hash": <int>, "_task_hash": <int>}

followed, for each modtool moderator's verdict on it, by the answered copy
Prodigy's ``db-out`` would give (``"accept": [...]``, ``"answer": "accept"``,
``"_annotator_id": "modtool:<moderator>"``), which ``import-labels`` skips.

Back (``import-labels --from prodigy``): ``prodigy db-out DATASET`` JSONL. Each
line with ``"answer": "accept"`` becomes the verdict of
``prodigy:<_annotator_id>`` (else ``_session_id``): the ``accept`` options, the
approve option or none meaning approved. ``reject`` and ``ignore`` answers are
no verdict and are skipped. An annotator's last line for a task counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modtool.annotations.common import (
    MODTOOL_MARK,
    ToolLabel,
    approve_key,
    choices,
    comment_ref,
    hash32,
    jsonl,
    verdict_choices,
)
from modtool.errors import InputError

if TYPE_CHECKING:
    from modtool.export.base import ExportContext, Record

PREFIX = "prodigy:"


def tasks(record: Record, context: ExportContext) -> list[dict[str, Any]]:
    options = [{"id": c.key, "text": c.name} for c in choices(context)]
    base = {
        "text": record["text"],
        "meta": {
            "modtool_id": record["id"],
            "global_id": record["global_id"],
            "author": record["author"],
            "path": record["path"],
            "thread_id": record["thread_id"],
        },
        "options": options,
        "_input_hash": hash32(record["global_id"]),
        "_task_hash": hash32(record["global_id"], *(o["id"] for o in options)),
    }
    approve = approve_key(context)
    answered = [
        base
        | {
            "accept": verdict_choices(a, approve),
            "answer": "accept",
            "_annotator_id": f"{MODTOOL_MARK}{a['moderator']}",
            "_session_id": f"{MODTOOL_MARK}{a['moderator']}",
        }
        for a in record["annotations"]
    ]
    return [base, *answered]


def write_prodigy(path: Path, records: Iterable[Record], context: ExportContext) -> int:
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            for item in tasks(record, context):
                out.write(encode(item) + "\n")
            count += 1
    return count


def read_prodigy(path: Path, approve: str) -> Iterator[ToolLabel]:
    latest: dict[tuple[int, str], ToolLabel] = {}
    for number, item in jsonl(path):
        if not isinstance(item, dict):
            raise InputError.at(path, f"record {number}", "a line must be a JSON object")
        answer = item.get("answer")
        if answer is None or answer in ("reject", "ignore"):
            continue
        if answer != "accept":
            raise InputError.at(path, f"record {number}", f"unknown answer {answer!r}")
        user = item.get("_annotator_id") or item.get("_session_id")
        if not user:
            raise InputError.at(path, f"record {number}", "no _annotator_id or _session_id")
        if str(user).startswith(MODTOOL_MARK):
            continue  # modtool's own verdict, exported
        comment_id, global_id = comment_ref(path, number, item.get("meta"))
        accept = item.get("accept") or []
        if not isinstance(accept, list):
            raise InputError.at(path, f"record {number}", "accept must be a list of option ids")
        labels = tuple(sorted({str(a) for a in accept if str(a) != approve}))
        latest[(comment_id, str(user))] = ToolLabel(
            number, comment_id, global_id, PREFIX + str(user), labels
        )
    yield from latest.values()
