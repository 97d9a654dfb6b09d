"""File mode: score a corpus that is not in a store, into Parquet shards.

``modtool score --input 'dump/*.parquet' --text-column body --id-column id
--output scored/`` reads Parquet or JSON Lines files (``.parquet``, ``.jsonl``,
``.json``, ``.ndjson``) and writes **one shard per input file**,
``scored/<input stem>.scores.parquet``, with the columns

    id (string), model (string), windowed (bool), text_hash (string),
    one float64 column per attribute (toxicity, severe_toxicity, …)

in the input's row order. ``id`` is the input's id column as text: whatever
the dump calls a comment (a Reddit ``id``, an HN ``objectID``…).
``text_hash`` is :func:`modtool.models.content_hash` of the scored text, so a
later ``modtool scores load`` can tell whether the store holds the same text.

Resumable by shard: a shard is written to a temporary name and renamed when
complete, and its Parquet metadata records the model id and the input's size,
modification time and row count. A shard that exists and matches is skipped;
one of another model is refused (use another ``--output``); one whose input
changed is scored again. A null text is scored as the empty string.
"""

from __future__ import annotations

import glob
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modtool import jsonsafe
from modtool.errors import InputError, ModtoolError
from modtool.models import ModelInfo, content_hash
from modtool.scoring.shards import (  # noqa: F401  (load_shards, LoadSummary: re-exported)
    META_KEY,
    SHARD_SUFFIX,
    LoadSummary,
    is_shard_name,
    load_shards,
    read_meta,
)

SUFFIXES = {".parquet": "parquet", ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl"}
READ_ROWS = 4_096

Progress = Callable[[int, int], None]
ShouldStop = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file and the shard it becomes."""

    index: int
    path: Path
    kind: str
    rows: int
    size: int
    mtime_ns: int
    shard: Path

    def meta(self, model: ModelInfo) -> dict[str, Any]:
        return {
            "model": model.id,
            "scorer": model.scorer,
            "name": model.name,
            "attributes": list(model.attributes),
            "details": model.details,
            "input": self.path.name,
            "input_size": self.size,
            "input_mtime_ns": self.mtime_ns,
            "rows": self.rows,
        }


@dataclass(slots=True)
class FileSummary:
    model: str
    files: int = 0
    skipped_files: int = 0
    rows: int = 0
    windowed: int = 0
    seconds: float = 0.0
    stopped: bool = False
    written: list[Path] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def find_inputs(pattern: str) -> list[Path]:
    """The files ``pattern`` (a glob, a file or a folder) names, sorted.

    Outputs are never inputs: a folder or glob passes over the score shards it
    holds (``*.scores.parquet`` with modtool's metadata: an ``--output`` folder
    may be the input folder), and a shard named on its own is refused.
    """
    path = Path(pattern)
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
    elif any(ch in pattern for ch in "*?["):
        found = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
    else:
        found = [path] if path.exists() else []
        if found and _is_shard(path):
            raise InputError(
                f"{path}: a score shard (an output of `modtool score --output`), not an input"
            )
    found = [p for p in found if not _is_shard(p)]
    if not found:
        raise InputError(f"{pattern}: no input files match")
    for item in found:
        if item.suffix.lower() not in SUFFIXES or not item.is_file():
            raise InputError(
                f"{item}: not a Parquet or JSON Lines file (.parquet, .jsonl, .json, .ndjson)"
            )
    return found


def _is_shard(path: Path) -> bool:
    return is_shard_name(path) and path.is_file() and read_meta(path) is not None


def plan(pattern: str, output: Path, text_column: str, id_column: str) -> list[InputFile]:
    """Every input with its row count and shard path; columns checked up front."""
    inputs = find_inputs(pattern)
    if output.exists() and not output.is_dir():
        raise InputError(f"{output}: exists and is not a directory")
    shards: dict[Path, Path] = {}
    planned = []
    for index, path in enumerate(inputs):
        kind = SUFFIXES[path.suffix.lower()]
        shard = output / (path.stem + SHARD_SUFFIX)
        if shard in shards:
            raise InputError(
                f"{path}: its shard name clashes with {shards[shard]} (same file stem)"
            )
        shards[shard] = path
        rows = _count_rows(path, kind, text_column, id_column)
        stat = path.stat()
        planned.append(InputFile(index, path, kind, rows, stat.st_size, stat.st_mtime_ns, shard))
    return planned


def _count_rows(path: Path, kind: str, text_column: str, id_column: str) -> int:
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            handle = pq.ParquetFile(path)
        except Exception as exc:
            raise InputError.at(path, None, f"not a readable Parquet file ({exc})") from None
        names = set(handle.schema_arrow.names)
        for column in (text_column, id_column):
            if column not in names:
                raise InputError.at(
                    path, None, f"no column {column!r} (it has: {', '.join(sorted(names))})"
                )
        return int(handle.metadata.num_rows)
    count = 0  # every line is parsed and checked here, before any scoring
    for number, record in jsonsafe.iter_lines(path):
        _json_record(path, number, record, text_column, id_column)
        count += 1
    return count


def _json_record(path: Path, number: int, record: Any, text_column: str, id_column: str) -> tuple:
    if not isinstance(record, dict):
        raise InputError.at(path, f"line {number}", "not a JSON object")
    for column in (text_column, id_column):
        if column not in record:
            raise InputError.at(path, f"line {number}", f"no field {column!r}")
    return _as_id(record[id_column]), _as_text(record[text_column])


def _as_id(value: Any) -> str:
    return "" if value is None else str(value)


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def read_rows(
    item: InputFile, text_column: str, id_column: str, chunk: int = READ_ROWS
) -> Iterator[tuple[list[str], list[str]]]:
    """``(ids, texts)`` in file order, ``chunk`` rows at a time."""
    if item.kind == "parquet":
        import pyarrow.parquet as pq

        handle = pq.ParquetFile(item.path)
        for batch in handle.iter_batches(batch_size=chunk, columns=[id_column, text_column]):
            ids = [_as_id(v) for v in batch.column(id_column).to_pylist()]
            texts = [_as_text(v) for v in batch.column(text_column).to_pylist()]
            yield ids, texts
        return
    ids: list[str] = []
    texts: list[str] = []
    for number, record in jsonsafe.iter_lines(item.path):
        key, text = _json_record(item.path, number, record, text_column, id_column)
        ids.append(key)
        texts.append(text)
        if len(ids) == chunk:
            yield ids, texts
            ids, texts = [], []
    if ids:
        yield ids, texts


def is_done(item: InputFile, model: ModelInfo) -> bool:
    """The shard exists, is complete (it was renamed into place) and belongs to
    this input as it is now; a shard of another model is an error."""
    if not item.shard.is_file():
        return False
    meta = read_meta(item.shard)
    if meta is None:
        return False
    if meta.get("model") != model.id:
        raise InputError(
            f"{item.shard}: holds scores of {meta.get('model')}, not {model.id}; "
            "use another --output folder for another model or precision"
        )
    return (meta.get("input_size"), meta.get("input_mtime_ns"), meta.get("rows")) == (
        item.size,
        item.mtime_ns,
        item.rows,
    )


class ShardBuffer:
    """The results of one input file while they arrive (possibly out of order)."""

    def __init__(self, item: InputFile, attributes: list[str]) -> None:
        import numpy as np

        self.item = item
        self.attributes = attributes
        self.ids: list[str] = [""] * item.rows
        self.hashes: list[str] = [""] * item.rows
        self.windowed = np.zeros(item.rows, dtype=bool)
        self.scores = np.zeros((item.rows, len(attributes)), dtype=np.float64)
        self.filled = 0

    def put(self, rows: Any, ids: Any, hashes: Any, windowed: Any, scores: Any) -> None:
        for position, row in enumerate(rows):
            row = int(row)
            self.ids[row] = str(ids[position])
            self.hashes[row] = str(hashes[position])
        self.windowed[rows] = windowed
        self.scores[rows] = scores
        self.filled += len(rows)

    @property
    def complete(self) -> bool:
        return self.filled >= self.item.rows

    def write(self, model: ModelInfo) -> Path:
        """Write the shard atomically (temporary file, then rename)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns: dict[str, Any] = {
            "id": pa.array(self.ids, pa.string()),
            "model": pa.array([model.id] * self.item.rows, pa.string()),
            "windowed": pa.array(self.windowed, pa.bool_()),
            "text_hash": pa.array(self.hashes, pa.string()),
        }
        for position, name in enumerate(self.attributes):
            columns[name] = pa.array(self.scores[:, position], pa.float64())
        table = pa.table(columns)
        table = table.replace_schema_metadata({META_KEY: json.dumps(self.item.meta(model))})
        shard = self.item.shard
        shard.parent.mkdir(parents=True, exist_ok=True)
        partial = shard.with_name(f".{shard.name}.{os.getpid()}.partial")
        try:
            pq.write_table(table, partial)
            os.replace(partial, shard)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ModtoolError(f"{shard}: cannot write the shard ({exc})") from None
        return shard


def text_hashes(texts: list[str]) -> list[str]:
    return [content_hash(text) for text in texts]


def score_files_local(
    scorer: Any,
    items: list[InputFile],
    text_column: str,
    id_column: str,
    *,
    batch_size: int = 32,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> FileSummary:
    """File mode on this machine: each pending input file in turn, in batches of
    ``batch_size`` (the same dedup and length ordering as the store pipeline)."""
    import numpy as np

    from modtool.scoring.pipeline import score_texts

    started = time.perf_counter()
    model = scorer.model
    summary = FileSummary(model=model.id)
    pending = [item for item in items if not is_done(item, model)]
    summary.skipped_files = len(items) - len(pending)
    total = sum(item.rows for item in pending)
    attributes = list(scorer.attributes)
    if progress:
        progress(0, total)
    for item in pending:
        buffer = ShardBuffer(item, attributes)
        row = 0
        for ids, texts in read_rows(item, text_column, id_column, chunk=batch_size * 8):
            for start in range(0, len(texts), batch_size):
                if should_stop and should_stop():
                    summary.stopped = True
                    summary.seconds = time.perf_counter() - started
                    return summary
                part = texts[start : start + batch_size]
                results = score_texts(scorer, part, batch_size=batch_size)
                positions = np.arange(row, row + len(part))
                buffer.put(
                    positions,
                    ids[start : start + batch_size],
                    text_hashes(part),
                    np.array([r.windowed for r in results], dtype=bool),
                    np.array([[r.scores[a] for a in attributes] for r in results]).reshape(
                        len(part), len(attributes)
                    ),
                )
                row += len(part)
                summary.rows += len(part)
                summary.windowed += sum(1 for r in results if r.windowed)
                if progress:
                    progress(summary.rows, total)
        summary.written.append(buffer.write(model))
        summary.files += 1
    summary.seconds = time.perf_counter() - started
    return summary
