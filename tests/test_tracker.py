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
    assert tracker.log[-1].endswith("finished in 0:47: 10 restarted, 0 rejected, 0 not sent, "
                                    "0 unknown")


def test_the_log_is_bounded() -> None:
    tracker = RunTracker(10_000, FakeClock())
    for n in range(3 * LOG_LINES):
        tracker.feed(BatchFinished(n + 1, 1, 0, {Outcome.RESTARTED: 1}))
    assert len(tracker.log) == LOG_LINES
    assert len(tracker.take_new_lines()) == LOG_LINES
    assert tracker.take_new_lines() == []
