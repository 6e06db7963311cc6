"""RestartRun: chunking, pacing, the retry policy and verification for one run over N IDs.

The rules (design.md, "Outcomes"): never claim a restart the server did not confirm, and
resend automatically only what the server provably did not process (connection refused,
HTTP 429, 40007, 40017). Anything ambiguous is looked up with task/query instead, and what
the lookup shows still failed or cancelled is resent once (see `verdict`).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from geelark_tui.api.client import FailureKind, GeeLarkClient, TransportFailure
from geelark_tui.api.codes import RUN_STOPPING, describe, stop_reason
from geelark_tui.api.models import BatchResult, IdResult, Outcome, Task, TaskStatus
from geelark_tui.events import (
    BatchFinished,
    BatchStarted,
    Event,
    OutcomesReported,
    RateLimitWait,
    RunFinished,
    RunStarted,
    RunStopping,
    Verifying,
)
from geelark_tui.limits import MAX_BATCH, MAX_CONCURRENCY, MAX_PER_MINUTE, PER_HOUR
from geelark_tui.pacing import Clock, Pacer, RealClock
from geelark_tui.runreport import RunReport
from geelark_tui.verdict import RESEND, judge

# Outer codes meaning "the server processed this batch; see data".
BATCH_ANSWERS = frozenset({0, 40006, 40009})
# Outer codes meaning "not processed, come back later": resent automatically.
THROTTLE_CODES = frozenset({40007, 40017})
# Outer codes whose effect is unclear: verified by task/query.
AMBIGUOUS_CODES = frozenset({40000, 50000})
IN_FLIGHT_MESSAGE = (
    "the run was cancelled while this request was in flight: check before re-submitting"
)


@dataclass(frozen=True, slots=True)
class RunSettings:
    batch_size: int = MAX_BATCH
    concurrency: int = 2
    per_minute: int = 200
    per_hour: int = PER_HOUR
    max_resends: int = 8  # throttled resends of one batch before giving up on it
    connect_retries: int = 3
    backoff: float = 2.0  # first back-off after 429/40017, doubled each time, capped at 60 s
    verify: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise ValueError(f"batch size must be 1..{MAX_BATCH}, not {self.batch_size}")
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            raise ValueError(f"concurrency must be 1..{MAX_CONCURRENCY}, not {self.concurrency}")
        if not 1 <= self.per_minute <= MAX_PER_MINUTE:
            raise ValueError(f"per-minute limit must be 1..{MAX_PER_MINUTE}, not {self.per_minute}")


def count_requests(n_ids: int, batch_size: int) -> int:
    return math.ceil(n_ids / batch_size) if n_ids else 0


@dataclass(slots=True)
class _Batch:
    index: int
    ids: list[str]
    attempt: int = 0
    connect_failures: int = 0
    notes: list[str] = field(default_factory=list)
    maybe_applied: bool = False  # a request went out and was not provably refused
    resent_because: str = ""  # a resend of IDs a lookup showed still failed: why


class RestartRun:
    """One run. `await run.run()` returns the report; `run.stop()` asks it to stop early."""

    def __init__(
        self,
        client: GeeLarkClient,
        ids: Sequence[str],
        settings: RunSettings | None = None,
        *,
        on_event: Callable[[Event], None] | None = None,
        prior_status: Mapping[str, int | None] | None = None,
        clock: Clock | None = None,
        pacer: Pacer | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.settings = settings or RunSettings()
        self.ids = tuple(dict.fromkeys(ids))
        self.prior_status = dict(prior_status or {})
        self.clock = clock or RealClock()
        self.wall_clock = wall_clock  # the server's minute (40007) turns over by this clock
        self.pacer = pacer or Pacer.for_api(self.settings.per_minute, self.settings.per_hour,
                                            self.clock)
        self._emit = on_event or (lambda event: None)
        self._stop_requested = False
        self._stop_reason = "stopped by the user"
        self._fatal: tuple[str, int | None] | None = None
        self.report = RunReport(ids=self.ids, results={}, started_at=time.time())
        # O(IDs), here rather than in `run()`: the app makes the run in a thread
        size = self.settings.batch_size
        self._batches = [_Batch(n + 1, list(self.ids[i : i + size]))
                         for n, i in enumerate(range(0, len(self.ids), size))]

    # -- control ---------------------------------------------------------------------------

    def stop(self, reason: str = "stopped by the user") -> None:
        """User stop: batches in flight finish, the rest are marked not_sent. ``reason``
        (e.g. "SIGTERM: the app was told to end") goes into the report and the run log."""
        if not self._stop_requested:
            self._stop_requested = True
            self._stop_reason = reason
            self._emit(RunStopping(reason, None))

    @property
    def stopping(self) -> bool:
        return self._stop_requested or self._fatal is not None

    def _not_sent_message(self) -> str:
        if self._fatal is not None:
            return f"not sent: {self._fatal[0]}"
        return f"not sent: {self._stop_reason}"

    # -- the run ---------------------------------------------------------------------------

    async def run(self) -> RunReport:
        batches = self._batches
        self._emit(RunStarted(len(self.ids), len(batches), self.settings.batch_size))
        queue: asyncio.Queue[_Batch] = asyncio.Queue()
        for batch in batches:
            queue.put_nowait(batch)
        workers = [
            asyncio.create_task(self._worker(queue))
            for _ in range(min(self.settings.concurrency, len(batches)) or 1)
        ]
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
            # Whatever has no outcome yet (cancelled run, crash): unknown if its request may
            # have reached the server, else not_sent. Results are only for the run's own IDs
            # (`parse_batch` drops an ID an answer names that its request did not send), so
            # as many results as IDs means none is missing: no walk of 100,000 IDs on the
            # event loop at the end of every run.
            results = self.report.results
            missing = ([i for i in self.ids if i not in results]
                       if len(results) < len(self.ids) else [])
            if missing:
                maybe = {i for batch in batches if batch.maybe_applied for i in batch.ids}
                self._settle([
                    IdResult(i, Outcome.UNKNOWN, None, IN_FLIGHT_MESSAGE) if i in maybe
                    else IdResult(i, Outcome.NOT_SENT, None, self._not_sent_message())
                    for i in missing
                ])
            self.report.finished_at = time.time()
            if self._fatal is not None:
                self.report.stop_reason, self.report.stop_code = self._fatal
            elif self._stop_requested:
                self.report.stop_reason = self._stop_reason
                self.report.stopped_by_user = True
        self._emit(RunFinished(self.report))
        return self.report

    async def _worker(self, queue: asyncio.Queue[_Batch]) -> None:
        while not queue.empty():
            batch = queue.get_nowait()
            await self._process(batch)

    def _settle(self, results: list[IdResult]) -> None:
        for result in results:
            self.report.results[result.id] = result
        self._emit(OutcomesReported(tuple(results)))

    def _finish_batch(self, batch: _Batch, results: list[IdResult], code: int | None) -> None:
        if batch.resent_because:
            results = [replace(r, message=f"{r.message} (sent again: {batch.resent_because}, "
                                          f"then a lookup showed it still "
                                          f"{TaskStatus.label(self.prior_status.get(r.id))})")
                       for r in results]
        self._settle(results)
        counts: dict[Outcome, int] = {}
        for result in results:
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        self._emit(BatchFinished(batch.index, len(batch.ids), code, counts, "; ".join(batch.notes)))

    def _mark_not_sent(self, batch: _Batch) -> None:
        message = self._not_sent_message()
        code = self._fatal[1] if self._fatal else None
        self._finish_batch(
            batch, [IdResult(i, Outcome.NOT_SENT, code, message) for i in batch.ids], code
        )

    def _set_fatal(self, reason: str, code: int | None) -> None:
        if self._fatal is None:
            self._fatal = (reason, code)
            self._emit(RunStopping(reason, code))

    async def _acquire(self) -> bool:
        def on_wait(seconds: float, by_server: bool) -> None:
            reason = (
                "rate limited by the server" if by_server else "pacing to stay under the limit"
            )
            self._emit(RateLimitWait(seconds, by_server, reason))

        return await self.pacer.acquire(on_wait, lambda: self.stopping)

    async def _back_off(self, batch: _Batch, seconds: float, reason: str) -> None:
        deadline = self.clock.now() + seconds
        while not self.stopping and (left := deadline - self.clock.now()) > 0:
            self._emit(RateLimitWait(left, True, reason))
            await self.clock.sleep(min(left, 0.5))

    async def _process(self, batch: _Batch) -> None:
        while True:
            if self.stopping or not await self._acquire():
                self._mark_not_sent(batch)
                return
            batch.attempt += 1
            self._emit(BatchStarted(batch.index, len(batch.ids), batch.attempt))
            self.report.restart_requests += 1
            batch.maybe_applied = True
            try:
                answer = await self.client.restart(batch.ids)
            except TransportFailure as failure:
                if failure.kind in (FailureKind.THROTTLED, FailureKind.NOT_SENT):
                    batch.maybe_applied = False  # provably not processed
                if await self._handle_failure(batch, failure):
                    continue
                return
            code = answer.code
            if code in THROTTLE_CODES:
                batch.maybe_applied = False
                if await self._throttled(batch, code):
                    continue
                return
            await self._handle_answer(batch, answer)
            return

    async def _throttled(self, batch: _Batch, code: int | None) -> bool:
        """Wait as the server asked; True to resend, False when the batch was given up."""
        if batch.attempt > self.settings.max_resends:
            batch.notes.append(f"server kept refusing with {code}")
            self._finish_batch(
                batch,
                [
                    IdResult(i, Outcome.NOT_SENT, code, f"not sent: server kept answering {code}")
                    for i in batch.ids
                ],
                code,
            )
            return False
        if code == 40007:
            # Lifted at the next minute: wait for the wall-clock minute to turn over.
            wait = 60.0 - (self.wall_clock() % 60.0) + 1.0
            self.pacer.pause_until(self.clock.now() + wait)
            batch.notes.append("40007: resent after the next minute")
            return True
        delay = min(self.settings.backoff * 2 ** (batch.attempt - 1), 60.0)
        delay *= 1.0 + random.random() * 0.1
        batch.notes.append(f"{code or 'HTTP 429'}: backed off {delay:.0f} s")
        await self._back_off(batch, delay, f"server busy ({code or 'HTTP 429'}), backing off")
        return True

    async def _handle_failure(self, batch: _Batch, failure: TransportFailure) -> bool:
        """True to resend the batch, False when it has been settled."""
        if failure.kind is FailureKind.THROTTLED:
            return await self._throttled(batch, None)
        if failure.kind is FailureKind.NOT_SENT:
            batch.connect_failures += 1
            if batch.connect_failures <= self.settings.connect_retries:
                await self._back_off(batch, 0.5 * batch.connect_failures, failure.message)
                return True
            self._set_fatal(f"cannot reach {self.client.host}: {failure.message}", None)
            self._mark_not_sent(batch)
            return False
        if failure.kind is FailureKind.CONFIG:
            self._set_fatal(failure.message, None)
            self._mark_not_sent(batch)
            return False
        await self._verify(batch, batch.ids, failure.message, None)
        return False

    async def _handle_answer(self, batch: _Batch, answer: BatchResult) -> None:
        code = answer.code
        if code in RUN_STOPPING:
            self._set_fatal(stop_reason(code), code)
            self._mark_not_sent(batch)
            return
        if code not in BATCH_ANSWERS:
            if code in AMBIGUOUS_CODES or describe(code).meaning.startswith("undocumented"):
                await self._verify(batch, batch.ids, f"server answered {code}", code)
                return
            info = describe(code)
            message = f"batch refused: {code} {info.meaning}"
            self._finish_batch(
                batch, [IdResult(i, Outcome.REJECTED, code, message) for i in batch.ids], code
            )
            return
        results, unsure = self._read_batch(batch, answer)
        if unsure:
            self._settle(results)
            await self._verify(batch, unsure, "the answer's counts do not add up", code)
            return
        self._finish_batch(batch, results, code)

    @staticmethod
    def _read_batch(batch: _Batch, answer: BatchResult) -> tuple[list[IdResult], list[str]]:
        """Split a processed batch into settled results and IDs whose fate is unclear."""
        refused, rest, consistent = answer.split(batch.ids)
        results = [
            IdResult(d.id, Outcome.REJECTED, d.code, d.msg or describe(d.code).meaning)
            for d in refused.values()
        ]
        if not consistent:
            return results, rest
        results.extend(IdResult(i, Outcome.RESTARTED, 0, "restarted") for i in rest)
        return results, []

    async def _verify(
        self, batch: _Batch, ids: list[str], why: str, code: int | None
    ) -> None:
        """Look ambiguous IDs up with task/query; only proof counts as restarted."""
        if not self.settings.verify:
            self._finish_batch(
                batch, [IdResult(i, Outcome.UNKNOWN, code, f"{why}; not verified") for i in ids],
                code,
            )
            return
        self._emit(Verifying(batch.index, len(ids), why))
        batch.notes.append(f"{why}: looked up with task/query")
        tasks, complete, unsettled = await self._look_up(batch, ids)
        results, again = [], []
        for task_id in ids:
            verdict = judge(task_id, tasks.get(task_id), complete=complete,
                            before=self.prior_status.get(task_id), why=why,
                            unsettled=unsettled, code=code, resent=bool(batch.resent_because))
            if verdict == RESEND:
                again.append(task_id)
            elif isinstance(verdict, IdResult):
                results.append(verdict)
        if not again:
            self._finish_batch(batch, results, code)
            return
        # Not restarted, provably: resend those once. The next lookup judges them knowing
        # they were failed or cancelled a moment ago.
        self._settle(results)
        self.prior_status.update((i, tasks[i].status) for i in again)
        resend = _Batch(batch.index, again, notes=[*batch.notes, f"{len(again)} sent again"],
                        maybe_applied=True, resent_because=why)
        await self._process(resend)

    async def _look_up(
        self, batch: _Batch, ids: list[str]
    ) -> tuple[dict[str, Task], bool, str]:
        """task/query for `ids`: the tasks it listed, whether that list is complete, and (when
        not) why the rest stays unsettled. An account-level answer stops the run."""
        unsettled = "not looked up: the run stopped first"
        for _attempt in range(3):
            if not await self.pacer.acquire(None, lambda: self._fatal is not None):
                break
            self.report.query_requests += 1
            try:
                result = await self.client.query(ids)
            except TransportFailure as failure:
                unsettled = f"lookup failed ({failure.message})"
                continue
            answered = result.envelope.code
            if answered == 0:
                unsettled = f"lookup failed (answer incomplete: {result.incomplete})"
                return {t.id: t for t in result.tasks}, result.complete, unsettled
            unsettled = f"lookup failed (lookup answered {answered})"
            if answered in RUN_STOPPING:  # the account is refused: stop, as a restart would
                self._set_fatal(stop_reason(answered), answered)
                return {}, False, f"the run stopped: its lookup got {stop_reason(answered)}"
            if answered not in THROTTLE_CODES:
                break
            await self._back_off(batch, 5.0, "lookup rate limited")
        return {}, False, unsettled
