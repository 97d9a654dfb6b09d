"""``modtool score``, ``modtool models`` and ``models fetch`` through the real CLI.

Subprocess runs cannot open sockets (a sitecustomize makes connect() fail)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.scoring_helpers import no_network_env


def _rows(db_path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchall()


def test_stdin_mode_prints_json_lines_without_a_database(run_cli, tmp_path, db_path) -> None:
    result = run_cli(
        "score",
        "-",
        "--scorer",
        "profanity-check",
        input="you stupid f*cking idiot\n\nthanks for the article\n",
        env=no_network_env(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["line"] for line in lines] == [1, 3]
    assert lines[0]["text"] == "you stupid f*cking idiot"
    assert lines[0]["model"].startswith("profanity-check@")
    assert lines[0]["scores"]["profanity"] > 0.5 > lines[1]["scores"]["profanity"]
    assert not db_path.exists()


def test_detoxify_air_gapped_scores_everything_then_resumes(
    run_cli, tmp_path, db_path, sample_path, tiny_detoxify
) -> None:
    env = no_network_env(tmp_path)
    assert run_cli("import", sample_path).returncode == 0
    args = (
        "score",
        "--scorer",
        "detoxify",
        "--checkpoint",
        tiny_detoxify.hub_named,
        "--hf-config",
        tiny_detoxify.hf_dir,
        "--batch-size",
        "10",
    )
    first = run_cli(*args, env=env)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    assert "scored 27, skipped 0" in first.stdout
    assert "most toxic by toxicity:" in first.stdout
    # piped: plain progress lines, not a bar
    assert "scored 0/27" in first.stderr and "scored 27/27" in first.stderr
    [(model_id,)] = _rows(db_path, "SELECT id FROM models")
    assert model_id.startswith("detoxify/original@")
    assert _rows(db_path, "SELECT COUNT(DISTINCT comment_id), COUNT(*) FROM scores") == [
        (27, 27 * 6)
    ]
    # the second run in-process (torch is already imported here: saves ~10 s)
    from click.testing import CliRunner

    from modtool.cli import main

    second = CliRunner().invoke(main, [*map(str, args), "--db", str(db_path)])
    assert second.exit_code == 0, second.output
    assert "scored 0, skipped 27" in second.output


def test_default_auto_falls_back_with_one_stderr_line(
    run_cli, tmp_path, db_path, sample_path
) -> None:
    assert run_cli("import", sample_path).returncode == 0
    result = run_cli("score", env=no_network_env(tmp_path))
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if line.startswith("modtool: note:")]
    assert len(notes) == 1 and "profanity-check" in notes[0] and "models fetch" in notes[0]
    assert "model profanity-check@" in result.stdout and "scored 27" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scorer", "detoxify", "--checkpoint", "BROKEN"), "not a readable Detoxify checkpoint"),
        (("--scorer", "detoxify", "--checkpoint", "MISSING"), "no such checkpoint file"),
        (("--checkpoint", "BROKEN"), "not a readable Detoxify checkpoint"),  # auto: no fallback
        (("--scorer", "profanity-check", "--quantize"), "only apply to the detoxify scorer"),
        (("--thread", "99"), "no thread with id 99"),
        (("--actors", "2"), "--actors only apply to --engine ray"),
        (("--input", "x.parquet"), "needs both --input GLOB and --output DIR"),
        (("extra",), "unexpected argument 'extra'"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(
    tmp_path, db_path, sample_path, monkeypatch, args, message
) -> None:
    """In-process (click's runner) to keep the suite fast; same group, same handling."""
    from click.testing import CliRunner

    from modtool.cli import main
    from modtool.ingest import import_path
    from modtool.store import open_store

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    broken = tmp_path / "broken.ckpt"
    broken.write_bytes(b"\x80\x04not really a pickle")
    with open_store(db_path) as store:
        import_path(store, sample_path)
    replace = {"BROKEN": str(broken), "MISSING": str(tmp_path / "nope.ckpt")}
    result = CliRunner().invoke(
        main, ["score", *[replace.get(a, a) for a in args], "--db", str(db_path)]
    )
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("modtool: error:") and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert _rows(db_path, "SELECT COUNT(*) FROM scores") == [(0,)]
    assert _rows(db_path, "SELECT COUNT(*) FROM models") == [(0,)]


def test_score_without_a_database_says_so(run_cli, tmp_path, db_path) -> None:
    result = run_cli("score", "--scorer", "profanity-check", env=no_network_env(tmp_path))
    assert result.returncode == 1 and "no database at" in result.stderr
    assert not db_path.exists()


def test_models_lists_what_is_usable_and_why_not(run_cli, tmp_path) -> None:
    result = run_cli("models", env={**no_network_env(tmp_path), "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "profanity-check@" in out
    for model_type in ("original", "unbiased", "multilingual", "original-small", "unbiased-small"):
        assert model_type in out
    assert "models fetch original" in out


def test_help_has_examples_and_the_pickle_warning(run_cli) -> None:
    score_help = run_cli("score", "--help").stdout
    assert 'echo "some text" | modtool score -' in score_help
    assert "pickles" in " ".join(score_help.split())
    assert "Example" in run_cli("models", "--help").stdout
    assert "modtool models fetch original --to" in run_cli("models", "fetch", "--help").stdout


def test_fetch_saves_what_an_air_gapped_machine_needs(tmp_path, tiny_detoxify, monkeypatch) -> None:
    """The fetch code path, fed from local sources (a file:// URL and a local model dir)."""
    from modtool.scoring import make_scorer
    from modtool.scoring.fetch import fetch

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    target = tmp_path / "offline"
    fetched = fetch("original", target, url=tiny_detoxify.checkpoint.as_uri())
    assert fetched.checkpoint == target / "toxic_original-c1212f89.ckpt"
    assert (fetched.hf_config / "config.json").is_file()
    assert f"--checkpoint {fetched.checkpoint}" in fetched.command()
    assert not list(target.glob("*.partial"))
    scorer = make_scorer("detoxify", checkpoint=fetched.checkpoint, hf_config=fetched.hf_config)
    reference = make_scorer(
        "detoxify", checkpoint=tiny_detoxify.checkpoint, hf_config=tiny_detoxify.hf_dir
    )
    assert scorer.model.id == reference.model.id  # same bytes, same id
    [a], [b] = scorer.score(["you are an idiot"]), reference.score(["you are an idiot"])
    assert a.scores == pytest.approx(b.scores, abs=1e-6)


def test_fetch_failure_is_one_line_and_leaves_no_partial_file(tmp_path) -> None:
    from modtool.errors import ModtoolError
    from modtool.scoring.fetch import fetch

    target = tmp_path / "new" / "offline"
    with pytest.raises(ModtoolError, match="cannot download"):
        fetch("original", target, url=(tmp_path / "missing.ckpt").as_uri())
    assert list(tmp_path.iterdir()) == []  # issue 9.22: no DIR (nor parents) left behind
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ModtoolError, match="cannot download"):
        fetch("original", existing, url=(tmp_path / "missing.ckpt").as_uri())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]
    assert [p.name for p in existing.iterdir()] == ["keep.txt"]
