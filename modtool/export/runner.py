"""Run an export: choose the rows, pick the writer, write atomically, add the card."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from modtool.annotations.argilla import write_argilla
from modtool.annotations.label_studio import POLICY as PREDICT_POLICY
from modtool.annotations.label_studio import beside as label_studio_beside
from modtool.annotations.label_studio import write_label_studio
from modtool.annotations.prodigy import write_prodigy
from modtool.errors import InputError, ModtoolError
from modtool.export.annotations_table import fields as annotation_fields
from modtool.export.annotations_table import write_annotations, write_annotations_csv
from modtool.export.atomic import atomic_dir, atomic_file, is_stdout, write_error, writes_in_place
from modtool.export.base import ExportContext, Record, Writer
from modtool.export.card import CardInput, CardStats, SplitInfo, is_card_of, render
from modtool.export.convokit import write_convokit
from modtool.export.csv_format import csv_fields, write_csv
from modtool.export.datasette import write_datasette
from modtool.export.jigsaw import fields as jigsaw_fields
from modtool.export.jigsaw import labels_beside, write_jigsaw
from modtool.export.jsonl import write_jsonl
from modtool.export.parquet import write_parquet
from modtool.export.records import iter_records
from modtool.export.schema import RECORD, Fields
from modtool.export.split import Part, assign
from modtool.store import Store
from modtool.store.dataset import Selection


class Format(NamedTuple):
    """``extension`` empty: the output is a folder. ``fields(context)``: the columns'
    types for the card (``None``: not a table ``datasets`` loads). ``options``: what
    the card's ``configs`` passes to ``datasets``' reader for this format."""

    writer: Writer
    extension: str
    fields: Callable[[ExportContext], Fields | None] = lambda context: None
    options: tuple[tuple[str, Any], ...] = ()
    unit: str = "comments"  # what the writer's count counts
    card: bool = True
    split: bool = True
    beside: Callable[[ExportContext], dict[str, str]] | None = None  # suffix → text
    part_companion: Callable[[Path], Path | None] | None = None
    """With ``--split``: a file written beside a part from the part (Jigsaw's labels)."""


def _record_fields(context: ExportContext) -> Fields:
    return RECORD


# "NA", "null" … in a comment stay text for pandas (only an empty cell is null)
_TEXT_NA = (("keep_default_na", False), ("na_values", [""]))
_BOM = (("encoding", "utf-8-sig"),)  # the byte-order mark is for Excel

FORMATS: dict[str, Format] = {
    "jsonl": Format(write_jsonl, "jsonl", _record_fields),
    "csv": Format(write_csv, "csv", csv_fields, _BOM + _TEXT_NA),
    "parquet": Format(write_parquet, "parquet", _record_fields),
    "convokit": Format(write_convokit, ""),
    "annotations": Format(write_annotations, "jsonl", annotation_fields, unit="annotations"),
    "annotations-csv": Format(
        write_annotations_csv, "csv", annotation_fields, _BOM + _TEXT_NA, unit="annotations"
    ),
    "jigsaw": Format(
        write_jigsaw,
        "csv",
        jigsaw_fields,
        _TEXT_NA,
        unit="fully reviewed comments",
        part_companion=labels_beside,
    ),
    "label-studio": Format(write_label_studio, "json", unit="tasks", beside=label_studio_beside),
    "argilla": Format(write_argilla, "", unit="records"),
    "prodigy": Format(write_prodigy, "jsonl", unit="tasks"),
    "datasette-metadata": Format(write_datasette, "json", unit="", card=False, split=False),
}
EXTENSIONS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}


@dataclass(slots=True)
class ExportResult:
    format: str
    output: Path
    comments: int
    threads: int
    parts: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    card: Path | None = None
    unit: str = "comments"
    extra: list[Path] = field(default_factory=list)


def format_for(name: str | None, output: Path) -> str:
    """The format named, or guessed from the output's extension."""
    if name is None:
        guessed = EXTENSIONS.get(output.suffix.lower())
        if guessed is None:
            raise InputError(
                f"{output}: cannot tell the format from the name; "
                f"give --format ({', '.join(FORMATS)})"
            )
        return guessed
    key = name.strip().lower()
    if key not in FORMATS:
        raise InputError(f"unknown format {name!r} (choose from: {', '.join(FORMATS)})")
    return key


def _describe(selection: Selection) -> str:
    bits = []
    if selection.thread_ids is not None:
        bits.append("thread " + ", ".join(map(str, selection.thread_ids)))
    if selection.labeled_only:
        bits.append("labeled only")
    if selection.unreviewed_only:
        bits.append("unreviewed only")
    if selection.policy:
        bits.append(f"policy {selection.policy}")
    return f" ({'; '.join(bits)})" if bits else ""


def card_path(output: Path) -> Path:
    """``labeled.jsonl`` → ``labeled.jsonl.card.md`` (beside a single-file export: one
    card per export file, whatever else shares its stem)."""
    return output.with_name(f"{output.name}.card.md")


def _check_card(output: Path) -> None:
    """Refuse, before anything is written, to replace a file that is not this
    export file's own card (another export's, or anything else)."""
    target = card_path(output)
    if not is_card_of(target, output.name):
        raise InputError(
            f"{target}: exists and is not the dataset card of {output.name}; it is not "
            "replaced (move it away, or give --no-card)"
        )


def _check_prediction(store: Store, fmt: str, selection: Selection, prediction: str) -> None:
    """``--prediction``: Label Studio only; a moderator must have verdicts under the policy."""
    if prediction == PREDICT_POLICY:
        return
    if fmt != "label-studio":
        raise InputError(
            "--prediction chooses Label Studio's predictions: use it with --format label-studio"
        )
    known = store.dataset.moderators(selection.policy) if selection.policy else []
    if prediction not in known:
        raise InputError(
            f"--prediction {prediction}: no verdicts by this moderator under policy "
            f"{selection.policy or '(none)'} (choose policy"
            + "".join(f", {name}" for name in known)
            + ")"
        )


class Pseudonyms:
    """``moderator-<8 hex>`` per moderator, keyed by a secret made for this export,
    so the ids cannot be turned back into names by hashing guesses."""

    def __init__(self) -> None:
        self.key = secrets.token_bytes(16)
        self.names: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if name not in self.names:
            digest = hashlib.blake2b(name.encode(), key=self.key, digest_size=4).hexdigest()
            self.names[name] = f"moderator-{digest}"
        return self.names[name]

    def record(self, record: Record) -> Record:
        for annotation in record["annotations"]:
            annotation["moderator"] = self(annotation["moderator"])
        return record


def export(
    store: Store,
    *,
    fmt: str,
    output: Path,
    selection: Selection,
    label_keys: tuple[str, ...] = (),
    split: list[Part] | None = None,
    seed: int = 0,
    force: bool = False,
    policy_def: Any = None,
    pseudonymize: bool = False,
    command: str = "",
    card: bool = True,
    prediction: str = PREDICT_POLICY,
) -> ExportResult:
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (choose from: {', '.join(FORMATS)})")
    _check_prediction(store, fmt, selection, prediction)
    spec = FORMATS[fmt]
    writer, extension = spec.writer, spec.extension
    if split is not None and not spec.split:
        raise InputError(f"--format {fmt} describes the database: it cannot be split")
    card = card and spec.card
    sizes = store.dataset.thread_sizes(selection)
    total = sum(n for _, n in sizes)
    if not total:
        raise InputError(
            f"nothing to export: no comments match the selection{_describe(selection)}"
        )

    @lru_cache(maxsize=64)
    def thread_info(thread_id: int) -> dict[str, Any]:
        return next(iter(store.dataset.threads([thread_id])))

    def context(name: str) -> ExportContext:
        return ExportContext(
            policy=selection.policy,
            label_keys=tuple(label_keys),
            score_columns=tuple(store.dataset.score_columns(selection)),
            thread_info=thread_info,
            name=name,
            policy_def=policy_def,
            database=store.path.stem if store.path is not None else "modtool",
            prediction=(
                pseudonyms(prediction)
                if pseudonyms is not None and prediction != PREDICT_POLICY
                else prediction
            ),
        )

    stats = CardStats()
    pseudonyms = Pseudonyms() if pseudonymize else None

    def observed(records: Iterable[Record]) -> Iterator[Record]:
        for record in records:
            if pseudonyms is not None:
                record = pseudonyms.record(record)
            stats.observe(record)
            yield record

    def card_input(
        title: str,
        splits: list[SplitInfo],
        ctx: ExportContext,
        notes: tuple[str, ...] = (),
        beside: str | None = None,
    ) -> CardInput:
        return CardInput(
            title=title,
            fmt=fmt,
            fields=spec.fields(ctx),
            splits=splits,
            command=command or f"modtool export --format {fmt}",
            policy=selection.policy,
            label_keys=tuple(label_keys),
            pseudonymized=pseudonymize,
            builder_options=dict(spec.options),
            notes=notes,
            beside=beside,
        )

    result = ExportResult(format=fmt, output=output, comments=0, threads=len(sizes), unit=spec.unit)
    protect = [store.path] if store.path is not None else []
    if split is None and extension and card and not writes_in_place(output):
        _check_card(output)
    try:
        if split is None:
            ctx = context(output.name)
            opener: Any = (
                atomic_dir(output, force=force, protect=protect)
                if not extension
                else atomic_file(output, protect=protect)
            )
            with opener as target:
                result.comments = writer(target, observed(iter_records(store, selection)), ctx)
                if not extension and card:  # a folder: the card inside it
                    info = SplitInfo("train", None, result.comments, len(sizes))
                    (target / "README.md").write_text(
                        render(card_input(output.name, [info], ctx), stats, store),
                        encoding="utf-8",
                    )
            placed = not is_stdout(output) and not writes_in_place(output)
            if extension and placed and spec.beside is not None:
                for suffix, text in spec.beside(ctx).items():
                    extra = output.with_name(f"{output.stem}{suffix}")
                    with atomic_file(extra, protect=protect) as target:
                        target.write_text(text, encoding="utf-8")
                    result.extra.append(extra)
            if extension and card and placed:
                size = os.stat(output).st_size
                info = SplitInfo("train", output.name, result.comments, len(sizes), size)
                single = (
                    f"This card sits beside a single file: to load it with `datasets`, put "
                    f"`{output.name}` in a folder with this card renamed `README.md`, then "
                    "`load_dataset(FOLDER)`.",
                )
                text = render(
                    card_input(output.name, [info], ctx, single, beside=output.name), stats, store
                )
                result.card = card_path(output)
                with atomic_file(result.card, protect=protect) as target:
                    target.write_text(text, encoding="utf-8")
            return result
        with atomic_dir(output, force=force, protect=protect) as folder:
            manifest: dict[str, Any] = {"seed": seed, "format": fmt, "parts": {}}
            infos: list[SplitInfo] = []
            for name, thread_ids in assign(sizes, split, seed).items():
                file_name = f"{name}.{extension}" if extension else name
                target = folder / file_name
                part = replace(selection, thread_ids=tuple(thread_ids))
                count = 0
                if thread_ids:
                    count = writer(target, observed(iter_records(store, part)), context(name))
                    num_bytes = target.stat().st_size if extension else 0
                    infos.append(SplitInfo(name, file_name, count, len(thread_ids), num_bytes))
                else:
                    infos.append(SplitInfo(name, None, 0, 0))
                    result.warnings.append(
                        f"split {name!r} got no thread and is not written: {len(sizes)} "
                        "thread(s) cannot be divided further (threads are never split)"
                    )
                result.parts[name] = {"threads": len(thread_ids), "comments": count}
                manifest["parts"][name] = {
                    "file": file_name if thread_ids else None,
                    "threads": thread_ids,
                    "comments": count,
                }
                companion = spec.part_companion
                beside = companion(target) if companion and thread_ids else None
                if beside is not None:
                    manifest["parts"][name]["labels_file"] = beside.name
                result.comments += count
            if spec.beside is not None:
                for suffix, text in spec.beside(context(output.name)).items():
                    (folder / suffix.lstrip(".")).write_text(text, encoding="utf-8")
            (folder / "split.json").write_text(
                json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
            )
            if card:
                (folder / "README.md").write_text(
                    render(card_input(output.name, infos, context(output.name)), stats, store),
                    encoding="utf-8",
                )
        return result
    except ModtoolError:
        raise
    except OSError as exc:
        raise write_error(output, exc) from None
