"""`geelark-tui restart` and `geelark-tui config`: the engine without the TUI.

stdout carries only the result; progress and messages go to stderr. Exit codes follow the
headless contract in design.md: 0 all restarted, 1 some not, 2 usage/input, 3 stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from geelark_tui import config as cfg
from geelark_tui.api.client import GeeLarkClient
from geelark_tui.api.models import IdResult, Outcome
from geelark_tui.connection import (
    ConnectionConfigError,
    credentials_from,
    resolve_base_url,
)
from geelark_tui.engine import RestartRun, RunSettings, count_requests
from geelark_tui.events import (
    BatchFinished,
    Event,
    RateLimitWait,
    RunStarted,
    RunStopping,
    Verifying,
)
from geelark_tui.exitcodes import EXIT_STOPPED, EXIT_USAGE
from geelark_tui.idinput import check_size, read_ids_path, read_ids_stream
from geelark_tui.ids import ParsedIds, parse_ids
from geelark_tui.pacing import Pacer, RealClock
from geelark_tui.preflight import Lookup, lookup
from geelark_tui.redact import install_hooks
from geelark_tui.report import render, summarize, summary_sentence
from geelark_tui.runlog import log_run
from geelark_tui.runreport import RunReport


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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
    """Turns engine events into short stderr lines, at most one wait line every 5 s."""

    total_batches: int = 0
    last_wait_line: float = 0.0

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunStarted):
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


def _not_sent(parsed: ParsedIds, message: str) -> list[IdResult]:
    return [IdResult(i, Outcome.NOT_SENT, None, message) for i in parsed.ids]


@dataclass
class _Outcome:
    report: RunReport
    results: list[IdResult]
    found: Lookup | None = None


async def _run(
    client: GeeLarkClient, parsed: ParsedIds, settings: RunSettings, *,
    preflight: bool, include_all: bool,
) -> _Outcome:
    pacer = Pacer(RealClock(), [(60.0, settings.per_minute), (3600.0, settings.per_hour)])
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    state: dict[str, RestartRun | bool | None] = {"run": None, "stopped": False}
    interrupts = 0

    def on_signal() -> None:
        # First ctrl+c / SIGTERM / SIGHUP: stop after the batches in flight. Second: at once.
        nonlocal interrupts
        interrupts += 1
        state["stopped"] = True
        run = state["run"]
        if interrupts == 1 and isinstance(run, RestartRun):
            run.stop()
        elif interrupts > 1 and task is not None:
            task.cancel()

    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    for sig in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal)
    found: Lookup | None = None
    to_send: list[str] = list(parsed.ids)
    run = RestartRun(client, to_send, settings, on_event=_Progress(), pacer=pacer)
    try:
        async with client:
            if preflight:
                _say(f"pre-flight: looking up {len(parsed.ids)} tasks")
                found = await lookup(client, parsed.ids, pacer, concurrency=settings.concurrency,
                                     cancelled=lambda: bool(state["stopped"]))
                _say(f"pre-flight: {found.summary_line()}"
                     + ("; restarting all of them (--include-all)" if include_all else ""))
                to_send = found.to_send(include_all)
                run = RestartRun(client, to_send, settings, on_event=_Progress(), pacer=pacer,
                                 prior_status=found.prior_status())
            state["run"] = run
            if state["stopped"]:
                run.stop()
            await run.run()
    except asyncio.CancelledError:
        pass  # run() marked everything unsettled as not_sent
    finally:
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    if not run.report.finished_at:  # cancelled before run() started
        run.report.finished_at = time.time()
    by_id = dict(run.report.results)
    if found is not None:
        by_id.update((r.id, r) for r in found.skipped(to_send))
    missing = [i for i in parsed.ids if i not in by_id]
    by_id.update((i, IdResult(i, Outcome.NOT_SENT, None, "not sent: stopped")) for i in missing)
    results = [by_id[i] for i in parsed.ids]
    if found is not None:
        results = [replace(r, status=found.status_of(r.id)) for r in results]
    return _Outcome(run.report, results, found)


def run_restart_command(args: argparse.Namespace, stdin: TextIO | None = None) -> int:
    try:
        text = read_input(args, stdin or sys.stdin)
    except (OSError, ValueError) as exc:
        _say(f"error: cannot read the IDs: {exc}")
        return EXIT_USAGE
    parsed = parse_ids(text)
    for token in parsed.ignored[:10]:
        _say(f"ignored {token.token!r}: {token.reason}")
    if parsed.ignored_total > 10:
        _say(f"... {parsed.ignored_total - 10} more tokens ignored")
    if not parsed.ids:
        _say("error: no valid task ID in the input (an ID is 6 to 24 digits)")
        return EXIT_USAGE
    with_status = bool(args.preflight)

    config = cfg.load_config(cfg.resolve_config_path(args.config))
    install_hooks(config.secrets)  # a crash prints no credential, even one in a message
    for warning in config.take_warnings():
        _say(f"warning: {warning}")
    submit = config.submit
    try:
        base_url = resolve_base_url(args.base_url, config.api.base_url)
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
        sys.stdout.write(render(args.format, results, parsed.ignored, with_status=with_status))
        return EXIT_STOPPED

    client = GeeLarkClient(base_url, auth, timeout=args.timeout or submit.timeout,
                           max_connections=max(settings.concurrency, 2))
    _say(f"{len(parsed.ids)} unique IDs ({parsed.duplicates} duplicates dropped) -> "
         f"{client.host}, {count_requests(len(parsed.ids), settings.batch_size)} restart "
         f"requests" + (" + as many lookups" if with_status else "")
         + f", {credentials.label}")
    recent = cfg.record_recent_set(config, parsed.ids)  # before the first request
    for warning in config.take_warnings():
        _say(f"warning: {warning}")

    outcome = asyncio.run(_run(client, parsed, settings, preflight=with_status,
                               include_all=bool(args.include_all)))
    report, results = outcome.report, outcome.results
    summary = summarize(results, with_skipped=with_status)
    cfg.update_recent_counts(config, recent.key, summary)
    log_problem = log_run(report, results, client.host, secrets=config.secrets())
    if log_problem:
        _say(f"warning: {log_problem}")
    sys.stdout.write(render(args.format, results, parsed.ignored, with_status=with_status))
    sys.stdout.flush()
    _say("done: " + summary_sentence(summary)
         + (f"; stopped: {report.stop_reason}" if report.stop_reason else ""))
    if report.exit_code == EXIT_STOPPED:
        return EXIT_STOPPED
    return 0 if summary["restarted"] == summary["total"] else 1


def run_config_command(args: argparse.Namespace) -> int:
    path = cfg.resolve_config_path(args.config)
    if args.action == "path":
        print(path)
        return 0
    config = cfg.load_config(path)
    for warning in config.take_warnings():
        _say(f"warning: {warning}")
    sys.stdout.write(cfg.render_config_for_show(config))
    return 0
