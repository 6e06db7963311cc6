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
from itertools import filterfalse, repeat
from operator import attrgetter, itemgetter
from typing import Any

from geelark_tui.api.models import Task

_row_of = attrgetter(*(f.name for f in fields(Task)))  # Task -> its fields as a tuple
_INDEX = {f.name: n for n, f in enumerate(fields(Task))}  # a field's position in a row
_NO_ROW = (None,) * len(_INDEX)
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

    def copy(self) -> PackedTasks:
        """A new PackedTasks holding the same rows (immutable, so shared): one C copy."""
        new = PackedTasks()
        new._rows = self._rows.copy()
        return new

    def not_held(self, task_ids: Iterable[str]) -> list[str]:
        """Those of `task_ids` it holds no task for, in order (a C loop)."""
        return list(filterfalse(self._rows.__contains__, task_ids))

    def discard(self, task_id: str) -> None:
        """Hold nothing for `task_id` (`pop` would build the Task it returns)."""
        self._rows.pop(task_id, None)

    def status_of(self, task_id: str) -> int | None:
        """The task's status without building the Task (None: not held, or no status)."""
        row = self._rows.get(task_id)
        return None if row is None else row[_STATUS]

    def columns(self, task_ids: Iterable[str], *names: str) -> Iterator[tuple[Any, ...]]:
        """For each of `task_ids`, its task's fields `names` (two or more) as a tuple, all
        None where no task is held (C loops: no Task is built)."""
        if len(names) < 2:
            raise ValueError("columns() takes two or more field names")
        pick = itemgetter(*(_INDEX[name] for name in names))
        return map(pick, map(self._rows.get, task_ids, repeat(_NO_ROW)))

    def statuses(self) -> dict[str, int | None]:
        """Each held task's status, by ID (a new dict)."""
        return {task_id: row[_STATUS] for task_id, row in self._rows.items()}

    def take_from(self, other: PackedTasks, task_ids: Iterable[str]) -> list[str]:
        """Take `other`'s word for `task_ids`: hold what it holds for each, as it is, and
        nothing where it holds nothing; returns those IDs. (100,000 IDs in a few ms: the
        rows are read and stored by C loops, not a call per ID.)"""
        ids = task_ids if isinstance(task_ids, (list, tuple)) else list(task_ids)
        rows: list[Any] = list(map(other._rows.get, ids))  # None: not held there
        self._rows.update(zip(ids, rows, strict=True))
        absent = [i for i, row in zip(ids, rows, strict=True) if row is None]
        for task_id in absent:
            self._rows.pop(task_id, None)  # an ID listed twice is absent twice
        return absent
