"""The simulator's task/historyRecords over real HTTP: the population, the paging rules, the
agreement with task/query and task/restart, and the faults tests inject."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.endpoints import HISTORY_PATH, QUERY_PATH, RESTART_PATH
from geelark_tui.sim_history import EDGE_GAP, EDGES, LISTED_SPAN, build_population
from geelark_tui.sim_tasks import initial_state
from geelark_tui.simulator import Simulator, SimulatorConfig


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(SimulatorConfig(per_minute=0)) as s:
        yield s


def post(sim: Simulator, path: str, body: Any, token: str = "demo-token") -> dict[str, Any]:
    response = httpx.post(sim.base_url + path, json=body, auth=TokenAuth(token), timeout=5)
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def test_pages_by_cursor_newest_first_without_share_link(sim: Simulator) -> None:
    first = post(sim, HISTORY_PATH, {"size": 100})
    assert first["code"] == 0
    items = first["data"]["items"]
    assert len(items) == 100 and first["data"]["total"] == len(sim.history_tasks())
    assert all("shareLink" not in i for i in items)
    assert set(items[0]) == {"id", "planName", "taskType", "serialName", "envId",
                             "scheduleAt", "status", "failCode", "failDesc", "cost"}
    second = post(sim, HISTORY_PATH, {"size": 100, "lastId": items[-1]["id"]})["data"]["items"]
    both = items + second
    assert len({i["id"] for i in both}) == 200
    times = [i["scheduleAt"] for i in both]
    assert times == sorted(times, reverse=True)
    assert [i["id"] for i in both] == [t.id for t in sim.history_tasks()[:200]]


@pytest.mark.parametrize(("body", "code"), [
    ({"size": 0}, 40008), ({"size": "100"}, 40008), ({"size": -5}, 40008),
    ({"size": True}, 40008), ({"lastId": "123456789012345678"}, 40008),
    ({"lastId": 580000000000000000}, 40008), ({"lastId": ""}, 40008),
    ({"ids": "1"}, 40004), ({"ids": [str(n) for n in range(101)]}, 40004), ({"ids": [1]}, 40004),
])
def test_bad_paging_parameters(sim: Simulator, body: dict[str, Any], code: int) -> None:
    answer = post(sim, HISTORY_PATH, body)
    assert answer["code"] == code and "data" not in answer


def test_size_is_capped_at_100_and_defaults_to_10(sim: Simulator) -> None:
    assert len(post(sim, HISTORY_PATH, {"size": 500})["data"]["items"]) == 100
    assert len(post(sim, HISTORY_PATH, {})["data"]["items"]) == 10
    unreadable = httpx.post(sim.base_url + HISTORY_PATH, content=b"{nope",
                            auth=TokenAuth("demo-token"))
    assert unreadable.json()["code"] == 40001


def test_ids_filter_the_history(sim: Simulator) -> None:
    listed = sim.history_tasks()
    wanted = [listed[5].id, listed[500].id, "574376043897425801"]  # the last: not in it
    answer = post(sim, HISTORY_PATH, {"size": 100, "ids": wanted})["data"]
    assert answer["total"] == 2 and [i["id"] for i in answer["items"]] == wanted[:2]


def test_auth_and_the_rate_limit_apply() -> None:
    # A fixed wall clock: the minute window is the wall-clock minute, and four requests made
    # across a minute's end would all pass.
    with Simulator(SimulatorConfig(per_minute=3, wall_clock=lambda: 1_800_000_030.0)) as sim:
        assert post(sim, HISTORY_PATH, {"size": 1}, token="bad")["code"] == 40003
        codes = [post(sim, HISTORY_PATH, {"size": 1})["code"] for _ in range(4)]
    assert codes == [0, 0, 0, 40007]


def test_the_population() -> None:
    anchor = 1_800_000_000.0
    tasks = build_population(1400, 0, anchor)
    assert tasks == build_population(1400, 0, anchor)  # deterministic
    assert [t.id for t in tasks] != [t.id for t in build_population(1400, 1, anchor)]
    assert len({t.id for t in tasks}) == 1400
    ages = [anchor - t.schedule_at for t in tasks]
    assert max(ages) > LISTED_SPAN and min(ages) >= 0 and max(ages) <= 8 * 86400
    assert all(abs(age - edge) > EDGE_GAP - 1 for age in ages for edge in EDGES)
    for task in tasks:  # the per-ID rules of the simulator hold for every task
        before = initial_state(task.id)
        assert (task.status, task.restarts_used, task.block_code) == (
            before.status, before.restarts_used, before.block_code)
        assert task.restart_code() == (None if task.status in (4, 7) else 48001)
        assert bool(task.fail_code) == (task.status == 4)
    statuses = Counter(t.status for t in tasks)
    assert statuses[3] > statuses[4] > statuses[7] > 0 and statuses[1] + statuses[2] > 0
    reasons = {t.fail_code for t in tasks}
    assert {20002, 20116, 29996, 29997, 29998, 29999} <= reasons
    proxy = Counter(t.serial_name for t in tasks if t.fail_code == 29996)
    assert proxy.most_common(1)[0][0] in ("US-West-03", "US-West-04")
    assert {t.serial_name for t in tasks if t.fail_code == 29998} == {"EU-05"}
    assert len({t.plan_name for t in tasks}) >= 6 and len({t.serial_name for t in tasks}) >= 30


def test_restart_query_and_history_agree(sim: Simulator) -> None:
    listed = sim.history_tasks()
    failed = next(t for t in listed if t.status == 4)
    completed = next(t for t in listed if t.status == 3)
    query = post(sim, QUERY_PATH, {"ids": [failed.id, completed.id]})["data"]["items"]
    assert [(i["id"], i["status"], i["failCode"], i["serialName"]) for i in query] == [
        (t.id, t.status, t.fail_code, t.serial_name) for t in (failed, completed)]
    answer = post(sim, RESTART_PATH, {"ids": [failed.id, completed.id]})
    assert answer["code"] == 40006
    assert answer["data"]["failDetails"] == [
        {"id": completed.id, "code": 48001,
         "msg": "the current task status does not allow the operation"}]
    now = {i["id"]: i for i in post(sim, HISTORY_PATH, {"size": 100, "ids": [failed.id]})[
        "data"]["items"]}
    assert now[failed.id]["status"] == 1 and now[failed.id]["failCode"] == 0  # waiting again
    assert sim.task_state(failed.id).status == 1


@pytest.mark.parametrize(("fault", "status", "code"), [
    ("5xx", 502, None), ("429", 429, None), ("40007", 200, 40007), ("40008", 200, 40008)])
def test_faults_hit_the_nth_history_request(fault: str, status: int, code: int | None) -> None:
    with Simulator(SimulatorConfig(per_minute=0, history_faults={2: fault})) as sim:
        client = httpx.Client(base_url=sim.base_url, auth=TokenAuth("demo-token"))
        answers = [client.post(HISTORY_PATH, json={"size": 5}) for _ in range(3)]
        client.close()
    assert [a.status_code for a in answers] == [200, status, 200]
    assert answers[1].status_code != 200 or answers[1].json()["code"] == code
    assert answers[0].json()["data"]["items"] == answers[2].json()["data"]["items"]


def test_page_faults_shape_the_items() -> None:
    faults = {2: "repeat", 3: "short", 4: "empty", 5: "no_items"}
    with Simulator(SimulatorConfig(per_minute=0, history_faults=faults)) as sim:
        client = httpx.Client(base_url=sim.base_url, auth=TokenAuth("demo-token"))
        first = client.post(HISTORY_PATH, json={"size": 10}).json()["data"]
        cursor = first["items"][-1]["id"]
        pages = [client.post(HISTORY_PATH, json={"size": 10, "lastId": cursor}).json()["data"]
                 for _ in range(4)]
        client.close()
    assert pages[0]["items"] == first["items"]  # repeated: its cursor repeats
    assert len(pages[1]["items"]) == 5 and len(pages[2]["items"]) == 0
    assert "items" not in pages[3] and pages[3]["total"] == first["total"]


def test_the_population_is_anchored_at_first_use() -> None:
    clock = [1_800_000_000.0]
    with Simulator(SimulatorConfig(per_minute=0, wall_clock=lambda: clock[0])) as sim:
        assert sim.history.initial("580000000000000001") is None  # not built yet
        clock[0] += 3600
        listed = sim.history_tasks()
        assert max(t.schedule_at for t in listed) <= clock[0]
        assert min(t.schedule_at for t in listed) >= clock[0] - LISTED_SPAN
        clock[0] += 86400  # a day on: the oldest listed day has left the window
        assert len(sim.history_tasks()) < len(listed)
