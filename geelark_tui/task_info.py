"""What the results screen knows about each ID's task: from the pre-flight, a re-check or an
on-demand lookup, and how that reads in the detail pane. Plain data, no widgets.

Every field but `id` and `status` is optional in task/query; a missing one shows as "—", an
undocumented status or task type in words ("undocumented status 6", "type 99").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from geelark_tui.api.codes import fail_code_meaning, task_type_name
from geelark_tui.api.models import Task, TaskStatus
from geelark_tui.packed_tasks import PackedTasks

if TYPE_CHECKING:
    from geelark_tui.preflight import Lookup

State = Literal["found", "missing", "looking", "failed", "unknown"]
BEFORE_THE_RUN = "before the run"  # the source of what the pre-flight found
NONE = "—"


@dataclass(frozen=True, slots=True)
class TaskInfo:
    state: State
    task: Task | None = None
    source: str = ""  # BEFORE_THE_RUN, "re-checked", "looked up"
    error: str = ""


class TaskStore:
    """Tasks by ID, the IDs known not to exist, lookups in flight and failed lookups."""

    @classmethod
    def before_run(cls, found: Lookup | None) -> TaskStore:
        """What the pre-flight found (if there was one)."""
        store = cls()
        if found is not None:
            store.absorb(found, BEFORE_THE_RUN)
        return store

    def __init__(self) -> None:
        self.tasks = PackedTasks()  # 100,000 looked-up tasks: nothing for the collector
        self.missing: set[str] = set()
        self.looking: set[str] = set()
        self.errors: dict[str, str] = {}
        self.source: dict[str, str] = {}

    def known(self, task_id: str) -> bool:
        return task_id in self.tasks or task_id in self.missing

    def absorb(self, found: Lookup, source: str) -> None:
        """Take in what a lookup said; a failed lookup never hides what was known before."""
        # In bulk, not ID by ID: this runs in a thread while a run goes on, and a thread's
        # every bytecode is time the event loop waits for the GIL.
        error = found.errors[-1] if found.errors else "no answer"
        failed = found.failed
        self.looking.difference_update(found.ids)
        answered: Sequence[str] = found.ids
        unanswered: list[str] = []
        if failed:
            answered = [i for i in found.ids if i not in failed]
            unanswered = [i for i in found.ids if i in failed]
        if self.errors:
            for task_id in answered:
                self.errors.pop(task_id, None)
        for task_id in unanswered:
            if not self.known(task_id):
                self.errors[task_id] = error
        self.source.update(dict.fromkeys(answered, source))
        if not self.tasks and not failed:
            # The store holds no task yet and every ID was answered (the pre-flight's lookup,
            # as a run starts): a lookup holds tasks only for its own IDs, so its rows are
            # the store's, copied in one go.
            self.tasks = found.tasks.copy()
            absent = [] if len(self.tasks) == len(answered) else self.tasks.not_held(answered)
        else:
            absent = self.tasks.take_from(found.tasks, answered)
        self.missing.difference_update(answered)
        self.missing.update(absent)

    def info(self, task_id: str) -> TaskInfo:
        source = self.source.get(task_id, "")
        if task_id in self.tasks:
            return TaskInfo("found", self.tasks[task_id], source)
        if task_id in self.missing:
            return TaskInfo("missing", source=source)
        if task_id in self.looking:
            return TaskInfo("looking")
        if task_id in self.errors:
            return TaskInfo("failed", error=self.errors[task_id])
        return TaskInfo("unknown")


def local_time(timestamp: int | None) -> str:
    """Unix seconds as local date and time, e.g. ``2025-12-28 14:03 UTC``."""
    if not timestamp:
        return NONE
    try:
        return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    except (OverflowError, OSError, ValueError):
        return f"{timestamp} (not a valid time)"


def _text(value: str | None) -> str:
    return value.strip() if value and value.strip() else NONE


def failure_text(task: Task) -> str:
    """The task's own failure: ``20105 execution failure 20105: TikTok account is logged
    out``; "none recorded" when it has none."""
    desc = (task.fail_desc or "").strip()
    if not task.fail_code:
        return f"none recorded: {desc}" if desc else "none recorded"
    meaning = fail_code_meaning(task.fail_code)
    text = f"{task.fail_code} {meaning}"
    return f"{text}: {desc}" if desc and desc.casefold() != meaning.casefold() else text


def task_lines(info: TaskInfo) -> list[tuple[str, str]]:
    """(label, value) lines for the detail pane, three of them."""
    task = info.task
    if task is None:
        what = {
            "missing": "not found: a typo, another account, or older than retention",
            "looking": "looking it up…",
            "failed": f"lookup failed: {info.error}",
            "unknown": "not looked up yet",
        }[info.state]
        return [("Task", what), ("Status", NONE if info.state != "missing" else "not found"),
                ("Failure", NONE)]
    status = TaskStatus.label(task.status) if task.status is not None else NONE
    if info.source:
        status += f" ({info.source})"
    status += f" · scheduled {local_time(task.schedule_at)}"
    if task.cost:
        status += f" · ran {task.cost} s"
    return [
        ("Task", f"{task_type_name(task.task_type)} · phone {_text(task.serial_name)} · "
                 f"plan {_text(task.plan_name)}"),
        ("Status", status),
        ("Failure", failure_text(task)),
    ]


def status_counts(statuses: Iterable[int | None]) -> str:
    """``12 waiting, 3 in progress, 1 failed`` in status order; "not found" for None."""
    counts = Counter(statuses)
    order = sorted(counts, key=lambda s: (s is None, s if s is not None else 0))
    return ", ".join(f"{counts[s]} {TaskStatus.label(s)}" for s in order)
