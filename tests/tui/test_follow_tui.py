"""Following restarted tasks on the results screen, and cancelling stuck ones to restart them:
the real app (Pilot) against the simulator over real HTTP, whose restarted tasks run for half
a second and then complete, or fail again when their ID ends in a multiple of 3."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from textual.widgets import Checkbox, Static

from geelark_tui.api.models import Outcome
from geelark_tui.report import to_csv, to_json
from geelark_tui.simulator import Simulator, SimulatorConfig
from geelark_tui.ticket import ticket_reply
from geelark_tui.tui.app import GeeLarkApp
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.results import ResultsScreen

from .helpers import (
    TOKEN,
    confirm_run,
    make_app,
    make_config,
    open_confirmation,
    tid,
    wait_for,
    wait_for_screen,
)

POLL = 0.3  # seconds between two polls of one task (the product's is 5 s)


@pytest.fixture
def quick_sim() -> Iterator[Simulator]:
    config = SimulatorConfig(token=TOKEN, per_minute=0, state_timing=(0.2, 0.3),
                             query_faults=False)
    with Simulator(config) as sim:
        yield sim


def app_for(sim: Simulator, ids: list[str]) -> GeeLarkApp:
    app = make_app(make_config(sim.base_url), prefill="\n".join(ids))
    app.context.follow_interval = POLL
    return app


async def results_of(pilot: object, app: GeeLarkApp, *keys: str) -> ResultsScreen:
    await confirm_run(pilot, app, *keys)  # type: ignore[arg-type]
    await wait_for_screen(pilot, app, ResultsScreen, timeout=30)  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, ResultsScreen)
    return screen


async def test_results_follow_to_the_end_and_failed_again_can_be_restarted(
    quick_sim: Simulator,
) -> None:
    ids = [tid(n) for n in range(7)]  # failed: restartable; 00, 03, 06 fail again
    again = [tid(0), tid(3), tid(6)]
    app = app_for(quick_sim, ids)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await results_of(pilot, app)
        line = screen.query_one("#results-follow", Static)
        # the live line is there from the results' first paint (no second layout of the
        # grid when following begins)
        assert line.display and str(line.render()).startswith("Following 7 restarted")
        # followed to their end (the live line while it goes on: the next test), as the
        # simulator has them
        await wait_for(pilot, lambda: screen.follow_line().startswith("Followed"), 15)
        assert str(line.render()) == screen.follow_line() == (
            "Followed 7 restarted to their end: 4 completed · 3 failed again")
        for task_id in ids:
            assert quick_sim.task_state(task_id).status == (4 if task_id in again else 3)
        # the STATUS column says it, in place
        rows = {r.id: r for r in screen.results}
        assert {screen.row_status(rows[i]) for i in again} == {"failed again"}
        assert screen.row_status(rows[tid(1)]) == "completed"
        # ... and every next step follows it: the grid, the ticket reply, the export
        assert screen.row_hint(rows[tid(3)]).startswith("Failed again: ")
        assert screen.grid.hint_text(rows[tid(3)]) == screen.row_hint(rows[tid(3)])
        assert screen.row_hint(rows[tid(1)]) == "Nothing to do: it ran and completed."
        reply = ticket_reply(screen.results, latest=screen.latest_tasks())
        assert "Failed again: " in reply
        exported = {r["id"]: r for r in csv.DictReader(io.StringIO(
            to_csv(screen.results, screen.export_extras())))}
        assert exported[tid(3)]["after"] == "failed"
        assert exported[tid(3)]["hint"].startswith("Failed again: ")
        assert exported[tid(1)]["after"] == "completed"
        # `status` is the task's status before the run, as the headless contract has it
        # (failed: 4), not what following found since (completed: 3, in `after`).
        assert exported[tid(1)]["status"] == exported[tid(3)]["status"] == "4"
        as_json = {r["id"]: r for r in json.loads(to_json(screen.results, (),
                                                          screen.export_extras()))["results"]}
        assert as_json[tid(1)]["status"] == 4 and as_json[tid(1)]["after"]["status"] == 3
        # "failed again" is a filter; select what it shows, and restart exactly those
        for _ in range(6):
            if screen.row_filter.status == "failed again":
                break
            await pilot.press("h")
        assert [r.id for r in screen.grid.visible_results] == again
        await pilot.press("a", "r")
        await wait_for_screen(pilot, app, RestartConfirmScreen)
        confirm = app.screen
        assert isinstance(confirm, RestartConfirmScreen)
        await wait_for(pilot, lambda: not confirm.looking)
        assert confirm.plan.planned == tuple(again)
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.set.runs) == 2, 30)
        assert app.screen is screen  # the same set, updated in place
    assert {i: n for i, n in quick_sim.restart_counts.items() if n > 1} == dict.fromkeys(again, 2)



async def test_with_a_status_filter_the_status_line_counts_what_following_changed(
    quick_sim: Simulator,
) -> None:
    ids = [tid(n) for n in range(7)]
    app = app_for(quick_sim, ids)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await results_of(pilot, app)
        grid = screen.grid
        first = screen.row_status(screen.results[0])  # "was failed", unless a poll came first
        screen.set_status_filter(first)
        shown = grid.line_count
        assert str(screen.query_one("#results-status", Static).render()).startswith(
            f"{shown} of 7 rows · only status {first}")
        await wait_for(pilot, lambda: screen.follow_line().startswith("Followed"), 15)
        assert grid.line_count != shown  # the tasks moved on: other rows match now
        assert str(screen.query_one("#results-status", Static).render()).startswith(
            f"{grid.line_count} of 7 rows · only status {first}")

async def test_the_live_line_and_w_to_stop_following_and_follow_again() -> None:
    ids = [tid(n) for n in (1, 2, 4)]
    slow = SimulatorConfig(token=TOKEN, per_minute=0, state_timing=(0.1, 60.0),
                           query_faults=False)  # restarted tasks run for a minute
    with Simulator(slow) as sim:
        app = app_for(sim, ids)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await results_of(pilot, app)
            line = screen.query_one("#results-follow", Static)
            await wait_for(pilot, lambda: str(line.render()) == (
                "Following 3 restarted (w stops): 3 running"))
            rows = {r.id: r for r in screen.results}
            assert screen.row_status(rows[tid(1)]) == "in progress"  # in place, live
            await pilot.press("w")
            await wait_for(pilot, lambda: "stopped; w follows again" in screen.follow_line())
            await pilot.press("w")
            await wait_for(pilot, lambda: screen.follow_line().startswith("Following"))


async def test_the_confirmation_offers_to_cancel_the_stuck_ones_off_by_default(
    quick_sim: Simulator,
) -> None:
    waiting, running, failed = tid(50), tid(54), tid(1)
    app = app_for(quick_sim, [waiting, running, failed])
    async with app.run_test(size=(80, 24)) as pilot:
        confirm = await open_confirmation(pilot, app)
        box = confirm.query_one("#cancel-active", Checkbox)
        assert box.display and not box.value  # offered, off
        assert confirm.plan.planned == (failed,)
        await pilot.press("x")
        assert box.value and confirm.plan.planned == (waiting, running, failed)
        text = str(confirm.query_one("#preflight", Static).render())
        assert "Cancelling the 2 waiting or running first" in text
        assert "will be cancelled with task/cancel" in str(
            confirm.query_one("#confirm-warning", Static).render())
        await pilot.press("enter")
        await wait_for_screen(pilot, app, ResultsScreen, timeout=30)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        rows = {r.id: r for r in screen.results}
        # The run line counts every request the run made, the cancel too.
        assert " + 1 cancel request + " in str(screen.query_one("#results-run").render())
    assert quick_sim.cancel_counts == {waiting: 1, running: 1}
    for task_id in (waiting, running):
        assert rows[task_id].outcome is Outcome.RESTARTED
        assert rows[task_id].message.startswith("cancelled, then ")


async def test_include_all_counts_what_cancelling_the_stuck_ones_leaves_out(
    quick_sim: Simulator,
) -> None:
    waiting, running, completed, failed = tid(50), tid(54), tid(58), tid(1)
    app = app_for(quick_sim, [waiting, running, completed, failed])
    async with app.run_test(size=(80, 24)) as pilot:
        confirm = await open_confirmation(pilot, app)
        include = confirm.query_one("#include-all", Checkbox)

        def said() -> str:
            return str(confirm.query_one("#preflight", Static).render())

        assert str(include.label) == "Include the 3 that cannot be restarted now (a)"
        await pilot.press("x")  # the waiting and the running one: cancelled and restarted
        assert str(include.label) == "Include the 1 that cannot be restarted now (a)"
        assert "then restarting them with the failed and cancelled: 1 skipped." in said()
        await pilot.press("a")
        assert confirm.plan.to_send == (waiting, running, completed, failed)
        assert ("Restarting all 4: the 2 waiting or running cancelled first, the 1 that "
                "cannot be restarted now included on purpose.") in said()
        await pilot.press("x")
        assert str(include.label) == "Include the 3 that cannot be restarted now (a)"
        assert "Restarting all 4, the 3 that cannot be restarted now included" in said()
        await pilot.press("escape")
    # All that a default run leaves out is stuck: with x on, include-all adds nothing more.
    app = app_for(quick_sim, [waiting, running, failed])
    async with app.run_test(size=(80, 24)) as pilot:
        confirm = await open_confirmation(pilot, app)
        include = confirm.query_one("#include-all", Checkbox)
        await pilot.press("a", "x")
        assert include.display and include.value
        assert str(include.label) == "Include all (a): nothing left out, the stuck ones cancelled"
        assert ("Restarting all 3: the 2 waiting or running cancelled first." in
                str(confirm.query_one("#preflight", Static).render()))


async def test_cancel_and_restart_from_the_results(quick_sim: Simulator) -> None:
    waiting, running, completed, failed = tid(50), tid(54), tid(58), tid(1)
    app = app_for(quick_sim, [waiting, running, completed, failed])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await results_of(pilot, app)
        rows = {r.id: r for r in screen.results}
        assert {rows[i].outcome for i in (waiting, running, completed)} == {Outcome.SKIPPED}
        await pilot.press("x")  # every row: only the waiting and running ones qualify
        await wait_for_screen(pilot, app, RestartConfirmScreen)
        confirm = app.screen
        assert isinstance(confirm, RestartConfirmScreen)
        await wait_for(pilot, lambda: not confirm.looking)
        assert confirm.plan.ids == (waiting, running) and confirm.plan.cancel_active
        assert "Restart 2 tasks?" in str(confirm.query_one("#confirm-title", Static).render())
        assert "IDs:       2, the waiting or running of every row" in str(
            confirm.query_one("#confirm-body", Static).render())  # not "2, every row"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(screen.set.runs) == 2, 30)
        rows = {r.id: r for r in screen.results}
        assert rows[waiting].outcome is rows[running].outcome is Outcome.RESTARTED
        assert rows[completed].outcome is Outcome.SKIPPED
    assert quick_sim.cancel_counts == {waiting: 1, running: 1}
