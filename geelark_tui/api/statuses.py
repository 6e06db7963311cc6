"""What a task's status and an ID's outcome can be: enums alone, no dataclasses, for the
modules that need nothing else of `api.models` (a screen's words and symbols, on the way to
the first screen: `api.models` builds six dataclasses as it loads: 7-10 ms). `api.models`
re-exports them. Never imports textual."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Outcome(StrEnum):
    RESTARTED = "restarted"
    REJECTED = "rejected"
    NOT_SENT = "not_sent"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"  # pre-flight showed it cannot be restarted now; not sent on purpose


class TaskStatus(IntEnum):
    WAITING = 1
    IN_PROGRESS = 2
    COMPLETED = 3
    FAILED = 4
    CANCELLED = 7

    @classmethod
    def label(cls, value: int | None) -> str:
        if value is None:
            return "not found"
        try:
            return cls(value).name.lower().replace("_", " ")
        except ValueError:
            return f"undocumented status {value}"


RESTARTABLE_STATUSES = frozenset({TaskStatus.FAILED, TaskStatus.CANCELLED})
ACTIVE_STATUSES = frozenset({TaskStatus.WAITING, TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED})
RUNNING_STATUSES = frozenset({TaskStatus.WAITING, TaskStatus.IN_PROGRESS})  # cancel takes these
