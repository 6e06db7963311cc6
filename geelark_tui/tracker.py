"""RunTracker: engine events folded into plain counters for the progress screen. No widgets.

The engine can emit thousands of events a second; the tracker only updates attributes, and the
screen repaints from it on a timer. The clock is injectable, so elapsed time, the estimate of
time left and rate-limit countdowns are deterministic in tests and snapshots.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from geelark_tui.api.codes import describe
from geelark_tui.api.models import Outcome
from geelark_tui.events import (
    BatchFinished,
    BatchStarted,
    Event,
    OutcomesReported,
    RateLimitWait,
    RunFinished,
    RunStarted,
    RunStopping,
    Verifying,
)
from geelark_tui.words import plural

LOG_LINES = 200


def format_duration(seconds: float, *, round_up: bool = False) -> str:
    """``0:07``, ``12:34``, ``1:02:03``; elapsed times round down, estimates up."""
    total = max(0, math.ceil(seconds - 1e-6) if round_up else int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def outcome_word(outcome: Outcome) -> str:
    return outcome.value.replace("_", " ")


def stopped_text(reason: str) -> str:
    """How a stopped run is announced: "Stopped by the user", "Stopped: 40003 signature…"."""
    if reason.lower().startswith("stopped "):
        return "Stopped " + reason[len("stopped "):]
    return f"Stopped: {reason}"


class RunTracker:
    """Counts, waits and the activity log of one run, updated from its events."""

    def __init__(self, total_ids: int, clock: Callable[[], float],
                 pacing: Callable[[int], float] | None = None) -> None:
        self.clock = clock
        # Seconds until n more requests may be sent (the pacer's windows): time left is
        # never shorter than that, however fast the requests so far went.
        self.pacing = pacing
        self.batches_sent = 0  # batches sent at least once
        self.started_at = clock()
        self.total_ids = total_ids
        self.total_batches = 0
        self.batches_done = 0
        self.requests = 0
        self.lookups = 0
        self.settled = 0
        self.counts: dict[Outcome, int] = dict.fromkeys(Outcome, 0)
        self.wait_until: float | None = None
        self.wait_reason = ""
        self.wait_by_server = False
        self.stopping: str | None = None
        self.finished_at: float | None = None
        self.log: deque[str] = deque(maxlen=LOG_LINES)
        self._unread: list[str] = []
        self.changed = True  # something to repaint

    # -- reading ----------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    def elapsed(self) -> float:
        end = self.finished_at if self.finished_at is not None else self.clock()
        return max(0.0, end - self.started_at)

    def wait_left(self) -> float:
        if self.wait_until is None or self.finished:
            return 0.0
        return max(0.0, self.wait_until - self.clock())

    def eta(self) -> float | None:
        """Seconds left at the pace so far; None until there is a pace to go by."""
        if self.finished or self.settled == 0 or self.settled >= self.total_ids:
            return None if not self.finished else 0.0
        per_id = self.elapsed() / self.settled
        estimate = max(per_id * (self.total_ids - self.settled), self.wait_left())
        unsent = self.total_batches - self.batches_sent
        if self.pacing is not None and unsent > 0:
            estimate = max(estimate, self.pacing(unsent))
        return estimate

    def wait_text(self) -> str:
        left = self.wait_left()
        if left <= 0:
            return ""
        seconds = math.ceil(left)
        return f"{self.wait_reason}, resuming in {seconds} s"

    def take_new_lines(self) -> list[str]:
        lines, self._unread = self._unread, []
        return lines

    # -- writing ----------------------------------------------------------------------------

    def _say(self, text: str) -> None:
        line = f"{format_duration(self.elapsed()):>7}  {text}"
        self.log.append(line)
        self._unread.append(line)
        if len(self._unread) > LOG_LINES:
            del self._unread[: len(self._unread) - LOG_LINES]

    def feed(self, event: Event) -> None:
        self.changed = True
        if isinstance(event, OutcomesReported):
            for result in event.results:
                self.counts[result.outcome] += 1
            self.settled += len(event.results)
        elif isinstance(event, BatchFinished):
            self.batches_done += 1
            self._batch_finished(event)
        elif isinstance(event, BatchStarted):
            self.requests += 1
            self.batches_sent += event.attempt == 1
            self.wait_until = None
            if event.attempt > 1:
                self._say(f"batch {event.batch:,}: sent again (attempt {event.attempt})")
        elif isinstance(event, RateLimitWait):
            self._rate_limit(event)
        elif isinstance(event, Verifying):
            self.lookups += 1
            self._say(f"batch {event.batch:,}: {event.reason}; looking up "
                      f"{plural(event.size, 'task')} with task/query")
        elif isinstance(event, RunStarted):
            self.total_ids = event.total_ids
            self.total_batches = event.total_batches
            self._say(f"restarting {plural(event.total_ids, 'ID')} in "
                      f"{plural(event.total_batches, 'request')} of up to {event.batch_size}")
        elif isinstance(event, RunStopping):
            self.stopping = event.reason
            self.wait_until = None
            self._say(f"stopping: {event.reason}; requests in flight finish, "
                      "the rest are not sent")
        elif isinstance(event, RunFinished):
            self.finish()

    def _batch_finished(self, event: BatchFinished) -> None:
        parts = [f"{n:,} {outcome_word(o)}" for o, n in event.counts.items() if n]
        code = "" if not event.code else f" · {event.code} {describe(event.code).meaning}"
        note = f" ({event.note})" if event.note else ""
        total = f"/{self.total_batches:,}" if self.total_batches else ""
        self._say(f"batch {event.batch:,}{total}: {', '.join(parts) or 'nothing'}{code}{note}")

    def _rate_limit(self, event: RateLimitWait) -> None:
        now = self.clock()
        new_wait = self.wait_until is None or self.wait_until <= now
        self.wait_until = now + event.seconds
        self.wait_reason = event.reason
        self.wait_by_server = event.by_server
        if new_wait and event.seconds >= 1:
            self._say(f"{event.reason}: waiting {math.ceil(event.seconds)} s")

    def finish(self) -> None:
        if self.finished_at is None:
            self.finished_at = self.clock()
            self.wait_until = None
            self.changed = True
            parts = ", ".join(f"{n:,} {outcome_word(o)}" for o, n in self.counts.items()
                              if n or o is not Outcome.SKIPPED)
            ended = "stopped after" if self.stopping else "finished in"
            self._say(f"{ended} {format_duration(self.elapsed())}: {parts}")
