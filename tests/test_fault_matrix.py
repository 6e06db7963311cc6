"""The fault matrix, short: thousands of IDs against the simulator over real HTTP with every
fault mixed in, and every invariant of design.md "Outcomes" checked after each run. The same
runs, longer: ``python -m tests.soak --runs 200``. Then: planted bugs are caught."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

import pytest
from fault_matrix import FAULT_KINDS, Plan, make_plan, run_plan, soak

from geelark_tui.api.client import FailureKind, GeeLarkClient, TransportFailure, parse_batch
from geelark_tui.api.models import BatchResult, Envelope, IdResult, Outcome
from geelark_tui.engine import RestartRun
from geelark_tui.pacing import Pacer
from geelark_tui.verdict import RESEND, judge


def test_thousands_of_ids_every_fault_no_invariant_broken() -> None:
    totals = soak(runs=24, ids_per_run=250, seed=20261128)
    assert totals.violations == []
    assert totals.runs == 24 and totals.ids == 6000
    injected = {kind for kind, n in totals.faults_injected.items() if n}
    assert injected >= FAULT_KINDS, f"never injected: {sorted(FAULT_KINDS - injected)}"
    assert {"user_stop", "user_cancel", "quirks_runs"} <= injected
    assert set(totals.outcomes) == {o.value for o in Outcome} - {"skipped"}


# -- the invariants have teeth: each planted bug breaks one -----------------------------------

def harsh(index: int, **settings: object) -> Plan:
    plan = make_plan(random.Random(index), index, 200)
    sim = {**plan.sim, "error_5xx_rate": 0.15, "drop_rate": 0.1, "garbage_rate": 0.1,
           "truncate_rate": 0.05, "slow_rate": 0.0, "rate_429": 0.05}
    return dataclasses.replace(plan, sim=sim, stop_after_events=None, cancel=False,
                               settings=dataclasses.replace(plan.settings, batch_size=10,
                                                            **settings))


class RetryingClient(GeeLarkClient):
    """Resends what may have been applied: the blind retry design.md forbids."""

    async def restart(self, ids: Sequence[str]) -> BatchResult:
        for _ in range(3):
            try:
                return await super().restart(ids)
            except TransportFailure as failure:
                if failure.kind is not FailureKind.AMBIGUOUS:
                    raise
        return await super().restart(ids)


class OptimisticClient(GeeLarkClient):
    """Takes an unreadable answer for a success."""

    async def restart(self, ids: Sequence[str]) -> BatchResult:
        try:
            return await super().restart(ids)
        except TransportFailure as failure:
            if failure.kind is not FailureKind.AMBIGUOUS:
                raise
            n = len(ids)
            data = {"totalAmount": n, "successAmount": n, "failAmount": 0}
            return parse_batch(Envelope(0, "assumed", "", data, 200), ids)


def unpaced(*args: object, **kwargs: object) -> RestartRun:
    run = RestartRun(*args, **kwargs)  # type: ignore[arg-type]
    run.pacer = Pacer(run.clock, [])  # records grants, never waits
    return run


def never_resent(task_id: str, task: object, **facts: object) -> object:
    """The verdict before issue 12: a task still failed after an unclear answer stays
    `unknown` instead of being resent once."""
    verdict = judge(task_id, task, **facts)  # type: ignore[arg-type]
    if verdict == RESEND:
        return IdResult(task_id, Outcome.UNKNOWN, None, "still failed: safe to re-submit")
    return verdict


@pytest.mark.parametrize(("bug", "symptom"), [
    ("retrying client", "reported rejected but the server restarted it"),
    ("optimistic client", "reported restarted, server applied it 0 times"),
    ("no pacing", "more than 12 in a minute"),
    ("no resend", "unknown although its lookup settled it"),
])
async def test_a_planted_bug_is_caught(bug: str, symptom: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    found: list[str] = []
    if bug == "no resend":
        monkeypatch.setattr("geelark_tui.engine.judge", never_resent)
    for index in range(3):
        plan = dataclasses.replace(harsh(index, per_minute=12), prior_status=True)
        if bug == "retrying client":
            outcome = await run_plan(plan, client_class=RetryingClient)
        elif bug == "optimistic client":
            outcome = await run_plan(plan, client_class=OptimisticClient)
        else:
            outcome = await run_plan(plan, make_run=unpaced)
        found += outcome.violations
    assert any(symptom in v for v in found), found[:10]


async def test_the_same_harsh_runs_pass_without_the_bug() -> None:
    for index in range(3):
        outcome = await run_plan(harsh(index, per_minute=12))
        assert outcome.violations == []
