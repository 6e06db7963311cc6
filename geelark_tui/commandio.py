"""What the headless commands (`restart`, `tasks`, `config`) share: messages on stderr, the
result on stdout (and what happens when stdout cannot take it), the config they run with, and
how a signal stops them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, TypeVar

from geelark_tui.config import Config, load_config, resolve_config_path
from geelark_tui.redact import install_hooks

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
T = TypeVar("T")


def say(message: str) -> None:
    """A progress line or message: stderr, never stdout (stdout carries only the result)."""
    if sys.stderr is not None:  # started with stderr closed: nowhere to say it
        print(message, file=sys.stderr, flush=True)


def write_result(text: str | Iterable[str], kept: str = "") -> bool:
    """The result on stdout (a large one in pieces); False (after one line on stderr, naming
    where else the result is `kept`, if anywhere) when stdout cannot take it."""
    try:
        if sys.stdout is None:  # started with stdout closed (`>&-`)
            raise OSError(9, "standard output is closed")
        for piece in [text] if isinstance(text, str) else text:
            sys.stdout.write(piece)
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        say(f"error: cannot write the result to stdout: {reason}" + (f"; {kept}" if kept else ""))
        with contextlib.suppress(OSError, ValueError):  # no second complaint at exit
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)  # stdout
        return False
    return True


def open_config(flag: str | None) -> Config:
    """The config a command runs with (`--config`, else GEELARK_TUI_CONFIG, else the per-user
    file): its secrets hidden from any crash output, its warnings said on stderr."""
    config = load_config(resolve_config_path(flag))
    install_hooks(config.secrets)  # a crash prints no credential, even one in a message
    for warning in config.take_warnings():
        say(f"warning: {warning}")
    return config


async def until_signalled(work: Coroutine[Any, Any, T], stop: Callable[[str], None],
                          settle: Callable[[str], T]) -> T:
    """Await `work`. The first SIGINT, SIGTERM or SIGHUP calls `stop("stopped by SIGxxx")`
    (finish what is in flight); a second one cancels `work`, and `settle(reason)` gives the
    result instead."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(work)
    interrupts = 0

    def on_signal(sig: signal.Signals) -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts == 1:
            stop(f"stopped by {sig.name}")
        else:
            task.cancel()

    for sig in SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, on_signal, sig)
    try:
        return await task
    except asyncio.CancelledError:
        return settle("stopped by a second signal")
    finally:
        for sig in SIGNALS:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)
