"""The pre-flight in the TUI, against the simulator over real HTTP: the confirmation's counts
match the simulator's ground truth, a default run sends only failed and cancelled tasks,
"include all" sends the rest on purpose, one pacer paces everything, escape stops the lookup."""

from __future__ import annotations

import time

import pytest
from textual.widgets import Checkbox, Static

from geelark_tui.api.endpoints import QUERY_PATH, RESTART_PATH
from geelark_tui.api.models import Outcome
from geelark_tui.config import load_config
from geelark_tui.simulator import Simulator, SimulatorConfig
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.progress import ProgressScreen
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.screens.settings import SettingsScreen
from geelark_tui.tui.widgets.result_columns import status_label
from geelark_tui.tui.widgets.results_grid import ResultsGrid
from geelark_tui.tui.widgets.summary_bar import SummaryBar

from .helpers import (
    TOKEN,
    confirm_run,
    make_app,
    make_config,
    notifications,
    open_confirmation,
    tid,
    wait_for,
    wait_for_screen,
)

EVERY_BUCKET = [tid(n) for n in range(100)]  # one ID of each kind the simulator has
RESTARTABLE = {4, 7}


def text(screen: RestartConfirmScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def restart_ids(sim: Simulator) -> list[str]:
    return [i for r in sim.requests if r.path == RESTART_PATH for i in r.ids]


def queries(sim: Simulator) -> list[tuple[str, ...]]:
    return [r.ids for r in sim.requests if r.path == QUERY_PATH]


def truth(sim: Simulator, ids: list[str]) -> dict[str, list[str]]:
    """The pre-flight groups by the simulator's own state of each task."""
    groups: dict[str, list[str]] = {"restartable": [], "running": [], "completed": [],
                                    "missing": []}
    for task_id in ids:
        state = sim.initial_state(task_id)
        if not state.exists:
            groups["missing"].append(task_id)
        elif state.status in RESTARTABLE:
            groups["restartable"].append(task_id)
        elif state.status in (1, 2):
            groups["running"].append(task_id)
        else:
            groups["completed"].append(task_id)
    return groups


async def test_confirmation_counts_match_the_simulator(sim: Simulator) -> None:
    app = make_app(make_config(sim.base_url), prefill="\n".join(EVERY_BUCKET))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_confirmation(pilot, app)
        groups = truth(sim, EVERY_BUCKET)
        n = {name: len(ids) for name, ids in groups.items()}
        assert n == {"restartable": 71, "running": 8, "completed": 6, "missing": 15}
        assert (f"Now: {n['restartable']} can be restarted, {n['running']} are still waiting "
                f"or running, {n['completed']} are completed, {n['missing']} do not exist."
                in " ".join(text(screen, "#preflight").split()))
        assert str(screen.query_one("#confirm-title", Static).render()) == "Restart 71 tasks?"
        assert screen.plan.to_send == tuple(groups["restartable"])
        body = text(screen, "#confirm-body")
        assert "1 restart request of up to 100 IDs (after 1 lookup)" in body
        include = screen.query_one("#include-all", Checkbox)
        assert include.display and "Include the 29 that cannot be restarted now" in str(
            include.label)
        assert queries(sim) == [tuple(EVERY_BUCKET)]
        assert not restart_ids(sim)  # nothing restarted before the user confirms


async def test_default_run_sends_only_failed_and_cancelled(sim: Simulator) -> None:
    app = make_app(make_config(sim.base_url, batch_size=30), prefill="\n".join(EVERY_BUCKET))
    async with app.run_test(size=(80, 24)) as pilot:
        await confirm_run(pilot, app)
        await wait_for_screen(pilot, app, ResultsScreen)
        screen = app.screen
        assert isinstance(screen, ResultsScreen)
        sent = restart_ids(sim)
        assert sent and all(sim.initial_state(i).status in RESTARTABLE for i in sent)
        assert sorted(sent) == sorted(truth(sim, EVERY_BUCKET)["restartable"])
        by_id = {r.id: r for r in screen.results}
        assert list(by_id) == EVERY_BUCKET
        for task_id, result in by_id.items():
            state = sim.initial_state(task_id)
            assert result.status == state.status  # what the pre-flight saw
            if task_id in sent:
                assert result.outcome.value == sim.expected_outcome(task_id)[0], task_id
            else:
                assert result.outcome is Outcome.SKIPPED, task_id
                assert result.message.startswith("skipped: ")
        assert "not found" in by_id[tid(90)].message
        assert "task is waiting" in by_id[tid(50)].message
        grid = screen.query_one(ResultsGrid)
        assert grid.show_status
        assert status_label(by_id[tid(50)]) == "waiting"
        assert status_label(by_id[tid(90)]) == "—"
        assert "» 29 skipped" in screen.query_one(SummaryBar).plain()
        assert "3 restart requests + 1 lookup" in str(screen.query_one("#results-run").render())


async def test_including_the_rest_on_purpose_sends_them(sim: Simulator) -> None:
    ids = [tid(n) for n in (1, 41, 50, 55, 60, 90)]
    app = make_app(make_config(sim.base_url), prefill="\n".join(ids))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_confirmation(pilot, app)
        assert screen.plan.to_send == (tid(1), tid(41))
        await pilot.press("a")
        assert screen.plan.include_all and screen.plan.to_send == tuple(ids)
        assert screen.query_one("#include-all", Checkbox).value
        assert str(screen.query_one("#confirm-title", Static).render()) == "Restart 6 tasks?"
        assert "included on purpose" in text(screen, "#preflight")
        assert "48001" in text(screen, "#confirm-warning")
        await pilot.press("a", "a")  # off and on again
        await pilot.press("enter")
        await wait_for_screen(pilot, app, ResultsScreen)
        assert restart_ids(sim) == ids
        results = {r.id: r for r in app.screen.results}  # type: ignore[attr-defined]
        assert results[tid(50)].code == 48001 and results[tid(90)].code == 48002
        assert results[tid(1)].outcome is Outcome.RESTARTED


async def test_a_thousand_ids_take_ten_lookups_through_the_run_pacer(sim: Simulator) -> None:
    ids = [f"5743760438974{n:05d}" for n in range(1000)]
    app = make_app(make_config(sim.base_url), prefill="\n".join(ids))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_confirmation(pilot, app)
        assert len(queries(sim)) == 10
        assert all(len(q) == 100 for q in queries(sim))
        assert "8 restart requests of up to 100 IDs (after 10 lookups)" in text(
            screen, "#confirm-body")
        await pilot.press("enter")
        await wait_for_screen(pilot, app, ResultsScreen, timeout=30)
        # Every request of the session, lookups and restarts, went through the session's one
        # pacer (a run with a pacer of its own would leave 10 grants here, not 18).
        pacer = app.context.pacer()
        assert len(pacer.sent_times) == len(sim.requests) == 10 + 8
        sent = restart_ids(sim)
        assert len(sent) == 710 and all(sim.initial_state(i).status in RESTARTABLE for i in sent)


async def test_the_lookup_shows_progress_and_escape_stops_it() -> None:
    with Simulator(SimulatorConfig(token=TOKEN, latency=0.4)) as slow:
        ids = [f"5743760438974{n:05d}" for n in range(500)]
        app = make_app(make_config(slow.base_url, concurrency=1), prefill="\n".join(ids))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+r")
            screen = app.screen
            assert isinstance(screen, RestartConfirmScreen) and screen.looking
            assert "Looking up 500 tasks…" in str(screen.query_one("#confirm-title").render())
            assert "5 lookups, then up to 5 restart requests" in text(
                screen, "#confirm-body")
            await wait_for(pilot, lambda: "100 of 500 looked up" in text(screen,
                                                                       "#lookup-note"))
            await pilot.press("enter")  # kept for when the lookup is in, and said so
            assert app.screen is screen and screen.confirm_pending
            started = time.monotonic()
            await pilot.press("escape")
            assert isinstance(app.screen, EntryScreen)
            # the UI never waits for the lookup (4 more lookups at 0.4 s each would be 1.6 s)
            assert time.monotonic() - started < 1.2
            await wait_for(pilot, lambda: not any(w.node is screen for w in app.workers))
            assert len(slow.requests) <= 3  # the lookup stopped
            assert not any(r.path == RESTART_PATH for r in slow.requests)  # escape won


async def test_nothing_restartable_says_so_until_included(sim: Simulator) -> None:
    ids = [tid(50), tid(55), tid(60)]  # waiting, in progress, completed
    app = make_app(make_config(sim.base_url), prefill="\n".join(ids))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_confirmation(pilot, app)
        assert "Nothing can be restarted now" in str(screen.query_one("#confirm-title").render())
        await pilot.press("enter")
        assert app.screen is screen
        assert any("None of these tasks" in n for n in notifications(app))
        await pilot.press("a")
        assert "Restart 3 tasks?" in str(screen.query_one("#confirm-title").render())


@pytest.mark.parametrize(("token", "per_hour", "code", "advice"), [
    ("wrong-token", 0, 40003, "Check the token or app id + API key (in Settings, or the "
                              "GEELARK_ variable it came from)"),
    (TOKEN, 1, 40014, "retry after the 2-hour lock"),
])
async def test_an_account_level_answer_offers_no_restart(
    token: str, per_hour: int, code: int, advice: str,
) -> None:
    ids = [f"5743760438975{n:05d}" for n in range(300)]  # 3 lookups if nothing stops them
    with Simulator(SimulatorConfig(token=TOKEN, per_minute=0, per_hour=per_hour)) as other:
        app = make_app(make_config(other.base_url, token=token, concurrency=1),
                       prefill="\n".join(ids))
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_confirmation(pilot, app)
            found = screen.plan.lookup
            assert found is not None and found.stop_code == code
            assert [r.code for r in other.requests] == [0] * per_hour + [code]
            words = " ".join(text(screen, "#preflight").split())
            assert f"The API refused this account: {code}" in words
            assert "Nothing will be restarted" in words and advice in words
            assert "sent anyway" not in words
            assert "Pre-flight stopped" in str(screen.query_one("#confirm-title").render())
            assert f"none: the pre-flight stopped after {per_hour + 1} lookup" in text(
                screen, "#confirm-body")
            assert not screen.query_one("#yes").display
            assert not screen.query_one("#include-all", Checkbox).display
            assert not screen.check_action("confirm", ()) and not screen.check_action(
                "include_all", ())
            await pilot.press("enter", "a", "enter")
            await pilot.pause(0.2)
            assert app.screen is screen and screen.plan.to_send == ()
            assert not restart_ids(other)
            await pilot.press("escape")
            assert isinstance(app.screen, EntryScreen)
        assert len(other.requests) == per_hour + 1  # not one request more


async def test_a_failed_lookup_still_lets_the_server_decide() -> None:
    with Simulator(SimulatorConfig(token=TOKEN, error_5xx_rate=1.0)) as other:
        app = make_app(make_config(other.base_url), prefill=tid(1))
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_confirmation(pilot, app)
            assert "1 could not be looked up" in text(screen, "#preflight")
            assert "HTTP 5" in text(screen, "#preflight")
            assert "sent anyway" in " ".join(text(screen, "#preflight").split())
            assert screen.plan.to_send == (tid(1),)


async def test_preflight_off_in_settings(sim: Simulator) -> None:
    config = make_config(sim.base_url)
    app = make_app(config, prefill=tid(1))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f2")
        await wait_for_screen(pilot, app, SettingsScreen)
        box = app.screen.query_one("#preflight", Checkbox)
        assert box.value is True
        box.value = False
        await pilot.press("ctrl+s")
        await wait_for_screen(pilot, app, EntryScreen)
        assert load_config(config.path).submit.preflight is False
        await pilot.press("ctrl+r")
        screen = app.screen
        assert isinstance(screen, RestartConfirmScreen) and not screen.looking
        assert screen.plan.lookup is None
        assert "Restart 1 task?" in str(screen.query_one("#confirm-title").render())
        await pilot.press("enter")
        await wait_for_screen(pilot, app, ResultsScreen)
        # no pre-flight: nothing was looked up before the restart (the detail pane may look
        # the cursor's task up afterwards, on its own)
        paths = [r.path for r in sim.requests]
        assert paths[0] == RESTART_PATH
        assert not app.screen.query_one(ResultsGrid).show_status


async def test_the_lookup_shows_its_progress_then_what_it_found(
        restyled: list[object]) -> None:
    """The lookup's bar and note, then what it found: shown and hidden widget by widget, not
    by a class on the screen (which restyles every widget of the dialog: 10-18 ms each)."""
    with Simulator(SimulatorConfig(token=TOKEN, latency=0.3)) as slow:
        app = make_app(make_config(slow.base_url), prefill="\n".join(EVERY_BUCKET[:3]))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+r")
            screen = app.screen
            assert isinstance(screen, RestartConfirmScreen) and screen.looking
            await pilot.pause()

            def shown() -> list[bool]:
                return [screen.query_one(f"#{name}").display
                        for name in ("lookup-bar", "lookup-note", "preflight")]

            assert shown() == [True, True, False]
            restyled.clear()
            await wait_for(pilot, lambda: not screen.looking)
            await pilot.pause()
            assert shown() == [False, False, True]
            assert "Restart" in text(screen, "#confirm-title")
            assert screen not in restyled


async def test_the_progress_line_counts_the_preflight_s_lookups_as_the_results_do() -> None:
    with Simulator(SimulatorConfig(token=TOKEN, latency=0.3)) as slow:
        ids = [tid(4), tid(5), tid(7)]  # one a request (batch_size=1)
        app = make_app(make_config(slow.base_url, batch_size=1, concurrency=1),
                       prefill="\n".join(ids))
        async with app.run_test(size=(120, 24)) as pilot:
            await confirm_run(pilot, app)
            progress = app.screen
            assert isinstance(progress, ProgressScreen)
            await wait_for(pilot, lambda: "3 requests + 1 lookup ·" in str(
                progress.query_one("#run-stats").render()))
            await wait_for_screen(pilot, app, ResultsScreen)
            assert "3 restart requests + 1 lookup" in str(
                app.screen.query_one("#results-run").render())
