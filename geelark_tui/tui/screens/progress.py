"""The progress screen: one run, live. The run session runs in an async worker; its events
land in a `RunTracker` (plain counters) and the widgets repaint from it ten times a second, so
thousands of events never flood the message queue. At the end the app moves on to the results."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import ProgressBar, Static

from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.plan import RunPlan
from geelark_tui.report import tally
from geelark_tui.runreport import RunReport
from geelark_tui.session import RunSession
from geelark_tui.sessionresult import SessionResult
from geelark_tui.task_info import TaskStore
from geelark_tui.tracker import LOG_LINES, RunTracker, format_duration, stopped_text
from geelark_tui.tui import gc_policy
from geelark_tui.tui.base import AppScreen
from geelark_tui.tui.line_fit import fit_parts
from geelark_tui.tui.screens.yes_no import YesNoScreen
from geelark_tui.tui.widgets.activity_log import ActivityLog
from geelark_tui.tui.widgets.key_footer import KeyFooter
from geelark_tui.tui.widgets.live_text import LiveText
from geelark_tui.tui.widgets.summary_bar import SummaryBar
from geelark_tui.words import plural

REFRESH_EVERY = 0.1  # seconds between repaints of the live numbers


@dataclass
class RunOutcome:
    """A finished run, as the results screen shows it."""

    plan: RunPlan
    results: list[IdResult]
    report: RunReport | None
    log: tuple[str, ...] = ()
    stop_reason: str | None = None
    elapsed: float = 0.0
    warnings: list[str] = field(default_factory=list)
    recent_key: str | None = None
    origin: str = ""  # where rows not from a run came from (a past run reopened)
    session: RunSession | None = None  # the run's session: its restarted tasks can be followed
    # Worked out from every result before the results screen is built, and in a thread
    # (`of`): the summary's counts and what the pre-flight found, by ID.
    tally: Counter[tuple[Outcome, int | None]] | None = None
    tasks: TaskStore | None = None

    @classmethod
    def of(cls, session: RunSession, result: SessionResult, log: tuple[str, ...],
           elapsed: float, tasks: TaskStore | None = None) -> RunOutcome:
        """The outcome of a finished session: O(IDs), so the screen calls it in a thread."""
        return cls(result.plan, result.results, result.report, log, result.stop_reason,
                   elapsed, list(result.warnings), result.recent_key, session=session,
                   tally=tally(result.results),
                   tasks=tasks or TaskStore.before_run(result.plan.lookup))


class ProgressScreen(AppScreen[None]):
    PALETTE_GROUP = "Run"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop", id="progress.stop",
                tooltip="Stop after the requests in flight (asks first)"),
    ]

    class Finished(Message):
        """The run is over; the app moves on to the results."""

        def __init__(self, outcome: RunOutcome, screen: ProgressScreen) -> None:
            super().__init__()
            self.outcome = outcome
            self.screen = screen

    def __init__(self, session: RunSession, *, clock: Callable[[], float] | None = None,
                 autostart: bool = True) -> None:
        super().__init__(id="progress")
        self.session = session
        self._clock = clock
        self._autostart = autostart
        self.tracker: RunTracker | None = None
        self.outcome: RunOutcome | None = None
        self._tasks: asyncio.Future[TaskStore] | None = None
        self._bindings_for = False  # the bindings were refreshed for the run going on

    @property
    def plan(self) -> RunPlan:
        return self.session.plan

    # -- layout -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # Made before the footer: the stop key (offered while running) is in its first frame.
        self.tracker = RunTracker(len(self.plan.planned), self._clock or self.ctx.clock,
                                  pacing=self.session.pacer.time_for)
        yield from self.compose_header()
        plan = self.plan
        skipped = len(plan.ids) - len(plan.planned)
        yield Static(f"Restarting {plural(len(plan.planned), 'ID')} on {plan.host} "
                     f"({plan.auth_label})" + (f"; {skipped:,} skipped" if skipped else ""),
                     id="run-title", markup=False)
        yield ProgressBar(total=max(len(plan.planned), 1), show_eta=False, id="run-bar")
        yield SummaryBar(codes=False, total=False, id="run-counts")
        yield LiveText(id="run-stats")
        yield LiveText(id="run-wait")
        # min_width=1: with RichLog's default (78) lines are wrapped wider than the log of
        # an 80-column screen shows, and cut under its scrollbar.
        log = ActivityLog(max_lines=LOG_LINES, wrap=True, markup=False, min_width=1, id="activity")
        log.border_title = "Activity"
        yield log
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.set_interval(REFRESH_EVERY, self.repaint)
        self.repaint()
        if self._autostart:  # after the first paint: the screen is laid out undisturbed
            self.call_after_refresh(self.start)

    @property
    def running(self) -> bool:
        return self.tracker is not None and not self.tracker.finished

    # -- the run ----------------------------------------------------------------------------

    def start(self) -> None:
        # What the results screen will show of the pre-flight, meanwhile. A thread, but not
        # beside the first paint: its bytecodes and the loop's take turns at the GIL.
        if self.plan.lookup is not None and self._tasks is None:
            self._tasks = asyncio.ensure_future(
                asyncio.to_thread(TaskStore.before_run, self.plan.lookup))
        if self.tracker is not None:
            self.session.on_event = self.tracker.feed  # only counters: cheap on the loop
        gc_policy.hold_full_collections(self.session)
        self._run_worker()

    def on_unmount(self) -> None:
        gc_policy.release_full_collections(self.session)  # a run that did not end by itself

    @work(exclusive=True, group="run", exit_on_error=False)
    async def _run_worker(self) -> None:
        session, tracker = self.session, self.tracker
        assert tracker is not None
        try:
            result = await session.run_to_results()  # the app has `log()` run once shown
        except Exception as exc:  # never a crash: whatever happened, settle what we know
            result = session.settle(f"the run failed: {type(exc).__name__}: {exc}",
                                    interrupted=True)
        tracker.finish()
        gc_policy.release_full_collections(session)
        tasks = await self._tasks if self._tasks is not None else None
        self.outcome = await asyncio.to_thread(RunOutcome.of, session, result,
                                               tuple(tracker.log), tracker.elapsed(), tasks)
        self.repaint()
        self.post_message(self.Finished(self.outcome, self))

    def action_stop(self) -> None:
        if not self.running:
            return
        if self.tracker is not None and self.tracker.stopping:
            self.notify("Already stopping: waiting for the requests in flight.")
            return
        self.app.push_screen(
            YesNoScreen("Stop this run?",
                        "Requests already sent are waited for; the IDs not sent yet are "
                        "marked not sent, and can be re-submitted from the results.",
                        yes="Stop", no="Keep running", dialog_id="stop"),
            lambda ok: self.stop() if ok else None,
        )

    def stop(self, reason: str | None = None) -> None:
        """Stop after the requests in flight."""
        if reason is None:
            self.session.stop()
        else:
            self.session.stop(reason)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.running
        return True

    # -- painting ---------------------------------------------------------------------------

    def repaint(self) -> None:
        """Ten times a second: only what changed is redrawn (`LiveText`, `show_counts`), the
        footer once, when the run starts."""
        tracker = self.tracker
        if tracker is None:
            return
        wait = self.query_one("#run-wait", LiveText)
        wait.show(self._wait_line(tracker, wait))
        self.query_one("#run-stats", LiveText).show(self._stats_line(tracker, self.line_width()))
        lines = tracker.take_new_lines()
        if lines:
            self.query_one("#activity", ActivityLog).write("\n".join(lines))
        if not tracker.changed:
            return
        tracker.changed = False
        # the total as the run has it (after cancelling the stuck tasks, what it sends)
        self.query_one("#run-bar", ProgressBar).update(total=max(tracker.total_ids, 1),
                                                       progress=tracker.settled)
        self.query_one("#run-counts", SummaryBar).show_counts(tracker.counts)
        wait.set_class(tracker.finished, "-finished")
        # The stop key comes with the run. Not taken away at its end: the screen gives way to
        # the results at once, and a new footer (15-30 ms) would only slow the threads that
        # build them (the key does nothing once the run is over).
        if self.running and not self._bindings_for:
            self._bindings_for = True
            self.refresh_bindings()

    def _wait_line(self, tracker: RunTracker, line: LiveText) -> str:
        if tracker.finished:
            if self.outcome is not None and self.outcome.stop_reason:
                return stopped_text(self.outcome.stop_reason)
            return "Finished."
        if tracker.stopping:
            return f"Stopping ({tracker.stopping}): waiting for the requests in flight"
        text = tracker.wait_text()
        line.set_class(bool(text) and tracker.wait_by_server, "-server-wait")
        return f"⏳ {text}" if text else ""

    def _stats_line(self, tracker: RunTracker, width: int) -> str:
        eta = tracker.eta()
        left = "" if eta is None else f" · left ~{format_duration(eta, round_up=True)}"
        # The pre-flight's lookups too, as the results count them.
        looked_up = tracker.lookups + (self.plan.lookup.requests if self.plan.lookup else 0)
        lookups = f" + {plural(looked_up, 'lookup')}" if looked_up else ""
        total = f"{tracker.total_batches:,}" if tracker.total_batches else "?"
        # One line at any width (a second would move the log): the batches go first.
        return fit_parts([(f"{tracker.settled:,}/{tracker.total_ids:,} IDs", 0),
                          (f"batches {tracker.batches_done:,}/{total}", 2),
                          (f"{tracker.requests:,} requests{lookups}", 1),
                          (f"elapsed {format_duration(tracker.elapsed())}{left}", 0)], width)
