"""Slow work off the UI thread: importing and scoring run in workers while the UI works;
and the `modtool tui` command's own errors."""

from __future__ import annotations

from pathlib import Path

from modtool.store import open_store
from tests.tui_support import SAMPLE, SIZE, make_app, policy


async def test_import_worker_then_scoring_worker_with_the_real_scorer(db_path: Path) -> None:
    app = make_app(db_path, import_file=SAMPLE, scorer="profanity-check")
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):  # the import runs in a worker; the thread opens when it is done
            await pilot.pause(0.05)
            if app.session is not None:
                break
        assert app.session is not None and len(app.session) == 27
        # The UI is usable while scoring runs: label a comment now.
        await pilot.press("i")
        for _ in range(300):
            await pilot.pause(0.05)
            if app.session.scores:
                break
        assert len(app.session.scores) == 27  # scores reloaded when the worker finished
        node = app.session.nodes[4]
        assert node.headline is not None and node.headline.model.startswith("profanity-check")
        assert "insult" in app.session.suggested(4)  # suggestions computed after scoring
        assert app.status.scoring.startswith("scored 27")
        assert app.session.mine(1).labels == {"insult"}
    with open_store(db_path) as store:
        assert store.labels.state(1, "ana", policy().name).labels == {"insult"}
        assert len(store.scores.for_thread(1)) == 27


async def test_a_bad_document_ends_the_app_with_its_message(tmp_path: Path, db_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Title\n\nArticle\n\n  1. A says\n\n    body\n\n       1. B says\n\n    x\n")
    app = make_app(db_path, import_file=bad)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if not app.is_running:
                break
    assert app.error is not None and "bad.txt" in app.error and "line" in app.error
    assert app.return_code == 1


def test_cli_help_and_one_line_errors(run_cli, tmp_path: Path) -> None:
    result = run_cli("tui", "--help")
    assert result.returncode == 0 and "modtool tui threads/" in result.stdout
    result = run_cli("tui")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("modtool: error: the database has no threads yet")
    assert "Traceback" not in result.stderr
    result = run_cli("tui", "--policy", "no-such-policy")
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "no-such-policy" in result.stderr
    result = run_cli("tui", str(tmp_path / "missing.txt"))
    assert result.returncode == 2 and "missing.txt" in result.stderr
