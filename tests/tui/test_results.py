"""The results screen: filter, sort, re-submit, copy, export, new set."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Input, Static, TextArea

from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.context import AppContext
from geelark_tui.ids import IgnoredToken
from geelark_tui.report import to_csv, to_json
from geelark_tui.simulator import Simulator
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.export import ExportScreen
from geelark_tui.tui.screens.progress import RunOutcome
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.widgets.results_grid import ResultsGrid

from .helpers import make_app, make_config, notifications, tid, wait_for, wait_for_screen

R, J, N, U = Outcome.RESTARTED, Outcome.REJECTED, Outcome.NOT_SENT, Outcome.UNKNOWN
RESULTS = [
    IdResult(tid(1), R, 0, "restarted"),
    IdResult(tid(64), J, 48000, "task retry limit reached"),
    IdResult(tid(50), J, 48001, "the current task status does not allow the operation"),
    IdResult(tid(2), N, None, "not sent: stopped by the user"),
    IdResult(tid(3), U, None, "HTTP 502 with no JSON envelope; still failed: probably not "
                              "restarted, safe to re-submit"),
    IdResult(tid(90), J, 48002, "task does not exist"),
]
INVALID = (IgnoredToken("12345", "too short: 5 digits (an ID has 6 to 24)"),)


def outcome_for(context: AppContext, results: list[IdResult] = RESULTS) -> RunOutcome:
    plan = context.plan(tuple(r.id for r in results), INVALID)
    return RunOutcome(plan, list(results), None, log=("  0:00  restarting 6 IDs",))


def status(screen: ResultsScreen) -> str:
    return str(screen.query_one("#results-status", Static).render())


async def open_results(app: object, pilot: object) -> ResultsScreen:
    screen = ResultsScreen(outcome_for(app.context))  # type: ignore[attr-defined]
    await app.push_screen(screen)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    return screen


async def test_filter_by_outcome_and_code_then_clear() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_results(app, pilot)
        grid = screen.query_one(ResultsGrid)
        assert len(grid.visible_results) == 6
        await pilot.press("f")  # restarted
        assert [r.id for r in grid.visible_results] == [tid(1)]
        await pilot.press("f")  # rejected
        assert {r.outcome for r in grid.visible_results} == {J}
        assert "3 of 6 rows · only outcome rejected" in status(screen)
        await pilot.press("g", "g", "g")  # no code, 0, 48000
        assert [r.id for r in grid.visible_results] == [tid(64)]
        await pilot.press("escape")
        assert len(grid.visible_results) == 6
        await pilot.press("slash", *"not exist")
        assert [r.id for r in grid.visible_results] == [tid(90)]
        await pilot.press("enter")
        assert screen.focused is grid
        await pilot.press("s")  # the grid's own sort key
        assert grid.sort_state == ("id", False)
        await wait_for(pilot, lambda: "sorted by id" in status(screen))


async def test_resubmit_not_sent_unknown_and_selected(sim: Simulator) -> None:
    app = make_app(make_config(sim.base_url))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_results(app, pilot)
        grid = screen.query_one(ResultsGrid)
        grid.move_cursor(2)  # the 48001 row: select it to re-submit it too
        await pilot.press("space")
        assert "1 selected" in status(screen)
        await pilot.press("r")
        confirm = app.screen
        assert isinstance(confirm, RestartConfirmScreen)
        assert confirm.plan.ids == (tid(50), tid(2), tid(3))
        warning = str(confirm.query_one(".dialog-warning", Static).render())
        assert "1 ID had an unknown outcome" in warning
        await wait_for(pilot, lambda: not confirm.looking)  # the pre-flight
        await pilot.press("enter")
        await wait_for_screen(pilot, app, ResultsScreen, other_than=screen)
        again = app.screen
        assert isinstance(again, ResultsScreen)
        # 50 is waiting: the pre-flight keeps it out of the run.
        assert [(r.id, r.outcome) for r in again.results] == [
            (tid(50), Outcome.SKIPPED), (tid(2), R), (tid(3), R)]
        assert [s for s in app.screen_stack if isinstance(s, ResultsScreen)] == [again]
        await pilot.press("n")  # a new set: back to an empty box
        assert isinstance(app.screen, EntryScreen)
        assert app.screen.query_one("#ids", TextArea).text == ""


async def test_resubmit_with_nothing_worth_it_says_so() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        context = app.context
        screen = ResultsScreen(outcome_for(context, RESULTS[:3]))
        await app.push_screen(screen)
        await pilot.press("r")
        assert app.screen is screen
        assert any("No ID is worth re-submitting" in n for n in notifications(app))


async def test_copy_the_ids_of_the_filter() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_results(app, pilot)
        await pilot.press("c")
        assert app.clipboard == "\n".join(r.id for r in RESULTS)
        await pilot.press("f", "f")  # rejected only
        await pilot.press("c")
        assert app.clipboard == "\n".join([tid(64), tid(50), tid(90)])
        messages = notifications(app)
        assert "Copied 6 IDs (in the grid) to the clipboard." in messages
        assert "Copied 3 IDs (shown) to the clipboard." in messages


async def test_export_csv_and_json(tmp_path: Path) -> None:
    config = make_config()
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_results(app, pilot)
        for name, expected in (("out.csv", to_csv(RESULTS)),
                               ("out.json", to_json(RESULTS, INVALID) + "\n")):
            await pilot.press("e")
            assert isinstance(app.screen, ExportScreen)
            field = app.screen.query_one("#export-path", Input)
            field.value = str(tmp_path / name)
            await pilot.press("enter")
            await wait_for(pilot, lambda n=name: (tmp_path / n).exists())  # type: ignore[misc]
            await wait_for(pilot, lambda: any("Wrote 6 rows" in n
                                              for n in notifications(app)))
            assert (tmp_path / name).read_text(encoding="utf-8") == expected
        assert json.loads((tmp_path / "out.json").read_text())["summary"]["total"] == 6
        # The folder is remembered for next time.
        assert config.ui.results_export_dir == str(tmp_path)
        await pilot.press("e")
        assert str(app.screen.query_one("#export-path", Input).value).startswith(str(tmp_path))


async def test_export_only_the_filtered_rows(tmp_path: Path) -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_results(app, pilot)
        await pilot.press("f", "f", "e")  # rejected only, then export
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "rejected.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "rejected.csv").exists())
        rows = (tmp_path / "rejected.csv").read_text().splitlines()
        assert len(rows) == 1 + 3


async def test_export_to_a_missing_folder_says_so(tmp_path: Path) -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_results(app, pilot)
        await pilot.press("e")
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "no" / "x.csv")
        await pilot.press("enter")
        assert isinstance(app.screen, ExportScreen)
        assert any("No such folder" in n for n in notifications(app))
        await pilot.press("escape")
        assert isinstance(app.screen, ResultsScreen)
