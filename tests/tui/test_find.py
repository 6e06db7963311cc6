"""The Find screen with Pilot at 80x24 against the simulator over real HTTP: read the history,
group, expand, select, filter locally, stop, and restart a group through the usual
confirmation, run and results."""

from __future__ import annotations

import time
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Input, Select

from geelark_tui.api.client import parse_task
from geelark_tui.api.models import Outcome, Task
from geelark_tui.sim_history import build_population
from geelark_tui.simulator import Simulator, SimulatorConfig
from geelark_tui.task_filter import TaskFilter
from geelark_tui.task_groups import GroupBy, Grouping, group_tasks
from geelark_tui.tasks import WalkEnd
from geelark_tui.tui.app import GeeLarkApp
from geelark_tui.tui.demo import start_demo
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.find import CUSTOM, FindScreen
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.widgets.task_groups import TaskGroupList

from .helpers import TOKEN, make_app, make_config, wait_for, wait_for_screen

SIZE = (80, 24)


def history_requests(sim: Simulator) -> int:
    return sum(1 for r in sim.requests if r.path.endswith("/historyRecords"))


def as_tasks(sim: Simulator) -> list[Task]:
    return [t for s in sim.history_tasks() if (t := parse_task(s.to_json())) is not None]


async def open_find(pilot: Any, app: GeeLarkApp) -> FindScreen:
    await pilot.press("ctrl+f")
    await wait_for_screen(pilot, app, FindScreen)
    screen = app.screen
    assert isinstance(screen, FindScreen)
    await wait_for(pilot, lambda: not screen.reading and screen._result is not None)
    return screen


def note(screen: FindScreen) -> str:
    return str(screen.query_one("#find-note").render())


async def test_find_group_select_one_group_restart_it_and_see_its_results(
    sim: Simulator,
) -> None:
    app = make_app(make_config(sim.base_url))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_find(pilot, app)
        groups = screen.query_one(TaskGroupList)
        assert groups.has_focus and groups.grouping.by is GroupBy.REASON
        expected = group_tasks([t for t in as_tasks(sim) if TaskFilter().matches(t)],
                               GroupBy.REASON)
        assert [(g.key, g.ids) for g in groups.grouping.groups] == [
            (g.key, g.ids) for g in expected]
        assert f"{sum(len(g.tasks) for g in expected):,} match" in note(screen)
        await pilot.press("down", "down", "space")  # the third biggest failure reason
        chosen = expected[2]
        assert groups.selected_ids == set(chosen.ids)
        assert f"{len(chosen.ids):,} selected" in note(screen)
        await pilot.press("ctrl+r")
        await wait_for_screen(pilot, app, RestartConfirmScreen)
        confirm = app.screen
        assert isinstance(confirm, RestartConfirmScreen)
        assert confirm.plan.ids == tuple(chosen.ids)
        await wait_for(pilot, lambda: not confirm.looking)  # the pre-flight
        await pilot.press("enter")
        await wait_for_screen(pilot, app, ResultsScreen, timeout=20)
        results = app.screen
        assert isinstance(results, ResultsScreen)
        assert [r.id for r in results.results] == chosen.ids
        assert {r.outcome for r in results.results} == {Outcome.RESTARTED}
    assert sim.restart_counts == dict.fromkeys(chosen.ids, 1)


async def test_regroup_expand_select_tasks_and_all(sim: Simulator) -> None:
    app = make_app(make_config(sim.base_url))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_find(pilot, app)
        groups = screen.query_one(TaskGroupList)
        matched = [t for t in as_tasks(sim) if TaskFilter().matches(t)]
        for by in (GroupBy.PLAN, GroupBy.PHONE, GroupBy.STATUS):
            await pilot.press("g")
            await wait_for(pilot, lambda by=by: groups.grouping.by is by  # type: ignore[misc]
                           and not screen._rebuilding)
            assert groups.grouping.counts() == Grouping(by, matched).counts()
        first = groups.grouping.groups[0]
        await pilot.press("enter", "down", "down", "space")  # the group's second task
        assert groups.selected_ids == {first.tasks[1].id}
        await pilot.press("up", "space")
        assert groups.selected_ids == {first.tasks[0].id, first.tasks[1].id}
        assert screen.chosen_ids() == [first.tasks[0].id, first.tasks[1].id]
        await pilot.press("left")  # back on the group line, the group closed
        assert groups.line_count == len(groups.grouping.groups)
        await pilot.press("a")
        assert groups.selected_ids == {t.id for t in matched}
        assert screen.chosen_ids() == [t.id for t in matched]
        await pilot.press("a")
        assert not groups.selected_ids
        await pilot.press("end")
        assert groups.cursor_ids() == groups.grouping.groups[-1].ids


async def test_the_form_filters_what_was_read_without_reading_again(sim: Simulator) -> None:
    app = make_app(make_config(sim.base_url))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_find(pilot, app)
        groups = screen.query_one(TaskGroupList)
        read = history_requests(sim)
        everything = as_tasks(sim)

        async def shown_after(change: Any, wanted: TaskFilter) -> None:
            change()
            expected = sorted(t.id for t in everything if wanted.matches(t))
            await wait_for(pilot, lambda: not screen._rebuilding and sorted(
                i for g in groups.grouping.groups for i in g.ids) == expected)

        await pilot.press("a")  # selected tasks a filter hides are dropped from the selection
        screen.query_one("#find-phone", Input).focus()
        await pilot.press(*"us-west-03")
        await shown_after(lambda: None, TaskFilter(phone="us-west-03"))
        assert groups.selected_ids == {i for g in groups.grouping.groups for i in g.ids}
        await shown_after(lambda: screen.query_one("#find-status-completed").toggle(),
                          TaskFilter(statuses=frozenset({3, 4, 7}), phone="us-west-03"))
        codes = screen.query_one("#find-codes", Input)
        codes.focus()
        await pilot.press(*"29996")
        await shown_after(lambda: None, TaskFilter(statuses=frozenset({3, 4, 7}),
                                                   phone="us-west-03",
                                                   fail_codes=frozenset({29996})))
        await pilot.press("x")  # "29996x": said, and the last good filter stays
        await wait_for(pilot, lambda: "not a failure code" in note(screen))
        assert groups.grouping.count > 0
        codes.value = ""
        since = time.time() - 12 * 3600
        await shown_after(lambda: setattr(screen.query_one("#find-range", Select), "value",
                                          "12h"),
                          TaskFilter(statuses=frozenset({3, 4, 7}), phone="us-west-03",
                                     since=since))
        screen.query_one("#find-range", Select).value = CUSTOM
        custom = screen.query_one("#find-custom", Input)
        await wait_for(pilot, lambda: not custom.disabled and custom.has_focus)
        await pilot.press(*"2x")
        await wait_for(pilot, lambda: "not a duration" in note(screen))
        await pilot.press("backspace", "d", "enter")
        await shown_after(lambda: None, TaskFilter(statuses=frozenset({3, 4, 7}),
                                                   phone="us-west-03",
                                                   since=time.time() - 2 * 86400))
        assert groups.has_focus  # enter in a field goes back to the list
        assert history_requests(sim) == read  # every change was local


async def test_escape_stops_reading_then_goes_back(tmp_path: Any) -> None:
    with Simulator(SimulatorConfig(token=TOKEN, latency=0.08)) as sim:
        app = make_app(make_config(sim.base_url))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+f")
            await wait_for_screen(pilot, app, FindScreen)
            screen = app.screen
            assert isinstance(screen, FindScreen)
            await wait_for(pilot, lambda: screen._pages >= 1)
            assert screen.reading and "escape stops" in note(screen)
            await pilot.press("escape")
            await wait_for(pilot, lambda: not screen.reading)
            assert screen._result is not None and screen._result.end is WalkEnd.STOPPED
            assert screen._result.pages < 13 and "Stopped:" in note(screen)
            sent = history_requests(sim)
            await pilot.pause(0.3)
            assert history_requests(sim) == sent
            await pilot.press("ctrl+l")  # reads it all again
            await wait_for(pilot, lambda: screen._result is not None
                           and screen._result.end is WalkEnd.DONE, timeout=15)
            assert screen._seen == len(sim.history_tasks())
            await pilot.press("escape")
            await wait_for_screen(pilot, app, EntryScreen)


async def test_without_credentials_find_says_so_and_opens_settings(sim: Simulator) -> None:
    app = make_app(make_config(sim.base_url, token=""))
    said: list[str] = []
    notify = app.notify

    def recording(message: str, *args: Any, **kwargs: Any) -> None:
        said.append(message)
        notify(message, *args, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SettingsScreen")
        await pilot.press("escape")
        await wait_for_screen(pilot, app, EntryScreen)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SettingsScreen")
        assert any("no credentials" in message for message in said)
    assert history_requests(sim) == 0


async def test_find_is_in_the_palette_of_the_entry_screen(sim: Simulator) -> None:
    app = make_app(make_config(sim.base_url))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, app, EntryScreen)
        entry = app.screen
        assert isinstance(entry, EntryScreen)
        commands = {c.title: c for c in entry.palette_commands()}
        await commands["IDs: Find"].callback()
        await wait_for_screen(pilot, app, FindScreen)


class Big(App[None]):
    def compose(self) -> ComposeResult:
        yield TaskGroupList()


async def test_a_hundred_thousand_tasks_stay_instant() -> None:
    """One group of 100,000 tasks: expanding it, jumping to its end and drawing the screen
    take a few milliseconds: nothing is proportional to the list."""
    base = [t for s in build_population(1000, 0, 1_800_000_000.0)
            if (t := parse_task(s.to_json())) is not None]
    tasks = [Task(f"{n:018d}", 4, "plan", 1, "phone", None, 1_800_000_000 - n, 20002, "x")
             for n in range(100_000)] + base
    grouping = Grouping(GroupBy.REASON, tasks)
    app = Big()
    async with app.run_test(size=SIZE) as pilot:
        groups = app.query_one(TaskGroupList)
        groups.show(grouping)
        groups.focus()
        await pilot.pause()
        start = time.perf_counter()
        groups.action_expand()
        groups.action_jump(-1)
        groups.action_toggle_select()
        for y in range(24):
            groups.render_line(y)
        took = time.perf_counter() - start
        assert groups.line_count == len(grouping.groups) + 100_000
        assert groups.selected_ids == set(grouping.groups[-1].ids)
        assert took < 0.25, took


async def test_the_demo_finds_and_restarts_them() -> None:
    demo = start_demo(latency=0.0)
    try:
        app = GeeLarkApp(demo.context)
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_find(pilot, app)
            groups = screen.query_one(TaskGroupList)
            assert screen._pages >= 5 and groups.grouping.count > 100
            await pilot.press("end", "space")  # the smallest failure reason
            chosen = groups.grouping.groups[-1].ids
            assert groups.selected_ids == set(chosen)
            await pilot.press("ctrl+r")
            await wait_for_screen(pilot, app, RestartConfirmScreen)
            confirm = app.screen
            assert isinstance(confirm, RestartConfirmScreen)
            await wait_for(pilot, lambda: not confirm.looking)
            await pilot.press("enter")
            await wait_for_screen(pilot, app, ResultsScreen, timeout=30)
            results = app.screen
            assert isinstance(results, ResultsScreen)
            assert [r.id for r in results.results] == chosen
            restarted = {r.id for r in results.results if r.outcome is Outcome.RESTARTED}
            assert restarted  # the demo's faults may leave some not sent or unknown
            assert restarted <= set(demo.simulator.restart_counts) <= set(chosen)
    finally:
        demo.close()
