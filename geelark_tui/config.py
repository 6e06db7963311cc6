"""Reading the per-user TOML config: where it is, what it holds, ``config show``. No textual.

The settings model and its checks live in ``geelark_tui.settings``; writing the file (every
change: settings, recent ID sets) in ``geelark_tui.configstore``, which builds on this module;
the recent ID sets and the sidecar files of large ones in ``geelark_tui.recentsets``.

Rules (each shown in tests/test_config.py):
- Loading never raises for bad content: problems become messages in ``Config.warnings``
  (file and key, or file and line), and the default is used.
- Every write is a locked read-modify-write: ``flock`` on ``config.toml.lock``, re-read the file,
  apply this process's changes, write a 0600 temp file in the same 0700 dir, fsync, ``os.replace``.
- A file that does not parse or holds invalid values is kept as ``config.toml.broken-<time>``
  before it is first overwritten. Keys this version does not know are kept.
- A config path that exists and is not a regular file (or a link to one), such as /dev/null,
  a device, a FIFO, a socket or a directory, is never read from (nor opened in a way that
  could block) and never written: one warning, and the run goes on with the defaults.
- Credentials from the environment are used, never written.
- A recent set of more than 1,000 IDs keeps them in a sidecar file (see ``recentsets``), written
  before the entry that names it and read only when its IDs are used; a missing one is a warning.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from geelark_tui.recentsets import RecentSet, SidecarIds, auto_name, parse_sidecar_entry
from geelark_tui.settings import (
    DEFAULT_MAX_RECENT,
    FIELD_CHECKS,
    SECRET_FIELDS,
    ApiSettings,
    FileSettings,
    SubmitSettings,
    UiSettings,
    check_max_recent,
    mask_secret,
    shown_value,
)

__all__ = [
    "APP_NAME", "ENV_CONFIG", "Config", "FileContent", "StoredState", "load_config",
    "non_regular_kind", "read_config_file", "real_config_file", "render_config_for_show",
    "resolve_config_path",
]

APP_NAME = "geelark-tui"
ENV_CONFIG = "GEELARK_TUI_CONFIG"


@dataclass
class StoredState:
    """What this process knows of the file, shared with the writer (``configstore``)."""

    settings: FileSettings = field(default_factory=FileSettings)  # as last read or written
    pending: list[Callable[[FileSettings], None]] = field(default_factory=list)  # not written yet
    save_warned: bool = False  # "cannot be saved" is said once a session


@dataclass
class Config:
    """The effective configuration. Build it with ``load_config``.

    ``api`` holds the values in use (environment credentials applied); ``env_sources`` maps each
    api field that came from the environment to its variable. Those fields are never written.
    ``warnings`` is an outbox of messages for the user: ``take_warnings()`` empties it.
    """

    path: Path
    api: ApiSettings = field(default_factory=ApiSettings)
    submit: SubmitSettings = field(default_factory=SubmitSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    recent: list[RecentSet] = field(default_factory=list)
    max_recent: int = DEFAULT_MAX_RECENT
    warnings: list[str] = field(default_factory=list)
    env_sources: dict[str, str] = field(default_factory=dict)
    stored: StoredState = field(default_factory=StoredState, repr=False)

    @property
    def base_url_source(self) -> str:
        """Where ``api.base_url`` comes from, for a message about it."""
        return self.env_sources.get("base_url") or f"{self.path} (api.base_url)"

    @property
    def env_credentials(self) -> bool:
        return bool({"token", "api_key"} & self.env_sources.keys())

    def take_warnings(self) -> list[str]:
        out, self.warnings = self.warnings, []
        return out

    def secrets(self) -> set[str]:
        """Every credential value known to this process (for scrubbing logs and output)."""
        saved = self.stored.settings.api
        return {s for a in (self.api, saved) for s in (a.token, a.api_key) if s}

    def adopt(self, s: FileSettings, *, settings: bool) -> None:
        """Make ``s`` (what the file now holds) this process's view: its recent sets, and with
        ``settings`` its settings too (the environment's values still win)."""
        if settings:
            env = {k: getattr(self.api, k) for k in self.env_sources}
            self.api = replace(s.api, **env)
            self.submit, self.ui, self.max_recent = s.submit, s.ui, s.max_recent
            self.stored.settings = replace(s, recent=[])
        self.recent = list(s.recent[: self.max_recent])


def resolve_config_path(
    cli_path: str | Path | None = None, env: Mapping[str, str] = os.environ
) -> Path:
    """``--config PATH``, else ``$GEELARK_TUI_CONFIG``, else the platformdirs user config dir."""
    chosen = cli_path or env.get(ENV_CONFIG, "").strip()
    if chosen:
        return Path(chosen).expanduser().absolute()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def real_config_file(path: Path) -> Path:
    """The file a write replaces: a symlinked config is written through its link."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISSOCK, "a socket"))


def non_regular_kind(mode: int) -> str | None:
    """What a file of this ``st_mode`` is, e.g. "a FIFO (named pipe)"; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


# ---------------------------------------------------------------- the file


@dataclass
class FileContent:
    """One reading of the file: the settings it holds and what was wrong with it."""

    settings: FileSettings
    raw: dict[str, Any] = field(default_factory=dict)
    raw_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # the file is kept aside before a write
    notes: list[str] = field(default_factory=list)  # worth saying, nothing lost by rewriting
    data: bytes | None = None
    exists: bool = False
    not_a_file: str | None = None  # why the path cannot hold a config (a device, a FIFO, ...)


def _read_regular(path: Path, disk: FileContent) -> None:
    """Read ``path`` into ``disk`` if it is a regular file (through links); else say what it is.

    Never blocks: the type is checked before opening, and the open itself is non-blocking (a
    FIFO put in its place meanwhile opens at once and is refused by ``fstat``)."""
    kind = non_regular_kind(os.stat(path).st_mode)
    if kind is None:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
        with os.fdopen(fd, "rb") as handle:
            kind = non_regular_kind(os.fstat(fd).st_mode)
            if kind is None:
                disk.data = handle.read()
    disk.exists = True
    if kind is not None:
        real = real_config_file(path)
        shown = path if real == path else f"{path} (a link to {real})"
        disk.not_a_file = (f"{shown} is {kind}, not a regular file: settings are not read "
                           "from it and never saved to it")


def read_config_file(path: Path) -> FileContent:
    """What ``path`` holds. Never raises for bad content, never blocks."""
    disk = FileContent(FileSettings())
    try:
        _read_regular(path, disk)
    except FileNotFoundError:
        return disk
    except OSError as e:
        disk.exists = path.exists()
        disk.problems.append(f"{path}: cannot be read ({e.strerror}); using defaults")
        return disk
    if disk.data is None:
        return disk
    try:
        disk.raw = tomllib.loads(disk.data.decode("utf-8"))
    except UnicodeDecodeError as e:
        line = disk.data.count(b"\n", 0, e.start) + 1
        disk.problems.append(f"{path}: line {line}: not UTF-8 text (binary?); using defaults")
        return disk
    except tomllib.TOMLDecodeError as e:
        disk.problems.append(f"{path}: not valid TOML: {e}; using defaults")
        return disk
    _parse(disk, path)
    return disk


def _parse(disk: FileContent, path: Path) -> None:
    s, raw = disk.settings, disk.raw

    def table(name: str) -> dict[str, Any]:
        value = raw.get(name, {})
        if isinstance(value, dict):
            return value
        disk.problems.append(f"{path}: {name} must be a table ([{name}]); using defaults")
        return {}

    for name, cls in (("api", ApiSettings), ("submit", SubmitSettings), ("ui", UiSettings)):
        values: dict[str, Any] = {}
        got = table(name)
        for key, check in FIELD_CHECKS[name].items():
            if key in got:
                try:
                    values[key] = check(got[key])
                except ValueError as e:
                    if key == "base_url":  # kept as text: never swapped for another server
                        values[key] = str(got[key]).strip()
                        disk.problems.append(f"{path}: {name}.{key} = {got[key]!r} {e}")
                        continue
                    default = getattr(cls(), key)
                    disk.problems.append(f"{path}: {name}.{key} = {shown_value(key, got[key])} "
                                         f"{e}; using {default!r}")
        for key in sorted(set(got) - FIELD_CHECKS[name].keys()):
            disk.notes.append(f"{path}: {name}.{key} is not a setting this version knows (kept)")
        setattr(s, name, cls(**values))
    recent = table("recent")
    if "max" in recent:
        try:
            s.max_recent = check_max_recent(recent["max"])
        except ValueError as e:
            disk.problems.append(f"{path}: recent.max = {recent['max']!r} {e}; using 20")
    sets = recent.get("sets", [])
    if not isinstance(sets, list):
        disk.problems.append(f"{path}: recent.sets must be a list of tables ([[recent.sets]])")
        sets = []
    base = real_config_file(path).parent  # sidecar files are beside the real file
    for n, entry in enumerate(sets, 1):
        found = _parse_set(entry, f"{path}: recent.sets #{n}", disk, base)
        if found and found.key not in disk.raw_sets:
            s.recent.append(found)
            disk.raw_sets[found.key] = entry


def _parse_set(entry: Any, where: str, disk: FileContent, base: Path) -> RecentSet | None:
    problems = disk.problems
    if not isinstance(entry, dict):
        problems.append(f"{where} must be a table; skipped")
        return None
    ids: tuple[str, ...] | SidecarIds | None
    if "ids_file" in entry:  # a large set: its IDs are in a sidecar file, read on first use
        ids = parse_sidecar_entry(entry, where, base, problems, disk.notes)
        if ids is None:
            return None
    else:
        raw_ids = entry.get("ids")
        texts = [str(i).strip() for i in raw_ids if isinstance(i, str | int) and not
                 isinstance(i, bool)] if isinstance(raw_ids, list) else []
        ids = tuple(dict.fromkeys(t for t in texts if t))
        if not ids:
            problems.append(f"{where}: ids must be a non-empty list of strings; skipped")
            return None
        if isinstance(raw_ids, list) and len(texts) != len(raw_ids):
            problems.append(f"{where}: ids that are not strings were dropped")
    saved_at = entry.get("saved_at")
    if isinstance(saved_at, datetime):
        saved_at = saved_at.astimezone() if saved_at.tzinfo is None else saved_at
    else:
        problems.append(f"{where}: saved_at must be a TOML date-time; using 1970-01-01")
        saved_at = datetime(1970, 1, 1, tzinfo=UTC)
    counts: dict[str, int] = {}
    raw_counts = entry.get("last_counts", {})
    for k, v in (raw_counts.items() if isinstance(raw_counts, dict) else ()):
        if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
            counts[str(k)] = v
        else:
            problems.append(f"{where}: last_counts.{k} must be a whole number >= 0; dropped")
    if not isinstance(raw_counts, dict):
        problems.append(f"{where}: last_counts must be a table; dropped")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        if name is not None:
            problems.append(f"{where}: name must be a non-empty string; named automatically")
        name = auto_name(ids, saved_at)
    return RecentSet(name.strip(), saved_at, ids, counts)


def _env_overlay(config: Config, env: Mapping[str, str]) -> None:
    values: dict[str, str] = {}
    sources = config.env_sources
    get = {var: env.get(var, "").strip() for var in
           ("GEELARK_BASE_URL", "GEELARK_TOKEN", "GEELARK_APP_ID", "GEELARK_API_KEY")}
    if get["GEELARK_BASE_URL"]:  # checked where it is used, so that a bad one stops the run
        values["base_url"] = get["GEELARK_BASE_URL"]
        sources["base_url"] = "GEELARK_BASE_URL"
    if get["GEELARK_APP_ID"] and get["GEELARK_API_KEY"]:
        values.update(auth_method="key", app_id=get["GEELARK_APP_ID"],
                      api_key=get["GEELARK_API_KEY"])
        sources.update(auth_method="GEELARK_APP_ID and GEELARK_API_KEY",
                       app_id="GEELARK_APP_ID", api_key="GEELARK_API_KEY")
    elif get["GEELARK_APP_ID"] or get["GEELARK_API_KEY"]:
        config.warnings.append("GEELARK_APP_ID and GEELARK_API_KEY work only together; ignored")
    if get["GEELARK_TOKEN"]:  # a token wins over an app key
        values.update(auth_method="token", token=get["GEELARK_TOKEN"])
        sources.update(auth_method="GEELARK_TOKEN", token="GEELARK_TOKEN")
    config.api = replace(config.stored.settings.api, **values)  # type: ignore[arg-type]


def load_config(path: Path, env: Mapping[str, str] = os.environ) -> Config:
    """Read ``path``; never raises for bad content. Missing file: defaults, no warning."""
    disk = read_config_file(path)
    config = Config(path=path, warnings=disk.problems + disk.notes)
    config.adopt(disk.settings, settings=True)
    _env_overlay(config, env)
    if disk.not_a_file:
        config.warnings.append(f"{disk.not_a_file}; using the defaults")
        config.stored.save_warned = True  # this says it: no "cannot be saved" on each write
        return config
    if disk.problems and disk.exists:
        config.warnings.append(f"{path}: nothing is lost: before settings are next saved the "
                               f"file is kept as it is in {path.name}.broken-<date-time>")
    with contextlib.suppress(OSError):
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            config.warnings.append(f"{path}: other users can access it (mode {mode:04o}); "
                                   f"run: chmod 600 {path} (the next save also fixes it)")
    return config


def render_config_for_show(config: Config) -> str:
    """The effective config as TOML for ``geelark-tui config show``: secrets masked."""
    api = {f.name: getattr(config.api, f.name) for f in fields(config.api)}
    for key in SECRET_FIELDS:
        api[key] = mask_secret(api[key])
    lines = [f"# {config.path}" + ("" if config.path.exists() else " (not created yet)")]
    lines += [f"# api.{k} comes from the environment ({v}); it is never written to the file"
              for k, v in sorted(config.env_sources.items())]
    doc = {"api": api,
           "submit": {f.name: getattr(config.submit, f.name) for f in fields(config.submit)},
           "ui": {f.name: getattr(config.ui, f.name) for f in fields(config.ui)},
           "recent": {"max": config.max_recent, "sets": [
               {"name": r.name, "saved_at": r.saved_at, "id_count": r.id_count,
                **({"ids_file": r.ids.relpath} if isinstance(r.ids, SidecarIds) else {}),
                **({"last_counts": dict(r.last_counts)} if r.last_counts else {})}
               for r in config.recent]}}
    import tomli_w  # start-up: only `config show` (and saving, in configstore) writes TOML

    return "\n".join(lines) + "\n\n" + tomli_w.dumps(doc)

