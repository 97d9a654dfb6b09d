"""Score shards: the Parquet files file mode writes, and ``modtool scores load``.

A shard is ``<input stem>.scores.parquet`` with the columns ``id`` (string),
``model`` (string), ``windowed`` (bool), ``text_hash`` (string) and one float
column per attribute, and the model it was scored with in its Parquet
metadata (``modtool``: model id, scorer, name, attributes, details, and the
input it came from).

A shard is untrusted input: it may come from another machine, another
modtool, or anyone. ``load_shards`` checks every shard of the folder in full
before it writes anything: the metadata (a JSON object with the fields
above, of their types), the columns (exactly those, of their types, no
nulls), every row (the shard's model id, a text hash as modtool makes it,
every score a finite number in [0, 1]), and the model's identity (the same
scorer, name, attributes and details as the model the store, or another shard
of the folder, has under that id; details that only name the machine, such as
the checkpoint's path or the torch version, may differ). Then each shard is
loaded in one transaction: its model row and its scores, or nothing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modtool import jsonsafe
from modtool.errors import InputError
from modtool.models import ModelInfo, content_hash

SHARD_SUFFIX = ".scores.parquet"
META_KEY = b"modtool"
FIXED_COLUMNS = ("id", "model", "windowed", "text_hash")
MAX_META_BYTES = 1 << 20
MAX_NAME_CHARS = 1_000
MAX_ATTRIBUTES = 1_000
LOAD_ROWS = 65_536
MACHINE_DETAILS = frozenset(
    {"checkpoint", "hf_config", "torch", "transformers", "kernels", "cls_only_last_layer"}
)
"""``details`` keys that say where, with which library versions and with which
(checked, same-result) kernels a model ran, not which model it is (the store
keeps the first ones it saw)."""
TEXT_HASH = re.compile(r"^[0-9a-f]{16}$")


@dataclass(frozen=True, slots=True)
class Shard:
    """A shard whose metadata and columns passed the checks."""

    path: Path
    model: ModelInfo
    rows: int


@dataclass(slots=True)
class LoadSummary:
    """What ``modtool scores load`` did: ``loaded`` comments got scores at their
    current text; ``stale``: matched, but the shard scored another text (stored
    as stale, so ``modtool score`` redoes them); ``unmatched``: no comment has
    the id; ``ambiguous``: several comments have it (not loaded)."""

    shards: int = 0
    models: list[str] = field(default_factory=list)
    rows: int = 0
    loaded: int = 0
    stale: int = 0
    unmatched: int = 0
    ambiguous: int = 0


def is_shard_name(path: Path) -> bool:
    return path.name.lower().endswith(SHARD_SUFFIX)


def read_meta(shard: Path) -> dict[str, Any] | None:
    """The modtool metadata of a shard, or ``None`` if it is not a modtool shard."""
    import pyarrow.parquet as pq

    try:
        raw = (pq.read_schema(shard).metadata or {}).get(META_KEY)
        meta = None if raw is None or len(raw) > MAX_META_BYTES else jsonsafe.loads(raw, shard)
    except Exception:
        return None
    return meta if isinstance(meta, dict) else None


def open_shard(path: Path) -> Shard:
    """Check a shard's metadata and columns (not yet its rows); one-line errors."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
        schema = handle.schema_arrow
        rows = int(handle.metadata.num_rows)
    except Exception as exc:
        raise InputError.at(
            path, None, f"not a readable Parquet file ({_first_line(exc)})"
        ) from None
    raw = (schema.metadata or {}).get(META_KEY)
    if raw is None:
        raise InputError.at(path, None, "not a modtool score shard (no modtool metadata)")
    if len(raw) > MAX_META_BYTES:
        raise InputError.at(path, "metadata", f"larger than {MAX_META_BYTES} bytes")
    meta = jsonsafe.loads(raw, f"{path}: metadata")
    model = _model_of(path, meta)
    types = {name: schema.field(name).type for name in schema.names}
    if len(types) != len(schema.names):
        raise InputError.at(path, None, "has a column name twice")
    wanted = {**dict.fromkeys(FIXED_COLUMNS), **dict.fromkeys(model.attributes)}
    for name in wanted:
        if name not in types:
            raise InputError.at(path, None, f"no column {name!r}")
    for name in types:
        if name not in wanted:
            raise InputError.at(path, None, f"column {name!r} is no attribute of {model.id}")
    for name in ("id", "model", "text_hash"):
        if not (pa.types.is_string(types[name]) or pa.types.is_large_string(types[name])):
            raise InputError.at(path, f"column {name!r}", f"is {types[name]}, not text")
    if not pa.types.is_boolean(types["windowed"]):
        raise InputError.at(path, "column 'windowed'", f"is {types['windowed']}, not bool")
    for name in model.attributes:
        if not pa.types.is_floating(types[name]):
            raise InputError.at(path, f"column {name!r}", f"is {types[name]}, not float")
    return Shard(path, model, rows)


def _model_of(path: Path, meta: Any) -> ModelInfo:
    if not isinstance(meta, dict):
        raise InputError.at(path, "metadata", "not a JSON object")
    for key in ("model", "scorer", "name"):
        value = meta.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME_CHARS:
            raise InputError.at(path, "metadata", f"{key!r} is not a model name")
    attributes = meta.get("attributes")
    if (
        not isinstance(attributes, list)
        or not attributes
        or len(attributes) > MAX_ATTRIBUTES
        or not all(
            isinstance(a, str) and a.strip() and len(a) <= MAX_NAME_CHARS for a in attributes
        )
        or len(set(attributes)) != len(attributes)
    ):
        raise InputError.at(path, "metadata", "'attributes' is not a list of distinct names")
    clash = set(attributes) & set(FIXED_COLUMNS)
    if clash:
        raise InputError.at(
            path, "metadata", f"attribute {sorted(clash)[0]!r} names a fixed column"
        )
    details = meta.get("details", {})
    if not isinstance(details, dict):
        raise InputError.at(path, "metadata", "'details' is not a JSON object")
    return ModelInfo(meta["model"], meta["scorer"], meta["name"], tuple(attributes), details)


def identity(model: ModelInfo) -> tuple[object, ...]:
    """What must agree for two records to be the same model."""
    details = {k: v for k, v in model.details.items() if k not in MACHINE_DETAILS}
    return (model.scorer, model.name, model.attributes, json.dumps(details, sort_keys=True))


def _same_model(shard: Shard, known: ModelInfo, where: str) -> None:
    if identity(shard.model) == identity(known):
        return
    mine, theirs = shard.model, known
    if (mine.scorer, mine.name) != (theirs.scorer, theirs.name):
        what = f"scorer/name {mine.scorer}/{mine.name} against {theirs.scorer}/{theirs.name}"
    elif mine.attributes != theirs.attributes:
        what = f"attributes {', '.join(mine.attributes)} against {', '.join(theirs.attributes)}"
    else:
        keys = set(mine.details) | set(theirs.details)
        differ = sorted(
            k for k in keys - MACHINE_DETAILS if mine.details.get(k) != theirs.details.get(k)
        )
        what = f"details ({', '.join(differ)})"
    raise InputError.at(
        shard.path,
        None,
        f"model {mine.id} is not the one {where} has under that id ({what}); nothing loaded",
    )


def check_rows(shard: Shard, batch: Any, offset: int) -> None:
    """Every row of ``batch`` (rows ``offset + 1 …`` of the shard) is sound."""
    import numpy as np
    import pyarrow.compute as pc

    def fail(mask: Any, problem: str) -> None:
        bad = np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
        if bad.any():
            row = offset + int(np.argmax(bad)) + 1
            raise InputError.at(shard.path, f"row {row}", problem)

    for name in batch.schema.names:
        fail(batch.column(name).is_null(), f"{name!r} is empty (null)")
    model = batch.column("model")
    fail(pc.not_equal(model, shard.model.id), f"'model' is not the shard's model {shard.model.id}")
    hashes = batch.column("text_hash")
    fail(
        pc.invert(pc.match_substring_regex(hashes, TEXT_HASH.pattern)),
        "'text_hash' is no text hash",
    )
    for name in shard.model.attributes:
        values = batch.column(name).to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            bad = ~(np.isfinite(values) & (values >= 0.0) & (values <= 1.0))
        if bad.any():
            row = int(np.argmax(bad))
            raise InputError.at(
                shard.path,
                f"row {offset + row + 1}",
                f"{name} is {float(values[row])!r}, not a number in [0, 1]",
            )


def iter_batches(shard: Shard) -> Any:
    """``(offset, record batch)`` of the whole shard, every row checked."""
    import pyarrow.parquet as pq

    columns = [*FIXED_COLUMNS, *shard.model.attributes]
    offset = 0
    try:
        handle = pq.ParquetFile(shard.path)
        for batch in handle.iter_batches(batch_size=LOAD_ROWS, columns=columns):
            check_rows(shard, batch, offset)
            yield offset, batch
            offset += batch.num_rows
    except InputError:
        raise
    except Exception as exc:
        raise InputError.at(
            shard.path, f"row {offset + 1}", f"cannot be read ({_first_line(exc)})"
        ) from None
    if offset != shard.rows:
        raise InputError.at(shard.path, None, f"holds {offset} rows, its footer says {shard.rows}")


def check_folder(store: Any, folder: Path) -> list[Shard]:
    """Every shard of ``folder``, checked in full (see the module's docstring)."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder of shards")
    paths = sorted(p for p in folder.iterdir() if is_shard_name(p) and p.is_file())
    if not paths:
        raise InputError(f"{folder}: no {SHARD_SUFFIX} shards in it")
    shards = []
    seen: dict[str, Shard] = {}
    for path in paths:
        shard = open_shard(path)
        if shard.model.id in seen:
            _same_model(shard, seen[shard.model.id].model, f"{seen[shard.model.id].path.name}")
        else:
            stored = store.scores.model(shard.model.id)
            if stored is not None:
                _same_model(shard, stored, "the database")
            seen[shard.model.id] = shard
        for _ in iter_batches(shard):
            pass
        shards.append(shard)
    return shards


def load_shards(store: Any, folder: Path, *, match: str = "external") -> LoadSummary:
    """Bring a folder of shards into ``store``, matching each shard's ``id`` to a
    comment's platform id (``match="external"``, the default: what a dump
    carries) or database id (``match="db"``: files made from a modtool export).

    Every shard is checked in full first (:func:`check_folder`): a bad one
    stops the load before anything is written. A score row takes the comment's
    content hash only when the shard's ``text_hash`` is that of the comment's
    stored body; otherwise it is kept as stale (not shown, rescored by
    ``modtool score``). Each shard is one transaction; loading again is
    harmless (rows are replaced).
    """
    if match not in ("external", "db"):
        raise InputError(f"--match must be external or db, not {match!r}")
    shards = check_folder(store, folder)
    summary = LoadSummary()
    for shard in shards:
        with store.db.atomic():
            store.scores.register_model(shard.model)
            for _, batch in iter_batches(shard):
                _load_batch(store, shard.model, batch, match, summary)
        if shard.model.id not in summary.models:
            summary.models.append(shard.model.id)
        summary.shards += 1
        summary.rows += shard.rows
    return summary


def _load_batch(store: Any, model: ModelInfo, batch: Any, match: str, summary: LoadSummary) -> None:
    from modtool.models import ScoreRow
    from modtool.store.scores import comments_by_key

    ids = batch.column("id").to_pylist()
    hashes = batch.column("text_hash").to_pylist()
    windowed = batch.column("windowed").to_pylist()
    values = [batch.column(name).to_pylist() for name in model.attributes]
    found = comments_by_key(store.db, list(dict.fromkeys(ids)), match)
    rows: list[ScoreRow] = []
    for position, key in enumerate(ids):
        matches = found.get(key, [])
        if not matches:
            summary.unmatched += 1
            continue
        if len(matches) > 1:
            summary.ambiguous += 1
            continue
        comment_id, body, chash = matches[0]
        scored_hash = hashes[position]
        if content_hash(body) != scored_hash:
            chash = f"stale:{scored_hash}"
            summary.stale += 1
        else:
            summary.loaded += 1
        scores = {
            name: column[position] for name, column in zip(model.attributes, values, strict=True)
        }
        rows.append(ScoreRow(comment_id, model.id, scores, chash, bool(windowed[position])))
    store.scores.save(rows)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
