"""The reply tree splices lines in place (opening the way to a comment, loading a page of
top-level comments) instead of rebuilding them all: the result must be exactly what
Textual's own ``Tree._build`` makes from the same nodes."""

from __future__ import annotations

import random
from pathlib import Path

from textual.widgets import Tree

from modtool.tui.app import ModtoolApp
from tests.tui_support import SIZE, make_app


def shown(tree: Tree) -> list[tuple[tuple[int, ...], bool]]:
    return [(tuple(node.id for node in line.path), line.last) for line in tree._tree_lines]


def assert_lines_as_textual_builds_them(app: ModtoolApp) -> None:
    tree = app.tree
    spliced = shown(tree)
    numbered = [line.path[-1]._line for line in tree._tree_lines]
    cursor = tree.cursor_node
    Tree._build(tree)  # Textual's full rebuild, the reference
    assert spliced == shown(tree)
    assert numbered == list(range(len(spliced)))
    if cursor is not None:
        assert tree._tree_lines[tree.cursor_line].node is cursor


async def test_spliced_lines_match_a_full_rebuild(tmp_path: Path) -> None:
    from benchmarks.tui_bench import build_database

    db = build_database(tmp_path, 3000)
    app = make_app(db)
    rng = random.Random(11)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        session = app.session
        assert session is not None
        everyone = list(session.order)
        for _ in range(40):
            move = rng.choice(["select", "select", "next", "switch", "toggle", "down"])
            if move == "select":
                cid = rng.choice(everyone)
                app._select(cid)
                await pilot.pause()
                assert app.selected == cid
                if app.view == "tree":
                    assert app.tree.selected_comment == cid
            elif move == "next":
                await pilot.press("n")
            elif move == "switch":
                await pilot.press("v")
            elif move == "toggle" and app.view == "tree":
                await pilot.press("space")  # collapse or expand: Textual's own path
            else:
                await pilot.press("j")
            await pilot.pause()
            if app.view == "tree":
                assert_lines_as_textual_builds_them(app)
                assert app.tree.selected_comment in (app.selected, None)
        app.tree.move_cursor(app.tree._more)  # load the next page in place
        await pilot.pause()
        assert_lines_as_textual_builds_them(app)
