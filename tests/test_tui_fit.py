"""The screen fits real terminals (issue 11.3): at 80x24 and 120x40 nothing the user
needs is cut. Every assertion reads the rendered screen (the compositor's lines), as
the user sees it, not a widget's attributes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from modtool.models import PolicyRef
from modtool.store import open_store
from modtool.tui.app import ModtoolApp
from tests.tui_support import build_sample, copy_db, make_app, policy, screen_lines, write_thread

SIZES = [(80, 24), (120, 40)]
REF: PolicyRef = policy().ref
COUNTED = [label for label in policy().labels if label.action != "approve"]


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = build_sample(tmp_path_factory.mktemp("tui-fit") / "sample.db")
    with open_store(db) as store:  # known, different counts per label
        store.labels.toggle(4, "insult", moderator="ana", policy=REF)
        store.labels.toggle(4, "profanity", moderator="ana", policy=REF)
        store.labels.toggle(13, "identity_attack", moderator="ana", policy=REF)
        for cid in (2, 3, 5):
            store.labels.toggle(cid, "spam", moderator="ana", policy=REF)
        store.labels.approve(1, moderator="ana", policy=REF)
    return db


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> Path:
    return copy_db(sample_db, tmp_path / "modtool.db")


EXPECTED = {"insult": 1, "profanity": 1, "identity_attack": 1, "spam": 3}


def label_count_shown(line: str, hotkey: str, key: str) -> int | None:
    """The count the progress line shows for a label, whole-name or hotkey form."""
    found = re.search(rf"(?:^|\s){re.escape(hotkey)}(?:{re.escape(key)} )?(\d+)(?=\s|$)", line)
    return int(found.group(1)) if found else None


def check_top(lines: list[str], width: int, view: str) -> None:
    top, progress, footer = lines[0], lines[1], lines[-1]
    assert len(top) == len(progress) == len(footer) == width
    assert top.startswith(" modtool ") and f" {view}" in top and "no scoring" in top
    assert re.match(r" 6/27 reviewed ", progress), progress
    assert "✓1" in progress
    for label in COUNTED:
        shown = label_count_shown(progress, label.hotkey, label.key)
        assert shown == EXPECTED.get(label.key, 0), (label.key, progress)
    assert "…" not in progress.replace("scoring 1234/20000…", "")  # nothing cut
    # The footer: ? first, the keys the README sends newcomers to, nothing cut.
    assert footer.startswith("? Help ")
    for needed in ("a Approve", "n Next", "f Filter", "s Sort", "/ Search", "esc Clear"):
        assert needed in footer, (needed, footer)
    assert "T Threads" in footer and "q Quit" in footer, footer  # the site's picker (21.2)
    if width >= 120:
        for more in ("u Undo", "r Redo", "⌫ Site", "A Author"):
            assert more in footer, (more, footer)
    # Every word of the footer is a key or a whole description: no stray letter.
    words = footer.split()
    assert words[-1] in {"Quit", "Palette", "Clear", "Auto", "Tree", "Queue"}, footer


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_header_progress_and_footer_fit(db: Path, size: tuple[int, int]) -> None:
    app = make_app(db)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        check_top(screen_lines(app), size[0], "tree")
        # Background work shows beside every count, too.
        app.status.scoring = "scoring 1234/20000…"
        app.status.refresh()
        await pilot.pause()
        progress = screen_lines(app)[1]
        assert "scoring 1234/20000…" in progress
        assert label_count_shown(progress, "x", "spam") == 3
        await pilot.press("v")
        check_top(screen_lines(app), size[0], "queue")


def queue_rows(app: ModtoolApp) -> dict[int, str]:
    """Queue rows on screen by comment id (the left pane of each line)."""
    lines = screen_lines(app)[2:-1]
    width = app.queue.scrollable_content_region.width
    rows = {}
    for line in lines:
        found = re.search(r"#(\d+) ", line[:width])
        if found:
            rows[int(found.group(1))] = line[:width]
    return rows


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_queue_rows_show_id_path_author_chips_and_text(db: Path, size) -> None:
    app = make_app(db)
    async with app.run_test(size=size) as pilot:
        await pilot.press("v", "home")  # score order: both deep siblings are on screen
        rows = queue_rows(app)
        session = app.session
        assert len(rows) == min(27, size[1] - 3)  # a row per line of the queue
        for cid, row in rows.items():
            comment = session.comment(cid)
            assert row.split()[0] in (comment.path, elided(row.split()[0], comment.path)), row
            assert comment.author[:8] in row
            # The body keeps a readable share of the row (about 8 cells at 80 before).
            body_cells = (12 if size[0] == 80 else 16) - (2 if cid == 4 else 0)
            start = " ".join(comment.body.split())[:body_cells]
            assert start in row, (cid, body_cells, row)
        # The siblings deep down differ on screen (the old cut showed "….1.1.1" twice).
        deep = [cid for cid in rows if session.comment(cid).path.startswith("7.4.2.1.1.")]
        assert len(deep) == 2 and rows[deep[0]] != rows[deep[1]]
        # Comment 4 carries two labels: both chips whole (names or hotkeys).
        chips = rows[4]
        assert (" insult " in chips and " profanity " in chips) or " i p " in chips, chips


def elided(shown: str, path: str) -> str:
    """``shown`` if it is ``path`` with its middle steps replaced by ``…``."""
    if "…" not in shown:
        return ""
    head, tail = shown.split("…")
    ok = path.startswith(head) and path.endswith(tail) and len(shown) < len(path)
    return shown if ok else ""


async def test_a_comment_less_thread_says_no_comments(tmp_path: Path) -> None:
    from modtool.ingest import import_path

    document = write_thread(tmp_path / "empty.txt", [])
    db = tmp_path / "empty.db"
    with open_store(db) as store:
        import_path(store, document)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        progress = screen_lines(app)[1]
        assert progress.strip() == "no comments"
        assert "100%" not in progress and "0/0" not in progress
        await pilot.press("v")
        assert "this thread has no comments" in screen_lines(app)[2]


async def test_detail_names_the_comment_by_path_and_id(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        app.tree.select_comment(22)  # path 7.4.2, database id 22, four replies below
        await pilot.pause()
        screen = "\n".join(screen_lines(app))
        assert "Nick Rhynes  7.4.2 #22  line" in screen
        assert "#7.4.2" not in screen  # a path never carries '#'
        assert "↳ in reply to Ilya 7.4 #20:" in screen
        await pilot.press("c")
        screen = "\n".join(screen_lines(app))
        assert "└ Nick Rhynes 7 #9" in screen and "└ Ilya 7.4 #20" in screen
        app.tree.select_comment(13)  # one reply below it
        await pilot.pause()
        assert "1 reply below" in app.detail.text.plain


async def test_the_header_names_the_scorer_and_help_says_why(db: Path) -> None:
    from modtool.tui.messages import ScorerChosen

    note = "using profanity-check, not Detoxify: no weights offline"
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(ScorerChosen("profanity-check", note))
        await pilot.pause()
        top = screen_lines(app)[0]
        assert "scorer profanity-check (why: ?)" in top
        assert not app.screen.query("Toast")  # no toast over the detail pane
        await pilot.press("question_mark")
        text = app.screen.renderable()
        from tests.test_tui_app import rendered

        assert "Using profanity-check, not Detoxify: no weights offline." in " ".join(
            rendered(text, 200).split()
        )


async def test_platform_comments_show_their_id_date_and_status(tmp_path: Path) -> None:
    from modtool.ingest import import_path
    from tests.tui_support import REPO

    db = tmp_path / "reddit.db"
    with open_store(db) as store:
        import_path(store, REPO / "tests/fixtures/reddit/comments-1cebxh.json", "reddit")
        comments = {c.path: c for c in store.comments.iter_thread(1)}
    deleted, visible = comments["1.1"], comments["1"]
    assert deleted.status == "deleted" and deleted.external_id and deleted.created_at
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        app.tree.select_comment(deleted.id)
        await pilot.pause()
        left = app.query_one("#views").size.width
        # The detail pane's part of the screen, its wrapped lines joined.
        screen = " ".join(" ".join(line[left:] for line in screen_lines(app)).split())
        # The reply path and database id, then the platform's own id, its date and status.
        assert f"1.1 #{deleted.id}" in screen
        day, time = deleted.created_at[:10], deleted.created_at[11:16]
        assert (
            f"reddit {deleted.external_id} · {day} {time} UTC · deleted on the platform" in screen
        ), screen
        app.tree.select_comment(visible.id)
        await pilot.pause()
        text = app.detail.text.plain
        assert f"reddit {visible.external_id} · " in text and "on the platform" not in text


async def test_a_scoring_failure_stays_readable_in_help(db: Path) -> None:
    from modtool.tui.messages import WorkFailed
    from tests.test_tui_app import rendered

    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(WorkFailed("scoring", "model file damaged: /x/y.ckpt"))
        await pilot.pause()
        progress = screen_lines(app)[1]
        assert "scoring failed (?)" in progress and label_count_shown(progress, "x", "spam") == 3
        await pilot.press("question_mark")
        text = " ".join(rendered(app.screen.renderable(), 200).split())
        assert "Scoring failed: model file damaged: /x/y.ckpt" in text
