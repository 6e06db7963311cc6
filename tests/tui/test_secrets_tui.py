"""No credential on screen (unless revealed on purpose), in screenshots, exports, the run log,
notifications or the committed snapshots; and none after a run's worker fails with one in
its exception. The app runs with Pilot against the simulator over real HTTP.

Every screen is searched as an SVG screenshot (`export_screenshot`, `save_screenshot`): the
markup and the text it shows. The search is proven to work: revealing the secrets (f3) makes
it find them.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from geelark_tui import engine
from geelark_tui.config import Config, load_config, resolve_config_path
from geelark_tui.configstore import save_config
from geelark_tui.history import read_runs
from geelark_tui.redact import MASK
from geelark_tui.simulator import Simulator, SimulatorConfig
from geelark_tui.tui.app import GeeLarkApp
from geelark_tui.tui.screens.export import ExportScreen
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.screens.settings import SettingsScreen

from . import helpers
from .helpers import confirm_run, make_app, make_config, tid, wait_for, wait_for_screen

TOKEN = "sk-TEST-TOKEN-9f8e7d6c5b4a"
API_KEY = "ak-TEST-KEY-0a1b2c3d4e5f"
APP_ID = "app-TEST-4711"
SECRETS = (TOKEN, API_KEY)
SNAPSHOTS = Path(__file__).parent / "__snapshots__"


def fragments(secret: str) -> list[str]:
    return [secret, secret[:8], secret[-8:]]


def leaks(text: str, secrets: tuple[str, ...] = SECRETS) -> list[str]:
    return [f for s in secrets for f in fragments(s) if f in text]


def assert_clean(text: str, where: str, secrets: tuple[str, ...] = SECRETS) -> None:
    found = leaks(text, secrets)
    assert not found, f"{where} leaks {found}"


def shown(app: GeeLarkApp) -> str:
    """The screenshot's markup plus the text it shows (tags dropped, entities decoded)."""
    svg = app.export_screenshot()
    return svg + "\n" + html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


@pytest.fixture
def key_sim() -> Iterator[Simulator]:
    with Simulator(SimulatorConfig(token=TOKEN, app_id=APP_ID, api_key=API_KEY,
                                   per_minute=0)) as simulator:
        yield simulator


def config_for(base_url: str, method: str) -> Config:
    config = make_config(base_url, token=TOKEN if method == "token" else "")
    if method == "key":
        config.api = replace(config.api, auth_method="key", app_id=APP_ID, api_key=API_KEY)
        save_config(config)
    return config


def record_notifications(app: GeeLarkApp) -> list[str]:
    seen: list[str] = []
    notify = app.notify

    def recording(message: str, *args: Any, **kwargs: Any) -> None:
        seen.append(f"{kwargs.get('title', '')}: {message}")
        notify(message, *args, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    return seen


@pytest.mark.parametrize("method", ["token", "key"])
async def test_settings_mask_the_secrets_until_revealed(key_sim: Simulator, tmp_path: Path,
                                                        method: str) -> None:
    app = make_app(config_for(key_sim.base_url, method))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await wait_for_screen(pilot, app, SettingsScreen)
        secret = TOKEN if method == "token" else API_KEY
        field = app.screen.query_one("#token" if method == "token" else "#api-key", Input)
        assert field.value == secret  # it is there, masked
        assert_clean(shown(app), "the settings screen")
        path = app.save_screenshot(filename="settings.svg", path=str(tmp_path))
        assert_clean(Path(path).read_text(), "a saved screenshot")

        await pilot.press("f3")  # reveal, on purpose: now the search must find it
        await pilot.pause()
        assert secret in shown(app)
        await pilot.press("f3")
        await pilot.pause()
        assert_clean(shown(app), "the settings screen, hidden again")

        typed = "sk-TYPED-NOT-SAVED-1234567"  # typed, not saved: masked as well
        field.value = ""
        field.focus()
        await pilot.press(*typed)
        assert field.value == typed
        assert_clean(shown(app), "the settings screen while typing", (*SECRETS, typed))


@pytest.mark.parametrize("method", ["token", "key"])
async def test_a_run_shows_logs_and_exports_no_secret(key_sim: Simulator, tmp_path: Path,
                                                      method: str) -> None:
    run_log = tmp_path / "runs.jsonl"
    ids = [tid(n) for n in (1, 2, 41, 50, 64, 90)]
    app = make_app(config_for(key_sim.base_url, method), prefill="\n".join(ids),
                   run_log=run_log)
    notes = record_notifications(app)
    screens: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        screens.append(shown(app))  # entry
        await pilot.press("ctrl+r")
        await pilot.pause()
        screens.append(shown(app))  # the confirmation
        await pilot.press("escape")
        await confirm_run(pilot, app)
        screens.append(shown(app))  # progress (or already the results)
        await wait_for_screen(pilot, app, ResultsScreen)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        assert any(r.outcome.value == "restarted" for r in results.results)  # auth worked
        screens.append(shown(app))
        for fmt in ("csv", "json"):
            target = tmp_path / f"out.{fmt}"
            await pilot.press("e")
            await wait_for_screen(pilot, app, ExportScreen)
            app.screen.query_one("#export-path", Input).value = str(target)
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda t=target: t.exists() and t.stat().st_size > 0)
        await pilot.press("l")  # the run's own log
        await pilot.pause()
        screens.append(shown(app))
    for n, screen in enumerate(screens):
        assert_clean(screen, f"screen {n}")
    assert_clean((tmp_path / "out.csv").read_text(), "the CSV export")
    assert_clean((tmp_path / "out.json").read_text(), "the JSON export")
    assert tid(1) in (tmp_path / "out.json").read_text()
    assert_clean(run_log.read_text(), "the run log")
    assert any("Wrote" in n for n in notes)
    assert_clean("\n".join(notes), "the notifications")
    config_text = resolve_config_path(None).read_text()
    assert tid(1) in config_text  # the recent set; the credentials are there by design (0600)


async def test_a_failed_run_shows_the_error_but_never_the_secret(
        key_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's worker catches everything and shows it; a message that quotes the token is
    scrubbed before it reaches the grid, the exports, the run log and the screen."""

    async def crash(self: engine.RestartRun) -> engine.RestartRun:
        token = self.client._http.auth._token  # type: ignore[union-attr]
        raise RuntimeError(f"forced failure with {token}")

    monkeypatch.setattr(engine.RestartRun, "run", crash)
    run_log = tmp_path / "runs.jsonl"
    ids = [tid(1), tid(2)]
    config = make_config(key_sim.base_url, token=TOKEN, preflight=False)
    app = make_app(config, prefill="\n".join(ids), run_log=run_log)
    notes = record_notifications(app)
    async with app.run_test(size=(100, 30)) as pilot:
        await confirm_run(pilot, app)
        await wait_for_screen(pilot, app, ResultsScreen)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        reason = results.outcome.stop_reason or ""
        assert "RuntimeError" in reason and MASK in reason  # still says what happened
        screen = shown(app)
        await pilot.press("e")
        await wait_for_screen(pilot, app, ExportScreen)
        target = tmp_path / "failed.json"
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: target.exists() and target.stat().st_size > 0)
    assert_clean(screen, "the results of a failed run")
    exported = json.loads(target.read_text())
    assert [r["outcome"] for r in exported["results"]] == ["not_sent", "not_sent"]
    assert_clean(target.read_text(), "the export of a failed run")
    assert_clean("\n".join(notes), "the notifications")
    runs = read_runs(run_log)  # the failed run is logged too, without the secret
    assert len(runs) == 1 and runs[0]["interrupted"] is True
    assert_clean(run_log.read_text(), "the run log")


def test_the_snapshots_show_no_secret() -> None:
    """The committed snapshots were taken with helpers.TOKEN in the config (the settings
    screen shows its field): none of them shows it."""
    files = sorted(SNAPSHOTS.rglob("*.svg"))
    assert any("settings" in f.name for f in files), "the settings snapshot is missing"
    assert helpers.TOKEN == "test-token-0123456789"
    for path in files:
        text = path.read_text()
        plain = html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ")
        assert_clean(text + plain, path.name, (helpers.TOKEN,))



async def test_environment_credentials_are_never_written_by_the_app(
        key_sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With GEELARK_TOKEN set, the app saves its settings (Settings, ctrl+s) and the export
    folder (after an export): the config file gets those, never the token."""
    path = resolve_config_path(None)
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_text(f'[api]\nbase_url = "{key_sim.base_url}"\n[submit]\npreflight = false\n')
    path.chmod(0o600)
    monkeypatch.setenv("GEELARK_TOKEN", TOKEN)
    config = load_config(path)
    assert config.api.token == TOKEN and not config.take_warnings()
    app = make_app(config, prefill=tid(1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await wait_for_screen(pilot, app, SettingsScreen)
        await pilot.press("ctrl+s")  # saved: the pacing, the base URL ... not the token
        await wait_for(pilot, lambda: not isinstance(app.screen, SettingsScreen))
        await confirm_run(pilot, app)
        await wait_for_screen(pilot, app, ResultsScreen)
        await pilot.press("e")
        await wait_for_screen(pilot, app, ExportScreen)
        target = tmp_path / "exports" / "out.csv"
        target.parent.mkdir()
        app.screen.query_one("#export-path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: str(target.parent) in path.read_text())
    text = path.read_text()
    assert tid(1) in text and key_sim.base_url in text
    assert_clean(text, "the config file")


async def test_a_credential_pasted_with_the_ids_is_listed_masked(key_sim: Simulator,
                                                                 tmp_path: Path) -> None:
    """The ID box shows the user's own paste; what the app makes of it (the counts' ignored
    tokens, ctrl+t's list, the confirmation, exports) shows the credential masked."""
    from textual.widgets import OptionList, Static

    from geelark_tui.tui.screens.confirm import RestartConfirmScreen
    from geelark_tui.tui.screens.ignored import IgnoredScreen

    ticket = f'curl -H "Authorization: Bearer {TOKEN}"\n{tid(1)}'
    app = make_app(config_for(key_sim.base_url, "token"), prefill=ticket)
    async with app.run_test(size=(80, 24)) as pilot:
        def counts() -> str:
            return "\n".join(str(app.screen.query_one(f"#id-{part}", Static).render())
                             for part in ("counts", "ignored"))

        await wait_for(pilot, lambda: "1 unique ID" in counts())
        assert MASK in counts()
        assert_clean(counts(), "the counts")
        await pilot.press("ctrl+t")
        await wait_for_screen(pilot, app, IgnoredScreen)
        listed = app.screen.query_one(OptionList)
        lines = [str(listed.get_option_at_index(n).prompt) for n in range(listed.option_count)]
        assert any(MASK in line for line in lines)
        assert_clean("\n".join(lines), "the ignored tokens")
        await pilot.press("escape", "ctrl+r")
        await wait_for_screen(pilot, app, RestartConfirmScreen)
        assert all(MASK in t.token or TOKEN not in t.token
                   for t in app.screen.plan.invalid)  # type: ignore[attr-defined]
        assert_clean(repr(app.screen.plan.invalid), "the run's plan")  # type: ignore[attr-defined]
