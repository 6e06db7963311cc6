"""The small things of triage: words, numbers, widths, keys and pastes, each as the app shows
it (issue 14, item 8). Others are held where their screen is tested: "Stopped by the user"
(test_run.py), "1 ID … it may" and the export dialog (test_results.py), "not sent" in the grid
and thousands in the summary (test_triage.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual import events
from textual.widgets import Checkbox, RichLog, TextArea

from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.events import (
    BatchFinished,
    BatchStarted,
    OutcomesReported,
    RunStarted,
    Verifying,
)
from geelark_tui.simulator import Simulator, SimulatorConfig
from geelark_tui.tracker import RunTracker
from geelark_tui.tui.app import GeeLarkApp
from geelark_tui.tui.demo import Demo, demo_text, start_demo
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.progress import ProgressScreen, RunOutcome
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.screens.settings import SettingsScreen
from geelark_tui.tui.widgets.summary_bar import SummaryBar

from .helpers import (
    TOKEN,
    FakeClock,
    confirm_run,
    make_app,
    make_config,
    notifications,
    tid,
    wait_for,
    wait_for_screen,
)


def screen_text(app: GeeLarkApp) -> str:
    return app.export_screenshot().replace("&#160;", " ")


async def progress_screen(app: GeeLarkApp, pilot: object, ids: int = 40
                          ) -> tuple[ProgressScreen, RunTracker]:
    """A progress screen that runs nothing: the test feeds its tracker."""
    plan = app.context.plan(tuple(tid(n) for n in range(ids)))
    screen = ProgressScreen(app.context.session(plan), clock=FakeClock(), autostart=False)
    await app.push_screen(screen)
    await pilot.pause()  # type: ignore[attr-defined]
    assert screen.tracker is not None
    return screen, screen.tracker


async def test_batch_lines_never_say_0_success_and_a_lookup_is_not_called_verified() -> None:
    """"batch 1/2: 2 restarted" (no "· 0 success"); after a 5xx the batch line says the IDs
    were looked up, not "verified", when they end up unknown."""
    with Simulator(SimulatorConfig(token=TOKEN, error_5xx_rate=1.0, query_faults=False)) as sim:
        app = make_app(make_config(sim.base_url, batch_size=2, preflight=False),
                       prefill="\n".join(tid(n) for n in (1, 2, 50)))
        async with app.run_test(size=(80, 24)) as pilot:
            await confirm_run(pilot, app)
            await wait_for_screen(pilot, app, ResultsScreen)
            screen = app.screen
            assert isinstance(screen, ResultsScreen)
            lines = screen.outcome.log  # the activity log, kept
            batches = [line for line in lines if "batch" in line and "/2:" in line]
            assert batches and all("0 success" not in line for line in batches)
            assert any("looked up with task/query" in line for line in batches)
            assert not any("verified with" in line for line in lines)


async def test_a_batch_answered_0_is_not_followed_by_0_success() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen, tracker = await progress_screen(app, pilot)
        tracker.feed(RunStarted(40, 5, 8))
        tracker.feed(BatchFinished(1, 8, 0, {Outcome.RESTARTED: 8}))
        screen.repaint()
        log = screen.query_one("#activity", RichLog)
        await wait_for(pilot, lambda: len(log.lines) == 2)
        assert log.lines[1].text.rstrip().endswith("batch 1/5: 8 restarted")


async def test_results_summary_has_no_0_success_and_uses_thousands() -> None:
    rows = [IdResult(f"5743760439{n:08d}", Outcome.RESTARTED, 0, "restarted")
            for n in range(17)]
    rows += [IdResult(f"5743760440{n:08d}", Outcome.NOT_SENT, None, "not sent")
             for n in range(1_202)]
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        plan = app.context.plan(tuple(r.id for r in rows))
        await app.push_screen(ResultsScreen(RunOutcome(plan, rows, None)))
        await pilot.pause()
        summary = app.screen.query_one(SummaryBar).plain()
        assert summary == "✔ 17 restarted  ○ 1,202 not sent"  # no "by code: 0 success: 17"


async def test_activity_lines_are_never_cut_under_the_scrollbar_at_80_columns() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen, tracker = await progress_screen(app, pilot)
        log = screen.query_one("#activity", RichLog)
        tracker.feed(RunStarted(40, 40, 1))
        for n in range(40):  # a few lines first, then more than the log shows: a scrollbar
            tracker.feed(BatchFinished(n + 1, 1, 48001, {Outcome.REJECTED: 1},
                                       "server kept refusing with 40017; sent again"))
            if n in (2, 39):
                screen.repaint()
                await wait_for(pilot, lambda n=n: len(log.lines) >= n)  # type: ignore[misc]
        await wait_for(pilot, lambda: log.max_scroll_y > 0)
        visible = log.scrollable_content_region.width
        assert visible < log.content_region.width  # the scrollbar takes its columns
        assert all(line.cell_length <= visible for line in log.lines), visible
        words = " ".join(" ".join(line.text.split()) for line in log.lines)
        assert words.count("40017; sent again") == 40  # every word whole


async def test_the_stats_line_stays_one_line_at_80_columns_the_batches_going_first() -> None:
    """A line more would move the activity log down once "+ N lookups" appears."""
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen, tracker = await progress_screen(app, pilot, ids=100_000)
        stats = screen.query_one("#run-stats")
        tracker.feed(RunStarted(100_000, 1_000, 100))
        for n in range(1, 201):
            tracker.feed(BatchStarted(n, 100, 1))
            tracker.feed(BatchFinished(n, 100, 0, {Outcome.RESTARTED: 100}))
        screen.repaint()
        await wait_for(pilot, lambda: str(stats.render()) == (
            "0/100,000 IDs · batches 200/1,000 · 200 requests · elapsed 0:00"))
        assert stats.region.height == 1
        tracker.feed(OutcomesReported(tuple(IdResult(tid(n), Outcome.RESTARTED, 0, "ok")
                                            for n in range(20_000))))
        for n in range(1_000):
            tracker.feed(Verifying(n + 1, 100, "HTTP 502"))
        screen.repaint()
        await wait_for(pilot, lambda: "+ 1,000 lookups" in str(stats.render()))
        line = str(stats.render())
        assert line.startswith("20,000/100,000 IDs · 200 requests + 1,000 lookups · elapsed")
        assert "batches" not in line and len(line) <= 78
        await pilot.pause()
        assert stats.region.height == 1


async def test_time_left_counts_the_pacing_windows() -> None:
    """At 10 requests a minute, 30 batches cannot take the 3 s the first 10 did."""
    app = make_app(make_config(per_minute=10, batch_size=1))
    async with app.run_test(size=(80, 24)) as pilot:
        screen, tracker = await progress_screen(app, pilot, ids=30)
        clock = tracker.clock
        assert isinstance(clock, FakeClock)
        tracker.feed(RunStarted(30, 30, 1))
        for n in range(10):
            assert await screen.session.pacer.acquire()
            tracker.feed(BatchStarted(n + 1, 1, 1))
        clock.t += 3
        tracker.feed(OutcomesReported(tuple(IdResult(tid(n), Outcome.RESTARTED, 0, "ok")
                                            for n in range(10))))
        screen.repaint()
        stats = str(screen.query_one("#run-stats").render())
        left = stats.split("left ~")[1]
        minutes = int(left.split(":")[0])
        assert minutes >= 2, stats  # 20 more requests: two more windows, not ~6 s


async def test_a_modal_shows_its_own_keys_in_the_footer() -> None:
    app = make_app(make_config(preflight=False), prefill=tid(1))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "Load file" in screen_text(app))  # the entry's footer
        await pilot.press("ctrl+r")
        await wait_for_screen(pilot, app, RestartConfirmScreen)
        await pilot.pause()
        painted = screen_text(app)
        assert "Load file" not in painted  # covered by the dialog's own keys
        assert "> Cancel<" in painted  # the footer's "esc Cancel"


async def test_the_entry_footer_keeps_help_at_80_columns_with_ignored_tokens() -> None:
    """ctrl+t is named beside the box, not in the footer, where it pushed out "f1 Help"."""
    from geelark_tui.tui.screens.ignored import IgnoredScreen

    app = make_app(make_config(), prefill=f"{tid(1)} zzz")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "1 token ignored (ctrl+t)" in screen_text(app))
        footer = app.screen.query_one("KeyFooter")

        def footer_shows_the_bindings() -> bool:
            offered = [b.description for _, b, _, _ in app.screen.active_bindings.values()
                       if b.show]
            return [k.description for k in footer.query("FooterKey")][:-1] == offered

        await wait_for(pilot, footer_shows_the_bindings)
        keys = list(footer.query("FooterKey"))
        help_key, palette = keys[-2], keys[-1]
        assert str(help_key.render()).strip() == "f1 Help" and "palette" in str(palette.render())
        assert help_key.region.right <= palette.region.x  # whole, before the palette's key
        assert not any("Ignored" in str(key.render()) for key in keys)
        await pilot.press("ctrl+t")
        await wait_for_screen(pilot, app, IgnoredScreen)


async def test_a_paste_after_ctrl_l_lands_in_the_id_box() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l")
        assert app.focused is not app.screen.query_one("#ids", TextArea)
        app.post_message(events.Paste(f"{tid(1)}\n{tid(2)}"))
        area = app.screen.query_one("#ids", TextArea)
        await wait_for(pilot, lambda: area.text == f"{tid(1)}\n{tid(2)}")
        assert app.focused is area
        assert area.text.count(tid(1)) == 1  # once, not twice
        # again, with the box's cursor in the middle of an ID: added at the end, on its own line
        area.move_cursor((0, 5))
        await pilot.press("ctrl+l")
        app.post_message(events.Paste(tid(3)))
        await wait_for(pilot, lambda: area.text == f"{tid(1)}\n{tid(2)}\n{tid(3)}")


async def test_a_paste_on_the_confirmation_is_said_not_dropped() -> None:
    app = make_app(make_config(preflight=False), prefill=tid(1))
    async with app.run_test(size=(80, 24)) as pilot:
        said = notifications(app)
        await pilot.press("ctrl+r")
        await wait_for_screen(pilot, app, RestartConfirmScreen)
        app.post_message(events.Paste(tid(2)))
        await wait_for(pilot, lambda: any("the paste was not used" in n for n in said))


async def test_checkboxes_on_and_off_differ_without_colour(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        await pilot.press("f2")
        await wait_for_screen(pilot, app, SettingsScreen)
        box = app.screen.query_one("#reveal", Checkbox)
        off = str(box.render())
        await pilot.press("f3")
        await pilot.pause()
        on = str(box.render())
        assert box.value and on != off
        assert "X" in on and "X" not in off


@pytest.fixture
def demo() -> Iterator[Demo]:
    running = start_demo(latency=0.0)
    yield running
    running.close()


async def test_a_paste_replaces_the_demos_sample_ids(demo: Demo) -> None:
    app = GeeLarkApp(demo.context, prefill=demo_text())
    async with app.run_test(size=(80, 24)) as pilot:
        area = app.screen.query_one("#ids", TextArea)
        assert area.text == demo_text() and area.selected_text == demo_text()
        app.post_message(events.Paste(f"{tid(7)}\n{tid(8)}"))
        await wait_for(pilot, lambda: area.text == f"{tid(7)}\n{tid(8)}")


def test_the_quit_question_does_not_promise_a_run_log_line_in_demo_mode() -> None:
    from geelark_tui.tui.screens.quit_confirm import quit_text

    assert quit_text(3, 40, logged=False).endswith("Demo runs are not written to the run log.")
    assert quit_text(1_234, 5_000, logged=True).startswith("1,234 of 5,000 IDs have an outcome")
