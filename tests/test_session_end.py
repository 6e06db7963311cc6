"""The end of a session: one result per ID with the pre-flight's status and scrubbed messages,
built off the event loop (a second for 100,000 IDs on the loop was a frozen app), and what
the run reported finalized as it came in."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest

from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.models import IdResult, Outcome, Task
from geelark_tui.engine import RunSettings
from geelark_tui.finalize import AT_ONCE, Finalizer
from geelark_tui.pacing import Pacer, RealClock
from geelark_tui.packed_tasks import PackedTasks
from geelark_tui.plan import RunPlan
from geelark_tui.preflight import Lookup
from geelark_tui.redact import MASK
from geelark_tui.session import RunSession

IDS = [f"57437604389742{n:04d}" for n in range(250)]
SECRET = "tok-0123456789abcdef"


def api(known: set[str]) -> httpx.MockTransport:
    """Refuses every tenth ID with a message quoting `SECRET`; from the last request on, the
    secret is "known" (as if typed into Settings during the run)."""
    requests = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        ids = json.loads(request.content)["ids"]
        refused = [i for i in ids if int(i[-2:]) % 10 == 0]
        data = {"totalAmount": len(ids), "successAmount": len(ids) - len(refused),
                "failAmount": len(refused),
                "failDetails": [{"id": i, "code": 48001, "msg": f"no: {SECRET}"}
                                for i in refused]}
        answer = {"traceId": "x", "code": 40006 if refused else 0, "msg": "", "data": data}
        if len(requests) == 3:
            known.add(SECRET)
        return httpx.Response(200, json=answer)

    return httpx.MockTransport(handler)


def session(known: set[str], lookup: Lookup | None) -> RunSession:
    client = GeeLarkClient("http://api.test", TokenAuth("t"), transport=api(known))
    plan = RunPlan(ids=tuple(IDS), settings=RunSettings(batch_size=100, concurrency=1),
                   base_url="http://api.test", host="api.test", auth_label="token",
                   preflight=lookup is not None, lookup=lookup)

    def scrub(text: str) -> str:
        for secret in known:
            text = text.replace(secret, MASK)
        return text

    return RunSession(plan, client, Pacer(RealClock(), []), scrub=scrub)


async def test_results_carry_the_pre_flight_status_and_are_built_in_a_thread(
        monkeypatch: pytest.MonkeyPatch) -> None:
    built_in: list[threading.Thread] = []
    all_results = RunSession._all_results

    def recording(self: RunSession, *args: Any) -> list[IdResult]:
        built_in.append(threading.current_thread())
        return all_results(self, *args)

    monkeypatch.setattr(RunSession, "_all_results", recording)
    found = Lookup(tuple(IDS),
                   tasks=PackedTasks({i: Task(i, 7 if i.endswith("1") else 4) for i in IDS}))
    result = await session(set(), found).run()
    assert built_in and threading.main_thread() not in built_in
    assert [r.id for r in result.results] == IDS
    assert all(r.status == (7 if r.id.endswith("1") else 4) for r in result.results)
    refused = [r for r in result.results if r.outcome is Outcome.REJECTED]
    assert len(refused) == 25 and all(r.code == 48001 for r in refused)


async def test_a_credential_learned_during_the_run_is_hidden_in_every_result() -> None:
    known: set[str] = set()
    result = await session(known, None).run()
    refused = [r for r in result.results if r.outcome is Outcome.REJECTED]
    assert len(refused) == 25
    assert all(r.message == f"no: {MASK}" for r in refused), refused[0]
    assert not any(SECRET in r.message for r in result.results)


def finalizer_plan(ids: list[str]) -> RunPlan:
    return RunPlan(ids=tuple(ids), settings=RunSettings(batch_size=100, concurrency=1),
                   base_url="http://api.test", host="api.test", auth_label="token")


@pytest.mark.parametrize("known_late", [False, True])
def test_all_results_one_per_id_in_input_order_whichever_way_each_came(known_late: bool) -> None:
    """The run's results (finalized as reported: kept as they are), a large report finalized
    only at the end, the pre-flight's skipped, and `not_sent` for the rest. A credential that
    became known after a result was finalized is hidden in that one too."""
    known: set[str] = set() if known_late else {SECRET}

    def scrub(text: str) -> str:
        return text.replace(SECRET, MASK) if SECRET in known else text

    ids = [f"5743760438974{n:05d}" for n in range(AT_ONCE + 20)]
    plan = finalizer_plan(ids)
    final = Finalizer(scrub)
    reported: dict[str, IdResult] = {}
    early = [IdResult(i, Outcome.REJECTED, 48001, f"no: {SECRET}") for i in ids[:10]]
    reported.update((r.id, r) for r in early)
    final.reported(plan, early, reported)
    large = [IdResult(i, Outcome.RESTARTED, 0, f"ok {SECRET}") for i in ids[10:AT_ONCE + 11]]
    reported.update((r.id, r) for r in large)
    final.reported(plan, large, reported)  # too many at once: finalized at the end
    assert all(reported[r.id] is r for r in large)
    skipped = {ids[-3]: IdResult(ids[-3], Outcome.SKIPPED, None, "completed")}
    known.add(SECRET)
    as_reported = dict(reported)

    results = final.all_results(plan, reported, skipped, "not sent: stopped")
    assert [r.id for r in results] == ids
    assert [r.outcome for r in results[AT_ONCE + 11:]] == [Outcome.NOT_SENT] * 6 + [
        Outcome.SKIPPED] + [Outcome.NOT_SENT] * 2
    assert results[-1].message == "not sent: stopped"
    assert {r.message for r in results[:10]} == {f"no: {MASK}"}
    assert {r.message for r in results[10:AT_ONCE + 11]} == {f"ok {MASK}"}
    if not known_late:  # finalized as they were reported: the very same results
        assert all(r is as_reported[r.id] for r in results[:10])


def test_all_results_keeps_what_was_finalized_as_reported_and_fills_the_gaps() -> None:
    """The common end of a run: every result finalized as it came in is handed on as it is;
    an ID the run never reported is the pre-flight's skip, else `not_sent`."""
    ids = [f"5743760438975{n:05d}" for n in range(30_000)]  # more than one slice
    plan = finalizer_plan(ids)
    final = Finalizer(lambda text: text)
    reported: dict[str, IdResult] = {}
    sent = [IdResult(i, Outcome.RESTARTED, 0, "ok") for n, i in enumerate(ids) if n % 7]
    for at in range(0, len(sent), 100):
        batch = sent[at:at + 100]
        reported.update((r.id, r) for r in batch)
        final.reported(plan, batch, reported)
    skipped = {ids[7]: IdResult(ids[7], Outcome.SKIPPED, None, "completed")}

    results = final.all_results(plan, reported, skipped, "not sent: stopped")
    assert [r.id for r in results] == ids
    assert all(results[n] is reported[i] for n, i in enumerate(ids) if n % 7)
    assert results[7] is skipped[ids[7]]
    assert {(r.outcome, r.message) for n, r in enumerate(results) if n % 7 == 0 and n != 7} == {
        (Outcome.NOT_SENT, "not sent: stopped")}
