"""App-wide: help, the command palette, the theme remembered in the config."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from typing import Any

import pytest
from textual import constants
from textual.command import CommandList, CommandPalette
from textual.css import stylesheet as stylesheet_module
from textual.widgets import Static

from geelark_tui.tui.app import GeeLarkApp
from geelark_tui.tui.base import PaletteMixin
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.help import HelpScreen
from geelark_tui.tui.screens.settings import SettingsScreen
from geelark_tui.tui.widgets.app_header import AppHeader

from .helpers import make_app, make_config, notifications, tid, wait_for, wait_for_screen


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
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert again.theme == "nord"
        saved = styles_of(again)
    plain = make_config()
    plain.ui = replace(plain.ui, theme=constants.DEFAULT_THEME)
    switched = make_app(plain)  # the default theme, switched to nord once up
    async with switched.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert styles_of(switched) != saved
        switched.theme = "nord"
        # The saved theme styled everything from the start as switching to it does.
        await wait_for(pilot, lambda: styles_of(switched) == saved)


def styles_of(app: GeeLarkApp) -> tuple[object, ...]:
    header, ids = app.screen.query_one(AppHeader), app.screen.query_one("#ids")
    return (app.screen.styles.background, header.styles.background, header.styles.color,
            ids.styles.background, ids.styles.border)


async def test_a_saved_theme_that_is_not_there_is_said_and_the_default_used() -> None:
    config = make_config()
    config.ui = replace(config.ui, theme="no-such-theme")
    app = make_app(config)
    said = notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bool(said))
        assert app.theme == constants.DEFAULT_THEME
        assert said[0] == f"Theme 'no-such-theme' is not available; using {app.theme}."


async def test_a_saved_theme_costs_one_parse_of_the_stylesheet_not_two(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Applied as the app is made, the saved theme's colours cost one more parse of app.tcss
    before the first frame than the default theme (Textual parses anew for a theme); set
    once the app was up, they cost two (3 % of the start-up)."""
    parsed: list[str] = []
    parse = stylesheet_module.parse

    def recording(scope: str, css: str, read_from: Any, *args: Any, **kwargs: Any) -> Any:
        if str(read_from[0]).endswith("app.tcss"):
            parsed.append(css)
        return parse(scope, css, read_from, *args, **kwargs)

    monkeypatch.setattr(stylesheet_module, "parse", recording)
    counts = []
    for theme in (constants.DEFAULT_THEME, "nord"):
        parsed.clear()
        config = make_config()
        config.ui = replace(config.ui, theme=theme)
        app = make_app(config)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, EntryScreen))  # noqa: B023
            assert app.theme == theme
            counts.append(len(parsed))
    assert counts[1] <= counts[0] + 1, counts
