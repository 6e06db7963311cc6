"""Settings, credentials and recent ID sets in the per-user TOML file. Never imports textual.

Rules (each shown in tests/test_config.py):
- Loading never raises for bad content: problems become messages in ``Config.warnings``
  (file and key, or file and line), and the default is used.
- Every write is a locked read-modify-write: ``flock`` on ``config.toml.lock``, re-read the file,
  apply this process's changes, write a 0600 temp file in the same 0700 dir, fsync, ``os.replace``.
- A file that does not parse or holds invalid values is kept as ``config.toml.broken-<time>``
  before it is first overwritten. Keys this version does not know are kept.
- Credentials from the environment are used, never written.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
import tomli_w

APP_NAME = "geelark-tui"
DEFAULT_BASE_URL = "https://openapi.geelark.com"
ENV_CONFIG = "GEELARK_TUI_CONFIG"
SECRET_FIELDS = frozenset({"token", "api_key"})
LOCK_TIMEOUT = 10.0

Check = Callable[[Any], Any]  # returns the normalised value or raises ValueError(reason)


def _rule(test: Callable[[Any], bool], reason: str, convert: Check = lambda v: v) -> Check:
    def check(v: Any) -> Any:
        if not test(v):
            raise ValueError(reason)
        return convert(v)

    return check


def _num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _int(lo: int, hi: int) -> Check:
    return _rule(lambda v: isinstance(v, int) and _num(v) and lo <= v <= hi,
                 f"must be a whole number from {lo} to {hi}")


def _url(v: Any) -> str:
    parts = urlsplit(v.strip() if isinstance(v, str) else "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError('must be an http:// or https:// URL, e.g. "https://openapi.geelark.com"')
    return str(v).strip().rstrip("/")


_STR = _rule(lambda v: isinstance(v, str), "must be a string", str.strip)


_CHECKS: dict[str, dict[str, Check]] = {
    "api": {"base_url": _url, "token": _STR, "app_id": _STR, "api_key": _STR,
            "auth_method": _rule(lambda v: v in ("token", "key"), 'must be "token" or "key"')},
    "submit": {"batch_size": _int(1, 100), "concurrency": _int(1, 20), "per_minute": _int(1, 200),
               "timeout": _rule(lambda v: _num(v) and 1 <= v <= 300,
                                "must be a number of seconds from 1 to 300", float),
               "preflight": _rule(lambda v: isinstance(v, bool), "must be true or false")},
    "ui": {"theme": _rule(lambda v: isinstance(v, str) and bool(v.strip()), "must be a theme name",
                          str.strip), "results_export_dir": _STR},
}
_MAX_RECENT = _int(1, 1000)


class _Checked:
    """Validates and normalises every field on construction: bad values raise ValueError."""

    _section = ""

    def __post_init__(self) -> None:
        for name, check in _CHECKS[self._section].items():
            try:
                object.__setattr__(self, name, check(getattr(self, name)))
            except ValueError as e:
                raise ValueError(f"{self._section}.{name} {e}") from None


@dataclass(frozen=True)
class ApiSettings(_Checked):
    _section = "api"
    base_url: str = DEFAULT_BASE_URL
    auth_method: Literal["token", "key"] = "token"
    token: str = ""
    app_id: str = ""
    api_key: str = ""

    def __repr__(self) -> str:
        return (f"ApiSettings(base_url={self.base_url!r}, auth_method={self.auth_method!r}, "
                f"token={mask_secret(self.token)!r}, app_id={self.app_id!r}, "
                f"api_key={mask_secret(self.api_key)!r})")


@dataclass(frozen=True)
class SubmitSettings(_Checked):
    _section = "submit"
    batch_size: int = 100
    concurrency: int = 2
    per_minute: int = 200
    timeout: float = 30.0
    preflight: bool = True


@dataclass(frozen=True)
class UiSettings(_Checked):
    _section = "ui"
    theme: str = "textual-dark"
    results_export_dir: str = ""


def set_key(ids: Iterable[str]) -> str:
    """Identity of an ID set: the same IDs in any order are the same set."""
    return hashlib.sha256("\n".join(sorted(set(ids))).encode()).hexdigest()[:16]


def auto_name(ids: tuple[str, ...], saved_at: datetime) -> str:
    count = f"{len(ids)} ID" + ("" if len(ids) == 1 else "s")
    return f"{count} from {ids[0]} · {saved_at.astimezone().date().isoformat()}"


@dataclass(frozen=True)
class RecentSet:
    name: str
    saved_at: datetime  # tz-aware
    ids: tuple[str, ...]
    last_counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return set_key(self.ids)

    @property
    def is_auto_named(self) -> bool:
        return self.name == auto_name(self.ids, self.saved_at)


@dataclass
class _Settings:
    api: ApiSettings = field(default_factory=ApiSettings)
    submit: SubmitSettings = field(default_factory=SubmitSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    max_recent: int = 20
    recent: list[RecentSet] = field(default_factory=list)


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
    max_recent: int = 20
    warnings: list[str] = field(default_factory=list)
    env_sources: dict[str, str] = field(default_factory=dict)
    _saved: _Settings = field(default_factory=_Settings, repr=False)  # as last read or written
    _pending: list[Callable[[_Settings], None]] = field(default_factory=list, repr=False)
    _save_warned: bool = field(default=False, repr=False)

    @property
    def env_credentials(self) -> bool:
        return bool({"token", "api_key"} & self.env_sources.keys())

    def take_warnings(self) -> list[str]:
        out, self.warnings = self.warnings, []
        return out

    def secrets(self) -> set[str]:
        """Every credential value known to this process (for scrubbing logs and output)."""
        return {s for a in (self.api, self._saved.api) for s in (a.token, a.api_key) if s}


class ConfigError(Exception):
    """A save that could not happen; turned into a warning, never raised to callers."""


def mask_secret(secret: str) -> str:
    if not secret:
        return ""
    return f"{secret[:2]}********{secret[-2:]}" if len(secret) >= 12 else "********"


def resolve_config_path(
    cli_path: str | Path | None = None, env: Mapping[str, str] = os.environ
) -> Path:
    """``--config PATH``, else ``$GEELARK_TUI_CONFIG``, else the platformdirs user config dir."""
    chosen = cli_path or env.get(ENV_CONFIG, "").strip()
    if chosen:
        return Path(chosen).expanduser().absolute()
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


# ---------------------------------------------------------------- reading


@dataclass
class _Disk:
    settings: _Settings
    raw: dict[str, Any] = field(default_factory=dict)
    raw_sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # the file is kept aside before a write
    notes: list[str] = field(default_factory=list)  # worth saying, nothing lost by rewriting
    data: bytes | None = None
    exists: bool = False


def _shown(key: str, value: Any) -> str:
    return "(hidden)" if key in SECRET_FIELDS else repr(value)[:60]


def _read_disk(path: Path) -> _Disk:
    disk = _Disk(_Settings())
    try:
        disk.data = path.read_bytes()
        disk.exists = True
    except FileNotFoundError:
        return disk
    except OSError as e:
        disk.exists = path.exists()
        disk.problems.append(f"{path}: cannot be read ({e.strerror}); using defaults")
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


def _parse(disk: _Disk, path: Path) -> None:
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
        for key, check in _CHECKS[name].items():
            if key in got:
                try:
                    values[key] = check(got[key])
                except ValueError as e:
                    default = getattr(cls(), key)
                    disk.problems.append(f"{path}: {name}.{key} = {_shown(key, got[key])} "
                                         f"{e}; using {default!r}")
        for key in sorted(set(got) - _CHECKS[name].keys()):
            disk.notes.append(f"{path}: {name}.{key} is not a setting this version knows (kept)")
        setattr(s, name, cls(**values))
    recent = table("recent")
    if "max" in recent:
        try:
            s.max_recent = _MAX_RECENT(recent["max"])
        except ValueError as e:
            disk.problems.append(f"{path}: recent.max = {recent['max']!r} {e}; using 20")
    sets = recent.get("sets", [])
    if not isinstance(sets, list):
        disk.problems.append(f"{path}: recent.sets must be a list of tables ([[recent.sets]])")
        sets = []
    for n, entry in enumerate(sets, 1):
        found = _parse_set(entry, f"{path}: recent.sets #{n}", disk.problems)
        if found and found.key not in disk.raw_sets:
            s.recent.append(found)
            disk.raw_sets[found.key] = entry


def _parse_set(entry: Any, where: str, problems: list[str]) -> RecentSet | None:
    if not isinstance(entry, dict):
        problems.append(f"{where} must be a table; skipped")
        return None
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
    if get["GEELARK_BASE_URL"]:
        try:
            values["base_url"] = _url(get["GEELARK_BASE_URL"])
            sources["base_url"] = "GEELARK_BASE_URL"
        except ValueError as e:
            config.warnings.append(f"GEELARK_BASE_URL {e}; ignored")
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
    config.api = replace(config._saved.api, **values)  # type: ignore[arg-type]


def load_config(path: Path, env: Mapping[str, str] = os.environ) -> Config:
    """Read ``path``; never raises for bad content. Missing file: defaults, no warning."""
    disk = _read_disk(path)
    config = Config(path=path, warnings=disk.problems + disk.notes)
    _adopt(config, disk.settings, settings=True)
    _env_overlay(config, env)
    if disk.problems and disk.exists:
        config.warnings.append(f"{path}: nothing is lost: before settings are next saved the "
                               f"file is kept as it is in {path.name}.broken-<date-time>")
    with contextlib.suppress(OSError):
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            config.warnings.append(f"{path}: other users can access it (mode {mode:04o}); "
                                   f"run: chmod 600 {path} (the next save also fixes it)")
    return config


def _adopt(config: Config, s: _Settings, *, settings: bool) -> None:
    """Make ``s`` (what the file now holds) this process's view."""
    if settings:
        env = {k: getattr(config.api, k) for k in config.env_sources}
        config.api = replace(s.api, **env)
        config.submit, config.ui, config.max_recent = s.submit, s.ui, s.max_recent
        config._saved = replace(s, recent=[])
    config.recent = list(s.recent[: config.max_recent])


# ---------------------------------------------------------------- writing


def ensure_private_dir(directory: Path) -> None:
    if directory.is_dir():
        return
    directory.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.mkdir(directory, 0o700)
        os.chmod(directory, 0o700)  # exactly 0700 whatever the umask


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(target: Path, data: bytes) -> None:
    """Replace ``target``: 0600 temp file in the same dir, fsync, rename, fsync the dir."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        _write_private(tmp, data)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    lock = target.with_name(target.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise ConfigError(f"{lock} is held by another process") from None
                time.sleep(0.005)
        for stale in target.parent.glob(f".{target.name}.*.tmp"):  # left by a killed writer
            with contextlib.suppress(OSError):
                stale.unlink()
        yield
    finally:
        os.close(fd)


def _keep_aside(target: Path, disk: _Disk) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1, 100):
        aside = target.with_name(f"{target.name}.broken-{stamp}" + (f"-{n}" if n > 1 else ""))
        if aside.exists() or aside.is_symlink():
            continue
        try:
            os.link(target, aside)  # the old content stays reachable at every instant
        except FileExistsError:
            continue
        except OSError:
            if disk.data is None:
                os.rename(target, aside)
            else:
                _write_private(aside, disk.data)
        with contextlib.suppress(OSError):
            os.chmod(aside, 0o600)
        return aside
    raise ConfigError(f"cannot find a free name for {target.name}.broken-{stamp}")


def _document(disk: _Disk, s: _Settings) -> dict[str, Any]:
    doc = dict(disk.raw)  # keys this version does not know are kept
    for name, obj in (("api", s.api), ("submit", s.submit), ("ui", s.ui)):
        old = doc.pop(name, None)
        doc[name] = {**(old if isinstance(old, dict) else {}),
                     **{f.name: getattr(obj, f.name) for f in fields(obj)}}
    sets = []
    for r in s.recent[: s.max_recent]:
        entry = {**disk.raw_sets.get(r.key, {}), "name": r.name, "ids": list(r.ids),
                 "saved_at": r.saved_at.replace(microsecond=0), "last_counts": dict(r.last_counts)}
        sets.append({k: v for k, v in entry.items() if v or k != "last_counts"})
    old_recent = doc.pop("recent", None)
    doc["recent"] = {**(old_recent if isinstance(old_recent, dict) else {}),
                     "max": s.max_recent, "sets": sets}
    return doc


def _commit(config: Config, change: Callable[[_Settings], None] | None, *,
            settings: bool) -> bool:
    """Locked read-modify-write. ``settings``: also write this process's settings changes."""
    if change:
        config._pending.append(change)
    target = Path(os.path.realpath(config.path)) if config.path.is_symlink() else config.path
    try:
        if target.is_dir():
            raise ConfigError(f"{target} is a directory")
        ensure_private_dir(target.parent)
        with _locked(target):
            if target.exists() and not os.stat(target).st_mode & 0o200:
                raise ConfigError(f"{target} is read-only")
            disk = _read_disk(target)
            merged = disk.settings
            if settings:
                _merge_settings(config, merged)
            for pending in config._pending:
                pending(merged)
            data = tomli_w.dumps(_document(disk, merged)).encode()
            if disk.exists and disk.problems:
                aside = _keep_aside(target, disk)
                config.warnings.append(f"{target}: the file could not be used as it was; "
                                       f"it is kept unchanged as {aside}")
            atomic_write(target, data)
    except (OSError, ConfigError) as e:
        view = replace(config._saved, recent=list(config.recent), max_recent=config.max_recent)
        if change:
            change(view)
        config.recent = view.recent[: config.max_recent]
        if not config._save_warned:
            config._save_warned = True
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            config.warnings.append(f"settings cannot be saved: {target}: {reason}; "
                                   "changes last only until the app exits")
        return False
    config._pending.clear()
    _adopt(config, merged, settings=settings)
    return True


def _merge_settings(config: Config, disk: _Settings) -> None:
    """Onto what the file holds now, put the fields this process changed since it last read."""
    for name in ("api", "submit", "ui"):
        mine, before = getattr(config, name), getattr(config._saved, name)
        changed = {f.name: getattr(mine, f.name) for f in fields(mine)
                   if getattr(mine, f.name) != getattr(before, f.name)
                   and f.name not in (config.env_sources if name == "api" else ())}
        setattr(disk, name, replace(getattr(disk, name), **changed))
    if config.max_recent != config._saved.max_recent:
        disk.max_recent = _MAX_RECENT(config.max_recent)  # a bad value is a bug: ValueError


def save_config(config: Config) -> bool:
    """Write the settings this process changed. False (and one warning) if it cannot."""
    return _commit(config, None, settings=True)


def record_recent_set(config: Config, ids: Iterable[str], *, name: str | None = None,
                      now: datetime | None = None) -> RecentSet:
    """Save an ID set on top of the recent list (call it before the first request of a run)."""
    unique = tuple(dict.fromkeys(str(i).strip() for i in ids if str(i).strip()))
    if not unique:
        raise ValueError("an ID set needs at least one ID")
    when = (now or datetime.now(UTC)).replace(microsecond=0)
    key = set_key(unique)

    def change(s: _Settings) -> None:
        old = next((r for r in s.recent if r.key == key), None)
        keep = old.name if old and not old.is_auto_named else None
        new = RecentSet((name or "").strip() or keep or auto_name(unique, when), when, unique,
                        dict(old.last_counts) if old else {})
        s.recent = [new, *(r for r in s.recent if r.key != key)][: s.max_recent]

    _commit(config, change, settings=False)
    return next(r for r in config.recent if r.key == key)


def _edit_set(config: Config, key: str, **values: Any) -> RecentSet | None:
    def change(s: _Settings) -> None:
        s.recent = [replace(r, **values) if r.key == key else r for r in s.recent]

    _commit(config, change, settings=False)
    return next((r for r in config.recent if r.key == key), None)


def update_recent_counts(config: Config, key: str, counts: Mapping[str, int]) -> RecentSet | None:
    """Store the counts of the set's last run. None if the set is no longer in the list."""
    return _edit_set(config, key, last_counts=dict(counts))


def rename_recent_set(config: Config, key: str, new_name: str) -> RecentSet | None:
    if not new_name.strip():
        raise ValueError("a name must not be empty")
    return _edit_set(config, key, name=new_name.strip())


def delete_recent_set(config: Config, key: str) -> bool:
    def change(s: _Settings) -> None:
        s.recent = [r for r in s.recent if r.key != key]

    return _commit(config, change, settings=False)


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
               {"name": r.name, "saved_at": r.saved_at, "id_count": len(r.ids),
                **({"last_counts": dict(r.last_counts)} if r.last_counts else {})}
               for r in config.recent]}}
    return "\n".join(lines) + "\n\n" + tomli_w.dumps(doc)

