"""Pre-flight and re-check lookups against the simulator over real HTTP."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.endpoints import QUERY_PATH, RESTART_PATH
from geelark_tui.api.models import Outcome, Task, TaskStatus
from geelark_tui.cli import main
from geelark_tui.engine import RestartRun, RunSettings
from geelark_tui.pacing import Pacer, RealClock
from geelark_tui.preflight import Lookup, group_of, lookup
from geelark_tui.simulator import Simulator, SimulatorConfig


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with Simulator(SimulatorConfig(per_minute=0, state_timing=(0.3, 0.3))) as s:
        yield s


def ids_from(start: int, n: int) -> list[str]:
    return [str(start + i) for i in range(n)]


def expected_group(sim: Simulator, task_id: str) -> str:
    state = sim.initial_state(task_id)
    return group_of(state.status, state.exists, True)


async def test_preflight_1000_ids_then_restart_only_failed_and_cancelled(sim: Simulator) -> None:
    ids = ids_from(574376043897600000, 1000)
    pacer = Pacer(RealClock(), [(60.0, 200)])
    async with GeeLarkClient(sim.base_url, TokenAuth("demo-token")) as client:
        found = await lookup(client, ids, pacer, concurrency=4)
        assert found.requests == math.ceil(1000 / 100)
        # the confirmation's counts match the simulator's ground truth
        for name, members in found.groups().items():
            assert all(expected_group(sim, i) == name for i in members), name
        to_send = found.to_send()
        run = RestartRun(client, to_send, RunSettings(concurrency=4), pacer=pacer,
                         prior_status=found.prior_status())
        report = await run.run()
    sent = [i for q in sim.requests if q.path.endswith("/restart") for i in q.ids]
    assert sorted(sent) == sorted(to_send)
    assert all(sim.initial_state(i).status in (TaskStatus.FAILED, TaskStatus.CANCELLED)
               for i in sent)
    # queries and restarts share one budget: every grant is in the same pacer
    assert len(pacer.sent_times) == found.requests + report.restart_requests
    assert "can be restarted" in found.summary_line() and "do not exist" in found.summary_line()


async def test_including_the_rest_on_purpose_sends_them(sim: Simulator) -> None:
    ids = ids_from(574376043897700000, 100)
    async with GeeLarkClient(sim.base_url, TokenAuth("demo-token")) as client:
        found = await lookup(client, ids, Pacer(RealClock(), [(60.0, 200)]))
    assert found.to_send(include_all=True) == ids
    assert len(found.to_send()) < len(ids)


def test_headless_preflight_json_has_status_and_skipped(
    sim: Simulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GEELARK_TOKEN", "demo-token")
    monkeypatch.setenv("GEELARK_TUI_CONFIG", str(tmp_path / "config.toml"))
    ids = ids_from(574376043897800000, 100)
    code = main(["restart", *ids, "--preflight", "--format", "json", "--base-url", sim.base_url])
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert code == 1
    assert "pre-flight:" in err
    assert all("status" in r for r in document["results"])
    by_id = {r["id"]: r for r in document["results"]}
    for task_id in ids:
        state = sim.initial_state(task_id)
        row = by_id[task_id]
        assert row["status"] == (state.status if state.exists else None)
        if expected_group(sim, task_id) in ("running", "completed", "missing"):
            assert row["outcome"] == "skipped" and row["message"].startswith("skipped:")
    assert document["summary"]["skipped"] == sum(
        1 for r in document["results"] if r["outcome"] == "skipped")
    restarted_ids = {i for q in sim.requests if q.path.endswith("/restart") for i in q.ids}
    assert not restarted_ids & {r["id"] for r in document["results"]
                                if r["outcome"] == "skipped"}


async def test_recheck_sees_later_states(sim: Simulator) -> None:
    ids = [i for i in ids_from(574376043897900000, 40) if expected_group(sim, i) == "restartable"]
    pacer = Pacer(RealClock(), [(60.0, 200)])
    async with GeeLarkClient(sim.base_url, TokenAuth("demo-token")) as client:
        report = await RestartRun(client, ids, RunSettings(), pacer=pacer).run()
        restarted = [r.id for r in report.ordered() if r.outcome is Outcome.RESTARTED]
        first = await lookup(client, restarted, pacer)
        assert {first.status_of(i) for i in restarted} == {TaskStatus.WAITING}
        deadline = time.monotonic() + 5  # the simulator moves them on: completed or failed
        while not all(sim.task_state(i).status in (TaskStatus.COMPLETED, TaskStatus.FAILED)
                      for i in restarted) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        later = await lookup(client, restarted, pacer)
    statuses = {later.status_of(i) for i in restarted}
    assert statuses <= {TaskStatus.COMPLETED, TaskStatus.FAILED} and statuses
    for i in restarted:
        assert later.status_of(i) == sim.task_state(i).status


async def test_undocumented_status_and_missing_fields() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"code": 0, "data": {"items": [
            {"id": "111111", "status": 6}, {"id": "222222", "status": 4},
            {"id": "333333"}, {"id": "444444", "status": "weird"}]}})

    client = GeeLarkClient("http://api.test", TokenAuth("t"),
                           transport=httpx.MockTransport(handler))
    async with client:
        found = await lookup(client, ["111111", "222222", "333333", "444444", "555555"],
                             Pacer(RealClock(), [(60.0, 200)]))
    assert found.group("111111") == "odd"
    assert TaskStatus.label(6) == "undocumented status 6"
    assert found.group("222222") == "restartable"
    assert found.group("333333") == "odd"  # present but without a status
    assert found.group("555555") == "missing"
    assert found.tasks["222222"].plan_name is None
    assert "undocumented status" in found.summary_line()


async def test_failed_lookup_is_recorded_and_those_ids_are_still_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>bad gateway</html>")

    client = GeeLarkClient("http://api.test", TokenAuth("t"),
                           transport=httpx.MockTransport(handler))
    async with client:
        found: Lookup = await lookup(client, ["111111"], Pacer(RealClock(), [(60.0, 200)]))
    assert found.failed == {"111111"} and found.requests == 3
    assert found.to_send() == ["111111"]
    assert "could not be looked up" in found.summary_line()


def queries_sent(sim: Simulator) -> list[tuple[str, ...]]:
    return [q.ids for q in sim.requests if q.path == QUERY_PATH]


def restarts_sent(sim: Simulator) -> list[tuple[str, ...]]:
    return [q.ids for q in sim.requests if q.path == RESTART_PATH]


async def test_a_set_with_repeats_is_looked_up_once_an_id_in_chunks_of_100(
        sim: Simulator) -> None:
    unique = ids_from(574376043897700000, 1050)
    given = unique + unique[::7]  # every 7th twice
    async with GeeLarkClient(sim.base_url, TokenAuth("demo-token")) as client:
        found = await lookup(client, given, Pacer(RealClock(), [(60.0, 200)]), concurrency=4)
    sent = queries_sent(sim)
    assert found.ids == tuple(unique)  # first-seen order
    assert sorted(i for q in sent for i in q) == sorted(unique)  # each once
    assert sorted(len(q) for q in sent) == [50] + [100] * 10
    assert found.requests == len(sent) == 11 and not found.failed


async def test_a_wrong_token_stops_every_lookup_worker() -> None:
    ids = ids_from(574376043898000000, 1000)
    with Simulator(SimulatorConfig(per_minute=0)) as sim:
        async with GeeLarkClient(sim.base_url, TokenAuth("wrong-token")) as client:
            found = await lookup(client, ids, Pacer(RealClock(), [(60.0, 200)]),
                                 concurrency=4)
        sent = queries_sent(sim)
    assert found.stopped and found.stop_code == 40003
    assert found.stop_reason == "40003 signature or token rejected"
    assert len(sent) <= 4 and found.requests == len(sent)  # no worker sent a second one
    assert found.failed == set(ids)  # not one of them was looked up
    assert found.to_send() == [] and found.to_send(include_all=True) == []
    assert "stopped: 40003" in found.summary_line()
    not_sent = found.skipped([])  # what a front end asks for: the IDs kept out of the run
    assert not_sent == found.not_sent() and [r.id for r in not_sent] == ids
    assert all(r.outcome is Outcome.NOT_SENT and r.code == 40003 and "40003" in r.message
               for r in not_sent)


async def test_the_hourly_lock_during_the_lookup_stops_it_at_once() -> None:
    ids = ids_from(574376043898100000, 1000)
    # A fixed wall clock: the hour window is the wall-clock hour.
    with Simulator(SimulatorConfig(per_minute=0, per_hour=2,
                                   wall_clock=lambda: 1_800_000_030.0)) as sim:
        async with GeeLarkClient(sim.base_url, TokenAuth("demo-token")) as client:
            found = await lookup(client, ids, Pacer(RealClock(), [(60.0, 200)]),
                                 concurrency=1)
        sent = [q for q in sim.requests if q.path == QUERY_PATH]
    assert [q.code for q in sent] == [0, 0, 40014]  # nothing after the lock
    assert found.stop_code == 40014 and "2 hours" in (found.stop_reason or "")
    assert found.failed == set(ids[200:])  # the first two chunks were looked up
    assert found.to_send() == []


@pytest.mark.parametrize(("token", "per_hour", "code"), [("wrong-token", 0, 40003),
                                                         ("demo-token", 2, 40014)])
def test_headless_preflight_stopped_by_the_account_restarts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    token: str, per_hour: int, code: int,
) -> None:
    monkeypatch.setenv("GEELARK_TOKEN", token)
    monkeypatch.setenv("GEELARK_TUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("GEELARK_TUI_DATA_DIR", str(tmp_path / "data"))
    ids = ids_from(574376043898200000, 500)
    with Simulator(SimulatorConfig(per_minute=0, per_hour=per_hour)) as sim:
        exit_code = main(["restart", *ids, "--preflight", "--format", "json", "--base-url",
                          sim.base_url, "--concurrency", "2"])
        answers = [q.code for q in sim.requests if q.path == QUERY_PATH]
        restarts = restarts_sent(sim)
    out, err = capsys.readouterr()
    document = json.loads(out)
    assert exit_code == 3
    assert restarts == []
    assert answers.count(code) >= 1 and len(answers) <= answers.index(code) + 2
    assert document["summary"]["not_sent"] == len(ids) == document["summary"]["total"]
    for row in document["results"]:
        assert row["outcome"] == "not_sent" and row["code"] == code
        assert row["message"].startswith("not sent:") and str(code) in row["message"]
    assert f"stopping: {code}" in err
    assert "wrong-token" not in out + err


async def test_an_incomplete_lookup_answer_is_a_failed_lookup_not_missing_tasks() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        asked = json.loads(request.content)["ids"]
        return httpx.Response(200, json={"code": 0, "data": {
            "total": len(asked), "items": [{"id": asked[0], "status": 3}]}})

    client = GeeLarkClient("http://api.test", TokenAuth("t"),
                           transport=httpx.MockTransport(handler))
    ids = ["111111", "222222", "333333"]
    async with client:
        found = await lookup(client, ids, Pacer(RealClock(), [(60.0, 200)]))
    assert found.group("111111") == "completed"  # what it listed is still true
    assert [found.group(i) for i in ids[1:]] == ["lookup_failed", "lookup_failed"]
    assert found.to_send() == ids[1:]  # the server decides, nothing is skipped as missing
    assert "counts 3 tasks but lists 1" in found.errors[0]
    assert "do not exist" not in found.summary_line()


async def test_incomplete_answers_from_the_simulator_never_make_tasks_missing() -> None:
    ids = ids_from(574376043898300000, 400)
    with Simulator(SimulatorConfig(per_minute=0, incomplete_rate=1.0, seed=3)) as sim:
        async with GeeLarkClient(sim.base_url, TokenAuth("demo-token")) as client:
            found = await lookup(client, ids, Pacer(RealClock(), [(60.0, 200)]))
        faults = [q.fault for q in sim.requests]
    assert faults == ["incomplete"] * 4
    assert not found.groups()["missing"]
    assert found.groups()["lookup_failed"]
    for task_id in found.tasks:  # whatever it listed matches the simulator
        assert found.status_of(task_id) == sim.initial_state(task_id).status


def test_group_words_follow_the_count() -> None:
    found = Lookup(("111111", "222222", "333333"), failed={"333333"})
    found.tasks["222222"] = Task("222222", TaskStatus.COMPLETED)
    assert found.summary_line() == ("1 is completed, 1 does not exist, "
                                    "1 could not be looked up")
