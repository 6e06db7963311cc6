"""App-wide: help, the command palette, the theme remembered in the config."""

from __future__ import annotations

import tomllib

from textual.command import CommandList, CommandPalette
from textual.widgets import Static

from geelark_tui.tui.base import PaletteMixin
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.help import HelpScreen
from geelark_tui.tui.screens.settings import SettingsScreen

from .helpers import make_app, make_config, tid, wait_for, wait_for_screen


async def test_f1_help_lists_the_keys_of_the_screen() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).render())
        assert "^r       Restart the IDs in the box (asks first)" in text
        assert "Load IDs from a text, CSV or JSON file" in text
        assert "Everywhere:" in text and "Credentials, API host" in text
        assert "Command palette" in text
        assert "? unknown" in text
        await pilot.press("escape")
        assert isinstance(app.screen, EntryScreen)


async def test_every_binding_with_an_id_is_a_palette_command() -> None:
    app = make_app(make_config(), prefill=tid(1))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, PaletteMixin)
        titles = {c.title for c in screen.palette_commands()}
        assert {"IDs: Restart", "IDs: Load file", "IDs: Recent", "IDs: Clear"} <= titles
        app_titles = {c.title for c in app.palette_commands()}
        assert {"Help", "Settings"} <= app_titles
        # Through the real palette: search, pick, run.
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"settings")
        commands = app.screen.query_one(CommandList)

        def found() -> bool:
            row = commands.highlighted
            return row is not None and "Settings" in str(commands.get_option_at_index(row).prompt)

        await wait_for(pilot, found)
        await pilot.press("enter")
        await wait_for_screen(pilot, app, SettingsScreen)


async def test_the_theme_is_remembered() -> None:
    config = make_config()
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "nord"
        await wait_for(pilot, lambda: config.ui.theme == "nord", timeout=3)
    assert tomllib.loads(config.path.read_text())["ui"]["theme"] == "nord"
    again = make_app(config)
    async with again.run_test(size=(80, 24)):
        assert again.theme == "nord"
