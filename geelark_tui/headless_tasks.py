"""`geelark-tui tasks`: find tasks in the 7-day history without a list of IDs (a thin consumer
of `tasks`). stdout carries only the result (`--format ids` pipes into `geelark-tui restart`);
progress goes to stderr.

Exit codes (`exitcodes`): 0 the whole history was read (even with no match) or the limit was
reached; 1 the list may be incomplete (the server repeated a page, refused the paging, kept
failing, or its pages ended before its count; what was found is still printed); 3
authentication, configuration or an account-level API error; 4 stdout could not take it.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass

from geelark_tui.api.client import GeeLarkClient
from geelark_tui.commandio import open_config, say, until_signalled, write_result
from geelark_tui.connection import ConnectionConfigError, credentials_from, resolve_base_url
from geelark_tui.events import RateLimitWait
from geelark_tui.exitcodes import EXIT_INCOMPLETE, EXIT_OK, EXIT_OUTPUT, EXIT_STOPPED
from geelark_tui.limits import PER_HOUR
from geelark_tui.pacing import Pacer
from geelark_tui.task_filter import TaskFilter
from geelark_tui.tasks import PageRead, TaskWalk, WalkEnd, WalkEvent, WalkResult
from geelark_tui.tasks_report import newest_first, render_tasks

WAIT_LINE_EVERY = 5.0  # seconds between two "waiting" lines on stderr


@dataclass
class _Progress:
    """Walk events as short stderr lines."""

    last_wait_line: float = 0.0

    def __call__(self, event: WalkEvent) -> None:
        if isinstance(event, PageRead):
            say(f"page {event.pages}: {event.seen:,} tasks read, {event.matched:,} match")
        elif isinstance(event, RateLimitWait):
            now = time.monotonic()
            if now - self.last_wait_line >= WAIT_LINE_EVERY:
                self.last_wait_line = now
                say(f"{event.reason}, resuming in {event.seconds:.0f} s")


async def _walk(walk: TaskWalk, client: GeeLarkClient) -> WalkResult:
    async def read() -> WalkResult:
        async with client:
            return await walk.run()

    def settle(reason: str) -> WalkResult:
        walk.stop(reason)
        result = walk.result
        result.end, result.reason = WalkEnd.STOPPED, reason
        return result

    return await until_signalled(read(), walk.stop, settle)


def run_tasks_command(args: argparse.Namespace) -> int:
    config = open_config(args.config)
    submit = config.submit
    try:
        base_url = resolve_base_url(args.base_url, config)
        auth = credentials_from(config.api, config.env_sources).auth()
    except ConnectionConfigError as exc:
        say(f"error: {exc}")
        return EXIT_STOPPED
    since_seconds, since_text = args.since
    task_filter = TaskFilter(statuses=args.status, since=time.time() - since_seconds,
                             plan=args.plan or "", phone=args.phone or "",
                             fail_codes=args.fail_code or frozenset())
    client = GeeLarkClient(base_url, auth, timeout=args.timeout or submit.timeout,
                           max_connections=2)
    pacer = Pacer.for_api(args.rate_limit or submit.per_minute, PER_HOUR)
    walk = TaskWalk(client, pacer, task_filter, limit=args.limit, on_event=_Progress())
    say(f"reading the task history from {client.host}: tasks scheduled in the last "
        f"{since_text}, pages of 100")
    result = asyncio.run(_walk(walk, client))
    tasks = newest_first(result.tasks)
    stop_reason = None if result.complete else result.reason
    if not write_result(render_tasks(args.format, tasks, args.status, stop_reason=stop_reason)):
        return EXIT_OUTPUT
    say(f"done: {len(tasks):,} tasks match, of {result.seen:,} read in "
        f"{result.pages} page{'s' if result.pages != 1 else ''}"
        + (f"; {result.reason}" if result.end is WalkEnd.LIMIT else ""))
    if result.end is WalkEnd.REFUSED:
        say(f"error: {result.reason}")
        return EXIT_STOPPED
    if not result.complete:
        say(f"warning: {result.reason}")
        return EXIT_INCOMPLETE
    return EXIT_OK
