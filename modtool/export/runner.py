"""Run an export: choose the rows, pick the writer, write atomically."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from modtool.errors import InputError, ModtoolError
from modtool.export.atomic import atomic_dir, atomic_file, write_error
from modtool.export.base import ExportContext, Writer
from modtool.export.convokit import write_convokit
from modtool.export.csv_format import write_csv
from modtool.export.jsonl import write_jsonl
from modtool.export.parquet import write_parquet
from modtool.export.records import iter_records
from modtool.export.split import Part, assign
from modtool.store import Store
from modtool.store.dataset import Selection

FORMATS: dict[str, tuple[Writer, str]] = {
    "jsonl": (write_jsonl, "jsonl"),
    "csv": (write_csv, "csv"),
    "parquet": (write_parquet, "parquet"),
    "convokit": (write_convokit, ""),
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
    if selection.policy:
        bits.append(f"policy {selection.policy}")
    return f" ({'; '.join(bits)})" if bits else ""


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
) -> ExportResult:
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (choose from: {', '.join(FORMATS)})")
    writer, extension = FORMATS[fmt]
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
        )

    result = ExportResult(format=fmt, output=output, comments=0, threads=len(sizes))
    protect = [store.path] if store.path is not None else []
    try:
        if split is None:
            opener: Callable[..., Any] = (
                atomic_dir(output, force=force, protect=protect)
                if not extension
                else atomic_file(output, protect=protect)
            )
            with opener as target:
                result.comments = writer(
                    target, iter_records(store, selection), context(output.name)
                )
            return result
        with atomic_dir(output, force=force, protect=protect) as folder:
            manifest: dict[str, Any] = {"seed": seed, "format": fmt, "parts": {}}
            for name, thread_ids in assign(sizes, split, seed).items():
                target = folder / (f"{name}.{extension}" if extension else name)
                part = replace(selection, thread_ids=tuple(thread_ids))
                if thread_ids:
                    rows = iter_records(store, part)
                else:
                    rows = iter(())
                    result.warnings.append(
                        f"split {name!r} got no thread: {len(sizes)} thread(s) cannot be "
                        "divided further (threads are never split)"
                    )
                count = writer(target, rows, context(name))
                result.parts[name] = {"threads": len(thread_ids), "comments": count}
                manifest["parts"][name] = {
                    "file": target.name,
                    "threads": thread_ids,
                    "comments": count,
                }
                result.comments += count
            (folder / "split.json").write_text(
                json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
            )
        return result
    except ModtoolError:
        raise
    except OSError as exc:
        raise write_error(output, exc) from None
