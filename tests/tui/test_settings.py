"""Settings: first run, save, masking, environment values, test connection."""

from __future__ import annotations

import os
import tomllib

import pytest
from textual.widgets import Checkbox, Input, RadioButton, Static

from geelark_tui.config import load_config, resolve_config_path
from geelark_tui.simulator import Simulator
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.settings import SettingsScreen

from .helpers import TOKEN, make_app, make_config, notifications, wait_for, wait_for_screen

SECRET = "s3cret-token-value-123456"


def screen_text(app: object) -> str:
    """Everything painted on the screen right now (as SVG text)."""
    return str(app.export_screenshot())  # type: ignore[attr-defined]


async def test_first_run_without_credentials_opens_settings_and_saves() -> None:
    config = make_config(token="")
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, app, SettingsScreen)
        screen = app.screen
        assert isinstance(screen, SettingsScreen) and screen.first_run
        intro = str(screen.query_one("#first-run", Static).render())
        assert "token" in intro and "GEELARK_TOKEN" in intro and "--demo" in intro
        token = screen.query_one("#token", Input)
        assert token.password  # masked
        assert app.focused is token
        await pilot.press(*SECRET)
        assert SECRET not in screen_text(app)
        await pilot.press("f3")  # reveal
        assert not token.password
        assert screen.query_one("#reveal", Checkbox).value
        assert SECRET in screen_text(app)
        await pilot.press("f3")
        assert token.password
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        assert "bearer token" in app.sub_title
        assert all(SECRET not in n for n in notifications(app))
    saved = tomllib.loads(config.path.read_text())
    assert saved["api"]["token"] == SECRET
    assert os.stat(config.path).st_mode & 0o777 == 0o600


async def test_app_key_method_and_pacing_are_saved() -> None:
    config = make_config()
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        screen.query_one("#method-key", RadioButton).value = True
        await pilot.pause()
        assert screen.query_one("#field-token").display is False
        screen.query_one("#app-id", Input).value = "my-app"
        screen.query_one("#api-key", Input).value = "my-api-key-0123456789"
        assert screen.query_one("#api-key", Input).password
        screen.query_one("#batch-size", Input).value = "25"
        screen.query_one("#base-url", Input).value = "https://openapi.geelark.cn"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
    saved = load_config(resolve_config_path(None))
    assert saved.api.auth_method == "key"
    assert (saved.api.app_id, saved.api.api_key) == ("my-app", "my-api-key-0123456789")
    assert saved.api.base_url == "https://openapi.geelark.cn"
    assert saved.submit.batch_size == 25


@pytest.mark.parametrize(("field", "value", "message"), [
    ("batch-size", "500", "batch_size must be a whole number from 1 to 100"),
    ("per-minute", "x", "Per minute: most requests a minute, 1 to 200"),
    ("base-url", "http://example.com", "unencrypted"),
])
async def test_bad_values_are_not_saved(field: str, value: str, message: str) -> None:
    config = make_config()
    before = config.path.read_bytes()
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        app.screen.query_one(f"#{field}", Input).value = value
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        assert any(message in n for n in notifications(app))
    assert config.path.read_bytes() == before


async def test_environment_credentials_are_shown_as_such_and_never_saved(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_config(token="")
    monkeypatch.setenv("GEELARK_TOKEN", SECRET)
    config = load_config(resolve_config_path(None))
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, EntryScreen)  # credentials are complete
        await pilot.press("f2")
        token = app.screen.query_one("#token", Input)
        assert token.disabled and token.value == ""
        assert "GEELARK_TOKEN" in str(token.placeholder)
        await pilot.press("f3")
        assert SECRET not in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert SECRET not in config.path.read_text()


async def test_test_connection_good_and_bad(sim: Simulator) -> None:
    app = make_app(make_config(sim.base_url))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2", "ctrl+t")
        result = app.screen.query_one("#test-result", Static)
        await wait_for(pilot, lambda: "credentials work" in str(result.render()))
        app.screen.query_one("#token", Input).value = "wrong"
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: "40003" in str(result.render()))
        assert "signature or token rejected" in str(result.render())
        assert result.has_class("-error")
        assert TOKEN not in str(result.render())
    assert all(r.path == "/open/v1/task/query" for r in sim.requests)
    assert not sim.restart_counts  # harmless: nothing was restarted


async def test_test_connection_unreachable() -> None:
    app = make_app(make_config("http://127.0.0.1:9"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2", "ctrl+t")
        result = app.screen.query_one("#test-result", Static)
        await wait_for(pilot, lambda: "Could not test" in str(result.render()))
