"""One ticket = one set: a retry updates its rows in place in the full set with each row's
history; past runs reopen from the run log; recent sets are renamed and deleted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual.widgets import OptionList, Static, TextArea

from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.config import load_config
from geelark_tui.configstore import record_recent_set, update_recent_counts
from geelark_tui.history import append_run
from geelark_tui.simulator import Simulator
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.past_runs import PastRunsScreen
from geelark_tui.tui.screens.progress import RunOutcome
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.screens.text_prompt import TextPromptScreen
from geelark_tui.tui.screens.yes_no import YesNoScreen
from geelark_tui.tui.widgets.recent_sets import RecentSets
from geelark_tui.tui.widgets.results_grid import ResultsGrid
from geelark_tui.tui.widgets.summary_bar import SummaryBar
from geelark_tui.tui.widgets.task_detail import TaskDetail

from .helpers import make_app, make_config, notifications, tid, wait_for, wait_for_screen

R, J, N, U = Outcome.RESTARTED, Outcome.REJECTED, Outcome.NOT_SENT, Outcome.UNKNOWN
FIRST = [
    IdResult(tid(1), R, 0, "restarted"),
    IdResult(tid(64), J, 48000, "task retry limit reached"),
    IdResult(tid(2), N, 40017, "not sent: server kept answering 40017"),
    IdResult(tid(3), U, None, "HTTP 502 with no JSON envelope; lookup failed"),
    IdResult(tid(90), J, 48002, "task does not exist"),
]


async def test_a_retry_updates_its_rows_in_place_and_keeps_their_history(
        sim: Simulator) -> None:
    config = make_config(sim.base_url)
    key = record_recent_set(config, [r.id for r in FIRST]).key
    update_recent_counts(config, key, {"restarted": 1, "rejected": 2, "not_sent": 1,
                                       "unknown": 1})
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        plan = app.context.plan(tuple(r.id for r in FIRST))
        screen = ResultsScreen(RunOutcome(plan, list(FIRST), None, recent_key=key))
        await app.push_screen(screen)
        await pilot.pause()
        grid = screen.query_one(ResultsGrid)
        for row in (2, 3):  # the not-sent and the unknown row
            grid.move_cursor(row)
            await pilot.press("space")
        await pilot.press("r")
        confirm = app.screen
        assert isinstance(confirm, RestartConfirmScreen)
        assert confirm.plan.ids == (tid(2), tid(3)) and confirm.plan.set_key == key
        await wait_for(pilot, lambda: not confirm.looking)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and screen.set.retried, 20)
        # The same screen, every row still there, in the same order; the retried ones updated.
        assert [s for s in app.screen_stack if isinstance(s, ResultsScreen)] == [screen]
        assert [(r.id, r.outcome) for r in screen.results] == [
            (tid(1), R), (tid(64), J), (tid(2), R), (tid(3), R), (tid(90), J)]
        assert [r.id for r in grid.visible_results] == [r.id for r in FIRST]
        assert [(a.run, a.result.outcome) for a in screen.set.history(tid(2))] == [
            ("first run", N), ("retry 1", R)]
        grid.move_cursor(2)
        await pilot.pause()
        detail = screen.query_one(TaskDetail).plain()
        assert "Runs:    first run ○ not sent 40017 → retry 1 ✔ restarted" in detail
        grid.move_cursor(1)
        await pilot.pause()
        assert "first run ✘ rejected 48000 (not in a later run)" in (
            screen.query_one(TaskDetail).plain())
        assert "✔ 3 restarted" in screen.query_one(SummaryBar).plain()
        run_line = screen.query_one("#results-run", Static)
        assert str(run_line.render()).startswith("Retry 1 (2 IDs): finished")
        # One line at 80 columns: the host (the header names it) left out to keep it so.
        assert run_line.region.height == 1 and plan.host not in str(run_line.render())
        await pilot.resize_terminal(120, 24)
        await wait_for(pilot, lambda: str(run_line.render()).endswith(f" · {plan.host}"))
        await pilot.resize_terminal(80, 24)
        assert any(n.startswith("Retry 1: 2 restarted.") for n in notifications(app))
    # One ticket, one set: the retry recorded no new set; the set has the whole set's counts.
    saved = load_config(config.path)
    assert [r.key for r in saved.recent] == [key]
    assert dict(saved.recent[0].last_counts) == {"total": 5, "restarted": 3, "rejected": 2,
                                                 "not_sent": 0, "unknown": 0}


async def test_after_a_retry_of_the_rows_a_filter_shows_the_status_line_counts_anew(
        sim: Simulator) -> None:
    app = make_app(make_config(sim.base_url))
    async with app.run_test(size=(80, 24)) as pilot:
        plan = app.context.plan(tuple(r.id for r in FIRST))
        screen = ResultsScreen(RunOutcome(plan, list(FIRST), None))
        await app.push_screen(screen)
        await pilot.pause()
        grid = screen.query_one(ResultsGrid)
        screen.set_outcome_filter(N)
        status = screen.query_one("#results-status", Static)
        assert str(status.render()).startswith("1 of 5 rows · only outcome not sent")
        await pilot.press("r")  # the rows shown: the not-sent one
        confirm = app.screen
        assert isinstance(confirm, RestartConfirmScreen)
        assert confirm.plan.ids == (tid(2),)
        await wait_for(pilot, lambda: not confirm.looking)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen and screen.set.retried, 20)
        assert grid.visible_results == [] and screen.results[2].outcome is R
        assert str(status.render()).startswith("0 of 5 rows · only outcome not sent")
        assert any("1 of them no longer matches the filter (escape shows every row)." in n
                   for n in notifications(app))


async def test_past_runs_reopen_as_a_results_grid(tmp_path: Path) -> None:
    run_log = tmp_path / "runs.jsonl"
    for hour, ids in ((9, {"restarted": [tid(1)], "rejected": [tid(64), tid(90)]}),
                      (10, {"not_sent": [tid(2)]})):
        append_run(run_log, started_at=datetime(2026, 1, 5, hour, 30, tzinfo=UTC),
                   finished_at=datetime(2026, 1, 5, hour, 31, tzinfo=UTC),
                   api_host="openapi.geelark.com", counts={}, ids_by_outcome=ids,
                   interrupted=False, ids_by_code={48000: [tid(64)], 48002: [tid(90)]})
    app = make_app(make_config(), run_log=run_log)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await wait_for_screen(pilot, app, PastRunsScreen)
        runs = app.screen.query_one(OptionList)
        await wait_for(pilot, lambda: runs.option_count == 2 and runs.highlighted == 0)
        assert "2026-01-05 10:30 · 1 ID · ○ 1" in str(runs.get_option_at_index(0).prompt)
        await pilot.press("down", "enter")  # the older run
        await wait_for_screen(pilot, app, ResultsScreen)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        assert [(r.id, r.outcome, r.code) for r in screen.results] == [
            (tid(1), R, 0), (tid(64), J, 48000), (tid(90), J, 48002)]
        assert str(screen.query_one("#results-run", Static).render()) == (
            "From the run log: the run of 2026-01-05 09:30 on openapi.geelark.com")
        await pilot.press("p")  # from the results too
        await wait_for_screen(pilot, app, PastRunsScreen)
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("p")  # ... and one reopened from there replaces it
        await wait_for_screen(pilot, app, PastRunsScreen)
        await wait_for(pilot, lambda: app.screen.query_one(OptionList).highlighted == 0)
        await pilot.press("enter")  # the newer run
        await wait_for_screen(pilot, app, ResultsScreen, other_than=screen)
        assert [r.id for r in app.screen.results] == [tid(2)]  # type: ignore[attr-defined]
        assert sum(isinstance(s, ResultsScreen) for s in app.screen_stack) == 1


async def test_recent_sets_are_renamed_and_deleted_from_the_entry_screen() -> None:
    config = make_config()
    record_recent_set(config, [tid(1), tid(2)], now=datetime(2026, 1, 2, tzinfo=UTC))
    record_recent_set(config, [tid(3)], now=datetime(2026, 1, 3, tzinfo=UTC))
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+l", "r")  # the most recent set
        await wait_for_screen(pilot, app, TextPromptScreen)
        said = str(app.screen.query_one(".dialog-body", Static).render())
        assert said.startswith("1 ID from ") and "(1 ID)" not in said  # the count once
        await pilot.press(*"Ticket 4711", "enter")
        await wait_for_screen(pilot, app, EntryScreen)
        assert load_config(config.path).recent[0].name == "Ticket 4711"
        recent = app.screen.query_one(RecentSets)
        assert "Ticket 4711" in str(recent.get_option_at_index(0).prompt)
        await pilot.press("down", "down", "delete")  # the older set (a separator between)
        await wait_for_screen(pilot, app, YesNoScreen)
        await pilot.press("enter")
        await wait_for_screen(pilot, app, EntryScreen)
        assert [r.ids for r in load_config(config.path).recent] == [(tid(3),)]
        assert app.screen.query_one("#ids", TextArea).text == ""  # nothing was loaded
