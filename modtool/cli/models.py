"""``modtool models`` (which scorers can run here, and the models a database holds)
and ``modtool models fetch`` (a model for offline use)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from modtool.cli import output, tables
from modtool.cli.options import db_option, store_for, table_options
from modtool.cli.tables import Column, Grid
from modtool.errors import InputError
from modtool.safe_text import terminal_safe
from modtool.scoring import MODEL_TYPES


@click.group("models", invoke_without_command=True)
@table_options()
@db_option
@click.pass_context
def models_command(ctx: click.Context, wide: bool, as_json: bool, db_path: Path) -> None:
    """Which scorers and models are usable here, and why not.

    Also lists the models recorded in the database, if it exists, and the site
    models `modtool train` stored there.

    \b
    Examples:
      modtool models
      modtool models fetch offline
      modtool models fetch original --to ./detoxify-offline
    """
    if ctx.invoked_subcommand is not None:
        return
    from modtool.scoring.availability import availability

    rows = availability()
    recorded = []
    site = []
    if db_path.exists():
        store = store_for(db_path)
        recorded = [(model, store.scores.count_scored(model.id)) for model in store.scores.models()]
        site = store.site_models.list()
    if as_json:
        output.raw_json(
            json.dumps(
                {
                    "scorers": [
                        {"scorer": r.scorer, "model": r.model, "usable": r.usable}
                        | {"detail": r.detail}
                        for r in rows
                    ],
                    "recorded": [
                        {"id": m.id, "attributes": list(m.attributes), "comments_scored": n}
                        for m, n in recorded
                    ],
                    "site_models": [
                        {
                            "id": r.id,
                            "created_at": r.created_at,
                            "policy": r.policy_name,
                            "policy_hash": r.policy_hash,
                            "training_size": r.training_size,
                            "metrics": r.metrics,
                        }
                        for r in site
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    table = Grid(
        "Scorers",
        [
            Column("scorer"),
            Column("model", 1),
            Column("usable"),
            Column("why / how", 0, fold=True, min_width=24),
        ],
    )
    for row in rows:
        table.add_row(row.scorer, row.model, "yes" if row.usable else "no", row.detail)
    known = Grid(
        f"Models recorded in {terminal_safe(str(db_path))}",
        [
            Column("id", 0, fold=True, min_width=20),
            Column("attributes", 1, fold=True, min_width=16),
            Column("comments scored", 0, "right"),
        ],
    )
    for model, scored in recorded:
        known.add_row(model.id, ", ".join(model.attributes), f"{scored:,}")
    trained = Grid(
        "Site models (modtool train; newest last, the one --scorer site uses)",
        [
            Column("id"),
            Column("trained", 2),
            Column("policy", 1),
            Column("comments", 1, "right"),
            Column("labels: cross-validated ROC-AUC", 0, fold=True, min_width=16),
        ],
    )
    for record in site:
        figures = record.metrics.get("labels", {})
        trained.add_row(
            record.id,
            record.created_at[:19],
            f"{record.policy_name} {record.policy_hash[:8]}",
            f"{record.training_size:,}",
            ", ".join(
                f"{label} {values.get('cv_roc_auc', 0):.3f}"
                for label, values in sorted(figures.items())
            ),
        )
    tables.show(table, known if known.rows else None, trained if trained.rows else None, wide=wide)


@models_command.command("fetch")
@click.argument("name", type=click.Choice((*MODEL_TYPES, "offline")))
@click.option(
    "--to",
    "to",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to save the model into (required for Detoxify; for offline: a copy to "
    "carry to an air-gapped machine).",
)
@click.option(
    "--from",
    "source",
    default=None,
    type=click.Path(exists=True, path_type=Path),
    help="offline only: install from a folder made by --to (or the wheel), without the network.",
)
@click.option("--url", default=None, hidden=True, help="Checkpoint URL (tests, mirrors).")
def fetch_command(name: str, to: Path | None, source: Path | None, url: str | None) -> None:
    """Save a model for offline use (Detoxify: run on a connected machine).

    Detoxify: downloads the release checkpoint and the Hugging Face config and
    tokenizer it names into one folder, and prints the command to use on the
    offline machine. Checkpoints are pickles: copy only files you fetched yourself.

    offline: downloads the toxic-comment-classifier 0.3.0 wheel from the package
    index (`pip download --no-deps`, sha256 checked against a pinned hash) and
    converts its BiLSTM once into modtool's cache as plain arrays + JSON (no
    TensorFlow). `--to DIR` also keeps a copy; on an air-gapped machine,
    `--from DIR` installs that copy.

    \b
    Examples:
      modtool models fetch original --to ./detoxify-offline
      modtool models fetch offline
      modtool models fetch offline --to ./offline-model     # then, air-gapped:
      modtool models fetch offline --from ./offline-model
    """
    if name == "offline":
        from modtool.scoring.offline.fetch import fetch_offline

        if url is not None:
            raise InputError("--url applies to Detoxify checkpoints only")
        fetched = fetch_offline(to, source)
        output.echo(f"installed the offline model from {fetched.source} into {fetched.cache}")
        if fetched.saved is not None:
            output.echo(
                f"saved a copy in {fetched.saved}: on an air-gapped machine run "
                f"`modtool models fetch offline --from {fetched.saved}`"
            )
        output.echo("use: modtool score --scorer offline (auto picks it when Detoxify is absent)")
        return
    if source is not None:
        raise InputError("--from applies to the offline model only")
    if to is None:
        raise InputError(f"modtool models fetch {name} needs --to DIR (the folder to save into)")
    from modtool.scoring.fetch import fetch

    fetched = fetch(name, to, url=url)
    output.echo(f"saved {fetched.checkpoint} and {fetched.hf_config}")
    output.echo(f"use: {fetched.command()}")


COMMANDS = [models_command]
