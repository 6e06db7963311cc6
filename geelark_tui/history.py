"""The run log: one JSON line per finished or interrupted run. Never a secret. No textual.

``runs.jsonl`` lives in the platformdirs user data dir (``$GEELARK_TUI_DATA_DIR`` overrides it),
in a 0700 dir, mode 0600. Each run is one ``write`` with ``O_APPEND`` under ``flock``, so two
processes never interleave; a line torn by a crash is skipped by ``read_runs``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from geelark_tui.config import APP_NAME

ENV_DATA_DIR = "GEELARK_TUI_DATA_DIR"
LOG_VERSION = 1
_PIECE = 2_000  # list items per call of the C encoder (`compact_json`)
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def run_log_path(env: Mapping[str, str] = os.environ) -> Path:
    chosen = env.get(ENV_DATA_DIR, "").strip()
    base = Path(chosen).expanduser().absolute() if chosen else platformdirs.user_data_path(APP_NAME)
    return base / "runs.jsonl"


def host_of(base_url_or_host: str) -> str:
    """``host[:port]`` of a base URL; user info and paths never reach the log."""
    text = base_url_or_host.strip()
    try:
        parts = urlsplit(text if "//" in text else f"//{text}")
    except ValueError:  # e.g. an unclosed "[": not a URL, so no host
        return ""
    host = parts.hostname or ""
    with contextlib.suppress(ValueError):
        if parts.port:
            host = f"{host}:{parts.port}"
    return host


def _when(value: datetime | float) -> str:
    """ISO 8601 with offset; a float is Unix time (``time.time()``)."""
    if not isinstance(value, datetime):
        value = datetime.fromtimestamp(value, UTC)
    return (value if value.tzinfo else value.astimezone()).isoformat(timespec="seconds")


def append_run(
    path: Path,
    *,
    started_at: datetime | float,
    finished_at: datetime | float,
    api_host: str,
    counts: Mapping[str, int],
    ids_by_outcome: Mapping[str, Sequence[str]],
    interrupted: bool,
    stop_reason: str | None = None,
    secrets: Iterable[str] = (),
    after: Mapping[str, int] | None = None,
    ids_by_code: Mapping[int, Sequence[str]] | None = None,
) -> None:
    """Append one run. ``api_host`` may be a base URL: only host[:port] is kept.
    ``ids_by_code`` (additive, key ``codes``): the IDs each API code answered, so that a run
    reopened from the log says why each ID got its outcome.

    ``secrets`` (e.g. ``config.secrets()``): raise ValueError rather than write a line that
    contains one of them.
    """
    record: dict[str, Any] = {
        "v": LOG_VERSION,
        "started_at": _when(started_at),
        "finished_at": _when(finished_at),
        "api_host": host_of(api_host),
        "interrupted": bool(interrupted),
        "stop_reason": stop_reason,
        "counts": {str(k): int(v) for k, v in counts.items()},
        "ids": {str(k): [str(i) for i in v] for k, v in ids_by_outcome.items()},
    }
    if after is not None:  # the restarted tasks were followed: how they ended
        record["after"] = {str(k): int(v) for k, v in after.items()}
    if ids_by_code:
        record["codes"] = {str(k): [str(i) for i in v] for k, v in ids_by_code.items()}
    line = compact_json(record) + "\n"
    for secret in secrets:
        if secret and (secret in line if len(secret) >= 6 else f'"{secret}"' in line):
            raise ValueError("refusing to write a credential into the run log")
    from geelark_tui.configstore import ensure_private_dir  # start-up: writing comes later

    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released by close
        data = line.encode()
        written = os.write(fd, data)  # one write: appended whole
        while written < len(data):  # only on exotic file systems
            written += os.write(fd, data[written:])
        os.fsync(fd)
    finally:
        os.close(fd)


def compact_json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, separators=(",", ":"))``, a long list a piece
    at a time: the line is made in a thread beside the app, and one C call over 100,000 IDs
    would hold the interpreter (and stall the app) for tens of milliseconds."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{_compact(str(key))}:{compact_json(item)}"
                              for key, item in value.items()) + "}"
    if isinstance(value, list) and len(value) > _PIECE:
        return "[" + ",".join(_compact(value[at:at + _PIECE])[1:-1]
                              for at in range(0, len(value), _PIECE)) + "]"
    return _compact(value)


def read_runs(path: Path) -> list[dict[str, Any]]:
    """Every well-formed run, oldest first; torn or garbage lines are skipped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    runs = []
    for raw in data.splitlines():
        try:
            item = json.loads(raw)
        except ValueError:  # also UnicodeDecodeError
            continue
        if isinstance(item, dict):
            runs.append(item)
    return runs
