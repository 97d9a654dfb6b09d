"""Prodigy (https://prodi.gy/docs/api-interfaces#choice, /docs/recipes#textcat-manual;
explosion/prodigy-recipes textcat/textcat_manual.py).

Out (``--format prodigy``): JSONL for ``prodigy textcat.manual DATASET FILE
--label approve,insult,…`` (more than one label: the ``choice`` interface; add
``--exclusive`` for one choice per comment): one task per comment ::

    {"text": "...", "meta": {"modtool_id", "global_id", "author", "path", "thread_id"},
     "options": [{"id": "insult", "text": "Personal attack / insult"}, …],
     "_input_hash": <int>, "_task_hash": <int>}

The recipe replaces ``options`` with its ``--label``s (``{"id": label, "text":
label}``), so the labels must be given there, keys as ids; built-in recipes also
recompute the hashes. modtool's own verdicts are not in the file: every line of
a source is a task to annotate, so an answered copy would be shown again (and
saved as the Prodigy annotator's answer).

Back (``import-labels --from prodigy``): ``prodigy db-out DATASET`` JSONL. Each
line with ``"answer": "accept"`` becomes the verdict of
``prodigy:<_annotator_id>`` (else ``_session_id``): ``DATASET-NAME`` in a named
session (``?session=NAME``), else the session's start time, shared by everyone
in that unnamed session. Its ``accept`` ids are the labels; the approve option,
or none, is an approval. ``reject`` and ``ignore`` answers are no verdict. A
line without an ``accept`` list (``textcat.manual`` with one ``--label``: the
binary ``classification`` interface) is refused: its answer says nothing about
the other labels. An annotator's last answer to a comment counts (by
``_timestamp``, Unix seconds, then line; a ``_timestamp`` that is not a finite
number of seconds within years 1 to 9999 is refused).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from modtool.annotations.common import (
    MODTOOL_MARK,
    Latest,
    ToolLabel,
    choices,
    comment_ref,
    hash32,
    jsonl,
    shown,
    shown_text,
    texts,
    unix_time,
)
from modtool.errors import InputError
from modtool.models import ExportContext, Record

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
            "labels_stale": record["labels_stale"],
        },
        "options": options,
        "_input_hash": hash32(record["global_id"]),
        "_task_hash": hash32(record["global_id"], *(o["id"] for o in options)),
    }
    return [base]


def write_prodigy(path: Path, records: Iterable[Record], context: ExportContext) -> int:
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            for item in tasks(record, context):
                out.write(encode(item) + "\n")
            count += 1
    return count


def _user(path: Path, number: int, item: dict[str, Any]) -> str:
    """``_annotator_id``, else ``_session_id``: text, never a number or ``true``."""
    for name in ("_annotator_id", "_session_id"):
        value = item.get(name)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise InputError.at(path, f"record {number}", f"{name} {shown(value)} is not text")
        return value
    raise InputError.at(path, f"record {number}", "no _annotator_id or _session_id")


def read_prodigy(path: Path, approve: str) -> Iterator[ToolLabel]:
    latest = Latest()
    for number, item in jsonl(path):
        if not isinstance(item, dict):
            raise InputError.at(path, f"record {number}", "a line must be a JSON object")
        answer = item.get("answer")
        if answer is None or answer in ("reject", "ignore"):
            continue
        if answer != "accept":
            raise InputError.at(path, f"record {number}", f"unknown answer {shown(answer)}")
        user = _user(path, number, item)
        if user.startswith(MODTOOL_MARK):
            continue  # modtool's own verdict, as modtool exported it before 12.3 was checked
        comment_id, global_id = comment_ref(path, number, item.get("meta"))
        text = shown_text(path, number, item.get("text"))
        accept = item.get("accept")
        if accept is None:
            raise InputError.at(
                path,
                f"record {number}",
                "no accept list: annotate with textcat.manual and more than one --label "
                "(the choice interface), not the binary one",
            )
        if not isinstance(accept, list):
            raise InputError.at(path, f"record {number}", "accept must be a list of option ids")
        picked = texts(path, number, accept, "accept")
        labels = tuple(sorted({a for a in picked if a != approve}))
        latest.offer(
            unix_time(path, number, item.get("_timestamp"), "_timestamp"),
            ToolLabel(number, comment_id, global_id, PREFIX + user, labels, text),
        )
    yield from latest.labels()
