"""Engine behaviour against a scripted fake API (httpx.MockTransport) and a fake clock."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.models import Outcome
from geelark_tui.engine import RestartRun, RunSettings
from geelark_tui.events import BatchFinished, Event, OutcomesReported, RateLimitWait, RunStopping
from geelark_tui.pacing import FakeClock

IDS = [f"5743760438974{n:05d}" for n in range(250)]
Handler = Callable[[str, list[str]], httpx.Response]


def ok(ids: list[str]) -> httpx.Response:
    n = len(ids)
    return httpx.Response(200, json={"code": 0, "msg": "success",
                                     "data": {"totalAmount": n, "successAmount": n,
                                              "failAmount": 0}})


class FakeApi:
    def __init__(self, restart: Handler, query: Handler | None = None) -> None:
        self.restart_calls: list[list[str]] = []
        self.query_calls: list[list[str]] = []
        self._restart = restart
        self._query = query

    def __call__(self, request: httpx.Request) -> httpx.Response:
        ids = json.loads(request.content)["ids"]
        if request.url.path.endswith("/restart"):
            self.restart_calls.append(ids)
            return self._restart(request.url.path, ids)
        self.query_calls.append(ids)
        assert self._query is not None, "unexpected query"
        return self._query(request.url.path, ids)


def make_run(api: FakeApi, ids: list[str], events: list[Event] | None = None,
             **settings: object) -> RestartRun:
    client = GeeLarkClient("http://api.test", TokenAuth("t"), transport=httpx.MockTransport(api))
    defaults: dict[str, object] = {"backoff": 0.01}
    defaults.update(settings)
    return RestartRun(client, ids, RunSettings(**defaults),  # type: ignore[arg-type]
                      on_event=(events.append if events is not None else None),
                      clock=FakeClock())


async def test_chunks_of_at_most_batch_size_in_order() -> None:
    api = FakeApi(lambda _p, ids: ok(ids))
    report = await make_run(api, IDS + IDS[:10]).run()  # duplicates are dropped
    assert [len(c) for c in api.restart_calls] == [100, 100, 50]
    assert sorted(i for call in api.restart_calls for i in call) == sorted(IDS)
    assert [r.id for r in report.ordered()] == IDS
    assert report.counts()[Outcome.RESTARTED] == 250 and report.exit_code == 0


async def test_configurable_batch_size() -> None:
    api = FakeApi(lambda _p, ids: ok(ids))
    await make_run(api, IDS[:25], batch_size=7).run()
    assert [len(c) for c in api.restart_calls] == [7, 7, 7, 4]


def test_batch_size_outside_1_to_100_is_refused() -> None:
    with pytest.raises(ValueError):
        RunSettings(batch_size=101)
    with pytest.raises(ValueError):
        RunSettings(batch_size=0)


async def test_pacing_never_exceeds_the_limit_in_any_window() -> None:
    api = FakeApi(lambda _p, ids: ok(ids))
    ids = [f"1000000{n:05d}" for n in range(450)]
    events: list[Event] = []
    run = make_run(api, ids, events, batch_size=1, per_minute=20, concurrency=4)
    await run.run()
    times = run.pacer.sent_times
    assert len(times) == 450
    for i, start in enumerate(times):
        in_window = sum(1 for t in times[i:] if t < start + 60.0)
        assert in_window <= 20
    # it really had to wait, and said so
    assert any(isinstance(e, RateLimitWait) and not e.by_server for e in events)
    assert times[-1] - times[0] >= 60.0 * (450 // 20 - 1)


async def test_partial_success_with_string_codes() -> None:
    def restart(_p: str, ids: list[str]) -> httpx.Response:
        return httpx.Response(200, json={"code": 40006, "data": {
            "totalAmount": len(ids), "successAmount": len(ids) - 1, "failAmount": 1,
            "failDetails": [{"id": ids[0], "code": "48001", "msg": "status does not allow"}]}})

    report = await make_run(FakeApi(restart), IDS[:5]).run()
    first, *rest = report.ordered()
    assert (first.outcome, first.code) == (Outcome.REJECTED, 48001)
    assert all(r.outcome is Outcome.RESTARTED for r in rest)
    assert report.exit_code == 1


async def test_code_zero_with_fail_amount_reads_fail_details() -> None:
    def restart(_p: str, ids: list[str]) -> httpx.Response:
        return httpx.Response(200, json={"code": 0, "data": {
            "totalAmount": len(ids), "successAmount": len(ids) - 1, "failAmount": 1,
            "failDetails": [{"id": ids[1], "code": 48000, "msg": "limit"}]}})

    report = await make_run(FakeApi(restart), IDS[:3]).run()
    assert [r.outcome for r in report.ordered()] == [
        Outcome.RESTARTED, Outcome.REJECTED, Outcome.RESTARTED]


async def test_40007_waits_for_next_minute_and_resends_that_batch() -> None:
    answers = iter([httpx.Response(200, json={"code": 40007, "msg": "too many"})])

    def restart(_p: str, ids: list[str]) -> httpx.Response:
        return next(answers, None) or ok(ids)

    events: list[Event] = []
    run = make_run(FakeApi(restart), IDS[:10], events)
    report = await run.run()
    assert report.counts()[Outcome.RESTARTED] == 10
    assert report.restart_requests == 2
    waits = [e for e in events if isinstance(e, RateLimitWait) and e.by_server]
    assert waits and waits[0].seconds > 0.5
    assert run.pacer.sent_times[1] - run.pacer.sent_times[0] >= waits[0].seconds - 0.01


@pytest.mark.parametrize("throttle", [
    httpx.Response(429, text="<html>Too Many Requests</html>"),
    httpx.Response(200, json={"code": "40017", "msg": "try later"}),
])
async def test_429_and_40017_back_off_and_resend(throttle: httpx.Response) -> None:
    answers = iter([throttle, throttle])

    def restart(_p: str, ids: list[str]) -> httpx.Response:
        return next(answers, None) or ok(ids)

    api = FakeApi(restart)
    report = await make_run(api, IDS[:10]).run()
    assert len(api.restart_calls) == 3
    assert report.counts()[Outcome.RESTARTED] == 10


@pytest.mark.parametrize(("code", "words"), [(40003, "token"), (40014, "2 hours"),
                                             (47002, "concurrent")])
async def test_auth_and_lock_stop_the_run(code: int, words: str) -> None:
    api = FakeApi(lambda _p, ids: httpx.Response(200, json={"code": code, "msg": "no"}))
    events: list[Event] = []
    report = await make_run(api, IDS, events, concurrency=1).run()
    assert len(api.restart_calls) == 1  # nothing more is sent after the first refusal
    assert all(r.outcome is Outcome.NOT_SENT for r in report.ordered())
    assert report.exit_code == 3 and report.stop_code == code
    assert any(isinstance(e, RunStopping) and e.code == code for e in events)
    assert words in (report.stop_reason or "") or code == 40003
    assert str(code) in report.ordered()[-1].message


async def test_user_stop_lets_in_flight_finish_and_marks_rest_not_sent() -> None:
    run: RestartRun

    def restart(_p: str, ids: list[str]) -> httpx.Response:
        if len(api.restart_calls) == 2:
            run.stop()
        return ok(ids)

    api = FakeApi(restart)
    run = make_run(api, IDS, concurrency=1)
    report = await run.run()
    counts = report.counts()
    assert counts[Outcome.RESTARTED] == 200
    assert counts[Outcome.NOT_SENT] == 50
    assert report.stopped_by_user and report.exit_code == 1
    assert "stopped by the user" in report.ordered()[-1].message


def _query_answer(statuses: dict[str, int]) -> Handler:
    def query(_p: str, ids: list[str]) -> httpx.Response:
        items = [{"id": i, "status": statuses[i]} for i in ids if i in statuses]
        return httpx.Response(200, json={"code": 0, "data": {"total": len(items),
                                                             "items": items}})
    return query


async def test_ambiguous_5xx_is_verified_and_only_a_still_failed_task_resent_once() -> None:
    ids = IDS[:4]
    statuses = {ids[0]: 1, ids[1]: 4, ids[2]: 2}  # ids[3] not found
    api = FakeApi(lambda _p, _ids: httpx.Response(502, text="<html>Bad Gateway</html>"),
                  _query_answer(statuses))
    report = await make_run(api, ids).run()
    # still failed after the 502: resent once; the resend's 502 is looked up too, not resent
    assert api.restart_calls == [ids, [ids[1]]]
    assert api.query_calls == [ids, [ids[1]]]
    results = report.ordered()
    assert [r.outcome for r in results] == [Outcome.UNKNOWN, Outcome.NOT_SENT, Outcome.UNKNOWN,
                                            Outcome.UNKNOWN]
    # a status alone proves nothing: no claim that this run restarted it
    assert "may have been restarted by this run, or was already active" in results[0].message
    assert "probably" not in results[0].message
    assert "still failed: not restarted, safe to re-submit" in results[1].message
    assert "sent again" in results[1].message
    assert "did not find" in results[3].message


async def test_a_still_failed_task_is_resent_and_the_resend_answer_counts() -> None:
    ids = IDS[:3]

    def restart(_p: str, sent: list[str]) -> httpx.Response:
        if len(api.restart_calls) == 1:
            return httpx.Response(504, text="")
        return ok(sent)

    api = FakeApi(restart, _query_answer({ids[0]: 4, ids[1]: 7, ids[2]: 1}))
    events: list[Event] = []
    report = await make_run(api, ids, events).run()
    assert api.restart_calls == [ids, ids[:2]]
    results = report.ordered()
    assert [r.outcome for r in results] == [Outcome.RESTARTED, Outcome.RESTARTED,
                                            Outcome.UNKNOWN]
    assert "sent again" in results[0].message and "still failed" in results[0].message
    assert "still cancelled" in results[1].message
    # one batch, finished once; every ID reported once
    assert sum(isinstance(e, BatchFinished) for e in events) == 1
    reported = [r.id for e in events if isinstance(e, OutcomesReported) for r in e.results]
    assert sorted(reported) == sorted(ids)


async def test_verification_with_prior_status_proves_a_restart() -> None:
    ids = IDS[:3]
    api = FakeApi(lambda _p, _ids: httpx.Response(200, json={"code": 40000}),
                  _query_answer({ids[0]: 1, ids[1]: 1, ids[2]: 4}))
    client = GeeLarkClient("http://api.test", TokenAuth("t"), transport=httpx.MockTransport(api))
    run = RestartRun(client, ids, RunSettings(), clock=FakeClock(),
                     prior_status={ids[0]: 4, ids[1]: 1, ids[2]: 7})
    results = (await run.run()).ordered()
    # failed before, waiting now: proven. Waiting before and after proves nothing. Failed
    # before and still failed: resent once; after a second unclear answer, not restarted.
    assert [r.outcome for r in results] == [Outcome.RESTARTED, Outcome.UNKNOWN, Outcome.NOT_SENT]


async def test_counts_that_do_not_add_up_are_verified() -> None:
    def restart(_p: str, ids: list[str]) -> httpx.Response:
        return httpx.Response(200, json={"code": 40006, "data": {
            "totalAmount": len(ids), "successAmount": len(ids), "failAmount": 2,
            "failDetails": [{"id": ids[0], "code": 48002, "msg": "gone"}]}})

    ids = IDS[:3]
    api = FakeApi(restart, _query_answer({ids[1]: 1, ids[2]: 4}))
    report = await make_run(api, ids).run()
    results = report.ordered()
    assert results[0].outcome is Outcome.REJECTED and results[0].code == 48002
    assert results[1].outcome is Outcome.UNKNOWN
    # still failed: resent once, and the resend's answer (it refuses that ID) is the result
    assert api.restart_calls == [ids, ids[2:]]
    assert results[2].outcome is Outcome.REJECTED and results[2].code == 48002
    assert "sent again" in results[2].message
    assert api.query_calls == [ids[1:]]


async def test_timeout_is_never_resent() -> None:
    def restart(_p: str, ids: list[str]) -> httpx.Response:
        raise httpx.ReadTimeout("slow")

    api = FakeApi(restart, _query_answer({}))
    report = await make_run(api, IDS[:150]).run()
    assert len(api.restart_calls) == 2
    assert all(r.outcome is Outcome.UNKNOWN for r in report.ordered())


async def test_connection_refused_is_resent_then_stops_the_run() -> None:
    def restart(_p: str, ids: list[str]) -> httpx.Response:
        raise httpx.ConnectError("refused")

    api = FakeApi(restart)
    report = await make_run(api, IDS[:150], concurrency=1).run()
    assert len(api.restart_calls) == 4  # first try + 3 retries, then the run stops
    assert all(r.outcome is Outcome.NOT_SENT for r in report.ordered())
    assert report.exit_code == 3 and "cannot reach" in (report.stop_reason or "")


async def test_whole_batch_refusal_is_rejected() -> None:
    api = FakeApi(lambda _p, _ids: httpx.Response(200, json={"code": 40004, "msg": "bad"}))
    report = await make_run(api, IDS[:5]).run()
    assert all(r.outcome is Outcome.REJECTED and r.code == 40004 for r in report.ordered())


async def test_every_id_has_exactly_one_outcome_with_mixed_answers() -> None:
    answers = [
        lambda ids: ok(ids),
        lambda ids: httpx.Response(503, text=""),
        lambda ids: httpx.Response(200, json={"code": 40009, "data": {
            "totalAmount": len(ids), "successAmount": 0, "failAmount": len(ids),
            "failDetails": [{"id": i, "code": 48002, "msg": "x"} for i in ids]}}),
    ]

    def restart(_p: str, ids: list[str]) -> httpx.Response:
        return answers[len(api.restart_calls) % 3](ids)

    api = FakeApi(restart, _query_answer({}))
    report = await make_run(api, IDS, batch_size=10).run()
    assert set(report.results) == set(IDS)
    assert sum(report.counts().values()) == len(IDS)


@pytest.mark.parametrize("code", [40003, 40014, 47002])
async def test_an_account_level_answer_to_a_verification_lookup_stops_the_run(
    code: int,
) -> None:
    api = FakeApi(lambda _p, _ids: httpx.Response(502, text="<html>Bad Gateway</html>"),
                  lambda _p, _ids: httpx.Response(200, json={"code": code, "msg": "no"}))
    events: list[Event] = []
    report = await make_run(api, IDS, events, concurrency=1).run()
    # the first batch went out and its lookup was refused: nothing more is sent
    assert len(api.restart_calls) == 1 and len(api.query_calls) == 1
    first, rest = report.ordered()[:100], report.ordered()[100:]
    # sent, so maybe applied: unknown, saying the run stopped on the code (not "lookup failed")
    assert all(r.outcome is Outcome.UNKNOWN and str(code) in r.message for r in first)
    assert all("the run stopped" in r.message and "lookup failed" not in r.message
               for r in first)
    assert all(r.outcome is Outcome.NOT_SENT and r.code == code for r in rest)
    assert report.exit_code == 3 and report.stop_code == code
    assert any(isinstance(e, RunStopping) and e.code == code for e in events)


@pytest.mark.parametrize("data", [{"total": 4, "items": []}, {"total": 4}])
async def test_an_incomplete_verification_lookup_is_a_failed_lookup(data: object) -> None:
    ids = IDS[:4]
    api = FakeApi(lambda _p, _ids: httpx.Response(502, text="<html>Bad Gateway</html>"),
                  lambda _p, _ids: httpx.Response(200, json={"code": 0, "data": data}))
    results = (await make_run(api, ids).run()).ordered()
    assert all(r.outcome is Outcome.UNKNOWN for r in results)
    assert not any("did not find" in r.message for r in results)
    assert all("lookup failed" in r.message and "incomplete" in r.message for r in results)


async def test_an_incomplete_verification_lookup_still_uses_what_it_listed() -> None:
    ids = IDS[:3]

    def query(_p: str, asked: list[str]) -> httpx.Response:
        return httpx.Response(200, json={"code": 0, "data": {
            "total": 3, "items": [{"id": asked[0], "status": 1}]}})

    api = FakeApi(lambda _p, _ids: httpx.Response(200, json={"code": 40000}), query)
    client = GeeLarkClient("http://api.test", TokenAuth("t"), transport=httpx.MockTransport(api))
    run = RestartRun(client, ids, RunSettings(), clock=FakeClock(),
                     prior_status=dict.fromkeys(ids, 4))
    results = (await run.run()).ordered()
    assert results[0].outcome is Outcome.RESTARTED  # failed before, waiting now: proven
    assert [r.outcome for r in results[1:]] == [Outcome.UNKNOWN, Outcome.UNKNOWN]
    assert all("lookup failed" in r.message for r in results[1:])
