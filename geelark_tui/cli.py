"""Command line: the TUI by default, plus `restart`, `tasks`, `simulator` and `config`
subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

from geelark_tui import __version__
from geelark_tui.exitcodes import EXIT_OK, EXIT_USAGE
from geelark_tui.limits import MAX_BATCH, MAX_CONCURRENCY, MAX_PER_MINUTE, MAX_TIMEOUT
from geelark_tui.task_filter import (
    DEFAULT_SINCE,
    STATUS_BY_NAME,
    TASK_FORMATS,
    parse_duration,
    parse_fail_codes,
    parse_statuses,
)

DESCRIPTION = """\
Restart failed and cancelled GeeLark automation tasks.

With no command, opens the terminal app: paste task IDs, press ctrl+r, watch the restarts
go out, and read what happened to each ID. `geelark-tui --demo` does the same against a
built-in simulated API, no account needed.
"""

T = TypeVar("T")

EPILOG = """\
credentials: env GEELARK_TOKEN, or GEELARK_APP_ID + GEELARK_API_KEY; else the config file.
base URL: --base-url, else env GEELARK_BASE_URL, else the config file, else
  https://openapi.geelark.com
config file: --config, else env GEELARK_TUI_CONFIG, else the per-user config dir.

exit codes of `restart`: 0 every ID restarted; 1 some ID not restarted; 2 usage or input
error; 3 stopped by authentication, configuration or an account-level API error; 4 the
result could not be written to stdout.
"""

TASKS_EPILOG = """examples:
  geelark-tui tasks --since 12h                      failed and cancelled tasks, a table
  geelark-tui tasks --since 12h --format ids | geelark-tui restart
  geelark-tui tasks --phone us-west --fail-code 29996 --format csv > proxy.csv
  geelark-tui tasks --status all --plan "daily video" --format json

The history holds the tasks scheduled in the last 7 days; it is read in pages of 100 (paced
inside the same per-minute budget as restarts) and filtered here: the API has no filter.
--format json: {"summary": {"total", "by_status": {name: n}, "by_fail_code": {"<code>": n},
"complete", "stop_reason"}, "tasks": [{"id", "status", "state", "task_type", "plan_name",
"phone", "scheduled_at", "fail_code", "fail_desc"}]} (scheduled_at ISO 8601 UTC).

exit codes of `tasks`: 0 the history was read (even with no match); 1 the list may be
incomplete (the server repeated a page, refused the paging or kept failing: what was found
is printed); 2 usage error; 3 authentication, configuration or an account-level API error;
4 the result could not be written to stdout.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _whole(low: int, high: int) -> Callable[[str], int]:
    def check(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, not {value}")
        return value

    check.__name__ = "number"  # argparse names the type in its messages
    return check


def _follow_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 24 * 3600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 86400 (a day)")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"must be more than 0 and at most {MAX_TIMEOUT:g}")
    return value


def _checked(parse: Callable[[str], T], name: str) -> Callable[[str], T]:
    """An argparse type from a parser that raises ValueError with a message."""
    def check(text: str) -> T:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    check.__name__ = name
    return check


def _since(text: str) -> tuple[int, str]:
    return parse_duration(text), text.strip()


def build_parser() -> argparse.ArgumentParser:
    def connection_flags(default: object) -> _Parser:
        flags = _Parser(add_help=False)
        flags.add_argument("--config", metavar="PATH", default=default,
                           help="config file to use")
        flags.add_argument("--base-url", metavar="URL", default=default,
                           help="GeeLark API base URL")
        return flags

    # Before or after the command: `geelark-tui --base-url X restart …` is the same as
    # `geelark-tui restart --base-url X …` (a command's own default must not hide the first).
    common, after_command = connection_flags(None), connection_flags(argparse.SUPPRESS)

    parser = _Parser(
        prog="geelark-tui", description=DESCRIPTION, epilog=EPILOG, parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"geelark-tui {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="run against the built-in simulated API (no account needed)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    restart = commands.add_parser(
        "restart", parents=[after_command], help="restart task IDs without the TUI (for scripts)",
        description="Restart task IDs headless. Progress goes to stderr, the result to stdout.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    restart.add_argument("ids", nargs="*", metavar="ID", help="task IDs (any text shape)")
    restart.add_argument("--ids-file", metavar="PATH|-", help="read IDs from a file, - for stdin")
    restart.add_argument("--format", choices=("table", "json", "csv"), default="table")
    restart.add_argument("--batch-size", type=_whole(1, MAX_BATCH), metavar=f"1..{MAX_BATCH}",
                         help="IDs per request (default from config, else 100)")
    restart.add_argument("--concurrency", type=_whole(1, MAX_CONCURRENCY), metavar="N",
                         help=f"requests in flight at once, 1..{MAX_CONCURRENCY} (default 2)")
    restart.add_argument("--rate-limit", type=_whole(1, MAX_PER_MINUTE), metavar="PER_MINUTE",
                         help=f"most requests in any 60 s, 1..{MAX_PER_MINUTE} (default 200)")
    restart.add_argument("--preflight", action="store_true",
                         help="look the tasks up first and restart only failed or cancelled "
                              "ones; adds `status` to each result")
    restart.add_argument("--include-all", action="store_true",
                         help="restart every ID, whatever its status (implies --preflight)")
    restart.add_argument("--cancel-active", action="store_true",
                         help="cancel the tasks that are waiting or running, then restart them "
                              "with the rest (implies --preflight)")
    restart.add_argument("--follow", action="store_true",
                         help="after the run, follow every restarted task until it has "
                              "completed, failed or been cancelled; adds `after` to each")
    restart.add_argument("--follow-timeout", type=_follow_seconds, metavar="SECONDS",
                         help="with --follow: stop following after this long (default 600)")
    restart.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                         help=f"per-request timeout, at most {MAX_TIMEOUT:g} (default 30)")

    tasks = commands.add_parser(
        "tasks", parents=[after_command],
        help="find tasks in the last 7 days (e.g. the failed ones)",
        description="Find tasks in GeeLark's 7-day task history, filtered here. Progress goes "
                    "to stderr, the result to stdout.",
        epilog=TASKS_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    tasks.add_argument("--since", type=_checked(_since, "duration"), metavar="DURATION",
                       default=_since(DEFAULT_SINCE),
                       help=f"scheduled within this much time: 90m, 12h, 2d (default "
                            f"{DEFAULT_SINCE}, the whole history)")
    tasks.add_argument("--status", type=_checked(parse_statuses, "statuses"), metavar="LIST",
                       default=parse_statuses("failed,cancelled"),
                       help=f"statuses, comma-separated: {','.join(STATUS_BY_NAME)}, or all "
                            "(default failed,cancelled: what restart accepts)")
    tasks.add_argument("--plan", metavar="TEXT", help="plan name contains TEXT (any case)")
    tasks.add_argument("--phone", metavar="TEXT", help="phone name contains TEXT (any case)")
    tasks.add_argument("--fail-code", type=_checked(parse_fail_codes, "codes"),
                       metavar="N[,N...]", help="only these failure codes (failCode)")
    tasks.add_argument("--limit", type=_whole(1, 10**9), metavar="N",
                       help="stop after N matching tasks")
    tasks.add_argument("--format", choices=TASK_FORMATS, default="table",
                       help="ids: one ID a line, for `geelark-tui restart` (default table)")
    tasks.add_argument("--rate-limit", type=_whole(1, MAX_PER_MINUTE), metavar="PER_MINUTE",
                       help=f"most requests in any 60 s, 1..{MAX_PER_MINUTE} (default 200)")
    tasks.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                       help=f"per-request timeout, at most {MAX_TIMEOUT:g} (default 30)")

    sim = commands.add_parser("simulator", help="run the simulated GeeLark API on 127.0.0.1")
    sim.add_argument("--port", type=_whole(0, 65535), default=0,
                     help="port (default: a free one)")

    config = commands.add_parser("config", parents=[after_command], help="show the config file")
    config.add_argument("action", choices=("path", "show"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "restart":
        from geelark_tui.headless import run_restart_command

        return run_restart_command(args)
    if args.command == "tasks":
        from geelark_tui.headless_tasks import run_tasks_command

        return run_tasks_command(args)
    if args.command == "simulator":
        from geelark_tui.simulator import serve

        try:
            serve(args.port)
        except OSError as exc:
            print(f"geelark-tui: error: cannot listen on 127.0.0.1:{args.port}: "
                  f"{exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        return EXIT_OK
    if args.command == "config":
        from geelark_tui.headless import run_config_command

        return run_config_command(args)
    from geelark_tui.tui.launch import run_tui

    return run_tui(args)
