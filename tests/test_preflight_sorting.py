"""A finished pre-flight sorts its IDs into groups once, off the event loop: the confirmation,
the plan and the session ask for the groups and the IDs to send again and again (100,000 IDs
took ~0.1 s each time, on the loop)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.models import Task
from geelark_tui.pacing import Pacer, RealClock
from geelark_tui.packed_tasks import PackedTasks
from geelark_tui.preflight import Lookup, lookup
from geelark_tui.simulator import Simulator, SimulatorConfig

IDS = [str(574376043897600000 + i) for i in range(300)]


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(SimulatorConfig(per_minute=0)) as s:
        yield s


@pytest.fixture
def sorted_in(monkeypatch: pytest.MonkeyPatch) -> list[threading.Thread]:
    """The thread each sorting ran in (a sorting reads the found tasks' statuses once)."""
    threads: list[threading.Thread] = []
    statuses = PackedTasks.statuses

    def recording(self: PackedTasks) -> dict[str, int | None]:
        threads.append(threading.current_thread())
        return statuses(self)

    monkeypatch.setattr(PackedTasks, "statuses", recording)
    return threads


async def test_a_finished_lookup_is_sorted_once_in_a_thread(
        sim: Simulator, sorted_in: list[threading.Thread]) -> None:
    async with GeeLarkClient(sim.base_url, TokenAuth("demo-token")) as client:
        found = await lookup(client, IDS, Pacer(RealClock(), []), concurrency=3)
    assert len(sorted_in) == 1
    assert threading.main_thread() not in sorted_in
    groups, to_send, line = found.groups(), found.to_send(), found.groups_line()
    assert found.groups() is groups and found.to_send() == to_send
    assert found.groups_line() == line and found.to_send(True) == IDS
    assert len(sorted_in) == 1  # asked again: nothing sorted again
    assert to_send == [i for i in IDS if found.group(i) in ("restartable", "lookup_failed")]
    assert groups == {name: [i for i in IDS if found.group(i) == name] for name in groups}
    assert len([name for name, ids in groups.items() if ids]) >= 3  # several kinds in play


def test_a_lookup_that_grows_is_sorted_again(sorted_in: list[threading.Thread]) -> None:
    found = Lookup(tuple(IDS[:2]), tasks=PackedTasks({IDS[0]: Task(IDS[0], 4)}))
    assert found.to_send() == [IDS[0]]  # the other is missing
    found.failed.add(IDS[1])
    assert found.to_send() == IDS[:2]  # a failed lookup is sent anyway
    assert found.groups()["lookup_failed"] == [IDS[1]]


async def test_without_details_only_the_status_is_kept(sim: Simulator) -> None:
    ids = [str(int(IDS[0]) + n) for n in range(150)]  # our own strings, kept as they are
    async with GeeLarkClient(sim.base_url, TokenAuth("demo-token")) as client:
        full = await lookup(client, ids, Pacer(RealClock(), []))
        light = await lookup(client, ids, Pacer(RealClock(), []), details=False)
    assert light.tasks.keys() == full.tasks.keys() and light.groups() == full.groups()
    for task_id, task in light.tasks.items():
        assert task == Task(task_id, full.tasks[task_id].status)
        assert any(task.id is i for i in ids)  # no copy of the ID from the answer
    assert any(t.plan_name for t in full.tasks.values())
