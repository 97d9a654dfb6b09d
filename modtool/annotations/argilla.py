"""Argilla 2.x (https://docs.argilla.io/latest/reference/argilla/records/records/,
/settings/settings/).

Out (``--format argilla -o FOLDER``): ``settings.json`` (a ``TextField`` ``text``,
a ``TextField`` ``parent_text``, a ``multi_label_selection`` question ``label``
whose options are the policy's labels, the policy's description and every
label's guidance as ``guidelines``) and ``records.json``: a list of records as
``Record.to_dict()`` gives them ::

    {"id": "<global id>", "fields": {"text", "parent_text"},
     "metadata": {"modtool_id", "global_id", "thread_id", "author", "path",
                  "modtool_moderators": "{\"<uuid>\": \"alice\"}"},
     "suggestions": {"label": {"value": ["insult"], "score": 0.93,
                               "agent": "news-comments:insult-score"}},
     "responses": {"label": [{"value": ["insult"], "user_id": "<uuid>",
                              "status": "submitted"}]},
     "vectors": {}, "status": "completed" | "pending"}

Load with ``rg.Settings.from_json`` / ``dataset.records.log(records)``. modtool's
moderators are responses with a stable UUID per name (listed in
``modtool_moderators``), so ``import-labels`` skips them.

Back (``import-labels --from argilla``): ``records.json`` (or its folder), as
Argilla's ``dataset.records.to_json`` writes it; also a flat list with
``responses`` as a list of ``{question_name, value, user_id, status}``. Each
submitted response to ``label`` becomes the verdict of ``argilla:<user_id>``.
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
    load_json,
    suggestion_predictions,
    user_uuid,
    verdict_choices,
)
from modtool.errors import InputError

if TYPE_CHECKING:
    from modtool.export.base import ExportContext, Record

PREFIX = "argilla:"
RECORDS = "records.json"
SETTINGS = "settings.json"


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
                    "visible_options": len(options),
                },
            }
        ],
        "metadata": [
            {"name": "thread_id", "settings": {"type": "integer"}},
            {"name": "author", "settings": {"type": "terms"}},
        ],
        "allow_extra_metadata": True,
        "distribution": {"strategy": "overlap", "min_submitted": 1},
    }


def record_dict(record: Record, context: ExportContext) -> dict[str, Any]:
    approve = approve_key(context)
    predictions = suggestion_predictions(record)
    suggestions: dict[str, Any] = {}
    if predictions:
        labels = sorted({label for _, _, found in predictions for label in found})
        suggestions[QUESTION] = {
            "value": labels,
            "score": max(score for _, score, _ in predictions),
            "agent": ", ".join(agent for agent, _, _ in predictions),
        }
    users = {user_uuid(a["moderator"]): a["moderator"] for a in record["annotations"]}
    responses = [
        {
            "value": verdict_choices(a, approve),
            "user_id": user_uuid(a["moderator"]),
            "status": "submitted",
        }
        for a in record["annotations"]
    ]
    return {
        "id": record["global_id"],
        "fields": {TEXT: record["text"], "parent_text": record["parent_text"]},
        "metadata": {
            "modtool_id": record["id"],
            "global_id": record["global_id"],
            "thread_id": record["thread_id"],
            "author": record["author"],
            "path": record["path"],
            "modtool_moderators": json.dumps(users, ensure_ascii=False, sort_keys=True),
        },
        "suggestions": suggestions,
        "responses": {QUESTION: responses} if responses else {},
        "vectors": {},
        "status": "completed" if responses else "pending",
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
    with open(folder / SETTINGS, "w", encoding="utf-8") as out:
        json.dump(settings(context), out, ensure_ascii=False, indent=2)
        out.write("\n")
    return count


def _responses(item: dict[str, Any]) -> list[dict[str, Any]]:
    responses = item.get("responses") or {}
    if isinstance(responses, dict):
        found = responses.get(QUESTION) or []
        return [r for r in found if isinstance(r, dict)]
    if isinstance(responses, list):  # the flat form: one entry per question and user
        return [r for r in responses if isinstance(r, dict) and r.get("question_name") == QUESTION]
    return []


def read_argilla(path: Path, approve: str) -> Iterator[ToolLabel]:
    if path.is_dir():
        path = path / RECORDS
    items = load_json(path)
    if isinstance(items, dict) and isinstance(items.get("records"), list):
        items = items["records"]
    if not isinstance(items, list):
        raise InputError.at(path, None, "not Argilla records (a JSON list of records)")
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise InputError.at(path, f"record {number}", "a record must be a JSON object")
        metadata = item.get("metadata") or {}
        comment_id, global_id = comment_ref(path, number, metadata)
        try:
            ours = set(json.loads(metadata.get("modtool_moderators") or "{}"))
        except (TypeError, json.JSONDecodeError):
            ours = set()
        for response in _responses(item):
            if response.get("status", "submitted") != "submitted":
                continue
            user = response.get("user_id")
            if user is None:
                raise InputError.at(path, f"record {number}", "a response has no user_id")
            if str(user) in ours:
                continue  # modtool's own verdict, exported
            value = response.get("value") or []
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list):
                raise InputError.at(path, f"record {number}", "a response value is no list")
            labels = tuple(sorted({str(v) for v in value if str(v) != approve}))
            yield ToolLabel(number, comment_id, global_id, PREFIX + str(user), labels)
