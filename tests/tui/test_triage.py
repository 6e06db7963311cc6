"""Triage at speed at 80x24: ignored tokens reviewed by keyboard, the counts repeated on the
confirmation, STATUS filtered, searched and sorted, the ticket reply, a compact summary with
outcome, code and next step on every row, and a confirmation that keeps its buttons and an
enter pressed during the pre-flight."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from textual import events
from textual.widgets import Input, OptionList, Static

from geelark_tui.api.models import IdResult, Outcome, Task
from geelark_tui.packed_tasks import PackedTasks
from geelark_tui.preflight import Lookup
from geelark_tui.simulator import Simulator, SimulatorConfig
from geelark_tui.ticket import ticket_reply
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.entry import EntryScreen
from geelark_tui.tui.screens.export import ExportScreen
from geelark_tui.tui.screens.ignored import IgnoredScreen
from geelark_tui.tui.screens.progress import ProgressScreen, RunOutcome
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.widgets.result_columns import header_text
from geelark_tui.tui.widgets.results_grid import ResultsGrid
from geelark_tui.tui.widgets.summary_bar import SummaryBar

from .helpers import TOKEN, make_app, make_config, notifications, tid, wait_for, wait_for_screen

R, J, N, U, S = (Outcome.RESTARTED, Outcome.REJECTED, Outcome.NOT_SENT, Outcome.UNKNOWN,
                 Outcome.SKIPPED)
# After a run with the pre-flight: each row with the status the pre-flight saw.
ROWS = [
    IdResult(tid(1), R, 0, "restarted", 4),
    IdResult(tid(41), R, 0, "restarted", 7),
    IdResult(tid(50), S, None, "skipped: task is waiting", 1),
    IdResult(tid(64), J, 48000, "task retry limit reached", 4),
    IdResult(tid(90), S, None, "skipped: task not found"),
    IdResult(tid(3), N, 40017, "not sent: server kept answering 40017", 4),
]
TASKS = {tid(1): 4, tid(41): 7, tid(50): 1, tid(64): 4, tid(3): 4}


def looked_up(ids: tuple[str, ...]) -> Lookup:
    return Lookup(ids, tasks=PackedTasks({i: Task(i, TASKS[i]) for i in ids if i in TASKS}),
                  requests=1)


async def results_screen(app: object, pilot: object, rows: list[IdResult] = ROWS
                         ) -> ResultsScreen:
    context = app.context  # type: ignore[attr-defined]
    ids = tuple(r.id for r in rows)
    plan = replace(context.plan(ids), lookup=looked_up(ids))
    screen = ResultsScreen(RunOutcome(plan, list(rows), None))
    await app.push_screen(screen)  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    return screen


def visible_ids(screen: ResultsScreen) -> list[str]:
    return [r.id for r in screen.query_one(ResultsGrid).visible_results]


# -- 1. ignored tokens: reviewed by keyboard; repeated on the confirmation ---------------------

async def test_every_ignored_token_can_be_reviewed_by_keyboard_at_80x24() -> None:
    app = make_app(make_config())
    noise = [f"{tid(n)}x" for n in range(60)]  # 60 tokens with a letter: not IDs
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+t")  # nothing ignored: nothing to show
        assert isinstance(app.screen, EntryScreen)
        app.post_message(events.Paste(f"{tid(1)} {tid(2)} {tid(1)}\n" + " ".join(noise)))
        entry = app.screen
        await wait_for(pilot, lambda: entry.parsed.ignored_total == 60)
        await pilot.press("ctrl+t")
        await wait_for_screen(pilot, app, IgnoredScreen)
        listing = app.screen.query_one(OptionList)
        assert listing.option_count == 60 and app.focused is listing
        assert listing.region.bottom <= 24 and listing.region.height >= 5  # on screen
        first = str(listing.get_option_at_index(0).prompt)
        assert first == f"{noise[0]}: not an ID: contains letters"
        await pilot.press("end")
        assert listing.highlighted == 59
        assert "60 tokens ignored" in str(app.screen.query_one(".dialog-title", Static).render())
        await pilot.press("escape")
        assert app.screen is entry


async def test_the_confirmation_repeats_duplicates_and_ignored_tokens() -> None:
    app = make_app(make_config(preflight=False))
    async with app.run_test(size=(80, 24)) as pilot:
        app.post_message(events.Paste(f"{tid(1)}, {tid(2)}, {tid(1)}, 12345, 5743x"))
        await wait_for(pilot, lambda: app.screen.parsed.count == 2)  # type: ignore[attr-defined]
        await pilot.press("ctrl+r")
        confirm = app.screen
        assert isinstance(confirm, RestartConfirmScreen)
        body = str(confirm.query_one("#confirm-body", Static).render())
        assert "IDs:       2 · 1 duplicate dropped · 2 tokens ignored" in body
        assert (confirm.plan.duplicates, confirm.plan.ignored) == (1, 2)
        await pilot.press("ctrl+t")  # the last chance to look at them
        await wait_for_screen(pilot, app, IgnoredScreen)
        listing = app.screen.query_one(OptionList)
        assert [str(listing.get_option_at_index(n).prompt).split(":")[0] for n in range(2)] == [
            "12345", "5743x"]
        await pilot.press("escape")
        assert app.screen is confirm


# -- 2. STATUS filtered, searched and sorted ----------------------------------------------------

async def test_status_can_be_filtered_searched_and_sorted() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await results_screen(app, pilot)
        grid = screen.query_one(ResultsGrid)
        statuses = [screen.row_status(r) for r in ROWS]
        assert statuses == ["was failed", "was cancelled", "waiting", "failed", "—", "failed"]
        await pilot.press("h")  # the first STATUS, in order: "failed"
        assert visible_ids(screen) == [tid(64), tid(3)]
        assert "only status failed" in str(screen.query_one("#results-status").render())
        await pilot.press("h")
        assert visible_ids(screen) == [tid(50)]  # "waiting"
        await pilot.press("escape", "slash", *"was ")  # search: what STATUS says
        assert visible_ids(screen) == [tid(1), tid(41)]
        await pilot.press("enter", "escape")
        for _ in range(3):  # input order, ID, outcome, then STATUS
            await pilot.press("s")
        assert grid.sort_state == ("status", False)
        assert visible_ids(screen) == [tid(50), tid(64), tid(3), tid(1), tid(41), tid(90)]
        assert "STATUS▲" in header_text(80, 18, True, "status", False)


# -- 4. the ticket reply -----------------------------------------------------------------------

async def test_t_copies_a_ticket_reply_of_the_selection_else_the_rows_shown(
        tmp_path: Path) -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await results_screen(app, pilot)
        await pilot.press("t")
        assert app.clipboard == ticket_reply(ROWS)
        assert app.clipboard.startswith("Restart of 6 GeeLark tasks: 2 restarted, 1 rejected, "
                                        "1 not sent, 2 skipped.")
        assert any("ticket reply for all 6 IDs" in n for n in notifications(app))
        grid = screen.query_one(ResultsGrid)
        grid.move_cursor(3)
        await pilot.press("space", "t")
        assert app.clipboard == ticket_reply([ROWS[3]])
        await pilot.press("e")  # and as a file
        export = app.screen
        assert isinstance(export, ExportScreen)
        export.query_one("#export-path", Input).value = str(tmp_path / "reply.md")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "reply.md").exists())
        assert (tmp_path / "reply.md").read_text() == ticket_reply([ROWS[3]])


# -- 5. the 80x24 results screen ---------------------------------------------------------------

async def test_outcome_code_and_next_step_on_every_row_at_80_columns() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await results_screen(app, pilot)
        grid = screen.query_one(ResultsGrid)
        width = grid.scrollable_content_region.width
        assert width >= 76
        lines = [grid.render_line(y).text for y in range(len(ROWS) + 1)]
        assert lines[0].split() == ["ID", "OUTCOME", "STATUS", "CODE", "NEXT", "STEP"]
        assert "✘ rejected" in lines[4] and "48000" in lines[4] and "Cannot be retried" in lines[4]
        assert "○ not sent" in lines[6] and "40017" in lines[6] and "Safe to re-submit" in lines[6]
        assert all(len(line) == width for line in lines)


async def test_a_long_summary_takes_two_lines_and_says_what_it_leaves_out() -> None:
    many = [IdResult(f"5743760439{n:08d}", J, 48001 + n % 4, "refused") for n in range(1_300)]
    many += [IdResult(f"5743760440{n:08d}", J, 40000 + n, "x") for n in range(12)]
    many += [IdResult(f"5743760441{n:08d}", U, None, "unclear") for n in range(3)]
    many += [IdResult(f"5743760442{n:08d}", S, None, "skipped") for n in range(2)]
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await results_screen(app, pilot, many)
        summary = screen.query_one(SummaryBar)
        text = summary.plain()
        assert len(text.splitlines()) == 2 and summary.region.height == 2
        assert text.splitlines()[0].startswith("✔ 0 restarted  ✘ 1,312 rejected")
        assert "no code" not in text  # unknown and skipped rows are counted by outcome
        shown = len(re.findall(r"\d+: [\d,]+", text.splitlines()[1]))  # "<code>: <count>"
        assert shown >= 3 and text.rstrip().endswith(f"+{16 - shown:,} more codes (g)")
        assert "48001: 325" in text  # the most frequent first, as numbers when all cannot fit


# -- 7. the confirmation -----------------------------------------------------------------------

async def test_include_all_at_80x24_keeps_the_buttons_whole() -> None:
    app = make_app(make_config())
    async with app.run_test(size=(80, 24)) as pilot:
        ids = tuple(r.id for r in ROWS)
        plan = app.context.plan(ids, duplicates=3, ignored_total=2)
        confirm = RestartConfirmScreen(replace(plan, lookup=looked_up(ids)))
        await app.push_screen(confirm)
        await pilot.press("a")
        await pilot.pause()
        assert confirm.plan.include_all
        dialog = confirm.query_one("#confirm-dialog").region
        text = confirm.query_one("#confirm-text").region
        for button in ("#yes", "#no"):
            region = confirm.query_one(button).region
            assert region.height == 3 and dialog.contains_region(region), (button, region)
            assert region.y >= text.bottom  # nothing draws over them
        warning = confirm.query_one("#confirm-warning")
        assert "will most likely be refused" in str(warning.render())
        await wait_for(pilot, lambda: text.contains_region(warning.region))  # scrolled to it


async def test_enter_during_the_preflight_is_kept_and_honoured() -> None:
    with Simulator(SimulatorConfig(token=TOKEN, latency=1.0)) as slow:  # a slow lookup
        ids = [tid(1), tid(2), tid(50)]  # two failed, one waiting
        app = make_app(make_config(slow.base_url), prefill="\n".join(ids))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+r")
            confirm = app.screen
            assert isinstance(confirm, RestartConfirmScreen) and confirm.looking
            await pilot.press("enter")
            assert confirm.confirm_pending and app.screen is confirm
            await wait_for(pilot, lambda: "enter pressed" in str(
                confirm.query_one("#lookup-note", Static).render()))
            assert "Restart once the lookup" in str(
                confirm.query_one("#confirm-title", Static).render())
            await wait_for_screen(pilot, app, ProgressScreen)  # no second key
            progress = app.screen
            assert isinstance(progress, ProgressScreen)
            assert progress.plan.to_send == (tid(1), tid(2))  # what the lookup found


async def test_enter_during_the_preflight_does_not_start_what_cannot_run() -> None:
    with Simulator(SimulatorConfig(token=TOKEN, latency=0.3)) as slow:
        app = make_app(make_config(slow.base_url), prefill=tid(50))  # waiting
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("ctrl+r")
            confirm = app.screen
            assert isinstance(confirm, RestartConfirmScreen)
            await pilot.press("enter")
            await wait_for(pilot, lambda: not confirm.looking)
            await pilot.pause()
            assert app.screen is confirm and not confirm.confirm_pending
            assert any("None of these tasks can be restarted now" in n
                       for n in notifications(app))
