"""Pilot tests of every binding and flow of the moderation app, on the scored sample."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from textual.widgets import OptionList

from modtool.models import PolicyRef
from modtool.store import open_store
from modtool.tui.app import QUEUE, TREE, ModtoolApp
from modtool.tui.screens.filters import FilterScreen
from modtool.tui.screens.guidance import GuidanceScreen
from modtool.tui.screens.search import SearchScreen
from tests.tui_support import HOT, SIZE, build_sample, copy_db, make_app, policy, screen_lines

REF: PolicyRef = policy().ref


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("tui-app") / "sample.db")


@pytest.fixture
def db(sample_db: Path, tmp_path: Path) -> Path:
    return copy_db(sample_db, tmp_path / "modtool.db")


def stored(db: Path, comment_id: int, moderator: str = "ana"):
    with open_store(db) as store:
        return store.labels.state(comment_id, moderator, REF.name)


def detail_text(app: ModtoolApp) -> str:
    return app.detail.text.plain


async def test_opens_on_the_first_comment_with_progress(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.selected == 1 and app.view == TREE
        assert app.tree.selected_comment == 1
        assert "Vish" in detail_text(app)
        status = str(app.status.render())
        assert "0/27 reviewed" in status


async def test_label_hotkey_toggles_and_is_committed_before_shown(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        assert stored(db, 1).labels == {"insult"}
        assert app.session.mine(1).labels == {"insult"}
        assert "1/27 reviewed" in str(app.status.render())
        assert "insult" in str(app.tree.render_label(app.tree.cursor_node, *_styles()))
        await pilot.press("p")
        assert stored(db, 1).labels == {"insult", "profanity"}
        await pilot.press("i")
        assert stored(db, 1).labels == {"profanity"}
        assert app.selected == 1  # no auto-advance by default


async def test_approve_and_auto_advance(db: Path) -> None:
    app = make_app(db, auto_advance=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert stored(db, 1).state == "approved"
        assert app.selected == 2
        await pilot.press("x")  # spam
        assert stored(db, 2).labels == {"spam"}
        assert app.selected == 3
        await pilot.press("ctrl+t")  # auto-advance off
        await pilot.press("a")
        assert stored(db, 3).state == "approved" and app.selected == 3


async def test_next_unreviewed_in_tree_order_skips_reviewed(db: Path) -> None:
    with open_store(db) as store:
        store.labels.approve(2, moderator="ana", policy=REF)
        store.labels.approve(3, moderator="ana", policy=REF)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("n")
        assert app.selected == 4
        await pilot.press("a", "n")
        assert app.selected == 5


async def test_next_unreviewed_in_queue_follows_score_order(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        assert app.view == QUEUE
        assert app.queue.rows[:4] == sorted(HOT, key=HOT.get, reverse=True)
        await pilot.press("home")
        assert app.selected == 4  # the highest score
        await pilot.press("a", "n")
        assert app.selected == 13  # the next highest, unreviewed
        await pilot.press("i", "n")
        assert app.selected == 9


async def test_undo_redo_many_steps(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i", "j", "a", "j", "t")
        assert (stored(db, 1).labels, stored(db, 2).state, stored(db, 3).labels) == (
            {"insult"},
            "approved",
            {"threat"},
        )
        await pilot.press("u", "u", "u")
        assert [stored(db, c).state for c in (1, 2, 3)] == ["unreviewed"] * 3
        assert app.selected == 1  # undo shows where the change was
        assert "0/27 reviewed" in str(app.status.render())
        await pilot.press("r", "r")
        assert stored(db, 1).labels == {"insult"} and stored(db, 2).state == "approved"
        assert stored(db, 3).state == "unreviewed"
        assert app.selected == 2
        await pilot.press("u", "u", "u")  # one more than there is: a notice, nothing else
        assert stored(db, 1).state == "unreviewed"


async def test_cursor_keys_and_jk(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")
        assert app.selected == 3
        await pilot.press("k")
        assert app.selected == 2
        await pilot.press("down", "down", "up")
        assert app.selected == 3
        await pilot.press("v", "j")
        assert app.selected == app.queue.rows[app.queue.rows.index(3) + 1]
        await pilot.press("k", "k")
        assert app.queue.cursor == max(0, app.queue.rows.index(3) - 1)


async def test_view_switch_keeps_the_selection_both_ways(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        go_to(app, 12)
        await pilot.press("j")
        assert app.selected == 13
        await pilot.press("v")
        assert app.view == QUEUE and app.queue.selected_comment == 13
        await pilot.press("j")  # next in score order: 9 (0.64)
        assert app.selected == 9
        await pilot.press("v")
        assert app.view == TREE and app.tree.selected_comment == 9
        assert "Nick Rhynes" in detail_text(app)


async def test_context_unfolds_the_chain_to_the_article(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        go_to(app, 13)
        await pilot.press("j")
        assert app.selected == 14  # 7.1.3.1: Joe, under DarkEyes, CHUCKMAN, Nick Rhynes
        folded = detail_text(app)
        assert "in reply to" in folded and "DarkEyes" in folded
        assert "ARTICLE" not in folded
        await pilot.press("c")
        unfolded = detail_text(app)
        assert "ARTICLE" in unfolded and "US-South Korea Talks" in unfolded
        for author in ("Nick Rhynes", "CHUCKMAN", "DarkEyes"):
            assert author in unfolded
        assert (
            unfolded.index("Nick Rhynes") < unfolded.index("CHUCKMAN") < unfolded.index("DarkEyes")
        )
        await pilot.press("c")
        assert "ARTICLE" not in detail_text(app)


async def test_detail_shows_scores_suggestions_and_everyones_labels(db: Path) -> None:
    with open_store(db) as store:
        store.labels.toggle(4, "insult", moderator="bo", policy=REF)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j")
        assert app.selected == 4
        text = detail_text(app)
        assert "detoxify/original@test0001" in text and "0.930" in text
        assert "SUGGESTED" in text and "insult" in text and "insult-words" in text
        assert "bo:" in text and "you: unreviewed" in text.replace("  ", " ")
        # The matched word is highlighted in the body.
        rendered = app.detail.text
        spans = [
            rendered.plain[s.start : s.end] for s in rendered.spans if "reverse" in str(s.style)
        ]
        assert any(span.lower() == "dumb" for span in spans), spans


async def test_filter_screen_by_keyboard(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f")
        assert isinstance(app.screen, FilterScreen)
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids[:2] == ["unreviewed", "score-0.5"]
        await pilot.press("down", "enter")  # the first option is highlighted; next: "Score ≥ 0.5"
        assert isinstance(app.screen, FilterScreen)  # enter ticks; the dialog stays open
        assert app.screen.pending.min_score == 0.5 and not app.queue_filter.active
        await pilot.press("up", "space")  # ... and a second one: unreviewed only
        assert app.screen.pending.unreviewed and app.screen.pending.min_score == 0.5
        assert "● Unreviewed only" in "\n".join(screen_lines(app))  # ticks are shown
        await pilot.press("a")  # applies both
        assert not isinstance(app.screen, FilterScreen)
        assert app.view == QUEUE and app.queue_filter.min_score == 0.5
        assert app.queue_filter.unreviewed and app.queue.rows == [4, 13, 9, 22]
        await pilot.press("f", "space", "escape")  # untick, then cancel: nothing changes
        assert not isinstance(app.screen, FilterScreen)
        assert app.queue_filter.unreviewed and app.queue_filter.min_score == 0.5
        await pilot.press("f", "down", "space", "end", "enter")  # the last line: Apply
        assert app.queue_filter.min_score is None and app.queue_filter.unreviewed
        assert len(app.queue.rows) == 27
        await pilot.press("escape")  # outside the dialog, esc clears the filters
        assert not app.queue_filter.active and len(app.queue.rows) == 27


async def choose(pilot, app: ModtoolApp, option_id: str) -> None:
    """Open the filter dialog with `f` and pick one of its choices."""
    await pilot.press("f")
    screen = app.screen
    assert isinstance(screen, FilterScreen)
    screen.toggle(option_id)
    screen.action_apply()
    await pilot.pause()


async def test_filters_unreviewed_label_author_suggestion(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")  # comment 1 (Vish): insult
        await choose(pilot, app, "label-insult")
        assert app.queue.rows == [1]
        await choose(pilot, app, "label-insult")  # the same choice again turns it off
        await choose(pilot, app, "unreviewed")
        assert 1 not in app.queue.rows and len(app.queue.rows) == 26
        await pilot.press("escape", "v")
        go_to(app, 3)  # comment 3: Joe
        await pilot.pause()
        await choose(pilot, app, "author")
        session = app.session
        assert app.queue.rows and all(session.comment(c).author == "Joe" for c in app.queue.rows)
        assert app.queue.selected_comment == 3
        await pilot.press("escape")
        await choose(pilot, app, "suggested-any")
        assert app.queue.rows and all(session.suggestions.get(c) for c in app.queue.rows)
        await choose(pilot, app, "suggested-insult")
        assert 4 in app.queue.rows
        assert all("insult" in session.suggested(c) for c in app.queue.rows)


async def test_sort_toggles_position_and_score(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        assert app.view == QUEUE and app.queue.rows == list(range(1, 28))
        await pilot.press("s")
        assert app.queue.rows[0] == 4


async def test_search(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"mafia", "enter")
        assert app.view == QUEUE and app.queue.rows == [1] and app.selected == 1
        await pilot.press("slash", "escape")  # cancel keeps the search
        assert app.queue.rows == [1]
        await pilot.press("slash")
        for _ in range(5):
            await pilot.press("backspace")
        await pilot.press("enter")  # empty clears it
        assert app.queue_filter.text is None and len(app.queue.rows) == 27


async def test_keys_typed_into_search_do_not_trigger_bindings(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", "q", "i", "a", "enter")
        assert app.is_running
        assert stored(db, 1).state == "unreviewed"


async def test_guidance_lists_every_label_and_closes(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, GuidanceScreen)
        text = rendered(app.screen.renderable(), 60)
        for label in policy().labels:
            assert label.name in text and label.key in text
        assert "Personal attack" in text and "Undo" in text
        lines = text.splitlines()
        assert "esc or ? closes" in lines[0] and "esc or ? closes" in lines[-1]
        for key, what in (("space", "fold"), ("^p", "command palette"), ("esc", "Clear")):
            assert any(line.split()[:1] == [key] and what in line for line in lines), key
        assert "Scoring" in text and "No background scoring" in text
        # Wrapped lines keep their paragraph's indent (a hanging indent), at 60 columns.
        start = next(i for i, line in enumerate(lines) if line.startswith("    Name-calling"))
        assert lines[start + 1].startswith("    ") and lines[start + 1][4] != " "
        legend = next(line for line in lines if line.split()[:1] == ["i2"])
        assert "labeled insult" in legend
        await pilot.press("escape")
        assert not isinstance(app.screen, GuidanceScreen)


async def test_quit(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_every_binding_has_an_id_a_description_and_a_palette_command(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE):
        commands = {command.title for command in app.get_system_commands(app.screen)}
        ours = {b.id for b in ModtoolApp.BINDINGS}
        bindings = [
            b for _, b in app._bindings if b.id in ours or (b.id or "").startswith("label.")
        ]
        assert len(bindings) == len(ModtoolApp.BINDINGS) + 6
        for binding in bindings:
            assert binding.id and binding.description, binding
        labels = [b for b in bindings if b.id.startswith("label.")]
        assert {b.key for b in labels} == {"i", "h", "t", "p", "o", "x"}  # approve is on `a`
        for binding in bindings:
            if binding.action != "quit":
                expected = (
                    binding.description
                    if not binding.id.startswith("label.")
                    else f"Label: {binding.description}"
                )
                assert expected in commands, expected
        assert all(b.show for b in bindings)  # all in the footer (it scrolls when narrow)


async def test_palette_command_runs_the_action(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Label: Threat"].callback()
        await pilot.pause()
        assert stored(db, 1).labels == {"threat"}


async def test_tree_nodes_show_badge_replies_and_hottest_when_collapsed(db: Path) -> None:
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        go_to(app, 8)
        await pilot.press("j")
        assert app.selected == 9  # "7" with replies below
        node = app.tree.cursor_node
        open_label = str(app.tree.render_label(node, *_styles()))
        assert "0.64" in open_label and "Nick Rhynes" in open_label and "+" not in open_label
        await pilot.press("space")  # collapse
        closed = str(app.tree.render_label(node, *_styles()))
        replies = app.session.nodes[9].descendants
        assert re.search(rf"Nick Rhynes \+{replies} max +0\.81 ", closed), closed


async def test_other_moderators_labels_appear_by_polling(db: Path) -> None:
    app = make_app(db, poll_seconds=0.05)
    async with app.run_test(size=SIZE) as pilot:
        with open_store(db) as other:
            other.labels.toggle(1, "spam", moderator="bo", policy=REF)
        await pilot.pause(0.3)
        assert app.session.others(1)["bo"].labels == {"spam"}
        assert "bo:" in detail_text(app)


def rendered(renderable, width: int) -> str:
    """What a Rich renderable shows at ``width`` columns, as plain text."""
    from rich.console import Console

    with open(os.devnull, "w") as sink:
        console = Console(width=width, record=True, color_system=None, file=sink)
        console.print(renderable)
    return console.export_text()


def go_to(app: ModtoolApp, comment_id: int) -> None:
    """Put the tree cursor on a comment without a key press per line (keeps tests fast)."""
    app.tree.select_comment(comment_id)


def _styles():
    from rich.style import Style

    return Style(), Style()


async def test_a_large_thread_builds_the_tree_lazily(tmp_path: Path) -> None:
    from benchmarks.tui_bench import build_database
    from modtool.tui.widgets import thread_tree

    db = build_database(tmp_path, 3000)
    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        session, tree = app.session, app.tree
        top = session.top_level
        assert len(top) > thread_tree.PAGE  # the generator makes many top-level comments
        built = len(tree._comment_nodes)
        assert built < len(session) // 2
        assert tree._top_loaded == thread_tree.PAGE
        # A comment deep in an unloaded page: `n`-style navigation builds its path.
        deep = next(c for c in reversed(session.order) if session.comment(c).depth >= 2)
        app._select(deep)
        await pilot.pause()
        assert app.tree.selected_comment == deep and app.selected == deep
        assert tree._top_loaded > thread_tree.PAGE
        # Walking onto the "more" line loads the next page in place.
        loaded = tree._top_loaded
        if loaded < len(top):
            tree.move_cursor(tree._more)
            await pilot.pause()
            assert tree._top_loaded > loaded and app.tree.selected_comment is not None


async def test_the_palette_opens_lists_every_command_and_runs_one(db: Path) -> None:
    """ctrl+p crashed the app (issue 16.15: the help "… [/]" was read as markup)."""
    from textual.command import CommandPalette

    app = make_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)
        for query in ("Search", "Label: Threat", "Help"):
            await pilot.press(*query)
            await pilot.pause(0.3)
            assert app.is_running and isinstance(app.screen, CommandPalette)
            for _ in query:
                await pilot.press("backspace")
        await pilot.press(*"Label: Threat")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert app.is_running
        assert stored(db, app.selected).labels == {"threat"}
