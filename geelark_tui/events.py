"""Typed events a RunSession (and its RestartRun) emits. The TUI folds them into its progress
view, the headless command into stderr lines. Never imports textual."""

from __future__ import annotations

from dataclasses import dataclass, field

from geelark_tui.api.models import IdResult, Outcome, Task
from geelark_tui.runreport import RunReport


@dataclass(frozen=True, slots=True)
class LookupProgress:
    """The pre-flight has looked up `done` of `total` IDs."""

    done: int
    total: int


@dataclass(frozen=True, slots=True)
class RunStarted:
    total_ids: int
    total_batches: int
    batch_size: int


@dataclass(frozen=True, slots=True)
class BatchStarted:
    batch: int  # 1-based
    size: int
    attempt: int  # 1 for the first send, higher for resends after a throttle


@dataclass(frozen=True, slots=True)
class BatchFinished:
    batch: int
    size: int
    code: int | None
    counts: dict[Outcome, int] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, slots=True)
class RateLimitWait:
    """Waiting before the next send. `by_server` is True when the server asked for it."""

    seconds: float
    by_server: bool
    reason: str


@dataclass(frozen=True, slots=True)
class Verifying:
    batch: int
    size: int
    reason: str


@dataclass(frozen=True, slots=True)
class OutcomesReported:
    """Final outcomes for some IDs (one batch's worth, usually)."""

    results: tuple[IdResult, ...]


@dataclass(frozen=True, slots=True)
class RunStopping:
    reason: str
    code: int | None


@dataclass(frozen=True, slots=True)
class RunFinished:
    report: RunReport


@dataclass(frozen=True, slots=True)
class CancelsDone:
    """The waiting and running tasks were cancelled (`done` of `total`) before the restart."""

    done: int
    total: int


@dataclass(frozen=True, slots=True)
class FollowUpdate:
    """A poll of the restarted tasks: the latest facts it got, and the states of them all
    (completed, failed, cancelled, active, unknown)."""

    tasks: tuple[Task, ...]
    counts: dict[str, int]


Event = (
    LookupProgress
    | CancelsDone
    | FollowUpdate
    | RunStarted
    | BatchStarted
    | BatchFinished
    | RateLimitWait
    | Verifying
    | OutcomesReported
    | RunStopping
    | RunFinished
)
