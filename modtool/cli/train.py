"""``modtool train``: a site model per label from the human moderators' labels."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.text import Text

from modtool.cli import output
from modtool.cli.options import db_option, store_for
from modtool.cli.tables import Column, Grid, show
from modtool.errors import InputError


@click.command("train")
@click.option(
    "--policy",
    "policy_ref",
    metavar="FILE_OR_NAME",
    default=None,
    help="The policy whose labels to learn (default: the only one labelled).",
)
@click.option(
    "--labels",
    "labels",
    multiple=True,
    metavar="L",
    help="Only these labels (repeatable); one with too few examples is refused.",
)
@click.option(
    "--no-offline-features",
    is_flag=True,
    help="Hashed n-grams only, even when the offline model is installed.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@db_option
def train_command(
    policy_ref: str | None,
    labels: tuple[str, ...],
    no_offline_features: bool,
    as_json: bool,
    db_path: Path,
) -> None:
    """Learn the site's own policy from its human moderators' labels.

    Fits one logistic regression per label of the policy on the comments the
    moderators reviewed (their majority; ties and the policies' automatic
    labels left out), over hashed word and character n-grams and, when the
    offline model is installed, its BiLSTM states. Prints 5-fold
    cross-validated ROC-AUC and average precision per label beside the generic
    scorer's on the same comments, and stores the model (a new id every time).
    A label needs at least 20 positive and 20 negative examples. Then
    `modtool score --scorer site` writes `site:<label>` scores.

    \b
    Examples:
      modtool train --policy news-comments
      modtool train --labels insult --labels spam
      modtool score --scorer site && modtool evaluate --model site
    """
    from modtool.analysis.policy_choice import choose_policy
    from modtool.learn.train import train
    from modtool.store.dataset import Selection

    store = store_for(db_path)
    choice = choose_policy(store, policy_ref)
    if choice.name is None:
        raise InputError("no labels in this database yet: label comments first (`modtool tui`)")
    unknown = [key for key in labels if key not in choice.label_keys]
    if unknown:
        raise InputError(
            f"label {unknown[0]!r} is not in policy {choice.name} "
            f"(labels: {', '.join(choice.label_keys)})"
        )
    keys = list(labels) or list(choice.label_keys)
    if not keys:
        raise InputError(f"policy {choice.name} has no labels to learn")
    policy_hash = choice.policy.hash if choice.policy is not None else ""
    rows = store.dataset.iter_rows(Selection(labeled_only=True, policy=choice.name))
    trained = train(
        rows,
        keys,
        choice.policy,
        choice.name,
        policy_hash,
        explicit=bool(labels),
        use_offline=not no_offline_features,
    )
    store.site_models.save(trained.record)
    record = trained.record
    if as_json:
        output.echo(
            json.dumps(
                {
                    "model": record.id,
                    "policy": record.policy_name,
                    "policy_hash": record.policy_hash,
                    "training_size": record.training_size,
                    "created_at": record.created_at,
                    "features": record.features,
                    "metrics": record.metrics,
                    "skipped": trained.skipped,
                    "seconds": round(trained.seconds, 2),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    grid = Grid(
        f"site model {record.id}: {record.training_size} reviewed comments, policy "
        f"{record.policy_name}, {trained.seconds:.1f} s",
        [
            Column("label"),
            Column("pos", 1, "right"),
            Column("neg", 1, "right"),
            Column("site AUC", 0, "right"),
            Column("site AP", 0, "right"),
            Column("generic (same comments): model attribute AUC AP", 2, fold=True, min_width=24),
        ],
        more="a wider terminal (COLUMNS=N) shows all",
    )
    for m in trained.metrics:
        generic = "; ".join(
            f"{g['model']} {g['attribute']} {g['roc_auc']:.3f} {g['average_precision']:.3f}"
            for g in m.generic
        )
        grid.add_row(
            m.label,
            str(m.positives),
            str(m.negatives),
            f"{m.roc_auc:.3f}",
            f"{m.average_precision:.3f}",
            generic or "no stored generic score for this label",
        )
    notes = [Text("site: 5-fold cross-validated (out-of-fold scores)", style="dim")]
    if trained.skipped:
        notes.append(Text("not trained: " + "; ".join(trained.skipped), style="dim"))
    notes.append(Text("score with: modtool score --scorer site"))
    show(grid, *notes)


COMMANDS = [train_command]
