"""Demo mode: the simulator in the background, a marker, the sample set, the real config untouched;
and a 1,000-ID demo run that keeps repainting and shows the grid promptly."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from textual.widgets import TextArea

from geelark_tui.api.models import Outcome
from geelark_tui.config import resolve_config_path
from geelark_tui.history import run_log_path
from geelark_tui.simulator import DEMO_IDS
from geelark_tui.tui.app import GeeLarkApp
from geelark_tui.tui.demo import Demo, demo_text, start_demo
from geelark_tui.tui.screens.progress import ProgressScreen
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.screens.settings import SettingsScreen
from geelark_tui.tui.widgets.demo_banner import DemoBanner
from geelark_tui.tui.widgets.results_grid import ResultsGrid

from .helpers import confirm_run, wait_for, wait_for_screen


@pytest.fixture
def demo() -> Iterator[Demo]:
    running = start_demo(latency=0.0)
    yield running
    running.close()


async def test_demo_starts_marked_prefilled_and_leaves_the_real_config_alone(
    demo: Demo,
) -> None:
    real = resolve_config_path(None)
    app = GeeLarkApp(demo.context, prefill=demo_text())
    async with app.run_test(size=(80, 24)) as pilot:
        assert not isinstance(app.screen, SettingsScreen)  # the demo needs no credentials
        banner = app.screen.query_one(DemoBanner)
        assert "DEMO: simulated API at 127.0.0.1:" in str(banner.render())
        assert app.sub_title == "DEMO: simulated API"
        assert app.screen.query_one("#ids", TextArea).text.split() == list(DEMO_IDS)
        assert demo.context.base_url() == demo.simulator.base_url
        # Settings saved in the demo go to its temporary file.
        await pilot.press("f2")
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        # The sample set shows every outcome (the pre-flight is on, as by default) but
        # `unknown`: with the statuses from before, a lookup settles every unclear answer.
        await confirm_run(pilot, app)
        await wait_for_screen(pilot, app, ResultsScreen, timeout=30)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        assert {r.outcome for r in screen.results} == set(Outcome) - {Outcome.UNKNOWN}
        assert any(r.message.startswith("verified: was") for r in screen.results)
        assert len({r.code for r in screen.results if r.outcome is Outcome.REJECTED}) >= 3
    assert not real.exists()
    assert not real.parent.exists()
    assert not run_log_path().exists()  # demo runs are not logged
    config_dir = demo.context.config.path.parent
    demo.close()
    assert not config_dir.exists()


@pytest.mark.slow
async def test_a_thousand_id_demo_run_keeps_repainting(demo: Demo) -> None:
    ids = [f"5743760438974{n:05d}" for n in range(1000)]
    app = GeeLarkApp(demo.context, prefill="\n".join(ids))
    async with app.run_test(size=(80, 24)) as pilot:
        await confirm_run(pilot, app)
        progress = app.screen
        assert isinstance(progress, ProgressScreen)
        # Sample what the screen shows while the run goes on.
        gaps: list[float] = []
        seen: set[str] = set()
        last = time.monotonic()
        while progress.outcome is None:
            await pilot.pause(0.05)
            now = time.monotonic()
            gaps.append(now - last)
            last = now
            if progress.is_current:
                seen.add(str(progress.query_one("#run-stats").render()).split(" · ")[0])
        ended = time.monotonic()

        def grid_on_screen() -> bool:
            grids = app.screen.query(ResultsGrid) if isinstance(app.screen, ResultsScreen) else []
            return any(grid.is_mounted and grid.region.height > 0 for grid in grids)

        await wait_for(pilot, grid_on_screen, timeout=5)
        shown = time.monotonic() - ended
        count = len(app.screen.results)  # type: ignore[attr-defined]
    assert len(seen) >= 5, seen  # the counts moved on screen many times
    assert max(gaps) < 0.5, max(gaps)  # the event loop never stalled: no frozen frames
    assert shown < 1.0, shown
    assert count == 1000
