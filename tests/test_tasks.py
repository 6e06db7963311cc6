"""Finding tasks in the 7-day history: the paged walk against the simulator over real HTTP
(every task once; a server that repeats a cursor, ends a page short, refuses the paging or
throttles mid-walk), the shared per-minute budget, and the client's reading of a page."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest

from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.engine import RestartRun, RunSettings
from geelark_tui.events import RateLimitWait
from geelark_tui.pacing import FakeClock, Pacer
from geelark_tui.sim_history import LISTED_SPAN
from geelark_tui.simulator import Simulator, SimulatorConfig
from geelark_tui.task_filter import TaskFilter
from geelark_tui.tasks import PageRead, TaskWalk, WalkEnd, WalkEvent

EVERY = TaskFilter(statuses=None)


def simulator(**config: Any) -> Simulator:
    return Simulator(SimulatorConfig(per_minute=0, **config))


@pytest.fixture
def sim() -> Iterator[Simulator]:
    with simulator() as s:
        yield s


def client_of(sim: Simulator) -> GeeLarkClient:
    return GeeLarkClient(sim.base_url, TokenAuth("demo-token"))


def fake_pacer(per_minute: int = 200) -> Pacer:
    return Pacer.for_api(per_minute, 24_000, FakeClock())


def history_requests(sim: Simulator) -> int:
    return sum(1 for r in sim.requests if r.path.endswith("/historyRecords"))


async def test_every_task_of_the_seven_days_exactly_once(sim: Simulator) -> None:
    events: list[WalkEvent] = []
    async with client_of(sim) as client:
        result = await TaskWalk(client, fake_pacer(), EVERY, on_event=events.append).run()
    listed = sim.history_tasks()
    assert result.end is WalkEnd.DONE and result.complete and result.reason == ""
    assert result.pages >= 5 and result.pages == len(sim.history.pages)
    ids = [t.id for t in result.tasks]
    assert len(ids) == len(set(ids)) == len(listed) == result.seen == result.total
    assert set(ids) == {t.id for t in listed}
    # the population spans 8 days; what is older than 7 is never listed
    oldest = min(t.schedule_at for t in sim.history.tasks)
    assert oldest < time.time() - LISTED_SPAN
    assert all(t.schedule_at >= time.time() - LISTED_SPAN - 60 for t in result.tasks)
    pages = [e for e in events if isinstance(e, PageRead)]
    assert [p.pages for p in pages] == list(range(1, result.pages + 1))
    assert sum(len(p.found) for p in pages) == len(ids)


async def test_the_tasks_agree_with_task_query_and_restart(sim: Simulator) -> None:
    """A failed or cancelled task in the history can be restarted; task/query says the same."""
    async with client_of(sim) as client:
        found = (await TaskWalk(client, fake_pacer(), TaskFilter()).run()).tasks
        sample = found[:100]
        assert sample and {t.status for t in found} == {4, 7}
        queried = {t.id: replace(t, share_link=None)
                   for t in (await client.query([t.id for t in sample])).tasks}
        assert queried == {t.id: t for t in sample}  # every field (history has no shareLink)
        answer = await client.restart([t.id for t in sample])
    assert answer.code == 0 and answer.success == len(sample)


async def test_tasks_that_age_out_during_a_long_walk_do_not_make_it_incomplete() -> None:
    """Every page comes 20 minutes after the last (a slow walk of a big account): the oldest
    tasks leave the 7 days before their page is read. The list is still complete."""
    wall = [1_800_000_000.0]
    with simulator(wall_clock=lambda: wall[0]) as sim:
        first_count = len(sim.history_tasks())

        def later(event: WalkEvent) -> None:
            if isinstance(event, PageRead):
                wall[0] += 20 * 60

        async with client_of(sim) as client:
            result = await TaskWalk(client, fake_pacer(), EVERY, on_event=later).run()
        now_listed = sim.history_tasks()
    assert result.end is WalkEnd.DONE, result.reason
    assert len(now_listed) < result.seen < first_count + 1


@pytest.mark.parametrize(("fault", "says"), [
    ("repeat", "repeated a page"),
    ("short", "its pages ended after 350"),
    ("empty", "its pages ended after 300"),
    ("40008", "40008 bad pagination parameters"),
])
async def test_a_server_that_misbehaves_mid_walk_stops_it_and_says_so(
    fault: str, says: str
) -> None:
    with simulator(history_faults={4: fault}) as sim:
        async with client_of(sim) as client:
            result = await TaskWalk(client, fake_pacer(), EVERY).run()
        served = sim.history.pages
    assert result.end is WalkEnd.INCOMPLETE and not result.complete
    assert says in result.reason and "incomplete" in result.reason
    assert history_requests(sim) == 4  # never loops, never reads on blindly
    # nothing that was served is lost, nothing is counted twice
    assert sorted(t.id for t in result.tasks) == sorted({i for page in served for i in page})


async def test_a_server_that_always_repeats_its_page_is_not_read_forever() -> None:
    with simulator(history_faults=dict.fromkeys(range(2, 100), "repeat")) as sim:
        async with client_of(sim) as client:
            result = await TaskWalk(client, fake_pacer(), EVERY).run()
    assert result.end is WalkEnd.INCOMPLETE and "repeated a page" in result.reason
    assert history_requests(sim) == 2 and result.seen == 100


@pytest.mark.parametrize("fault", ["40017", "429", "5xx", "drop", "no_items"])
async def test_a_page_refused_or_lost_once_is_read_again(fault: str) -> None:
    with simulator(history_faults={3: fault}) as sim:
        async with client_of(sim) as client:
            result = await TaskWalk(client, fake_pacer(), EVERY).run()
        listed = sim.history_tasks()
    assert result.end is WalkEnd.DONE
    assert sorted(t.id for t in result.tasks) == sorted(t.id for t in listed)
    assert result.requests == result.pages + 1 == history_requests(sim)


async def test_40007_mid_walk_waits_for_the_next_minute_then_goes_on() -> None:
    clock = FakeClock()
    pacer = Pacer.for_api(200, 24_000, clock)
    wall_start = 1_800_000_040.0  # 40 s into a minute of the server's clock

    def wall() -> float:
        return wall_start + clock.now() - 1000.0

    waits: list[RateLimitWait] = []
    with simulator(history_faults={4: "40007"}) as sim:
        async with client_of(sim) as client:
            walk = TaskWalk(client, pacer, EVERY, wall_clock=wall,
                            on_event=lambda e: waits.append(e) if isinstance(
                                e, RateLimitWait) else None)
            result = await walk.run()
        listed = sim.history_tasks()
    assert result.end is WalkEnd.DONE and len(result.tasks) == len(listed)
    sent = pacer.sent_times
    assert len(sent) == result.requests == result.pages + 1
    # the 4th request got 40007; the 5th (the same page again) went after the minute turned
    assert sent[4] - sent[3] >= 60 - (wall_start % 60)
    assert wall_start + sent[4] - 1000.0 >= (wall_start // 60 + 1) * 60
    assert waits and all(w.by_server for w in waits)


async def test_a_server_that_keeps_throttling_ends_the_walk_incomplete() -> None:
    with simulator(history_faults=dict.fromkeys(range(2, 40), "40017")) as sim:
        async with client_of(sim) as client:
            result = await TaskWalk(client, fake_pacer(), EVERY, max_waits=3).run()
    assert result.end is WalkEnd.INCOMPLETE and "kept answering 40017" in result.reason
    assert result.pages == 1 and history_requests(sim) == 1 + 4


async def test_a_page_that_keeps_failing_ends_the_walk_incomplete() -> None:
    with simulator(history_faults=dict.fromkeys(range(3, 40), "5xx")) as sim:
        async with client_of(sim) as client:
            result = await TaskWalk(client, fake_pacer(), EVERY, attempts=3).run()
    assert result.end is WalkEnd.INCOMPLETE and "page 3 could not be read" in result.reason
    assert result.pages == 2 and history_requests(sim) == 2 + 3


@pytest.mark.parametrize("code", ["40003", "40014", "47002"])
async def test_an_account_level_answer_stops_the_walk_at_once(code: str) -> None:
    with simulator(history_faults={3: code}) as sim:
        async with client_of(sim) as client:
            result = await TaskWalk(client, fake_pacer(), EVERY).run()
    assert result.end is WalkEnd.REFUSED and result.code == int(code)
    assert history_requests(sim) == 3


async def test_a_wrong_token_is_refused() -> None:
    with simulator(token="another") as sim:
        async with client_of(sim) as client:
            result = await TaskWalk(client, fake_pacer(), EVERY).run()
    assert result.end is WalkEnd.REFUSED and result.code == 40003 and result.pages == 0


async def test_an_unreachable_host_is_refused() -> None:
    with simulator() as sim:
        url = sim.base_url
    async with GeeLarkClient(url, TokenAuth("demo-token")) as client:
        result = await TaskWalk(client, fake_pacer(), EVERY).run()
    assert result.end is WalkEnd.REFUSED and "cannot reach" in result.reason


async def test_stop_ends_the_walk_after_the_page_in_flight(sim: Simulator) -> None:
    async with client_of(sim) as client:
        walk = TaskWalk(client, fake_pacer(), EVERY)

        def on_event(event: WalkEvent) -> None:
            if isinstance(event, PageRead) and event.pages == 2:
                walk.stop()

        walk._emit = on_event
        result = await walk.run()
    assert result.end is WalkEnd.STOPPED and result.pages == 2
    assert history_requests(sim) == 2


async def test_the_limit_stops_after_that_many_matches(sim: Simulator) -> None:
    async with client_of(sim) as client:
        result = await TaskWalk(client, fake_pacer(), TaskFilter(), limit=130).run()
    assert result.end is WalkEnd.LIMIT and result.complete and len(result.tasks) == 130
    assert result.pages < len(sim.history.pages) + 1 and result.pages >= 2


async def test_the_filter_is_applied_to_what_the_walk_keeps(sim: Simulator) -> None:
    since = time.time() - 12 * 3600
    wanted = TaskFilter(since=since)
    async with client_of(sim) as client:
        result = await TaskWalk(client, fake_pacer(), wanted).run()
    expected = [t.id for t in sim.history_tasks()
                if t.status in (4, 7) and t.schedule_at >= since]
    assert expected and [t.id for t in result.tasks] == expected
    assert result.seen == len(sim.history_tasks())


async def test_a_walk_and_the_restart_of_what_it_found_share_one_budget() -> None:
    """10+ pages, then the restart of the failed and cancelled tasks found, through one pacer
    with a limit of 5 a minute: no 60 s window ever holds more than 5 requests."""
    per_minute = 5
    clock = FakeClock()
    pacer = Pacer.for_api(per_minute, 24_000, clock)
    with simulator() as sim:
        async with client_of(sim) as client:
            walk = await TaskWalk(client, pacer, TaskFilter()).run()
            assert walk.end is WalkEnd.DONE and walk.pages >= 10
            ids = [t.id for t in walk.tasks]
            run = RestartRun(client, ids, RunSettings(per_minute=per_minute, batch_size=100),
                             clock=clock, pacer=pacer)
            report = await run.run()
        sent_to_server = len(sim.requests)
    assert all(r.outcome.value == "restarted" for r in report.results.values())
    assert len(report.results) == len(ids) > 100
    sent = pacer.sent_times
    assert len(sent) == sent_to_server == walk.requests + report.restart_requests
    for n, start in enumerate(sent):
        in_window = [t for t in sent[n:] if t < start + 60.0]
        assert len(in_window) <= per_minute, (n, in_window)


# -- the client's reading of one page ------------------------------------------------------

def answering(body: object, seen: list[dict[str, Any]] | None = None) -> GeeLarkClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(json.loads(request.content))
        return httpx.Response(200, content=json.dumps(body).encode())

    return GeeLarkClient("http://api.test", TokenAuth("t"), transport=httpx.MockTransport(handler))


async def test_history_sends_size_cursor_and_ids_and_reads_the_page() -> None:
    seen: list[dict[str, Any]] = []
    items = [{"id": "574376043897425801", "status": 4, "scheduleAt": "1767225600",
              "failCode": "29997", "failDesc": "insufficient balance"},
             {"id": 574376043897425802, "status": 7}]
    async with answering({"code": 0, "data": {"total": 900, "items": items}}, seen) as client:
        page = await client.history(100)
        await client.history(50, "574376043897425801", ["1", "2"])
    assert seen == [{"size": 100},
                    {"size": 50, "lastId": "574376043897425801", "ids": ["1", "2"]}]
    # a total larger than the page is normal for the history (it counts all 7 days)
    assert page.complete and page.total == 900 and len(page.tasks) == 2
    assert page.tasks[0].schedule_at == 1767225600 and page.tasks[0].fail_code == 29997
    assert page.tasks[1].id == "574376043897425802"  # a numeric id stays a string


@pytest.mark.parametrize("data", [None, {}, {"total": 3}, {"items": "x"},
                                  {"items": [{"id": "1", "status": 4}, {"status": 4}]}])
async def test_a_page_without_a_readable_item_list_is_incomplete(data: object) -> None:
    async with answering({"code": 0, "data": data}) as client:
        page = await client.history(100)
    assert not page.complete and page.incomplete


async def test_a_walk_never_takes_an_unreadable_page_for_the_end() -> None:
    """An answer without `items` (every time) ends the walk incomplete, not done."""
    async with answering({"code": 0, "data": {"total": 5}}) as client:
        result = await TaskWalk(client, fake_pacer(), EVERY).run()
    assert result.end is WalkEnd.INCOMPLETE and "unreadable" in result.reason
    assert result.requests == 3
