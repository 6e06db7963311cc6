"""How a followed task ended: the contract's `after` object (completed, failed, cancelled,
still active, or unknown), read from the latest task/query fact. Plain data: the follow
stage (`follow.py`) makes it, the reports and the app show it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from geelark_tui.api.models import RUNNING_STATUSES, Task, TaskStatus

STATES = ("completed", "failed", "cancelled", "active", "unknown")
FINAL = {TaskStatus.COMPLETED: "completed", TaskStatus.FAILED: "failed",
         TaskStatus.CANCELLED: "cancelled"}


@dataclass(frozen=True, slots=True)
class After:
    """A followed task's state at the end: the contract's `after` object."""

    state: str  # one of STATES
    status: int | None = None
    fail_code: int | None = None
    fail_desc: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"state": self.state, "status": self.status, "fail_code": self.fail_code,
                "fail_desc": self.fail_desc}


def after_of(task: Task | None) -> After:
    if task is None:
        return after_for(None, None, None)
    return after_for(task.status, task.fail_code, task.fail_desc)


@lru_cache(maxsize=4096)
def after_for(status: int | None, fail_code: int | None, fail_desc: str | None) -> After:
    """The After of a task with these facts (cached: reading 100,000 is a hit each)."""
    state = FINAL.get(TaskStatus(status)) if status in FINAL else None
    if state is None:
        state = "active" if status in RUNNING_STATUSES else "unknown"
    failed = state == "failed"
    return _shared(state, status, fail_code if failed else None, fail_desc if failed else None)


@lru_cache(maxsize=4096)
def _shared(state: str, status: int | None, fail_code: int | None,
            fail_desc: str | None) -> After:
    """One After for each distinct value (they are immutable): following 100,000 tasks makes
    a handful, not 100,000 more objects for every full garbage collection to walk."""
    return After(state, status, fail_code, fail_desc)


def count_states(afters: Iterable[After]) -> dict[str, int]:
    counts = dict.fromkeys(STATES, 0)
    for after in afters:
        counts[after.state] += 1
    return counts
