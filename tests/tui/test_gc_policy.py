"""No automatic full garbage collection while a run is going (each one froze the app for
0.1-0.2 s at 100,000 IDs); one once its results are on screen; the app's start-up objects
frozen out of the collector while it runs, and thawed when it ends."""

from __future__ import annotations

import gc

from geelark_tui.simulator import Simulator, SimulatorConfig
from geelark_tui.tui.screens.progress import ProgressScreen
from geelark_tui.tui.screens.results import ResultsScreen

from .helpers import TOKEN, confirm_run, make_app, make_config, tid, wait_for, wait_for_screen


async def test_no_full_collection_during_a_run_and_one_after_it() -> None:
    full: list[str] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            screen = type(app.screen).__name__ if app.is_running else "-"
            full.append(screen)

    ids = [tid(n) for n in range(40)]
    slow = Simulator(SimulatorConfig(token=TOKEN, latency=0.1)).__enter__()
    app = make_app(make_config(slow.base_url, batch_size=4, concurrency=1, preflight=False),
                   prefill="\n".join(ids))
    default = gc.get_threshold()
    gc.callbacks.append(record)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: gc.get_freeze_count() > 0)  # start-up frozen
            frozen = gc.get_freeze_count()
            await confirm_run(pilot, app)
            assert isinstance(app.screen, ProgressScreen)
            assert gc.get_threshold()[2] > 10**6
            full.clear()
            for _ in range(20):  # as many full collections as an allocation-heavy run asks for
                gc.collect(1)
                [[] for _ in range(100_000)]
            await wait_for_screen(pilot, app, ResultsScreen, timeout=30)
            await wait_for(pilot, lambda: "ResultsScreen" in full)
            assert "ProgressScreen" not in full
            results = app.screen
            assert isinstance(results, ResultsScreen)
            # following the restarted tasks holds them off too, until it ends (here: `w`)
            await wait_for(pilot, lambda: "(w stops): " in results.follow_line())
            assert gc.get_threshold()[2] > 10**6
            await pilot.press("w")
            await wait_for(pilot, lambda: gc.get_threshold() == default)
            # nothing of the run frozen: its screens must stay collectable once closed
            assert gc.get_freeze_count() <= frozen
    finally:
        gc.callbacks.remove(record)
        slow.stop()
    assert gc.get_freeze_count() == 0  # thawed when the app ended
