"""`geelark-tui restart` and `geelark-tui config`: a thin consumer of the run session.

stdout carries only the result; progress and messages go to stderr. Exit codes are those of
`geelark_tui.exitcodes` (the headless contract in the README).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.config import load_config, render_config_for_show, resolve_config_path
from geelark_tui.connection import ConnectionConfigError, credentials_from, resolve_base_url
from geelark_tui.engine import RunSettings
from geelark_tui.events import (
    BatchFinished,
    Event,
    LookupProgress,
    RateLimitWait,
    RunStarted,
    RunStopping,
    Verifying,
)
from geelark_tui.exitcodes import EXIT_OUTPUT, EXIT_STOPPED, EXIT_USAGE
from geelark_tui.history import host_of
from geelark_tui.ids import ParsedIds, parse_ids
from geelark_tui.pacing import Pacer
from geelark_tui.plan import RunPlan
from geelark_tui.redact import install_hooks
from geelark_tui.report import render, render_pieces, summary_sentence
from geelark_tui.session import RunSession, SessionResult

MAX_INPUT_BYTES = 64 * 1024 * 1024
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def read_input(args: argparse.Namespace, stdin: TextIO) -> str:
    """All the text IDs may come from: arguments, --ids-file (or -), piped stdin."""
    parts = list(args.ids)
    if args.ids_file == "-" or (args.ids_file is None and not parts and not stdin.isatty()):
        parts.append(stdin.read(MAX_INPUT_BYTES + 1))
    elif args.ids_file:
        path = Path(args.ids_file)
        with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
            parts.append(handle.read(MAX_INPUT_BYTES + 1))
    text = "\n".join(parts)
    if len(text) > MAX_INPUT_BYTES:
        raise ValueError(f"input is larger than {MAX_INPUT_BYTES // 1024 // 1024} MB; split it")
    return text


@dataclass
class _Progress:
    """Turns session events into short stderr lines, at most one wait line every 5 s."""

    total_batches: int = 0
    last_wait_line: float = 0.0

    def __call__(self, event: Event) -> None:
        if isinstance(event, LookupProgress):
            if event.done == 0:
                _say(f"pre-flight: looking up {event.total} tasks")
        elif isinstance(event, RunStarted):
            self.total_batches = event.total_batches
            _say(f"restarting {event.total_ids} IDs in {event.total_batches} "
                 f"request{'s' if event.total_batches != 1 else ''}")
        elif isinstance(event, BatchFinished):
            counts = ", ".join(f"{n} {o.value.replace('_', ' ')}" for o, n in event.counts.items())
            _say(f"batch {event.batch}/{self.total_batches}: {counts}"
                 + (f" ({event.note})" if event.note else ""))
        elif isinstance(event, RateLimitWait):
            now = time.monotonic()
            if now - self.last_wait_line >= 5.0:
                self.last_wait_line = now
                _say(f"{event.reason}, resuming in {event.seconds:.0f} s")
        elif isinstance(event, Verifying):
            _say(f"batch {event.batch}: {event.reason}; checking {event.size} tasks")
        elif isinstance(event, RunStopping):
            _say(f"stopping: {event.reason}")


async def _run(session: RunSession) -> SessionResult:
    """Run the session; the first signal stops it after the requests in flight, a second
    one at once (what was in flight is then `unknown`)."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    interrupts = 0

    def on_signal(sig: signal.Signals) -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts == 1:
            session.stop(f"stopped by {sig.name}")
        elif task is not None:
            task.cancel()

    for sig in SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, on_signal, sig)
    try:
        async with session.client:
            if session.plan.preflight:
                found = await session.look_up(details=False)  # only the status is shown
                _say(f"pre-flight: {found.summary_line()}"
                     + ("; restarting all of them (--include-all)"
                        if session.plan.include_all else ""))
            return await session.run()
    except asyncio.CancelledError:
        return session.settle("stopped by a second signal", interrupted=True)
    finally:
        for sig in SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)


def _write(text: str | Iterable[str]) -> bool:
    """The result on stdout (a large one in pieces); False (after one line on stderr) when
    stdout cannot take it."""
    try:
        for piece in [text] if isinstance(text, str) else text:
            sys.stdout.write(piece)
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        _say(f"error: cannot write the result to stdout: {reason}; the run log has it "
             "(geelark-tui config path shows where the config is)")
        with contextlib.suppress(OSError, ValueError):  # no second complaint at exit
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno())
        return False
    return True


def _not_sent(parsed: ParsedIds, message: str) -> list[IdResult]:
    return [IdResult(i, Outcome.NOT_SENT, None, message) for i in parsed.ids]


def _parse(args: argparse.Namespace) -> ParsedIds | None:
    try:
        text = read_input(args, sys.stdin)
    except (OSError, ValueError) as exc:
        _say(f"error: cannot read the IDs: {exc}")
        return None
    parsed = parse_ids(text)
    for token in parsed.ignored[:10]:
        _say(f"ignored {token.token!r}: {token.reason}")
    if parsed.ignored_total > 10:
        _say(f"... {parsed.ignored_total - 10} more tokens ignored")
    if not parsed.ids:
        _say("error: no valid task ID in the input (an ID is 6 to 24 digits)")
        return None
    return parsed


def run_restart_command(args: argparse.Namespace) -> int:
    parsed = _parse(args)
    if parsed is None:
        return EXIT_USAGE
    preflight = bool(args.preflight or args.include_all)
    if args.include_all and not args.preflight:
        _say("note: --include-all implies --preflight")
    config = load_config(resolve_config_path(args.config))
    install_hooks(config.secrets)  # a crash prints no credential, even one in a message
    for warning in config.take_warnings():
        _say(f"warning: {warning}")
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
        _say(f"error: {exc}")
        results = _not_sent(parsed, f"not sent: {exc}")
        if not _write(render(args.format, results, parsed.ignored, with_status=preflight)):
            return EXIT_OUTPUT
        return EXIT_STOPPED

    plan = RunPlan(ids=parsed.ids, settings=settings, base_url=base_url,
                   host=host_of(base_url), auth_label=credentials.label,
                   auth_source=credentials.source, invalid=parsed.ignored,
                   preflight=preflight, include_all=bool(args.include_all))
    client = GeeLarkClient(base_url, auth, timeout=args.timeout or submit.timeout,
                           max_connections=max(settings.concurrency, 2))
    pacer = Pacer.for_api(settings.per_minute, settings.per_hour)
    from geelark_tui.history import run_log_path

    session = RunSession(plan, client, pacer, on_event=_Progress(), config=config,
                         run_log=run_log_path(), secrets=config.secrets)
    _say(f"{len(parsed.ids)} unique IDs ({parsed.duplicates} duplicates dropped) -> "
         f"{client.host}, {plan.requests} restart requests"
         + (" + as many lookups" if preflight else "") + f", {credentials.label}")
    result = asyncio.run(_run(session))
    for warning in result.warnings:
        _say(f"warning: {warning}")
    if not _write(render_pieces(args.format, result.results, parsed.ignored,
                                with_status=preflight)):
        return EXIT_OUTPUT
    _say("done: " + summary_sentence(result.summary())
         + (f"; stopped: {result.stop_reason}" if result.stop_reason else ""))
    return result.exit_code


def run_config_command(args: argparse.Namespace) -> int:
    path = resolve_config_path(args.config)
    if args.action == "path":
        return 0 if _write(f"{path}\n") else EXIT_OUTPUT
    config = load_config(path)
    for warning in config.take_warnings():
        _say(f"warning: {warning}")
    return 0 if _write(render_config_for_show(config)) else EXIT_OUTPUT
