"""The results screen: filter, sort, re-submit, copy, export, new set."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

from textual.widgets import Checkbox, Input, Static

from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.context import AppContext
from geelark_tui.ids import IgnoredToken
from geelark_tui.report import to_csv, to_json
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.export import ExportScreen
from geelark_tui.tui.screens.progress import RunOutcome
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.screens.yes_no import YesNoScreen
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


async def test_retry_takes_exactly_the_selection_else_the_rows_shown_and_says_which() -> None:
    """A filter showing 3 rows retries those 3; a selected row hidden by the filter is said,
    never slipped in silently; nothing filtered or selected: every row."""
    app = make_app(make_config(preflight=False))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_results(app, pilot)
        grid = screen.query_one(ResultsGrid)
        assert "none selected" in status(screen)

        async def retry() -> RestartConfirmScreen:
            await pilot.press("r")
            confirm = app.screen
            assert isinstance(confirm, RestartConfirmScreen)
            return confirm

        grid.move_cursor(3)  # the not-sent row
        await pilot.press("space")
        await pilot.press("f", "f")  # rejected only: the selected row is hidden now
        assert [r.id for r in grid.visible_results] == [tid(64), tid(50), tid(90)]
        assert "1 selected (1 hidden)" in status(screen)
        confirm = await retry()
        assert confirm.plan.ids == (tid(2),)
        body = str(confirm.query_one("#confirm-body", Static).render())
        assert "IDs:       1, the selected rows" in body
        await pilot.press("escape", "u")  # unselect: now the rows shown
        assert "none selected" in status(screen)
        confirm = await retry()
        assert confirm.plan.ids == (tid(64), tid(50), tid(90))
        assert "IDs:       3, the rows shown" in str(confirm.query_one("#confirm-body",
                                                                       Static).render())
        await pilot.press("escape", "escape")  # the filter off: every row
        confirm = await retry()
        assert confirm.plan.ids == tuple(r.id for r in RESULTS)
        warning = str(confirm.query_one(".dialog-warning", Static).render())
        assert "1 ID had an unknown outcome: it may have been restarted" in warning


async def test_the_status_line_stays_one_line_leaving_out_the_sort_first() -> None:
    """At 80 columns the sort goes first (the header marks it); what stays and is still too
    long is cut in its longest part, the filter's words, never the selection; at 120 columns
    everything is said; a resize fits it anew."""
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_results(app, pilot)
        line = screen.query_one("#results-status", Static)
        await pilot.press("f", "f", "S")  # rejected only, in input order reversed
        assert screen.grid.sort_state == ("input", True)
        await wait_for(pilot, lambda: status(screen) == (
            "3 of 6 rows · only outcome rejected · none selected"))
        assert line.content_region.width == 78 and line.content_region.height == 1
        await pilot.press("space")  # a shorter line: room for the sort again
        assert status(screen) == (
            "3 of 6 rows · only outcome rejected · sorted by input (reversed) · 1 selected")
        await pilot.press("space")
        await pilot.resize_terminal(120, 24)
        await wait_for(pilot, lambda: status(screen) == (
            "3 of 6 rows · only outcome rejected · sorted by input (reversed) · none selected"))
        await pilot.press("space")
        await pilot.resize_terminal(60, 24)
        await wait_for(pilot, lambda: status(screen) == (
            "3 of 6 rows · only outcome rejected · 1 selected"))
        await pilot.press("slash", *"the current task status", "enter")
        await wait_for(pilot, lambda: "…" in status(screen))
        assert status(screen) == (  # 58 cells: the line's width at 60 columns
            '1 of 6 rows · only outcome reject… · 1 selected (1 hidden)')


async def test_select_all_shown_and_clear_selection() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_results(app, pilot)
        grid = screen.query_one(ResultsGrid)
        await pilot.press("f", "f", "a")  # the rejected rows, all selected
        assert grid.selected_ids == {tid(64), tid(50), tid(90)}
        assert "3 selected" in status(screen)
        await pilot.press("escape")  # the filter and the selection go
        assert not grid.selected_ids
        await pilot.press("a")
        assert len(grid.selected_ids) == 6
        await pilot.press("u")
        assert not grid.selected_ids and "none selected" in status(screen)


async def test_retry_with_no_row_shown_says_so() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_results(app, pilot)
        await pilot.press("slash", *"nothing like this", "enter", "r")
        assert app.screen is screen
        assert any("No rows shown: nothing to retry" in n for n in notifications(app))


async def test_copy_the_selection_else_the_rows_shown() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_results(app, pilot)
        await pilot.press("c")
        assert app.clipboard == "\n".join(r.id for r in RESULTS)
        await pilot.press("f", "f")  # rejected only
        await pilot.press("c")
        assert app.clipboard == "\n".join([tid(64), tid(50), tid(90)])
        await pilot.press("down", "space", "c")  # the second rejected row, selected
        assert app.clipboard == tid(50)
        messages = notifications(app)
        assert "Copied all 6 IDs to the clipboard." in messages
        assert "Copied the 3 IDs shown to the clipboard." in messages
        assert "Copied the 1 selected ID to the clipboard." in messages


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
            notifications(app).clear()
            assert (tmp_path / name).read_text(encoding="utf-8") == expected
        assert json.loads((tmp_path / "out.json").read_text())["summary"]["total"] == 6
        # The folder is remembered for next time.
        assert config.ui.results_export_dir == str(tmp_path)
        await pilot.press("e")
        assert str(app.screen.query_one("#export-path", Input).value).startswith(str(tmp_path))


async def test_export_the_rows_shown_or_every_row_and_the_title_says_which(
        tmp_path: Path) -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_results(app, pilot)
        await pilot.press("f", "f", "e")  # rejected only, then export
        export = app.screen
        assert isinstance(export, ExportScreen)
        title = export.query_one("#export-title", Static)
        assert str(title.render()) == "Export the 3 rows shown"
        export.query_one("#export-path", Input).value = str(tmp_path / "rejected.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "rejected.csv").exists())
        rows = (tmp_path / "rejected.csv").read_text().splitlines()
        assert len(rows) == 1 + 3
        await pilot.press("e")
        export = app.screen
        assert isinstance(export, ExportScreen)
        export.query_one("#export-all", Checkbox).value = True  # every row instead
        await pilot.pause()
        assert str(export.query_one("#export-title", Static).render()) == "Export all 6 rows"
        export.query_one("#export-path", Input).value = str(tmp_path / "all.csv")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "all.csv").exists())
        assert len((tmp_path / "all.csv").read_text().splitlines()) == 1 + 6


async def test_export_shows_a_full_path_and_a_bare_name_goes_beside_it(
        tmp_path: Path, monkeypatch: object) -> None:
    """The folder shown is absolute (never relative to wherever the app was started), and a
    bare file name typed lands in that folder."""
    config = make_config()
    app = make_app(config)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_results(app, pilot)
        await pilot.press("e")
        field = app.screen.query_one("#export-path", Input)
        shown = field.value
        assert shown.startswith(("/", "~/")), shown
        assert Path(shown).expanduser().parent == Path.cwd()
        config.ui = replace(config.ui, results_export_dir=str(tmp_path))
        await pilot.press("escape", "e")
        field = app.screen.query_one("#export-path", Input)
        assert Path(field.value).expanduser().parent == tmp_path
        field.value = "bare.json"
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "bare.json").exists())


async def export_to(pilot: object, app: object, path: Path) -> None:
    """e, the path typed, enter."""
    await pilot.press("e")  # type: ignore[attr-defined]
    app.screen.query_one("#export-path", Input).value = str(path)  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_export_over_a_file_asks_first_and_never_writes_into_a_pipe(
        tmp_path: Path) -> None:
    precious = tmp_path / "important.csv"
    precious.write_text("precious data\n")
    pipe = tmp_path / "fifo.csv"
    os.mkfifo(pipe)
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_results(app, pilot)
        await export_to(pilot, app, pipe)
        assert isinstance(app.screen, ExportScreen)  # refused, the dialog still open
        assert any("Not a regular file" in n for n in notifications(app))
        app.screen.query_one("#export-path", Input).value = str(precious)
        await pilot.press("enter")
        await wait_for_screen(pilot, app, YesNoScreen)
        await pilot.press("escape")  # keep it
        assert isinstance(app.screen, ExportScreen)
        assert precious.read_text() == "precious data\n"
        await pilot.press("enter")
        await wait_for_screen(pilot, app, YesNoScreen)
        await pilot.press("enter")  # replace
        await wait_for(pilot, lambda: precious.read_text() == to_csv(RESULTS))
        assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo.csv", "important.csv"]


async def test_export_through_a_link_replaces_the_file_it_points_to_keeping_its_mode(
        tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    real.chmod(0o600)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_results(app, pilot)
        await export_to(pilot, app, link)
        await wait_for_screen(pilot, app, YesNoScreen)
        await pilot.press("enter")
        await wait_for(pilot, lambda: real.read_text() == to_csv(RESULTS))
    assert link.is_symlink() and link.resolve() == real
    assert real.stat().st_mode & 0o777 == 0o600


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


async def test_an_export_after_a_recheck_without_preflight_has_no_status_column() -> None:
    """`status` is the status before the run; without a pre-flight nobody knew it, and what
    a re-check found since is not that (the NEXT STEP column follows it)."""
    from geelark_tui.api.models import Task
    from geelark_tui.packed_tasks import PackedTasks
    from geelark_tui.preflight import Lookup

    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_results(app, pilot)
        assert not screen.grid.show_status
        found = Lookup((tid(1),), tasks=PackedTasks({tid(1): Task(tid(1), 3)}))
        screen.rechecked(found)
        await pilot.pause()
        assert screen.grid.show_status  # the STATUS column says what the re-check found
        exported = to_csv(screen.results, screen.export_extras())
        assert exported.splitlines()[0] == to_csv(RESULTS).splitlines()[0]  # no `status`
        assert "Nothing to do: it ran and completed." in exported
