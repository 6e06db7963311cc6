"""The event loop's worker threads, started while the app is idle.

`asyncio.to_thread` and Textual's thread workers run on the loop's default executor, which
starts a new thread whenever none is idle, and `Thread.start()` blocks its caller, the event
loop, until the new thread has run. When another thread is busy at that moment (the app moves
its O(IDs) work to threads: a run's start and end each have several), the new thread waits
for the GIL, and the app froze for 20-40 ms at the start of a run. Started after the first
paint, the threads are there, idle, when the run needs them.
"""

from __future__ import annotations

import asyncio
import os
import threading

# How many: the most a run's end uses at once is ~5; never more than the executor's own cap
# (Python's default: the CPU count + 4, at most 32).
THREADS = min(6, (os.cpu_count() or 1) + 4)


def start_threads() -> None:
    """Have the running loop's default executor hold `THREADS` threads (idle ones count)."""
    loop = asyncio.get_running_loop()
    go = threading.Event()
    # Each job holds its thread until all are submitted, so no submit finds an idle thread
    # that an earlier one of these left: the executor starts a thread for each.
    for _ in range(THREADS):
        loop.run_in_executor(None, go.wait)
    go.set()
