"""One run session for both front ends: the same 1,000 mixed IDs against the same simulator
give the same outcome, code and message ID for ID through the app (Pilot) and through
`geelark-tui restart`, with and without the pre-flight."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from textual import events

from geelark_tui.cli import main
from geelark_tui.simulator import Simulator, SimulatorConfig
from geelark_tui.tui.screens.results import ResultsScreen

from .helpers import TOKEN, confirm_run, make_app, make_config, wait_for_screen

IDS = [str(574376043899000000 + n) for n in range(1000)]  # every bucket of the simulator


def simulator() -> Simulator:
    # Faults drawn from one seeded generator: with one request at a time, both front ends
    # send the same requests in the same order and meet the same faults.
    return Simulator(SimulatorConfig(token=TOKEN, seed=11, error_5xx_rate=0.15,
                                     per_minute=0, query_faults=False))


async def through_the_app(preflight: bool, tmp_path: Path) -> list[tuple[str, str, object, str]]:
    with simulator() as sim:
        config = make_config(sim.base_url, concurrency=1, preflight=preflight)
        app = make_app(config, run_log=tmp_path / "app-runs.jsonl")
        async with app.run_test(size=(80, 24)) as pilot:
            app.post_message(events.Paste("\n".join(IDS)))
            await pilot.pause()
            await confirm_run(pilot, app, timeout=60)
            await wait_for_screen(pilot, app, ResultsScreen, timeout=60)
            screen = app.screen
            assert isinstance(screen, ResultsScreen)
            return [(r.id, r.outcome.value, r.code, r.message) for r in screen.results]


def through_the_command(preflight: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                        capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str, object, str]]:
    monkeypatch.setenv("GEELARK_TOKEN", TOKEN)
    monkeypatch.setenv("GEELARK_TUI_CONFIG", str(tmp_path / "cmd" / "config.toml"))
    monkeypatch.setenv("GEELARK_TUI_DATA_DIR", str(tmp_path / "cmd-data"))
    with simulator() as sim:
        args = ["restart", "--format", "json", "--base-url", sim.base_url, "--concurrency", "1",
                *(["--preflight"] if preflight else []), *IDS]
        main(args)
    results = json.loads(capsys.readouterr().out)["results"]
    return [(r["id"], r["outcome"], r["code"], r["message"]) for r in results]


@pytest.mark.parametrize("preflight", [False, True], ids=["plain", "preflight"])
async def test_the_app_and_the_command_agree_id_for_id(
    preflight: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = await through_the_app(preflight, tmp_path)
    # the command runs its own event loop: in a thread beside the test's
    command = await asyncio.to_thread(through_the_command, preflight, tmp_path, monkeypatch,
                                      capsys)
    assert [row[0] for row in app] == IDS
    differing = [(a, c) for a, c in zip(app, command, strict=True) if a != c]
    assert not differing, differing[:5]
    outcomes = {row[1] for row in app}
    assert {"restarted", "rejected"} <= outcomes
    assert ("skipped" in outcomes) == preflight
