"""Follow restarted tasks to their end: poll task/query until each is completed, failed again
or cancelled, or the time is up.

At most 100 IDs a request, through the shared pacer (restarts, lookups, cancels and these
polls share one per-minute budget), no ID more often than every `interval` seconds (5 s), one
request at a time. A failed poll is tried again at the ID's next turn; an account-level answer
stops following. What is still waiting or running at the end is `active`; what was never seen
is `unknown`.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Sequence

from geelark_tui.after import FINAL, STATES, After, after_for, after_of
from geelark_tui.api.client import GeeLarkClient, TransportFailure
from geelark_tui.api.codes import RUN_STOPPING, stop_reason
from geelark_tui.engine import THROTTLE_CODES
from geelark_tui.events import FollowUpdate
from geelark_tui.limits import MAX_BATCH
from geelark_tui.pacing import Clock, Pacer, RealClock
from geelark_tui.packed_tasks import PackedTasks

INTERVAL = 5.0  # seconds: no ID is polled more often
TIMEOUT = 600.0  # seconds: the headless default (--follow-timeout)
class Follow:
    """`await follow.run()` polls until every ID is final, the timeout passes, or `stop()`."""

    def __init__(
        self, client: GeeLarkClient, ids: Sequence[str], pacer: Pacer, *,
        timeout: float = TIMEOUT, interval: float = INTERVAL, clock: Clock | None = None,
        on_update: Callable[[FollowUpdate], None] | None = None,
    ) -> None:
        self.client = client
        self.ids = tuple(dict.fromkeys(ids))
        self.pacer = pacer
        self.timeout = timeout
        self.interval = interval
        self.clock = clock or RealClock()
        self._emit = on_update or (lambda update: None)
        # The latest fact about each followed task (packed: 100,000 of them cost the
        # garbage collector nothing; see packed_tasks.py).
        self.tasks = PackedTasks()
        self._states = Counter({"unknown": len(self.ids)})  # the tasks in each state, kept up
        self.requests = 0
        self.errors: list[str] = []
        self.stop_reason: str | None = None
        self._stopped = False

    def stop(self, reason: str = "stopped by the user") -> None:
        self._stopped = True
        self.stop_reason = self.stop_reason or reason

    def afters(self) -> dict[str, After]:
        """How each followed task ended. The facts are read in C loops and the After of each
        distinct fact is cached: 100,000 tasks take 35-80 ms, not the 210 ms of a Task built
        for each (this runs on the event loop when a follow is cancelled)."""
        facts = self.tasks.columns(self.ids, "status", "fail_code", "fail_desc")
        return dict(zip(self.ids, itertools.starmap(after_for, facts), strict=True))

    def counts(self) -> dict[str, int]:
        return {state: self._states[state] for state in STATES}

    def _done(self, task_id: str) -> bool:
        return self.tasks.status_of(task_id) in FINAL  # None: not seen yet, or no status

    async def run(self) -> None:
        clock = self.clock
        start = clock.now()
        deadline = start + self.timeout
        # The IDs waiting for their next look, as groups polled together (a heap by when):
        # no step walks every followed ID (100,000 of them poll 1,000 times a turn).
        # The first look after a turn, or halfway to a deadline that comes sooner.
        due: list[tuple[float, int, list[str]]] = []
        waiting = 0  # IDs in `due`
        groups = itertools.count()

        def later(when: float, ids: list[str]) -> None:
            nonlocal waiting
            if ids:
                heapq.heappush(due, (when, next(groups), ids))
                waiting += len(ids)

        def over() -> bool:
            return self._stopped or clock.now() >= deadline

        later(start + min(self.interval, self.timeout / 2), list(self.ids))
        while due and not over():
            now = clock.now()
            if due[0][0] > now:  # in short steps: a stop is noticed at once
                await clock.sleep(min(due[0][0], deadline, now + 0.25) - now)
                continue
            ready: list[str] = []
            while due and due[0][0] <= now:
                ready.extend(heapq.heappop(due)[2])
            waiting -= len(ready)
            for at in range(0, len(ready), MAX_BATCH):
                chunk = ready[at:at + MAX_BATCH]
                if not await self.pacer.acquire(None, over):
                    later(now, ready[at:])
                    break
                await self._poll(chunk)
                later(clock.now() + self.interval, [i for i in chunk if not self._done(i)])
                if self._stopped:  # what was not polled no longer counts
                    break
        if waiting and not self._stopped:
            self.stop_reason = (f"time is up after {self.timeout:g} s, "
                                f"{waiting:,} still waiting, running or not seen")

    async def _poll(self, chunk: list[str]) -> None:
        self.requests += 1
        try:
            answer = await self.client.query(chunk)
        except TransportFailure as failure:
            self.errors.append(failure.message)
            return
        code = answer.envelope.code
        if code in RUN_STOPPING:
            self.stop(stop_reason(code))
            return
        if code in THROTTLE_CODES:
            self.pacer.pause_until(self.clock.now() + self.interval)
            return
        if code != 0:
            self.errors.append(f"task/query answered {code}")
            return
        wanted = set(chunk)
        seen = [t for t in answer.tasks if t.id in wanted]
        for task in seen:
            self._states[after_of(self.tasks.get(task.id)).state] -= 1
            self._states[after_of(task).state] += 1
            self.tasks[task.id] = task
        self._emit(FollowUpdate(tuple(seen), self.counts()))
