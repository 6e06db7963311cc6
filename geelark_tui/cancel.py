"""Cancel stuck tasks before restarting them: task/cancel for the waiting and running tasks a
pre-flight found, at most 100 a request, through the shared pacer.

A cancelled task has status 7, which restart accepts: cancel-then-restart is how a stuck task
is re-run. The same rules as for restarts: resend only what provably did not reach the server
(429, 40007, 40017, connection refused); an unclear answer is looked up (cancelled now: done;
still waiting or running: not cancelled, so not restarted); an account-level answer stops.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from geelark_tui.api.client import FailureKind, GeeLarkClient, TransportFailure
from geelark_tui.api.codes import RUN_STOPPING, describe, stop_reason
from geelark_tui.api.models import IdResult, Outcome, TaskStatus
from geelark_tui.engine import AMBIGUOUS_CODES, BATCH_ANSWERS, THROTTLE_CODES
from geelark_tui.limits import MAX_BATCH
from geelark_tui.pacing import Clock, Pacer, RealClock

MAX_ATTEMPTS = 8  # sends of one chunk the server may refuse as "too many" before giving up
CANCELLED_FIRST = "cancelled, then "  # how a cancelled-then-restarted result's message starts


@dataclass
class Cancels:
    """What task/cancel did: `done` can now be restarted; `results` are the final results of
    the tasks that were not cancelled (refused, or not provably cancelled)."""

    ids: tuple[str, ...]
    done: list[str] = field(default_factory=list)
    results: dict[str, IdResult] = field(default_factory=dict)
    requests: int = 0
    lookups: int = 0
    stop_reason: str | None = None
    stop_code: int | None = None

    @property
    def stopped(self) -> bool:
        return self.stop_reason is not None


async def cancel_tasks(
    client: GeeLarkClient, ids: Sequence[str], pacer: Pacer, *,
    stopping: Callable[[], bool] = lambda: False, clock: Clock | None = None,
    wall_clock: Callable[[], float] = time.time,
) -> Cancels:
    """Cancel `ids`, one request at a time (a cancel is rare and small)."""
    outcome = Cancels(tuple(dict.fromkeys(ids)))
    clock = clock or RealClock()
    for start in range(0, len(outcome.ids), MAX_BATCH):
        chunk = list(outcome.ids[start:start + MAX_BATCH])
        if stopping() or outcome.stopped:
            _not_cancelled(outcome, chunk, outcome.stop_reason or "stopped before the cancel")
            continue
        await _cancel_chunk(client, chunk, pacer, outcome, stopping, clock, wall_clock)
    return outcome


def _not_cancelled(outcome: Cancels, ids: Sequence[str], why: str,
                   code: int | None = None) -> None:
    for task_id in ids:
        outcome.results[task_id] = IdResult(task_id, Outcome.NOT_SENT, code,
                                            f"not cancelled, not restarted: {why}")


async def _cancel_chunk(
    client: GeeLarkClient, chunk: list[str], pacer: Pacer, outcome: Cancels,
    stopping: Callable[[], bool], clock: Clock, wall_clock: Callable[[], float],
) -> None:
    connect_failures = 0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if not await pacer.acquire(None, lambda: stopping() or outcome.stopped):
            _not_cancelled(outcome, chunk, outcome.stop_reason or "stopped before the cancel")
            return
        outcome.requests += 1
        try:
            answer = await client.cancel(chunk)
        except TransportFailure as failure:
            if failure.kind is FailureKind.THROTTLED:
                await clock.sleep(min(2.0 * 2 ** (attempt - 1), 60.0))
                continue
            if failure.kind is FailureKind.NOT_SENT and connect_failures < 3:
                connect_failures += 1
                await clock.sleep(0.5 * connect_failures)
                continue
            if failure.kind is FailureKind.AMBIGUOUS:
                await _look_up(client, chunk, pacer, outcome, failure.message)
                return
            outcome.stop_reason = f"cannot cancel: {failure.message}"
            _not_cancelled(outcome, chunk, failure.message)
            return
        code = answer.code
        if code == 40007:  # lifted at the next minute
            pacer.pause_until(clock.now() + 60.0 - wall_clock() % 60.0 + 1.0)
            continue
        if code in THROTTLE_CODES:
            await clock.sleep(min(2.0 * 2 ** (attempt - 1), 60.0))
            continue
        if code in RUN_STOPPING:
            outcome.stop_reason, outcome.stop_code = stop_reason(code), code
            _not_cancelled(outcome, chunk, stop_reason(code), code)
            return
        if code not in BATCH_ANSWERS:
            if code in AMBIGUOUS_CODES or describe(code).meaning.startswith("undocumented"):
                await _look_up(client, chunk, pacer, outcome, f"the cancel answered {code}")
                return
            for task_id in chunk:
                outcome.results[task_id] = IdResult(
                    task_id, Outcome.REJECTED, code,
                    f"cancel refused: {code} {describe(code).meaning}")
            return
        refused, rest, consistent = answer.split(chunk)
        for task_id, detail in refused.items():
            outcome.results[task_id] = IdResult(
                task_id, Outcome.REJECTED, detail.code,
                f"cancel refused: {detail.msg or describe(detail.code).meaning}")
        if consistent:
            outcome.done.extend(rest)
        else:
            await _look_up(client, rest, pacer, outcome, "the cancel's counts do not add up")
        return
    _not_cancelled(outcome, chunk, "the server kept refusing the cancel as too many requests")


async def _look_up(client: GeeLarkClient, ids: list[str], pacer: Pacer, outcome: Cancels,
                   why: str) -> None:
    """After an unclear answer: cancelled now means done; anything else was not cancelled."""
    if not await pacer.acquire(None, lambda: outcome.stopped):
        _not_cancelled(outcome, ids, f"{why}; not looked up")
        return
    outcome.lookups += 1
    try:
        answer = await client.query(ids)
    except TransportFailure as failure:
        _not_cancelled(outcome, ids, f"{why}; the lookup failed ({failure.message})")
        return
    if answer.envelope.code != 0:
        _not_cancelled(outcome, ids, f"{why}; the lookup answered {answer.envelope.code}")
        return
    statuses = {t.id: t.status for t in answer.tasks}
    for task_id in ids:
        status = statuses.get(task_id)
        if status in (TaskStatus.CANCELLED, TaskStatus.FAILED):  # restart accepts it now
            outcome.done.append(task_id)
        else:
            now = "not listed" if status is None else f"now {TaskStatus.label(status)}"
            _not_cancelled(outcome, [task_id], f"{why}; the lookup shows it {now}")
