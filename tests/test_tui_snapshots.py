"""SVG snapshots of the main screens (pytest-textual-snapshot), at fixed sizes.

Update after an intended change with ``pytest tests/test_tui_snapshots.py --snapshot-update``
and look at the SVGs in ``tests/__snapshots__/`` before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from modtool.ingest import import_path
from modtool.store import open_store
from tests.tui_support import build_sample, copy_db, make_app, write_thread


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("tui-snap") / "sample.db")


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> Path:
    return copy_db(sample_db, tmp_path / "modtool.db")


def at(comment_id: int):
    async def run_before(pilot) -> None:
        pilot.app.tree.select_comment(comment_id)
        await pilot.pause()

    return run_before


def test_tree_view_with_suggestions(db: Path, snap_compare) -> None:
    # Comment 4: a suggested insult with its matched word highlighted; label it.
    assert snap_compare(make_app(db), terminal_size=(120, 40), run_before=at(4), press=["i"])


def test_tree_view_80x24(db: Path, snap_compare) -> None:
    assert snap_compare(make_app(db), terminal_size=(80, 24), run_before=at(9))


def test_collapsed_subtree_and_context(db: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        pilot.app.tree.select_comment(22)
        await pilot.pause()
        await pilot.press("space")  # collapse "7.4.2": reply count and hottest score
        pilot.app.tree.select_comment(14)
        await pilot.pause()
        await pilot.press("c")

    assert snap_compare(make_app(db), terminal_size=(120, 40), run_before=run_before)


def test_queue_view_filtered(db: Path, snap_compare) -> None:
    assert snap_compare(make_app(db), terminal_size=(120, 40), press=["a", "v", "s", "s"])


def test_guidance(db: Path, snap_compare) -> None:
    assert snap_compare(make_app(db), terminal_size=(100, 40), press=["question_mark"])


def test_filter_dialog(db: Path, snap_compare) -> None:
    assert snap_compare(make_app(db), terminal_size=(80, 24), press=["f"])


def test_search_prompt(db: Path, snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("slash")
        pilot.app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*"troops")

    assert snap_compare(make_app(db), terminal_size=(80, 24), run_before=run_before)


def test_light_theme(db: Path, snap_compare) -> None:
    app = make_app(db)

    async def run_before(pilot) -> None:
        pilot.app.theme = "textual-light"
        await at(4)(pilot)

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)


def test_hostile_text(tmp_path: Path, snap_compare) -> None:
    document = write_thread(
        tmp_path / "hostile.txt",
        [
            ("[bold red]Boss[/]", "Click [@click=app.quit]here[/] or [link=http://x]there[/link]"),
            ("evil\u202eoj", "esc\x1b[31mred\x1b[0m bidi abc\u202edcba zero\u200bwidth"),
        ],
    )
    db = tmp_path / "hostile.db"
    with open_store(db) as store:
        import_path(store, document)
    assert snap_compare(make_app(db), terminal_size=(100, 24), run_before=at(2))


def test_no_color(db: Path, snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(db)
    assert app.no_color
    assert snap_compare(app, terminal_size=(100, 30), run_before=at(4))


@pytest.fixture(scope="module")
def site_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.site_support import build_site

    folder = tmp_path_factory.mktemp("tui-snap-site")
    return build_site(folder, folder / "site.db")


def test_site_queue_with_a_claim(site_db: Path, tmp_path: Path, snap_compare) -> None:
    """The site queue at 120×40: the thread beside each comment, bo's claim on #3, the
    detail pane with the thread and the review."""
    db = copy_db(site_db, tmp_path / "site.db")
    with open_store(db) as store:
        store.claims.claim(3, policy_name="news-comments", moderator="bo", holder="far:1:b")
    app = make_app(db, thread=None, claims=False, poll_seconds=0)

    async def run_before(pilot) -> None:
        pilot.app.poll_others()  # no timer in a snapshot: pick up bo's claim now
        pilot.app._select(3)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_thread_picker_80x24(site_db: Path, tmp_path: Path, snap_compare) -> None:
    db = copy_db(site_db, tmp_path / "site.db")

    async def run_before(pilot) -> None:
        await pilot.press("T")
        pilot.app.screen.query_one(Input).cursor_blink = False

    app = make_app(db, thread=None, claims=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
