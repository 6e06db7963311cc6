"""Tasks by ID, held as plain tuples the garbage collector does not walk.

A pre-flight of 100,000 IDs keeps a Task for each for as long as its results are open (the
plan, the STATUS column, hints and the detail pane read them). A Task, an object with slots,
is one more object that every full collection walks: 100,000 of them made the one collection
after a run ~40 % longer. A tuple of strings, ints and None is untracked by the collector the
first time it survives a collection, and so costs it nothing; a Task is built when one is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import fields
from operator import attrgetter
from typing import Any

from geelark_tui.api.models import Task

_row_of = attrgetter(*(f.name for f in fields(Task)))  # Task -> its fields as a tuple
_STATUS = 1  # the position of `status` in a row
assert fields(Task)[_STATUS].name == "status"


class PackedTasks(MutableMapping[str, Task]):
    """A dict of Task by ID, storing each as a tuple of its fields."""

    __slots__ = ("_rows",)

    def __init__(self, tasks: Mapping[str, Task] | Iterable[tuple[str, Task]] = ()) -> None:
        self._rows: dict[str, tuple[Any, ...]] = {}
        self.update(tasks)

    def __getitem__(self, task_id: str) -> Task:
        return Task(*self._rows[task_id])

    def __setitem__(self, task_id: str, task: Task) -> None:
        self._rows[task_id] = _row_of(task)

    def __delitem__(self, task_id: str) -> None:
        del self._rows[task_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, task_id: object) -> bool:
        return task_id in self._rows

    def __repr__(self) -> str:
        return f"PackedTasks({len(self._rows):,} tasks)"

    def discard(self, task_id: str) -> None:
        """Hold nothing for `task_id` (`pop` would build the Task it returns)."""
        self._rows.pop(task_id, None)

    def status_of(self, task_id: str) -> int | None:
        """The task's status without building the Task (None: not held, or no status)."""
        row = self._rows.get(task_id)
        return None if row is None else row[_STATUS]

    def copy_from(self, other: PackedTasks, task_id: str) -> bool:
        """Hold what `other` holds for `task_id`, as it is; False when it holds nothing."""
        row = other._rows.get(task_id)
        if row is None:
            return False
        self._rows[task_id] = row
        return True
