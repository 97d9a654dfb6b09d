"""``modtool score`` and ``modtool scores load`` (``modtool models``: :mod:`modtool.cli.models`)."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from modtool.cli import output
from modtool.cli.options import db_option, store_for, thread_option
from modtool.errors import InputError
from modtool.safe_text import one_line
from modtool.scoring import MODEL_TYPES, SCORERS, Scorer, ScoreSummary, make_scorer, score_store
from modtool.scoring.pipeline import score_texts
from modtool.scoring.precision import PRECISIONS

PICKLE_WARNING = (
    "Checkpoints are pickles, which can run code when loaded: modtool loads "
    "only the file you name here (or Detoxify's own release file)."
)
MAX_BATCH = 1_000_000
ENGINES = ("local", "ray")
DETOXIFY_ONLY = {
    "model_type": "--model",
    "checkpoint": "--checkpoint",
    "hf_config": "--hf-config",
    "device": "--device",
    "precision": "--precision",
    "quantize": "--quantize",
    "num_threads": "--threads",
}


@click.command("score")
@click.argument("source", required=False, metavar="[-]")
@thread_option
@click.option(
    "--scorer",
    "scorer_name",
    type=click.Choice(SCORERS),
    default="auto",
    show_default=True,
    envvar="MODTOOL_SCORER",
    show_envvar=True,
    help="auto: Detoxify if its weights are here, else offline if fetched, else Detoxify if "
    "downloadable now, else profanity-check. site: the newest model `modtool train` made.",
)
@click.option(
    "--model",
    "model_type",
    type=click.Choice(MODEL_TYPES),
    default=None,
    help="Detoxify model (default: original, or what --checkpoint is).",
)
@click.option(
    "--checkpoint",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    envvar="MODTOOL_DETOXIFY_CHECKPOINT",
    show_envvar=True,
    help="Local Detoxify .ckpt file (air-gapped use). " + PICKLE_WARNING,
)
@click.option(
    "--hf-config",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="MODTOOL_HF_CONFIG",
    show_envvar=True,
    help="Local Hugging Face config/tokenizer directory for the checkpoint.",
)
@click.option("--device", default="cpu", show_default=True, help="torch device: cpu, cuda, cuda:1…")
@click.option(
    "--batch-size",
    default=None,
    type=click.IntRange(1, MAX_BATCH),
    help="Comments per batch (one commit each); default: the scorer's (32 for Detoxify, "
    "512 for offline).",
)
@click.option(
    "--precision",
    type=click.Choice(PRECISIONS),
    default=None,
    help="fp32 (Detoxify's arithmetic, default), bf16 (autocast; CPUs with AVX512-BF16/AMX, "
    "GPUs) or int8 (dynamic quantization, CPU; fastest with VNNI). Each is its own model id.",
)
@click.option(
    "--quantize",
    is_flag=True,
    help="Alias of --precision int8 (scores deviate; see docs/scoring.md).",
)
@click.option(
    "--threads",
    "num_threads",
    type=click.IntRange(1, 4096),
    default=None,
    help="torch CPU threads (default: torch's choice, one per core; with --engine ray: "
    "--cpus-per-actor).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default="local",
    show_default=True,
    help="local: this process; ray: a Ray Data actor pool (pip install 'modtool[ray]').",
)
@click.option(
    "--address",
    default=None,
    help="Ray cluster to join (`auto` or HOST:PORT); default: a local cluster for the run.",
)
@click.option(
    "--actors",
    type=click.IntRange(1, 100_000),
    default=None,
    help="Ray actors, each with its own model (default: what the cluster's CPUs/GPUs allow).",
)
@click.option(
    "--cpus-per-actor",
    type=click.FloatRange(0.01, 1024),
    default=1.0,
    show_default=True,
    help="CPUs per Ray actor (also its torch threads).",
)
@click.option(
    "--gpus-per-actor",
    type=click.FloatRange(0, 64),
    default=0.0,
    show_default=True,
    help="GPUs per Ray actor (use with --device cuda).",
)
@click.option(
    "--input",
    "input_pattern",
    default=None,
    metavar="GLOB",
    help="File mode: Parquet or JSON Lines files to score instead of the store.",
)
@click.option(
    "--output",
    "output_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="File mode: folder for the Parquet shards (one per input file).",
)
@click.option("--text-column", default="text", show_default=True, help="File mode: text column.")
@click.option("--id-column", default="id", show_default=True, help="File mode: id column.")
@db_option
def score_command(
    source: str | None,
    thread_ref: str | None,
    scorer_name: str,
    model_type: str | None,
    checkpoint: Path | None,
    hf_config: Path | None,
    device: str,
    batch_size: int | None,
    precision: str | None,
    quantize: bool,
    num_threads: int | None,
    engine: str,
    address: str | None,
    actors: int | None,
    cpus_per_actor: float,
    gpus_per_actor: float,
    input_pattern: str | None,
    output_dir: Path | None,
    text_column: str,
    id_column: str,
    db_path: Path,
) -> None:
    """Score comments for toxicity and store the scores (resumable).

    Comments already scored by the same model at their current text are
    skipped, so a re-run after Ctrl-C or a crash continues where it stopped
    (each batch is committed), and an edited comment is scored again. With
    `-` it reads one text per line from stdin and prints JSON lines instead,
    without touching a database. With --input and --output it scores files
    (a dump too big for a store) into Parquet shards; `modtool scores load`
    brings them into a store.

    \b
    Examples:
      modtool score
      modtool score --thread 1 --model unbiased --batch-size 64
      modtool score --precision int8
      modtool score --engine ray --actors 2
      modtool score --engine ray --address auto --gpus-per-actor 1 --device cuda
      modtool score --engine ray --input 'dump/*.parquet' --text-column body --output scored/
      modtool score --scorer detoxify --checkpoint toxic_original.ckpt --hf-config ./bert-base-uncased/
      modtool score --scorer offline
      modtool score --scorer site
      echo "some text" | modtool score -
    """
    if source not in (None, "-"):
        raise InputError(f"unexpected argument {source!r}: use `-` to score text from stdin")
    options = {
        "model_type": model_type,
        "checkpoint": checkpoint,
        "hf_config": hf_config,
        "device": device,
        "precision": precision,
        "quantize": quantize,
        "num_threads": num_threads,
    }
    given = [DETOXIFY_ONLY[k] for k, v in options.items() if v not in (None, False, "cpu")]
    if scorer_name in ("profanity-check", "offline", "site"):
        if given:
            raise InputError(f"{', '.join(given)} only apply to the detoxify scorer")
        options = {}
    if scorer_name == "site" and (source == "-" or input_pattern or engine == "ray"):
        raise InputError(
            "--scorer site scores the store's comments locally (its models live in the store): "
            "no `-`, --input or --engine ray"
        )
    ray_options = None
    if engine == "ray":
        from modtool.scoring.ray_engine import RayOptions, import_ray

        import_ray()  # one line saying how to install it, before any model loads
        ray_options = RayOptions(address, actors, cpus_per_actor, gpus_per_actor, batch_size or 32)
    else:
        ray_given = [
            name
            for name, value, default in (
                ("--address", address, None),
                ("--actors", actors, None),
                ("--cpus-per-actor", cpus_per_actor, 1.0),
                ("--gpus-per-actor", gpus_per_actor, 0.0),
            )
            if value != default
        ]
        if ray_given:
            raise InputError(f"{', '.join(ray_given)} only apply to --engine ray")
    if (input_pattern is None) != (output_dir is None):
        raise InputError("file mode needs both --input GLOB and --output DIR")
    if source == "-":
        if ray_options or input_pattern:
            raise InputError("`modtool score -` scores stdin here: no --engine ray or --input")
        _score_stdin(scorer_name, options, batch_size, given)
        return
    if input_pattern is not None and output_dir is not None:
        if thread_ref:
            raise InputError("--thread applies to the store, not to file mode")
        _score_files(
            scorer_name, options, given, ray_options, input_pattern, output_dir,
            text_column, id_column, batch_size,
        )  # fmt: skip
        return

    store = store_for(db_path)
    thread_id = store.threads.resolve(thread_ref).id if thread_ref else None
    if scorer_name == "site":
        options = {"store": store}
    if ray_options is None:
        scorer = load_scorer(scorer_name, options, given)
        with _progress() as report:
            summary = score_store(
                store,
                scorer,
                thread_id=thread_id,
                batch_size=_batch(batch_size, scorer),
                progress=report,
            )
    else:
        from modtool.scoring.ray_engine import score_store_ray

        described = _describe_for_ray(scorer_name, options, given)
        with _progress() as report:
            summary = score_store_ray(
                store,
                described.scorer_name,
                _actor_scorer_options(described.scorer_name, options),
                described.model,
                described.headline_attribute,
                ray_options,
                thread_id=thread_id,
                note=described.note,
                progress=report,
            )
    _print_summary(store, summary)


def _actor_scorer_options(resolved_scorer: str, options: dict) -> dict:
    """What each Ray actor passes to ``make_scorer``: the driver's options for the
    scorer the driver ended up with (``auto`` already resolved)."""
    return dict(options) if resolved_scorer == "detoxify" else {}


def _describe_for_ray(scorer_name: str, options: dict, given: list[str]):
    """The driver's description of the actors' model (built on the driver's CPU),
    with the same notes as a local load."""
    from modtool.scoring.ray_engine import driver_model

    err = output.console(err=True)
    if err.is_terminal:
        with err.status(f"loading the {scorer_name} scorer…"):
            described = driver_model(scorer_name, options)
    else:
        described = driver_model(scorer_name, options)
    _notes(described.note, described.model.id, given)
    return described


def _score_stdin(scorer_name: str, options: dict, batch_size: int | None, given: list[str]) -> None:
    texts = [line.rstrip("\r\n") for line in sys.stdin]
    numbered = [(number, text) for number, text in enumerate(texts, 1) if text.strip()]
    if not numbered:
        raise InputError("stdin: no text to score (one text per line)")
    scorer = load_scorer(scorer_name, options, given)
    results = score_texts(
        scorer, [text for _, text in numbered], batch_size=_batch(batch_size, scorer)
    )
    for (number, text), result in zip(numbered, results, strict=True):
        output.echo(
            json.dumps(
                {
                    "line": number,
                    "text": text,
                    "model": scorer.model.id,
                    "scores": result.scores,
                    "windowed": result.windowed,
                }
            )
        )


def _score_files(
    scorer_name: str,
    options: dict,
    given: list[str],
    ray_options,
    pattern: str,
    output_dir: Path,
    text_column: str,
    id_column: str,
    batch_size: int | None,
) -> None:
    from modtool.scoring import files

    items = files.plan(pattern, output_dir, text_column, id_column)
    if ray_options is None:
        scorer = load_scorer(scorer_name, options, given)
        with _progress() as report:
            summary = files.score_files_local(
                scorer,
                items,
                text_column,
                id_column,
                batch_size=_batch(batch_size, scorer),
                progress=report,
            )
    else:
        from modtool.scoring.ray_engine import score_files_ray

        described = _describe_for_ray(scorer_name, options, given)
        with _progress() as report:
            summary = score_files_ray(
                described.scorer_name,
                _actor_scorer_options(described.scorer_name, options),
                described.model,
                items,
                text_column,
                id_column,
                ray_options,
                progress=report,
            )
    output.echo(
        f"model {summary.model}: scored {summary.rows} rows into {summary.files} shards in "
        f"{output_dir}, skipped {summary.skipped_files} shards already complete, windowed "
        f"{summary.windowed}, in {summary.seconds:.1f} s"
        + (f" ({summary.per_second:.1f} rows/s)" if summary.rows else "")
    )


def _batch(given: int | None, scorer: Scorer) -> int:
    """``--batch-size``, else the scorer's preferred batch, else 32."""
    return given or int(getattr(scorer, "batch_size", 32))


def load_scorer(scorer_name: str, options: dict, given: list[str]) -> Scorer:
    """Build the scorer, with a spinner on a terminal (loading a model takes seconds);
    say so when ``auto`` fell back and Detoxify-only options are therefore ignored."""
    err = output.console(err=True)
    if err.is_terminal:
        with err.status(f"loading the {scorer_name} scorer…"):
            scorer = make_scorer(scorer_name, **options)
    else:
        scorer = make_scorer(scorer_name, **options)
    _notes(scorer.note, scorer.model.id, given)
    return scorer


def _notes(note: str | None, model_id: str, given: list[str]) -> None:
    """The fallback note, and which Detoxify-only options the fallback ignores."""
    if note:
        output.note(note)
    if not model_id.startswith("detoxify/") and given:
        output.warning(
            f"{', '.join(given)} {'applies' if len(given) == 1 else 'apply'} to Detoxify only: "
            f"ignored with {model_id}"
        )


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback: a Rich bar on a terminal, else plain
    lines at most every 2 s; nothing at all when there is nothing to score."""
    err = output.console(err=True)
    started = time.perf_counter()
    if err.is_terminal:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = (
            TextColumn("scoring"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=err, transient=False) as bar:
            task = bar.add_task("score", total=None, rate="", visible=False)

            def report(done: int, total: int) -> None:
                elapsed = time.perf_counter() - started
                rate = f"{done / elapsed:.1f} comments/s" if done and elapsed > 0 else ""
                bar.update(task, completed=done, total=total, rate=rate, visible=total > 0)

            yield report
        return
    last = [0.0]

    def plain(done: int, total: int) -> None:
        if total == 0:
            return
        now = time.perf_counter()
        if done in (0, total) or now - last[0] >= 2.0:
            last[0] = now
            elapsed = now - started
            rate = f" ({done / elapsed:.1f}/s)" if done and elapsed > 0 else ""
            output.echo(f"scored {done}/{total}{rate}", err=True)

    yield plain


def _print_summary(store, summary: ScoreSummary) -> None:
    output.echo(
        f"model {summary.model}: scored {summary.scored}, skipped {summary.skipped} "
        f"already scored, windowed {summary.windowed}, in {summary.seconds:.1f} s"
        + (f" ({summary.per_second:.1f} comments/s)" if summary.scored else "")
    )
    if summary.unique_texts < summary.scored:
        output.echo(f"{summary.scored - summary.unique_texts} duplicate texts scored once")
    if summary.top:
        output.echo(f"most toxic by {summary.attribute}:")
        for comment_id, value in summary.top:
            comment = store.comments.get(comment_id)
            output.echo(
                f"  #{comment_id:<6} {value:.3f}  {one_line(comment.author, 20)}: "
                f"{one_line(comment.body, 70)}"
            )


@click.group("scores")
def scores_command() -> None:
    """Scores made elsewhere: bring file-mode shards into a store.

    \b
    Example:
      modtool score --engine ray --input 'dump/*.parquet' --text-column body --output scored/
      modtool scores load scored/
    """


@scores_command.command("load")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--match",
    type=click.Choice(["external", "db"]),
    default="external",
    show_default=True,
    help="What a shard's id is: the platform's comment id (external_id) or the database id.",
)
@db_option
def scores_load_command(folder: Path, match: str, db_path: Path) -> None:
    """Load the Parquet shards of `modtool score --input … --output FOLDER`.

    Each shard id is matched to a comment by its platform id (default) or its
    database id (--match db). A score whose text differs from the stored
    comment's text is kept as stale: not shown, and `modtool score` redoes it.

    \b
    Example:
      modtool scores load scored/ --db site.db
    """
    from modtool.scoring.shards import load_shards

    store = store_for(db_path)
    summary = load_shards(store, folder, match=match)
    output.echo(
        f"loaded {summary.loaded} comments' scores from {summary.shards} shards "
        f"({', '.join(summary.models)}); {summary.stale} stale (another text than the store's), "
        f"{summary.unmatched} ids unmatched, {summary.ambiguous} ambiguous"
    )


COMMANDS = [score_command, scores_command]
