"""Which found tasks to keep: the status names, the `--since`/`--status`/`--fail-code` texts,
the output formats, and `TaskFilter`. Plain data and parsing (the command line checks its
flags with these before anything heavy is imported)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from geelark_tui.api.statuses import RESTARTABLE_STATUSES, TaskStatus

if TYPE_CHECKING:
    from geelark_tui.api.models import Task

# The names of the task statuses, on the command line, in JSON and on screen.
STATE_NAMES: dict[int, str] = {
    TaskStatus.WAITING: "waiting", TaskStatus.IN_PROGRESS: "running",
    TaskStatus.COMPLETED: "completed", TaskStatus.FAILED: "failed",
    TaskStatus.CANCELLED: "cancelled",
}
STATUS_BY_NAME = {name: status for status, name in STATE_NAMES.items()}
UNKNOWN_STATE = "unknown"  # statuses GeeLark does not document (5, 6, 8...)
DEFAULT_STATUSES: frozenset[int] = RESTARTABLE_STATUSES  # failed, cancelled: what restart takes
HISTORY_DAYS = 7  # historyRecords lists the tasks scheduled in the last 7 days
DEFAULT_SINCE = f"{HISTORY_DAYS}d"
TASK_FORMATS = ("ids", "table", "json", "csv")  # `geelark-tui tasks --format`
_UNITS = {"m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"([0-9]{1,6})([mhd])")


def state_name(status: int | None) -> str:
    return STATE_NAMES.get(status, UNKNOWN_STATE) if status is not None else UNKNOWN_STATE


def parse_duration(text: str) -> int:
    """`90m`, `12h`, `2d` in seconds; at most the 7 days the history holds."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(f"{text!r} is not a duration: a number and m, h or d (90m, 12h, 2d)")
    seconds = int(match.group(1)) * _UNITS[match.group(2)]
    if not 0 < seconds <= HISTORY_DAYS * 86400:
        raise ValueError(f"{text!r}: must be more than 0 and at most {DEFAULT_SINCE} "
                         "(the history holds the last 7 days)")
    return seconds


def parse_statuses(text: str) -> frozenset[int] | None:
    """`failed,cancelled` as statuses; `all` is None (no constraint)."""
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if names == ["all"]:
        return None
    unknown = [n for n in names if n not in STATUS_BY_NAME]
    if unknown or not names:
        raise ValueError(f"unknown status {', '.join(unknown) or repr(text)}: use "
                         f"{','.join(STATUS_BY_NAME)} or all")
    return frozenset(STATUS_BY_NAME[n] for n in names)


def parse_fail_codes(text: str) -> frozenset[int]:
    """`20002,29997` as failCodes."""
    parts = [p.strip() for p in re.split(r"[,\s]+", text) if p.strip()]
    bad = [p for p in parts if not p.isascii() or not p.isdigit() or len(p) > 9]
    if bad or not parts:
        raise ValueError(f"{', '.join(bad) or repr(text)} is not a failure code: whole "
                         "numbers separated by commas (20002,29997)")
    return frozenset(int(p) for p in parts)


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """Which tasks to keep. `since`/`until` are Unix seconds compared with `scheduleAt` (a task
    without one is left out when either is set: it cannot be shown to be in range); `plan`
    and `phone` are case-insensitive substrings of planName and serialName."""

    statuses: frozenset[int] | None = DEFAULT_STATUSES  # None: every status
    since: float | None = None
    until: float | None = None
    plan: str = ""
    phone: str = ""
    fail_codes: frozenset[int] = frozenset()  # empty: any
    _plan: str = field(default="", init=False, repr=False, compare=False)
    _phone: str = field(default="", init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_plan", self.plan.strip().casefold())
        object.__setattr__(self, "_phone", self.phone.strip().casefold())

    def matches(self, task: Task) -> bool:
        if self.statuses is not None and task.status not in self.statuses:
            return False
        if self.since is not None or self.until is not None:
            at = task.schedule_at
            if at is None or (self.since is not None and at < self.since) or (
                    self.until is not None and at > self.until):
                return False
        if self._plan and self._plan not in (task.plan_name or "").casefold():
            return False
        if self._phone and self._phone not in (task.serial_name or "").casefold():
            return False
        return not self.fail_codes or task.fail_code in self.fail_codes
