"""``modtool export``, ``modtool stats``, ``modtool agreement``, ``modtool calibrate``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from modtool.cli.options import db_option, store_for
from modtool.errors import InputError
from modtool.store import Store


def _thread_ids(store: Store, refs: tuple[str, ...]) -> tuple[int, ...] | None:
    if not refs:
        return None
    return tuple(sorted({store.threads.resolve(ref).id for ref in refs}))


thread_filter = click.option(
    "--thread", "thread_refs", multiple=True, metavar="ID",
    help="Only this thread (id or source path); repeat for several. Default: all threads.",
)
policy_option = click.option(
    "--policy", "policy_ref", metavar="NAME",
    help="Whose labels: a policy file, a shipped policy name, or the name labels were "
         "stored under (default: the only policy with labels).",
)


@click.command("export")
@click.option("--format", "format_name", metavar="FORMAT",
              help="jsonl, csv, parquet or convokit (default: from the output's extension).")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="File to write (a folder for convokit or --split).")
@thread_filter
@click.option("--labeled-only", is_flag=True,
              help="Only comments at least one moderator reviewed (labeled or approved).")
@policy_option
@click.option("--split", "split_spec", metavar="NAME=SHARE,…",
              help="Split by thread into parts, e.g. train=0.8,test=0.2 (OUTPUT is a folder).")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed for --split: the same seed gives the same split.")
@click.option("--force", is_flag=True, help="Replace an existing non-empty output folder.")
@db_option
def export_command(format_name: str | None, output: Path, thread_refs: tuple[str, ...],
                   labeled_only: bool, policy_ref: str | None, split_spec: str | None,
                   seed: int, force: bool, db_path: Path) -> None:
    """Export comments with scores and moderators' labels as a dataset.

    One record per comment with the text it replies to, every score, the
    majority labels (ties marked) and each moderator's labels. Written to a
    temporary file and renamed, so OUTPUT is never half-written.

    \b
    Examples:
      modtool export --format jsonl -o labeled.jsonl --labeled-only
      modtool export -o labeled.csv --policy news-comments
      modtool export --format convokit -o corpus_dir/
      modtool export --format jsonl --split train=0.8,test=0.2 --seed 7 -o out_dir/
    """
    from modtool.analysis.policy_choice import choose_policy
    from modtool.export import Selection, export, format_for, parse_split

    if split_spec is not None and format_name is None:
        raise InputError("--split writes a folder: give --format (jsonl, csv, parquet, convokit)")
    fmt = format_for(format_name, output)
    parts = parse_split(split_spec) if split_spec is not None else None
    store = store_for(db_path)
    choice = choose_policy(store, policy_ref)
    selection = Selection(thread_ids=_thread_ids(store, thread_refs),
                          labeled_only=labeled_only, policy=choice.name)
    result = export(store, fmt=fmt, output=output, selection=selection,
                    label_keys=choice.label_keys, split=parts, seed=seed, force=force)
    for warning in result.warnings:
        click.echo(f"modtool: warning: {warning}", err=True)
    policy = f" under policy {choice.name}" if choice.name else " (no labels)"
    click.echo(f"exported {result.comments} comments from {result.threads} thread(s){policy} "
               f"as {fmt} to {output}")
    for name, part in result.parts.items():
        click.echo(f"  {name}: {part['comments']} comments, {part['threads']} thread(s)")


COMMANDS = [export_command]
