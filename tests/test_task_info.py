"""The task catalogue (codes.py) and the detail pane's words (task_info.py), without an app."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from geelark_tui.api.codes import fail_code_meaning, task_type_name
from geelark_tui.api.models import Task
from geelark_tui.packed_tasks import PackedTasks
from geelark_tui.preflight import Lookup
from geelark_tui.task_info import TaskStore, failure_text, local_time, status_counts, task_lines


@pytest.mark.parametrize(("value", "name"), [
    (1, "TikTok video"), (2, "TikTok warm-up"), (3, "TikTok image set"), (4, "TikTok login"),
    (6, "TikTok profile edit"), (42, "custom"), (5, "type 5"), (99, "type 99"), (None, "—"),
])
def test_task_type_names(value: int | None, name: str) -> None:
    assert task_type_name(value) == name


@pytest.mark.parametrize(("code", "meaning"), [
    (29997, "insufficient balance"), (29998, "cloud phone deleted"), (29999, "unknown"),
    (20002, "execution failure 20002"), (21001, "execution failure 21001"),
    (29992, "execution failure 29992"), (12345, "execution failure 12345"),
    (0, "no failure recorded"), (None, "no failure recorded"),
])
def test_fail_code_meanings(code: int | None, meaning: str) -> None:
    assert fail_code_meaning(code) == meaning


@pytest.fixture
def tokyo() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    yield
    os.environ["TZ"] = old or "UTC"
    time.tzset()


def test_scheduled_time_is_local(tokyo: None) -> None:
    assert local_time(1767225600) == "2026-01-01 09:00 JST"  # 00:00 UTC


def test_scheduled_time_missing_or_absurd() -> None:
    assert local_time(1767225600) == "2026-01-01 00:00 UTC"
    assert local_time(None) == local_time(0) == "—"
    assert local_time(10**20).endswith("(not a valid time)")


def test_failure_text() -> None:
    assert failure_text(Task("1", 4, fail_code=29997, fail_desc="insufficient balance")) == \
        "29997 insufficient balance"
    assert failure_text(Task("1", 4, fail_code=20105, fail_desc="logged out")) == \
        "20105 execution failure 20105: logged out"
    assert failure_text(Task("1", 3)) == "none recorded"


def test_store_keeps_what_it_knew_when_a_lookup_fails() -> None:
    store = TaskStore()
    store.absorb(Lookup(("1", "2"), tasks=PackedTasks({"1": Task("1", 4)})), "before the run")
    assert store.info("1").state == "found" and store.info("2").state == "missing"
    store.absorb(Lookup(("1", "3"), failed={"1", "3"}, errors=["cannot reach"]), "re-checked")
    assert store.info("1").task == Task("1", 4)
    assert store.info("1").source == "before the run"
    assert store.info("3").state == "failed" and store.info("3").error == "cannot reach"
    assert task_lines(store.info("3"))[0] == ("Task", "lookup failed: cannot reach")
    store.absorb(Lookup(("3",), tasks=PackedTasks({"3": Task("3", 1)})), "looked up")
    assert store.info("3").state == "found" and "3" not in store.errors


def test_a_first_lookup_is_taken_in_whole_as_a_later_one_is_id_by_id() -> None:
    """The pre-flight's lookup into an empty store (its rows copied at once) and the same
    lookup into a store that knew something (taken ID by ID) leave the same facts."""
    tasks = PackedTasks({"1": Task("1", 4), "3": Task("3", 7, fail_desc="x")})
    found = Lookup(("1", "2", "3"), tasks=tasks)
    first = TaskStore.before_run(found)
    later = TaskStore()
    later.absorb(Lookup(("9",), tasks=PackedTasks({"9": Task("9", 3)})), "earlier")
    later.absorb(found, "before the run")
    for store in (first, later):
        assert [store.info(i).state for i in ("1", "2", "3")] == ["found", "missing", "found"]
        assert store.info("3").task == Task("3", 7, fail_desc="x")
        assert {i: store.source[i] for i in "123"} == dict.fromkeys("123", "before the run")
    assert dict(first.tasks.items()) == dict(tasks.items()) and first.missing == {"2"}
    first.tasks["1"] = Task("1", 3)  # the store's own: the lookup's stays as it was
    assert found.tasks["1"] == Task("1", 4)
    every = TaskStore.before_run(Lookup(("1", "3"), tasks=tasks))
    assert every.missing == set() and len(every.tasks) == 2


def test_status_counts() -> None:
    assert status_counts([3, 1, 1, None, 6, 4, 2]) == (
        "2 waiting, 1 in progress, 1 completed, 1 failed, 1 undocumented status 6, 1 not found")
