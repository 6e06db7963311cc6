"""Keep credentials out of whatever the process prints when something goes wrong. No textual.

A `Redactor` knows the secrets in use (the token and API key: from the config, the
environment, or whatever its sources return at the moment of asking) and replaces each one
in text, or in the strings inside a data structure, with `MASK`. The headless command and the
TUI install `install_hooks` so that an uncaught exception, an "exception ignored" report or
a crashed thread is printed through it; the TUI also renders its own crashes through it
(`geelark_tui.tui.crash`).

Secrets shorter than `MIN_SECRET` characters are not replaced in free text: replacing every
"abc" would wreck the output and hide nothing worth hiding.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

MASK = "[secret hidden]"
MIN_SECRET = 6
ENV_SECRETS = ("GEELARK_TOKEN", "GEELARK_API_KEY")
# A terminal colour/style escape may sit between any two characters of rendered text.
_ESCAPE = r"(?:\x1b\[[0-9;:]*[A-Za-z])*"

T = TypeVar("T")
Source = Callable[[], Iterable[str]]


def env_secrets(env: Mapping[str, str] | None = None) -> set[str]:
    """Credentials set in the environment (used, never saved, but still secret)."""
    env = os.environ if env is None else env
    return {value.strip() for name in ENV_SECRETS if (value := env.get(name, "")).strip()}


class Redactor:
    """Replaces every known secret. Sources are asked each time, so a credential saved (or
    typed) after start-up is covered too; a source that fails is skipped."""

    def __init__(self, *sources: Source) -> None:
        self._sources: list[Source] = [env_secrets, *sources]
        self._pattern: tuple[frozenset[str], re.Pattern[str] | None] = (frozenset(), None)

    def add_source(self, source: Source) -> None:
        self._sources.append(source)

    def secrets(self) -> frozenset[str]:
        found: set[str] = set()
        for source in self._sources:
            with contextlib.suppress(Exception):  # never let scrubbing itself crash
                found.update(s for s in source() if isinstance(s, str))
        return frozenset(s for s in found if len(s) >= MIN_SECRET)

    def _compiled(self) -> re.Pattern[str] | None:
        secrets = self.secrets()
        if secrets != self._pattern[0]:
            # Longest first, so a secret that contains another is replaced whole.
            parts = [_ESCAPE.join(map(re.escape, s)) for s in sorted(secrets, key=len,
                                                                         reverse=True)]
            self._pattern = (secrets, re.compile("|".join(parts)) if parts else None)
        return self._pattern[1]

    def scrub(self, text: str) -> str:
        """``text`` with every secret replaced (also where terminal escapes split one)."""
        pattern = self._compiled()
        return text if pattern is None or not text else pattern.sub(MASK, text)

    def scrub_data(self, value: T) -> T:
        """A copy of ``value`` with every string inside it scrubbed: strings, lists, tuples,
        sets, dicts and dataclasses, recursively. Other objects are returned as they are."""
        pattern = self._compiled()
        if pattern is None:
            return value
        return _scrub_value(value, lambda text: pattern.sub(MASK, text), 0)  # type: ignore[no-any-return]


def _scrub_value(value: Any, scrub: Callable[[str], str], depth: int) -> Any:
    if depth > 50:
        return value
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_value(v, scrub, depth + 1) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_scrub_value(v, scrub, depth + 1) for v in value)
    if isinstance(value, (set, frozenset)):
        return type(value)(_scrub_value(v, scrub, depth + 1) for v in value)
    if isinstance(value, dict):
        return {_scrub_value(k, scrub, depth + 1): _scrub_value(v, scrub, depth + 1)
                for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = _scrub_value(old, scrub, depth + 1)
            if new is not old and new != old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


# -- process-wide hooks -------------------------------------------------------------------------

_HOOKED = Redactor()
_lock = threading.Lock()
_MARK = "_geelark_scrubbed"


def _through(redactor: Redactor, hook: Callable[..., object]) -> Callable[..., None]:
    """``hook`` (whatever prints the report: Python's default or another tool's) with its
    output to stderr captured and scrubbed before it is written."""

    def scrubbed(*args: Any) -> None:
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stderr(buffer):
                hook(*args)
        finally:
            stream = sys.stderr or sys.__stderr__
            if stream is not None:
                with contextlib.suppress(Exception):  # e.g. the terminal is gone
                    stream.write(redactor.scrub(buffer.getvalue()))
                    stream.flush()

    setattr(scrubbed, _MARK, True)
    return scrubbed


def install_hooks(*sources: Source) -> Redactor:
    """Route `sys.excepthook`, `sys.unraisablehook` and `threading.excepthook` through the
    process-wide redactor; ``sources`` add secrets to it. Idempotent. Python's tracebacks
    show no local variables, but an exception's message or an object's repr may quote one."""
    with _lock:
        for source in sources:
            _HOOKED.add_source(source)
        for owner, name in ((sys, "excepthook"), (sys, "unraisablehook"),
                            (threading, "excepthook")):
            current = getattr(owner, name)
            if not getattr(current, _MARK, False):
                setattr(owner, name, _through(_HOOKED, current))
    return _HOOKED
