"""The fault matrix: restart runs against the simulator over real HTTP with every fault mixed
in, and the invariants of design.md ("Outcomes") checked after each run.

Used by ``tests/test_fault_matrix.py`` (a short matrix in the default test run) and by the long
soak, ``python -m tests.soak --runs 200`` (see ``tests/soak.py``).

Time. The per-minute budget (ours, and the simulator's 40007 windows) is counted on one
`LockstepClock` shared by the engine (pacing, back-off, "wait for the next minute") and the
simulator (``wall_clock``). A sleep jumps ahead at once, so a 40007 costs no real minute, but
never while a request is on the wire: the instant the pacer granted a request is the instant
the simulator counted it. Timeouts, slow answers and dropped connections stay real.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import httpx

from geelark_tui.api.auth import TokenAuth
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.endpoints import RESTART_PATH
from geelark_tui.api.models import Outcome
from geelark_tui.api.transport import AsyncioTransport
from geelark_tui.engine import RestartRun, RunSettings
from geelark_tui.events import BatchStarted, Event, OutcomesReported, RunFinished
from geelark_tui.runreport import RunReport
from geelark_tui.simulator import Simulator, SimulatorConfig

EPOCH = 1_767_225_617.0  # 2026-01-01 00:00:17 UTC: runs start in the middle of a minute
ID_BASE = 574_376_000_000_000_000
TIMEOUT = 0.5  # real seconds; "slow" answers take longer
# What an `unknown` says when no lookup could settle it.
UNSETTLED_WORDS = ("lookup failed", "not looked up", "the run stopped", "in flight",
                   "not verified", "answer incomplete")
FAULT_KINDS = frozenset({
    "429", "40017", "40007", "5xx_before", "5xx_after", "drop_before", "drop_after", "slow",
    "bad_counts", "truncated", "garbage_before", "garbage_after", "quirk_code_0",
})


class LockstepClock:
    """Virtual time: ``sleep`` jumps ahead at once, but waits until no request is in flight."""

    def __init__(self, start: float = EPOCH) -> None:
        self.time = start
        self.in_flight = 0

    def now(self) -> float:
        return self.time

    def wall(self) -> float:
        return self.time

    async def sleep(self, seconds: float) -> None:
        while self.in_flight:
            await asyncio.sleep(0.001)
        self.time += max(seconds, 0.0)
        await asyncio.sleep(0)


class GatedTransport(httpx.AsyncBaseTransport):
    """Real HTTP; holds the clock still from send until the answer's headers arrive (the
    simulator reads its clock on arrival, before it answers)."""

    def __init__(self, clock: LockstepClock) -> None:
        self.clock = clock
        # The transport the client itself uses for the simulator's plain http.
        self.inner = AsyncioTransport(httpx.Limits(max_connections=20), ssl_context=None)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.clock.in_flight += 1
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.clock.in_flight -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass(frozen=True)
class Plan:
    index: int
    ids: tuple[str, ...]
    settings: RunSettings
    sim: dict[str, object]  # SimulatorConfig fields
    stop_after_events: int | None  # the user stops the run at this event, if set
    cancel: bool  # ... and at once (a second ctrl+c cancels the task), not after in-flight ones
    prior_status: bool  # hand the engine the statuses before the run (as a pre-flight would)


def make_plan(rng: random.Random, index: int, ids_per_run: int) -> Plan:
    """One cell of the matrix. Every fault is on in (almost) every run, at random rates."""
    start = ID_BASE + index * 1_000_000  # fresh IDs each run; consecutive: every bucket
    ids = tuple(str(start + i) for i in range(ids_per_run))
    client_limit = rng.choice([12, 20, 40, 200])
    tight = index % 3 == 0  # the server allows less than we think: 40007
    sim: dict[str, object] = {
        "per_minute": max(3, client_limit // 2) if tight else rng.choice([0, 200]),
        "per_hour": 0,
        "error_5xx_rate": rng.uniform(0.0, 0.08),
        "drop_rate": rng.uniform(0.0, 0.05),
        "slow_rate": rng.choice([0.0, 0.01, 0.02]),
        "slow_seconds": TIMEOUT + 0.3,
        "rate_429": rng.uniform(0.0, 0.08),
        "code_40017_rate": rng.uniform(0.0, 0.06),
        "bad_counts_rate": rng.uniform(0.0, 0.06),
        "truncate_rate": rng.uniform(0.0, 0.05),
        "garbage_rate": rng.uniform(0.0, 0.05),
        "quirks": rng.random() < 0.6,
        "query_faults": rng.random() < 0.7,
        "seed": rng.randrange(2**32),
        # Restarted tasks move on (waiting, running, completed or failed again), so lookups
        # meet tasks that have moved: within a second, or a few. Never faster than a real task
        # can be restarted, run and fail again (design.md: that is what makes a resend of a
        # task a lookup shows still failed safe).
        "state_timing": rng.choice([(2.0, 5.0), (0.3, 4.0)]),
    }
    settings = RunSettings(
        batch_size=rng.choice([1, 2, 5, 10, 17, 25, 50, 100]) if ids_per_run > 50 else 5,
        concurrency=rng.choice([1, 2, 3, 4]),
        per_minute=client_limit,
        verify=rng.random() < 0.9,
    )
    stop = rng.randrange(1, 40) if index % 4 == 1 or rng.random() < 0.15 else None
    cancel = stop is not None and index % 8 == 5
    return Plan(index, ids, settings, sim, stop, cancel, rng.random() < 0.5)


@dataclass
class RunOutcome:
    plan: Plan
    report: RunReport
    violations: list[str]
    faults: Counter[str]
    requests: Counter[str]


async def run_plan(plan: Plan, make_run: Callable[..., RestartRun] = RestartRun,
                   client_class: type[GeeLarkClient] = GeeLarkClient) -> RunOutcome:
    """One run against a fresh simulator; `make_run`/`client_class` let a test plant a bug."""
    clock = LockstepClock()
    config = SimulatorConfig(**plan.sim, wall_clock=clock.wall)  # type: ignore[arg-type]
    events: list[Event] = []
    started_before_stop: set[int] = set()
    stopped = False
    with Simulator(config) as sim:
        prior = ({i: sim.initial_state(i).status for i in plan.ids} if plan.prior_status
                 else None)
        client = client_class(sim.base_url, TokenAuth(config.token), timeout=TIMEOUT,
                               transport=GatedTransport(clock))

        def on_event(event: Event) -> None:
            nonlocal stopped
            events.append(event)
            if isinstance(event, BatchStarted) and not stopped:
                started_before_stop.add(event.batch)
            # (a stop planned for the run's last event would come after it ended: none)
            if (not stopped and len(events) == plan.stop_after_events
                    and not isinstance(event, RunFinished)):
                stopped = True
                if plan.cancel and (current := asyncio.current_task()) is not None:
                    current.cancel()
                else:
                    run.stop()

        run = make_run(client, plan.ids, plan.settings, on_event=on_event, prior_status=prior,
                     clock=clock, wall_clock=clock.wall)
        async with client:
            task = asyncio.create_task(_run_or_cancelled(run))
            try:
                report = await task
            except asyncio.CancelledError:  # cancelled as run() returned: nothing left to do
                report = run.report
        if plan.cancel and stopped:
            await asyncio.sleep(0.3)  # a request cut off mid-way may still reach the server
        records = sim.requests
        violations = check_run(plan, report, events, run.pacer.sent_times, sim,
                               started_before_stop if stopped else None)
    faults: Counter[str] = Counter(r.fault for r in records if r.fault)
    faults.update("40007" for r in records if r.code == 40007)
    if stopped:
        faults["user_cancel" if plan.cancel else "user_stop"] += 1
    if plan.sim["quirks"]:
        faults["quirks_runs"] += 1  # codes as strings, code 0 with failures
    requests = Counter("restart" if r.path == RESTART_PATH else "query" for r in records)
    return RunOutcome(plan, report, violations, faults, requests)


async def _run_or_cancelled(run: RestartRun) -> RunReport:
    try:
        return await run.run()
    except asyncio.CancelledError:
        return run.report  # run() settled every ID on its way out


def window_excess(times: Iterable[float], limit: int, window: float = 60.0) -> int:
    """How many requests start a `window`-second span holding more than `limit`."""
    ts = sorted(times)
    return sum(1 for i in range(len(ts) - limit) if ts[i + limit] - ts[i] < window)


def check_run(plan: Plan, report: RunReport, events: list[Event], sent_times: list[float],
              sim: Simulator, started_before_stop: set[int] | None) -> list[str]:
    """Every invariant; one message per broken one (prefixed with the run's number)."""
    bad: list[str] = []
    ids = plan.ids
    counts = sim.restart_counts
    records = sim.requests
    # 1. every ID has exactly one outcome, reported exactly once
    if set(report.results) != set(ids) or len(report.ordered()) != len(ids):
        bad.append("not every ID has exactly one outcome")
    reported = Counter(r.id for e in events if isinstance(e, OutcomesReported) for r in e.results)
    if set(reported) != set(ids) or any(n != 1 for n in reported.values()):
        twice = [i for i, n in reported.items() if n != 1][:3]
        bad.append(f"outcome events: missing or repeated IDs {twice}")
    # 2. nothing restarted twice; nothing outside this run touched
    if twice_applied := [i for i, n in counts.items() if n != 1]:
        bad.append(f"restarted more than once by the server: {twice_applied[:5]}")
    if stray := set(counts) - set(ids):
        bad.append(f"server restarted IDs this run never had: {sorted(stray)[:5]}")
    # 3. outcomes agree with the server's ground truth
    for task_id, result in report.results.items():
        applied = counts.get(task_id, 0)
        expected, code = sim.expected_outcome(task_id)
        if result.outcome is Outcome.RESTARTED and (applied != 1 or expected != "restarted"):
            bad.append(f"{task_id} reported restarted, server applied it {applied} times")
        elif result.outcome in (Outcome.REJECTED, Outcome.NOT_SENT) and applied:
            bad.append(f"{task_id} reported {result.outcome.value} but the server restarted it")
        elif result.outcome is Outcome.REJECTED and (expected, code) != ("rejected",
                                                                         result.code):
            bad.append(f"{task_id} rejected with {result.code}, server says {expected} {code}")
    # 4. the per-minute budget: what we granted and what the server received
    limit = plan.settings.per_minute
    if n := window_excess(sent_times, limit):
        bad.append(f"pacer granted more than {limit} in a minute ({n} times)")
    if n := window_excess((r.wall for r in records), limit):
        bad.append(f"server received more than {limit} requests in a minute ({n} times)")
    unpaced = Counter(r.wall for r in records) - Counter(sent_times)
    if unpaced:
        bad.append(f"{sum(unpaced.values())} requests reached the server without a pacer grant")
    restarts = [r for r in records if r.path == RESTART_PATH]
    if len(restarts) > report.restart_requests:
        bad.append(f"server saw {len(restarts)} restarts, engine sent {report.restart_requests}")
    # 5. a user stop: no batch starts after it (a cancel acts at the next await, so one may
    #    still slip out); batches never started are not_sent
    if started_before_stop is not None:
        started = {e.batch for e in events if isinstance(e, BatchStarted)}
        if not plan.cancel:
            if not report.stopped_by_user:
                bad.append("stopped by the user but the report does not say so")
            if after := sorted(started - started_before_stop):
                bad.append(f"batches {after[:5]} started after the stop")
        size = plan.settings.batch_size
        for n in range(len(ids) // size + 1):
            if n + 1 in started:
                continue
            for task_id in ids[n * size : (n + 1) * size]:
                if report.results[task_id].outcome is not Outcome.NOT_SENT:
                    bad.append(f"{task_id} was never sent but is "
                               f"{report.results[task_id].outcome.value}")
    # 7. with the statuses before the run, `unknown` only where a lookup could not settle it
    #    (it failed, the run stopped first, or verification is off), never for a task that
    #    was failed or cancelled: still failed means resent once, active means restarted
    if plan.prior_status:
        for task_id, result in report.results.items():
            before = sim.initial_state(task_id).status
            if (result.outcome is Outcome.UNKNOWN and before in (4, 7)
                    and not any(words in result.message for words in UNSETTLED_WORDS)):
                bad.append(f"{task_id} unknown although its lookup settled it: "
                           f"{result.message}")
    # 6. the exit code matches the outcomes
    all_restarted = all(r.outcome is Outcome.RESTARTED for r in report.results.values())
    if report.stop_reason is None and report.exit_code != (0 if all_restarted else 1):
        bad.append(f"exit code {report.exit_code} does not match the outcomes")
    return [f"run {plan.index}: {message}" for message in bad]


@dataclass
class Totals:
    runs: int = 0
    ids: int = 0
    faults_injected: Counter[str] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)

    def add(self, outcome: RunOutcome) -> None:
        self.runs += 1
        self.ids += len(outcome.plan.ids)
        self.faults_injected.update(outcome.faults)
        self.requests.update(outcome.requests)
        self.violations.extend(outcome.violations)
        self.outcomes.update(r.outcome.value for r in outcome.report.results.values())

    def lines(self) -> list[str]:
        faults = {k: v for k, v in sorted(self.faults_injected.items())}
        out = [f"runs: {self.runs}", f"IDs: {self.ids}",
               "requests: " + ", ".join(f"{k} {v}" for k, v in sorted(self.requests.items())),
               "outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())),
               "faults injected by kind:"]
        out += [f"  {k}: {v}" for k, v in faults.items()]
        out.append(f"invariant violations: {len(self.violations)}")
        out += [f"  {v}" for v in self.violations[:20]]
        return out


async def soak_async(runs: int, ids_per_run: int, seed: int,
                     minutes: float | None = None, progress: bool = False) -> Totals:
    rng = random.Random(seed)
    totals = Totals()
    deadline = time.monotonic() + minutes * 60 if minutes else None
    index = 0
    while (index < runs) if deadline is None else (time.monotonic() < deadline):
        outcome = await run_plan(make_plan(rng, index, ids_per_run))
        totals.add(outcome)
        index += 1
        if progress and index % 10 == 0:
            print(f"... {index} runs, {totals.ids} IDs, {len(totals.violations)} violations",
                  flush=True)
    return totals


def soak(runs: int, ids_per_run: int, seed: int, minutes: float | None = None,
         progress: bool = False) -> Totals:
    """Run `runs` random cells of the matrix (or as many as fit in `minutes`)."""
    return asyncio.run(soak_async(runs, ids_per_run, seed, minutes, progress))
