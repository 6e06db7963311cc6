"""Grouping found tasks (see `tasks`): by failure reason (failCode + failDesc), plan, phone or
status, with counts. `Grouping` grows page by page, so a front end never regroups the whole
list at once; each group keeps its tasks in the order they were found."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from geelark_tui.api.codes import fail_code_meaning
from geelark_tui.api.models import Task, TaskStatus
from geelark_tui.task_filter import state_name


class GroupBy(StrEnum):
    REASON = "reason"
    PLAN = "plan"
    PHONE = "phone"
    STATUS = "status"

    def next(self) -> GroupBy:
        order = list(GroupBy)
        return order[(order.index(self) + 1) % len(order)]


GROUP_TITLES = {GroupBy.REASON: "failure reason", GroupBy.PLAN: "plan",
                GroupBy.PHONE: "phone", GroupBy.STATUS: "status"}


def reason_of(task: Task) -> str:
    """The failure reason: the failCode with its description ("29997 insufficient balance")."""
    if task.fail_code:
        return f"{task.fail_code} {task.fail_desc or fail_code_meaning(task.fail_code)}"
    return "cancelled" if task.status == TaskStatus.CANCELLED else "no failure code"


def group_key(task: Task, by: GroupBy) -> str:
    if by is GroupBy.REASON:
        return reason_of(task)
    if by is GroupBy.PLAN:
        return task.plan_name or "(no plan name)"
    if by is GroupBy.PHONE:
        return task.serial_name or "(no phone name)"
    return state_name(task.status)


@dataclass(slots=True)
class TaskGroup:
    key: str
    tasks: list[Task] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.tasks]


class Grouping:
    """Tasks grouped one way; the biggest group first (ties by name)."""

    def __init__(self, by: GroupBy, tasks: Iterable[Task] = ()) -> None:
        self.by = by
        self._groups: dict[str, TaskGroup] = {}
        self._sorted: list[TaskGroup] | None = None
        self.count = 0
        self.add(tasks)

    def add(self, tasks: Iterable[Task]) -> None:
        groups, by = self._groups, self.by
        for task in tasks:
            key = group_key(task, by)
            group = groups.get(key)
            if group is None:
                group = groups[key] = TaskGroup(key)
            group.tasks.append(task)
            self.count += 1
            self._sorted = None

    @property
    def groups(self) -> list[TaskGroup]:
        if self._sorted is None:
            self._sorted = sorted(self._groups.values(), key=lambda g: (-len(g.tasks), g.key))
        return self._sorted

    def counts(self) -> dict[str, int]:
        return {g.key: len(g.tasks) for g in self.groups}


def group_tasks(tasks: Iterable[Task], by: GroupBy) -> list[TaskGroup]:
    return Grouping(by, tasks).groups
