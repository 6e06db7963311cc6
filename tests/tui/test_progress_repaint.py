"""The progress screen repaints ten times a second: only what changed, never the footer or the
whole layout on every tick (both cost more than the run itself at 100,000 IDs)."""

from __future__ import annotations

from typing import Any

import pytest

from geelark_tui.simulator import Simulator, SimulatorConfig
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.progress import ProgressScreen
from geelark_tui.tui.screens.results import ResultsScreen

from .helpers import TOKEN, confirm_run, make_app, make_config, tid, wait_for, wait_for_screen


async def test_ticks_neither_rebuild_the_footer_nor_lay_the_screen_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    ticks: list[ProgressScreen] = []
    repaint = ProgressScreen.repaint

    def counting(self: ProgressScreen) -> None:
        ticks.append(self)
        repaint(self)

    monkeypatch.setattr(ProgressScreen, "repaint", counting)
    # The activity log grows (a layout each time a line is added) until it holds LOG_LINES.
    monkeypatch.setattr("geelark_tui.tui.screens.progress.LOG_LINES", 3)
    bindings: list[Any] = []
    layouts: list[Any] = []
    with Simulator(SimulatorConfig(token=TOKEN, latency=0.04)) as slow:
        ids = [tid(n) for n in range(30)]
        app = make_app(make_config(slow.base_url, batch_size=1, concurrency=1, preflight=False),
                       prefill="\n".join(ids))
        async with app.run_test(size=(80, 24)) as pilot:
            await confirm_run(pilot, app)
            progress = app.screen
            assert isinstance(progress, ProgressScreen)
            await wait_for(pilot, lambda: progress.tracker is not None
                           and progress.tracker.settled >= 5)
            progress.bindings_updated_signal.subscribe(progress, bindings.append)
            progress.screen_layout_refresh_signal.subscribe(progress, layouts.append)
            ticks.clear()
            await wait_for(pilot, lambda: progress.tracker is not None
                           and progress.tracker.settled >= 25)
            running_ticks = len(ticks)
            during = (len(bindings), len(layouts))
            await wait_for_screen(pilot, app, ResultsScreen)
    assert running_ticks >= 5  # a second or so of live counts
    assert during[0] == 0  # the stop key stays as it is while running
    assert during[1] <= 2  # e.g. when a line of text wraps once more


async def test_the_lookup_progress_does_not_lay_the_dialog_out_on_every_tick(
        monkeypatch: pytest.MonkeyPatch) -> None:
    polls: list[RestartConfirmScreen] = []
    poll = RestartConfirmScreen._poll

    def counting(self: RestartConfirmScreen) -> None:
        polls.append(self)
        poll(self)

    monkeypatch.setattr(RestartConfirmScreen, "_poll", counting)
    layouts: list[Any] = []
    with Simulator(SimulatorConfig(token=TOKEN, latency=0.05)) as slow:
        ids = [tid(n) for n in range(3)] + [f"5743760438{n:08d}" for n in range(1_500)]
        app = make_app(make_config(slow.base_url, concurrency=1), prefill="\n".join(ids))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+r")
            confirm = app.screen
            assert isinstance(confirm, RestartConfirmScreen) and confirm.looking
            await wait_for(pilot, lambda: len(polls) >= 2)
            confirm.screen_layout_refresh_signal.subscribe(confirm, layouts.append)
            polls.clear()
            await wait_for(pilot, lambda: not confirm.looking)
            ticks = len(polls)
    assert ticks >= 5  # 15 lookups of 50 ms, one at a time
    assert len(layouts) <= 3  # the note's line, then the answer
