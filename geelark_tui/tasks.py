"""Finding tasks in GeeLark's 7-day history (task/historyRecords) without a list of IDs.

`TaskWalk` reads the history page by page (cursor paging: `lastId` is the ID of the previous
page's last item), paced by the session's one `Pacer` so it shares the per-minute budget with
restarts and lookups, and keeps the tasks a `TaskFilter` (`task_filter`) accepts: the API has
no filter by status or time. It ends on an empty page or one shorter than asked for, at the
match limit, when stopped, or when the server makes going on pointless; it never loops on a
cursor that repeats and never passes an unreadable page off as the end: `WalkResult.end` says
how it ended.
Grouping the matches is `task_groups`. Both front ends use this: `geelark-tui tasks` and the
TUI's Find screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from geelark_tui.api.client import FailureKind, GeeLarkClient, TransportFailure
from geelark_tui.api.codes import RUN_STOPPING, describe, stop_reason
from geelark_tui.api.models import QueryResult, Task
from geelark_tui.engine import THROTTLE_CODES
from geelark_tui.events import RateLimitWait
from geelark_tui.limits import MAX_BATCH
from geelark_tui.pacing import Pacer
from geelark_tui.task_filter import TaskFilter


class WalkEnd(StrEnum):
    DONE = "done"  # an empty or short page: the whole history was read
    LIMIT = "limit"  # the match limit was reached
    STOPPED = "stopped"  # stopped by the user
    INCOMPLETE = "incomplete"  # the server made going on pointless: the list may miss tasks
    REFUSED = "refused"  # authentication, configuration or an account-level code: exit 3


@dataclass(frozen=True, slots=True)
class PageRead:
    """One more page read: `found` holds its new matches."""

    pages: int
    seen: int
    matched: int
    found: tuple[Task, ...]


WalkEvent = PageRead | RateLimitWait


@dataclass(slots=True)
class WalkResult:
    tasks: list[Task]  # the matches, each once, in the order the server listed them
    end: WalkEnd
    reason: str = ""  # why it ended early, in words ("" when DONE)
    code: int | None = None  # the API code that ended it, if one did
    pages: int = 0
    seen: int = 0  # distinct tasks read
    requests: int = 0
    total: int | None = None  # how many tasks the history holds, by the latest page

    @property
    def complete(self) -> bool:
        """Every task of the history was looked at (or the limit was reached)."""
        return self.end in (WalkEnd.DONE, WalkEnd.LIMIT)


class TaskWalk:
    """One walk. `await walk.run()` returns the result; `walk.stop()` ends it after the page
    in flight. Resends only what is safe for a read: after 40007 (at the next minute of
    `wall_clock`, as the engine does), 40017 or HTTP 429 (backing off), a transport failure or
    an unreadable page (`attempts` times)."""

    def __init__(
        self,
        client: GeeLarkClient,
        pacer: Pacer,
        task_filter: TaskFilter | None = None,
        *,
        limit: int | None = None,
        page_size: int = MAX_BATCH,
        on_event: Callable[[WalkEvent], None] | None = None,
        wall_clock: Callable[[], float] = time.time,
        attempts: int = 3,
        max_waits: int = 8,
        backoff: float = 2.0,
    ) -> None:
        if not 1 <= page_size <= MAX_BATCH:
            raise ValueError(f"page size must be 1..{MAX_BATCH}, not {page_size}")
        if limit is not None and limit < 1:
            raise ValueError(f"the limit must be at least 1, not {limit}")
        self.client, self.pacer = client, pacer
        self.filter = task_filter or TaskFilter()
        self.limit, self.page_size = limit, page_size
        self._emit = on_event or (lambda event: None)
        self.wall_clock = wall_clock
        self.attempts, self.max_waits, self.backoff = attempts, max_waits, backoff
        self._stop_reason: str | None = None
        self._seen: set[str] = set()
        self.result = WalkResult([], WalkEnd.DONE)

    def stop(self, reason: str = "stopped by the user") -> None:
        if self._stop_reason is None:
            self._stop_reason = reason

    @property
    def stopping(self) -> bool:
        return self._stop_reason is not None

    async def run(self) -> WalkResult:
        result, used = self.result, set[str]()
        cursor: str | None = None
        while (page := await self._page(cursor)) is not None:
            result.pages += 1
            if page.total is not None:  # the latest count: tasks age out of the 7 days
                result.total = page.total
            new = [t for t in page.tasks if t.id not in self._seen]
            self._seen.update(t.id for t in new)
            result.seen = len(self._seen)
            found = [t for t in new if self.filter.matches(t)]
            if self.limit is not None:
                found = found[: self.limit - len(result.tasks)]
            result.tasks.extend(found)
            self._emit(PageRead(result.pages, result.seen, len(result.tasks), tuple(found)))
            if self.limit is not None and len(result.tasks) >= self.limit:
                return self._end(WalkEnd.LIMIT, f"stopped at the limit of {self.limit} tasks")
            if len(page.tasks) < self.page_size:
                if result.total is not None and result.total > result.seen:
                    return self._end(WalkEnd.INCOMPLETE, (
                        f"the server counts {result.total:,} tasks but its pages ended after "
                        f"{result.seen:,} (a short or empty page {result.pages}): the list may "
                        "be incomplete"))
                return self._end(WalkEnd.DONE)
            cursor = page.tasks[-1].id
            if cursor in used:
                return self._end(WalkEnd.INCOMPLETE, (
                    f"the server repeated a page (page {result.pages} ends on the same task "
                    "as an earlier one): stopped so as not to loop; the list may be incomplete"))
            used.add(cursor)
        return result

    def _end(self, end: WalkEnd, reason: str = "", code: int | None = None) -> WalkResult:
        self.result.end, self.result.reason, self.result.code = end, reason, code
        return self.result

    async def _page(self, cursor: str | None) -> QueryResult | None:
        """The next page, or None once the walk has ended (`self.result` says how)."""
        number, failures, waits = self.result.pages + 1, 0, 0
        while True:
            if not await self._acquire():
                self._end(WalkEnd.STOPPED, self._stop_reason or "stopped")
                return None
            self.result.requests += 1
            try:
                page = await self.client.history(self.page_size, cursor)
            except TransportFailure as failure:
                if failure.kind is FailureKind.CONFIG:
                    self._end(WalkEnd.REFUSED, failure.message)
                    return None
                if failure.kind is FailureKind.THROTTLED:
                    waits += 1
                    if await self._throttled(None, waits, number):
                        continue
                    return None
                failures += 1
                if failures < self.attempts:
                    await self._back_off(0.5 * failures, failure.message)
                    continue
                if failure.kind is FailureKind.NOT_SENT:
                    self._end(WalkEnd.REFUSED,
                              f"cannot reach {self.client.host}: {failure.message}")
                else:
                    self._end(WalkEnd.INCOMPLETE,
                              f"page {number} could not be read: {failure.message}")
                return None
            code = page.envelope.code
            if code == 0 and page.complete:
                return page
            if code in RUN_STOPPING:
                self._end(WalkEnd.REFUSED, stop_reason(code), code)
                return None
            if code == 40008:  # retrying the same parameters cannot help
                self._end(WalkEnd.INCOMPLETE, f"page {number} was refused: {stop_reason(code)}; "
                          "the list may be incomplete", code)
                return None
            if code in THROTTLE_CODES:
                waits += 1
                if await self._throttled(code, waits, number):
                    continue
                return None
            failures += 1
            if failures < self.attempts:
                continue
            said = (f"the answer was unreadable ({page.incomplete})" if code == 0
                    else f"the server answered {code} {describe(code).meaning}")
            self._end(WalkEnd.INCOMPLETE, f"page {number}: {said}; the list may be incomplete",
                      code or None)
            return None

    async def _acquire(self) -> bool:
        def on_wait(seconds: float, by_server: bool) -> None:
            reason = "rate limited by the server" if by_server else (
                "pacing to stay under the limit")
            self._emit(RateLimitWait(seconds, by_server, reason))

        return await self.pacer.acquire(on_wait, lambda: self.stopping)

    async def _throttled(self, code: int | None, waits: int, number: int) -> bool:
        """Wait as the server asked; False (the walk ended) when it keeps refusing."""
        said = str(code) if code else "HTTP 429"
        if waits > self.max_waits:
            self._end(WalkEnd.INCOMPLETE, f"page {number}: the server kept answering {said}; "
                      "the list may be incomplete", code)
            return False
        if code == 40007:  # lifted at the next minute of the server's clock
            wait = 60.0 - (self.wall_clock() % 60.0) + 1.0
            self.pacer.pause_until(self.pacer.clock.now() + wait)
            return True
        delay = min(self.backoff * 2 ** (waits - 1), 60.0)
        await self._back_off(delay, f"server busy ({said}), backing off")
        return True

    async def _back_off(self, seconds: float, reason: str) -> None:
        clock = self.pacer.clock
        deadline = clock.now() + seconds
        while not self.stopping and (left := deadline - clock.now()) > 0:
            self._emit(RateLimitWait(left, True, reason))
            await clock.sleep(min(left, 0.5))

