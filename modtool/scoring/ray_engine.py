"""``modtool score --engine ray``: the same scorer on a Ray Data actor pool.

Store mode. The driver cuts the comments the model has not scored into id
ranges (only ids pass through its memory), and a Ray Datasource reads each
range's texts in a read task pinned to the driver's node (that is where the
SQLite file is), sorted longest first, so ``map_batches`` hands every actor
batches of similar length, as the local pipeline does. Each actor builds
**exactly** the local engine's scorer (``make_scorer`` with the same options;
it refuses to run if its model id differs from the driver's), scores its batch
with the same dedup, length sorting, model batching and windowing
(:func:`modtool.scoring.pipeline.score_texts` over one batch), and returns
ids, content hashes, the windowed flag and the scores. The driver commits each
returned batch to SQLite as it arrives (``iter_batches``), one transaction
each: a run that is stopped (Ctrl-C, a kill, a lost node) keeps what was
committed, and the next run reads only what is still unscored, so no comment
is scored twice.

Ray is optional (``pip install 'modtool[ray]'``) and imported only here,
inside functions.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from modtool.errors import InputError, ModtoolError
from modtool.models import ScoreRow
from modtool.scoring.base import ScoreSummary
from modtool.store import Store
from modtool.store.scores import read_unscored_block, unscored_ranges

INSTALL_HINT = "--engine ray needs Ray, which is not installed: pip install 'modtool[ray]'"
TOP = 5
BLOCK_BATCHES = 8  # a read block holds this many batches (sorted by length inside) …
MIN_BLOCK = 512  # … and at least this many rows (a read task costs a few ms of Ray time)
READERS = 1  # SQLite read tasks at a time (they take no CPU, so Ray would not limit them)

Progress = Callable[[int, int], None]
ShouldStop = Callable[[], bool]


@dataclass(frozen=True, slots=True)
class RayOptions:
    """How the work is spread: ``address`` ``None`` starts a local cluster for the
    run (``ray.init(num_cpus=…)``) and stops it afterwards; ``auto`` or
    ``HOST:PORT`` joins a running one. ``actors`` ``None``: as many as the
    cluster's CPUs (or GPUs, with ``gpus_per_actor``) allow."""

    address: str | None = None
    actors: int | None = None
    cpus_per_actor: float = 1.0
    gpus_per_actor: float = 0.0
    batch_size: int = 32

    def check(self) -> None:
        if self.actors is not None and self.actors < 1:
            raise InputError(f"--actors must be at least 1, not {self.actors}")
        if self.cpus_per_actor <= 0:
            raise InputError(f"--cpus-per-actor must be positive, not {self.cpus_per_actor:g}")
        if self.gpus_per_actor < 0:
            raise InputError(f"--gpus-per-actor must not be negative, not {self.gpus_per_actor:g}")
        if self.batch_size < 1:
            raise InputError(f"--batch-size must be at least 1, not {self.batch_size}")


def import_ray() -> Any:
    """``ray``, or a one-line error saying how to install it."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise ModtoolError(INSTALL_HINT) from None
    return ray


@contextlib.contextmanager
def cluster(options: RayOptions) -> Iterator[Any]:
    """Connect to (or start) the cluster for one run; disconnect at the end.

    A cluster this call started is stopped by ``ray.shutdown()``; a joined one
    only loses this driver (and with it the driver's actors and tasks). When
    Ray is already initialised in this process (a test session, a notebook),
    it is used as it is and left running.
    """
    ray = import_ray()
    if ray.is_initialized():
        yield ray
        return
    quiet = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR}
    try:
        if options.address is None:
            wanted = (options.actors or max(1, os.cpu_count() or 1)) * options.cpus_per_actor
            ray.init(num_cpus=max(1, round(wanted + 0.49)), **quiet)
        else:
            ray.init(address=options.address, **quiet)
    except Exception as exc:
        where = options.address or "a local cluster"
        raise ModtoolError(f"cannot start or join Ray ({where}): {_first_line(exc)}") from None
    try:
        yield ray
    finally:
        ray.shutdown()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _quiet_data(ray: Any) -> None:
    """No Ray Data progress bars or execution banners: modtool draws its own."""
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    context.verbose_stats_logs = False
    for name in ("ray.data", "ray"):
        logging.getLogger(name).setLevel(logging.ERROR)
    # max_restarts goes through **ray_remote_args, deprecated from Ray 2.60 on, with
    # no named replacement yet.
    warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated")


def actor_count(ray: Any, options: RayOptions) -> int:
    if options.actors is not None:
        return options.actors
    resources = ray.cluster_resources()
    if options.gpus_per_actor > 0:
        return max(1, int(resources.get("GPU", 0) // options.gpus_per_actor))
    return max(1, int(resources.get("CPU", 1) // options.cpus_per_actor))


class ScoreActor:
    """One actor of the pool: builds the local engine's scorer once, then scores
    batches (``{"text", "key"…}`` numpy columns) with the local pipeline's code."""

    def __init__(
        self, scorer_name: str, scorer_options: dict[str, Any], model_id: str, passthrough: list
    ) -> None:
        from modtool.scoring.registry import make_scorer

        self.scorer = make_scorer(scorer_name, **scorer_options)
        if self.scorer.model.id != model_id:
            raise ModtoolError(
                f"a Ray actor built model {self.scorer.model.id}, not the driver's {model_id} "
                "(is the same checkpoint file at the same path on every node?)"
            )
        self.attributes = list(self.scorer.attributes)
        self.passthrough = list(passthrough)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from modtool.scoring.pipeline import score_texts

        texts = ["" if text is None else str(text) for text in batch["text"]]
        results = score_texts(self.scorer, texts, batch_size=max(1, len(texts)))
        scores = np.array(
            [[result.scores[name] for name in self.attributes] for result in results],
            dtype=np.float64,
        ).reshape(len(texts), len(self.attributes))
        out = {name: batch[name] for name in self.passthrough}
        out["windowed"] = np.array([result.windowed for result in results], dtype=bool)
        out["scores"] = scores
        seen: set[str] = set()
        first = np.zeros(len(texts), dtype=np.int64)
        for position, text in enumerate(texts):
            if text not in seen:
                seen.add(text)
                first[position] = 1
        out["first"] = first  # first time this text was seen in its batch
        return out


def _pending_source(ray: Any, db_path: str, model_id: str, thread_id: int | None, ranges: list):
    """A Ray Datasource: one read task per id range, each a length-sorted block."""
    import pyarrow as pa
    from ray.data.block import BlockMetadata
    from ray.data.datasource import Datasource, ReadTask

    def read(first: int, last: int) -> list:
        rows = read_unscored_block(db_path, model_id, thread_id, first, last)
        rows.sort(key=lambda row: len(row[1]), reverse=True)
        return [
            pa.table(
                {
                    "comment_id": pa.array([row[0] for row in rows], pa.int64()),
                    "text": pa.array([row[1] for row in rows], pa.string()),
                    "content_hash": pa.array([row[2] for row in rows], pa.string()),
                }
            )
        ]

    class PendingComments(Datasource):
        def estimate_inmemory_data_size(self) -> int | None:
            return None

        def get_read_tasks(self, parallelism: int, **_: Any) -> list:
            return [
                ReadTask(
                    lambda first=first, last=last: read(first, last),
                    BlockMetadata(
                        num_rows=count, size_bytes=None, input_files=None, exec_stats=None
                    ),
                )
                for first, last, count in ranges
            ]

    return PendingComments()


def score_store_ray(
    store: Store,
    scorer_name: str,
    scorer_options: dict[str, Any],
    model: Any,
    headline_attribute: str,
    options: RayOptions,
    *,
    thread_id: int | None = None,
    note: str | None = None,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> ScoreSummary:
    """Score the store's unscored comments on a Ray actor pool; see the module doc.

    ``scorer_name``/``scorer_options`` are what every actor passes to
    :func:`~modtool.scoring.registry.make_scorer` (the driver resolves ``auto``
    first, so that no actor falls back on its own); ``model`` is the driver's
    :class:`~modtool.models.ModelInfo` of that scorer.
    """
    options.check()
    if store.path is None:
        raise InputError("--engine ray needs a database file (not an in-memory store)")
    started = time.perf_counter()
    store.scores.register_model(model)
    block = max(MIN_BLOCK, options.batch_size * BLOCK_BATCHES)
    ranges = list(unscored_ranges(store.db, model.id, thread_id, block))
    total = sum(count for _, _, count in ranges)
    summary = ScoreSummary(model=model.id, attribute=headline_attribute, total=total, note=note)
    summary.skipped = store.comments.count(thread_id) - total
    if progress:
        progress(0, total)
    if total:
        with cluster(options) as ray:
            _run(
                ray,
                store,
                scorer_name,
                scorer_options,
                model,
                options,
                thread_id,
                ranges,
                summary,
                progress,
                should_stop,
            )
    summary.seconds = time.perf_counter() - started
    summary.top = store.scores.top(model.id, headline_attribute, thread_id=thread_id, limit=TOP)
    return summary


def _run(
    ray: Any,
    store: Store,
    scorer_name: str,
    scorer_options: dict[str, Any],
    model: Any,
    options: RayOptions,
    thread_id: int | None,
    ranges: list,
    summary: ScoreSummary,
    progress: Progress | None,
    should_stop: ShouldStop | None,
) -> None:
    _quiet_data(ray)
    source = _pending_source(ray, str(store.path), model.id, thread_id, ranges)
    dataset = ray.data.read_datasource(
        source,
        # A read is a short SQLite query: it must never wait for an actor's CPU, and
        # zero-CPU tasks must be capped or Ray starts a worker process for each.
        num_cpus=0,
        concurrency=READERS,
        # Ray gives every node a resource "node:<its IP>": asking for a sliver of the
        # driver's pins the reads to the machine that has the SQLite file.
        resources={f"node:{ray.util.get_node_ip_address()}": 0.001},
    )
    scored = dataset.map_batches(
        ScoreActor,
        fn_constructor_kwargs={
            "scorer_name": scorer_name,
            "scorer_options": actor_options(scorer_options, options),
            "model_id": model.id,
            "passthrough": ["comment_id", "content_hash"],
        },
        **restarts(options),
        batch_size=options.batch_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=actor_count(ray, options)),
        num_cpus=options.cpus_per_actor,
        num_gpus=options.gpus_per_actor or None,
    )
    attributes = list(model.attributes)
    try:
        for batch in scored.iter_batches(batch_size=None, batch_format="numpy"):
            rows = [
                ScoreRow(
                    int(comment_id),
                    model.id,
                    dict(zip(attributes, map(float, values), strict=True)),
                    str(content_hash),
                    bool(windowed),
                )
                for comment_id, content_hash, windowed, values in zip(
                    batch["comment_id"],
                    batch["content_hash"],
                    batch["windowed"],
                    batch["scores"],
                    strict=True,
                )
            ]
            store.scores.save(rows)
            summary.batches += 1
            summary.scored += len(rows)
            summary.unique_texts += int(batch["first"].sum())
            summary.windowed += sum(1 for row in rows if row.windowed)
            if progress:
                progress(summary.scored, summary.total)
            if should_stop and should_stop():
                summary.stopped = summary.scored < summary.total
                break
    except ray.exceptions.RayError as exc:
        raise ModtoolError(f"the Ray run failed: {_ray_cause(exc)}") from None


def restarts(options: RayOptions) -> dict[str, Any]:
    """No actor restarts on a local cluster started for the run: there is no node
    to lose there, and Ray warns on stderr about restarting actors whose
    constructor arguments live in the object store. A joined cluster keeps Ray's
    restarts (a lost node's work is retried)."""
    return {"max_restarts": 0} if options.address is None else {}


def actor_options(scorer_options: dict[str, Any], options: RayOptions) -> dict[str, Any]:
    """The scorer options for an actor: one torch thread per CPU it holds, unless
    ``--threads`` said otherwise (Ray gives an actor only the CPUs it asked for)."""
    result = dict(scorer_options)
    if "num_threads" in result and result["num_threads"] is None:
        result["num_threads"] = max(1, int(options.cpus_per_actor))
    return result


def _ray_cause(exc: BaseException) -> str:
    """The user-facing line inside a Ray error (a ModtoolError an actor raised)."""
    cause = getattr(exc, "cause", None)
    seen = 0
    while cause is not None and seen < 5:
        if isinstance(cause, ModtoolError):
            return cause.message
        cause = getattr(cause, "cause", None) or cause.__cause__
        seen += 1
    lines = [line for line in str(exc).splitlines() if line.strip()]
    for line in reversed(lines):
        if "ModtoolError" in line or "InputError" in line:
            return line.split(": ", 1)[-1]
    return lines[-1] if lines else type(exc).__name__


# -- file mode ------------------------------------------------------------------------
def _files_source(items: list, text_column: str, id_column: str, block: int):
    """A Ray Datasource: one read task per input file (its shard), blocks of rows
    sorted by length inside, each row carrying its shard and row number."""
    import pyarrow as pa
    from ray.data.block import BlockMetadata
    from ray.data.datasource import Datasource, ReadTask

    from modtool.scoring.files import read_rows, text_hashes

    def read(item: Any) -> Iterator:
        row = 0
        for ids, texts in read_rows(item, text_column, id_column, chunk=block):
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
            yield pa.table(
                {
                    "shard": pa.array([item.index] * len(order), pa.int32()),
                    "row": pa.array([row + i for i in order], pa.int64()),
                    "id": pa.array([ids[i] for i in order], pa.string()),
                    "text": pa.array([texts[i] for i in order], pa.string()),
                    "text_hash": pa.array(text_hashes([texts[i] for i in order]), pa.string()),
                }
            )
            row += len(texts)

    class InputFiles(Datasource):
        def estimate_inmemory_data_size(self) -> int | None:
            return None

        def get_read_tasks(self, parallelism: int, **_: Any) -> list:
            return [
                ReadTask(
                    lambda item=item: read(item),
                    BlockMetadata(
                        num_rows=item.rows,
                        size_bytes=item.size,
                        input_files=[str(item.path)],
                        exec_stats=None,
                    ),
                )
                for item in items
            ]

    return InputFiles()


def score_files_ray(
    scorer_name: str,
    scorer_options: dict[str, Any],
    model: Any,
    items: list,
    text_column: str,
    id_column: str,
    options: RayOptions,
    *,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> Any:
    """File mode on a Ray actor pool: the driver gathers each input file's rows as
    they come back and writes its shard (atomically) once the last row is in.

    The input files must be readable at the same path from every node (a shared
    file system or object store mount); shards are written by the driver.
    """
    from modtool.scoring.files import FileSummary, ShardBuffer, is_done

    options.check()
    started = time.perf_counter()
    summary = FileSummary(model=model.id)
    pending = [item for item in items if not is_done(item, model)]
    summary.skipped_files = len(items) - len(pending)
    total = sum(item.rows for item in pending)
    attributes = list(model.attributes)
    if progress:
        progress(0, total)
    for item in [item for item in pending if item.rows == 0]:
        summary.written.append(ShardBuffer(item, attributes).write(model))
        summary.files += 1
    pending = [item for item in pending if item.rows]
    if pending:
        with cluster(options) as ray:
            _quiet_data(ray)
            block = max(MIN_BLOCK, options.batch_size * BLOCK_BATCHES)
            actors = actor_count(ray, options)
            dataset = ray.data.read_datasource(
                _files_source(pending, text_column, id_column, block),
                num_cpus=0,  # capped: one file reader per two actors
                concurrency=max(1, min(len(pending), actors // 2)),
            )
            scored = dataset.map_batches(
                ScoreActor,
                fn_constructor_kwargs={
                    "scorer_name": scorer_name,
                    "scorer_options": actor_options(scorer_options, options),
                    "model_id": model.id,
                    "passthrough": ["shard", "row", "id", "text_hash"],
                },
                **restarts(options),
                batch_size=options.batch_size,
                batch_format="numpy",
                compute=ray.data.ActorPoolStrategy(size=actors),
                num_cpus=options.cpus_per_actor,
                num_gpus=options.gpus_per_actor or None,
            )
            by_index = {item.index: item for item in pending}
            buffers: dict[int, ShardBuffer] = {}
            try:
                for batch in scored.iter_batches(batch_size=None, batch_format="numpy"):
                    shards = batch["shard"]
                    for index in sorted(set(int(s) for s in shards)):
                        mask = shards == index
                        buffer = buffers.get(index)
                        if buffer is None:
                            buffer = buffers[index] = ShardBuffer(by_index[index], attributes)
                        buffer.put(
                            batch["row"][mask],
                            batch["id"][mask],
                            batch["text_hash"][mask],
                            batch["windowed"][mask],
                            batch["scores"][mask],
                        )
                        if buffer.complete:
                            summary.written.append(buffer.write(model))
                            summary.files += 1
                            del buffers[index]
                    summary.rows += len(shards)
                    summary.windowed += int(batch["windowed"].sum())
                    if progress:
                        progress(summary.rows, total)
                    if should_stop and should_stop():
                        summary.stopped = summary.rows < total
                        break
            except ray.exceptions.RayError as exc:
                raise ModtoolError(f"the Ray run failed: {_ray_cause(exc)}") from None
    summary.seconds = time.perf_counter() - started
    return summary


@dataclass(frozen=True, slots=True)
class DriverModel:
    """What the driver needs of the scorer the actors will build: its model
    (id, attributes, details), scorer name, headline attribute and note."""

    model: Any
    scorer_name: str
    headline_attribute: str
    note: str | None
    attributes: tuple[str, ...]


def driver_model(scorer_name: str, options: dict[str, Any]) -> DriverModel:
    """The model the actors will build, described on the driver's CPU.

    The driver of a GPU cluster often has no GPU, and needs no quantized or
    bf16 copy: it builds the fp32 model on the CPU (same checkpoint, same
    hash) and derives the id of the requested precision (``…+bf16``,
    ``…+int8``). Every actor builds the real scorer and refuses to run if its
    id differs; device and precision checks happen there, on the hardware
    that runs them.
    """
    from modtool.scoring import precision as precisions
    from modtool.scoring.registry import make_scorer

    precision = precisions.resolve(options.get("precision"), bool(options.get("quantize")))
    local = {**options, "device": "cpu", "precision": None, "quantize": False}
    if scorer_name in ("profanity-check", "offline"):
        local = {}
    scorer = make_scorer(scorer_name, **local)
    model = scorer.model
    if model.scorer == "detoxify" and precision != "fp32":
        details = {**model.details, "precision": precision, "quantized": precision == "int8"}
        model = type(model)(
            id=model.id + precisions.SUFFIX[precision],
            scorer=model.scorer,
            name=model.name,
            attributes=model.attributes,
            details=details,
        )
    return DriverModel(
        model=model,
        scorer_name=model.scorer,
        headline_attribute=scorer.headline_attribute,
        note=scorer.note,
        attributes=tuple(scorer.attributes),
    )
