"""Label Studio (https://labelstud.io/guide/tasks, /guide/export, /tags/choices).

Out (``--format label-studio``): a JSON list of tasks ::

    {"data": {"text", "author", "parent_text", "path", "modtool_id", "global_id",
              "labels_stale", "modtool_verdicts": "{\"alice\": [\"insult\"]}"},
     "predictions": [{"model_version": "policy:news-comments", "score": 0.93,
                      "result": [{"from_name": "label", "to_name": "text",
                                  "type": "choices", "value": {"choices": ["insult"]}}]}]}

and beside it ``NAME.label-config.xml``: a ``<Choices name="label" toName="text"
choice="multiple">`` with every label of the policy (hints: its guidance).

The predictions come from one source, so the file holds one model version:
the policy's rule suggestions together (``policy:POLICY``; the labels every
rule suggested, scored by the best score; none where no rule fired), or with
``--prediction MODERATOR`` that moderator's verdicts (``modtool:MODERATOR``).
Label Studio sets an empty project model version to the version of the last
prediction it imports (tasks/serializers.py ``add_predictions``) and its
labelling queue pre-annotates with that version's predictions only
(``get_predictions_for_prelabeling``): with every rule and every moderator as
predictions, annotators saw only the last one's (``modtool:bob``). All
moderators' verdicts travel as ``data.modtool_verdicts`` (JSON text), not as
``annotations``: Label Studio credits imported annotations to the user who
imports the file (``completed_by``), so they would come back, in every export
format, as that user's work.

Back (``import-labels --from label-studio``): Label Studio's JSON export (a list
of tasks with ``annotations``; ``completions``/``skipped`` of older versions too)
or its JSON-MIN export (one flat row per annotation: the task's data keys,
``label`` as one choice or ``{"choices": [...]}``, ``annotator``). Each
annotation not cancelled becomes the verdict of ``label-studio:<user id>``: the
numeric ``completed_by`` (or ``completed_by.id``): a whole number (``7`` and
``"7"`` are one user; ``7.0``, ``true`` or ``NaN`` are refused). An annotator
known only by an e-mail address (an old export's ``completed_by: {"email":
...}``, JSON-MIN's ``annotator`` then) is refused: modtool stores no e-mail
addresses, and a hash of one is still linkable to the person by hashing
guesses. The approve choice or no choice is an approval. An annotator's latest
annotation of a task counts: ``updated_at`` (else ``created_at``) read as an
instant (``10:00+01:00`` is before ``09:30Z``; no offset means UTC), a time
that is not ISO 8601 refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from modtool.annotations.common import (
    MODTOOL_MARK,
    QUESTION,
    TEXT,
    Latest,
    ToolLabel,
    approve_key,
    choices,
    comment_ref,
    instant,
    load_json,
    policy_suggestion,
    positive_id,
    record_data,
    shown,
    shown_text,
    texts,
    verdict_choices,
    verdicts_json,
)
from modtool.errors import InputError
from modtool.models import ExportContext, Record

PREFIX = "label-studio:"
USER_DIGITS = re.compile(r"[1-9][0-9]{0,18}")


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


POLICY = "policy"  # --prediction: the policy's suggestions (else a moderator's name)


def model_version(context: ExportContext) -> str:
    """The one model version of the tasks' predictions: ``policy:NAME`` for the
    policy's suggestions, ``modtool:MODERATOR`` for a moderator's verdicts."""
    if context.prediction == POLICY:
        return f"{POLICY}:{context.policy or 'none'}"
    return f"{MODTOOL_MARK}{context.prediction}"


def _predictions(record: Record, context: ExportContext) -> list[dict[str, Any]]:
    """At most one prediction, from one source (so one model version in the file)."""
    if context.prediction == POLICY:
        suggested = policy_suggestion(record)
        if suggested is None:
            return []
        return [
            {
                "model_version": model_version(context),
                "score": max(suggested.scores),
                "result": _choice_result(suggested.labels),
            }
        ]
    approve = approve_key(context)
    return [
        {
            "model_version": model_version(context),
            "result": _choice_result(verdict_choices(a, approve)),
        }
        for a in record["annotations"]
        if a["moderator"] == context.prediction
    ]


def task(record: Record, context: ExportContext) -> dict[str, Any]:
    return {
        "data": record_data(record)
        | {"modtool_verdicts": verdicts_json(record, approve_key(context))},
        "predictions": _predictions(record, context),
    }


def labeling_config(context: ExportContext) -> str:
    """The labeling interface for the tasks, from the policy's labels."""
    lines = [
        "<View>",
        '  <Header value="$parent_text"/>',
        f'  <Text name="{TEXT}" value="$text"/>',
        f'  <Choices name="{QUESTION}" toName="{TEXT}" choice="multiple" showInline="true">',
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


EMAIL_ONLY = (
    "the annotator is known only by an e-mail address, and modtool stores none "
    "(a hash of one is still linkable): export the project as JSON from a Label Studio "
    "whose completed_by is the user's numeric id"
)


NOT_OURS = (
    f'no choices from the control named "{QUESTION}": label with the labeling config '
    "modtool exported (NAME.label-config.xml)"
)
# a JSON-MIN row's keys besides the control's: modtool's task data and the converter's own
MIN_KEYS = frozenset(
    {TEXT, "author", "parent_text", "path", "modtool_id", "global_id", "id", "annotator"}
    | {"annotation_id", "created_at", "updated_at", "lead_time", "agreement", "history"}
    | {"labels_stale", "modtool_verdicts"}
)


def _user(path: Path, number: int, who: Any) -> str | None:
    """The annotator's numeric user id (``7``; ``"7"`` is the same user), never an
    e-mail address; ``7.0``, ``true`` or ``NaN`` are no user id."""
    if isinstance(who, dict):
        who = who.get("id") if who.get("id") is not None else who.get("email")
    if who is None:
        return None
    if isinstance(who, str) and "@" in who:
        raise InputError.at(path, f"record {number}", EMAIL_ONLY)
    if isinstance(who, str) and USER_DIGITS.fullmatch(who):
        who = int(who)
    meaning = "a Label Studio user id (a whole number)"
    return str(positive_id(path, number, who, "annotator", meaning))


def _choices(path: Path, number: int, value: Any) -> list[str]:
    """Choices from a result's ``value`` or a JSON-MIN cell: ``"insult"``,
    ``{"choices": [...]}``, or a list of either (several regions)."""
    if value is None:
        return []
    if isinstance(value, dict):
        return texts(path, number, value.get("choices", []), "choices")
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        found: list[str] = []
        for item in value:
            if isinstance(item, dict):
                found += texts(path, number, item.get("choices", []), "choices")
            else:
                found += texts(path, number, item, "choices")
        return found
    return texts(path, number, value, "choices")


def _flag(path: Path, number: int, annotation: dict[str, Any], name: str) -> bool:
    value = annotation.get(name)
    if value is None or isinstance(value, bool):
        return bool(value)
    raise InputError.at(path, f"record {number}", f"{name} {shown(value)} is not true or false")


def _when(path: Path, number: int, item: dict[str, Any]) -> datetime | None:
    """When an annotation was last changed: ``updated_at``, else ``created_at``."""
    return instant(path, number, item.get("updated_at"), "updated_at") or instant(
        path, number, item.get("created_at"), "created_at"
    )


def _read_task(path: Path, number: int, item: dict[str, Any], approve: str, latest: Latest) -> None:
    comment_id, global_id = comment_ref(path, number, item.get("data"))
    text = shown_text(path, number, item["data"].get(TEXT))
    annotations = item.get("annotations", item.get("completions")) or []
    if not isinstance(annotations, list):
        raise InputError.at(path, f"record {number}", "annotations must be a list")
    for annotation in annotations:
        if not isinstance(annotation, dict):
            raise InputError.at(path, f"record {number}", "an annotation must be a JSON object")
        if _flag(path, number, annotation, "was_cancelled") or _flag(
            path, number, annotation, "skipped"
        ):
            continue
        result = annotation.get("result") or []
        if not isinstance(result, list):
            raise InputError.at(path, f"record {number}", "an annotation's result is no list")
        if result and all(
            str(r.get("id", "")).startswith(MODTOOL_MARK) for r in result if isinstance(r, dict)
        ):
            continue  # modtool's own verdict, as modtool exported it before 12.3 was checked
        user = _user(path, number, annotation.get("completed_by"))
        if user is None:
            raise InputError.at(path, f"record {number}", "an annotation has no completed_by")
        picked: list[str] = []
        ours = False
        for region in result:
            if isinstance(region, dict) and region.get("from_name") == QUESTION:
                ours = True
                if str(region.get("type", "")).lower() == "choices":
                    picked += _choices(path, number, region.get("value"))
        if result and not ours:
            raise InputError.at(path, f"record {number}", NOT_OURS)
        labels = tuple(sorted({c for c in picked if c != approve}))
        latest.offer(
            _when(path, number, annotation),
            ToolLabel(number, comment_id, global_id, PREFIX + user, labels, text),
        )


def _read_min_row(
    path: Path, number: int, item: dict[str, Any], approve: str, latest: Latest
) -> None:
    """A JSON-MIN row: Label Studio's converter (label_studio_sdk/converter,
    ``convert_to_json_min``) writes the task's data keys, ``id``, the choices under
    the tag's name (``prettify_result``: one choice as a string, else
    ``{"choices": [...]}``), ``annotator`` (``completed_by``: the id, or an old
    export's e-mail), ``annotation_id``, ``created_at``, ``updated_at``; a task
    without annotations is a row with no annotator; cancelled ones are left out."""
    comment_id, global_id = comment_ref(path, number, item)
    if item.get("annotator") is None and item.get(QUESTION) is None:
        return  # a task nobody annotated
    if QUESTION not in item and set(item) - MIN_KEYS:
        raise InputError.at(path, f"record {number}", NOT_OURS)
    user = _user(path, number, item.get("annotator"))
    if user is None:
        raise InputError.at(path, f"record {number}", "a row has choices but no annotator")
    labels = tuple(sorted({c for c in _choices(path, number, item.get(QUESTION)) if c != approve}))
    text = shown_text(path, number, item.get(TEXT))
    latest.offer(
        _when(path, number, item),
        ToolLabel(number, comment_id, global_id, PREFIX + user, labels, text),
    )


def read_label_studio(path: Path, approve: str) -> Iterator[ToolLabel]:
    tasks = load_json(path)
    if isinstance(tasks, dict):
        tasks = [tasks]  # one task, as Label Studio's converter also accepts
    if not isinstance(tasks, list):
        raise InputError.at(path, None, "not a Label Studio export (a JSON list of tasks)")
    latest = Latest()
    for number, item in enumerate(tasks, 1):
        if not isinstance(item, dict):
            raise InputError.at(path, f"record {number}", "a task must be a JSON object")
        if "data" in item or "annotations" in item or "completions" in item:
            _read_task(path, number, item, approve, latest)
        else:
            _read_min_row(path, number, item, approve, latest)
    yield from latest.labels()
