"""RunSession: ONE run of one ID set, start to end, for both front ends.

The stages, in order: record the set in the config (before the first request), pre-flight
(task/query), cancel the waiting and running tasks (task/cancel, when asked), the restart run
(engine: chunks, pacing, retries, verification), follow the restarted tasks to their end
(when asked), and the end: one result per ID of the set in input order, settled however the
run ended (finished, stopped, stopped by the server, interrupted), the run-log line, the set's
last counts, and the exit code.

The session emits the typed events of `geelark_tui.events`; the TUI and the headless command
only render them and the final `SessionResult`. It never closes the client it is given.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from geelark_tui.after import After
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.cancel import Cancels, cancel_tasks
from geelark_tui.engine import RestartRun
from geelark_tui.events import (
    CancelsDone,
    Event,
    FollowUpdate,
    LookupProgress,
    OutcomesReported,
    RunStopping,
)
from geelark_tui.finalize import Finalizer
from geelark_tui.follow import Follow
from geelark_tui.pacing import Clock, Pacer
from geelark_tui.plan import RunPlan
from geelark_tui.preflight import Lookup, lookup
from geelark_tui.report import summarize
from geelark_tui.runlog import log_run
from geelark_tui.runreport import RunReport
from geelark_tui.sessionresult import SessionResult

if TYPE_CHECKING:
    from geelark_tui.config import Config

USER_STOP = "stopped by the user"
INTERRUPTED = "the run was interrupted"


class RunSession:
    """`await session.run()` runs every stage left and returns the `SessionResult`.

    A front end that shows the pre-flight before asking (the TUI's confirmation) calls
    `await session.look_up()` first and may then `choose(include_all=...)`. `stop()` asks the
    session to stop after the requests in flight; cancelling the task that awaits `run()`
    (a second signal, the app closing) settles the run at once. `abandon()` settles a session
    whose `run()` never got to run. Every ending is logged once.
    """

    def __init__(
        self,
        plan: RunPlan,
        client: GeeLarkClient,
        pacer: Pacer,
        *,
        on_event: Callable[[Event], None] | None = None,
        config: Config | None = None,
        run_log: Path | None = None,
        scrub: Callable[[str], str] | None = None,
        secrets: Callable[[], Iterable[str]] = frozenset,
        clock: Clock | None = None,
    ) -> None:
        self.plan = plan
        self.client = client
        self.pacer = pacer
        self.on_event = on_event  # a front end may attach its own before `run()`
        self.config = config
        self.run_log = run_log
        self.logged = False  # the run's line is in the run log
        self.clock = clock or pacer.clock  # waits, back-offs and polls keep the pacer's time
        self._scrub = scrub
        self._secrets = secrets
        self.recent_key: str | None = None
        self.engine: RestartRun | None = None
        self.cancels: Cancels | None = None
        self.follower: Follow | None = None
        self._follow_stop: str | None = None  # a stop asked for before `follower` was made
        self.result: SessionResult | None = None
        self.started_at = time.time()
        self._stop_reason: str | None = None  # asked to stop (user, signal)
        self._fatal: tuple[str, int | None] | None = None  # stopped by the API (pre-flight)
        self._log_started = False
        self._logging: asyncio.Future[None] | None = None  # `log()`'s thread, once started
        self._warnings: list[str] = []
        self._final = Finalizer(scrub)  # the results as the front ends get them

    def _emit(self, event: Event) -> None:
        if isinstance(event, OutcomesReported):
            self._finalize_reported(event.results)
        if self.on_event is not None:
            self.on_event(event)

    def _finalize_reported(self, results: Sequence[IdResult]) -> None:
        """Each result the run reports is put in its report as `_all_results` will give it."""
        self._final.reported(self.plan, results,
                             self.engine.report.results if self.engine is not None else None)

    # -- control ---------------------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        return self._stop_reason is not None or self._fatal is not None

    @property
    def finished(self) -> bool:
        return self.result is not None

    def stop(self, reason: str = USER_STOP) -> None:
        """Stop after the requests in flight; what was not sent is `not_sent` with `reason`."""
        if self._stop_reason is None:
            self._stop_reason = reason
        if self.engine is not None:
            self.engine.stop(reason)
        self._follow_stop = reason
        if self.follower is not None:
            self.follower.stop(reason)

    def follow_stop_asked(self) -> str | None:
        """Why following was asked to stop since it last started (None: it was not)."""
        return self._follow_stop

    def stop_following(self, reason: str = USER_STOP) -> None:
        """Stop polling the restarted tasks; the run itself is not touched."""
        self._follow_stop = reason
        if self.follower is not None:
            self.follower.stop(reason)

    def choose(self, *, include_all: bool | None = None,
               cancel_active: bool | None = None) -> None:
        """After the pre-flight: restart also the tasks that cannot be restarted now; cancel
        the waiting and running ones first and restart them."""
        if include_all is not None:
            self.plan = replace(self.plan, include_all=include_all)
        if cancel_active is not None:
            self.plan = replace(self.plan, cancel_active=cancel_active)

    # -- stages ----------------------------------------------------------------------------

    def record_set(self) -> None:
        """Save the ID set in the config's recent sets: before the first request, so an
        interrupted session loses nothing. A re-run of some IDs of a set still in the list
        (`plan.set_key`: a retry from the results) is part of that set: nothing new is
        recorded, and the front end keeps that set's counts."""
        if self.config is None or self.recent_key is not None:
            return
        if self.plan.set_key is not None and any(r.key == self.plan.set_key
                                                 for r in self.config.recent):
            return
        from geelark_tui.configstore import record_recent_set

        self.recent_key = record_recent_set(self.config, self.plan.ids).key
        self._warnings.extend(self.config.take_warnings())

    async def _record_set_off_loop(self) -> None:
        """`record_set` in a thread: a large set is sorted, hashed and written to its file
        (a quarter of a second for 100,000 IDs)."""
        if self.config is not None and self.recent_key is None:
            await asyncio.to_thread(self.record_set)

    async def look_up(self, on_progress: Callable[[int, int], None] | None = None, *,
                      details: bool = True) -> Lookup:
        """The pre-flight: every ID's status now, through the shared pacer (`details`: also
        the rest of what task/query says of each task, which only the app shows)."""
        await self._record_set_off_loop()
        total = len(self.plan.ids)

        def progress(done: int, of: int) -> None:
            self._emit(LookupProgress(done, of))
            if on_progress is not None:
                on_progress(done, of)

        self._emit(LookupProgress(0, total))
        try:
            found = await lookup(self.client, self.plan.ids, self.pacer,
                                 concurrency=self.plan.settings.concurrency,
                                 on_progress=progress, cancelled=lambda: self.stopping,
                                 details=details)
        except Exception as exc:  # never a crash: the IDs are then "could not be looked up"
            message = f"{type(exc).__name__}: {exc}"
            found = Lookup(self.plan.ids, failed=set(self.plan.ids),
                           errors=[self._scrub(message) if self._scrub else message])
        self.plan = replace(self.plan, lookup=found, preflight=True)
        if found.stopped and self._fatal is None:  # an account-level answer: as a run stops
            self._fatal = (found.stop_reason or "stopped by the API", found.stop_code)
            self._emit(RunStopping(self._fatal[0], self._fatal[1]))
        return found

    async def run(self) -> SessionResult:
        result = await self.run_to_results()
        await self.log()
        return result

    async def run_to_results(self) -> SessionResult:
        """Every stage but the last (`log`): a front end that shows the results first (the
        TUI, at once when a run ends) calls `log()` itself once they are on screen; an app
        that ends before then has `abandon()` write the line."""
        try:
            await self._record_set_off_loop()
            if self.plan.preflight and self.plan.lookup is None and not self.stopping:
                await self.look_up()
            if self.plan.cancel_active and self.cancels is None and not self.stopping:
                await self.cancel_active()
            if not self.stopping:
                def engine() -> RestartRun:  # O(IDs) to make: beside the app's first paint
                    return RestartRun(
                        self.client, self.plan.to_send, self.plan.settings,
                        on_event=self._emit, pacer=self.pacer,
                        prior_status=self._prior_status(), clock=self.clock)

                self.engine = await asyncio.to_thread(engine)
                if self._stop_reason is not None:  # asked while it was being made
                    self.engine.stop(self._stop_reason)
                await self.engine.run()
            result = self.result or await self._finish_off_loop()
            if self.plan.follow and not self.stopping:
                await self.follow()
        except asyncio.CancelledError:
            self.settle(self._stop_reason or INTERRUPTED, interrupted=True)
            raise
        return result

    async def log(self) -> list[str]:
        """The last stage, once: the run-log line and the set's last counts (in a thread:
        a tenth of a second for 100,000 IDs). The warnings it added to the result."""
        result = self.result
        if result is None or self._log_started:
            return []
        self._log_started = True
        before = len(result.warnings)
        secrets = tuple(self._secrets())  # here: the app's may read its screens
        # The whole stage in the thread, shielded: a caller cancelled meanwhile (the app
        # closing) must not leave the line written and the counts not (`log_written`).
        self._logging = asyncio.ensure_future(
            asyncio.to_thread(self._write_log_and_count, result, secrets))
        await asyncio.shield(self._logging)
        return result.warnings[before:]

    async def log_written(self, timeout: float) -> None:
        """Wait (at most `timeout` seconds) for `log()`'s thread, if one is writing."""
        if self._logging is not None and not self._logging.done():
            await asyncio.wait({self._logging}, timeout=timeout)

    async def cancel_active(self) -> Cancels:
        """Cancel the tasks the pre-flight found waiting or running, so they can be
        restarted with the rest (task/cancel, at most 100 a request, same budget)."""
        active = self.plan.active
        cancels = await cancel_tasks(self.client, active, self.pacer,
                                     stopping=lambda: self.stopping, clock=self.clock)
        self.cancels = cancels
        self.plan = replace(self.plan, cancelled=tuple(cancels.done))
        self._emit(CancelsDone(len(cancels.done), len(active)))
        if cancels.stopped and self._fatal is None:  # an account-level answer: as a run stops
            self._fatal = (cancels.stop_reason or "stopped by the API", cancels.stop_code)
            self._emit(RunStopping(self._fatal[0], self._fatal[1]))
        return cancels

    def _prior_status(self) -> dict[str, int | None] | None:
        found = self.plan.lookup
        if found is None:
            return None
        # a new dict: the lookup's own is shared; the tasks cancelled a moment ago are 7
        return {**found.prior_status(), **dict.fromkeys(self.plan.cancelled, 7)}

    async def follow(self, on_update: Callable[[FollowUpdate], None] | None = None, *,
                     timeout: float | None = None) -> dict[str, After]:
        """Poll the restarted tasks until each has ended (or the time is up, or `stop()`);
        the result gains `after`. For the TUI, which shows the results first."""
        result = self._finish(None)

        def update(event: FollowUpdate) -> None:
            self._emit(event)
            if on_update is not None:
                on_update(event)

        def follower() -> Follow:  # O(IDs): off the event loop (the app shows the results)
            restarted = [r.id for r in result.results if r.outcome is Outcome.RESTARTED]
            return Follow(self.client, restarted, self.pacer, on_update=update,
                          timeout=self.plan.follow_timeout if timeout is None else timeout,
                          interval=self.plan.follow_interval, clock=self.clock)

        self._follow_stop = None
        follow = self.follower = await asyncio.to_thread(follower)
        stop = self.follow_stop_asked()
        if stop is not None:  # asked while it was being made
            follow.stop(stop)
        try:
            await follow.run()
        except BaseException:  # cancelled (or worse): settle what was seen, at once
            result.after, result.follow_stopped = follow.afters(), follow.stop_reason
            raise
        # O(IDs) (35-80 ms for 100,000): off the event loop
        result.after = await asyncio.to_thread(follow.afters)
        result.follow_stopped = follow.stop_reason
        return result.after

    # -- the end ---------------------------------------------------------------------------

    def abandon(self, reason: str) -> SessionResult:
        """The front end is ending and this session's `run()` did not settle it (never
        started, or its task could not unwind in time): settle and log it now."""
        return self.settle(reason, interrupted=True)

    def settle(self, reason: str, *, interrupted: bool) -> SessionResult:
        """Settle what is known, once: in-flight IDs `unknown`, the rest `not_sent`; log it."""
        if self.result is not None and self._log_started:
            return self.result
        result = self.result or self._finish(reason, interrupted=interrupted)
        if not self._log_started:
            self._log_started = True
            warning = self._write_log(result)
            if warning:
                result.warnings.append(warning)
            self._count(result)
        return result

    def _finish(self, reason: str | None, *, interrupted: bool = False) -> SessionResult:
        if self.result is not None:
            return self.result
        report = self._final_report(reason, interrupted)
        return self._result_of(report, self._all_results(report))

    async def _finish_off_loop(self) -> SessionResult:
        """`_finish` for a run that ended by itself: a result per ID of the set (a second for
        100,000 with a pre-flight) is built in a thread, so the app never stalls on it."""
        report = self._final_report(None, False)
        results = await asyncio.to_thread(self._all_results, report)
        return self.result or self._result_of(report, results)

    def _final_report(self, reason: str | None, interrupted: bool) -> RunReport:
        engine = self.engine
        report = engine.report if engine is not None else RunReport(
            ids=self.plan.to_send, results={}, started_at=self.started_at)
        now = time.time()
        if self._fatal is not None and report.stop_reason is None:
            report = replace(report, stop_reason=self._fatal[0], stop_code=self._fatal[1])
        stop_reason = report.stop_reason or self._stop_reason or reason
        by_user = report.stopped_by_user or (report.stop_reason is None and
                                              self._stop_reason is not None)
        if interrupted and stop_reason is None:
            stop_reason = INTERRUPTED
        if stop_reason is not None and self._scrub is not None:
            stop_reason = self._scrub(stop_reason)  # it may quote an exception
        return replace(report, finished_at=report.finished_at or now, stop_reason=stop_reason,
                       stopped_by_user=by_user if stop_reason else False,
                       started_at=min(report.started_at, self.started_at))

    def _result_of(self, report: RunReport, results: list[IdResult]) -> SessionResult:
        self.result = SessionResult(self.plan, results, report, report.stop_reason,
                                    report.stopped_by_user, list(self._warnings),
                                    self.recent_key, cancelled_first=len(self.plan.cancelled))
        return self.result

    def _all_results(self, report: RunReport) -> list[IdResult]:
        """One result per ID of the set, in input order: the run's, `skipped` for what the
        pre-flight kept out, the cancel's answer for a stuck task it could not cancel,
        `not_sent` for the rest (`finalize.py`)."""
        others = {r.id: r for r in self.plan.skipped()}
        if self.cancels is not None:
            others.update(self.cancels.results)
        return self._final.all_results(self.plan, report.results, others,
                                       f"not sent: {report.stop_reason or 'stopped'}")

    def _write_log(self, result: SessionResult, secrets: Iterable[str] | None = None
                   ) -> str | None:
        if self.run_log is None:
            return None
        warning = log_run(result.report, result.results, self.plan.host, path=self.run_log,
                          secrets=self._secrets() if secrets is None else secrets,
                          after=result.after_counts())
        self.logged = warning is None
        return warning

    def _write_log_and_count(self, result: SessionResult, secrets: Iterable[str]) -> None:
        """In a thread: the run-log line and the set's last counts (as `record_set`, the
        config is written from a thread)."""
        warning = self._write_log(result, secrets)
        if warning:
            result.warnings.append(warning)
        self._count(result, summarize(result.results))

    def _count(self, result: SessionResult, counts: dict[str, int] | None = None) -> None:
        """The set's last counts, shown beside it in the recent list."""
        if self.config is None or self.recent_key is None:
            return
        from geelark_tui.configstore import update_recent_counts

        update_recent_counts(self.config, self.recent_key, counts or summarize(result.results))
        result.warnings.extend(self.config.take_warnings())
