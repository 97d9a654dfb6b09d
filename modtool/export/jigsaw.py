"""``--format jigsaw``: the Jigsaw Toxic Comment Classification layout that
Detoxify's training code reads (``src/data_loaders.py`` of unitaryai/detoxify:
``pd.read_csv(file)``, then ``id``, ``comment_text`` and every column after
those two is a class with an integer target).

Columns: ``id`` (the global id), ``comment_text``, then one ``0``/``1`` column per
label of the policy. Only fully reviewed comments are written: at least one
moderator reviewed it, no label is tied (a tie has no target, and an
unreviewed comment is not a negative example) and no verdict was given for an
earlier text of the comment (``labels_stale``). Plain UTF-8 without a byte-order
mark (a BOM would rename the first column for ``pd.read_csv``) and the text as
it is: this file is training data, not for a spreadsheet (no formula
neutralising, which would change the text a model learns from).

With ``--split`` the folder is what Detoxify's ``JigsawDataOriginal`` reads with
its default settings (``add_test_labels=True``): ``train.csv``, and for every
other part ``NAME.csv`` with ``NAME_labels.csv`` beside it (``id`` and the
classes, as Kaggle's ``test_labels.csv``; the loader reads
``test_csv_file[:-4] + "_labels.csv"``). ``NAME.csv`` keeps its label columns
too, so a config with ``add_test_labels: false`` reads it as well. The classes
are the policy's label keys, not Detoxify's own six: :func:`detoxify_config`
says the ``classes`` (and ``num_classes``) a training config needs.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from modtool.export.base import ExportContext, Record
from modtool.export.schema import Fields, Type


def label_columns(context: ExportContext, records_labels: Iterable[str] = ()) -> tuple[str, ...]:
    return tuple(context.label_keys) or tuple(sorted(set(records_labels)))


def fields(context: ExportContext) -> Fields:
    columns: list[tuple[str, Type]] = [("id", "string"), ("comment_text", "string")]
    return (*columns, *((key, "int64") for key in label_columns(context)))


def fully_reviewed(record: Record) -> bool:
    """Reviewed, no tie, and every verdict given for the text as it is now (a label
    given before an edit is no target for the new text)."""
    return record["reviewers"] > 0 and not record["tied_labels"] and not record["labels_stale"]


def write_jigsaw(path: Path, records: Iterable[Record], context: ExportContext) -> int:
    keys = label_columns(context)
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "comment_text", *keys])
        for record in records:
            if not fully_reviewed(record):
                continue
            labels = set(record["labels"])
            writer.writerow(
                [record["global_id"], record["text"], *(int(k in labels) for k in keys)]
            )
            count += 1
    return count


LABELS_SUFFIX = "_labels.csv"
TRAIN = "train"


def labels_beside(part: Path) -> Path | None:
    """For a split part other than ``train``: write ``NAME_labels.csv`` (``id`` and
    the class columns of ``NAME.csv``, same rows, same order) and return its path."""
    if part.stem == TRAIN:
        return None
    target = part.with_name(part.stem + LABELS_SUFFIX)
    with (
        open(part, encoding="utf-8", newline="") as source,
        open(target, "w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.reader(source)
        writer = csv.writer(out, lineterminator="\n")
        for row in reader:
            writer.writerow([row[0], *row[2:]])
    return target


def detoxify_config(classes: Sequence[str], output: str, parts: Sequence[str] = ()) -> str:
    """What a Detoxify training config needs for this export (``configs/*.json`` in
    unitaryai/detoxify: ``dataset.args`` of ``JigsawDataOriginal``, and
    ``arch.args.num_classes``)."""
    args: dict[str, object] = {}
    if parts:
        test = next((name for name in parts if name != TRAIN), None)
        args["train_csv_file"] = f"{output.rstrip('/')}/{TRAIN}.csv"
        if test is not None:
            args["test_csv_file"] = f"{output.rstrip('/')}/{test}.csv"
    else:
        args["train_csv_file"] = output
    args["classes"] = list(classes)
    dataset = json.dumps({"type": "JigsawDataOriginal", "args": args}, ensure_ascii=False)
    return f'"dataset": {dataset}, and "num_classes": {len(classes)} in "arch"."args"'
