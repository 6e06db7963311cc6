"""The progress screen repaints ten times a second: only what changed, never the footer or the
whole layout on every tick (both cost more than the run itself at 100,000 IDs)."""

from __future__ import annotations

from typing import Any

import pytest

from geelark_tui.simulator import Simulator, SimulatorConfig
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
