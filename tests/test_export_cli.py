"""``modtool export`` through the real CLI: success, and every bad input giving one
clear line, a non-zero exit and nothing half-written."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from modtool.errors import InputError
from modtool.export import Selection, export
from modtool.export import runner as export_runner
from modtool.policy import load_policy
from modtool.store import Store
from tests.labeled_sample import POLICY, label_sample


def one_error_line(result, *needles: str) -> None:
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("modtool: error: ")
    for needle in needles:
        assert needle in lines[0]
    assert "Traceback" not in result.stderr


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".part" in p.name or ".old" in p.name)


def test_export_jsonl_and_csv(sample_store: Store, run_cli, tmp_path: Path) -> None:
    label_sample(sample_store)
    out = tmp_path / "labeled.jsonl"
    result = run_cli("export", "--format", "jsonl", "-o", out, "--policy", POLICY, "--labeled-only")
    assert result.returncode == 0, result.stderr
    assert "exported 6 comments from 1 thread(s) under policy news-comments" in result.stdout
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == [1, 4, 8, 9, 16, 17]
    result = run_cli("export", "-o", tmp_path / "all.csv", "--policy", POLICY, "--thread", "1")
    assert result.returncode == 0, result.stderr
    # news-comments is a shipped policy: one label column per label of its file
    shipped = load_policy(POLICY)
    keys = [label.key for label in shipped.labels if label.action != "approve"]
    header = (tmp_path / "all.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert [h for h in header if h.startswith("label:")] == [f"label:{k}" for k in keys]
    # a name that is only in the database: the label keys found there
    result = run_cli("export", "-o", tmp_path / "other.csv", "--policy", "jigsaw-test")
    assert result.returncode == 0, result.stderr
    header = (tmp_path / "other.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert ",label:toxic,tied_labels" in header
    assert leftovers(tmp_path) == []


def test_several_policies_need_a_choice(sample_store: Store, run_cli, tmp_path: Path) -> None:
    label_sample(sample_store)
    out = tmp_path / "x.jsonl"
    one_error_line(
        run_cli("export", "-o", out), "several policies", "jigsaw-test", "news-comments", "--policy"
    )
    assert not out.exists()
    one_error_line(run_cli("export", "-o", out, "--policy", "nope"), "nope")
    assert not out.exists()


def test_unknown_format(sample_store: Store, run_cli, tmp_path: Path) -> None:
    out = tmp_path / "x.xml"
    one_error_line(
        run_cli("export", "--format", "xml", "-o", out),
        "unknown format 'xml'",
        "jsonl, csv, parquet, convokit",
    )
    one_error_line(run_cli("export", "-o", out), "cannot tell the format", "--format")
    assert list(tmp_path.glob("x.*")) == []


def test_unwritable_path(sample_store: Store, run_cli, tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "folder" / "x.jsonl"
    one_error_line(run_cli("export", "-o", out), str(out), "does not exist")
    one_error_line(run_cli("export", "--format", "jsonl", "-o", tmp_path), "is a folder")
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    one_error_line(run_cli("export", "-o", a_file / "x.csv"), "cannot write", "not a folder")


def test_policy_without_labels_warns(sample_store: Store, run_cli, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    result = run_cli("export", "-o", out, "--policy", "jigsaw")
    assert result.returncode == 0, result.stderr
    assert "warning: no labels under policy jigsaw" in result.stderr
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert "label:toxic" in header  # the shipped policy's labels, all cells empty


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_folder(sample_store: Store, run_cli, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        one_error_line(run_cli("export", "-o", locked / "x.jsonl"), "not writable")
    finally:
        locked.chmod(0o755)


def test_empty_selection(sample_store: Store, run_cli, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    out.write_text("the previous export\n")
    one_error_line(
        run_cli("export", "-o", out, "--labeled-only"), "nothing to export", "labeled only"
    )
    assert out.read_text() == "the previous export\n"
    assert leftovers(tmp_path) == []


def test_folder_outputs_refuse_to_clobber(sample_store: Store, run_cli, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    one_error_line(run_cli("export", "--format", "convokit", "-o", folder), "not empty", "--force")
    assert (folder / "keep.txt").read_text() == "mine"
    result = run_cli("export", "--format", "convokit", "-o", folder, "--force")
    assert result.returncode == 0, result.stderr
    assert not (folder / "keep.txt").exists() and (folder / "utterances.jsonl").exists()
    assert leftovers(tmp_path) == []


def test_split_needs_format_and_good_spec(sample_store: Store, run_cli, tmp_path: Path) -> None:
    one_error_line(
        run_cli("export", "--split", "train=0.8,test=0.2", "-o", tmp_path / "o"), "--format"
    )
    one_error_line(
        run_cli(
            "export", "--format", "jsonl", "--split", "train=0.8,test=0.3", "-o", tmp_path / "o"
        ),
        "add up to 1.1",
    )
    assert not (tmp_path / "o").exists()


def test_failure_mid_write_leaves_the_old_file(
    sample_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "x.jsonl"
    out.write_text("the previous export\n")

    def broken(path: Path, records, context) -> int:
        with open(path, "w") as handle:
            handle.write(json.dumps(next(iter(records))) + "\n")
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(
        export_runner.FORMATS, "jsonl", export_runner.FORMATS["jsonl"]._replace(writer=broken)
    )
    with pytest.raises(InputError, match="disk full"):
        export(sample_store, fmt="jsonl", output=out, selection=Selection())
    assert out.read_text() == "the previous export\n"
    assert leftovers(tmp_path) == []
    with pytest.raises(InputError):
        export(
            sample_store,
            fmt="jsonl",
            output=tmp_path / "d",
            selection=Selection(),
            split=[export_runner.Part("all", 1.0)],
        )
    assert not (tmp_path / "d").exists() and leftovers(tmp_path) == []


def test_help_has_examples() -> None:
    from click.testing import CliRunner

    from modtool.cli import main

    for command in ("export", "stats", "agreement", "calibrate", "import-labels", "decisions"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0, result.output
        assert "Example" in result.output and "--db" in result.output
