"""What bench_tui watches in the app's process: stalls of its event loop (a 10 ms ticker, and
where the stalled time goes), full garbage collections, and memory."""

from __future__ import annotations

import asyncio
import gc
import os
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

TICK_S = 0.01
MIB = 2**20


class StallSampler:
    """(bench_tui.STALLS_ENV) While the loop is stalled (no tick for 20 ms), a thread samples
    the main thread's stack every 2 ms; `top()` says where the stalled time went (our frames)."""

    def __init__(self, threshold: float = 0.02, every: float = 0.002) -> None:
        import threading

        self.threshold, self.every = threshold, every
        self.last_tick = time.perf_counter()
        self.samples: dict[str, int] = {}
        self._main = threading.main_thread().ident
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        import traceback

        while True:
            time.sleep(self.every)
            if time.perf_counter() - self.last_tick <= self.threshold:
                continue
            frame = sys._current_frames().get(self._main or 0)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)
            ours = [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in stack
                    if "geelark_tui" in f.filename]
            leaf = f"{stack[-1].filename.split('site-packages/')[-1]}:{stack[-1].name}"
            key = " > ".join([*ours[-4:], leaf])
            self.samples[key] = self.samples.get(key, 0) + 1

    def top(self, n: int = 25) -> list[str]:
        ranked = sorted(self.samples.items(), key=lambda kv: -kv[1])[:n]
        return [f"{count * self.every * 1000:5.0f} ms  {key}" for key, count in ranked]


@dataclass
class Ticker:
    """A 10 ms asyncio timer: (when it woke, the gap since the previous tick, the CPU time the
    process used in that gap). On a busy machine a gap can be the process waiting for a CPU;
    its CPU time is the part the app itself spent (GC and threads included)."""

    ticks: list[tuple[float, float, float]] = field(default_factory=list)
    sampler: StallSampler | None = None
    _task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._tick())

    async def _tick(self) -> None:
        last, last_cpu = time.perf_counter(), time.process_time()
        while True:
            await asyncio.sleep(TICK_S)
            now, cpu = time.perf_counter(), time.process_time()
            self.ticks.append((now, now - last, cpu - last_cpu))
            last, last_cpu = now, cpu
            if self.sampler is not None:
                self.sampler.last_tick = now

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def longest(self, start: float, end: float, *, cpu: bool = False) -> float:
        """The longest gap that ended after `start` and began before `end` (`cpu`: the most
        CPU time the process used in one such gap)."""
        return max((used if cpu else gap for when, gap, used in self.ticks
                    if when > start and when - gap < end), default=0.0)


class GcPauses:
    """Every collection of the oldest generation: (when it ended, how long it took)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float]] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        now = time.perf_counter()
        if phase == "start":
            self._started = now
        else:
            self.pauses.append((now, now - self._started))

    def within(self, start: float, end: float) -> list[float]:
        return [pause for when, pause in self.pauses if start < when <= end]


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MIB


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
