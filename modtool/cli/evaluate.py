"""``modtool evaluate``: how good a scorer is on the site's own labels (or a labeled file)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.text import Text

from modtool.cli import output
from modtool.cli.options import db_option, store_for, thread_ids, threads_option
from modtool.cli.tables import Column, Grid, show
from modtool.errors import InputError


@click.command("evaluate")
@click.option(
    "--policy",
    "policy_ref",
    metavar="FILE_OR_NAME",
    default=None,
    help="The policy whose labels to measure against (default: the only one labelled).",
)
@click.option(
    "--model",
    "--scorer",
    "selector",
    metavar="ID",
    default=None,
    help="Stored scores: only models matching ID (an id, a family such as "
    "offline/bilstm or detoxify, or site). With --input: the scorer to run (default auto).",
)
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="L",
    help="Only these labels (repeatable); a thin one is refused.",
)
@threads_option
@click.option(
    "--input",
    "input_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A labeled CSV or JSON Lines file to score and measure instead.",
)
@click.option("--label-column", default=None, help="With --input: the 0/1 label column.")
@click.option(
    "--text-column", default="text", show_default=True, help="With --input: the text column."
)
@click.option(
    "--no-header",
    is_flag=True,
    help="With --input: the CSV has no header; columns are numbers from 1.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@db_option
def evaluate_command(
    policy_ref: str | None,
    selector: str | None,
    labels: tuple[str, ...],
    thread_refs: tuple[str, ...],
    input_path: Path | None,
    label_column: str | None,
    text_column: str,
    no_header: bool,
    as_json: bool,
    db_path: Path,
) -> None:
    """Measure stored scores against the human moderators' labels.

    For each label of the policy: positives and negatives by the human
    majority (ties, and the automatic labels of policies, are left out and
    counted), then ROC-AUC and average precision of every stored score that
    maps to the label (the attributes its rules read, the attribute of the same
    name, and `site:<label>`), and precision/recall at each threshold its rules
    use. A label with fewer than 5 positives or negatives is too thin to
    measure. With --input it scores a labeled file now and measures every
    attribute against --label-column.

    \b
    Examples:
      modtool evaluate --policy news-comments
      modtool evaluate --model offline --json
      modtool evaluate --input test.csv --no-header --text-column 1 --label-column 2 --scorer offline
    """
    from modtool.analysis.evaluate import MIN_EXAMPLES, thin_line

    if input_path is not None:
        result = _evaluate_file(input_path, label_column, text_column, no_header, selector)
        wanted = {result.labels[0].label}
    else:
        if label_column is not None or no_header:
            raise InputError("--label-column, --text-column and --no-header go with --input FILE")
        result = _evaluate_store(db_path, policy_ref, selector, labels, thread_refs)
        wanted = set(labels)
    measurable = [label for label in result.labels if not label.thin]
    thin = [label for label in result.labels if label.thin]
    asked_thin = [label for label in thin if label.label in wanted]
    if asked_thin or not measurable:
        shown = asked_thin or thin
        raise InputError(
            "; ".join(thin_line(label) for label in shown)
            if shown
            else f"no labels to measure (need at least {MIN_EXAMPLES} positives and negatives)"
        )
    if as_json:
        output.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2, allow_nan=False))
        return
    _show(result, thin)


def _evaluate_store(db_path, policy_ref, selector, labels, thread_refs):
    from modtool.analysis.evaluate import evaluate_rows
    from modtool.analysis.policy_choice import choose_policy
    from modtool.store.dataset import Selection

    store = store_for(db_path)
    choice = choose_policy(store, policy_ref)
    if choice.name is None:
        raise InputError("no labels in this database yet: label comments first (`modtool tui`)")
    keys = list(labels) or list(choice.label_keys)
    unknown = [key for key in labels if key not in choice.label_keys]
    if unknown:
        raise InputError(
            f"label {unknown[0]!r} is not in policy {choice.name} "
            f"(labels: {', '.join(choice.label_keys)})"
        )
    selection = Selection(
        thread_ids=thread_ids(store, thread_refs), labeled_only=True, policy=choice.name
    )
    return evaluate_rows(
        store.dataset.iter_rows(selection),
        keys,
        choice.policy,
        selector=selector,
        source=f"policy {choice.name}, {store.path}",
    )


def _evaluate_file(path, label_column, text_column, no_header, selector):
    from modtool.analysis.evaluate import evaluate_file, read_labeled_file
    from modtool.cli.scoring import load_scorer
    from modtool.scoring.pipeline import score_texts

    if label_column is None:
        raise InputError("--input needs --label-column (the 0/1 label)")
    labeled = read_labeled_file(path, text_column, label_column, header=not no_header)

    def score(texts: list[str]) -> tuple[str, list[dict[str, float]]]:
        scorer = load_scorer(selector or "auto", {}, [])
        batch = int(getattr(scorer, "batch_size", 32))
        results = score_texts(scorer, texts, batch_size=batch)
        return scorer.model.id, [r.scores for r in results]

    return evaluate_file(labeled, score, label_column, f"{path} ({len(labeled.texts)} rows)")


def _show(result, thin) -> None:
    from modtool.cli.analysis_views import num

    parts: list = [
        Text(
            f"{result.source}: {result.reviewed} {result.unit}"
            + (
                f"; {result.non_human} verdicts by policies/tools left out"
                if result.non_human
                else ""
            )
        )
    ]
    for label in result.labels:
        if label.thin:
            continue
        grid = Grid(
            f"{label.label}: {label.positives} positive, {label.negatives} negative"
            + (f", {label.tied} tied (left out)" if label.tied else ""),
            [
                Column("model"),
                Column("attribute"),
                Column("pos", 1, "right"),
                Column("neg", 1, "right"),
                Column("ROC-AUC", 0, "right"),
                Column("AP", 0, "right"),
                Column("at the policy's thresholds", 2, fold=True, min_width=20),
            ],
            more="a wider terminal (COLUMNS=N) shows all",
        )
        for a in label.attributes:
            at = "; ".join(
                f"{t.rule} {t.op} {t.confusion.threshold:g}: "
                f"P {num(t.confusion.precision)} R {num(t.confusion.recall)} "
                f"(TP {t.confusion.tp} FP {t.confusion.fp} FN {t.confusion.fn} "
                f"TN {t.confusion.tn})"
                for t in a.thresholds
            )
            grid.add_row(
                a.model,
                a.attribute,
                str(a.positives),
                str(a.negatives),
                num(a.roc_auc, 3),
                num(a.average_precision, 3),
                at,
            )
        if not label.attributes:
            grid.add_row("-", "no stored score maps to this label", "", "", "", "", "")
        parts.append(grid)
    if thin:
        from modtool.analysis.evaluate import thin_line

        parts.append(Text("not measured: " + "; ".join(thin_line(t) for t in thin), style="dim"))
    show(*parts)


COMMANDS = [evaluate_command]
