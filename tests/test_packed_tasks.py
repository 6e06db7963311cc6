"""PackedTasks: a dict of Task by ID whose entries the garbage collector does not walk."""

from __future__ import annotations

import gc
import sys

import pytest

from geelark_tui.api.models import Task
from geelark_tui.packed_tasks import PackedTasks
from geelark_tui.preflight import Lookup

FULL = Task("574376043897425800", 4, plan_name="Warm up", task_type=1, serial_name="phone 7",
            env_id="e1", schedule_at=1764400000, fail_code=-1, fail_desc="proxy failed", cost=30,
            share_link=None)


def test_it_reads_back_every_field_as_a_dict_would() -> None:
    tasks = PackedTasks({FULL.id: FULL})
    tasks["574376043897425801"] = Task("574376043897425801", None)
    assert tasks[FULL.id] == FULL
    assert tasks.get("574376043897425801") == Task("574376043897425801", None)
    assert tasks.get("999999") is None
    assert FULL.id in tasks and "999999" not in tasks and len(tasks) == 2
    assert list(tasks) == [FULL.id, "574376043897425801"]
    assert tasks.status_of(FULL.id) == 4
    assert tasks.status_of("574376043897425801") is None
    assert tasks.status_of("999999") is None
    tasks.discard("999999")
    del tasks[FULL.id]
    assert dict(tasks.items()) == {"574376043897425801": Task("574376043897425801", None)}
    copy = PackedTasks()
    copy[FULL.id] = FULL
    assert copy.take_from(tasks, ["574376043897425801", FULL.id]) == [FULL.id]  # not held
    assert FULL.id not in copy  # its word is taken: nothing held for it now
    assert copy.take_from(tasks, iter(["574376043897425801"])) == []
    assert copy.take_from(tasks, [FULL.id, FULL.id]) == [FULL.id, FULL.id]  # listed twice
    assert copy == tasks


def test_what_it_holds_costs_a_full_collection_nothing() -> None:
    """Held as Task objects, 10,000 looked-up tasks are 10,000 more objects every collection
    walks; held here, after one collection none of them is (nor is the table)."""
    plain = {f"{n:018d}": Task(f"{n:018d}", 4, plan_name="p", fail_desc="x") for n in range(10_000)}
    packed = PackedTasks(plain)
    gc.collect()
    assert sum(gc.is_tracked(t) for t in plain.values()) == 10_000
    assert not any(gc.is_tracked(row) for row in packed._rows.values())
    if sys.version_info < (3, 14):  # 3.14 no longer untracks dicts; their rows still are
        assert not gc.is_tracked(packed._rows)


def test_a_lookup_keeps_its_tasks_packed() -> None:
    found = Lookup(("1", "2"), tasks=PackedTasks({"1": Task("1", 4)}))
    assert found.status_of("1") == 4 and found.status_of("2") is None
    assert found.group("1") != found.group("2")


def test_columns_reads_fields_of_each_id_and_none_where_nothing_is_held() -> None:
    tasks = PackedTasks({FULL.id: FULL})
    tasks["574376043897425801"] = Task("574376043897425801", 2)
    ids = [FULL.id, "999999", "574376043897425801", FULL.id]
    assert list(tasks.columns(ids, "status", "fail_code", "fail_desc")) == [
        (4, -1, "proxy failed"), (None, None, None), (2, None, None), (4, -1, "proxy failed")]
    assert list(tasks.columns(ids[:1], "fail_desc", "id")) == [("proxy failed", FULL.id)]
    with pytest.raises(ValueError, match="two or more"):
        tasks.columns(ids, "status")
