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
``{question: [{value, user_id[, status]}]}``; ``status`` is read where a file
has it), or the flat form of ``records.to_list(flatten=True)`` / ``to_hub``
(``label.responses``, ``label.responses.users``, ``label.responses.status``, the
metadata keys at the top), also as the JSON Lines ``datasets`` writes
(``records.to_datasets().to_json``). Each response to ``label`` that is
``submitted`` becomes the verdict of ``argilla:<user_id>``; a ``draft`` or
``discarded`` one is no verdict. A response without a status is refused, with a
line saying to export the flat form: argilla's nested form (``Record.to_dict``:
``RecordResponses.to_dict`` writes only ``value`` and ``user_id``, in every 2.x
version read) cannot tell a draft or a discarded answer that kept its value from
a submitted one, and argilla itself reads such a response back as a draft
(``UserResponse._compute_status_from_responses``). Two answers by one user to
one comment (Argilla keeps one per user and question) are refused unless equal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from modtool.annotations.common import (
    QUESTION,
    TEXT,
    ToolLabel,
    approve_key,
    choices,
    comment_ref,
    load_json_or_lines,
    one_verdict_each,
    policy_suggestion,
    shown,
    shown_text,
    texts,
    verdicts_json,
)
from modtool.errors import InputError
from modtool.models import ExportContext, Record

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
    suggestions: dict[str, Any] = {}
    suggested = policy_suggestion(record)
    if suggested is not None:
        suggestions[QUESTION] = {
            "value": suggested.labels,
            "score": suggested.scores,  # one per value (a list value)
            "agent": suggested.agent,
        }
    return {
        "id": record["global_id"],
        "fields": {TEXT: record["text"], "parent_text": record["parent_text"]},
        "metadata": {
            "modtool_id": record["id"],
            "global_id": record["global_id"],
            "thread_id": record["thread_id"],
            "author": record["author"],
            "path": record["path"],
            "modtool_verdicts": verdicts_json(record, approve_key(context)),
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


STATUSES = ("submitted", "draft", "discarded")  # argilla.responses.ResponseStatus
NO_STATUS = (
    "a response to {question!r} has no status, so a draft or a discarded answer cannot be "
    "told from a submitted one (Argilla's nested records.json, as to_json and to_disk write "
    "it, leaves the status out): export the flat form instead, e.g. "
    "dataset.records.to_datasets().to_json('records.jsonl') or "
    "json.dump(dataset.records.to_list(flatten=True), file)"
)


def _responses(path: Path, number: int, item: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    """``(value, user_id, status)`` of every response to ``label``, nested or flat."""
    where = f"record {number}"
    if "responses" in item:  # Record.to_dict(): {question: [{value, user_id}]}
        responses = item["responses"] or {}
        if not isinstance(responses, dict):
            raise InputError.at(path, where, "responses must be an object (question: list)")
        found = responses.get(QUESTION) or []
        if not isinstance(found, list) or not all(isinstance(r, dict) for r in found):
            raise InputError.at(path, where, f"responses.{QUESTION} must be a list of objects")
        return [(r.get("value"), r.get("user_id"), r.get("status")) for r in found]
    flat = f"{QUESTION}.responses"
    if flat not in item:
        return []
    # to_list(flatten=True) / to_datasets / to_hub: parallel lists
    values = item.get(flat) or []
    users = item.get(f"{flat}.users") or []
    status = item.get(f"{flat}.status") or [None] * len(values)
    if not (isinstance(values, list) and isinstance(users, list) and isinstance(status, list)):
        raise InputError.at(path, where, f"{flat}, .users and .status must be lists")
    if not len(values) == len(users) == len(status):
        raise InputError.at(path, where, f"{flat}, .users and .status differ")
    return list(zip(values, users, status, strict=True))


def _verdicts(path: Path, number: int, item: dict[str, Any], approve: str) -> Iterator[ToolLabel]:
    """The submitted responses of one record: only ``submitted`` is a verdict; a
    ``draft`` or ``discarded`` one is none; one without a status is refused."""
    metadata = item.get("metadata")
    comment_id, global_id = comment_ref(
        path, number, metadata if isinstance(metadata, dict) else item
    )
    fields = item.get("fields")
    text = shown_text(path, number, (fields if isinstance(fields, dict) else item).get(TEXT))
    where = f"record {number}"
    for value, user, status in _responses(path, number, item):
        if status is None:
            raise InputError.at(path, where, NO_STATUS.format(question=QUESTION))
        if status not in STATUSES:
            raise InputError.at(
                path, where, f"unknown response status {shown(status)} ({', '.join(STATUSES)})"
            )
        if status != "submitted":
            continue  # a draft or a discarded answer: no verdict
        if not isinstance(user, str) or not user:
            raise InputError.at(path, where, f"a response's user_id {shown(user)} is not text")
        if value is None:
            raise InputError.at(path, where, "a submitted response has no value")
        picked = texts(path, number, value, "a response value")
        labels = tuple(sorted({v for v in picked if v != approve}))
        yield ToolLabel(number, comment_id, global_id, PREFIX + user, labels, text)


def read_argilla(path: Path, approve: str) -> Iterator[ToolLabel]:
    if path.is_dir():
        path = path / RECORDS
    items = load_json_or_lines(path)
    if isinstance(items, dict) and isinstance(items.get("records"), list):
        items = items["records"]
    if not isinstance(items, list):
        raise InputError.at(path, None, "not Argilla records (a JSON list of records)")
    rows: list[ToolLabel] = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise InputError.at(path, f"record {number}", "a record must be a JSON object")
        rows += _verdicts(path, number, item, approve)
    # Argilla keeps one response per user and question: two are a broken file
    yield from one_verdict_each(path, rows)
