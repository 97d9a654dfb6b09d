"""The dataset card that travels with every export: ``README.md`` in an export
folder, ``NAME.EXT.card.md`` beside a single file (``labeled.jsonl.card.md``:
one card per export file, so ``labeled.jsonl``, ``labeled.csv`` and
``labeled.parquet`` in one folder each keep their own). A card beside a file
says whose it is in its header's first line (:func:`mark`); modtool replaces
a card only when it is the card of the same export file.

Its YAML header is what Hugging Face ``datasets`` reads
(https://huggingface.co/docs/hub/datasets-cards,
https://huggingface.co/docs/datasets/repository_structure): ``configs`` maps each
split to its file (``data_files``), so ``load_dataset(FOLDER)`` picks the right
files with no arguments, and ``dataset_info.features`` types every column, so
no column is inferred from whatever the first rows hold (``List(null)`` for a
list empty in every train row, a number for a label name in a CSV). The body
says what a person needs to trust the data: the policy's full text and hash,
the models, the moderators (pseudonymous ids with ``--pseudonymize``), counts
per label and agreement, and how the export was made.

The YAML is written by hand (no YAML library at run time): every string is a
JSON string, which YAML reads as a double-quoted scalar.
"""

from __future__ import annotations

import json
import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modtool import __version__
from modtool.export.base import Record
from modtool.export.schema import Fields, hf_features
from modtool.store import Store


@dataclass(slots=True)
class CardStats:
    """Counts gathered while the records stream past the writer (no second pass)."""

    comments: int = 0
    reviewed: int = 0
    threads: set[int] = field(default_factory=set)
    labels: Counter[str] = field(default_factory=Counter)
    tied: Counter[str] = field(default_factory=Counter)
    moderators: Counter[str] = field(default_factory=Counter)
    hashes: set[str] = field(default_factory=set)
    multi: int = 0  # comments two or more moderators reviewed
    unanimous: Counter[str] = field(default_factory=Counter)
    given: set[str] = field(default_factory=set)
    stale: int = 0  # reviewed comments edited after some of their reviews

    def observe(self, record: Record) -> None:
        self.comments += 1
        self.threads.add(record["thread_id"])
        if not record["reviewers"]:
            return
        self.reviewed += 1
        self.stale += bool(record.get("labels_stale"))
        self.labels.update(record["labels"])
        self.tied.update(record["tied_labels"])
        annotations = record["annotations"]
        for annotation in annotations:
            self.moderators[annotation["moderator"]] += 1
            self.given.update(annotation["labels"])
            if annotation["policy_hash"]:
                self.hashes.add(annotation["policy_hash"])
        if len(annotations) >= 2:
            self.multi += 1
            votes: Counter[str] = Counter()
            for annotation in annotations:
                votes.update(set(annotation["labels"]))
            for label in self.given | set(votes):
                if votes[label] in (0, len(annotations)):
                    self.unanimous[label] += 1


@dataclass(frozen=True, slots=True)
class SplitInfo:
    name: str
    file: str | None  # None: not written (empty)
    comments: int
    threads: int
    num_bytes: int = 0


@dataclass(frozen=True, slots=True)
class CardInput:
    title: str
    fmt: str
    fields: Fields | None  # None: not a table datasets can load (ConvoKit)
    splits: list[SplitInfo]
    command: str
    policy: str | None
    label_keys: tuple[str, ...]
    pseudonymized: bool
    builder_options: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    beside: str | None = None  # the export file a single-file card sits beside


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def yaml_lines(value: Any, indent: int = 0) -> list[str]:
    """Block-style YAML for dicts, lists and scalars (enough for a card header)."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{_scalar(key)}:")
                lines.extend(yaml_lines(item, indent + 2))
            else:
                empty = "[]" if isinstance(item, list) else "{}"
                shown = empty if isinstance(item, (dict, list)) else _scalar(item)
                lines.append(f"{pad}{_scalar(key)}: {shown}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)) and item:
                inner = yaml_lines(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    else:
        lines.append(pad + _scalar(value))
    return lines


def header(card: CardInput) -> dict[str, Any]:
    meta: dict[str, Any] = {"pretty_name": card.title, "tags": ["modtool", "content-moderation"]}
    written = [s for s in card.splits if s.file]
    if card.fields is None or not written:
        return meta
    config: dict[str, Any] = {
        "config_name": "default",
        "data_files": [{"split": s.name, "path": s.file} for s in written],
    }
    config.update(card.builder_options)
    meta["configs"] = [config]
    size = sum(s.num_bytes for s in written)
    meta["dataset_info"] = {
        "features": hf_features(card.fields),
        "splits": [
            {"name": s.name, "num_bytes": s.num_bytes, "num_examples": s.comments} for s in written
        ],
        "download_size": size,
        "dataset_size": size,
    }
    return meta


def _fence(text: str, info: str = "") -> str:
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}{info}\n{text.rstrip()}\n{ticks}"


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def mark(name: str) -> str:
    """The header's first line in a card beside a file: which export file it belongs
    to (a YAML comment: ``datasets`` and the Hub ignore it)."""
    return f"# modtool dataset card of {json.dumps(name, ensure_ascii=False)}"


def is_card_of(card: Path, name: str) -> bool:
    """``True`` when ``card`` does not exist or is modtool's card of the export file
    ``name`` (so writing the card again replaces nothing else)."""
    try:
        os.lstat(card)
    except OSError:
        return True  # nothing there (the export itself says if it cannot write here)
    try:
        if not stat.S_ISREG(os.stat(card).st_mode):
            return False
        with open(card, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.decode("utf-8", "replace").splitlines()[:2] == ["---", mark(name)]


def render(card: CardInput, stats: CardStats, store: Store) -> str:
    """The whole card: YAML header, then the human-readable part."""
    owner = [] if card.beside is None else [mark(card.beside)]
    out = ["---", *owner, *yaml_lines(header(card)), "---", "", f"# {card.title}", ""]
    out += [
        f"Exported by modtool {__version__} as `{card.fmt}` with:",
        "",
        _fence(card.command, "sh"),
        "",
        f"{stats.comments} comments from {len(stats.threads)} thread(s); "
        f"{stats.reviewed} reviewed by at least one moderator"
        + (f" under policy `{card.policy}`." if card.policy else " (no policy: no labels)."),
        "",
    ]
    if card.fields is not None and any(s.file for s in card.splits):
        out += [
            "Load it with `datasets.load_dataset(FOLDER)` (the header above gives the files "
            "and the type of every column), or with pandas/pyarrow directly.",
            "",
        ]
    out += ["## Splits", "", "| split | file | threads | comments |", "|---|---|---|---|"]
    for s in card.splits:
        out.append(
            f"| {_cell(s.name)} | {_cell(s.file or '(not written)')} | {s.threads} | {s.comments} |"
        )
    empty = [s.name for s in card.splits if not s.file]
    if empty:
        out += [
            "",
            f"Not written: {', '.join(empty)}: no thread went there. Splits are by thread "
            "(a conversation is never divided between train and test), and there were too "
            "few threads to give every split one. An empty file would make "
            "`load_dataset` fail.",
        ]
    for note in card.notes:
        out += ["", note]
    out += ["", "## Labels", ""]
    if not card.policy:
        out += ["No labels: no policy was chosen.", ""]
    else:
        keys = list(dict.fromkeys([*card.label_keys, *sorted(stats.labels | stats.tied)]))
        out += [
            "A comment's `labels` are those more than half of the moderators who reviewed it "
            "gave; a label exactly half gave is in `tied_labels` (a tie is never resolved "
            "by guessing). Agreement: of the comments two or more moderators reviewed "
            f"({stats.multi}), the share on which all of them agreed about the label.",
            "",
            "| label | majority | tied | agreement |",
            "|---|---|---|---|",
        ]
        for key in keys:
            agreement = (
                f"{stats.unanimous[key] / stats.multi:.1%}"
                if stats.multi and key in stats.given
                else ("100.0%" if stats.multi else "–")
            )
            out.append(f"| {_cell(key)} | {stats.labels[key]} | {stats.tied[key]} | {agreement} |")
        out += ["", "Cohen's kappa and Krippendorff's alpha: `modtool agreement`.", ""]
        if stats.stale:
            out += [
                f"Edited after review: {stats.stale} of the {stats.reviewed} reviewed comments "
                "changed text after some of their reviews (a re-import). Their `labels_stale` "
                "is true, and so is `stale` on each annotation given for the earlier text: "
                "those labels were not given for the text shipped here.",
                "",
            ]
    out += ["## Moderators", ""]
    if stats.moderators:
        if card.pseudonymized:
            out += [
                "Pseudonymous ids (`--pseudonymize`): the same moderator has the same id in "
                "this export, and the names are not in it.",
                "",
            ]
        out += ["| moderator | comments reviewed |", "|---|---|"]
        out += [f"| {_cell(name)} | {n} |" for name, n in sorted(stats.moderators.items())]
    else:
        out.append("None: no comment in the export was reviewed.")
    out += ["", "## Models", ""]
    models = store.scores.models()
    if models:
        out += ["| model id | scorer | name | attributes |", "|---|---|---|---|"]
        out += [
            f"| {_cell(m.id)} | {_cell(m.scorer)} | {_cell(m.name)} | "
            f"{_cell(', '.join(m.attributes))} |"
            for m in models
        ]
    else:
        out.append("No model scored these comments.")
    out += ["", "## Policy", ""]
    hashes = sorted(stats.hashes)
    if not card.policy:
        out.append("None.")
    elif not hashes:
        out.append(f"`{card.policy}`: no stored version was used by a moderator here.")
    for policy_hash in hashes:
        stored = store.policies.get(policy_hash)
        if stored is None:
            out += [f"### `{card.policy}` (hash `{policy_hash}`)", "", "Text not stored.", ""]
            continue
        out += [
            f"### `{stored.name}` {stored.version} (hash `{stored.hash}`)",
            "",
            _fence(stored.content, "toml"),
            "",
        ]
    out += [
        "",
        "## Ids",
        "",
        "`id` and `thread_id` are this database's ids. `global_id` and `thread_global_id` "
        "survive a merge of exports from several databases: the platform's ids where the "
        "source has them (`wordpress:<post>:<comment>`), else a stable hash of the source's "
        "file name and content identity plus the numbering path (`text:<hash>:7.4.2`). "
        "No local path is exported.",
        "",
    ]
    return "\n".join(out)
