"""No key may kill the app (issue 16.15): every binding, enumerated from the app itself
(so a key added later is walked too), is pressed on every view (the site queue, a
thread's tree, its queue), every dialog it opens is closed again, the command palette
opens, and every palette command runs; the app is still running after each, and
ends with status 0. The site of ``tests/site_support.py``."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette

from modtool.tui.app import QUEUE, SITE, TREE, ModtoolApp
from modtool.tui.bindings import bindings
from tests.site_support import build_site
from tests.tui_support import make_app

SKIPPED_COMMANDS = ("Quit", "Save screenshot")
"""Palette commands not run: they end the app or write a file in the working folder."""


async def goto(app: ModtoolApp, pilot, view: str) -> None:
    await close_dialogs(app, pilot)
    if app.view == view and (view == SITE or app.session.thread.id == 1):
        return
    if view == SITE:
        app.action_site()
    else:
        if app.session is None or app.session.thread.id != 1:
            app._open_ref(1)
        app._show_view(view)
    await pilot.pause()
    assert app.view == view


async def close_dialogs(app: ModtoolApp, pilot) -> None:
    if len(app.screen_stack) <= 1:
        return
    while len(app.screen_stack) > 1:
        app.pop_screen()
    await pilot.pause()


def every_key(app: ModtoolApp) -> list[str]:
    keys = [b.key for b in bindings(app.BINDINGS) if b.action != "quit"]
    keys += [hotkey for hotkey, _, _ in app._label_keys]
    keys += ["up", "down", "pageup", "pagedown", "home", "end", "space", "enter", "tab"]
    return keys


async def test_every_key_and_palette_command_on_every_view(tmp_path: Path) -> None:
    db = build_site(tmp_path, tmp_path / "site.db")
    app = make_app(db, thread=None)
    async with app.run_test(size=(100, 30)) as pilot:
        keys = every_key(app)
        assert {"T", "A", "S", "B", "M", "m", "N", "J", "K", "backspace", "slash"} <= set(keys)
        for view in (SITE, TREE, QUEUE):
            for key in keys:
                await goto(app, pilot, view)
                await pilot.press(key)  # waits until the app has handled it
                assert app.is_running, (view, key)
        await close_dialogs(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await close_dialogs(app, pilot)
        commands = list(app.get_system_commands(app.screen))
        titles = [str(c.title) for c in commands]
        assert any("Threads" in t for t in titles) and any("Label subtree" in t for t in titles)
        for command in commands:
            if any(word in str(command.title) for word in SKIPPED_COMMANDS):
                continue
            await goto(app, pilot, SITE)  # each key ran on every view above
            command.callback()
            await pilot.pause()
            assert app.is_running, command.title
        await close_dialogs(app, pilot)
        await pilot.press("q")
    assert app.return_code == 0 and app.error is None
