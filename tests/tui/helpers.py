"""Helpers for the TUI tests: a config in the (per-test) home directory, the app built on it,
and waiting for the app without sleeping blindly."""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from geelark_tui.config import Config, load_config, resolve_config_path
from geelark_tui.configstore import save_config
from geelark_tui.context import AppContext
from geelark_tui.tui.app import GeeLarkApp
from geelark_tui.tui.screens.confirm import RestartConfirmScreen

TOKEN = "test-token-0123456789"
PREFIX = "5743760438974258"  # + 2 digits: the simulator's bucket (see sim_tasks.py)


def tid(nn: int, prefix: str = PREFIX) -> str:
    return f"{prefix}{nn:02d}"


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


def make_config(base_url: str = "https://openapi.geelark.com", token: str = TOKEN,
                **submit: int | bool) -> Config:
    """The config file at the default path (inside the test's home directory). Pre-flight is
    on, as by default: pass ``preflight=False`` for the plain confirmation."""
    config = load_config(resolve_config_path(None), env=os.environ)
    config.api = replace(config.api, base_url=base_url, auth_method="token", token=token)
    if submit:
        config.submit = replace(config.submit, **submit)  # type: ignore[arg-type]
    save_config(config)
    assert not config.take_warnings()
    return config


def make_app(config: Config, *, prefill: str = "", run_log: Path | None = None,
             clock: Callable[[], float] = time.monotonic) -> GeeLarkApp:
    context = AppContext(config, run_log=run_log, clock=clock)
    app = GeeLarkApp(context, prefill=prefill)
    record_notifications(app)
    return app


_NOTIFIED: weakref.WeakKeyDictionary[App[Any], list[str]] = weakref.WeakKeyDictionary()


def record_notifications(app: App[Any]) -> list[str]:
    """From now on, keep the message of every notification ``app`` shows (`App.notify` is
    public; the list Textual keeps of those on screen is not)."""
    seen = _NOTIFIED.setdefault(app, [])
    notify = app.notify

    def recording(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(str(message))
        notify(message, *args, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    return seen


def notifications(app: App[Any]) -> list[str]:
    """The messages of every notification shown by an app made with `make_app`."""
    return _NOTIFIED[app]


async def wait_for(pilot: Pilot[object], predicate: Callable[[], object],
                   timeout: float = 10.0) -> None:
    """Let the app run until ``predicate()`` holds (or fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate}")
        await pilot.pause(0.02)


async def wait_for_screen(pilot: Pilot[object], app: GeeLarkApp, cls: type[object],
                          timeout: float = 10.0, *, other_than: object = None) -> None:
    """Wait until a screen of type ``cls`` is on top and has run its on_mount."""

    def ready() -> bool:
        screen = app.screen
        return isinstance(screen, cls) and screen.is_mounted and screen is not other_than

    await wait_for(pilot, ready, timeout)


async def open_confirmation(pilot: Pilot[object], app: GeeLarkApp) -> RestartConfirmScreen:
    """ctrl+r, and the confirmation once its pre-flight (if any) is in."""
    await pilot.press("ctrl+r")
    screen = app.screen
    assert isinstance(screen, RestartConfirmScreen), screen
    await wait_for(pilot, lambda: not screen.looking)
    return screen


async def confirm_run(pilot: Pilot[object], app: GeeLarkApp, *keys: str,
                      open_with: str = "ctrl+r", timeout: float = 10.0) -> RestartConfirmScreen:
    """Open the confirmation (ctrl+r), wait for the pre-flight (if any) to finish, press
    ``keys`` (e.g. "a" to include every ID), then enter."""
    await pilot.press(open_with)
    screen = app.screen
    assert isinstance(screen, RestartConfirmScreen), screen
    await wait_for(pilot, lambda: not screen.looking, timeout)
    await pilot.press(*keys, "enter")
    return screen
