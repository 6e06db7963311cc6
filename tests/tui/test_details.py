"""The detail pane and the re-check on the results screen: task type, phone, plan, local
scheduled time and the task's own failure, from the pre-flight or looked up on demand; the
re-check showing the simulator's later states; undocumented statuses and missing fields."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.codes import fail_code_meaning, task_type_name
from geelark_tui.api.endpoints import QUERY_PATH
from geelark_tui.api.models import IdResult, Outcome, TaskStatus
from geelark_tui.context import AppContext
from geelark_tui.plan import RunPlan
from geelark_tui.simulator import Simulator, SimulatorConfig
from geelark_tui.task_info import local_time
from geelark_tui.tui.screens.progress import RunOutcome
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.screens.results_tasks import FETCH_DELAY
from geelark_tui.tui.widgets.result_columns import status_label
from geelark_tui.tui.widgets.results_grid import ResultsGrid
from geelark_tui.tui.widgets.task_detail import TaskDetail

from .helpers import (
    TOKEN,
    confirm_run,
    make_app,
    make_config,
    notifications,
    tid,
    wait_for,
    wait_for_screen,
)


def detail(app: Any) -> str:
    return str(app.screen.query_one(TaskDetail).plain())


def queries(sim: Simulator) -> int:
    return sum(1 for r in sim.requests if r.path == QUERY_PATH)


async def run_to_results(pilot: Any, app: Any, *keys: str) -> ResultsScreen:
    await confirm_run(pilot, app, *keys)
    await wait_for_screen(pilot, app, ResultsScreen, timeout=20)
    screen = app.screen
    assert isinstance(screen, ResultsScreen)
    return screen


def move_to(screen: ResultsScreen, task_id: str) -> None:
    grid = screen.query_one(ResultsGrid)
    grid.move_cursor([r.id for r in grid.visible_results].index(task_id))


async def test_detail_pane_from_the_preflight(sim: Simulator) -> None:
    ids = [tid(1), tid(72), tid(41), tid(90)]
    app = make_app(make_config(sim.base_url), prefill="\n".join(ids))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await run_to_results(pilot, app)
        before = queries(sim)
        for task_id in (tid(72), tid(1)):
            move_to(screen, task_id)
            await pilot.pause()
            state = sim.initial_state(task_id)
            text = detail(app)
            assert f"Task:    {task_type_name(state.task_type)} · phone {state.serial_name} · " \
                   f"plan {state.plan_name}" in text
            assert f"Status:  failed (before the run) · scheduled {local_time(state.schedule_at)}" \
                   in text
            assert f"Failure: {state.fail_code} {fail_code_meaning(state.fail_code)}" in text
            if state.fail_desc != fail_code_meaning(state.fail_code):
                assert state.fail_desc in text
        move_to(screen, tid(72))
        await pilot.pause()
        assert "Failure: 29998 cloud phone deleted" in detail(app)
        move_to(screen, tid(90))
        await wait_for(pilot, lambda: "Task:    not found" in detail(app))
        await pilot.pause(FETCH_DELAY + 0.2)  # when a lookup would have gone out
        assert queries(sim) == before  # all known from the pre-flight: nothing fetched


async def test_detail_fetched_on_demand_without_preflight(sim: Simulator) -> None:
    ids = [tid(n) for n in range(20)] + [tid(90)]
    app = make_app(make_config(sim.base_url, preflight=False), prefill="\n".join(ids))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await run_to_results(pilot, app)
        assert not screen.query_one(ResultsGrid).show_status
        for _ in range(8):  # moving fast: lookups only where the cursor rests, not per key
            await pilot.press("down")
        await wait_for(pilot, lambda: "(looked up)" in detail(app))
        # at most one for the first row (shown on arrival) and one where the cursor stopped
        assert 1 <= queries(sim) <= 2
        state = sim.task_state(tid(8))
        text = detail(app)
        assert f"{task_type_name(state.task_type)} · phone {state.serial_name}" in text
        assert f"Status:  {TaskStatus.label(state.status)} (looked up)" in text
        settled = queries(sim)
        move_to(screen, tid(90))  # in the same lookup: rows from the cursor on
        await wait_for(pilot, lambda: "Task:    not found" in detail(app))
        await pilot.pause(FETCH_DELAY + 0.2)  # when a lookup would have gone out
        assert queries(sim) == settled


async def test_next_step_for_48001_follows_the_tasks_status(sim: Simulator) -> None:
    waiting, completed = tid(50), tid(60)  # both answer 48001
    app = make_app(make_config(sim.base_url, preflight=False),
                   prefill="\n".join([waiting, completed]))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await run_to_results(pilot, app)
        assert {r.code for r in screen.results} == {48001}

        async def pane_of(task_id: str) -> str:  # once its status is looked up
            move_to(screen, task_id)
            await wait_for(pilot, lambda: detail(app).startswith(task_id)
                           and "(looked up)" in detail(app))
            return detail(app)

        assert "Next:    It completed: nothing to restart, it ran." in await pane_of(completed)
        assert "Next:    It is waiting to run: wait until it ends, or cancel it first." in \
            await pane_of(waiting)

        def row_painted(task_id: str) -> str:
            grid = screen.query_one(ResultsGrid)
            line = 1 + [r.id for r in grid.visible_results].index(task_id)  # under the header
            return grid.render_line(line).text

        # The grid's NEXT STEP says what the pane says (it drew the looked-up rows again).
        await wait_for(pilot, lambda: "It is waiting to run" in row_painted(waiting))
        assert "It completed: nothing to" in row_painted(completed)


async def test_lookup_failure_is_shown_and_d_toggles_the_pane() -> None:
    app = make_app(make_config("http://127.0.0.1:9"))
    async with app.run_test(size=(80, 24)) as pilot:
        plan = app.context.plan((tid(1), tid(2)))
        results = [IdResult(tid(1), Outcome.NOT_SENT, None, "not sent: cannot reach"),
                   IdResult(tid(2), Outcome.NOT_SENT, None, "not sent: cannot reach")]
        await app.push_screen(ResultsScreen(RunOutcome(plan, results, None)))
        await wait_for(pilot, lambda: "lookup failed: could not connect" in detail(app))
        pane = app.screen.query_one(TaskDetail)
        assert pane.size.height == 5
        await pilot.press("d")
        await pilot.pause()
        assert pane.size.height == 2 and "Task" not in detail(app)
        assert detail(app).startswith(f"{tid(1)}: ○ not sent · not sent: cannot reach\nNext: ")
        await pilot.press("d")  # back, and it tries again
        assert "Task:    looking it up…" in detail(app) or "lookup failed" in detail(app)
        await wait_for(pilot, lambda: "lookup failed" in detail(app))


async def test_recheck_shows_the_later_states() -> None:
    with Simulator(SimulatorConfig(token=TOKEN, state_timing=(0.2, 0.2))) as sim:
        ids = [tid(1), tid(3), tid(41), tid(42), tid(50)]
        app = make_app(make_config(sim.base_url), prefill="\n".join(ids))
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await run_to_results(pilot, app)
            assert [r.outcome for r in screen.results] == [Outcome.RESTARTED] * 4 + [
                Outcome.SKIPPED]
            assert {r.status for r in screen.results[:4]} <= {4, 7}  # before the run
            grid = screen.query_one(ResultsGrid)
            assert grid.status_text(screen.results[0]) == "was failed"
            assert grid.status_text(screen.results[2]) == "was cancelled"
            assert any(c.title == "Results: Re-check" for c in screen.palette_commands())
            # The simulator moves them on: completed or failed again.
            await wait_for(pilot, lambda: all(sim.task_state(i).status in (3, 4)
                                              for i in ids[:4]))
            await pilot.press("k")
            await wait_for(pilot, lambda: any("Re-checked" in n
                                              for n in notifications(app)))
            rows = {r.id: r for r in grid.all_results}
            for task_id in ids[:4]:
                now = sim.task_state(task_id).status
                assert rows[task_id].status == now, task_id
                assert grid.status_text(rows[task_id]) == (
                    "completed" if now == 3 else "failed again")
            assert {rows[i].status for i in ids[:4]} == {3, 4}  # 3 and 42 failed again
            assert rows[tid(50)].status == 1  # skipped: not re-checked, as the pre-flight saw
            assert any(n == "Re-checked 4: 2 completed, 2 failed."
                       for n in notifications(app))
            assert screen.results == list(grid.all_results)  # exports see the new statuses
            move_to(screen, tid(3))
            await pilot.pause()
            assert "Status:  failed (re-checked)" in detail(app)


async def test_recheck_with_nothing_restarted_says_so() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        plan = app.context.plan((tid(1),))
        results = [IdResult(tid(1), Outcome.REJECTED, 48000, "task retry limit reached")]
        await app.push_screen(ResultsScreen(RunOutcome(plan, results, None)))
        await pilot.press("k")
        assert any("Nothing to re-check" in n for n in notifications(app))


# -- what the server may send: undocumented statuses and types, missing fields ---------------

ODD_TASKS: dict[str, dict[str, Any]] = {
    tid(1): {"id": tid(1), "status": 6},
    tid(2): {"id": tid(2), "status": 4},
    tid(3): {"id": tid(3), "status": 4, "taskType": 99, "failCode": 20500, "serialName": "P-1",
             "failDesc": "line one\nline two\x1b[31m", "scheduleAt": 1767225600},
    tid(4): {"id": tid(4), "status": "busy"},
}


def odd_server(request: httpx.Request) -> httpx.Response:
    ids = json.loads(request.content)["ids"]
    if request.url.path.endswith("/task/query"):
        items = [ODD_TASKS[i] for i in ids if i in ODD_TASKS]
        return httpx.Response(200, json={"traceId": "t", "code": 0, "msg": "success",
                                         "data": {"total": len(items), "items": items}})
    return httpx.Response(200, json={"traceId": "t", "code": 0, "msg": "success", "data": {
        "totalAmount": len(ids), "successAmount": len(ids), "failAmount": 0}})


@pytest.fixture
def odd_api(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every client the app makes talks to `odd_server`; returns the restart requests' IDs."""
    restarts: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/task/restart"):
            restarts.append(json.loads(request.content)["ids"])
        return odd_server(request)

    def make_client(self: AppContext, plan: RunPlan | None = None) -> GeeLarkClient:
        return GeeLarkClient(self.base_url(), self.credentials().auth(),
                             transport=httpx.MockTransport(handler))

    monkeypatch.setattr(AppContext, "make_client", make_client)
    return restarts


async def test_undocumented_status_and_missing_fields(odd_api: list[list[str]]) -> None:
    app = make_app(make_config(), prefill="\n".join(ODD_TASKS))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+r")
        confirm = app.screen
        await wait_for(pilot, lambda: not confirm.looking)  # type: ignore[attr-defined]
        text = " ".join(str(confirm.query_one("#preflight").render()).split())
        assert "2 can be restarted, 2 have an undocumented status" in text
        await pilot.press("enter")
        await wait_for_screen(pilot, app, ResultsScreen)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        assert odd_api == [[tid(2), tid(3)]]  # status 4 only
        rows = {r.id: r for r in screen.results}
        assert rows[tid(1)].outcome is Outcome.SKIPPED
        assert status_label(rows[tid(1)]) == "undocumented status 6"
        assert status_label(rows[tid(4)]) == "—"
        move_to(screen, tid(1))
        await pilot.pause()
        assert "Status:  undocumented status 6 (before the run) · scheduled —" in detail(app)
        move_to(screen, tid(2))
        await pilot.pause()
        text = detail(app)
        assert "Task:    — · phone — · plan —" in text
        assert "Status:  failed (before the run) · scheduled —" in text
        assert "Failure: none recorded" in text
        move_to(screen, tid(3))
        await pilot.pause()
        text = detail(app)
        assert "Task:    type 99 · phone P-1 · plan —" in text
        assert f"scheduled {local_time(1767225600)}" in text
        assert "Failure: 20500 execution failure 20500: line one line two [31m" in text
        assert "\x1b" not in text
        move_to(screen, tid(4))
        await pilot.pause()
        assert "Status:  — (before the run)" in detail(app)
        await pilot.press("k")  # a re-check over the same odd answers: no crash either
        await wait_for(pilot, lambda: any(n == "Re-checked 2: 2 failed."
                                          for n in notifications(app)))
