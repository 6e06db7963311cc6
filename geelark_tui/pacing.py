"""Clocks and the request pacer that keeps a run inside GeeLark's rate limits.

GeeLark allows 200 requests a minute (code 40007 above that) and 24,000 an hour (40014, and
the account is locked for two hours). The pacer keeps a sliding window of send times per limit,
so no window of that length ever holds more requests than allowed, whatever the server's own
window alignment is.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class RealClock:
    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeClock:
    """A clock for tests: sleeping advances time instantly."""

    def __init__(self, start: float = 1000.0) -> None:
        self.time = start

    def now(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        self.time += max(seconds, 0.0)
        await asyncio.sleep(0)


# A little slack on top of each window: send and arrival times differ by the network latency.
WINDOW_MARGIN = 1.0


class Pacer:
    """Grants permission to send, never more than `limit` per `window` seconds, for each limit."""

    def __init__(self, clock: Clock, limits: list[tuple[float, int]]) -> None:
        self.clock = clock
        self._limits = [(window + WINDOW_MARGIN, limit) for window, limit in limits if limit > 0]
        self._sent: list[deque[float]] = [deque() for _ in self._limits]
        self._paused_until = 0.0
        self.sent_times: list[float] = []  # every grant, for tests and benchmarks

    @classmethod
    def for_api(cls, per_minute: int, per_hour: int, clock: Clock | None = None) -> Pacer:
        """GeeLark's two windows: `per_minute` in any 60 s and `per_hour` in any hour."""
        return cls(clock or RealClock(), [(60.0, per_minute), (3600.0, per_hour)])

    def pause_until(self, when: float) -> None:
        """The server said stop (40007): nobody sends before `when`."""
        self._paused_until = max(self._paused_until, when)

    def wait_needed(self) -> float:
        now = self.clock.now()
        wait = self._paused_until - now
        for (window, limit), sent in zip(self._limits, self._sent, strict=True):
            while sent and sent[0] <= now - window:
                sent.popleft()
            if len(sent) >= limit:
                wait = max(wait, sent[len(sent) - limit] + window - now)
        return wait

    def time_for(self, count: int) -> float:
        """Seconds from now until ``count`` more requests can all have been sent, by the
        windows alone (no request takes time here): what an estimate of time left must not
        undercut. In a window of `limit` requests, request number m can go one window after
        request m - limit; a request with no predecessor that far back can go now."""
        if count <= 0:
            return 0.0
        now = self.clock.now()
        latest = max(self._paused_until, now)
        for (window, limit), sent in zip(self._limits, self._sent, strict=True):
            while sent and sent[0] <= now - window:
                sent.popleft()
            last, hops = len(sent) + count - 1, 0  # the index of the last request to send
            while last >= len(sent):
                last, hops = last - limit, hops + 1
            earliest = max(now, sent[last] + window if last >= 0 else now)
            latest = max(latest, earliest + (hops - 1) * window)
        return latest - now

    async def acquire(
        self,
        on_wait: Callable[[float, bool], None] | None = None,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> bool:
        """Wait for a free slot and take it. Returns False if `cancelled()` became true first.

        `on_wait(seconds, by_server)` is called before each wait, so a front end can count down.
        """
        while True:
            if cancelled():
                return False
            wait = self.wait_needed()
            if wait <= 0:
                now = self.clock.now()
                for sent in self._sent:
                    sent.append(now)
                self.sent_times.append(now)
                return True
            if on_wait is not None:
                on_wait(wait, self._paused_until > self.clock.now())
            # Sleep in short steps so a user stop is noticed promptly during long waits.
            await self.clock.sleep(min(wait, 0.5))
