"""Task lookups before and after a run: pre-flight (what can be restarted at all) and
re-check (did the restarts take effect). Both use task/query, at most 100 IDs a request,
paced by the same Pacer as the restarts so they share one per-minute budget."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from geelark_tui.api.client import GeeLarkClient, TransportFailure
from geelark_tui.api.codes import RUN_STOPPING, stop_reason
from geelark_tui.api.models import IdResult, Outcome, Task, TaskStatus
from geelark_tui.engine import THROTTLE_CODES, count_requests
from geelark_tui.limits import MAX_BATCH
from geelark_tui.pacing import Pacer
from geelark_tui.packed_tasks import PackedTasks

# The groups a pre-flight sorts IDs into, in the order they are shown, with their words
# (one, several): the headless summary and the TUI confirmation both say them this way.
GROUPS: dict[str, tuple[str, str]] = {
    "restartable": ("can be restarted", "can be restarted"),
    "running": ("is still waiting or running", "are still waiting or running"),
    "completed": ("is completed", "are completed"),
    "missing": ("does not exist", "do not exist"),
    "odd": ("has an undocumented status", "have an undocumented status"),
    "lookup_failed": ("could not be looked up", "could not be looked up"),
}


SENT_GROUPS = frozenset({"restartable", "lookup_failed"})  # what a default run restarts
# What a finished lookup works out once (`Lookup._sort`): the state it was worked out in, the
# IDs of each group, the IDs to send, and each found task's status.
_Sorted = tuple[tuple[int, int, "int | None"], dict[str, list[str]], tuple[str, ...],
                dict[str, "int | None"]]


def group_of(status: int | None, found: bool, looked_up: bool) -> str:
    if not looked_up:
        return "lookup_failed"
    if not found:
        return "missing"
    if status in (TaskStatus.FAILED, TaskStatus.CANCELLED):
        return "restartable"
    if status in (TaskStatus.WAITING, TaskStatus.IN_PROGRESS):
        return "running"
    if status == TaskStatus.COMPLETED:
        return "completed"
    return "odd"


@dataclass(slots=True)
class Lookup:
    """What task/query said about a list of IDs. An account-level answer (`RUN_STOPPING`, e.g.
    40003 or 40014) stops the lookup as it stops a run: `stop_code` and `stop_reason` say so,
    and then nothing may be restarted."""

    ids: tuple[str, ...]
    tasks: PackedTasks = field(default_factory=PackedTasks)  # only ever for IDs of `ids`
    failed: set[str] = field(default_factory=set)  # IDs whose lookup request failed
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    stop_code: int | None = None
    stop_reason: str | None = None
    # groups() and to_send() by the state they were sorted in: a lookup only grows, and once
    # it is over they are asked for again and again (100,000 IDs take ~0.1 s each time).
    _sorted: _Sorted | None = field(default=None, repr=False, compare=False)

    @property
    def stopped(self) -> bool:
        return self.stop_code is not None

    def stop(self, code: int) -> None:
        if self.stop_code is None:
            self.stop_code, self.stop_reason = code, stop_reason(code)

    def status_of(self, task_id: str) -> int | None:
        return self.tasks.status_of(task_id)

    def group(self, task_id: str) -> str:
        return group_of(self.status_of(task_id), task_id in self.tasks, task_id not in self.failed)

    def groups(self) -> dict[str, list[str]]:
        """The IDs of each group, in input order (shared: do not change them)."""
        return self._sort()[1]

    def _sort(self) -> _Sorted:
        state = (len(self.tasks), len(self.failed), self.stop_code)
        if self._sorted is None or self._sorted[0] != state:
            # `group` for each ID, without a call per ID (100,000 of them, in a thread that
            # shares the GIL with the app's loop): the group of a found task by its status.
            out: dict[str, list[str]] = {name: [] for name in GROUPS}
            send: list[str] = []
            prior = self.tasks.statuses()
            failed, missing = self.failed, group_of(None, False, True)
            by_status = {status: group_of(status, True, True) for status in set(prior.values())}
            for task_id in self.ids:
                if task_id in failed:
                    group = "lookup_failed"
                else:
                    group = by_status[prior[task_id]] if task_id in prior else missing
                out[group].append(task_id)
                if group in SENT_GROUPS:
                    send.append(task_id)
            self._sorted = (state, out, tuple(send), prior)
        return self._sorted

    def groups_line(self) -> str:
        """"312 can be restarted, 40 are still waiting or running, 8 do not exist"."""
        parts = [f"{len(ids):,} {GROUPS[name][len(ids) != 1]}"
                 for name, ids in self.groups().items() if ids]
        return ", ".join(parts) if parts else "no IDs"

    def summary_line(self) -> str:
        stopped = f"; stopped: {self.stop_reason}" if self.stopped else ""
        return self.groups_line() + stopped

    def to_send(self, include_all: bool = False) -> list[str]:
        """IDs to restart: failed and cancelled ones, and those we could not look up (the
        server decides); everything when `include_all`. Nothing after an account-level stop."""
        if self.stopped:
            return []
        if include_all:
            return list(self.ids)
        return list(self._sort()[2])

    def prior_status(self) -> dict[str, int | None]:
        """Each found task's status (shared: do not change it)."""
        return self._sort()[3]

    def not_sent(self) -> list[IdResult]:
        """After an account-level stop: every ID `not_sent`, with the code and the reason."""
        message = f"not sent: the pre-flight stopped: {self.stop_reason}"
        return [IdResult(i, Outcome.NOT_SENT, self.stop_code, message, status=self.status_of(i))
                for i in self.ids]

    def skipped(self, sent: Sequence[str]) -> list[IdResult]:
        """`skipped` results for every ID not in `sent`, with the reason; after an
        account-level stop (nothing is sent then), `not_sent` with its code instead."""
        if self.stopped:
            return self.not_sent()
        chosen = set(sent)
        return [
            IdResult(i, Outcome.SKIPPED, None, _skip_reason(self.group(i), self.status_of(i)),
                     status=self.status_of(i))
            for i in self.ids if i not in chosen
        ]


def _skip_reason(group: str, status: int | None) -> str:
    if group == "missing":
        return "skipped: task not found (typo, another account, or older than retention)"
    if status is None:
        return "skipped: the lookup gave no status for this task; include it on purpose to send"
    return f"skipped: task is {TaskStatus.label(status)}; only failed or cancelled can restart"


async def lookup(
    client: GeeLarkClient,
    ids: Sequence[str],
    pacer: Pacer,
    *,
    concurrency: int = 2,
    on_progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    attempts: int = 3,
    details: bool = True,
) -> Lookup:
    """Query `ids` in chunks of 100; a chunk that keeps failing is recorded, not raised. The
    first account-level answer stops every worker: no further lookup is sent. Without
    `details` only each task's status is kept (the headless command shows nothing else;
    100,000 tasks in full are ~30 MiB)."""
    unique = tuple(dict.fromkeys(ids))
    result = Lookup(unique)
    starts = iter(range(0, len(unique), MAX_BATCH))  # a chunk is cut when a worker takes it
    done = 0

    def give_up() -> bool:
        return result.stopped or cancelled()

    async def one(chunk: list[str]) -> None:
        error = "stopped"
        for _ in range(attempts):
            if not await pacer.acquire(None, give_up) or result.stopped:
                break
            result.requests += 1
            try:
                answer = await client.query(chunk)
            except TransportFailure as failure:
                error = failure.message
                continue
            code = answer.envelope.code
            if code == 0:
                listed = {t.id: t for t in answer.tasks}
                result.tasks.update((i, listed[i] if details else Task(i, listed[i].status))
                                    for i in chunk if i in listed)
                if answer.complete:
                    return
                # What it listed is true; of the rest it proves nothing (not "missing").
                chunk = [i for i in chunk if i not in result.tasks]
                error = f"task/query answered incompletely: {answer.incomplete}"
                break
            error = f"task/query answered {code} {answer.envelope.msg}".strip()
            if code in RUN_STOPPING:
                result.stop(code)
                break
            if code in THROTTLE_CODES:
                pacer.pause_until(pacer.clock.now() + 5.0)
                continue
            break
        result.failed.update(chunk)
        result.errors.append(error)

    async def worker() -> None:
        nonlocal done
        while not result.stopped:
            start = next(starts, None)
            if start is None:
                return
            chunk = list(unique[start : start + MAX_BATCH])
            await one(chunk)
            done += len(chunk)
            if on_progress is not None:
                on_progress(done, len(unique))

    chunks = count_requests(len(unique), MAX_BATCH)
    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, chunks)))))
    for start in starts:  # left unsent by an account-level stop
        result.failed.update(unique[start : start + MAX_BATCH])
    await asyncio.to_thread(result.groups)  # sorted once, off the event loop
    return result
