"""A Jigsaw ``--split`` export read the way Detoxify's training code reads it
(issue 17.13).

The installed ``detoxify`` package ships only inference, not its training loader,
so :func:`jigsaw_original` below re-implements, step by step, what
``JigsawData.__init__`` and ``JigsawDataOriginal.__getitem__`` in
unitaryai/detoxify ``src/data_loaders.py`` (commit
784974b0c397908ab564b8bea1f73be4a61073be) do with their default arguments
(``val_fraction=0.1``, ``create_val_set=True``, ``add_test_labels=True``), and
how ``train.py`` passes a config's ``dataset.args`` to it
(``configs/Toxic_comment_classification_BERT.json``, commit
28135722c3db6034e8ada08c5fd4afe42486c03b): pandas reads the CSVs, ``datasets``
holds them, the test part's labels come from ``test_csv_file[:-4] +
"_labels.csv"`` column by column, and an item's targets are the entry's columns
named in ``classes``, in the entry's order (the model's ``num_classes`` outputs).

The fixture, counted by hand: thread 1 is the sample (comments 1-27), thread 2 the
same comments under another title (28-54). One moderator, so nothing is tied:
thread 1: insult on 1, 4, 9, 17, approved 2, 3, 5 (7 fully reviewed, 4 insults);
thread 2: threat on 28, 31, 36, approved 29, 30 (5, 3 threats).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from modtool.ingest import import_path
from modtool.store import Store
from tests.cli_batch import run_batch

CLASSES = ["insult", "identity_attack", "threat", "profanity", "off_topic", "spam"]
REVIEWED = {1: (7, {"insult": 4}), 2: (5, {"threat": 3})}


def jigsaw_original(
    train_csv_file: str,
    test_csv_file: str,
    classes: list[str],
    *,
    train: bool = True,
    val_fraction: float = 0.1,
    create_val_set: bool = True,
    add_test_labels: bool = True,
) -> list[tuple[Any, str, dict[str, Any]]]:
    """``(id, text, targets)`` of every item the loader would give, read as Detoxify reads."""
    import datasets
    import pandas as pd

    frame = pd.read_csv(train_csv_file)
    if "toxicity" not in frame.columns:
        frame = frame.rename(columns={"target": "toxicity"})
    train_set = datasets.Dataset.from_pandas(frame)
    val_set = None
    if create_val_set:
        halves = train_set.train_test_split(val_fraction)
        train_set, val_set = halves["train"], halves["test"]
    if test_csv_file is not None:
        tests = pd.read_csv(test_csv_file)
        if add_test_labels:
            labels = pd.read_csv(test_csv_file[:-4] + "_labels.csv")
            for column in labels.columns[1:]:
                tests[column] = labels[column]
        val_set = datasets.Dataset.from_pandas(tests)
    data = train_set if train else val_set
    items = []
    for index in range(len(data)):
        entry = data[index]
        targets = {label: value for label, value in entry.items() if label in classes}
        items.append((entry["id"], entry["comment_text"], targets))
    return items


def label(store: Store, moderator: str = "ana") -> None:
    from modtool.policy import load_policy

    ref = load_policy("news-comments").ref
    for cid, key in [(1, "insult"), (4, "insult"), (9, "insult"), (17, "insult")]:
        store.labels.add(cid, key, moderator=moderator, policy=ref)
    for cid in (28, 31, 36):
        store.labels.add(cid, "threat", moderator=moderator, policy=ref)
    for cid in (2, 3, 5, 29, 30):
        store.labels.approve(cid, moderator=moderator, policy=ref)


@pytest.fixture
def two_threads(sample_store: Store, sample_path: Path, tmp_path: Path) -> Store:
    copy = tmp_path / "copy.txt"
    lines = sample_path.read_text(encoding="utf-8").split("\n", 1)
    copy.write_text("Another title\n" + lines[1], encoding="utf-8")
    import_path(sample_store, copy)
    label(sample_store)
    return sample_store


def test_a_split_export_reads_in_detoxifys_loader(
    two_threads: Store, db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "jigsaw"
    (done,) = run_batch(
        [("export", "--format", "jigsaw", "--split", "train=0.5,test=0.5", "-o", out)],
        db=db_path,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    # the config line Detoxify needs, with the classes the files hold
    config = re.search(r"Detoxify's training config needs: \"dataset\": (\{.*\}), and", done.stdout)
    assert config, done.stdout
    dataset = json.loads(config.group(1))
    assert dataset["type"] == "JigsawDataOriginal"
    assert dataset["args"]["classes"] == CLASSES
    assert f'"num_classes": {len(CLASSES)} in "arch"."args"' in done.stdout
    parts = json.loads((out / "split.json").read_text(encoding="utf-8"))["parts"]
    thread_of = {name: part["threads"] for name, part in parts.items()}
    assert sorted(thread_of.values()) == [[1], [2]]
    assert sorted(p.name for p in out.iterdir()) == [
        "README.md",
        "split.json",
        "test.csv",
        "test_labels.csv",
        "train.csv",
    ]

    # the test part, as the loader gives it (labels from test_labels.csv)
    rows, positives = REVIEWED[thread_of["test"][0]]
    tested = jigsaw_original(str(out / "train.csv"), str(out / "test.csv"), CLASSES, train=False)
    assert len(tested) == rows
    for _, text, targets in tested:
        assert list(targets) == CLASSES and set(targets.values()) <= {0, 1} and text
    assert {c: sum(t[c] for _, _, t in tested) for c in positives} == positives
    # the train part: 10% held out for validation, as the loader does by default
    rows, positives = REVIEWED[thread_of["train"][0]]
    trained = jigsaw_original(str(out / "train.csv"), str(out / "test.csv"), CLASSES)
    assert len(trained) == rows - 1  # ceil(0.1 x 7) = 1 held out
    assert all(list(targets) == CLASSES for _, _, targets in trained)
    # what the export wrote before this change (no labels file) fails in the loader
    (out / "test_labels.csv").unlink()
    with pytest.raises(FileNotFoundError, match=r"test_labels\.csv"):
        jigsaw_original(str(out / "train.csv"), str(out / "test.csv"), CLASSES, train=False)
