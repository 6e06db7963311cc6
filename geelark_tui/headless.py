"""`geelark-tui restart` and `geelark-tui config`: a thin consumer of the run session
(`geelark-tui tasks` is `headless_tasks`).

stdout carries only the result; progress and messages go to stderr. Exit codes are those of
`geelark_tui.exitcodes` (the headless contract in the README).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.commandio import open_config, say, until_signalled, write_result
from geelark_tui.config import load_config, render_config_for_show, resolve_config_path
from geelark_tui.connection import ConnectionConfigError, credentials_from, resolve_base_url
from geelark_tui.engine import RunSettings
from geelark_tui.events import (
    BatchFinished,
    CancelsDone,
    Event,
    FollowUpdate,
    LookupProgress,
    RateLimitWait,
    RunFinished,
    RunStarted,
    RunStopping,
    Verifying,
)
from geelark_tui.exitcodes import EXIT_OUTPUT, EXIT_STOPPED, EXIT_USAGE
from geelark_tui.follow import TIMEOUT as FOLLOW_TIMEOUT
from geelark_tui.history import host_of
from geelark_tui.idinput import check_size, read_ids_path, read_ids_stream
from geelark_tui.ids import ParsedIds, parse_ids
from geelark_tui.pacing import Pacer
from geelark_tui.plan import RunPlan
from geelark_tui.redact import Redactor
from geelark_tui.report import RunExtras, latest_of, render, render_pieces, summary_sentence
from geelark_tui.session import RunSession
from geelark_tui.sessionresult import SessionResult
from geelark_tui.words import plural


def read_input(args: argparse.Namespace, stdin: TextIO) -> str:
    """All the text IDs may come from: arguments, --ids-file (or -), piped stdin; the size cap
    and the encoding rules are those of `idinput` (the app's Load file reads the same way)."""
    parts = list(args.ids)
    if args.ids_file == "-" or (args.ids_file is None and not parts and not stdin.isatty()):
        parts.append(read_ids_stream(stdin))
    elif args.ids_file:
        parts.append(read_ids_path(Path(args.ids_file)))
    return check_size("\n".join(parts), "the input")  # arguments on top of a full file


@dataclass
class _Progress:
    """Turns session events into short stderr lines, at most one wait line every 5 s."""

    total_batches: int = 0
    last_wait_line: float = 0.0
    last_follow_line: float = 0.0
    stopping: bool = False
    unsent: int = 0  # batches never sent after the stop: one line at the end, not one each

    def __call__(self, event: Event) -> None:
        if isinstance(event, FollowUpdate):
            now = time.monotonic()
            if now - self.last_follow_line >= 5.0:
                self.last_follow_line = now
                say("following: " + ", ".join(f"{n:,} {state}"
                                                for state, n in event.counts.items() if n))
        elif isinstance(event, CancelsDone):
            say(f"cancelled {event.done:,} of {plural(event.total, 'waiting or running task')} "
                 "(they are restarted with the rest)")
        elif isinstance(event, LookupProgress):
            if event.done == 0:
                say(f"pre-flight: looking up {plural(event.total, 'task')}")
        elif isinstance(event, RunStarted):
            self.total_batches = event.total_batches
            say(f"restarting {plural(event.total_ids, 'ID')} in "
                f"{plural(event.total_batches, 'request')}")
        elif isinstance(event, BatchFinished):
            if self.stopping and event.counts.keys() == {Outcome.NOT_SENT}:
                self.unsent += 1
                return
            counts = ", ".join(f"{n:,} {o.value.replace('_', ' ')}"
                               for o, n in event.counts.items())
            say(f"batch {event.batch:,}/{self.total_batches:,}: {counts}"
                 + (f" ({event.note})" if event.note else ""))
        elif isinstance(event, RunFinished):
            if self.unsent:
                say(f"{plural(self.unsent, 'batch', 'batches')} not sent after the stop")
        elif isinstance(event, RateLimitWait):
            now = time.monotonic()
            if now - self.last_wait_line >= 5.0:
                self.last_wait_line = now
                say(f"{event.reason}, resuming in {event.seconds:.0f} s")
        elif isinstance(event, Verifying):
            say(f"batch {event.batch:,}: {event.reason}; checking {plural(event.size, 'task')}")
        elif isinstance(event, RunStopping):
            self.stopping = True
            say(f"stopping: {event.reason}")


async def _run(session: RunSession) -> SessionResult:
    """Run the session; the first signal stops it after the requests in flight, a second
    one at once (what was in flight is then `unknown`)."""

    async def work() -> SessionResult:
        async with session.client:
            if session.plan.preflight:
                found = await session.look_up(details=False)  # only the status is shown
                say(f"pre-flight: {found.summary_line()}"
                    + ("; restarting all of them (--include-all)"
                       if session.plan.include_all else ""))
            return await session.run()

    return await until_signalled(work(), session.stop,
                                 lambda reason: session.settle(reason, interrupted=True))


def _not_sent(parsed: ParsedIds, message: str) -> list[IdResult]:
    return [IdResult(i, Outcome.NOT_SENT, None, message) for i in parsed.ids]


def _parse(args: argparse.Namespace, scrub: Callable[[str], str]) -> ParsedIds | None:
    try:
        text = read_input(args, sys.stdin)
    except (OSError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
            say(f"error: cannot read the IDs from {exc.filename}: {exc.strerror}")
        else:
            say(f"error: cannot read the IDs: {exc}")
        return None
    parsed = parse_ids(text).scrubbed(scrub)  # printed, and in the output's "invalid"
    for token in parsed.ignored[:10]:
        say(f"ignored {token.token!r}: {token.reason}")
    if parsed.ignored_total > 10:
        say(f"... {parsed.ignored_total - 10} more tokens ignored")
    if not parsed.ids:
        say("error: no valid task ID in the input (an ID is 6 to 24 digits)")
        return None
    return parsed


def run_restart_command(args: argparse.Namespace) -> int:
    config = open_config(args.config)
    parsed = _parse(args, Redactor(config.secrets).scrub)
    if parsed is None:
        return EXIT_USAGE
    preflight = bool(args.preflight or args.include_all or args.cancel_active)
    for flag, given in (("--include-all", args.include_all),
                        ("--cancel-active", args.cancel_active)):
        if given and not args.preflight:
            say(f"note: {flag} implies --preflight")
    if args.follow_timeout is not None and not args.follow:
        say("note: --follow-timeout has no effect without --follow")
    submit = config.submit
    try:
        base_url = resolve_base_url(args.base_url, config)
        credentials = credentials_from(config.api, config.env_sources)
        auth = credentials.auth()
        settings = RunSettings(
            batch_size=args.batch_size or submit.batch_size,
            concurrency=args.concurrency or submit.concurrency,
            per_minute=args.rate_limit or submit.per_minute,
        )
    except (ConnectionConfigError, ValueError) as exc:
        say(f"error: {exc}")
        results = _not_sent(parsed, f"not sent: {exc}")
        if not write_result(render(args.format, results, parsed.ignored,  # nothing was sent
                                   RunExtras(with_status=preflight))):
            return EXIT_OUTPUT
        return EXIT_STOPPED

    plan = RunPlan(ids=parsed.ids, settings=settings, base_url=base_url,
                   host=host_of(base_url), auth_label=credentials.label,
                   auth_source=credentials.source, invalid=parsed.ignored,
                   preflight=preflight, include_all=bool(args.include_all),
                   cancel_active=bool(args.cancel_active), follow=bool(args.follow),
                   follow_timeout=args.follow_timeout or FOLLOW_TIMEOUT)
    client = GeeLarkClient(base_url, auth, timeout=args.timeout or submit.timeout,
                           max_connections=max(settings.concurrency, 2))
    pacer = Pacer.for_api(settings.per_minute, settings.per_hour)
    from geelark_tui.history import run_log_path

    session = RunSession(plan, client, pacer, on_event=_Progress(), config=config,
                         run_log=run_log_path(), secrets=config.secrets)
    say(f"{plural(len(parsed.ids), 'unique ID')} ({plural(parsed.duplicates, 'duplicate')} "
        f"dropped) -> {client.host}, {plural(plan.requests, 'restart request')}"
        + (f" + {plural(plan.lookups, 'lookup')}" if preflight else "")
        + f", {credentials.label}")
    result = asyncio.run(_run(session))
    for warning in result.warnings:
        say(f"warning: {warning}")
    extras = RunExtras(with_status=preflight, after=result.after,
                       cancelled_first=result.cancelled_first if args.cancel_active else None,
                       latest=latest_of(result.after) if result.after is not None else None)
    kept = (f"the run log has it: {session.run_log}" if session.logged
            else "the run log does not have it either: this run's results are lost")
    if not write_result(render_pieces(args.format, result.results, parsed.ignored, extras),
                        kept):
        return EXIT_OUTPUT
    say("done: " + summary_sentence(result.summary())
         + (f"; stopped: {result.stop_reason}" if result.stop_reason else "")
         + (f"; following stopped: {result.follow_stopped}" if result.follow_stopped else ""))
    return result.exit_code


def run_config_command(args: argparse.Namespace) -> int:
    path = resolve_config_path(args.config)
    if args.action == "path":
        return 0 if write_result(f"{path}\n") else EXIT_OUTPUT
    config = load_config(path)
    for warning in config.take_warnings():
        say(f"warning: {warning}")
    return 0 if write_result(render_config_for_show(config)) else EXIT_OUTPUT
