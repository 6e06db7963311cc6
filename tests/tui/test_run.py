"""Confirm -> run -> results against the simulator over real HTTP; stop; quit mid-run.
(The pre-flight's own behaviour is in test_preflight.py.)"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import RichLog, Static

from geelark_tui.api.models import Outcome
from geelark_tui.config import Config, load_config
from geelark_tui.session import RunSession
from geelark_tui.simulator import Simulator, SimulatorConfig
from geelark_tui.tui import app as app_module
from geelark_tui.tui.app import GeeLarkApp
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.progress import ProgressScreen
from geelark_tui.tui.screens.quit_confirm import QuitConfirmScreen
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.widgets.results_grid import ResultsGrid
from geelark_tui.tui.widgets.summary_bar import SummaryBar

from .helpers import TOKEN, confirm_run, make_app, make_config, tid, wait_for, wait_for_screen

MIXED = [tid(n) for n in (1, 2, 41, 50, 58, 64, 70, 77, 82, 90)]


def mixed_run(sim: Simulator, tmp_path: Path) -> tuple[Config, Path, GeeLarkApp]:
    """The MIXED set pre-filled, every ID sent (no pre-flight), in batches of 3; its run log."""
    config = make_config(sim.base_url, batch_size=3, preflight=False)
    run_log = tmp_path / "runs.jsonl"
    return config, run_log, make_app(config, prefill="\n".join(MIXED), run_log=run_log)


async def test_the_entry_screen_is_refreshed_when_it_shows_not_while_a_run_covers_it(
        sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The confirmation gives way to the run: the entry screen is resumed for an instant and
    covered again at once; it refreshes its recent sets (and counts) when it next shows."""
    refreshed: list[int] = []
    original = EntryScreen.refresh_recent

    def recording(self: EntryScreen) -> None:
        refreshed.append(len(self.ctx.config.recent))
        original(self)

    monkeypatch.setattr(EntryScreen, "refresh_recent", recording)
    _, _, app = mixed_run(sim, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, app, EntryScreen)
        before = len(refreshed)
        await confirm_run(pilot, app)
        await wait_for_screen(pilot, app, ResultsScreen)
        assert len(refreshed) == before  # covered all along: nothing to show it to
        await pilot.press("n")  # a new set: back to the entry screen
        await wait_for(pilot, lambda: len(refreshed) > before)
        assert refreshed[-1] == 1  # the set of this run, now listed

async def test_confirm_run_results_over_real_http(sim: Simulator, tmp_path: Path) -> None:
    config, run_log, app = mixed_run(sim, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await confirm_run(pilot, app)
        await wait_for_screen(pilot, app, ResultsScreen)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        results = {r.id: r for r in screen.results}
        assert list(results) == MIXED
        for task_id, result in results.items():
            outcome, code = sim.expected_outcome(task_id)
            assert result.outcome.value == outcome, task_id
            if code is not None:
                assert result.code == code
        grid = screen.query_one(ResultsGrid)
        assert [r.id for r in grid.visible_results] == MIXED
        summary = screen.query_one(SummaryBar).plain()
        assert "✔ 3 restarted" in summary and "✘ 7 rejected" in summary
        assert "by code: 48001: 2 · " in summary  # every code fits as a number
        assert "4 restart requests" in str(screen.query_one("#results-run").render())
    # The set was saved before the run, with this run's counts after it.
    saved = load_config(config.path)
    assert saved.recent[0].ids == tuple(MIXED)
    assert saved.recent[0].last_counts["restarted"] == 3
    # The run log has the run, without the token.
    line = run_log.read_text()
    assert json.loads(line)["counts"]["rejected"] == 7
    assert TOKEN not in line
    # the detail pane may look a task up on its own; restarts are exactly ceil(10 / 3)
    assert len([q for q in sim.requests if q.path.endswith("/restart")]) == 4


async def test_the_run_is_logged_while_the_app_runs_even_when_its_results_are_left_at_once(
        sim: Simulator, tmp_path: Path) -> None:
    """The run-log line and the set's counts are written just after the results are shown
    (not before: 100,000 IDs take a tenth of a second), by the app, whatever screen follows."""
    config, run_log, app = mixed_run(sim, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await confirm_run(pilot, app)
        await wait_for_screen(pilot, app, ResultsScreen)
        await pilot.press("n")  # at once back to an empty ID box
        await wait_for(pilot, lambda: run_log.exists() and run_log.read_text().count("\n") == 1)
        assert json.loads(run_log.read_text())["counts"]["restarted"] == 3
        await wait_for(pilot, lambda: load_config(config.path).recent[0].last_counts.get(
            "restarted") == 3)
    assert run_log.read_text().count("\n") == 1  # once: not again as the app ends


async def test_closed_while_the_run_log_is_written_the_set_s_counts_are_saved_too(
        sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app ending while the log's thread writes (its worker cancelled) waits for the
    thread: the line and the set's counts are both saved (the counts were lost when the
    worker was cancelled between the two)."""
    writing = threading.Event()
    write_log = RunSession._write_log

    def slow(self: RunSession, *args: Any, **kwargs: Any) -> str | None:
        writing.set()
        time.sleep(0.5)
        return write_log(self, *args, **kwargs)

    monkeypatch.setattr(RunSession, "_write_log", slow)
    monkeypatch.setattr(app_module, "LOG_AFTER", 0.0)
    config, run_log, app = mixed_run(sim, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await confirm_run(pilot, app)
        await wait_for_screen(pilot, app, ResultsScreen)
        await wait_for(pilot, writing.is_set)
    assert json.loads(run_log.read_text())["counts"]["restarted"] == 3
    assert load_config(config.path).recent[0].last_counts.get("restarted") == 3


async def test_stop_mid_run_marks_the_rest_not_sent() -> None:
    with Simulator(SimulatorConfig(token=TOKEN, latency=0.3)) as slow:
        ids = [tid(n) for n in range(10)]
        app = make_app(make_config(slow.base_url, batch_size=1, concurrency=1),
                       prefill="\n".join(ids))
        async with app.run_test(size=(80, 24)) as pilot:
            await confirm_run(pilot, app)
            progress = app.screen
            assert isinstance(progress, ProgressScreen)
            await wait_for(pilot, lambda: progress.tracker is not None
                           and progress.tracker.settled >= 1)
            await pilot.press("escape")  # asks first
            await pilot.pause()
            assert app.screen.id == "stop-screen"
            await pilot.press("enter")
            await wait_for_screen(pilot, app, ResultsScreen)
            screen = app.screen
            assert isinstance(screen, ResultsScreen)
            outcomes = [r.outcome for r in screen.results]
            assert Outcome.NOT_SENT in outcomes and Outcome.RESTARTED in outcomes
            run_line = str(screen.query_one("#results-run").render())
            assert run_line.startswith("Stopped by the user · in ")  # not "Stopped: stopped"
            await pilot.press("l")  # the activity log is kept
            log = app.screen.query_one("#runlog", RichLog)
            assert any("stopping: stopped by the user" in line.text for line in log.lines)


async def test_progress_shows_live_counts_and_the_log() -> None:
    with Simulator(SimulatorConfig(token=TOKEN, latency=0.2)) as slow:
        ids = [tid(n) for n in range(6)]
        app = make_app(make_config(slow.base_url, batch_size=2, concurrency=1),
                       prefill="\n".join(ids))
        async with app.run_test(size=(80, 24)) as pilot:
            await confirm_run(pilot, app)
            progress = app.screen
            assert isinstance(progress, ProgressScreen)
            log = progress.query_one("#activity", RichLog)
            await wait_for(pilot, lambda: any("batch 1/3: 2 restarted" in line.text
                                              for line in log.lines))  # repainted
            stats = str(progress.query_one("#run-stats").render())
            assert "/6 IDs · batches" in stats and "/3" in stats
            assert "✔ 2 restarted" in progress.query_one(SummaryBar).plain() or \
                "✔ 4 restarted" in progress.query_one(SummaryBar).plain()
            await wait_for_screen(pilot, app, ResultsScreen)


async def test_quit_mid_run_asks_then_stops(tmp_path: Path) -> None:
    with Simulator(SimulatorConfig(token=TOKEN, latency=0.3)) as slow:
        ids = [tid(n) for n in range(10)]
        app = make_app(make_config(slow.base_url, batch_size=1, concurrency=1),
                       prefill="\n".join(ids), run_log=tmp_path / "runs.jsonl")
        async with app.run_test(size=(80, 24)) as pilot:
            await confirm_run(pilot, app)
            await pilot.press("ctrl+q")
            question = app.screen
            assert isinstance(question, QuitConfirmScreen)

            def said() -> str:
                return str(question.query_one(".dialog-body", Static).render())

            assert "The run is written to the run log." in said()
            first = said().split(" of 10 IDs")[0]
            # The run goes on behind the question, and so does its count.
            await wait_for(pilot, lambda: said().split(" of 10 IDs")[0] != first)
            assert int(said().split(" of 10 IDs")[0]) > int(first)
            await pilot.press("escape")  # keep running
            assert isinstance(app.screen, ProgressScreen)
            await pilot.press("ctrl+q", "enter")  # stop and quit
            await wait_for(pilot, lambda: app.return_code is not None, timeout=5)
        assert app.return_code == 0
        assert len(slow.requests) < 10


async def test_bad_token_stops_the_run_and_says_why(sim: Simulator) -> None:
    # Without a pre-flight (with one, the confirmation already stops: test_preflight.py).
    app = make_app(make_config(sim.base_url, token="wrong-token", preflight=False),
                   prefill=tid(1))
    async with app.run_test(size=(80, 24)) as pilot:
        await confirm_run(pilot, app)
        await wait_for_screen(pilot, app, ResultsScreen)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        assert screen.results[0].outcome is Outcome.NOT_SENT
        assert "40003" in str(screen.query_one("#results-run").render())


async def test_unreachable_host_is_shown_not_a_crash() -> None:
    app = make_app(make_config("http://127.0.0.1:9"), prefill=tid(1))
    async with app.run_test(size=(80, 24)) as pilot:
        await confirm_run(pilot, app)
        await wait_for_screen(pilot, app, ResultsScreen, timeout=20)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        assert screen.results[0].outcome is Outcome.NOT_SENT
        assert "cannot reach" in str(screen.query_one("#results-run").render())
