"""The HTTP client (and its TLS context: 25-50 ms to build) is made in a thread after the
first paint, and whenever the settings change, so the first lookup or run does not build it
on the event loop."""

from __future__ import annotations

import threading

import pytest

from geelark_tui.api.client import GeeLarkClient
from geelark_tui.context import AppContext
from geelark_tui.simulator import Simulator
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.screens.settings import SettingsScreen

from .helpers import confirm_run, make_app, make_config, tid, wait_for, wait_for_screen


async def test_the_client_is_made_in_a_thread_before_the_first_key(
        sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[tuple[threading.Thread, GeeLarkClient]] = []
    make_client = AppContext.make_client

    def recording(self: AppContext, *args: object) -> GeeLarkClient:
        client = make_client(self, *args)  # type: ignore[arg-type]
        made.append((threading.current_thread(), client))
        return client

    monkeypatch.setattr(AppContext, "make_client", recording)
    app = make_app(make_config(sim.base_url, preflight=False), prefill=tid(1))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bool(made))
        assert made[0][0] is not threading.main_thread()
        await confirm_run(pilot, app)
        await wait_for_screen(pilot, app, ResultsScreen)
        assert len(made) == 1  # the run used it
        assert app.context.client() is made[0][1]


async def test_no_client_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[object] = []
    warmed: list[bool] = []
    warm_up = AppContext.warm_up
    monkeypatch.setattr(AppContext, "make_client", lambda *a: made.append(a))
    monkeypatch.setattr(AppContext, "warm_up", lambda self: warmed.append(warm_up(self)))
    app = make_app(make_config(token=""))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: bool(warmed))
        await wait_for_screen(pilot, app, SettingsScreen)  # first run: asks for them
    assert warmed[0] is False and made == []


def test_the_id_parser_and_the_api_records_load_after_the_first_screen() -> None:
    """Nothing on the way to the first screen loads the ID parser (10-15 ms of imports): an
    empty box needs none (the warm-up thread loads it after the first paint); nor the API's
    records (`api.models`, six dataclasses: 7-10 ms), only the outcome enums the screen's
    words and the command line's status names need."""
    import subprocess
    import sys

    script = ("import sys\n"
              "from geelark_tui.cli import build_parser\n"  # the way in: `geelark-tui`
              "build_parser().parse_args([])\n"
              "import geelark_tui.tui.launch\n"
              "from geelark_tui.tui.app import GeeLarkApp\n"
              "from geelark_tui.tui.screens.entry import EntryScreen\n"
              "EntryScreen()\n"
              "assert 'geelark_tui.ids' not in sys.modules, 'the parser is loaded'\n"
              "assert 'geelark_tui.api.models' not in sys.modules, 'api.models is loaded'\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
