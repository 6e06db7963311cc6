"""Task lookups before and after a run: pre-flight (what can be restarted at all) and
re-check (did the restarts take effect). Both use task/query, at most 100 IDs a request,
paced by the same Pacer as the restarts so they share one per-minute budget."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from geelark_tui.api.client import GeeLarkClient, TransportFailure
from geelark_tui.api.models import IdResult, Outcome, Task, TaskStatus
from geelark_tui.engine import THROTTLE_CODES
from geelark_tui.limits import MAX_BATCH
from geelark_tui.pacing import Pacer

# Groups shown in the confirmation, in this order, with the words used for them.
GROUPS: tuple[tuple[str, str], ...] = (
    ("restartable", "can be restarted"),
    ("running", "are still waiting or running"),
    ("completed", "are completed"),
    ("missing", "do not exist"),
    ("odd", "have an undocumented status"),
    ("lookup_failed", "could not be looked up"),
)


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
    """What task/query said about a list of IDs."""

    ids: tuple[str, ...]
    tasks: dict[str, Task] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # IDs whose lookup request failed
    errors: list[str] = field(default_factory=list)
    requests: int = 0

    def status_of(self, task_id: str) -> int | None:
        task = self.tasks.get(task_id)
        return task.status if task else None

    def group(self, task_id: str) -> str:
        return group_of(self.status_of(task_id), task_id in self.tasks, task_id not in self.failed)

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {name: [] for name, _ in GROUPS}
        for task_id in self.ids:
            out[self.group(task_id)].append(task_id)
        return out

    def summary_line(self) -> str:
        words = dict(GROUPS)
        parts = [f"{len(ids)} {words[name]}" for name, ids in self.groups().items() if ids]
        return ", ".join(parts) if parts else "no IDs"

    def to_send(self, include_all: bool = False) -> list[str]:
        """IDs to restart: failed and cancelled ones, and those we could not look up (the
        server decides); everything when `include_all`."""
        if include_all:
            return list(self.ids)
        return [i for i in self.ids if self.group(i) in ("restartable", "lookup_failed")]

    def prior_status(self) -> dict[str, int | None]:
        return {i: t.status for i, t in self.tasks.items()}

    def skipped(self, sent: Sequence[str]) -> list[IdResult]:
        """`skipped` results for every ID not in `sent`, with the reason."""
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
) -> Lookup:
    """Query `ids` in chunks of 100; a chunk that keeps failing is recorded, not raised."""
    unique = tuple(dict.fromkeys(ids))
    result = Lookup(unique)
    chunks = [list(unique[i : i + MAX_BATCH]) for i in range(0, len(unique), MAX_BATCH)]
    queue: asyncio.Queue[list[str]] = asyncio.Queue()
    for chunk in chunks:
        queue.put_nowait(chunk)
    done = 0

    async def one(chunk: list[str]) -> None:
        error = "stopped"
        for _ in range(attempts):
            if not await pacer.acquire(None, cancelled):
                break
            result.requests += 1
            try:
                answer = await client.query(chunk)
            except TransportFailure as failure:
                error = failure.message
                continue
            code = answer.envelope.code
            if code == 0:
                result.tasks.update((t.id, t) for t in answer.tasks if t.id in chunk)
                return
            error = f"task/query answered {code} {answer.envelope.msg}".strip()
            if code in THROTTLE_CODES:
                pacer.pause_until(pacer.clock.now() + 5.0)
                continue
            break
        result.failed.update(chunk)
        result.errors.append(error)

    async def worker() -> None:
        nonlocal done
        while not queue.empty():
            chunk = queue.get_nowait()
            await one(chunk)
            done += len(chunk)
            if on_progress is not None:
                on_progress(done, len(unique))

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(chunks))))))
    return result


def recheck_results(results: Sequence[IdResult], found: Lookup) -> list[IdResult]:
    """The same results with each looked-up task's current status filled in."""
    return [
        replace(r, status=found.status_of(r.id)) if r.id in found.ids and r.id not in found.failed
        else r
        for r in results
    ]
