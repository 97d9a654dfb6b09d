"""Label Studio (https://labelstud.io/guide/tasks, /guide/export#Label-Studio-JSON-format-of-annotated-tasks).

Out (``--format label-studio``): a JSON list of tasks ::

    {"data": {"text", "author", "parent_text", "path", "modtool_id", "global_id"},
     "predictions": [{"model_version": "news-comments:insult-score", "score": 0.93,
                      "result": [{"from_name": "label", "to_name": "text",
                                  "type": "choices", "value": {"choices": ["insult"]}}]}],
     "annotations": [{"result": [... "id": "modtool:alice" ...], "ground_truth": false}]}

and beside it ``NAME.label-config.xml``: a ``<Choices name="label" toName="text"
choice="multiple">`` with every label of the policy (hints: its guidance).
Predictions are the policy's rule suggestions; annotations are modtool's own
moderators' verdicts, their result ids marked ``modtool:<moderator>`` so
``import-labels`` knows them and skips them.

Back (``import-labels --from label-studio``): Label Studio's JSON export (a list
of tasks with ``annotations``). Each annotation not cancelled becomes the
verdict of ``label-studio:<completed_by>`` (the tool's user id); the approve
choice or no choice is an approval. An annotator's latest annotation of a task
counts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

from modtool.annotations.common import (
    MODTOOL_MARK,
    QUESTION,
    TEXT,
    ToolLabel,
    approve_key,
    choices,
    comment_ref,
    load_json,
    record_data,
    suggestion_predictions,
    verdict_choices,
)
from modtool.errors import InputError

if TYPE_CHECKING:
    from modtool.export.base import ExportContext, Record

PREFIX = "label-studio:"


def _choice_result(labels: list[str], region: str | None = None) -> list[dict[str, Any]]:
    item: dict[str, Any] = {
        "from_name": QUESTION,
        "to_name": TEXT,
        "type": "choices",
        "value": {"choices": labels},
    }
    if region is not None:
        item["id"] = region
    return [item]


def task(record: Record, context: ExportContext) -> dict[str, Any]:
    approve = approve_key(context)
    return {
        "data": record_data(record),
        "predictions": [
            {"model_version": agent, "score": score, "result": _choice_result(labels)}
            for agent, score, labels in suggestion_predictions(record)
        ],
        "annotations": [
            {
                "result": _choice_result(
                    verdict_choices(a, approve), f"{MODTOOL_MARK}{a['moderator']}"
                ),
                "ground_truth": False,
                "created_at": a["updated_at"],
            }
            for a in record["annotations"]
        ],
    }


def labeling_config(context: ExportContext) -> str:
    """The labeling interface for the tasks, from the policy's labels."""
    lines = [
        "<View>",
        '  <Header value="$parent_text"/>',
        f'  <Text name="{TEXT}" value="$text"/>',
        f'  <Choices name="{QUESTION}" toName="{TEXT}" choice="multiple" showInLine="true">',
    ]
    for choice in choices(context):
        hint = f" hint={quoteattr(choice.guidance)}" if choice.guidance else ""
        lines.append(f"    <Choice value={quoteattr(choice.key)}{hint}/>")
    lines += ["  </Choices>", "</View>", ""]
    return "\n".join(lines)


def beside(context: ExportContext) -> dict[str, str]:
    return {".label-config.xml": labeling_config(context)}


def write_label_studio(path: Path, records: Iterable[Record], context: ExportContext) -> int:
    encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write("[")
        for record in records:
            out.write(",\n" if count else "\n")
            out.write(encode(task(record, context)))
            count += 1
        out.write("\n]\n")
    return count


def _user(annotation: dict[str, Any]) -> str | None:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("id", who.get("email"))
    return None if who is None or isinstance(who, bool) else str(who)


def read_label_studio(path: Path, approve: str) -> Iterator[ToolLabel]:
    tasks = load_json(path)
    if not isinstance(tasks, list):
        raise InputError.at(path, None, "not a Label Studio JSON export (a list of tasks)")
    for number, item in enumerate(tasks, 1):
        if not isinstance(item, dict):
            raise InputError.at(path, f"record {number}", "a task must be a JSON object")
        comment_id, global_id = comment_ref(path, number, item.get("data"))
        latest: dict[str, tuple[str, tuple[str, ...]]] = {}
        for annotation in item.get("annotations") or []:
            if not isinstance(annotation, dict) or annotation.get("was_cancelled"):
                continue
            result = annotation.get("result") or []
            if not isinstance(result, list):
                raise InputError.at(path, f"record {number}", "an annotation's result is no list")
            if result and all(
                str(r.get("id", "")).startswith(MODTOOL_MARK) for r in result if isinstance(r, dict)
            ):
                continue  # modtool's own verdict, exported
            user = _user(annotation)
            if user is None:
                raise InputError.at(path, f"record {number}", "an annotation has no completed_by")
            picked: list[str] = []
            for region in result:
                if (
                    isinstance(region, dict)
                    and region.get("type") == "choices"
                    and region.get("from_name") == QUESTION
                ):
                    picked += [str(c) for c in (region.get("value") or {}).get("choices", [])]
            labels = tuple(sorted({c for c in picked if c != approve}))
            when = str(annotation.get("updated_at") or annotation.get("created_at") or "")
            if user not in latest or when >= latest[user][0]:
                latest[user] = (when, labels)
        for user, (_, labels) in sorted(latest.items()):
            yield ToolLabel(number, comment_id, global_id, PREFIX + user, labels)
