"""Following restarted tasks to their end, and cancelling stuck ones before a restart: the run
session against the simulator over real HTTP, and the budget on a fake clock."""

from __future__ import annotations

import asyncio
import functools
import gc
import itertools
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from geelark_tui import headless
from geelark_tui.after import after_of, count_states
from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.endpoints import CANCEL_PATH, QUERY_PATH, RESTART_PATH
from geelark_tui.api.models import Outcome, Task, TaskStatus
from geelark_tui.cli import main
from geelark_tui.engine import RunSettings
from geelark_tui.events import FollowUpdate
from geelark_tui.follow import Follow
from geelark_tui.pacing import FakeClock, Pacer
from geelark_tui.plan import RunPlan
from geelark_tui.session import RunSession
from geelark_tui.simulator import Simulator, SimulatorConfig

TOKEN = "demo-token"
BASE = 574376043896000000


def ids_in(buckets: range | list[int], n: int) -> list[str]:
    """`n` IDs whose last two digits are in `buckets` (the simulator's behaviour)."""
    chosen = list(buckets)
    return [str(BASE + (k // len(chosen)) * 100 + chosen[k % len(chosen)]) for k in range(n)]


def window_excess(times: list[float], limit: int, window: float = 60.0) -> int:
    ts = sorted(times)
    return sum(1 for i in range(len(ts) - limit) if ts[i + limit] - ts[i] < window)


def plan_for(ids: list[str], base_url: str, **fields: object) -> RunPlan:
    return RunPlan(ids=tuple(ids), settings=RunSettings(concurrency=4), base_url=base_url,
                   host="127.0.0.1", auth_label="bearer token", **fields)  # type: ignore[arg-type]


@pytest.fixture
def quick_sim() -> Iterator[Simulator]:
    """Restarted tasks wait 0.2 s, run 0.3 s, then complete or fail again."""
    with Simulator(SimulatorConfig(token=TOKEN, per_minute=0, state_timing=(0.2, 0.3))) as sim:
        yield sim


async def run_session(sim: Simulator, plan: RunPlan) -> tuple[RunSession, Pacer]:
    pacer = Pacer.for_api(200, 24_000)
    client = GeeLarkClient(sim.base_url, TokenAuth(TOKEN))
    session = RunSession(plan, client, pacer)
    async with client:
        await session.run()
    return session, pacer


async def test_a_thousand_restarted_tasks_followed_to_their_end(quick_sim: Simulator) -> None:
    ids = ids_in(range(40), 1000)  # failed or cancelled: all restartable
    plan = plan_for(ids, quick_sim.base_url, follow=True, follow_interval=0.3,
                    follow_timeout=60)
    session, pacer = await run_session(quick_sim, plan)
    result = session.result
    assert result is not None and result.after is not None
    assert all(r.outcome is Outcome.RESTARTED for r in result.results)
    # the final states match the simulator's record
    for task_id in ids:
        truth = quick_sim.task_state(task_id)
        after = result.after[task_id]
        assert after.status == truth.status, task_id
        assert after.state == {3: "completed", 4: "failed"}[truth.status]
        if after.state == "failed":
            assert after.fail_code == truth.fail_code and after.fail_desc == truth.fail_desc
    counts = result.after_counts()
    assert counts is not None and counts["failed"] > 0 and counts["completed"] > 0
    assert counts["active"] == counts["unknown"] == 0
    assert result.exit_code == 1  # some failed again
    # What following keeps per task costs the garbage collector nothing: equal ends are one
    # object, the latest facts are packed rows (100,000 tasks: no 200,000 more objects).
    distinct = {(a.state, a.status, a.fail_code, a.fail_desc) for a in result.after.values()}
    assert len({id(a) for a in result.after.values()}) == len(distinct) < len(ids) // 10
    follower = session.follower
    assert follower is not None and len(follower.tasks) == len(ids)
    gc.collect()
    assert not any(gc.is_tracked(row) for row in follower.tasks._rows.values())
    # at most 100 a request, every request paced in the one budget, none outside it
    polls = [r for r in quick_sim.requests if r.path == QUERY_PATH]
    assert polls and max(len(r.ids) for r in polls) <= 100
    assert len(quick_sim.requests) == len(pacer.sent_times)
    assert window_excess(pacer.sent_times, 200) == 0


async def test_the_follow_stops_at_its_timeout_with_the_rest_active() -> None:
    with Simulator(SimulatorConfig(token=TOKEN, per_minute=0, state_timing=(0.1, 60))) as sim:
        ids = ids_in(range(40), 30)
        plan = plan_for(ids, sim.base_url, follow=True, follow_interval=0.2, follow_timeout=1.0)
        began = time.monotonic()
        session, _ = await run_session(sim, plan)
        assert time.monotonic() - began < 10
    result = session.result
    assert result is not None and result.after is not None
    assert {a.state for a in result.after.values()} == {"active"}
    assert {a.status for a in result.after.values()} == {2}  # running when time was up
    assert result.exit_code == 1
    assert result.follow_stopped == "time is up after 1 s, 30 still waiting, running or not seen"


async def test_a_timeout_shorter_than_the_interval_still_looks_once() -> None:
    with Simulator(SimulatorConfig(token=TOKEN, per_minute=0, state_timing=(0.1, 60))) as sim:
        ids = ids_in(range(40), 3)
        plan = plan_for(ids, sim.base_url, follow=True, follow_timeout=1.0)  # polls every 5 s
        session, _ = await run_session(sim, plan)
    result = session.result
    assert result is not None and result.after is not None
    assert {a.state for a in result.after.values()} == {"active"}  # seen, not "unknown"


async def test_no_id_is_polled_more_often_than_the_interval(quick_sim: Simulator) -> None:
    ids = ids_in(range(50, 58), 250)  # waiting or running for good: polled again and again
    client = GeeLarkClient(quick_sim.base_url, TokenAuth(TOKEN))
    async with client:
        follow = Follow(client, ids, Pacer.for_api(200, 24_000), interval=0.4, timeout=3)
        await follow.run()
    seen: dict[str, list[float]] = {}
    for record in quick_sim.requests:
        for task_id in record.ids:
            seen.setdefault(task_id, []).append(record.time)
    gaps = [b - a for times in seen.values() for a, b in itertools.pairwise(times)]
    assert gaps and min(gaps) >= 0.4 - 0.05


async def test_the_counts_sent_with_each_poll_are_a_recount_of_every_task(
        quick_sim: Simulator) -> None:
    """The follow keeps its counts up as polls come in (no walk over every ID per poll):
    after each poll they equal a count of every followed task's latest state."""
    ids = ids_in(range(40), 600) + ids_in(range(50, 52), 30)  # some never end
    client = GeeLarkClient(quick_sim.base_url, TokenAuth(TOKEN))
    checked: list[dict[str, int]] = []

    def check(update: FollowUpdate) -> None:
        recount = count_states(follow.afters().values())
        assert update.counts == recount
        checked.append(recount)

    async with client:
        follow = Follow(client, ids, Pacer.for_api(200, 24_000), interval=0.2, timeout=2.5,
                        on_update=check)
        await follow.run()
    assert len(checked) >= 8  # several turns of 7 polls
    ended = checked[-1]["completed"] + checked[-1]["failed"] + checked[-1]["cancelled"]
    assert ended == 600
    assert checked[-1]["active"] == 30 and sum(checked[-1].values()) == 630
    assert follow.stop_reason == "time is up after 2.5 s, 30 still waiting, running or not seen"


async def test_ids_left_unpolled_when_time_runs_out_mid_turn_are_still_counted() -> None:
    """A turn of 10 polls at 3 a minute outlasts a 90 s follow: the IDs its polls never
    reached stay waiting (and are said to), none is lost from the count."""
    clock = FakeClock()
    ids = [str(574376043896000000 + n) for n in range(1000)]

    def api(request: httpx.Request) -> httpx.Response:
        asked = json.loads(request.content)["ids"]
        items = [{"id": i, "status": 2} for i in asked]  # running for good
        return httpx.Response(200, json={"code": 0, "data": {"total": len(items),
                                                             "items": items}})

    client = GeeLarkClient("http://api.test", TokenAuth(TOKEN),
                           transport=httpx.MockTransport(api))
    async with client:
        follow = Follow(client, ids, Pacer.for_api(3, 24_000, clock), interval=5, timeout=90,
                        clock=clock)
        await follow.run()
    assert 0 < follow.requests < 10
    assert follow.stop_reason == ("time is up after 90 s, 1,000 still waiting, running or "
                                  "not seen")
    assert follow.counts()["active"] == 100 * follow.requests
    assert follow.counts()["unknown"] == 1000 - 100 * follow.requests


# -- the budget, on a fake clock: restarts, cancels and polls together ------------------------

class Progressing:
    """A fake API on a fake clock: restarted tasks finish 30 s later; cancels work."""

    def __init__(self, clock: FakeClock, statuses: dict[str, int]) -> None:
        self.clock, self.status, self.restarted_at = clock, dict(statuses), {}
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, ids = request.url.path, json.loads(request.content)["ids"]
        self.calls.append(path)
        now = self.clock.now()
        if path == CANCEL_PATH:
            self.status.update(dict.fromkeys(ids, 7))
            return httpx.Response(200, json={"code": 0, "data": {
                "totalAmount": len(ids), "successAmount": len(ids), "failAmount": 0}})
        if path == RESTART_PATH:
            self.restarted_at.update(dict.fromkeys(ids, now))
            self.status.update(dict.fromkeys(ids, 1))
            return httpx.Response(200, json={"code": 0, "data": {
                "totalAmount": len(ids), "successAmount": len(ids), "failAmount": 0}})
        items = []
        for task_id in ids:
            status = self.status[task_id]
            if task_id in self.restarted_at and now - self.restarted_at[task_id] > 30:
                status = 3
            items.append({"id": task_id, "status": status})
        return httpx.Response(200, json={"code": 0, "data": {"total": len(items),
                                                             "items": items}})


async def test_restarts_cancels_and_polls_share_one_per_minute_budget() -> None:
    clock = FakeClock()
    ids = [str(BASE + n) for n in range(1500)]
    statuses = {i: (2 if n % 5 == 0 else 4) for n, i in enumerate(ids)}  # some running
    api = Progressing(clock, statuses)
    pacer = Pacer.for_api(20, 24_000, clock)
    client = GeeLarkClient("http://api.test", TokenAuth(TOKEN),
                           transport=httpx.MockTransport(api))
    plan = RunPlan(ids=tuple(ids), settings=RunSettings(per_minute=20, concurrency=3),
                   base_url="http://api.test", host="api.test", auth_label="token",
                   preflight=True, cancel_active=True, follow=True)
    session = RunSession(plan, client, pacer)
    async with client:
        result = await session.run()
    assert {"restart", "cancel", "query"} <= {c.rsplit("/", 1)[-1] for c in api.calls}
    assert len(api.calls) == len(pacer.sent_times)  # every request through the pacer
    assert window_excess(pacer.sent_times, 20) == 0
    assert result.exit_code == 0  # all restarted, all completed
    assert result.cancelled_first == 300


# -- --cancel-active and --follow on the command line -------------------------------------------

def run_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, dict[str, object], str]:
    """`geelark-tui restart --format json ARGS` in this process. Its follow polls each task
    every 0.3 s, not 5 s (the interval itself: test_no_id_is_polled_more_often_than_the_interval):
    the command line cannot set it, and these tests are about what following reports."""
    monkeypatch.setattr(headless, "RunPlan", functools.partial(RunPlan, follow_interval=0.3))
    monkeypatch.setenv("GEELARK_TOKEN", TOKEN)
    monkeypatch.setenv("GEELARK_TUI_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("GEELARK_TUI_DATA_DIR", str(tmp_path / "data"))
    code = main(["restart", "--format", "json", *args])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def test_cancel_active_cancels_the_stuck_then_restarts_them(
    quick_sim: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failed, waiting, running, completed = (ids_in([n], 3) for n in (1, 50, 54, 58))
    stuck = waiting + running
    code, document, err = run_cli(capsys, tmp_path, monkeypatch, "--base-url",
                                  quick_sim.base_url, "--cancel-active",
                                  *failed, *stuck, *completed)
    assert "--cancel-active implies --preflight" in err
    assert quick_sim.cancel_counts == dict.fromkeys(stuck, 1)  # nothing else cancelled
    assert set(quick_sim.restart_counts) == set(failed + stuck)
    summary = document["summary"]
    assert isinstance(summary, dict)
    assert summary["cancelled_first"] == 6 and summary["restarted"] == 9
    assert summary["skipped"] == 3
    results = {r["id"]: r for r in document["results"]}  # type: ignore[attr-defined]
    for task_id in stuck:
        assert results[task_id]["outcome"] == "restarted"
        assert results[task_id]["message"].startswith("cancelled, then ")
        assert results[task_id]["status"] in (1, 2)  # as the pre-flight saw it
    assert all(results[i]["outcome"] == "skipped" for i in completed)
    assert set(results[failed[0]]) == {"id", "outcome", "code", "message", "status"}
    assert code == 1  # the completed ones were skipped


async def test_a_refused_cancel_is_rejected_with_the_cancels_code() -> None:
    """A task that ends between the pre-flight and the cancel: the cancel is refused, and
    the task is not restarted."""
    calls: list[str] = []

    def api(request: httpx.Request) -> httpx.Response:
        path, ids = request.url.path, json.loads(request.content)["ids"]
        calls.append(path)
        if path == QUERY_PATH:
            return httpx.Response(200, json={"code": 0, "data": {"total": 1, "items": [
                {"id": ids[0], "status": 1}]}})
        return httpx.Response(200, json={"code": 40009, "data": {
            "totalAmount": 1, "successAmount": 0, "failAmount": 1,
            "failDetails": [{"id": ids[0], "code": 48001, "msg": "status does not allow"}]}})

    client = GeeLarkClient("http://api.test", TokenAuth(TOKEN), transport=httpx.MockTransport(api))
    plan = plan_for(["574376043896000050"], "http://api.test", preflight=True,
                    cancel_active=True)
    async with client:
        result = await RunSession(plan, client, Pacer.for_api(200, 24_000)).run()
    assert calls == [QUERY_PATH, CANCEL_PATH]  # no restart
    (only,) = result.results
    assert only.outcome is Outcome.REJECTED and only.code == 48001
    assert only.message == "cancel refused: status does not allow"
    assert result.cancelled_first == 0 and result.exit_code == 1


def test_follow_adds_after_to_each_restarted_result(
    quick_sim: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = ids_in([1, 2, 3], 6) + ids_in([90], 1)  # 03 fails again; 90 does not exist
    code, document, err = run_cli(capsys, tmp_path, monkeypatch, "--base-url",
                                  quick_sim.base_url, "--follow", "--follow-timeout", "30",
                                  *ids)
    assert "following:" in err
    results = {r["id"]: r for r in document["results"]}  # type: ignore[attr-defined]
    for task_id in ids[:6]:
        after = results[task_id]["after"]
        truth = quick_sim.task_state(task_id)
        assert after["status"] == truth.status
        assert after["state"] == ("failed" if task_id.endswith("03") else "completed")
        assert (after["fail_code"] is None) == (after["state"] != "failed")
    assert "after" not in results[ids[6]]  # not restarted: nothing to follow
    assert document["summary"]["after"] == {  # type: ignore[index]
        "completed": 4, "failed": 2, "cancelled": 0, "active": 0, "unknown": 0}
    assert code == 1


def test_follow_exit_code_is_0_only_when_everything_completed(
    quick_sim: Simulator, capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = ids_in([1, 2, 4, 5], 4)  # none fails again (nn % 3 != 0)
    code, document, _ = run_cli(capsys, tmp_path, monkeypatch, "--base-url",
                                quick_sim.base_url, "--follow", *ids)
    assert document["summary"]["after"]["completed"] == 4  # type: ignore[index]
    assert code == 0


async def test_a_stop_during_the_follow_keeps_what_was_seen(quick_sim: Simulator) -> None:
    ids = ids_in(range(40), 50)
    plan = plan_for(ids, quick_sim.base_url, follow=True, follow_interval=0.2,
                    follow_timeout=60)
    client = GeeLarkClient(quick_sim.base_url, TokenAuth(TOKEN))
    session = RunSession(plan, client, Pacer.for_api(200, 24_000))
    stop_when: Callable[[], bool] = lambda: session.follower is not None  # noqa: E731
    async with client:
        task = asyncio.create_task(session.run())
        while not stop_when():
            await asyncio.sleep(0.01)
        session.stop()
        result = await asyncio.wait_for(task, 10)
    assert result.after is not None and set(result.after) == set(ids)
    # the run itself had finished: only following was stopped
    assert result.stop_reason is None and result.follow_stopped == "stopped by the user"
    assert result.exit_code == 1


def test_afters_read_from_the_packed_facts_say_what_each_task_says() -> None:
    """`afters()` reads its facts in bulk: the same After as one read from each task."""
    ids = [str(574376043898900000 + n) for n in range(10)]
    follow = Follow(GeeLarkClient("http://127.0.0.1:9", TokenAuth("t")), ids,
                    Pacer.for_api(200, 24_000))
    statuses = [TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.CANCELLED,
                TaskStatus.IN_PROGRESS, TaskStatus.WAITING, None, 99]
    for task_id, status in zip(ids, statuses, strict=False):  # the last 3: never seen
        follow.tasks[task_id] = Task(task_id, status, fail_code=-1, fail_desc="proxy failed")
    afters = follow.afters()
    assert list(afters) == ids
    assert afters == {i: after_of(follow.tasks.get(i)) for i in ids}
    assert [a.state for a in afters.values()] == [
        "completed", "failed", "cancelled", "active", "active", "unknown", "unknown",
        "unknown", "unknown", "unknown"]
    assert afters[ids[1]].fail_desc == "proxy failed" and afters[ids[0]].fail_code is None
