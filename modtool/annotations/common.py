"""What the three annotation tools share: the label choices from the policy, the
predictions from suggestions, and the rows their exports come back as."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from modtool.errors import InputError

if TYPE_CHECKING:
    from modtool.export.base import ExportContext, Record

APPROVE = "approve"
QUESTION = "label"  # the choices' name in every tool (Label Studio from_name, Argilla question)
TEXT = "text"
MODTOOL_MARK = "modtool:"  # modtool's own annotations, exported: skipped on import


@dataclass(frozen=True, slots=True)
class Choice:
    key: str
    name: str
    guidance: str


@dataclass(frozen=True, slots=True)
class ToolLabel:
    """One annotator's verdict on one comment, read from a tool's export.

    ``labels`` empty means reviewed with no label (approved); ``record`` is the
    1-based position in the file, for error messages."""

    record: int
    comment_id: int
    global_id: str | None
    user: str
    labels: tuple[str, ...]


def choices(context: ExportContext) -> list[Choice]:
    """The approve choice first, then every label of the policy."""
    policy = context.policy_def
    if policy is not None:
        return [
            Choice(label.key, label.name, " ".join(label.guidance.split()))
            for label in policy.labels
        ]
    return [Choice(APPROVE, "Approve", "nothing wrong")] + [
        Choice(key, key, "") for key in context.label_keys
    ]


def approve_key(context: ExportContext) -> str:
    policy = context.policy_def
    if policy is not None and policy.approve_label is not None:
        return str(policy.approve_label.key)
    return APPROVE


def verdict_choices(annotation: dict[str, Any], approve: str) -> list[str]:
    """A modtool annotation as the tool's choices (an approval is the approve choice)."""
    return list(annotation["labels"]) or [approve]


def suggestion_predictions(record: Record) -> list[tuple[str, float, list[str]]]:
    """``(agent, score, labels)`` per rule suggestion: the score a score rule fired
    on, else 1.0 (a word list or pattern matched)."""
    out = []
    for suggestion in record["suggestions"]:
        reasons = json.loads(suggestion["reasons_json"])
        scores = [float(r["score"]) for r in reasons if r.get("kind") == "score"]
        agent = f"{record['policy']['name'] or 'policy'}:{suggestion['rule']}"
        out.append((agent, max(scores) if scores else 1.0, [suggestion["label"]]))
    return out


def hash32(*parts: str) -> int:
    """A stable signed 32-bit hash (Prodigy's ``_input_hash``/``_task_hash`` are ints)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def load_json(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except UnicodeDecodeError as exc:
        raise InputError.at(path, f"byte {exc.start}", "not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InputError.at(path, f"line {exc.lineno}", f"not JSON: {exc.msg}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def load_json_or_lines(path: Path) -> Any:
    """A JSON document, or JSON Lines as a list: ``datasets.Dataset.to_json`` (how an
    Argilla ``to_datasets``/``from_hub`` export is saved) writes lines by default,
    whatever the file is called."""
    try:
        return load_json(path)
    except InputError as not_json:
        try:
            with open(path, encoding="utf-8") as handle:
                json.loads(handle.readline())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            raise not_json from None
        return [item for _, item in jsonl(path)]


def jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    try:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        yield number, json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise InputError.at(
                            path, f"line {number}", f"not JSON: {exc.msg}"
                        ) from None
    except UnicodeDecodeError as exc:
        raise InputError.at(path, f"byte {exc.start}", "not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def comment_ref(path: Path, record: int, data: Any) -> tuple[int, str | None]:
    """``(modtool_id, global_id)`` from a record's data/meta written by modtool."""
    if not isinstance(data, dict) or not isinstance(data.get("modtool_id"), int):
        raise InputError.at(
            path, f"record {record}", "no modtool_id: this record was not exported by modtool"
        )
    global_id = data.get("global_id")
    return int(data["modtool_id"]), global_id if isinstance(global_id, str) else None


def record_data(record: Record) -> dict[str, Any]:
    """The fields every tool shows or carries back: text, context and modtool's ids,
    and ``labels_stale`` (a moderator's verdict in the task was given for an earlier
    text of the comment)."""
    return {
        TEXT: record["text"],
        "author": record["author"],
        "parent_text": record["parent_text"],
        "path": record["path"],
        "modtool_id": record["id"],
        "global_id": record["global_id"],
        "labels_stale": record["labels_stale"],
    }
