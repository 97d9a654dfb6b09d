"""What the three annotation tools share: the label choices from the policy, the
predictions from suggestions, and the rows their exports come back as."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from modtool import jsonsafe
from modtool.errors import InputError, ParseError
from modtool.models import ExportContext, Record

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
    1-based position in the file, for error messages; ``text`` is the comment's
    text as the file carries it (what the annotator saw), ``None`` if it does not."""

    record: int
    comment_id: int
    global_id: str | None
    user: str
    labels: tuple[str, ...]
    text: str | None = None


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


@dataclass(frozen=True, slots=True)
class PolicySuggestion:
    """Every rule suggestion on one comment as one answer: the labels (sorted), the
    best score each got, and the rules that made them (``POLICY:RULE, …``)."""

    labels: list[str]
    scores: list[float]
    agent: str


def policy_suggestion(record: Record) -> PolicySuggestion | None:
    """The policy's suggestions on ``record`` together (``None``: no rule fired)."""
    found = suggestion_predictions(record)
    best: dict[str, float] = {}
    for _, score, labels in found:
        for label in labels:
            best[label] = max(score, best.get(label, 0.0))
    if not best:
        return None
    labels = sorted(best)
    return PolicySuggestion(
        labels, [best[label] for label in labels], ", ".join(agent for agent, _, _ in found)
    )


def verdicts_json(record: Record, approve: str) -> str:
    """modtool's moderators' verdicts as JSON text: ``{"alice": ["insult"]}``."""
    verdicts = {a["moderator"]: verdict_choices(a, approve) for a in record["annotations"]}
    return json.dumps(verdicts, ensure_ascii=False, sort_keys=True)


def hash32(*parts: str) -> int:
    """A stable signed 32-bit hash (Prodigy's ``_input_hash``/``_task_hash`` are ints)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


def load_json(path: Path) -> Any:
    """A whole JSON document, read with :mod:`modtool.jsonsafe`'s bounds (nesting,
    digits, size, no ``NaN``; a byte-order mark is accepted): one line on any problem."""
    return jsonsafe.load(path)


def load_json_or_lines(path: Path) -> Any:
    """A JSON document, or JSON Lines as a list: ``datasets.Dataset.to_json`` (how an
    Argilla ``to_datasets``/``from_hub`` export is saved) writes lines by default,
    whatever the file is called."""
    try:
        return load_json(path)
    except ParseError as not_json:
        try:  # JSON Lines when its first line is a JSON value on its own
            next(iter(jsonsafe.iter_lines(path)), None)
        except ParseError:
            raise not_json from None
        return [item for _, item in jsonl(path)]


def jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` of every non-blank line, with jsonsafe's bounds."""
    return jsonsafe.iter_lines(path)


ID_MAX = 2**63 - 1  # SQLite's INTEGER: a larger id cannot be a comment here
# Unix seconds that are a date (datetime's years 1 to 9999)
UNIX_MIN, UNIX_MAX = -62_135_596_800, 253_402_300_799


def shown(value: Any) -> str:
    """A short, JSON-like rendering of a value from a file, for an error message."""
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    if isinstance(value, str):
        return json.dumps(value[:40] + ("…" if len(value) > 40 else ""), ensure_ascii=False)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**20:
        return f"a {len(str(abs(value)))}-digit number"
    return json.dumps(value)


def whole_number(value: Any) -> int | None:
    """``value`` when it is a JSON integer (``true`` is not one, nor is ``7.0``)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def positive_id(path: Path, record: int, value: Any, name: str, meaning: str) -> int:
    """A whole number from 1 that SQLite can hold, else ``NAME VALUE is not MEANING``."""
    number = whole_number(value)
    if number is None or not 1 <= number <= ID_MAX:
        raise InputError.at(path, f"record {record}", f"{name} {shown(value)} is not {meaning}")
    return number


def comment_ref(path: Path, record: int, data: Any) -> tuple[int, str | None]:
    """``(modtool_id, global_id)`` from a record's data/meta written by modtool."""
    if not isinstance(data, dict) or "modtool_id" not in data:
        raise InputError.at(
            path, f"record {record}", "no modtool_id: this record was not exported by modtool"
        )
    value = data["modtool_id"]
    number = positive_id(path, record, value, "modtool_id", "a comment id (a whole number from 1)")
    global_id = data.get("global_id")
    if global_id is not None and not isinstance(global_id, str):
        raise InputError.at(path, f"record {record}", f"global_id {shown(global_id)} is not text")
    return number, global_id


def shown_text(path: Path, record: int, value: Any) -> str | None:
    """The comment's text as the file gives it (``None``: not given), else refused."""
    if value is None or isinstance(value, str):
        return value
    raise InputError.at(path, f"record {record}", f"text {shown(value)} is not text")


def instant(path: Path, record: int, value: Any, name: str) -> datetime | None:
    """An ISO 8601 time as an instant (``None`` when absent): ``10:00+01:00`` is
    before ``09:30Z``; a time without an offset is taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    raise InputError.at(
        path, f"record {record}", f"{name} {shown(value)} is not a date and time (ISO 8601)"
    )


def unix_time(path: Path, record: int, value: Any, name: str) -> int | float | None:
    """Unix seconds (``None`` when absent): a finite number that is a date."""
    if value is None:
        return None
    number = whole_number(value)
    if number is None and isinstance(value, float) and math.isfinite(value):
        number = value  # type: ignore[assignment]
    # compared as what they are: an int of any size never becomes a float
    if number is not None and UNIX_MIN <= number <= UNIX_MAX:
        return number
    raise InputError.at(
        path, f"record {record}", f"{name} {shown(value)} is not a time (Unix seconds)"
    )


def texts(path: Path, record: int, value: Any, name: str) -> list[str]:
    """A list of strings (one string is a list of one), else refused."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise InputError.at(
        path, f"record {record}", f"{name} {shown(value)} is not a list of label keys"
    )


class Latest:
    """Each annotator's latest verdict on each comment: by time (absent times
    first), then by place in the file (a later one wins a tie)."""

    def __init__(self) -> None:
        self._best: dict[tuple[int, str], tuple[tuple[Any, ...], ToolLabel]] = {}

    def offer(self, when: Any, label: ToolLabel) -> None:
        key = (label.comment_id, label.user)
        rank = (0, 0) if when is None else (1, when)
        if key not in self._best or rank >= self._best[key][0]:
            self._best[key] = (rank, label)

    def labels(self) -> list[ToolLabel]:
        return sorted((label for _, label in self._best.values()), key=lambda x: (x.record, x.user))


def one_verdict_each(path: Path, rows: Iterable[ToolLabel]) -> list[ToolLabel]:
    """One verdict per annotator and comment: a repeated identical one counts once,
    two different ones are refused (else each run would store one, then the
    other, and ``import-labels`` would change something every time)."""
    seen: dict[tuple[int, str], ToolLabel] = {}
    out = []
    for row in rows:
        key = (row.comment_id, row.user)
        first = seen.get(key)
        if first is None:
            seen[key] = row
            out.append(row)
        elif first.labels != row.labels:
            where = (
                f"records {first.record} and {row.record}"
                if first.record != row.record
                else f"record {row.record}"
            )
            raise InputError(
                f"{path}: {where}: two different answers by {row.user} on comment "
                f"#{row.comment_id}; keep one (the tool keeps one per annotator)"
            )
    return out


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
