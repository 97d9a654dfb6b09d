"""Every split export folder loads with the real Hugging Face ``datasets`` and no
arguments (issue 12.1): the card's ``configs`` names the files, its
``dataset_info.features`` types every column, an empty split is not written, and
no local absolute path is anywhere in an export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from modtool.export import Selection, export, parse_split
from modtool.policy import load_policy
from modtool.store import Store
from tests.labeled_sample import ALICE, BOB
from tests.test_export_split import make_threads

LOADER = r"""
import json, sys
import datasets
datasets.disable_progress_bars()
datasets.logging.set_verbosity_error()
out = {}
for folder in sys.argv[1:]:
    loaded = datasets.load_dataset(folder)
    out[folder] = {
        split: {"rows": ds.num_rows, "features": {k: str(v) for k, v in ds.features.items()},
                "first": {k: ds[0][k] for k in ("id", "global_id", "tied_labels") if k in ds.features}}
        for split, ds in loaded.items()
    }
print(json.dumps(out))
"""


def load_folders(tmp_path: Path, folders: list[Path]) -> dict:
    """``datasets.load_dataset(folder)`` for each folder, offline, in one subprocess:
    ``{folder: {split: {rows, features, first}}}``."""
    env = {
        **os.environ,
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_OFFLINE": "1",
        "HF_HOME": str(tmp_path / "hf-home"),
        "HF_DATASETS_CACHE": str(tmp_path / "hf-home" / "datasets"),
    }
    loaded = subprocess.run(
        [sys.executable, "-c", LOADER, *map(str, folders)],
        capture_output=True,
        text=True,
        env=env,
        timeout=280,
        cwd=tmp_path,
    )
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    return json.loads(loaded.stdout.strip().splitlines()[-1])


def label_some(store: Store) -> None:
    """A majority label on an early comment, a tie on a late one (one thread only),
    so some split has no tied label at all: the case that broke before."""
    store.labels.add(1, "insult", moderator="alice", policy=ALICE)
    store.labels.add(1, "insult", moderator="bob", policy=BOB)
    last = int(store.db.execute("SELECT MAX(id) FROM comments").fetchone()[0])
    store.labels.add(last, "insult", moderator="alice", policy=ALICE)
    store.labels.approve(last, moderator="bob", policy=BOB)


def test_split_folders_load_with_datasets(store: Store, run_cli, tmp_path: Path) -> None:
    pytest.importorskip("datasets")
    threads = tmp_path / "threads"
    threads.mkdir()
    make_threads(store, threads)
    label_some(store)
    one = tmp_path / "one.db"
    policy = load_policy("news-comments")
    keys = tuple(label.key for label in policy.labels if label.action != "approve")
    folders = []
    for fmt in ("jsonl", "csv", "parquet"):  # the library; the CLI path is tested below
        out = tmp_path / f"split-{fmt}"
        export(
            store,
            fmt=fmt,
            output=out,
            selection=Selection(policy="news-comments"),
            split=parse_split("train=0.7,test=0.3"),
            seed=3,
            label_keys=keys,
            policy_def=policy,
            command=f"modtool export --format {fmt} --split train=0.7,test=0.3 -o {out.name}",
        )
        folders.append(out)
    # one thread, two parts: the empty part is not written, and the card says why
    result = run_cli("import", threads / "thread-0.txt", env={"MODTOOL_DB": str(one)})
    assert result.returncode == 0, result.stderr
    lonely = tmp_path / "lonely"
    result = run_cli(
        "export",
        "--format",
        "jsonl",
        "--split",
        "train=0.8,test=0.2",
        "-o",
        lonely,
        env={"MODTOOL_DB": str(one)},
    )
    assert result.returncode == 0, result.stderr
    assert "'test' got no thread and is not written" in result.stderr
    assert sorted(p.name for p in lonely.iterdir()) == ["README.md", "split.json", "train.jsonl"]
    assert "Not written: test" in (lonely / "README.md").read_text()
    folders.append(lonely)

    report = load_folders(tmp_path, folders)
    total = store.dataset.count(Selection())
    for folder in folders[:3]:
        splits = report[str(folder)]
        assert set(splits) == {"train", "test"}
        assert splits["train"]["rows"] + splits["test"]["rows"] == total
        manifest = json.loads((folder / "split.json").read_text())
        for name in ("train", "test"):
            assert splits[name]["rows"] == manifest["parts"][name]["comments"]
            features = splits[name]["features"]
            if folder.name == "split-csv":
                assert features["label:insult"] == "Value('int64')"
                assert features["tied_labels"] == "Value('string')"
                assert features["global_id"] == "Value('string')"
            else:
                assert features["tied_labels"] == "List(Value('string'))"
                assert features["labels"] == "List(Value('string'))"
                assert features["created_at"] == "Value('string')"
                assert splits[name]["first"]["global_id"].startswith("text:")
    assert set(report[str(lonely)]) == {"train"}
    assert report[str(lonely)]["train"]["rows"] == 2  # thread 0: two comments

    # no local absolute path in any file of any export
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert str(tmp_path).encode() not in data, path
                assert b"/tmp/" not in data, path


def test_card_features_match_the_parquet_schema(store: Store, tmp_path: Path) -> None:
    """The card's YAML features are exactly the Parquet schema, as ``datasets`` reads them."""
    datasets = pytest.importorskip("datasets")
    import yaml

    from modtool.export.parquet import schema

    threads = tmp_path / "threads"
    threads.mkdir()
    make_threads(store, threads, count=2)
    label_some(store)
    out = tmp_path / "labeled.jsonl"
    result = export(store, fmt="jsonl", output=out, selection=Selection(policy="news-comments"))
    assert result.card == tmp_path / "labeled.jsonl.card.md"
    text = result.card.read_text()
    assert text.startswith("---\n")
    meta = yaml.safe_load(text.split("---\n")[1])
    features = datasets.Features._from_yaml_list(meta["dataset_info"]["features"])
    assert features == datasets.Features.from_arrow_schema(schema())
    assert meta["configs"] == [
        {"config_name": "default", "data_files": [{"split": "train", "path": "labeled.jsonl"}]}
    ]
    assert meta["dataset_info"]["splits"] == [
        {"name": "train", "num_bytes": out.stat().st_size, "num_examples": 5}
    ]
    body = text.split("---\n", 2)[2]
    assert "| insult | 1 | 1 | 50.0% |" in body  # majority 1, tied 1, agreed on 1 of 2
    assert "| alice | 2 |" in body and "| bob | 2 |" in body
    # --pseudonymize: no name in the data or the card
    out2 = tmp_path / "pseudo.jsonl"
    result = export(
        store,
        fmt="jsonl",
        output=out2,
        selection=Selection(policy="news-comments"),
        pseudonymize=True,
    )
    for path in (out2, result.card):
        data = path.read_text()
        assert "alice" not in data and "bob" not in data and "moderator-" in data


def test_one_card_per_export_file(sample_store: Store, tmp_path: Path) -> None:
    """Issue 16.14: ``labeled.jsonl``, ``labeled.csv`` and ``labeled.parquet`` in one
    folder each get their own card (``labeled.jsonl.card.md``, …) naming their own
    file in ``data_files``; each file with its card as ``README.md`` loads with
    ``datasets.load_dataset(FOLDER)``. A file in the card's place that is not that
    export's card is never replaced (refused before anything is written); the
    export's own card is replaced by a re-run."""
    pytest.importorskip("datasets")
    import yaml

    from tests.cli_batch import run_batch
    from tests.labeled_sample import POLICY, label_sample

    label_sample(sample_store, second_policy=False)
    foreign = tmp_path / "other.jsonl.card.md"
    foreign.write_text("my notes, not a card\n")
    runs = run_batch(
        [
            *(("export", "-o", f"labeled.{ext}", "--policy", POLICY) for ext in ("jsonl", "csv")),
            ("export", "-o", "labeled.parquet", "--policy", POLICY),
            ("export", "-o", "labeled.jsonl", "--policy", POLICY),  # again: its own card
            ("export", "-o", "other.jsonl", "--policy", POLICY),
        ],
        db=sample_store.path,
        cwd=tmp_path,
    )
    for run in runs[:4]:
        assert run.returncode == 0, run.stderr
    assert runs[4].returncode == 1 and runs[4].stderr.strip().splitlines() == [
        f"modtool: error: {Path('other.jsonl.card.md')}: exists and is not the dataset card "
        "of other.jsonl; it is not replaced (move it away, or give --no-card)"
    ]
    assert foreign.read_text() == "my notes, not a card\n"
    assert not (tmp_path / "other.jsonl").exists()  # refused before writing the export
    folders = []
    for ext in ("jsonl", "csv", "parquet"):
        card = tmp_path / f"labeled.{ext}.card.md"
        text = card.read_text()
        assert text.splitlines()[1] == f'# modtool dataset card of "labeled.{ext}"'
        meta = yaml.safe_load(text.split("---\n")[1])
        assert meta["configs"][0]["data_files"] == [{"split": "train", "path": f"labeled.{ext}"}]
        folder = tmp_path / f"load-{ext}"
        folder.mkdir()
        (folder / f"labeled.{ext}").write_bytes((tmp_path / f"labeled.{ext}").read_bytes())
        (folder / "README.md").write_text(text)
        folders.append(folder)
    assert not (tmp_path / "labeled.card.md").exists()
    report = load_folders(tmp_path, folders)
    for folder in folders:
        assert list(report[str(folder)]) == ["train"]
        train = report[str(folder)]["train"]
        assert train["rows"] == 27 and train["first"]["id"] == 1
        assert train["features"]["global_id"] == "Value('string')"
