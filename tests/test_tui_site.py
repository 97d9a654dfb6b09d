"""The moderation UI on a whole site (issue 21): the site queue, the thread picker, the
author view, bulk labels and undo, notes, claims between two apps on one database,
and the detail pane's scrolling at 80×24. Pilot on the hand-counted site of
``tests/site_support.py`` (troll42 on Reddit wrote #1, #3, #5; #1 has the replies #2
and #3; bo labeled #1 insult; ana approved #4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modtool.store import open_store
from modtool.tui.app import SITE, TREE
from modtool.tui.screens.bulk import BulkScreen
from modtool.tui.screens.picker import ThreadPicker
from tests.site_support import BY_SCORE, REF, build_site
from tests.tui_support import copy_db, make_app, screen_lines


@pytest.fixture(scope="module")
def site_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tui-site")
    return build_site(folder, folder / "site.db")


@pytest.fixture
def db(site_db: Path, tmp_path: Path) -> Path:
    return copy_db(site_db, tmp_path / "modtool.db")


def stored(db: Path, cid: int, moderator: str = "ana"):
    with open_store(db) as store:
        return store.labels.state(cid, moderator, REF.name)


async def test_site_queue_picker_thread_and_back(db: Path) -> None:
    app = make_app(db, thread=None)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert app.view == SITE and list(app.site_view.rows) == BY_SCORE
        lines = screen_lines(app)
        assert "the whole site: 3 threads" in lines[0] and "1/8 reviewed" in lines[1]
        row = next(line for line in lines if line.startswith("#5 "))
        assert "troll42" in row and "Harbour plans" in row  # the thread beside the comment
        await pilot.press("n")  # ana has not reviewed #1 (bo has): it is next after none
        assert app.selected == 3
        await pilot.press("i")
        assert stored(db, 3).labels == {"insult"} and "2/8 reviewed" in screen_lines(app)[1]
        await pilot.press("v")  # the selected comment's thread, as a tree, on it
        assert app.view == TREE and app.session.thread.id == 1 and app.selected == 3
        assert app.session.mine(3).labels == {"insult"}
        await pilot.press("backspace")
        assert app.view == SITE and app.selected == 3
        await pilot.press("T")
        assert isinstance(app.screen, ThreadPicker)
        picker = app.screen
        assert picker.threads.ids == [3, 2, 1]  # newest first (3 has no date: its import)
        await pilot.press(*"harb")
        await pilot.pause()
        assert picker.threads.ids == [2]
        await pilot.press("enter")
        assert app.view == TREE and app.session.thread.id == 2


async def test_picker_sorts_by_counts_in_a_worker(db: Path) -> None:
    app = make_app(db, thread=None)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("T")
        picker = app.screen
        assert isinstance(picker, ThreadPicker)
        await pilot.press("ctrl+s")  # newest → comments
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert picker.sort == "comments" and picker.threads.ids == [1, 2, 3]  # 4, 2, 2
        await pilot.press("ctrl+s")  # unreviewed by ana: 3, 2, 2
        assert picker.threads.ids == [1, 2, 3]
        stats = picker.threads.stats
        assert (stats[1].unreviewed, stats[1].unmoderated, stats[1].hottest) == (3, 2, 0.9)
        await pilot.press("escape")
        assert app.view == SITE


async def test_author_view_bulk_label_and_undo_as_one_step(db: Path) -> None:
    app = make_app(db, thread=None)
    async with app.run_test(size=(120, 30)) as pilot:
        app._select(5)
        await pilot.press("A")  # every comment by troll42 on Reddit, newest first
        assert list(app.site_view.rows) == [5, 3, 1]
        assert "author troll42 (reddit)" in screen_lines(app)[0]
        await pilot.press("B")
        assert isinstance(app.screen, BulkScreen) and app.screen.count == 3
        await pilot.press("x")  # spam…
        assert isinstance(app.screen, BulkScreen)  # …then confirm, since three change
        await pilot.press("enter")
        assert [stored(db, c).labels for c in (1, 3, 5)] == [{"spam"}] * 3
        assert "4/8 reviewed" in screen_lines(app)[1]
        await pilot.press("u")
        assert [stored(db, c).state for c in (1, 3, 5)] == ["unreviewed"] * 3
        assert "1/8 reviewed" in screen_lines(app)[1]
        await pilot.press("escape")  # the whole site again
        assert list(app.site_view.rows) == BY_SCORE


async def test_marked_rows_subtree_and_note(db: Path) -> None:
    app = make_app(db, thread=None)
    async with app.run_test(size=(120, 30)) as pilot:
        app._select(7)
        await pilot.press("m", "j", "m")  # #7 and #2 marked
        assert app.site_view.marked == {7, 2}
        await pilot.press("M", "a", "enter")
        assert (stored(db, 7).state, stored(db, 2).state) == ("approved", "approved")
        assert app.site_view.marked == set()
        app._select(1)
        await pilot.press("S", "o", "enter")  # #1 and its replies #2, #3: off-topic
        assert [stored(db, c).labels for c in (1, 2, 3)] == [{"off_topic"}] * 3
        await pilot.press("N", *"name-calling", "enter")
        assert "name-calling" in app.detail.text.plain
        with open_store(db) as store:
            (action,) = [a for a in store.labels.log(comment_id=1) if a.kind == "note"]
            assert action.note == "name-calling" and action.actor == "ana"


async def test_two_moderators_claims_and_skip(db: Path) -> None:
    """bo's UI has #3 open: ana's n skips it, her screen says who has it; when bo
    quits, the claim is gone."""
    bo = make_app(db, "bo", thread=None)
    ana = make_app(db, "ana", thread=None)
    async with bo.run_test(size=(120, 30)) as bo_pilot:
        bo._select(3)
        await bo.workers.wait_for_complete()  # the claim is written by a worker
        async with ana.run_test(size=(120, 30)) as pilot:
            await ana.workers.wait_for_complete()
            ana.poll_others()  # what ana's timer does every second
            assert ana.site.claim_of(3) is not None and ana.site.claim_of(3).moderator == "bo"
            assert ana.selected == 1  # the queue opens on its first row
            await pilot.press("a", "n")  # approve #1; next skips #3 (bo has it open): #5
            assert ana.selected == 5
            ana._select(3)
            await pilot.pause()
            assert "⚑ bo has it open" in ana.detail.text.plain
            assert "⚑bo" in ana.site_view._row(3, 100).plain
        await bo_pilot.pause()
    with open_store(db) as store:
        assert store.claims.live(REF.name) == {}  # both quit: nothing left claimed


async def test_detail_pane_scrolls_at_80x24(db: Path) -> None:
    with open_store(db) as store:
        long = store.comments.get(2)
        assert long.body == "please be civil"
    app = make_app(db, thread=None)
    async with app.run_test(size=(80, 24)) as pilot:
        app._select(1)
        await pilot.press("c")  # the chain and the article: more than fits
        await pilot.pause()
        detail = app.detail
        assert detail.max_scroll_y > 0
        start = detail.scroll_offset.y
        await pilot.press("J")
        assert detail.scroll_offset.y == min(start + 3, detail.max_scroll_y)
        await pilot.press("K", "K")
        assert detail.scroll_offset.y == max(0, min(start + 3, detail.max_scroll_y) - 6)
        width = detail.scrollable_content_region.width
        assert all(line.cell_len <= width for line in detail._lines)
        footer = screen_lines(app)[-1]
        assert len(footer) == 80 and footer.startswith("? Help")
