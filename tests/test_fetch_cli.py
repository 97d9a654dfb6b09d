"""``modtool fetch`` as a user runs it: a real subprocess against a local server
replaying Hacker News's real Algolia answer for item 17 (end to end), and in-process
runs for the one-line refusals (no network is touched for those)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from modtool.cli import main
from tests.fetch_support import FETCH, payload, served
from tests.replay_server import replay_server

ITEM = FETCH / "hackernews" / "algolia-item-17.json"


def test_fetch_end_to_end_then_again(run_cli, db_path: Path) -> None:
    with replay_server() as server:
        server.route("/api/v1/items/17", served(ITEM))
        server.route("/api/v1/items/1", payload({"error": "Not Found"}, 404))
        url = f"{server.url}/item?id=17"
        first = run_cli("fetch", "--format", "hackernews", url)
        second = run_cli("fetch", "--format", "hackernews", url)
    assert first.returncode == 0, first.stderr
    cache = Path(f"{db_path}-fetch")
    assert first.stderr.splitlines()[:2] == [
        "modtool: note: item 17 is a comment in story 1: fetching the whole story",
        f"fetched {url} (hackernews): 2 requests; answers kept in "
        f"{next((cache / 'hackernews').iterdir())}",
    ]
    assert first.stdout == (
        f"imported {url}: thread 1 (hackernews 1): 3 comments (3 new, 1 orphan)\n"
    )
    # finished before: fetched anew, nothing changed
    assert second.returncode == 0, second.stderr
    assert "re-imported" in second.stdout and "(3 unchanged, 1 orphan)" in second.stdout
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM comments").fetchone() == (3,)
        assert conn.execute("SELECT source FROM threads").fetchone() == (url,)


def test_a_platform_error_is_one_line_and_creates_no_database(run_cli, db_path: Path) -> None:
    with replay_server() as server:
        server.route("/comments/abc123.json", payload({"message": "Not Found", "error": 404}, 404))
        result = run_cli("fetch", "--format", "reddit", f"{server.url}/comments/abc123/")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith("modtool: error: ")
    assert "HTTP 404 Not Found" in result.stderr and "Traceback" not in result.stderr
    assert not db_path.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://example.com/some/page",
            "https://example.com/some/page: cannot tell the platform from this URL; give "
            "--format (hackernews, reddit, bluesky, discourse, mastodon, lemmy, wordpress)",
        ),
        ("ftp://news.ycombinator.com/item?id=1", "give the thread's http:// or https:// address"),
        (
            "https://user:hunter2@forum.example/t/x/5",
            "the URL holds a user name or password; put credentials in the environment",
        ),
        (
            "https://www.reddit.com/user/spez/",
            "https://www.reddit.com/user/spez/: not a Reddit thread URL",
        ),
        ("https://news.ycombinator.com/item?id=abc", "not a Hacker News thread URL"),
        ("at://did:plc:x/app.bsky.feed.like/1", "not a Bluesky post URI"),
    ],
)
def test_urls_that_name_no_thread_are_one_line(url: str, message: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["fetch", "--db", str(tmp_path / "m.db"), url])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("modtool: error: "), result.output
    assert message in lines[0]
    assert "hunter2" not in result.output
    assert not (tmp_path / "m.db").exists()


def test_half_set_credentials_are_refused_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MODTOOL_DISCOURSE_USER", "system")
    monkeypatch.delenv("MODTOOL_DISCOURSE_API_KEY", raising=False)
    result = CliRunner().invoke(
        main, ["fetch", "--db", str(tmp_path / "m.db"), "https://forum.invalid/t/x/5"]
    )
    assert result.exit_code == 1
    assert "MODTOOL_DISCOURSE_API_KEY is not set" in result.output


def test_progress_is_a_line_every_two_seconds(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from types import SimpleNamespace

    from modtool.cli import fetch as command

    now = [100.0]
    monkeypatch.setattr(command.time, "monotonic", lambda: now[0])
    progress = command.Progress()
    pages = SimpleNamespace(site="https://forum.example", sent=3, cached=1, items=40)
    for step in (0.0, 1.9, 0.2, 1.0):  # at 100, 101.9, 102.1, 103.1 seconds
        now[0] += step
        progress(pages)
    assert capsys.readouterr().err.splitlines() == [
        "modtool: note: fetching https://forum.example: 3 requests sent, 1 from the cache, "
        "40 comments seen"
    ]
