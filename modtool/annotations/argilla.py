"""Argilla 2.x (https://docs.argilla.io/latest/reference/argilla/records/records/,
/settings/settings/; checked against argilla/src/argilla in argilla-io/argilla).

Out (``--format argilla -o FOLDER``): the folder ``rg.Dataset.to_disk`` writes and
``rg.Dataset.from_disk(FOLDER)`` reads (datasets/_io/_disk.py):
``.argilla/dataset.json`` (the dataset model: its ``name``),
``.argilla/settings.json`` (``Settings.serialize()``: a ``TextField`` ``text``, a
``TextField`` ``parent_text``, a ``multi_label_selection`` question ``label``
whose options are the policy's labels, ``metadata`` properties as
``MetadataField.from_dict`` wants them, the policy's description and every
label's guidance as ``guidelines``) and ``records.json``: a list of records as
``Record.to_dict()`` gives them and ``Record.from_dict`` takes them ::

    {"id": "<global id>", "fields": {"text", "parent_text"},
     "metadata": {"modtool_id", "global_id", "thread_id", "author", "path",
                  "modtool_verdicts": "{\"alice\": [\"insult\"]}"},
     "suggestions": {"label": {"value": ["insult", "spam"], "score": [0.93, 1.0],
                               "agent": "news-comments:insult-score, ..."}},
     "responses": {}, "vectors": {}, "_server_id": null}

modtool's moderators' verdicts are metadata, not responses: a response's
``user_id`` must be a user of the Argilla server (records with unknown users are
refused, argilla-io/argilla#4429), and modtool's moderators are none.

Back (``import-labels --from argilla``): ``records.json`` or its folder, as
``dataset.records.to_json`` / ``Dataset.to_disk`` write it (``responses`` as
``{question: [{value, user_id[, status]}]}``; ``status`` is left out by some 2.x
versions), or the flat form of ``records.to_list(flatten=True)`` / ``to_hub``
(``label.responses``, ``label.responses.users``, ``label.responses.status``, the
metadata keys at the top), also as the JSON Lines ``datasets`` writes. Each response to ``label`` that is ``submitted`` (or
has no status) and has a value becomes the verdict of ``argilla:<user_id>``; a
draft or discarded one is no verdict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modtool.annotations.common import (
    QUESTION,
    TEXT,
    ToolLabel,
    approve_key,
    choices,
    comment_ref,
    load_json_or_lines,
    suggestion_predictions,
    verdict_choices,
)
from modtool.errors import InputError

if TYPE_CHECKING:
    from modtool.export.base import ExportContext, Record

PREFIX = "argilla:"
RECORDS = "records.json"
CONFIG = ".argilla"
SETTINGS = f"{CONFIG}/settings.json"
DATASET = f"{CONFIG}/dataset.json"
MIN_VISIBLE_OPTIONS = 3  # LabelQuestionSettings.visible_options: ge=3


def _metadata_property(name: str, kind: str, title: str) -> dict[str, Any]:
    """A metadata property as ``MetadataField.from_dict`` reads it (the ``type`` at
    the top and in ``settings``: settings/_metadata.py)."""
    settings: dict[str, Any] = {"type": kind}
    settings |= {"values": None} if kind == "terms" else {"min": None, "max": None}
    return {
        "name": name,
        "type": kind,
        "title": title,
        "settings": settings,
        "visible_for_annotators": True,
    }


def settings(context: ExportContext) -> dict[str, Any]:
    policy = context.policy_def
    options = choices(context)
    guidance = "\n".join(f"- **{c.key}** ({c.name}): {c.guidance}" for c in options)
    intro = " ".join(policy.description.split()) if policy is not None else ""
    return {
        "guidelines": f"{intro}\n\n{guidance}".strip(),
        "fields": [
            {
                "name": TEXT,
                "title": "Comment",
                "required": True,
                "settings": {"type": "text", "use_markdown": False},
            },
            {
                "name": "parent_text",
                "title": "Replying to",
                "required": False,
                "settings": {"type": "text", "use_markdown": False},
            },
        ],
        "questions": [
            {
                "name": QUESTION,
                "title": f"Labels under {context.policy or 'the policy'}",
                "required": True,
                "settings": {
                    "type": "multi_label_selection",
                    "options": [
                        {"value": c.key, "text": c.name, "description": c.guidance or None}
                        for c in options
                    ],
                    "visible_options": (
                        len(options) if len(options) >= MIN_VISIBLE_OPTIONS else None
                    ),
                    "options_order": "natural",
                },
            }
        ],
        "vectors": [],
        "metadata": [
            _metadata_property("thread_id", "integer", "Thread"),
            _metadata_property("author", "terms", "Author"),
        ],
        "allow_extra_metadata": True,
        "distribution": {"strategy": "overlap", "min_submitted": 1},
    }


def dataset_model(context: ExportContext) -> dict[str, Any]:
    """``.argilla/dataset.json``: the ``DatasetModel`` fields ``from_disk`` needs (a
    name; the workspace is chosen when loading)."""
    return {"name": f"{context.policy or 'modtool'}-comments", "status": "draft"}


def record_dict(record: Record, context: ExportContext) -> dict[str, Any]:
    approve = approve_key(context)
    suggestions: dict[str, Any] = {}
    best: dict[str, float] = {}
    for _, score, found in suggestion_predictions(record):
        for label in found:
            best[label] = max(score, best.get(label, 0.0))
    if best:
        labels = sorted(best)
        suggestions[QUESTION] = {
            "value": labels,
            "score": [best[label] for label in labels],  # one per value (a list value)
            "agent": ", ".join(agent for agent, _, _ in suggestion_predictions(record)),
        }
    verdicts = {a["moderator"]: verdict_choices(a, approve) for a in record["annotations"]}
    return {
        "id": record["global_id"],
        "fields": {TEXT: record["text"], "parent_text": record["parent_text"]},
        "metadata": {
            "modtool_id": record["id"],
            "global_id": record["global_id"],
            "thread_id": record["thread_id"],
            "author": record["author"],
            "path": record["path"],
            "modtool_verdicts": json.dumps(verdicts, ensure_ascii=False, sort_keys=True),
            "labels_stale": record["labels_stale"],
        },
        "suggestions": suggestions,
        "responses": {},
        "vectors": {},
        "_server_id": None,
    }


def write_argilla(folder: Path, records: Iterable[Record], context: ExportContext) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    count = 0
    with open(folder / RECORDS, "w", encoding="utf-8", newline="\n") as out:
        out.write("[")
        for record in records:
            out.write(",\n" if count else "\n")
            out.write(encode(record_dict(record, context)))
            count += 1
        out.write("\n]\n")
    (folder / CONFIG).mkdir(exist_ok=True)
    for name, content in ((SETTINGS, settings(context)), (DATASET, dataset_model(context))):
        with open(folder / name, "w", encoding="utf-8", newline="\n") as out:
            json.dump(content, out, ensure_ascii=False, indent=2)
            out.write("\n")
    return count


def _responses(item: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    """``(value, user_id, status)`` of every response to ``label``, nested or flat."""
    responses = item.get("responses")
    if isinstance(responses, dict):  # Record.to_dict(): {question: [{value, user_id}]}
        found = responses.get(QUESTION) or []
        return [
            (r.get("value"), r.get("user_id"), r.get("status"))
            for r in found
            if isinstance(r, dict)
        ]
    flat = f"{QUESTION}.responses"
    if flat in item:  # to_list(flatten=True) / to_hub: parallel lists
        values = item.get(flat) or []
        users = item.get(f"{flat}.users") or []
        status = item.get(f"{flat}.status") or [None] * len(values)
        if not (isinstance(values, list) and isinstance(users, list) and isinstance(status, list)):
            return [(None, None, "bad")]
        if not len(values) == len(users) == len(status):
            return [(None, None, "bad")]
        return list(zip(values, users, status, strict=True))
    return []


def read_argilla(path: Path, approve: str) -> Iterator[ToolLabel]:
    if path.is_dir():
        path = path / RECORDS
    items = load_json_or_lines(path)
    if isinstance(items, dict) and isinstance(items.get("records"), list):
        items = items["records"]
    if not isinstance(items, list):
        raise InputError.at(path, None, "not Argilla records (a JSON list of records)")
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise InputError.at(path, f"record {number}", "a record must be a JSON object")
        metadata = item.get("metadata")
        comment_id, global_id = comment_ref(
            path, number, metadata if isinstance(metadata, dict) else item
        )
        for value, user, status in _responses(item):
            if status == "bad":
                raise InputError.at(
                    path, f"record {number}", f"{QUESTION}.responses, .users and .status differ"
                )
            if status not in (None, "submitted"):
                continue  # a draft or a discarded response: no verdict
            if value is None:
                continue  # discarded (or no answer): no verdict
            if user is None:
                raise InputError.at(path, f"record {number}", "a response has no user_id")
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list):
                raise InputError.at(path, f"record {number}", "a response value is no list")
            labels = tuple(sorted({str(v) for v in value if str(v) != approve}))
            yield ToolLabel(number, comment_id, global_id, PREFIX + str(user), labels)
