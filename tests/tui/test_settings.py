"""Settings: first run, save, masking, environment values, test connection."""

from __future__ import annotations

import os
import socket
import stat
import tomllib
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, RadioButton, Static

from geelark_tui.config import load_config, resolve_config_path
from geelark_tui.simulator import Simulator
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.settings import SettingsScreen

from .helpers import TOKEN, make_app, make_config, notifications, wait_for, wait_for_screen

SECRET = "s3cret-token-value-123456"


def screen_text(app: object) -> str:
    """Everything painted on the screen right now (as SVG text, spaces as spaces)."""
    return str(app.export_screenshot()).replace("&#160;", " ")  # type: ignore[attr-defined]


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
        # At 80x24 the welcome is read from its first word, and the field is in sight too.
        await pilot.pause()
        form = screen.query_one("#settings-form")
        assert form.scroll_y == 0 and "Welcome. To restart tasks" in screen_text(app)
        assert form.region.contains_region(token.region)
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
    ("batch-size", "500", "Batch size must be a whole number from 1 to 100"),
    ("concurrency", "0", "Concurrency must be a whole number from 1 to 20"),
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
        # The words on screen, never an internal field name.
        assert not any("_" in n.split(" must ")[0] for n in notifications(app))
    assert config.path.read_bytes() == before


async def test_escape_with_edits_asks_before_discarding_them() -> None:
    config = make_config()
    before = config.path.read_bytes()
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        settings = app.screen
        assert isinstance(settings, SettingsScreen)
        await pilot.press("escape")  # nothing edited: leaves at once
        assert isinstance(app.screen, EntryScreen)
        await pilot.press("f2")
        settings = app.screen
        assert isinstance(settings, SettingsScreen)
        await wait_for(pilot, lambda: settings.form_state() == settings._as_opened)
        settings.query_one("#batch-size", Input).value = "42"
        await pilot.press("escape")
        assert app.screen.id == "discard-screen"
        await pilot.press("escape")  # keep editing
        assert app.screen is settings
        assert settings.query_one("#batch-size", Input).value == "42"
        await pilot.press("escape", "enter")  # discard
        await wait_for_screen(pilot, app, EntryScreen)
    assert config.path.read_bytes() == before


async def test_no_credentials_are_never_called_a_bearer_token() -> None:
    """The header says what there is; "Saved to" never shows before anything is saved."""
    app = make_app(make_config(token=""))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, app, SettingsScreen)
        await wait_for(pilot, lambda: "no credentials" in app.sub_title)
        assert "bearer token" not in app.sub_title
        text = screen_text(app)
        assert "Saved to" not in text and "Config file:" in text
        assert "bearer" not in text


async def test_a_config_file_not_written_yet_is_said_so(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEELARK_TUI_CONFIG", str(tmp_path / "new" / "config.toml"))
    config = load_config(resolve_config_path(None))
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, app, SettingsScreen)
        path = str(app.screen.query_one("#settings-path", Static).render())
        assert path.endswith("config.toml (not written yet) · ctrl+s saves")


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


def record_notifications(app: object) -> list[str]:
    """Every message the app notifies from now on (through the public ``notify``)."""
    seen: list[str] = []
    notify = app.notify  # type: ignore[attr-defined]

    def spy(message: str, *args: object, **kwargs: object) -> None:
        seen.append(message)
        notify(message, *args, **kwargs)

    app.notify = spy  # type: ignore[attr-defined]
    return seen


async def test_a_config_path_that_is_not_a_file_is_said_once_and_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # a socket path must be short: bind a relative name
    server = socket.socket(socket.AF_UNIX)
    server.bind("config.toml")
    server.close()
    path = tmp_path / "config.toml"
    config = load_config(path, env={"GEELARK_TOKEN": TOKEN})
    app = make_app(config)
    seen = record_notifications(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: seen)
        (warning,) = seen
        assert str(path) in warning and "a socket, not a regular file" in warning
        assert "chmod" not in warning
        await pilot.press("f2")
        await wait_for_screen(pilot, app, SettingsScreen)
        app.screen.query_one("#batch-size", Input).value = "25"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, app, EntryScreen)
        assert seen[1:] == ["Not saved: these settings last until the app exits."]
        assert config.submit.batch_size == 25  # used for the session
    assert stat.S_ISSOCK(os.lstat(path).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


@pytest.mark.parametrize("source", ["file", "env"])
async def test_an_unusable_base_url_opens_settings_with_the_error_and_nothing_is_written(
    source: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = resolve_config_path(None)
    path.parent.mkdir(parents=True, exist_ok=True)
    bad = "ftp://127.0.0.1:18080" if source == "file" else "127.0.0.1:18080"
    url_line = f'base_url = "{bad}"\n' if source == "file" else ""
    path.write_text(f'[api]\n{url_line}token = "{TOKEN}"\n\n[ui]\ntheme = "nord"\n')
    path.chmod(0o600)
    before = path.read_bytes()
    env = {"GEELARK_BASE_URL": bad} if source == "env" else {}
    app = make_app(load_config(path, env=env))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, app, SettingsScreen)
        screen = app.screen
        assert isinstance(screen, SettingsScreen) and not screen.first_run  # credentials are set
        shown = str(screen.query_one("#settings-problem", Static).render())
        named = f"{path} (api.base_url)" if source == "file" else "GEELARK_BASE_URL"
        assert f"base URL {bad!r} from {named} must start with https://" in shown
        field = screen.query_one("#base-url", Input)
        assert field.value == bad if source == "file" else field.disabled
        if source == "file":
            assert app.focused is field  # where the fix goes
        assert "invalid base URL" in app.sub_title
        await pilot.press("escape")
        await wait_for_screen(pilot, app, EntryScreen)
    assert path.read_bytes() == before


async def test_fixing_an_unusable_base_url_in_settings_saves_it() -> None:
    path = resolve_config_path(None)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[api]\nbase_url = "openapi.geelark.cn"\ntoken = "{TOKEN}"\n')
    path.chmod(0o600)
    app = make_app(load_config(path, env={}))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, app, SettingsScreen)
        app.screen.query_one("#base-url", Input).value = "https://openapi.geelark.cn"
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, app, EntryScreen)
        assert "openapi.geelark.cn" in app.sub_title
    assert tomllib.loads(path.read_text())["api"]["base_url"] == "https://openapi.geelark.cn"
