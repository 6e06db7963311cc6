"""RunTracker: engine events to counters, countdowns, estimates and a bounded log."""

from __future__ import annotations

from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.events import (
    BatchFinished,
    BatchStarted,
    OutcomesReported,
    RateLimitWait,
    RunStarted,
    RunStopping,
)
from geelark_tui.tracker import LOG_LINES, RunTracker, format_duration


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t


def tid(nn: int) -> str:
    return f"57437604389742{nn:04d}"



def test_format_duration() -> None:
    assert format_duration(0) == "0:00"
    assert format_duration(7.9) == "0:07"
    assert format_duration(7.1, round_up=True) == "0:08"
    assert format_duration(754) == "12:34"
    assert format_duration(3723) == "1:02:03"


def test_counts_eta_and_the_server_countdown() -> None:
    clock = FakeClock()
    tracker = RunTracker(100, clock)
    tracker.feed(RunStarted(100, 10, 10))
    tracker.feed(BatchStarted(1, 10, 1))
    clock.t += 5
    results = tuple(IdResult(tid(n), Outcome.RESTARTED, 0, "ok") for n in range(10))
    tracker.feed(OutcomesReported(results))
    tracker.feed(BatchFinished(1, 10, 0, {Outcome.RESTARTED: 10}))
    assert (tracker.settled, tracker.batches_done, tracker.requests) == (10, 1, 1)
    assert tracker.counts[Outcome.RESTARTED] == 10
    assert tracker.eta() == 45.0  # 0.5 s an ID so far, 90 to go
    tracker.feed(RateLimitWait(42.0, True, "rate limited by the server"))
    assert tracker.wait_text() == "rate limited by the server, resuming in 42 s"
    clock.t += 10.5
    assert tracker.wait_text() == "rate limited by the server, resuming in 32 s"
    tracker.feed(RateLimitWait(31.0, True, "rate limited by the server"))  # same wait
    assert sum("waiting" in line for line in tracker.log) == 1
    clock.t += 32
    assert tracker.wait_text() == ""
    tracker.feed(RunStopping("stopped by the user", None))
    tracker.finish()
    assert tracker.finished and tracker.eta() == 0.0
    # A run that was stopped does not say it finished.
    assert tracker.log[-1].endswith("stopped after 0:47: 10 restarted, 0 rejected, 0 not sent, "
                                    "0 unknown")
    whole = RunTracker(1, clock)
    whole.feed(RunStarted(1, 1, 1))
    whole.feed(OutcomesReported((IdResult(tid(1), Outcome.RESTARTED, 0, "ok"),)))
    whole.finish()
    assert whole.log[-1].endswith("finished in 0:00: 1 restarted, 0 rejected, 0 not sent, "
                                  "0 unknown")


def test_the_log_is_bounded() -> None:
    tracker = RunTracker(10_000, FakeClock())
    for n in range(3 * LOG_LINES):
        tracker.feed(BatchFinished(n + 1, 1, 0, {Outcome.RESTARTED: 1}))
    assert len(tracker.log) == LOG_LINES
    assert len(tracker.take_new_lines()) == LOG_LINES
    assert tracker.take_new_lines() == []


async def test_time_left_counts_the_pacing_windows_and_batch_lines_skip_code_0() -> None:
    """200 requests a minute: 300 batches cannot end in the 3 s the first 100 took."""
    from geelark_tui.pacing import FakeClock as PacerClock
    from geelark_tui.pacing import Pacer

    clock = FakeClock()
    pacer = Pacer.for_api(200, 24_000, PacerClock(clock.t))
    tracker = RunTracker(300, clock, pacing=pacer.time_for)
    tracker.feed(RunStarted(300, 300, 1))
    for n in range(100):  # a burst: the pacer's clock does not move
        assert await pacer.acquire()
        tracker.feed(BatchStarted(n + 1, 1, 1))
    clock.t += 3
    tracker.feed(OutcomesReported(tuple(IdResult(tid(n), Outcome.RESTARTED, 0, "ok")
                                        for n in range(100))))
    tracker.feed(BatchFinished(1, 100, 0, {Outcome.RESTARTED: 100}))
    pace_only = 3 / 100 * 200  # 6 s at the pace so far
    eta = tracker.eta()
    assert eta is not None and eta > pace_only
    # 100 sent: 100 more fit this window, the last 100 wait for the next (60 s + margin).
    assert eta == pacer.time_for(200) == 61.0
    assert pacer.time_for(100) == 0.0
    assert "0 success" not in tracker.log[-1] and tracker.log[-1].endswith("100 restarted")
    assert RunTracker(1, clock).eta() is None  # nothing settled: no pace to go by


def test_stopped_text() -> None:
    from geelark_tui.tracker import stopped_text

    assert stopped_text("stopped by the user") == "Stopped by the user"
    assert stopped_text("40003 signature or token rejected") == (
        "Stopped: 40003 signature or token rejected")
