"""The GeeLark API simulator, exercised over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from geelark_tui.api.auth import KeyAuth, TokenAuth, compute_sign
from geelark_tui.api.endpoints import CANCEL_PATH, QUERY_PATH, RESTART_PATH
from geelark_tui.sim_tasks import bucket, initial_state, state_after_restart
from geelark_tui.simulator import DEMO_IDS, Simulator, SimulatorConfig

PREFIX = "5743760438974258"  # 16 digits + 2 bucket digits = a realistic 18-digit ID


def tid(nn: int, prefix: str = PREFIX) -> str:
    return f"{prefix}{nn:02d}"


MakeSim = Callable[..., tuple[Simulator, httpx.Client]]


@pytest.fixture
def make_sim() -> Iterator[MakeSim]:
    started: list[tuple[Simulator, httpx.Client]] = []

    def make(auth: httpx.Auth | None = None, **config: Any) -> tuple[Simulator, httpx.Client]:
        sim = Simulator(SimulatorConfig(**config))
        client = httpx.Client(base_url=sim.start(), auth=auth or TokenAuth("demo-token"),
                              timeout=5)
        started.append((sim, client))
        return sim, client

    yield make
    for sim, client in started:
        client.close()
        sim.stop()


def restart(client: httpx.Client, ids: list[Any]) -> dict[str, Any]:
    response = client.post(RESTART_PATH, json={"ids": ids})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


# -- auth -------------------------------------------------------------------------------------

def test_token_auth_good_and_bad(make_sim: MakeSim) -> None:
    sim, client = make_sim()
    assert restart(client, [tid(1)])["code"] == 0
    bad = httpx.post(sim.base_url + RESTART_PATH, json={"ids": [tid(2)]},
                     auth=TokenAuth("wrong"))
    assert bad.status_code == 200 and bad.json()["code"] == 40003
    assert "data" not in bad.json()
    missing_trace = httpx.post(sim.base_url + RESTART_PATH, json={"ids": [tid(2)]},
                               headers={"Authorization": "Bearer demo-token"})
    assert missing_trace.json()["code"] == 40002
    no_auth = httpx.post(sim.base_url + RESTART_PATH, json={"ids": [tid(2)]},
                         headers={"traceId": "abc"})
    assert no_auth.json()["code"] == 40003
    assert sim.restart_counts == {tid(1): 1}
    assert [r.applied for r in sim.requests] == [True, False, False, False]


def test_key_auth_good_and_bad(make_sim: MakeSim) -> None:
    sim, client = make_sim(auth=KeyAuth("demo-app", "demo-api-key"))
    assert restart(client, [tid(1)])["code"] == 0
    good = KeyAuth("demo-app", "demo-api-key").sign_headers()
    variants = {
        "wrong app id": KeyAuth("other-app", "demo-api-key").sign_headers(),
        "wrong key": KeyAuth("demo-app", "other-key").sign_headers(),
        "lowercase sign": {**good, "sign": good["sign"].lower()},
        "no sign": {k: v for k, v in good.items() if k != "sign"},
    }
    trace = "db6094ab-3797-4186-84d5-b0b58eebad56"
    sign = compute_sign("demo-app", trace, "1716972892166", "db6095", "demo-api-key")
    variants["nonce not traceId[:6]"] = {"appId": "demo-app", "traceId": trace,
                                        "ts": "1716972892166", "nonce": "db6095", "sign": sign}
    for name, headers in variants.items():
        r = httpx.post(sim.base_url + RESTART_PATH, json={"ids": [tid(2)]}, headers=headers)
        assert r.json()["code"] == 40003, name
    assert sim.restart_counts == {tid(1): 1}


# -- restart codes ------------------------------------------------------------------------------

@pytest.mark.parametrize(("nn", "expected"), [
    (0, None), (17, None), (39, None), (40, None), (49, None),
    (50, 48001), (55, 48001), (58, 48001), (63, 48001),
    (64, 48000), (69, 48000), (70, 40005), (74, 40005), (75, 48003), (79, 48003),
    (80, 48004), (84, 48004), (85, 48002), (99, 48002),
])
def test_each_bucket_gets_its_code(make_sim: MakeSim, nn: int, expected: int | None) -> None:
    sim, client = make_sim()
    body = restart(client, [tid(nn)])
    if expected is None:
        assert body["code"] == 0
        assert sim.expected_outcome(tid(nn)) == ("restarted", None)
        assert sim.restart_counts == {tid(nn): 1}
    else:
        assert body["code"] == 40009
        assert body["data"]["failDetails"] == [
            {"id": tid(nn), "code": expected, "msg": body["data"]["failDetails"][0]["msg"]}
        ]
        assert sim.expected_outcome(tid(nn)) == ("rejected", expected)
        assert sim.restart_counts == {}


def test_non_numeric_ids_do_not_exist(make_sim: MakeSim) -> None:
    _, client = make_sim()
    body = restart(client, ["abc", "", "1"])
    assert [d["code"] for d in body["data"]["failDetails"]] == [48002, 48002, 48002]


def test_full_success_envelope_has_no_fail_details(make_sim: MakeSim) -> None:
    _, client = make_sim()
    body = restart(client, [tid(1), tid(2), tid(41)])
    assert set(body) == {"traceId", "code", "msg", "data"}
    assert body["code"] == 0 and body["msg"] == "success"
    assert body["data"] == {"totalAmount": 3, "successAmount": 3, "failAmount": 0}


def test_partial_success_40006(make_sim: MakeSim) -> None:
    _, client = make_sim()
    body = restart(client, [tid(1), tid(50), tid(2), tid(90)])
    assert body["code"] == 40006
    data = body["data"]
    assert (data["totalAmount"], data["successAmount"], data["failAmount"]) == (4, 2, 2)
    assert {(d["id"], d["code"]) for d in data["failDetails"]} == {(tid(50), 48001),
                                                                   (tid(90), 48002)}


def test_all_failed_40009_and_duplicate_in_batch(make_sim: MakeSim) -> None:
    sim, client = make_sim()
    body = restart(client, [tid(64), tid(86)])
    assert body["code"] == 40009 and body["data"]["successAmount"] == 0
    dup = restart(client, [tid(3), tid(3)])
    assert dup["code"] == 40006
    assert dup["data"]["failDetails"] == [{"id": tid(3), "code": 48001,
                                           "msg": dup["data"]["failDetails"][0]["msg"]}]
    assert sim.restart_counts == {tid(3): 1}


@pytest.mark.parametrize(("body", "code"), [
    ({"ids": [tid(i % 40) for i in range(101)]}, 40004),
    ({"ids": []}, 40004),
    ({"ids": 574376043897425801}, 40004),
    ({"ids": [574376043897425801]}, 40004),
    ({"ids": [tid(1), None]}, 40004),
    ({"task_ids": [tid(1)]}, 40004),
    ([tid(1)], 40004),
])
def test_validation_40004(make_sim: MakeSim, body: Any, code: int) -> None:
    sim, client = make_sim()
    assert client.post(RESTART_PATH, json=body).json()["code"] == code
    assert sim.restart_counts == {} and not sim.requests[0].applied


@pytest.mark.parametrize("raw", [b"not json", b"", b"{\"ids\": [", b"\xff\xfe\x00"])
def test_unreadable_body_40001(make_sim: MakeSim, raw: bytes) -> None:
    _, client = make_sim()
    r = client.post(RESTART_PATH, content=raw, headers={"Content-Type": "application/json"})
    assert r.json()["code"] == 40001


def test_chunked_body_is_read(make_sim: MakeSim) -> None:
    _, client = make_sim()
    r = client.post(RESTART_PATH, content=iter([b'{"ids": ["', tid(5).encode(), b'"]}']))
    assert r.json()["code"] == 0


def test_other_paths_and_methods_get_html(make_sim: MakeSim) -> None:
    _, client = make_sim()
    r = client.post("/open/v1/task/unknown", json={"ids": [tid(1)]})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert client.get(RESTART_PATH).status_code == 405


# -- rate limits --------------------------------------------------------------------------------

def test_per_minute_limit_lifted_next_minute(make_sim: MakeSim) -> None:
    now = [6000.0]  # the start of a wall-clock minute
    sim, client = make_sim(per_minute=3, wall_clock=lambda: now[0])
    codes = [restart(client, [tid(i)])["code"] for i in range(4)]
    assert codes == [0, 0, 0, 40007]
    assert sim.restart_counts == {tid(0): 1, tid(1): 1, tid(2): 1}
    assert client.post(QUERY_PATH, json={"ids": [tid(1)]}).json()["code"] == 0  # per endpoint
    now[0] += 59.9
    assert restart(client, [tid(4)])["code"] == 40007
    now[0] += 0.1
    assert restart(client, [tid(4)])["code"] == 0


def test_hourly_limit_locks(make_sim: MakeSim) -> None:
    now = [7200.0]
    sim, client = make_sim(per_minute=0, per_hour=2, lock_seconds=5000,
                           wall_clock=lambda: now[0])
    assert [restart(client, [tid(i)])["code"] for i in range(3)] == [0, 0, 40014]
    now[0] += 3600  # a new hour, but still locked ... on every endpoint
    assert restart(client, [tid(5)])["code"] == 40014
    assert client.post(QUERY_PATH, json={"ids": [tid(1)]}).json()["code"] == 40014
    now[0] = 7200 + 5001  # lock over
    assert restart(client, [tid(5)])["code"] == 0
    assert sorted(sim.restart_counts) == [tid(0), tid(1), tid(5)]


def test_auth_failures_are_not_counted(make_sim: MakeSim) -> None:
    sim, client = make_sim(per_minute=1, wall_clock=lambda: 60.0)
    for _ in range(3):
        httpx.post(sim.base_url + RESTART_PATH, json={"ids": [tid(1)]}, auth=TokenAuth("x"))
    assert restart(client, [tid(1)])["code"] == 0


# -- states over time ---------------------------------------------------------------------------

def test_states_move_after_restart(make_sim: MakeSim) -> None:
    sim, client = make_sim(state_timing=(0.2, 0.2))
    ok, again = tid(1), tid(3)  # 3 % 3 == 0: fails again after running
    assert sim.task_state(again).status == 4 and sim.task_state(again).restarts_used == 3
    assert restart(client, [ok, again])["code"] == 0
    t0 = time.monotonic()
    assert {sim.task_state(i).status for i in (ok, again)} == {1}
    assert restart(client, [ok])["data"]["failDetails"][0]["code"] == 48001

    def sleep_until(t: float) -> None:
        time.sleep(max(0.0, t - time.monotonic()))

    sleep_until(t0 + 0.3)
    assert {sim.task_state(i).status for i in (ok, again)} == {2}
    assert restart(client, [again])["data"]["failDetails"][0]["code"] == 48001
    sleep_until(t0 + 0.5)
    done, failed = sim.task_state(ok), sim.task_state(again)
    assert (done.status, done.restarts_used, done.fail_code) == (3, 2, 0)
    assert done.share_link and done.cost > 0
    assert (failed.status, failed.restarts_used) == (4, 4) and failed.fail_code and failed.fail_desc
    assert restart(client, [again])["code"] == 0  # the 5th restart is allowed
    sleep_until(time.monotonic() + 0.5)
    assert sim.task_state(again).status == 4 and sim.task_state(again).restarts_used == 5
    assert restart(client, [again])["data"]["failDetails"][0]["code"] == 48000
    assert sim.restart_counts == {ok: 1, again: 2}
    assert sim.initial_state(again).status == 4


def test_state_model_is_deterministic() -> None:
    for i in range(100):
        a, b = initial_state(tid(i)), initial_state(tid(i, "5999999999999999"))
        assert a.exists == b.exists == (i < 85)
        assert a.status == b.status
        assert a == initial_state(tid(i))
    assert initial_state(tid(7)).task_type == 2  # third-to-last digit 8: TASK_TYPES[8 % 7]
    assert initial_state("574376043897425601").task_type == 99  # third-to-last digit 6
    after = state_after_restart(initial_state(tid(30)), 2, 10.0, (1.0, 1.0))
    assert after.status == 4 and after.restarts_used == 2 + initial_state(tid(30)).restarts_used


def test_demo_ids_cover_every_behaviour() -> None:
    assert len(DEMO_IDS) == len(set(DEMO_IDS)) >= 35
    assert all(len(i) == 18 and i.isdigit() for i in DEMO_IDS)
    codes = {initial_state(i).restart_code() for i in DEMO_IDS}
    assert codes == {None, 40005, 48000, 48001, 48002, 48003, 48004}
    assert {initial_state(i).status for i in DEMO_IDS} == {None, 1, 2, 3, 4, 7}
    assert {initial_state(i).task_type for i in DEMO_IDS if initial_state(i).exists} == {
        1, 2, 3, 4, 6, 42, 99}
    buckets = {(bucket(i) or 0) for i in DEMO_IDS}
    assert any(b < 40 and b % 3 == 0 for b in buckets)  # fails again after a restart
    assert any(b < 40 and b % 3 != 0 for b in buckets)


# -- query ----------------------------------------------------------------------------------

def test_query_returns_fields_and_omits_missing(make_sim: MakeSim) -> None:
    _, client = make_sim()
    ids = [tid(1), tid(90), tid(60), tid(1), tid(72)]
    body = client.post(QUERY_PATH, json={"ids": ids}).json()
    assert body["code"] == 0
    items = body["data"]["items"]
    assert [t["id"] for t in items] == [tid(1), tid(60), tid(72)] and body["data"]["total"] == 3
    assert set(items[0]) == {"id", "planName", "taskType", "serialName", "envId", "scheduleAt",
                             "status", "failCode", "failDesc", "cost", "shareLink"}
    assert items[0]["status"] == 4 and items[0]["failCode"] and items[0]["failDesc"]
    assert items[1]["status"] == 3 and items[1]["shareLink"]
    assert items[2]["failCode"] == 29998
    assert items[0]["serialName"].startswith("Phone-") and isinstance(items[0]["envId"], str)
    assert 1_766_000_000 < items[0]["scheduleAt"] < 1_767_225_601
    too_many = client.post(QUERY_PATH, json={"ids": [tid(1)] * 101}).json()
    assert too_many["code"] == 40004


# -- faults ---------------------------------------------------------------------------------

def test_5xx_half_before_half_after(make_sim: MakeSim) -> None:
    sim, client = make_sim(error_5xx_rate=1.0, seed=3)
    for i in range(20):
        r = client.post(RESTART_PATH, json={"ids": [tid(i)]})
        assert r.status_code in (500, 502, 503) and r.text.startswith("<html>")
    records = sim.requests
    faults = {r.fault for r in records}
    assert faults == {"5xx_before", "5xx_after"}
    applied = {r.ids[0] for r in records if r.applied}
    assert applied == {r.ids[0] for r in records if r.fault == "5xx_after"}
    assert set(sim.restart_counts) == applied
    assert all(r.restarted == r.ids for r in records if r.applied)


def test_drop_closes_without_answer(make_sim: MakeSim) -> None:
    sim, client = make_sim(drop_rate=1.0)
    for i in range(10):
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.post(RESTART_PATH, json={"ids": [tid(i)]})
    records = sim.requests
    assert {r.fault for r in records} == {"drop_before", "drop_after"}
    assert all(r.http_status == 0 for r in records)
    assert set(sim.restart_counts) == {r.ids[0] for r in records if r.fault == "drop_after"}


def test_slow_answer_times_out_after_applying(make_sim: MakeSim) -> None:
    sim, client = make_sim(slow_rate=1.0, slow_seconds=0.4)
    with pytest.raises(httpx.ReadTimeout):
        client.post(RESTART_PATH, json={"ids": [tid(1)]}, timeout=0.1)
    assert sim.restart_counts == {tid(1): 1}
    assert sim.requests[0].fault == "slow" and sim.requests[0].applied


@pytest.mark.parametrize(("knob", "status", "code"), [("rate_429", 429, None),
                                                      ("code_40017_rate", 200, 40017)])
def test_not_applied_faults(make_sim: MakeSim, knob: str, status: int, code: int | None) -> None:
    sim, client = make_sim(**{knob: 1.0})
    for i in range(6):
        r = client.post(RESTART_PATH, json={"ids": [tid(i)]})
        assert r.status_code == status
        if code is not None:
            assert r.json()["code"] == code
    assert sim.restart_counts == {}
    assert not any(r.applied for r in sim.requests)


def test_bad_counts(make_sim: MakeSim) -> None:
    sim, client = make_sim(bad_counts_rate=1.0)
    data = restart(client, [tid(1), tid(50)])["data"]
    assert data["totalAmount"] != data["successAmount"] + data["failAmount"]
    assert sim.restart_counts == {tid(1): 1} and sim.requests[0].fault == "bad_counts"


def test_faults_are_reproducible_by_seed(make_sim: MakeSim) -> None:
    def run() -> list[str | None]:
        sim, client = make_sim(error_5xx_rate=0.3, rate_429=0.2, per_minute=0)
        for i in range(30):
            client.post(QUERY_PATH, json={"ids": [tid(i)]})
        return [r.fault for r in sim.requests]

    first = run()
    assert first == run() and len(set(first)) == 4


def test_query_faults_can_be_turned_off(make_sim: MakeSim) -> None:
    _, client = make_sim(error_5xx_rate=1.0, query_faults=False)
    assert client.post(QUERY_PATH, json={"ids": [tid(1)]}).json()["code"] == 0


def test_incomplete_query_answers_only_hit_task_query(make_sim: MakeSim) -> None:
    sim, client = make_sim(incomplete_rate=1.0, per_minute=0, seed=2)
    ids = [tid(n) for n in range(10)]  # all ten exist
    shapes = set()
    for _ in range(12):
        body = client.post(QUERY_PATH, json={"ids": ids}).json()
        assert body["code"] == 0
        items = body["data"].get("items")
        assert items is None or body["data"]["total"] > len(items)
        shapes.add("no items" if items is None else "short")
    assert shapes == {"no items", "short"}
    assert restart(client, [tid(1)])["code"] == 0  # a restart is never answered so
    assert [r.fault for r in sim.requests] == ["incomplete"] * 12 + [None]


# -- quirks ---------------------------------------------------------------------------------

def test_quirks(make_sim: MakeSim) -> None:
    sim, client = make_sim(quirks=True, seed=1, per_minute=0)
    outer: set[type] = set()
    saw_code_0_with_failures = False
    for i in range(30):
        body = restart(client, [tid(i % 40, f"57{i:014d}"), tid(50)])
        assert all(d["code"] == "48001" for d in body["data"]["failDetails"])
        outer.add(type(body["code"]))
        saw_code_0_with_failures |= body["code"] == 0 and body["data"]["failAmount"] > 0
    assert outer == {int, str} and saw_code_0_with_failures
    assert any(r.fault == "quirk_code_0" for r in sim.requests)
    full = restart(client, [tid(1)])
    assert "failDetails" not in full["data"]
    item = client.post(QUERY_PATH, json={"ids": [tid(52)]}).json()["data"]["items"][0]
    assert "failCode" not in item and "shareLink" not in item and item["status"] == 1


# -- transport ------------------------------------------------------------------------------

async def test_concurrent_keep_alive_with_latency() -> None:
    with Simulator(SimulatorConfig(latency=0.02, per_minute=0)) as sim:
        limits = httpx.Limits(max_connections=20)
        async with httpx.AsyncClient(base_url=sim.base_url, auth=TokenAuth("demo-token"),
                                     limits=limits) as client:
            started = time.monotonic()
            bodies = await asyncio.gather(*(
                client.post(RESTART_PATH, json={"ids": [tid(i % 40, f"57{i:014d}")]})
                for i in range(200)))
            elapsed = time.monotonic() - started
    assert all(b.json()["code"] == 0 for b in bodies)
    assert elapsed < 3.0  # one at a time would be 4 s; 20 connections wait 0.2 s
    assert len(sim.restart_counts) == 200


def test_stop_closes_idle_keep_alive_connections(make_sim: MakeSim) -> None:
    sim, client = make_sim(latency=0.01)
    assert restart(client, [tid(1)])["code"] == 0
    sim.stop()
    with pytest.raises(httpx.TransportError):
        client.post(RESTART_PATH, json={"ids": [tid(2)]})
    assert sim.restart_counts == {tid(1): 1}


# -- task/cancel ------------------------------------------------------------------------------

def test_cancel_turns_waiting_and_running_tasks_cancelled_and_they_can_restart(
    make_sim: MakeSim,
) -> None:
    sim, client = make_sim(state_timing=(0.2, 0.2))
    waiting, running, completed, failed, missing = tid(50), tid(54), tid(58), tid(1), tid(90)
    answer = client.post(CANCEL_PATH, json={"ids": [waiting, running, completed, failed,
                                                    missing]}).json()
    assert answer["code"] == 40006
    assert answer["data"]["successAmount"] == 2
    refused = {d["id"]: d["code"] for d in answer["data"]["failDetails"]}
    assert refused == {completed: 48001, failed: 48001, missing: 48002}
    assert sim.cancel_counts == {waiting: 1, running: 1}
    assert sim.task_state(waiting).status == 7 and sim.task_state(running).status == 7
    # cancelled: restart accepts them, and they move on again
    assert restart(client, [waiting, running])["code"] == 0
    assert sim.task_state(waiting).status == 1
    deadline = time.monotonic() + 5
    while sim.task_state(running).status not in (3, 4) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sim.task_state(running).status in (3, 4)
    # ... and once it has ended, a cancel is refused
    assert sim.task_state(waiting).status in (3, 4)
    assert client.post(CANCEL_PATH, json={"ids": [waiting]}).json()["code"] == 40009
