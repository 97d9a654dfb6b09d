"""``modtool score``, ``modtool models``, ``modtool models fetch``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

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
    help="auto: Detoxify if its weights can be had now, else profanity-check.",
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
    default=32,
    show_default=True,
    type=int,
    help="Comments per batch (one commit each).",
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
    type=int,
    default=None,
    help="torch CPU threads (default: torch's choice, one per core).",
)
@db_option
def score_command(
    source: str | None,
    thread_ref: str | None,
    scorer_name: str,
    model_type: str | None,
    checkpoint: Path | None,
    hf_config: Path | None,
    device: str,
    batch_size: int,
    precision: str | None,
    quantize: bool,
    num_threads: int | None,
    db_path: Path,
) -> None:
    """Score comments for toxicity and store the scores (resumable).

    Comments already scored by the same model at their current text are
    skipped, so a re-run after Ctrl-C or a crash continues where it stopped
    (each batch is committed), and an edited comment is scored again. With
    `-` it reads one text per line from stdin and prints JSON lines instead,
    without touching a database.

    \b
    Examples:
      modtool score
      modtool score --thread 1 --model unbiased --batch-size 64
      modtool score --precision int8
      modtool score --scorer detoxify --checkpoint toxic_original.ckpt --hf-config ./bert-base-uncased/
      modtool score --scorer profanity-check
      echo "some text" | modtool score -
    """
    if source not in (None, "-"):
        raise InputError(f"unexpected argument {source!r}: use `-` to score text from stdin")
    if batch_size < 1:
        raise InputError(f"--batch-size must be at least 1, not {batch_size}")
    options = {
        "model_type": model_type,
        "checkpoint": checkpoint,
        "hf_config": hf_config,
        "device": device,
        "precision": precision,
        "quantize": quantize,
        "num_threads": num_threads,
    }
    if scorer_name == "profanity-check":
        used = [
            f"--{k.replace('_', '-')}" for k, v in options.items() if v not in (None, False, "cpu")
        ]
        if used:
            raise InputError(f"{', '.join(used)} only apply to the detoxify scorer")
        options = {}
    if source == "-":
        _score_stdin(scorer_name, options, batch_size)
        return

    if not db_path.exists():
        raise InputError(f"{db_path}: no such database (run `modtool import FILE` first)")
    store = store_for(db_path)
    thread_id = store.threads.resolve(thread_ref).id if thread_ref else None
    scorer = _load_scorer(scorer_name, options)
    if scorer.note:
        click.echo(f"modtool: note: {scorer.note}", err=True)
    summary = _run_with_progress(store, scorer, thread_id, batch_size)
    _print_summary(store, summary)


def _score_stdin(scorer_name: str, options: dict, batch_size: int) -> None:
    texts = [line.rstrip("\r\n") for line in sys.stdin]
    numbered = [(number, text) for number, text in enumerate(texts, 1) if text.strip()]
    if not numbered:
        raise InputError("stdin: no text to score (one text per line)")
    scorer = _load_scorer(scorer_name, options)
    if scorer.note:
        click.echo(f"modtool: note: {scorer.note}", err=True)
    results = score_texts(scorer, [text for _, text in numbered], batch_size=batch_size)
    for (number, text), result in zip(numbered, results, strict=True):
        click.echo(
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


def _load_scorer(scorer_name: str, options: dict) -> Scorer:
    """Build the scorer, with a spinner on a terminal (loading a model takes seconds)."""
    err = Console(stderr=True)
    if not err.is_terminal:
        return make_scorer(scorer_name, **options)
    with err.status(f"loading the {scorer_name} scorer…"):
        return make_scorer(scorer_name, **options)


def _run_with_progress(store, scorer, thread_id: int | None, batch_size: int) -> ScoreSummary:
    err = Console(stderr=True)
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
        started = time.perf_counter()
        with Progress(*columns, console=err, transient=False) as bar:
            task = bar.add_task("score", total=None, rate="")

            def report(done: int, total: int) -> None:
                elapsed = time.perf_counter() - started
                rate = f"{done / elapsed:.1f} comments/s" if done and elapsed > 0 else ""
                bar.update(task, completed=done, total=total, rate=rate)

            return score_store(
                store, scorer, thread_id=thread_id, batch_size=batch_size, progress=report
            )
    started = time.perf_counter()
    last = [0.0]

    def plain(done: int, total: int) -> None:
        now = time.perf_counter()
        if done in (0, total) or now - last[0] >= 2.0:
            last[0] = now
            elapsed = now - started
            rate = f" ({done / elapsed:.1f}/s)" if done and elapsed > 0 else ""
            click.echo(f"scored {done}/{total}{rate}", err=True)

    return score_store(store, scorer, thread_id=thread_id, batch_size=batch_size, progress=plain)


def _print_summary(store, summary: ScoreSummary) -> None:
    click.echo(
        f"model {summary.model}: scored {summary.scored}, skipped {summary.skipped} "
        f"already scored, windowed {summary.windowed}, in {summary.seconds:.1f} s"
        + (f" ({summary.per_second:.1f} comments/s)" if summary.scored else "")
    )
    if summary.unique_texts < summary.scored:
        click.echo(f"{summary.scored - summary.unique_texts} duplicate texts scored once")
    if summary.top:
        click.echo(f"most toxic by {summary.attribute}:")
        for comment_id, value in summary.top:
            comment = store.comments.get(comment_id)
            click.echo(
                f"  #{comment_id:<6} {value:.3f}  {one_line(comment.author, 20)}: "
                f"{one_line(comment.body, 70)}"
            )


@click.group("models", invoke_without_command=True)
@db_option
@click.pass_context
def models_command(ctx: click.Context, db_path: Path) -> None:
    """Which scorers and models are usable here, and why not.

    Also lists the models recorded in the database, if it exists.

    \b
    Examples:
      modtool models
      modtool models fetch original --to ./detoxify-offline
    """
    if ctx.invoked_subcommand is not None:
        return
    from modtool.scoring.availability import availability

    console = Console()
    table = Table(title="Scorers", title_justify="left")
    for column in ("scorer", "model", "usable", "why / how"):
        table.add_column(column, overflow="fold")
    for row in availability():
        table.add_row(row.scorer, row.model, "yes" if row.usable else "no", Text(row.detail))
    console.print(table)
    if db_path.exists():
        store = store_for(db_path)
        recorded = store.scores.models()
        if recorded:
            known = Table(title=f"Models recorded in {db_path}", title_justify="left")
            for column in ("id", "attributes", "comments scored"):
                known.add_column(column, overflow="fold")
            for model in recorded:
                known.add_row(
                    Text(model.id),
                    Text(", ".join(model.attributes)),
                    str(store.scores.count_scored(model.id)),
                )
            console.print(known)


@models_command.command("fetch")
@click.argument("name", type=click.Choice(MODEL_TYPES))
@click.option(
    "--to",
    "to",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to save the checkpoint and config/tokenizer into.",
)
@click.option("--url", default=None, hidden=True, help="Checkpoint URL (tests, mirrors).")
def fetch_command(name: str, to: Path, url: str | None) -> None:
    """Save a Detoxify model for air-gapped use (run on a connected machine).

    Downloads the release checkpoint and the Hugging Face config and tokenizer
    it names into one folder, and prints the command to use on the offline
    machine. Checkpoints are pickles: copy only files you fetched yourself.

    \b
    Example:
      modtool models fetch original --to ./detoxify-offline
    """
    from modtool.scoring.fetch import fetch

    fetched = fetch(name, to, url=url)
    click.echo(f"saved {fetched.checkpoint} and {fetched.hf_config}")
    click.echo(f"use: {fetched.command()}")


COMMANDS = [score_command, models_command]
