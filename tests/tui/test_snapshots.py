"""What each screen looks like, at 80x24 and 120x40. Deterministic: fixed data, a fake clock for
the progress screen, no cursor blink, UTC dates.

Update after an intended change: pytest tests/tui/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from geelark_tui.api.client import parse_task
from geelark_tui.api.models import IdResult, Outcome, Task
from geelark_tui.configstore import record_recent_set, update_recent_counts
from geelark_tui.events import (
    BatchFinished,
    BatchStarted,
    OutcomesReported,
    RateLimitWait,
    RunStarted,
    Verifying,
)
from geelark_tui.ids import IgnoredToken
from geelark_tui.packed_tasks import PackedTasks
from geelark_tui.preflight import Lookup
from geelark_tui.runreport import RunReport
from geelark_tui.sim_history import LISTED_SPAN, build_population
from geelark_tui.tasks import PageRead
from geelark_tui.tui.app import GeeLarkApp
from geelark_tui.tui.screens.confirm import RestartConfirmScreen
from geelark_tui.tui.screens.find import FindScreen
from geelark_tui.tui.screens.progress import ProgressScreen, RunOutcome
from geelark_tui.tui.screens.results import ResultsScreen
from geelark_tui.tui.widgets.results_grid import ResultsGrid

from .helpers import FakeClock, make_app, make_config, tid, wait_for

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
R, J, N, U, S = (Outcome.RESTARTED, Outcome.REJECTED, Outcome.NOT_SENT, Outcome.UNKNOWN,
                 Outcome.SKIPPED)
PASTE = (f"Please retry these: {tid(1)}, {tid(2)}, {tid(41)} and {tid(1)} again.\n"
         f"Also {tid(50)} {tid(64)} {tid(77)} {tid(90)}; ticket #12345, 57437604389742589x\n")
RESULTS = [
    IdResult(tid(1), R, 0, "restarted"),
    IdResult(tid(2), R, 0, "restarted"),
    IdResult(tid(41), R, 0, "restarted"),
    IdResult(tid(50), J, 48001, "the current task status does not allow the operation"),
    IdResult(tid(64), J, 48000, "task retry limit reached"),
    IdResult(tid(77), J, 48003, "the task resource has expired"),
    IdResult(tid(90), J, 48002, "task does not exist"),
    IdResult(tid(3), N, 40017, "not sent: server kept answering 40017"),
    IdResult(tid(4), U, None, "HTTP 502 with no JSON envelope; now waiting: probably restarted "
                              "by this run"),
]


# What a pre-flight found for the PASTE IDs and a few more (tid(90) does not exist).
AT = 1767139200  # 2025-12-31 00:00 UTC
TASKS = {t.id: t for t in (
    Task(tid(1), 4, "US warm-up wave", 2, "Phone-0427", "1", AT + 3600, 20105,
         "TikTok account is logged out", 37),
    Task(tid(2), 4, "Daily video post", 1, "Phone-0815", "2", AT + 5400, 29997,
         "insufficient balance", 12),
    Task(tid(41), 7, "Profile refresh", 6, "Phone-1203", "3", AT + 7200),
    Task(tid(50), 1, "Daily video post", 1, "Phone-0815", "2", AT + 9000),
    Task(tid(64), 4, "Account login batch", 4, "Phone-2211", "4", AT, 29999, "unknown", 3),
    Task(tid(77), 4, "Image set campaign", 3, "Phone-0042", "5", AT - 86400, 29995,
         "task material has expired", 8),
    Task(tid(3), 4, "Custom flow: IG likes", 42, "Phone-3100", "6", AT + 60, 20311,
         "video upload failed", 41),
    Task(tid(4), 7, "US warm-up wave", 99, "Phone-0427", "1", AT + 120),
)}
PF_RESULTS = [
    IdResult(tid(1), R, 0, "restarted", 4),
    IdResult(tid(2), R, 0, "restarted", 4),
    IdResult(tid(41), R, 0, "restarted", 7),
    IdResult(tid(50), S, None, "skipped: task is waiting; only failed or cancelled can restart", 1),
    IdResult(tid(64), J, 48000, "task retry limit reached", 4),
    IdResult(tid(77), J, 48003, "the task resource has expired", 4),
    IdResult(tid(90), S, None, "skipped: task not found (typo, another account, or older than "
                               "retention)"),
    IdResult(tid(3), N, 40017, "not sent: server kept answering 40017", 4),
    IdResult(tid(4), U, None, "HTTP 502 with no JSON envelope; lookup failed (timed out): check "
                              "before re-submitting", 7),
]


def preflight_of(ids: tuple[str, ...]) -> Lookup:
    return Lookup(ids, tasks=PackedTasks({i: TASKS[i] for i in ids if i in TASKS}),
                  requests=-(-len(ids) // 100))


def app_with_history(prefill: str = PASTE, preflight: bool = True) -> GeeLarkApp:
    config = make_config(batch_size=8, preflight=preflight)
    first = record_recent_set(config, [tid(n) for n in range(40)],
                              now=datetime(2026, 1, 5, 9, 30, tzinfo=UTC))
    update_recent_counts(config, first.key, {"restarted": 30, "rejected": 8, "unknown": 2})
    record_recent_set(config, [tid(7), tid(8)], name="Ticket 4711: IG warm-up",
                      now=datetime(2026, 1, 6, 14, 5, tzinfo=UTC))
    return make_app(config, prefill=prefill)


def snap(snap_compare: Callable[..., bool], app: GeeLarkApp, size: tuple[int, int],
         press: tuple[str, ...] = (),
         run_before: Callable[[Pilot[Any]], Any] | None = None) -> None:
    assert snap_compare(app, press=press, terminal_size=size, run_before=run_before)


@SIZES
def test_entry(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    snap(snap_compare, app_with_history(), size)


@SIZES
def test_confirm(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    """Without the pre-flight (switched off in Settings)."""
    snap(snap_compare, app_with_history(preflight=False), size, press=("ctrl+r",))


@SIZES
def test_confirm_preflight(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    app = app_with_history()

    async def looked_up(pilot: Pilot[Any]) -> None:
        ids = tuple(r.id for r in PF_RESULTS)
        plan = app.context.plan(ids)
        plan = replace(plan, lookup=preflight_of(ids))
        await app.push_screen(RestartConfirmScreen(plan))
        await pilot.pause()

    snap(snap_compare, app, size, run_before=looked_up)


@SIZES
def test_confirm_looking_up(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    app = app_with_history()

    async def looking(pilot: Pilot[Any]) -> None:
        plan = app.context.plan(tuple(tid(n % 100, f"57437604389742{n // 100:02d}")
                                      for n in range(1000)))
        screen = RestartConfirmScreen(plan, preflight=True)
        screen._look_up = lambda: None  # type: ignore[method-assign,assignment,return-value]
        screen._progress(300, 1000)
        await app.push_screen(screen)
        note = screen.query_one("#lookup-note", Static)
        await wait_for(pilot, lambda: "300 of 1,000" in str(note.render()))  # polled

    snap(snap_compare, app, size, run_before=looking)


@SIZES
def test_help(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    snap(snap_compare, app_with_history(), size, press=("f1",))


@SIZES
def test_settings(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    snap(snap_compare, app_with_history(), size, press=("f2",))


@SIZES
def test_progress(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    app = app_with_history()
    clock = FakeClock()

    async def mid_run(pilot: Pilot[Any]) -> None:
        plan = app.context.plan(tuple(r.id for r in RESULTS) + tuple(tid(n) for n in range(5, 36)))
        screen = ProgressScreen(app.context.session(plan), clock=clock, autostart=False)
        await app.push_screen(screen)
        tracker = screen.tracker
        assert tracker is not None
        tracker.feed(RunStarted(40, 5, 8))
        for batch in (1, 2):
            clock.t += 2.5
            tracker.feed(BatchStarted(batch, 8, 1))
            chunk = RESULTS[(batch - 1) * 4:(batch - 1) * 4 + 4] + [
                IdResult(tid(10 + n + batch * 4), R, 0, "restarted") for n in range(4)]
            tracker.feed(OutcomesReported(tuple(chunk)))
            counts: dict[Outcome, int] = {}
            for result in chunk:
                counts[result.outcome] = counts.get(result.outcome, 0) + 1
            tracker.feed(BatchFinished(batch, 8, 40006 if batch == 1 else 40009, counts))
        clock.t += 1.0
        tracker.feed(BatchStarted(3, 8, 1))
        tracker.feed(Verifying(3, 8, "HTTP 502 with no JSON envelope"))
        tracker.feed(RateLimitWait(42.0, True, "rate limited by the server"))
        clock.t += 0.2
        screen.repaint()
        await pilot.pause()

    snap(snap_compare, app, size, run_before=mid_run)


@SIZES
def test_results(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    """After a run with the pre-flight: a STATUS column, and the task under the cursor in the
    detail pane (all from the pre-flight: nothing is looked up)."""
    app = app_with_history()

    async def finished(pilot: Pilot[Any]) -> None:
        ids = tuple(r.id for r in PF_RESULTS)
        plan = app.context.plan(ids, (IgnoredToken("12345", "too short: 5 digits"),))
        plan = replace(plan, lookup=preflight_of(ids))
        report = RunReport(ids=plan.to_send, results={r.id: r for r in PF_RESULTS},
                           started_at=0.0, finished_at=9.0, restart_requests=2,
                           query_requests=1)
        outcome = RunOutcome(plan, list(PF_RESULTS), report, elapsed=9.4,
                             log=("   0:00  restarting 7 IDs",))
        await app.push_screen(ResultsScreen(outcome))
        await pilot.pause()

    snap(snap_compare, app, size, run_before=finished)


@SIZES
def test_results_without_preflight(snap_compare: Callable[..., bool],
                                   size: tuple[int, int]) -> None:
    """No pre-flight: no STATUS column; the detail pane brief (d), so nothing is looked up."""
    app = app_with_history(preflight=False)

    async def finished(pilot: Pilot[Any]) -> None:
        plan = app.context.plan(tuple(r.id for r in RESULTS),
                                (IgnoredToken("12345", "too short: 5 digits"),))
        report = RunReport(ids=plan.ids, results={r.id: r for r in RESULTS}, started_at=0.0,
                           finished_at=9.0, restart_requests=3, query_requests=1)
        outcome = RunOutcome(plan, list(RESULTS), report, elapsed=9.4,
                             log=("   0:00  restarting 9 IDs",))
        screen = ResultsScreen(outcome)
        await app.push_screen(screen)
        await pilot.press("d")
        await pilot.pause()

    snap(snap_compare, app, size, run_before=finished)


FIND_NOW = 1_767_268_800  # 2026-01-01 12:00 UTC: "now" for the Find screen and its history


def test_find(snap_compare: Callable[..., bool]) -> None:
    """The simulator's 7-day history, read (fed page by page, as the walk does), grouped by
    failure reason; one group open, one task selected."""
    app = app_with_history()
    app.context.wall_clock = lambda: FIND_NOW

    async def found(pilot: Pilot[Any]) -> None:
        screen = FindScreen(autoload=False)
        await app.push_screen(screen)
        listed = [task for state in build_population(1400, 0, FIND_NOW)
                  if state.schedule_at >= FIND_NOW - LISTED_SPAN
                  and (task := parse_task(state.to_json())) is not None]
        for n in range(0, len(listed), 100):
            screen.walked(PageRead(n // 100 + 1, min(n + 100, len(listed)), 0,
                                   tuple(listed[n:n + 100])))
        await pilot.press("down", "down", "enter", "down", "down", "space")
        await pilot.pause()

    snap(snap_compare, app, (80, 24), run_before=found)


# A long triage: every outcome, thousands of IDs, many codes (more than fit on two lines).
LONG_CODES = [(48001, 310), (48002, 120), (48000, 64), (48003, 40), (40005, 12), (48004, 9),
              (41001, 5), (99123, 2)]


def long_results() -> list[IdResult]:
    rows = [IdResult(f"5743760439{n:08d}", R, 0, "restarted", 1) for n in range(1_500)]
    n = 1_500
    for code, count in LONG_CODES:
        rows += [IdResult(f"5743760439{n + k:08d}", J, code, "refused", 4) for k in range(count)]
        n += count
    rows += [IdResult(f"5743760439{n + k:08d}", N, 40017, "not sent: server kept answering "
                      "40017", 4) for k in range(1_202)]
    n += 1_202
    rows += [IdResult(f"5743760439{n + k:08d}", U, None, "HTTP 502; lookup failed", 7)
             for k in range(6)]
    n += 6
    rows += [IdResult(f"5743760439{n + k:08d}", S, None, "skipped: task is in progress", 2)
             for k in range(30)]
    return rows


@SIZES
def test_results_long_summary(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    """Thousands of IDs and more codes than two lines hold: the summary stays compact and
    says how many codes it leaves out; outcome, code and next step are on every row."""
    app = app_with_history()

    async def finished(pilot: Pilot[Any]) -> None:
        rows = long_results()
        plan = app.context.plan(tuple(r.id for r in rows))
        report = RunReport(ids=plan.ids, results={r.id: r for r in rows}, started_at=0.0,
                           finished_at=312.0, restart_requests=43, query_requests=1)
        outcome = RunOutcome(plan, rows, report, elapsed=312.4)
        screen = ResultsScreen(outcome)
        await app.push_screen(screen)
        screen.query_one(ResultsGrid).move_cursor(1_500)  # the first rejected row
        await pilot.press("d")  # brief detail pane: nothing is looked up
        await pilot.pause()

    snap(snap_compare, app, size, run_before=finished)


@SIZES
def test_confirm_include_all(snap_compare: Callable[..., bool], size: tuple[int, int]) -> None:
    """After `a`: every line of the pre-flight, the duplicates and ignored tokens repeated,
    and the buttons whole."""
    app = app_with_history()

    async def included(pilot: Pilot[Any]) -> None:
        ids = tuple(r.id for r in PF_RESULTS)
        plan = app.context.plan(ids, (IgnoredToken("12345", "too short: 5 digits"),
                                      IgnoredToken("57437604389742589x", "contains letters")),
                                duplicates=1, ignored_total=2)
        await app.push_screen(RestartConfirmScreen(replace(plan, lookup=preflight_of(ids))))
        await pilot.press("a")
        await pilot.pause()

    snap(snap_compare, app, size, run_before=included)
