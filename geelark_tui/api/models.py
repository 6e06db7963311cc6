"""Plain data passed between the client, the engine and the front ends. Never imports textual."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from geelark_tui.api.statuses import ACTIVE_STATUSES as ACTIVE_STATUSES
from geelark_tui.api.statuses import RESTARTABLE_STATUSES as RESTARTABLE_STATUSES
from geelark_tui.api.statuses import RUNNING_STATUSES as RUNNING_STATUSES
from geelark_tui.api.statuses import Outcome as Outcome
from geelark_tui.api.statuses import TaskStatus as TaskStatus


@dataclass(frozen=True, slots=True)
class Envelope:
    """GeeLark's response envelope `{"traceId", "code", "msg", "data"}` as it arrived."""

    code: int | None
    msg: str
    trace_id: str
    data: Any
    http_status: int


@dataclass(frozen=True, slots=True)
class FailDetail:
    id: str
    code: int | None
    msg: str


@dataclass(frozen=True, slots=True)
class BatchResult:
    """A restart (or cancel) answer: the envelope plus its parsed `data`."""

    envelope: Envelope
    total: int | None = None
    success: int | None = None
    fail: int | None = None
    fail_details: tuple[FailDetail, ...] = ()
    # Entries of failDetails that could not be read, or named IDs not in the request.
    malformed: tuple[str, ...] = ()

    @property
    def code(self) -> int | None:
        return self.envelope.code

    def split(self, sent: Sequence[str]) -> tuple[dict[str, FailDetail], list[str], bool]:
        """The tasks it refused (by ID), the rest of `sent`, and whether the answer's counts
        add up: only then does "not refused" mean "done"."""
        refused = {d.id: d for d in self.fail_details}
        rest = [i for i in sent if i not in refused]
        expected_fail = self.fail if self.fail is not None else len(refused)
        consistent = (
            not self.malformed
            and expected_fail == len(refused)
            and (self.total is None or self.total == len(sent))
            and (self.success is None or self.success + expected_fail == (self.total or len(sent)))
        )
        if self.code == 40006 and (self.total is None or self.success is None):
            consistent = False
        if self.code == 40009 and rest:
            consistent = False
        return refused, rest, consistent


@dataclass(frozen=True, slots=True)
class Task:
    """One item of task/query. Every field but `id` and `status` is optional."""

    id: str
    status: int | None
    plan_name: str | None = None
    task_type: int | None = None
    serial_name: str | None = None
    env_id: str | None = None
    schedule_at: int | None = None
    fail_code: int | None = None
    fail_desc: str | None = None
    cost: int | None = None
    share_link: str | None = None


@dataclass(frozen=True, slots=True)
class QueryResult:
    """A task/query answer (or a historyRecords page). `incomplete` says why it cannot be
    trusted to list every task asked for (no `items`, fewer readable items than its `total`);
    then an ID it does not list was not looked up, and is not proven missing."""

    envelope: Envelope
    tasks: tuple[Task, ...] = ()
    malformed: tuple[str, ...] = field(default=())
    incomplete: str = ""
    total: int | None = None  # the answer's `total` (historyRecords: every task of the 7 days)

    @property
    def complete(self) -> bool:
        return not self.incomplete


@dataclass(frozen=True, slots=True)
class IdResult:
    """The single outcome of one ID in a run. `status` is the task's status from a pre-flight
    or re-check lookup, when there was one."""

    id: str
    outcome: Outcome
    code: int | None
    message: str
    status: int | None = None
