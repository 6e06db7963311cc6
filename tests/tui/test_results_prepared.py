"""A finished run's results screen is prepared off the event loop: the summary's counts and
what the pre-flight found, by ID, are worked out in threads (each an O(IDs) pass that froze
the app for a tenth of a second or more at 100,000 IDs)."""

from __future__ import annotations

import threading

import pytest

from geelark_tui.simulator import Simulator
from geelark_tui.task_info import TaskStore
from geelark_tui.tui.screens import progress
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.widgets.summary_bar import SummaryBar

from .helpers import confirm_run, make_app, make_config, tid, wait_for_screen


async def test_the_summary_and_the_tasks_are_worked_out_in_threads(
        sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[tuple[str, threading.Thread]] = []
    tally, absorb = progress.tally, TaskStore.absorb

    def tally_recording(results: object) -> object:
        threads.append(("tally", threading.current_thread()))
        return tally(results)  # type: ignore[arg-type]

    def absorb_recording(self: TaskStore, *args: object) -> None:
        threads.append(("tasks", threading.current_thread()))
        absorb(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(progress, "tally", tally_recording)
    monkeypatch.setattr(TaskStore, "absorb", absorb_recording)
    ids = [tid(n) for n in (1, 2, 41, 50, 58, 90)]
    app = make_app(make_config(sim.base_url), prefill="\n".join(ids))  # with a pre-flight
    async with app.run_test(size=(80, 24)) as pilot:
        await confirm_run(pilot, app)
        await wait_for_screen(pilot, app, ResultsScreen)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        assert sorted(name for name, _ in threads) == ["tally", "tasks"]
        assert threading.main_thread() not in [thread for _, thread in threads]
        assert screen.outcome.tally is not None and screen.store is screen.outcome.tasks
        assert "✔ 3 restarted" in screen.query_one(SummaryBar).plain()
        assert screen.row_status(screen.results[0]) == "was failed"
