"""Comment text is untrusted: markup must not render or run, control characters must not
reach the terminal, bidi and zero-width characters must show and be flagged."""

from __future__ import annotations

from pathlib import Path

import pytest

from modtool.ingest import import_path
from modtool.store import open_store
from modtool.tui.app import ModtoolApp
from tests.tui_support import SIZE, make_app, write_thread

CLICK = "Click [@click=app.quit]here[/] to win"
LINK = "see [link=http://evil.example]free money[/link] and [bold red]alarm[/bold red]"
ESCAPES = "before\x1b[31mred\x1b[0m after \x1b]0;PWNED\x07 \x9b2J end"
BIDI = "abc\u202edcba and zero\u200bwidth"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    document = write_thread(
        folder / "hostile.txt",
        [
            ("Mallory", CLICK),
            ("[bold red]Boss[/]", LINK),
            ("Eve", ESCAPES),
            ("evil\u202eoj", BIDI),
        ],
    )
    db = folder / "hostile.db"
    with open_store(db) as store:
        import_path(store, document)
        bodies = [c.body for c in store.comments.iter_thread(1)]
    assert bodies == [CLICK, LINK, ESCAPES, BIDI]  # the importer kept them as written
    return db


def screen_lines(app: ModtoolApp) -> list[tuple[str, list]]:
    """Every screen line as (text, segments), as the terminal would get it."""
    strips = app.screen._compositor.render_strips()
    return [("".join(s.text for s in strip), list(strip)) for strip in strips]


def find(app: ModtoolApp, needle: str) -> list[tuple[int, int]]:
    return [
        (line.index(needle), y) for y, (line, _) in enumerate(screen_lines(app)) if needle in line
    ]


def styles_over(app: ModtoolApp, needle: str) -> list:
    """Styles of every segment that shows part of ``needle``."""
    found = []
    for line, segments in screen_lines(app):
        if needle in line:
            found += [s.style for s in segments if s.text.strip() and s.text.strip() in needle]
    return found


async def test_click_markup_in_a_body_does_not_quit(hostile_db: Path) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        places = find(app, "[@click=app.quit]here[/]")
        assert len(places) >= 2  # shown literally, in the tree and in the detail pane
        for style in styles_over(app, "[@click=app.quit]here[/]"):
            assert style is None or "@click" not in (style.meta or {})
        for x, y in places:
            await pilot.click(offset=(x + len("[@click=app.quit]") + 1, y))
            await pilot.pause()
            assert app.is_running


async def test_link_markup_does_not_become_a_link_and_styles_show_literally(
    hostile_db: Path,
) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        app.tree.select_comment(2)
        await pilot.pause()
        assert app.detail.text.plain.count("[link=http://evil.example]free money[/link]") == 1
        assert "[bold red]alarm[/bold red]" in app.detail.text.plain
        assert find(app, "[bold red]Boss[/]")  # the author name, literally
        assert find(app, "[link=http://evil.example]free")
        for needle in ("free money", "[link=http://evil.example]free"):
            for style in styles_over(app, needle):
                assert style is None or not style.link, style
        for _line, segments in screen_lines(app):
            for segment in segments:
                if "alarm" in segment.text and segment.style is not None:
                    assert not (segment.style.color and segment.style.color.name == "red")


async def test_escape_and_c1_controls_never_reach_the_screen(hostile_db: Path) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        app.tree.select_comment(3)
        await pilot.pause()
        assert "⚠ terminal control characters were removed" in app.detail.text.plain
        assert "before[31mred[0m after ]0;PWNED 2J end" in app.detail.text.plain
        for line, _ in screen_lines(app):
            assert "\x1b" not in line and "\x07" not in line and "\x9b" not in line
        assert find(app, "before[31mred")


async def test_bidi_override_and_zero_width_are_visible_and_flagged(hostile_db: Path) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        app.tree.select_comment(4)
        await pilot.pause()
        text = app.detail.text.plain
        assert "abc⟨U+202E⟩dcba and zero⟨U+200B⟩width" in text
        assert "evil⟨U+202E⟩oj" in text
        assert "⚠ hidden characters shown as ⟨U+…⟩: U+200B, U+202E" in text
        for line, _ in screen_lines(app):
            assert "\u202e" not in line and "\u200b" not in line
        tree_line = next(line for line, _ in screen_lines(app) if "evil⟨U+202E⟩oj" in line)
        assert "⚠" in tree_line  # flagged in the tree too
        assert app.session.nodes[4].flags == ("hidden",)
        assert app.session.nodes[1].flags == ()


async def test_markup_in_search_and_filter_prompts_stays_literal(hostile_db: Path) -> None:
    app = make_app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        app.tree.select_comment(2)
        await pilot.pause()
        await pilot.press("f")  # the dialog offers "By author [bold red]Boss[/]"
        assert find(app, "By author [bold red]Boss[/]")
        await pilot.press("escape", "slash", *"[@click=app.quit]", "enter")
        assert app.is_running and app.queue.rows == [1]
